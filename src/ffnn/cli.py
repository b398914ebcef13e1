"""The `ffnn` command (also `python -m ffnn`).

With no arguments it runs the book's experiment on the MNIST sample shipped
with the package: a 784-200-10 network, learning rate 0.1, trained one sample
at a time, then scored on the sample's test images.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from ffnn import __version__
from ffnn.datasets import load_mnist, load_sample, make_targets, scale_inputs
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
    inputs = scale_inputs(data.train_images, net.dtype)
    targets = make_targets(data.train_labels, 10, net.dtype)
    print(f"{net} on {len(inputs)} images from {source}")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        loss = sum(net.train(x, t) for x, t in zip(inputs, targets)) / len(inputs)
        print(f"epoch {epoch}: mean squared error {loss:.4f}")
    seconds = time.perf_counter() - start
    outputs = net.query(scale_inputs(data.test_images, net.dtype))
    accuracy = np.mean(outputs.argmax(axis=1) == data.test_labels)
    print(f"test accuracy {accuracy:.2%} on {len(outputs)} images; "
          f"training took {seconds:.1f} s ({seconds / (args.epochs * len(inputs)) * 1e6:.0f} µs per sample)")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["train", *argv]
    args = build_parser().parse_args(argv)
    if args.epochs < 1:
        build_parser().error("--epochs must be at least 1")
    return train(args)
