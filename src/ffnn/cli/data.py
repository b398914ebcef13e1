"""The images a command reads: --data, --download or the sample, and --test."""
from __future__ import annotations

import argparse

import numpy as np

from ffnn.datasets import MNIST, fetch_mnist, load_mnist, load_sample

SAMPLE = "the MNIST sample shipped with ffnn"


def load_data(args: argparse.Namespace) -> tuple[MNIST, str]:
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


def load_test_images(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str]:
    """(images, labels, source) of the test set alone: evaluating never reads training files."""
    if args.test or args.data:
        source = args.test or args.data
        test = load_mnist(source, parts=["test"])
        return test.test_images, test.test_labels, source
    data, source = (fetch_mnist(), "MNIST (downloaded)") if args.download else (load_sample(), SAMPLE)
    return data.test_images, data.test_labels, source


def check_fit(n_inputs: int, n_outputs: int, images: np.ndarray, labels: np.ndarray, source: str) -> None:
    """Images with the network's number of inputs, labels within its outputs."""
    if images.shape[1] != n_inputs:
        raise ValueError(f"the network takes {n_inputs} inputs, but {source} has {images.shape[1]} pixels per image")
    if len(labels) and labels.max() >= n_outputs:
        raise ValueError(f"{source} has label {labels.max()}, but the network has {n_outputs} outputs")
