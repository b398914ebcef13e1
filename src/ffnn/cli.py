"""The `ffnn` command (also `python -m ffnn`).

With no arguments it runs the book's experiment on the MNIST sample shipped
with the package: a 784-200-10 network, learning rate 0.1, trained one sample
at a time, then scored on the sample's test images. Other commands evaluate
a saved network, draw what it imagines each digit looks like, and read your
own images.

Every file a command will write, and every optional extra it will need, is
checked before any data is read or any sample trained. Ctrl-C while `train
--save` trains saves the network as it was after its last completed sample.

Exit status: 0 on success; 2 for a usage error, found while reading the
command line (an unknown option, a missing argument, a value of the wrong
kind such as ``--epochs 0`` or ``--seed -1``); 1 for every other error (a
file missing, damaged or not writable, a network that does not fit the data,
a value the network refuses, a missing optional extra); 130 after Ctrl-C.
Each error is one line on stderr, ``ffnn COMMAND: error: ...``.
"""
from __future__ import annotations

import argparse
import math
import os
import secrets
import signal
import sys
import tempfile
import threading
import time

import numpy as np

from ffnn import __version__
from ffnn.datasets import MNIST, fetch_mnist, load_mnist, load_sample, make_targets
from ffnn.network import MAX_THREADS, NeuralNetwork

SAMPLE = "the MNIST sample shipped with ffnn"

# The errors a user can cause: bad files, bad values, a missing extra, too
# little memory, a network that diverges. Anything else is a bug in ffnn and
# keeps its traceback.
USER_ERRORS = (OSError, ValueError, ImportError, MemoryError, FloatingPointError)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _hidden_sizes(text: str) -> int | list[int]:
    sizes = [_positive_int(part) for part in text.split(",")]
    return sizes[0] if len(sizes) == 1 else sizes


def _positive_int(text: str) -> int:
    return _whole_number(text, 1)


def _non_negative_int(text: str) -> int:
    return _whole_number(text, 0)


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < least:
        raise argparse.ArgumentTypeError(f"must be a whole number >= {least}, got {text!r}")
    return value


def _thread_count(text: str) -> int:
    value = _whole_number(text, 1)
    if value > MAX_THREADS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_THREADS}, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = _real(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def _rotation(text: str) -> float:
    value = _real(text)
    if not abs(value) <= 180:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"must be an angle in degrees from -180 to 180, got {text!r}")
    return value


def _real(text: str) -> float:
    """float(text), or NaN, which every range check refuses."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ffnn", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"ffnn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help="train on MNIST and report test accuracy (default)",
                                description="Train a network on MNIST, then score it on the test images.")
    _data_options(train, "training and test images")
    train.add_argument("--hidden", type=_hidden_sizes, default=200, metavar="N[,N...]",
                       help="hidden layer size(s) (default: 200)")
    train.add_argument("--lr", type=_positive_float, default=0.1, help="learning rate (default: 0.1)")
    train.add_argument("--epochs", type=_positive_int, default=5, help="passes over the data (default: 5)")
    train.add_argument("--rotate", type=_rotation, default=0, metavar="DEGREES",
                       help="also train on each image rotated by +DEGREES and -DEGREES (book: 10)")
    train.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                       help="train in the data's own order every epoch, as the book does")
    train.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    train.add_argument("--engine", choices=["auto", "dense", "sparse"], default="auto",
                       help="how the first layer is trained: sparse touches only the ink pixels' weights, "
                            "dense all of them; the same results up to rounding (default: auto)")
    train.add_argument("--threads", type=_thread_count, default=1, metavar="N",
                       help="threads sharing each layer's work; the results do not depend on it (default: 1)")
    train.add_argument("--seed", type=_non_negative_int, default=None,
                       help="seed for the initial weights and order (default: a fresh one, printed)")
    train.add_argument("--save", metavar="MODEL.npz",
                       help="save the trained network (also when Ctrl-C stops the training)")
    train.add_argument("--plot", metavar="CURVE.png",
                       help="plot error and test accuracy per epoch (needs ffnn[plots])")

    evaluate = commands.add_parser("evaluate", help="accuracy and confusion matrix of a saved network",
                                   description="Score a saved network on the test images.")
    evaluate.add_argument("model", metavar="MODEL.npz")
    _data_options(evaluate, "test images (only the test files are read)")
    evaluate.add_argument("--plot", metavar="CONFUSION.png", help="draw the confusion matrix (needs ffnn[plots])")

    backquery = commands.add_parser("backquery", help="the image a saved network associates with a label",
                                    description="Run a saved network backwards from a label to an image "
                                                "(needs ffnn[plots]).")
    backquery.add_argument("model", metavar="MODEL.npz")
    which = backquery.add_mutually_exclusive_group(required=True)
    which.add_argument("--label", type=_non_negative_int, help="the label to back-query (with --out)")
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

    export = commands.add_parser("export", help="write a saved network as a C header or an ONNX model",
                                 description="Write a saved network as a self-contained C99 header (OUT.h) "
                                             "or as an ONNX model (OUT.onnx, needs ffnn[onnx]).")
    export.add_argument("model", metavar="MODEL.npz")
    export.add_argument("out", metavar="OUT.h|OUT.onnx")
    export.add_argument("--name", help="names in the C header: NAME_query, and NAME_N_INPUTS in capitals "
                                       "(default: OUT's file name, made a C identifier)")
    return parser


def _data_options(command: argparse.ArgumentParser, what: str) -> None:
    source = command.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="PATH",
                        help=f"the {what}: a directory of MNIST IDX files, the book's CSV files or "
                             "mnist.npz; or one such .npz or CSV file (default: the sample shipped with ffnn)")
    source.add_argument("--download", action="store_true",
                        help="download full MNIST into the user cache first (needs ffnn[download])")
    command.add_argument("--test", metavar="PATH",
                         help="score on these test images instead: a CSV file such as mnist_test.csv, "
                              "or a directory or .npz file holding the test files")


# ---- checks made before any work ------------------------------------------


def _check_model_file(path: str, option: str) -> None:
    if not path.lower().endswith(".npz"):
        raise ValueError(f"{option} {path}: a model file's name must end in .npz")
    _check_writable(path, option)


def _check_picture_file(path: str, option: str) -> None:
    backend_bases = _require("matplotlib.backend_bases", f"{option} needs matplotlib", "plots")
    formats = backend_bases.FigureCanvasBase.get_supported_filetypes()
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in formats:
        raise ValueError(f"{option} {path}: the name must end in one of "
                         f"{', '.join('.' + name for name in sorted(formats))}")
    _check_writable(path, option)


# The files each command writes, by option, with the check each needs; a new
# command lists its own here.
def _check_export_file(path: str, option: str) -> None:
    if not path.lower().endswith((".h", ".onnx")):
        raise ValueError(f"{option} {path}: must end in .h (a C header) or .onnx (an ONNX model)")
    if path.lower().endswith(".onnx"):
        _require("onnx", f"{option} {path} needs onnx", "onnx")
    _check_writable(path, option)


def _check_directory(path: str, option: str) -> None:
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{option} {path}: no such directory")
    _probe_directory(path, option, path)


# The files each command writes, by option (OUT: a positional argument), with
# the check each needs; a new command lists its own here.
OUTPUTS = {
    "train": {"--save": _check_model_file, "--plot": _check_picture_file},
    "evaluate": {"--plot": _check_picture_file},
    "backquery": {"--out": _check_picture_file, "--all": _check_picture_file},
    "predict": {"--show": _check_directory},
    "export": {"OUT": _check_export_file},
}


def check_outputs(args: argparse.Namespace) -> None:
    """Every output path and optional extra the options need, before any data is read."""
    for option, check in OUTPUTS.get(args.command, {}).items():
        path = getattr(args, option.removeprefix("--").replace("-", "_").lower())
        if path is not None:
            check(path, option)
    if getattr(args, "download", False):
        for module in ("pooch", "tqdm"):
            _require(module, "--download needs pooch and tqdm", "download")


def _check_writable(path: str, option: str) -> None:
    if os.path.isdir(path):
        raise ValueError(f"{option} {path}: is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{option} {path}: no such directory {os.path.dirname(path) or directory}")
    _probe_directory(directory, option, path)


def _probe_directory(directory: str, option: str, path: str) -> None:
    try:
        # A real file, gone when closed: the only test that also catches
        # read-only file systems and full quotas.
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise PermissionError(f"{option} {path}: cannot write in {directory} ({exc.strerror})") from None


def _require(module: str, need: str, extra: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{need}: pip install 'ffnn[{extra}]'") from None


# ---- data -------------------------------------------------------------------


def _load_data(args: argparse.Namespace) -> tuple[MNIST, str]:
    """Training and test sets from --data, --download or the sample; --test replaces the test set."""
    if args.download:
        data, source = fetch_mnist(), "MNIST (downloaded)"
    elif args.data and args.data.lower().endswith(".csv"):
        if not args.test:
            raise ValueError(f"--data {args.data} holds only training images; give the test images with --test")
        data, source = load_mnist(args.data, parts=["train"]), args.data
    elif args.data:
        data, source = load_mnist(args.data, parts=["train"] if args.test else ["train", "test"]), args.data
    else:
        data, source = load_sample(), SAMPLE
    if args.test:
        test = load_mnist(args.test, parts=["test"])
        data = data._replace(test_images=test.test_images, test_labels=test.test_labels)
    return data, source


def _load_test_images(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str]:
    """(images, labels, source) of the test set alone: evaluating never reads training files."""
    if args.test or args.data:
        source = args.test or args.data
        test = load_mnist(source, parts=["test"])
        return test.test_images, test.test_labels, source
    data, source = (fetch_mnist(), "MNIST (downloaded)") if args.download else (load_sample(), SAMPLE)
    return data.test_images, data.test_labels, source


def _check_fit(n_inputs: int, n_outputs: int, images: np.ndarray, labels: np.ndarray, source: str) -> None:
    """Images with the network's number of inputs, labels within its outputs."""
    if images.shape[1] != n_inputs:
        raise ValueError(f"the network takes {n_inputs} inputs, but {source} has {images.shape[1]} pixels per image")
    if len(labels) and labels.max() >= n_outputs:
        raise ValueError(f"{source} has label {labels.max()}, but the network has {n_outputs} outputs")


# ---- commands ---------------------------------------------------------------


def train(args: argparse.Namespace) -> int:
    data, source = _load_data(args)
    _check_fit(data.train_images.shape[1], 10, data.train_images, data.train_labels, source)
    _check_fit(data.train_images.shape[1], 10, data.test_images, data.test_labels, args.test or source)
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    net = NeuralNetwork(data.train_images.shape[1], args.hidden, 10, args.lr, dtype=args.dtype, seed=seed,
                        threads=args.threads)
    n = len(data.train_images)
    rotations = f", each also rotated by ±{args.rotate:g}°" if args.rotate else ""
    print(f"{net} on {n} images from {source}{rotations}", flush=True)
    if args.seed is None:
        print(f"seed {seed} (pass --seed {seed} to repeat)", flush=True)
    report = _EpochReport(args.epochs)
    start = time.perf_counter()
    try:
        history = net.fit(
            data.train_images, data.train_labels, args.epochs, shuffle=args.shuffle, seed=seed,
            callback=report, progress=report.progress, engine=args.engine,
            augment={"rotate": args.rotate} if args.rotate else None,
            validation=(data.test_images, data.test_labels) if args.plot else None,
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


class _EpochReport:
    """fit's callback: one line per epoch, above fit's progress bar when tqdm draws one."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        self.completed = 0
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.progress, self.write = False, print
        else:
            # fit draws the bar; the epoch lines are written above it.
            self.progress, self.write = True, tqdm.write

    def __call__(self, epoch: int, history: dict) -> None:
        self.completed = epoch
        errors = history["sum_squared_error"]
        line = f"epoch {epoch} of {self.epochs}: sum of squared errors per sample {errors[-1]:.4f}"
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
            where += f": not saved ({_one_line(exc)})"
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


def evaluate(args: argparse.Namespace) -> int:
    net = NeuralNetwork.load(args.model)
    images, labels, source = _load_test_images(args)
    _check_fit(net.inodes, net.onodes, images, labels, source)
    predicted = net.predict(images)
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
    if not args.label < net.onodes:
        raise ValueError(f"--label must be in 0..{net.onodes - 1}, got {args.label}")
    plots.image(_backquery(net, args.label), args.out, title=f"label {args.label}")
    print(f"back-queried image of label {args.label} drawn in {args.out}")
    return 0


def _backquery(net: NeuralNetwork, label: int) -> np.ndarray:
    return net.backquery(make_targets([label], net.onodes)[0])


def predict(args: argparse.Namespace) -> int:
    from ffnn import images

    images.require_pillow()
    if args.show:
        from ffnn import plots

        plots.require_matplotlib()
        drawings = _drawing_names(args.images, args.show)
    net = NeuralNetwork.load(args.model)
    _check_inputs(net, images.SIDE * images.SIDE, "a 28 x 28 image")
    np.set_printoptions(precision=3, suppress=True)
    for path in args.images:
        gray = images.read_gray(path)
        seen = images.prepare_gray(gray, invert=args.invert, name=path)
        outputs = net.query(seen)  # uint8 pixels: scaled the book's way by query

        label = int(outputs.argmax())
        # The outputs are independent sigmoids, not probabilities: the
        # label's share of their sum says how clearly it stands out.
        print(f"{path}: {label}  outputs {outputs}  confidence {outputs[label] / outputs.sum():.0%}")
        if args.show:
            drawn = drawings[path]
            plots.prediction(gray, seen, outputs, drawn,
                             title=f"{os.path.basename(path)}: read as {label}")
            print(f"  drawn in {drawn}")
    return 0


def _drawing_names(paths: list[str], directory: str) -> dict[str, str]:
    """DIR/<stem>.png for each picture; a stem seen before gets -2, -3, ... so none is drawn over."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        name, count = stem, 1
        while name in taken:
            count += 1
            name = f"{stem}-{count}"
        taken.add(name)
        names[path] = os.path.join(directory, f"{name}.png")
    return names


def _check_inputs(net: NeuralNetwork, n_pixels: int, source: str) -> None:
    if net.inodes != n_pixels:
        raise ValueError(f"the network takes {net.inodes} inputs, but {source} has {n_pixels} pixels per image")


def export_model(args: argparse.Namespace) -> int:
    from ffnn import export

    net = NeuralNetwork.load(args.model)
    kind = args.out.lower()
    if kind.endswith(".h"):
        name = export.to_c(net, args.out, args.name)
        print(f"{net} from {args.model} written to {args.out} as C: {name}_query(inputs, outputs)")
    elif kind.endswith(".onnx"):
        if args.name is not None:
            raise ValueError("--name names a C header's function; an ONNX model's are inputs and outputs")
        export.to_onnx(net, args.out)
        print(f"{net} from {args.model} written to {args.out} as ONNX (opset {export.ONNX_OPSET})")
    else:
        raise ValueError(f"OUT must end in .h (a C header) or .onnx (an ONNX model), got {args.out!r}")
    return 0


COMMANDS = {"train": train, "evaluate": evaluate, "backquery": backquery, "predict": predict,
            "export": export_model}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["train", *argv]
    args, unknown = build_parser().parse_known_args(argv)
    if unknown:  # reported as the command's, like its other usage errors
        _Parser(prog=f"ffnn {args.command}").error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "backquery" and (args.label is not None) != (args.out is not None):
        _Parser(prog="ffnn backquery").error(
            "--label needs --out IMAGE.png" if args.out is None else "--out goes with --label, not with --all")
    try:
        check_outputs(args)
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        # The reader of the output has gone (`ffnn evaluate ... | head`): no
        # one to tell, and Python's own flush at exit must not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except USER_ERRORS as exc:
        print(f"ffnn {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ffnn {args.command}: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.filename}: {exc.strerror}"  # e.g. from open(): "[Errno 13] ..." said plainly
    else:
        text = str(exc) or ("not enough memory" if isinstance(exc, MemoryError) else type(exc).__name__)
    return " ".join(text.splitlines())
