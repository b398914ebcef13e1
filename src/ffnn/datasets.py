"""MNIST in the form the book uses: uint8 images (n, 784), integer labels.

`load_sample()` reads the stratified sample shipped inside the package;
`load_mnist(directory)` reads the four standard IDX files, gzip-compressed or
not. `scale_inputs` and `make_targets` turn them into the book's inputs and
targets.
"""
from __future__ import annotations

import gzip
import os
from importlib import resources
from typing import NamedTuple

import numpy as np

# Element types of the IDX format, by the type code in the magic number.
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class MNIST(NamedTuple):
    train_images: np.ndarray  # (n, 784) uint8
    train_labels: np.ndarray  # (n,) int64
    test_images: np.ndarray
    test_labels: np.ndarray


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """The array stored in the bytes of an IDX file."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{name}: not an IDX file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated header")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{name}: {len(data)} bytes, but its header promises {expected}")
    return np.frombuffer(data, dtype, offset=header).reshape(shape)


def read_idx(path) -> np.ndarray:
    """An IDX file (plain or .gz) as an array."""
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: cannot be read ({exc})") from exc
    return parse_idx(data, path)


def _find(directory, stem: str) -> str:
    for candidate in (stem + ".gz", stem):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{stem}(.gz) not found in {directory}")


def load_mnist(directory) -> MNIST:
    """The four MNIST IDX files of a directory: images (n, 784) uint8, labels int64."""
    arrays = {key: read_idx(_find(directory, stem)) for key, stem in MNIST_FILES.items()}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{directory}: {part} images {images.shape} do not match labels {labels.shape}"
            )
        arrays[f"{part}_images"] = images.reshape(len(images), -1)
        arrays[f"{part}_labels"] = labels.astype(np.int64)
    return MNIST(**arrays)


def load_sample() -> MNIST:
    """The MNIST sample shipped with ffnn: 6 000 training and 1 000 test images.

    A stratified draw from the full set (600 and 100 per digit), kept in the
    original order; tools/make_sample.py rebuilds it.
    """
    with resources.as_file(resources.files("ffnn") / "data") as directory:
        return load_mnist(directory)


def scale_inputs(images, dtype=np.float64) -> np.ndarray:
    """The book's inputs: pixels 0..255 mapped onto 0.01..1.00 (x / 255 * 0.99 + 0.01)."""
    dtype = np.dtype(dtype)
    x = np.asarray(images, dtype=dtype)
    return x / dtype.type(255.0) * dtype.type(0.99) + dtype.type(0.01)


def make_targets(labels, n_classes: int = 10, dtype=np.float64) -> np.ndarray:
    """The book's targets: 0.99 for the label's node, 0.01 for the others."""
    labels = np.asarray(labels)
    targets = np.full((len(labels), n_classes), 0.01, dtype=dtype)
    targets[np.arange(len(labels)), labels] = 0.99
    return targets
