"""MNIST in the form the book uses: uint8 images (n, 784), integer labels.

`load_sample()` reads the stratified sample shipped inside the package;
`load_mnist(path)` reads a full set from disk in any of the common layouts:
the four IDX files (gzip-compressed or not; any dataset in the same layout,
such as Fashion-MNIST, loads the same way), the book's CSV files, or a
keras-style ``mnist.npz``. `fetch_mnist()` downloads it. `scale_inputs` and
`make_targets` turn images and labels into the book's inputs and targets.
"""
from __future__ import annotations

import gzip
import math
import os
import warnings
import zipfile
import zlib
from importlib import resources
from typing import NamedTuple

import numpy as np

from ffnn import _checks
from ffnn.fetch import fetch_mnist  # noqa: F401  (part of this module's API)

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
    # Python ints: a hostile header cannot overflow the size computation.
    expected = header + math.prod(shape) * dtype.itemsize
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
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: cannot be read ({exc})") from exc
    return parse_idx(data, path)


# The book's CSV files: the full set, and its small excerpts.
CSV_FILES = (("mnist_train.csv", "mnist_test.csv"), ("mnist_train_100.csv", "mnist_test_10.csv"))
NPZ_FILE = "mnist.npz"


def load_mnist(path) -> MNIST:
    """A dataset in the MNIST layout: images (n, pixels) uint8, labels int64.

    ``path`` is a keras-style ``.npz`` file (``x_train``, ``y_train``,
    ``x_test``, ``y_test``) or a directory holding, in this order of
    preference, the four IDX files (``train-images-idx3-ubyte[.gz]``, ...),
    the book's ``mnist_train.csv`` and ``mnist_test.csv`` (or its
    ``mnist_train_100.csv`` and ``mnist_test_10.csv``), or ``mnist.npz``.
    """
    path = os.fspath(path)
    if os.path.isfile(path):
        return _checked(read_npz(path), path)
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{path}: no such file or directory")
    if all(_exists(path, stem) for stem in MNIST_FILES.values()):
        return _checked({key: read_idx(_exists(path, stem)) for key, stem in MNIST_FILES.items()}, path)
    for train, test in CSV_FILES:
        if os.path.isfile(os.path.join(path, train)) and os.path.isfile(os.path.join(path, test)):
            train_images, train_labels = read_csv(os.path.join(path, train))
            test_images, test_labels = read_csv(os.path.join(path, test))
            return MNIST(train_images, train_labels, test_images, test_labels)
    if os.path.isfile(os.path.join(path, NPZ_FILE)):
        return load_mnist(os.path.join(path, NPZ_FILE))
    expected = ", ".join(stem + "[.gz]" for stem in MNIST_FILES.values())
    raise FileNotFoundError(
        f"{path}: no MNIST files found (expected {expected}; or {' and '.join(CSV_FILES[0])}; or {NPZ_FILE})"
    )


def _exists(directory: str, stem: str) -> str | None:
    for candidate in (stem + ".gz", stem):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    return None


def _checked(arrays: dict, source: str) -> MNIST:
    """Images flattened to (n, pixels), labels int64, after checking they fit together."""
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.dtype != np.uint8 or images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{source}: {part} images {images.dtype}{list(images.shape)} do not match "
                f"labels {labels.dtype}{list(labels.shape)} (expected uint8 (n, rows, cols) and (n,))"
            )
        if labels.dtype.kind not in "iu" or (len(labels) and labels.min() < 0):
            raise ValueError(f"{source}: {part} labels must be non-negative integers")
        arrays[f"{part}_images"] = images.reshape(len(images), -1)
        arrays[f"{part}_labels"] = labels.astype(np.int64)
    return MNIST(**arrays)


def read_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """The book's CSV format: one image per line, its label then 784 pixel values 0..255."""
    path = os.fspath(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file is reported below, not warned about
            # uint8 throughout: a value outside 0..255 is refused by the parser itself.
            rows = np.loadtxt(path, delimiter=",", dtype=np.uint8, ndmin=2)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a CSV file of label and pixel values 0..255 ({exc})") from None
    if rows.size == 0:
        raise ValueError(f"{path}: no lines of label and pixel values")
    if rows.shape[1] != 785:
        raise ValueError(f"{path}: expected lines of a label and 784 pixel values, got {rows.shape[1] - 1} values")
    return np.ascontiguousarray(rows[:, 1:]), rows[:, 0].astype(np.int64)


def read_npz(path) -> dict:
    """The four arrays of a keras-style mnist.npz (no pickled objects allowed)."""
    keys = {"train_images": "x_train", "train_labels": "y_train", "test_images": "x_test", "test_labels": "y_test"}
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in keys.values() if k not in archive.files]
            if missing:
                raise ValueError(f"missing arrays {missing}, found {archive.files}")
            return {name: archive[key] for name, key in keys.items()}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: not a keras-style mnist.npz ({exc})") from None


def load_sample() -> MNIST:
    """The MNIST sample shipped with ffnn: 6 000 training and 1 000 test images.

    A stratified draw from the full set (600 and 100 per digit), kept in the
    original order; tools/make_sample.py rebuilds it.
    """
    with resources.as_file(resources.files("ffnn") / "data") as directory:
        return load_mnist(directory)


def scale_inputs(images, dtype=np.float64) -> np.ndarray:
    """The book's inputs: pixels 0..255 mapped onto 0.01..1.00 (x / 255 * 0.99 + 0.01)."""
    dtype = _checks.float_dtype(dtype)
    x = np.asarray(images)
    if x.dtype.kind not in _checks.REAL_KINDS:
        raise TypeError(f"images must hold real numbers, not {x.dtype}")
    x = x.astype(dtype)
    return x / dtype.type(255.0) * dtype.type(0.99) + dtype.type(0.01)


def make_targets(labels, n_classes: int = 10, dtype=np.float64) -> np.ndarray:
    """The book's targets: 0.99 for the label's node, 0.01 for the others."""
    n_classes = _checks.node_count(n_classes, "n_classes")
    labels = _checks.labels(labels, None, n_classes, "labels")
    targets = np.full((len(labels), n_classes), 0.01, dtype=_checks.float_dtype(dtype))
    targets[np.arange(len(labels)), labels] = 0.99
    return targets
