"""The ffnn model file: a NeuralNetwork in a NumPy ``.npz`` archive.

Members (each a plain ``.npy`` array, stored uncompressed, never pickled):

- ``format``: the string ``"ffnn-network"``; ``version``: the integer 1
- ``sizes``: node counts of every layer, input first (int64)
- ``dtype``: ``"float32"`` or ``"float64"``; ``learning_rate``: float64
- ``rule``: ``"book"``, ``"mse"`` or ``"cross_entropy"``; ``hidden_is_list``: bool
- ``weights_0`` .. ``weights_{L-1}``: the weight matrices, input side first

Saving writes a temporary file in the target's directory, flushes it to disk
and renames it over the target, so an interrupted save leaves any previous
file whole. Loading reads every array header before any data and checks it
against ``sizes``, so a damaged or hostile file is refused with a ValueError
before it can make ffnn allocate more than the file's own size.
"""
from __future__ import annotations

import os
import tempfile
import zipfile

import numpy as np

FORMAT = "ffnn-network"
VERSION = 1
MAX_LAYERS = 1000
_SCALARS = ("format", "version", "dtype", "learning_rate", "rule", "hidden_is_list")


def save(state: dict, path) -> None:
    """Write a network state (``NeuralNetwork.__getstate__()``) to ``path`` atomically."""
    path = os.fspath(path)
    arrays = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION, dtype=np.int64),
        "sizes": np.array(
            [state["weights"][0].shape[1]] + [w.shape[0] for w in state["weights"]], dtype=np.int64
        ),
        "dtype": np.array(state["dtype"]),
        "learning_rate": np.array(state["learning_rate"], dtype=np.float64),
        "rule": np.array(state["rule"]),
        "hidden_is_list": np.array(state["hidden_is_list"]),
    }
    arrays.update({f"weights_{k}": w for k, w in enumerate(state["weights"])})
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    _sync_directory(directory)


def load(path) -> dict:
    """The network state stored in ``path``; ValueError naming the problem otherwise."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_state(archive)
    except ModelFileError as exc:
        raise ValueError(f"{path}: {exc}") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable ffnn model file ({exc})") from None


class ModelFileError(Exception):
    """A model file that is readable but not a valid ffnn network."""


def _read_state(archive: zipfile.ZipFile) -> dict:
    members = {name.removesuffix(".npy"): name for name in archive.namelist()}
    if "format" not in members or _string(archive, members, "format") != FORMAT:
        raise ModelFileError("not an ffnn model file (no 'format' member saying ffnn-network)")
    version = _scalar(archive, members, "version", "i")
    if version != VERSION:
        raise ModelFileError(f"format version {version} is not supported (this ffnn reads version {VERSION})")
    sizes = _array(archive, members, "sizes", None, "i")
    if sizes.ndim != 1 or not 2 <= len(sizes) <= MAX_LAYERS + 1 or (sizes < 1).any():
        raise ModelFileError(f"'sizes' must list 2 to {MAX_LAYERS + 1} positive node counts, got {sizes}")
    dtype = _string(archive, members, "dtype")
    if dtype not in ("float32", "float64"):
        raise ModelFileError(f"dtype must be float32 or float64, got {dtype!r}")
    weights = [
        _array(archive, members, f"weights_{k}", (int(sizes[k + 1]), int(sizes[k])), "f", np.dtype(dtype))
        for k in range(len(sizes) - 1)
    ]
    for k, w in enumerate(weights):
        if not np.isfinite(w).all():
            raise ModelFileError(f"member 'weights_{k}' holds NaN or infinite values")
    extra = set(members) - set(_SCALARS) - {"sizes"} - {f"weights_{k}" for k in range(len(weights))}
    if extra:
        raise ModelFileError(f"unexpected members {sorted(extra)}")
    hidden_is_list = bool(_scalar(archive, members, "hidden_is_list", "b"))
    if not hidden_is_list and len(sizes) != 3:
        raise ModelFileError(f"a single hidden layer is declared, but 'sizes' lists {len(sizes) - 2}")
    return {
        "learning_rate": _scalar(archive, members, "learning_rate", "f"),
        "rule": _string(archive, members, "rule"),
        "dtype": dtype,
        "hidden_is_list": hidden_is_list,
        "weights": weights,
    }


def _array(archive, members, name, shape, kinds, dtype=None) -> np.ndarray:
    """Member `name`, after its header shows the expected shape and type."""
    if name not in members:
        raise ModelFileError(f"missing member {name!r}")
    info = archive.getinfo(members[name])
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        read_header = (
            np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        )
        declared_shape, _, declared_dtype = read_header(f)
        header_bytes = f.tell()
    if declared_dtype.hasobject or declared_dtype.kind not in kinds:
        raise ModelFileError(f"member {name!r} holds {declared_dtype}, expected kind {kinds!r}")
    if dtype is not None and declared_dtype != dtype:
        raise ModelFileError(f"member {name!r} holds {declared_dtype}, but the model's dtype is {dtype}")
    if shape is not None and declared_shape != shape:
        raise ModelFileError(f"member {name!r} has shape {declared_shape}, expected {shape}")
    data_bytes = int(np.prod(declared_shape, dtype=np.float64)) * declared_dtype.itemsize
    # Stored members of the declared size only: what is read can never exceed
    # the bytes actually present in the file.
    if info.compress_type != zipfile.ZIP_STORED or info.file_size != header_bytes + data_bytes:
        raise ModelFileError(f"member {name!r} is compressed, truncated or padded")
    with archive.open(info) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def _scalar(archive, members, name, kinds):
    return _array(archive, members, name, (), kinds).item()


def _string(archive, members, name) -> str:
    return str(_scalar(archive, members, name, "U"))


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
