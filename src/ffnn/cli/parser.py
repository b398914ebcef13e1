"""The command line: the parser of every command and the converters of its values."""
from __future__ import annotations

import argparse
import math

from ffnn import __version__
from ffnn.network import MAX_THREADS

DESCRIPTION = "The `ffnn` command (also `python -m ffnn`)."


class Parser(argparse.ArgumentParser):
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
    parser = Parser(prog="ffnn", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"ffnn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help="train on MNIST and report test accuracy (default)",
                                description="Train a network on MNIST, then score it on the test images.")
    _data_options(train, "training and test images")
    train.add_argument("--hidden", type=_hidden_sizes, default=200, metavar="N[,N...]",
                       help="hidden layer size(s) (default: 200)")
    train.add_argument("--lr", type=_positive_float, default=0.1, help="learning rate (default: 0.1)")
    train.add_argument("--epochs", type=_positive_int, default=None,
                       help="passes over the data (default: 5, or the recipe's)")
    train.add_argument("--recipe", choices=["book", "best"], default="book",
                       help="book: the book's training (default); best: the same 200 sigmoid hidden nodes "
                            "trained to about 99 %% (cross-entropy, a shrinking learning rate, 150 epochs of "
                            "freshly distorted images, bias nodes; see docs/beyond.md)")
    train.add_argument("--rotate", type=_rotation, default=0, metavar="DEGREES",
                       help="also train on each image rotated by +DEGREES and -DEGREES (book: 10)")
    train.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                       help="train in the data's own order every epoch, as the book does")
    train.add_argument("--dtype", choices=["float32", "float64"], default=None,
                       help="the network's numbers (default: float64, as the book's NumPy; "
                            "a recipe's own, float32 for --recipe best)")
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

    export = commands.add_parser("export", help="write a saved network as a C header, an ONNX model or a "
                                                "page to draw digits on",
                                 description="Write a saved network as a self-contained C99 header (OUT.h), "
                                             "as an ONNX model (OUT.onnx, needs ffnn[onnx]) or as a page that "
                                             "runs it in the browser: draw a digit, see it read, teach it "
                                             "(OUT.html).")
    export.add_argument("model", metavar="MODEL.npz")
    export.add_argument("out", metavar="OUT.h|OUT.onnx|OUT.html")
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
