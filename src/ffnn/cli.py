"""The `ffnn` command (also `python -m ffnn`).

With no arguments it runs the book's experiment on the MNIST sample shipped
with the package: a 784-200-10 network, learning rate 0.1, trained one sample
at a time, then scored on the sample's test images. Other commands evaluate
a saved network, draw what it imagines each digit looks like, and read your
own images.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from ffnn import __version__
from ffnn.datasets import fetch_mnist, load_mnist, load_sample, make_targets
from ffnn.network import NeuralNetwork

SAMPLE = "the MNIST sample shipped with ffnn"


def _hidden_sizes(text: str) -> int | list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a layer size or comma-separated list: {text!r}")
    return sizes[0] if len(sizes) == 1 else sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ffnn", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"ffnn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help="train on MNIST and report test accuracy (default)",
                                description="Train a network on MNIST, then score it on the test images.")
    _data_options(train)
    train.add_argument("--hidden", type=_hidden_sizes, default=200, metavar="N[,N...]",
                       help="hidden layer size(s) (default: 200)")
    train.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    train.add_argument("--epochs", type=int, default=5, help="passes over the data (default: 5)")
    train.add_argument("--rotate", type=float, default=0, metavar="DEGREES",
                       help="also train on each image rotated by +DEGREES and -DEGREES (book: 10)")
    train.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    train.add_argument("--seed", type=int, default=None, help="seed for the initial weights and order")
    train.add_argument("--save", metavar="MODEL.npz", help="save the trained network")
    train.add_argument("--plot", metavar="CURVE.png",
                       help="plot error and test accuracy per epoch (needs ffnn[plots])")

    evaluate = commands.add_parser("evaluate", help="accuracy and confusion matrix of a saved network",
                                   description="Score a saved network on the test images.")
    evaluate.add_argument("model", metavar="MODEL.npz")
    _data_options(evaluate)
    evaluate.add_argument("--plot", metavar="CONFUSION.png", help="draw the confusion matrix (needs ffnn[plots])")

    backquery = commands.add_parser("backquery", help="the image a saved network associates with a label",
                                    description="Run a saved network backwards from a label to an image "
                                                "(needs ffnn[plots]).")
    backquery.add_argument("model", metavar="MODEL.npz")
    which = backquery.add_mutually_exclusive_group(required=True)
    which.add_argument("--label", type=int, help="the label to back-query (with --out)")
    which.add_argument("--all", metavar="GRID.png", help="draw every label's image in one grid")
    backquery.add_argument("--out", metavar="IMAGE.png", help="where to draw the --label image")

    predict = commands.add_parser("predict", help="label pictures of your own handwritten digits",
                                  description="Label photos or scans of handwritten digits with a saved "
                                              "network, each read the way MNIST was made: cropped to its "
                                              "ink, fitted to 20 x 20, centred by mass (needs ffnn[images]).")
    predict.add_argument("model", metavar="MODEL.npz")
    predict.add_argument("images", metavar="IMAGE", nargs="+")
    predict.add_argument("--invert", action=argparse.BooleanOptionalAction, default=None,
                         help="dark writing on light paper (--invert) or light on dark as MNIST's "
                              "(--no-invert); default: told from each picture")
    predict.add_argument("--show", metavar="DIR",
                         help="draw DIR/<name>.png for each picture: the picture, the 28 x 28 pixels the "
                              "network saw and its ten outputs (needs ffnn[plots])")
    return parser


def _data_options(command: argparse.ArgumentParser) -> None:
    source = command.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="PATH",
                        help="MNIST as IDX files, the book's CSV files or mnist.npz "
                             "(default: the sample shipped with ffnn)")
    source.add_argument("--download", action="store_true",
                        help="download full MNIST into the user cache first (needs ffnn[download])")


def _load_data(args: argparse.Namespace):
    if args.download:
        return fetch_mnist(), "MNIST (downloaded)"
    if args.data:
        return load_mnist(args.data), args.data
    return load_sample(), SAMPLE


def train(args: argparse.Namespace) -> int:
    if args.epochs < 1:
        raise ValueError("--epochs must be at least 1")
    data, source = _load_data(args)
    net = NeuralNetwork(data.train_images.shape[1], args.hidden, 10, args.lr, dtype=args.dtype, seed=args.seed)
    n = len(data.train_images)
    rotations = f", each also rotated by ±{args.rotate:g}°" if args.rotate else ""
    print(f"{net} on {n} images from {source}{rotations}", flush=True)
    start = time.perf_counter()
    with _Progress(args.epochs) as progress:
        history = net.fit(
            data.train_images, data.train_labels, args.epochs, seed=args.seed, callback=progress.epoch_done,
            augment={"rotate": args.rotate} if args.rotate else None,
            validation=(data.test_images, data.test_labels) if args.plot else None,
        )
    seconds = time.perf_counter() - start
    accuracy = net.score(data.test_images, data.test_labels)
    presented = args.epochs * n * (3 if args.rotate else 1)
    print(f"test accuracy {accuracy:.2%} on {len(data.test_images)} images; "
          f"training took {seconds:.1f} s ({seconds / presented * 1e6:.0f} µs per sample)")
    if args.save:
        net.save(args.save)
        print(f"model saved to {args.save}")
    if args.plot:
        from ffnn import plots

        plots.learning_curve(history, args.plot)
        print(f"learning curve drawn in {args.plot}")
    return 0


class _Progress:
    """A tqdm bar over the epochs when tqdm is installed, else one line per epoch."""

    def __init__(self, epochs: int) -> None:
        try:
            from tqdm import tqdm
        except ImportError:
            self.bar = None
        else:
            # Shown after the first half second only, so an early error stays one line.
            self.bar = tqdm(total=epochs, unit="epoch", desc="training", delay=0.5)

    def __enter__(self) -> _Progress:
        return self

    def epoch_done(self, epoch: int, history: dict) -> None:
        if self.bar is None:
            print(f"epoch {epoch}: mean squared error {history['loss'][-1]:.4f}", flush=True)
        else:
            self.bar.set_postfix(error=f"{history['loss'][-1]:.4f}")
            self.bar.update()

    def __exit__(self, error_type, *exc) -> None:
        if self.bar is not None:
            if error_type is None:
                self.bar.refresh()  # the finished bar, even if it finished before its delay
            self.bar.close()


def evaluate(args: argparse.Namespace) -> int:
    net = NeuralNetwork.load(args.model)
    data, source = _load_data(args)
    _check_inputs(net, data.test_images.shape[1], source)
    labels = data.test_labels
    if labels.max() >= net.onodes:
        raise ValueError(f"{source} has label {labels.max()}, but the network has {net.onodes} outputs")
    predicted = net.predict(data.test_images)
    matrix = np.zeros((net.onodes, net.onodes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    correct = int(np.trace(matrix))
    print(f"{net} from {args.model} on {len(labels)} test images from {source}")
    print(f"accuracy {correct / len(labels):.2%} ({correct} of {len(labels)})")
    per_class = np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)
    print("per class: " + "  ".join(f"{k}: {a:.1%}" for k, a in enumerate(per_class)))
    print("confusion matrix (rows: true label, columns: predicted):")
    width = max(len(str(matrix.max())), 2) + 1
    print(" " * 3 + "".join(f"{k:>{width}}" for k in range(net.onodes)))
    for k, row in enumerate(matrix):
        print(f"{k:>3}" + "".join(f"{count:>{width}}" for count in row))
    if args.plot:
        from ffnn import plots

        plots.confusion(matrix, args.plot)
        print(f"confusion matrix drawn in {args.plot}")
    return 0


def backquery(args: argparse.Namespace) -> int:
    from ffnn import plots

    net = NeuralNetwork.load(args.model)
    if args.all:
        labels = list(range(net.onodes))
        plots.grid([_backquery(net, k) for k in labels], [str(k) for k in labels], args.all)
        print(f"back-queried images of labels 0..{net.onodes - 1} drawn in {args.all}")
        return 0
    if not args.out:
        raise ValueError("--label needs --out IMAGE.png")
    if not 0 <= args.label < net.onodes:
        raise ValueError(f"--label must be in 0..{net.onodes - 1}, got {args.label}")
    plots.image(_backquery(net, args.label), args.out)
    print(f"back-queried image of label {args.label} drawn in {args.out}")
    return 0


def _backquery(net: NeuralNetwork, label: int) -> np.ndarray:
    return net.backquery(make_targets([label], net.onodes)[0])


def predict(args: argparse.Namespace) -> int:
    import os

    from ffnn import images
    from ffnn.datasets import scale_inputs

    images.require_pillow()
    if args.show:
        from ffnn import plots

        plots.require_matplotlib()
        if not os.path.isdir(args.show):
            raise FileNotFoundError(f"--show {args.show}: no such directory")
        if not os.access(args.show, os.W_OK | os.X_OK):
            raise PermissionError(f"--show {args.show}: the directory is not writable")
    net = NeuralNetwork.load(args.model)
    _check_inputs(net, images.SIDE * images.SIDE, "a 28 x 28 image")
    np.set_printoptions(precision=3, suppress=True)
    for path in args.images:
        seen = images.prepare_image(path, invert=args.invert)
        outputs = net.query(scale_inputs(seen, net.dtype))
        label = int(outputs.argmax())
        # The outputs are independent sigmoids, not probabilities: the
        # label's share of their sum says how clearly it stands out.
        print(f"{path}: {label}  outputs {outputs}  confidence {outputs[label] / outputs.sum():.0%}")
        if args.show:
            name = os.path.splitext(os.path.basename(path))[0]
            drawn = os.path.join(args.show, f"{name}.png")
            plots.prediction(images.read_gray(path), seen, outputs, drawn,
                             title=f"{os.path.basename(path)}: read as {label}")
            print(f"  drawn in {drawn}")
    return 0


def _check_inputs(net: NeuralNetwork, n_pixels: int, source: str) -> None:
    if net.inodes != n_pixels:
        raise ValueError(f"the network takes {net.inodes} inputs, but {source} has {n_pixels} pixels per image")


COMMANDS = {"train": train, "evaluate": evaluate, "backquery": backquery, "predict": predict}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["train", *argv]
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (OSError, ValueError, TypeError, ImportError, MemoryError, ArithmeticError) as exc:
        print(f"ffnn {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ffnn {args.command}: interrupted", file=sys.stderr)
        return 130
