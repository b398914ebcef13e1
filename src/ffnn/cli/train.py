"""``ffnn train``: train a network on MNIST, report its test accuracy, save and plot it."""
from __future__ import annotations

import argparse
import dataclasses
import secrets
import signal
import sys
import threading
import time
import warnings

from ffnn.cli.data import check_fit, load_data
from ffnn.cli.errors import one_line
from ffnn import SaturationWarning, recipes
from ffnn.network import NeuralNetwork


def train(args: argparse.Namespace) -> int:
    data, source = load_data(args)
    check_fit(data.train_images.shape[1], 10, data.train_images, data.train_labels, source)
    check_fit(data.train_images.shape[1], 10, data.test_images, data.test_labels, args.test or source)
    recipe = _recipe(args)
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    if recipe is None:
        net = NeuralNetwork(data.train_images.shape[1], args.hidden, 10, args.lr, dtype=args.dtype or "float64",
                            seed=seed, threads=args.threads)
    else:
        net = recipe.network(data.train_images.shape[1], 10, seed=seed, dtype=args.dtype, threads=args.threads)
    n = len(data.train_images)
    rotations = f", each also rotated by ±{args.rotate:g}°" if args.rotate else ""
    if recipe is not None:
        print(f"{recipe.describe()}", flush=True)
    print(f"{net} on {n} images from {source}{rotations}", flush=True)
    if args.seed is None:
        print(f"seed {seed} (pass --seed {seed} to repeat)", flush=True)
    report = _EpochReport(args.epochs, net.learning_rate, show_rate=recipe is not None)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", SaturationWarning)  # told as a line of the command's
            warnings.showwarning = report.warning
            history = net.fit(
                data.train_images, data.train_labels, args.epochs, shuffle=args.shuffle, seed=seed,
                callback=report, progress=report.progress, engine=args.engine,
                augment={"rotate": args.rotate} if args.rotate else None,
                validation=(data.test_images, data.test_labels) if args.plot else None,
                schedule=None if recipe is None else recipe.schedule,
                distort=None if recipe is None else recipe.distort,
            )
    except KeyboardInterrupt:
        return _interrupted(net, args, report)
    seconds = time.perf_counter() - start
    if args.save:
        pressed = _save(net, args.save)
        print(f"model saved to {args.save}", flush=True)
        if pressed:
            raise KeyboardInterrupt
    accuracy = net.score(data.test_images, data.test_labels)
    presented = args.epochs * n * (3 if args.rotate else 1)
    print(f"test accuracy {accuracy:.2%} on {len(data.test_images)} images; "
          f"training took {seconds:.1f} s ({seconds / presented * 1e6:.0f} µs per sample)")
    if args.plot:
        from ffnn import plots

        plots.learning_curve(history, args.plot)
        print(f"learning curve drawn in {args.plot}")
    return 0


def _recipe(args: argparse.Namespace) -> recipes.Recipe | None:
    """The recipe of --recipe best (None for the book's), and args.epochs made definite."""
    if args.recipe == "book":
        args.epochs = 5 if args.epochs is None else args.epochs
        return None
    recipe = recipes.best()
    if args.hidden != recipe.hidden or args.lr != 0.1 or args.rotate:
        raise ValueError(f"--recipe {args.recipe} sets its own hidden nodes, learning rate and distortions; "
                         "give --hidden, --lr and --rotate without it (--epochs may change its length)")
    if args.epochs is None:
        args.epochs = recipe.epochs
    return dataclasses.replace(recipe, epochs=args.epochs)  # so that it describes the run made


class _EpochReport:
    """fit's callback: one line per epoch, above fit's progress bar when tqdm draws one."""

    def __init__(self, epochs: int, learning_rate: float = 0.1, show_rate: bool = False) -> None:
        self.epochs, self.learning_rate, self.show_rate = epochs, learning_rate, show_rate
        self.completed = 0
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.progress, self.write = False, print
        else:
            # fit draws the bar; the epoch lines are written above it.
            self.progress, self.write = True, tqdm.write

    def warning(self, message, category, filename, lineno, file=None, line=None) -> None:
        """A warning of fit's as one line above the bar; a saturated network is told to take a smaller --lr."""
        text = " ".join(str(message).splitlines())
        if issubclass(category, SaturationWarning):
            text += f" (--lr {self.learning_rate / 10:g})"
        self.write(f"ffnn train: warning: {text}", file=sys.stderr)
        sys.stderr.flush()

    def __call__(self, epoch: int, history: dict) -> None:
        self.completed = epoch
        errors = history["sum_squared_error"]
        line = f"epoch {epoch} of {self.epochs}: sum of squared errors per sample {errors[-1]:.4f}"
        if self.show_rate:
            line += f", learning rate {history['learning_rate'][-1]:.4g}"
        if history.get("val_accuracy"):
            line += f", test accuracy {history['val_accuracy'][-1]:.2%}"
        self.write(line)
        sys.stdout.flush()


def _interrupted(net: NeuralNetwork, args: argparse.Namespace, report: _EpochReport) -> int:
    where = f"interrupted in epoch {min(report.completed + 1, args.epochs)} of {args.epochs}"
    if args.save:
        try:
            _save(net, args.save)  # a further Ctrl-C changes nothing: the command is stopping anyway
            where += f": saved the network after its last completed sample to {args.save}"
        except ValueError as exc:  # weights gone NaN in the interrupted epoch
            where += f": not saved ({one_line(exc)})"
    report.write(f"ffnn train: {where}", file=sys.stderr)
    return 130


def _save(net: NeuralNetwork, path: str) -> bool:
    """net.save(path), finished even if Ctrl-C comes meanwhile; True if it came.

    A second Ctrl-C must not cost the save the first one asked for. Errors
    name the user's path, never the temporary file the save writes first.
    """
    pressed = []
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True)) if main_thread else None
    try:
        net.save(path)
    except OSError as exc:
        raise OSError(f"--save {path}: the network could not be saved ({exc.strerror or exc})") from None
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    return bool(pressed)
