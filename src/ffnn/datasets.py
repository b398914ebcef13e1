"""MNIST in the form the book uses: uint8 images (n, 784), integer labels.

`load_sample()` reads the stratified sample shipped inside the package;
`load_mnist(path)` reads a full set, or only its training or test part, from
disk in any of the common layouts:
the four IDX files (gzip-compressed or not; any dataset in the same layout,
such as Fashion-MNIST, loads the same way), the book's CSV files, or a
keras-style ``mnist.npz``. `fetch_mnist()` downloads it. `scale_inputs` and
`make_targets` turn images and labels into the book's inputs and targets.
"""
from __future__ import annotations

import gzip
import math
import os
import zipfile
import zlib
from importlib import resources
from typing import Any, NamedTuple, cast

import numpy as np
from numpy.typing import DTypeLike

from ffnn import _checks, _core
from ffnn.fetch import MIRRORS, download_mnist
from ffnn.serialize import ZIP_ERRORS, ModelFileError, NpzMembers, file_path, read_at_most

# Element types of the IDX format, by the type code in the magic number.
_IDX_TYPES: dict[int, DTypeLike] = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

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
    shape, dtype, header = _idx_layout(data, name)
    count = math.prod(shape)
    expected = header + count * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{name}: {len(data)} bytes, but its header promises {expected}")
    return np.frombuffer(data, dtype, count=count, offset=header).reshape(shape)


def _idx_layout(data: bytes, name: str) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, header bytes) from the start of an IDX file: its magic number and dimensions."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{name}: not an IDX file (bad magic number)")
    header = 4 + 4 * data[3]
    if len(data) < header:
        raise ValueError(f"{name}: truncated header")
    # Python ints: a hostile header cannot overflow a size computed from them.
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", data[3], offset=4))
    return shape, np.dtype(_IDX_TYPES[data[2]]), header


def read_idx(path) -> np.ndarray:
    """An IDX file (plain or .gz) as an array.

    The header is read first and then exactly the bytes it promises, so
    memory is bounded by the header's size (never by a hostile stream's);
    a file that ends early, or goes on past them, is refused.
    """
    path = file_path(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            start = f.read(4)
            start += f.read(4 * start[3]) if len(start) == 4 else b""
            shape, dtype, header = _idx_layout(start, path)
            size = math.prod(shape) * dtype.itemsize
            data = read_at_most(f, size)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: cannot be read ({exc})") from None
    if len(data) < size:
        raise ValueError(f"{path}: truncated: {header + len(data)} bytes, but its header promises {header + size}")
    if len(data) > size:
        raise ValueError(f"{path}: more data than its header declares ({header + size} bytes)")
    # A copy in NumPy's own memory, which the system backs with huge pages
    # where it can: training visits the images in random order, and on the
    # small pages of a bytes object nearly every image costs a TLB miss.
    return np.frombuffer(data, dtype, count=math.prod(shape)).reshape(shape).copy()


# The book's CSV files: the full set, and its small excerpts.
CSV_FILES = (("mnist_train.csv", "mnist_test.csv"), ("mnist_train_100.csv", "mnist_test_10.csv"))
NPZ_FILE = "mnist.npz"
PARTS = ("train", "test")


def load_mnist(path, parts=PARTS) -> MNIST:
    """A dataset in the MNIST layout: images (n, pixels) uint8, labels int64.

    ``path`` is a keras-style ``.npz`` file (``x_train``, ``y_train``,
    ``x_test``, ``y_test``), one of the book's CSV files, or a directory
    holding, in this order of preference, the IDX files
    (``train-images-idx3-ubyte[.gz]``, ...), the book's ``mnist_train.csv``
    and ``mnist_test.csv`` (or its ``mnist_train_100.csv`` and
    ``mnist_test_10.csv``), or ``mnist.npz``.

    ``parts`` says which of ``"train"`` and ``"test"`` to read (default
    both); the fields of a part not read are None, and a directory need
    hold only the files of the parts asked for (``load_mnist(d, ["test"])``
    reads the two ``t10k`` files alone). A CSV file holds a single part, so
    it needs ``parts=["train"]`` or ``parts=["test"]`` to say which.
    """
    path = file_path(path)
    parts = _parts(parts)
    if os.path.isdir(path):
        arrays = _read_directory(path, parts)
    elif os.path.isfile(path):
        arrays = _read_file(path, parts)
    elif os.path.exists(path):
        raise ValueError(f"{path}: not a regular file or a directory")
    else:
        raise FileNotFoundError(f"{path}: no such file or directory")
    # The fields of a part not read are None.
    return MNIST(**{field: cast(Any, arrays.get(field)) for field in MNIST._fields})


def _parts(parts) -> tuple[str, ...]:
    chosen = (parts,) if isinstance(parts, str) else tuple(parts)
    if not chosen or any(part not in PARTS for part in chosen):
        raise ValueError(f"parts must name one or both of {list(PARTS)}, got {parts!r}")
    return tuple(part for part in PARTS if part in chosen)


def _read_file(path: str, parts: tuple[str, ...]) -> dict:
    if path.lower().endswith(".csv"):
        if len(parts) != 1:
            raise ValueError(
                f"{path}: a CSV file holds one part of a dataset; say which with parts=['train'] or "
                f"parts=['test'], or give the directory holding {' and '.join(CSV_FILES[0])}"
            )
        return _from_csv(path, parts[0])
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path}: neither a keras-style .npz (a zip archive) nor a .csv file of the book's")
    return _checked(read_npz(path, parts), path, parts)


def _read_directory(path: str, parts: tuple[str, ...]) -> dict:
    wanted = {key: stem for key, stem in MNIST_FILES.items() if key.split("_")[0] in parts}
    if all(_exists(path, stem) for stem in wanted.values()):
        arrays = {}
        for key, stem in wanted.items():
            arrays[key] = read_idx(_exists(path, stem))
            if arrays[key].ndim == 0:
                raise ValueError(f"{_exists(path, stem)}: its header declares a 0-d array (no dimensions), "
                                 f"not one {key.split('_')[1][:-1]} per row")
            if len(arrays[key]) == 0:
                raise ValueError(f"{_exists(path, stem)}: holds no {key.split('_')[1]} (shape {arrays[key].shape})")
        return _checked(arrays, path, parts)
    for names in CSV_FILES:
        files = dict(zip(PARTS, (os.path.join(path, name) for name in names)))
        if all(os.path.isfile(files[part]) for part in parts):
            return {key: value for part in parts for key, value in _from_csv(files[part], part).items()}
    if os.path.isfile(os.path.join(path, NPZ_FILE)):
        return _read_file(os.path.join(path, NPZ_FILE), parts)
    expected = ", ".join(stem + "[.gz]" for stem in wanted.values())
    csv = " and ".join(name for part, name in zip(PARTS, CSV_FILES[0]) if part in parts)
    raise FileNotFoundError(f"{path}: no MNIST files found (expected {expected}; or {csv}; or {NPZ_FILE})")


def _from_csv(path: str, part: str) -> dict:
    images, labels = read_csv(path)
    return {f"{part}_images": images, f"{part}_labels": labels}


def _exists(directory: str, stem: str) -> str | None:
    for candidate in (stem + ".gz", stem):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    return None


def _checked(arrays: dict, source: str, parts: tuple[str, ...]) -> dict:
    """Images flattened to (n, pixels), labels int64, after checking they fit together."""
    for part in parts:
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.dtype != np.uint8 or images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{source}: {part} images {images.dtype}{list(images.shape)} do not match "
                f"labels {labels.dtype}{list(labels.shape)} (expected uint8 (n, rows, cols) and (n,))"
            )
        if len(images) == 0:
            raise ValueError(f"{source}: the {part} set holds no images")
        if images[0].size == 0:
            raise ValueError(f"{source}: the {part} images have no pixels (shape {list(images.shape)})")
        if labels.dtype.kind not in "iu" or labels.min() < 0:
            raise ValueError(f"{source}: {part} labels must be non-negative integers")
        arrays[f"{part}_images"] = images.reshape(len(images), -1)
        arrays[f"{part}_labels"] = labels.astype(np.int64)
    return arrays


# The book's CSV lines: a label, then the 784 pixels of a 28 x 28 image.
_CSV_VALUES = 785
# Lines parsed at a time: the wide integers of a chunk are a few megabytes.
_CSV_CHUNK = 1024


def read_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """The book's CSV format: one image per line, its label then 784 pixel values 0..255.

    Values are parsed as wide integers and range-checked here, not by the
    parser (NumPy before 2.3 wraps 256 to 0 in uint8), so the result does
    not depend on the NumPy version; ValueError names the file and line.
    """
    path = file_path(path)
    try:
        with open(path, encoding="latin-1") as f:
            lines = [(number, line) for number, line in enumerate(f, start=1) if line.strip()]
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc})") from None
    if not lines:
        raise ValueError(f"{path}: no lines of label and pixel values")
    for number, line in lines:
        if line.count(",") != _CSV_VALUES - 1:
            raise ValueError(
                f"{path}: line {number}: expected a label and {_CSV_VALUES - 1} pixel values, "
                f"got {line.count(',')} values after the label"
            )
    images = np.empty((len(lines), _CSV_VALUES - 1), dtype=np.uint8)
    labels = np.empty(len(lines), dtype=np.int64)
    for start in range(0, len(lines), _CSV_CHUNK):
        chunk = lines[start:start + _CSV_CHUNK]
        rows = _csv_integers(path, chunk)
        bad = (rows[:, 0] < 0) | ((rows[:, 1:] < 0) | (rows[:, 1:] > 255)).any(axis=1)
        if bad.any():
            row = int(bad.argmax())
            value = rows[row, 0] if rows[row, 0] < 0 else rows[row, 1:][(rows[row, 1:] < 0) | (rows[row, 1:] > 255)][0]
            raise ValueError(
                f"{path}: line {chunk[row][0]}: value {value} is out of range "
                "(labels are non-negative, pixels 0..255)"
            )
        images[start:start + len(chunk)] = rows[:, 1:]
        labels[start:start + len(chunk)] = rows[:, 0]
    return images, labels


def _csv_integers(path: str, chunk: list[tuple[int, str]]) -> np.ndarray:
    """The integers of some CSV lines; ValueError naming the first line that holds anything else."""
    try:
        return np.loadtxt([line for _, line in chunk], delimiter=",", dtype=np.int64, ndmin=2, comments=None)
    except (ValueError, TypeError, OverflowError):
        pass
    for number, line in chunk:  # find the line to blame
        for value in line.split(","):
            try:
                int(value)
            except ValueError:
                raise ValueError(f"{path}: line {number}: {value.strip()!r} is not an integer") from None
    raise ValueError(f"{path}: lines {chunk[0][0]}..{chunk[-1][0]}: not integers that fit in 64 bits")


# Zip methods a keras-style .npz may use: stored, deflate, bzip2, lzma.
_NPZ_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def read_npz(path, parts=PARTS) -> dict:
    """The arrays of a keras-style mnist.npz (no pickled objects allowed).

    ``parts`` (``"train"``, ``"test"`` or both, the default) says which
    pairs to read, and so which the archive must hold. Every size the
    archive declares is checked against the file before anything is
    allocated (see ffnn.serialize.NpzMembers).
    """
    path = file_path(path)
    keys = {"train_images": "x_train", "train_labels": "y_train", "test_images": "x_test", "test_labels": "y_test"}
    keys = {name: key for name, key in keys.items() if name.split("_")[0] in _parts(parts)}
    try:
        with open(path, "rb") as f, zipfile.ZipFile(f) as archive:
            members = NpzMembers(archive, os.fstat(f.fileno()).st_size, _NPZ_METHODS)
            missing = [k for k in keys.values() if k not in members]
            if missing:
                raise ModelFileError(f"missing arrays {missing}, found {sorted(members)}")
            return {name: members.read(key) for name, key in keys.items()}
    except (ModelFileError, *ZIP_ERRORS) as exc:
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
    x = np.array(x, dtype=dtype, order="C")
    flat = x.reshape(-1)
    _core.scale_pixels(flat, flat)  # the one definition, which fit and query use on uint8 too
    return x


def make_targets(labels, n_classes: int = 10, dtype=np.float64) -> np.ndarray:
    """The book's targets: 0.99 for the label's node, 0.01 for the others."""
    n_classes = _checks.node_count(n_classes, "n_classes")
    labels = _checks.label_values(labels, None, "labels")
    targets = np.empty((len(labels), n_classes), dtype=_checks.float_dtype(dtype))
    _core.one_hot(labels, targets, "labels")  # as fit builds them from labels, in C
    return targets


def fetch_mnist(directory=None, *, mirrors=MIRRORS, checksums=None, progress: bool = True) -> MNIST:
    """Download the MNIST files not yet in ``directory`` and load them (``load_mnist``).

    ``directory`` (str, bytes or os.PathLike) defaults to ``ffnn.fetch.default_directory()``.
    Each file of ``checksums`` (file name → SHA-256 of its decompressed content;
    default ``ffnn.fetch.MNIST_SHA256``) is taken from the first of ``mirrors`` (base
    URLs) that delivers the right content. Files already present with the right
    content are not downloaded again. Raises ``ffnn.fetch.DownloadError`` when a file
    cannot be had, with a message saying how to place the files by hand.
    """
    return load_mnist(download_mnist(directory, mirrors=mirrors, checksums=checksums, progress=progress))
