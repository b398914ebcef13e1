"""The `ffnn` command (also `python -m ffnn`).

With no arguments it runs the book's experiment on the MNIST sample shipped
with the package: a 784-200-10 network, learning rate 0.1, trained one sample
at a time, then scored on the sample's test images.
"""
from __future__ import annotations

import argparse
import sys
import time

from ffnn import __version__
from ffnn.datasets import load_mnist, load_sample
from ffnn.network import NeuralNetwork


def _hidden_sizes(text: str) -> int | list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a layer size or comma-separated list: {text!r}")
    return sizes[0] if len(sizes) == 1 else sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ffnn", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"ffnn {__version__}")
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser("train", help="train on MNIST and report test accuracy (default)")
    train.add_argument("--data", metavar="DIR", help="directory with the four MNIST IDX files "
                       "(default: the sample shipped with ffnn)")
    train.add_argument("--hidden", type=_hidden_sizes, default=200, metavar="N[,N...]",
                       help="hidden layer size(s) (default: 200)")
    train.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    train.add_argument("--epochs", type=int, default=5, help="passes over the data (default: 5)")
    train.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    train.add_argument("--seed", type=int, default=None, help="seed for the initial weights")
    return parser


def train(args: argparse.Namespace) -> int:
    data = load_mnist(args.data) if args.data else load_sample()
    source = args.data or "the MNIST sample shipped with ffnn"
    net = NeuralNetwork(784, args.hidden, 10, args.lr, dtype=args.dtype, seed=args.seed)
    n = len(data.train_images)
    print(f"{net} on {n} images from {source}")
    start = time.perf_counter()
    net.fit(
        data.train_images, data.train_labels, args.epochs, seed=args.seed,
        callback=lambda epoch, history: print(
            f"epoch {epoch}: mean squared error {history['loss'][-1]:.4f}", flush=True
        ),
    )
    seconds = time.perf_counter() - start
    accuracy = net.score(data.test_images, data.test_labels)
    print(f"test accuracy {accuracy:.2%} on {len(data.test_images)} images; "
          f"training took {seconds:.1f} s ({seconds / (args.epochs * n) * 1e6:.0f} µs per sample)")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["train", *argv]
    args = build_parser().parse_args(argv)
    if args.epochs < 1:
        build_parser().error("--epochs must be at least 1")
    return train(args)
