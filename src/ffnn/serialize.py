"""The ffnn model file: a NeuralNetwork in a NumPy ``.npz`` archive.

Members (each a plain ``.npy`` array, stored uncompressed, never pickled):

- ``format``: the string ``"ffnn-network"``; ``version``: the integer 1
- ``sizes``: node counts of every layer, input first (int64)
- ``dtype``: ``"float32"`` or ``"float64"``; ``learning_rate``: float64
- ``rule``: ``"book"``, ``"mse"`` or ``"cross_entropy"``; ``hidden_is_list``: bool
- ``weights_0`` .. ``weights_{L-1}``: the weight matrices, input side first
- only for a network with bias nodes: ``bias``, the bool True, and
  ``biases_0`` .. ``biases_{L-1}``, the bias vectors (``sizes[k + 1]`` values
  each). A network without them is saved exactly as before bias nodes
  existed, so any ffnn reads it; an ffnn that predates them refuses a file
  with them ("unexpected members") rather than misreading it, so the
  version stays 1.

Saving goes through ``ffnn._atomic.write_atomically``: a temporary file in
the target's directory, flushed to disk and renamed over the target, so an
interrupted save leaves any previous file whole. A symbolic link is followed
(the file it points to is replaced, the link kept); a target that exists and
is not a regular file (a FIFO, a device, a directory) is refused. A replaced
file keeps its permissions; a new one gets those of any new file (0666 less
the umask). Weights that are NaN or infinite are refused before anything is
written. The temporary file is named ``.<target name>.<pid>.<random>.tmp``;
one left behind by a save that was killed is deleted by the next save of the
same target, once no process with its pid runs.

Loading reads every array header before any data and checks it against
``sizes``, the member's entry in the archive and the file's real size, so a
damaged or hostile file is refused with a ValueError naming it before it can
make ffnn allocate more than the file's own size.
"""
from __future__ import annotations

import math
import os
import stat
import struct
import zipfile
from typing import Any

import numpy as np

from ffnn._atomic import file_kind, file_path, write_atomically  # noqa: F401  (part of this module's API)

FORMAT = "ffnn-network"
VERSION = 1
# The most weight matrices (hidden layers + 1) a network, and so a model file,
# may have. It bounds how many members a file makes load() read; a network
# refuses at construction what load() would refuse.
MAX_LAYERS = 1000
_SCALARS = ("format", "version", "dtype", "learning_rate", "rule", "hidden_is_list")


def save(state: dict, path) -> None:
    """Write a network state (``NeuralNetwork.__getstate__()``) to ``path`` atomically.

    ValueError, with nothing written, if the weights are not all finite, the
    network has more than MAX_LAYERS weight matrices, or ``path`` exists and
    is not a regular file.
    """
    path = file_path(path)
    weights = state["weights"]
    if len(weights) > MAX_LAYERS:
        raise ValueError(f"{path}: {len(weights)} weight matrices, more than a model file holds ({MAX_LAYERS}); not saved")
    biases = state.get("biases")
    refuse_non_finite(path, weights, biases, "not saved, the file is unchanged")
    arrays: dict[str, Any] = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION, dtype=np.int64),
        "sizes": np.array([weights[0].shape[1]] + [w.shape[0] for w in weights], dtype=np.int64),
        "dtype": np.array(state["dtype"]),
        "learning_rate": np.array(state["learning_rate"], dtype=np.float64),
        "rule": np.array(state["rule"]),
        "hidden_is_list": np.array(state["hidden_is_list"]),
    }
    arrays.update({f"weights_{k}": w for k, w in enumerate(weights)})
    if biases is not None:
        arrays["bias"] = np.array(True)
        arrays.update({f"biases_{k}": b for k, b in enumerate(biases)})
    write_atomically(path, lambda f: np.savez(f, **arrays))


def refuse_non_finite(path: str, weights, biases, outcome: str) -> None:
    """ValueError ``"{path}: weights[k] holds NaN or infinite values; {outcome}"`` for the first such array."""
    for name, arrays_of_kind in (("weights", weights), ("biases", biases or ())):
        for k, a in enumerate(arrays_of_kind):
            if not np.isfinite(a).all():
                raise ValueError(f"{path}: {name}[{k}] holds NaN or infinite values; {outcome}")


def load(path) -> dict:
    """The network state stored in ``path``; ValueError naming the file and the problem otherwise."""
    path = file_path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such model file") from None
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path}: not a model file ({file_kind(mode)})")
    try:
        with open(path, "rb") as f, zipfile.ZipFile(f) as archive:
            return _read_state(NpzMembers(archive, os.fstat(f.fileno()).st_size))
    except ModelFileError as exc:
        raise ValueError(f"{path}: {exc}") from None
    except ZIP_ERRORS as exc:
        raise ValueError(f"{path}: not a readable ffnn model file ({type(exc).__name__}: {exc})") from None


# What zipfile and numpy raise for damage in an archive's structures or a
# member's header (RuntimeError: "encrypted"; NotImplementedError: an unknown
# method or flag), besides ModelFileError.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
              NotImplementedError, OverflowError, KeyError, IndexError, struct.error)


class ModelFileError(Exception):
    """A model file that is readable but not a valid ffnn network."""


class NpzMembers:
    """The ``.npy`` members of an open ``.npz`` archive, read without trusting any size in it.

    Every size a member declares (its zip entry's, its header's) is checked
    against the others and against the file's real size before anything is
    allocated, and data is read a block at a time up to the declared size,
    so a damaged or hostile file costs at most about as much memory as it
    truly decompresses to. Problems raise ModelFileError.
    """

    def __init__(self, archive: zipfile.ZipFile, file_bytes: int, methods=(zipfile.ZIP_STORED,)) -> None:
        self.archive = archive
        self.file_bytes = file_bytes
        self.methods = methods
        self.names = {name.removesuffix(".npy"): name for name in archive.namelist()}

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __iter__(self):
        return iter(self.names)

    def info(self, name: str) -> zipfile.ZipInfo:
        """The entry of member `name`, after checking it can be read and lies inside the file."""
        if name not in self.names:
            raise ModelFileError(f"missing member {name!r}")
        info = self.archive.getinfo(self.names[name])
        if info.flag_bits & _UNREADABLE_FLAGS:
            raise ModelFileError(f"member {name!r} is encrypted or patched (zip flags {info.flag_bits:#06x})")
        if info.compress_type not in self.methods:
            raise ModelFileError(
                f"member {name!r} is compressed with zip method {info.compress_type}; "
                f"methods {list(self.methods)} are read here"
            )
        if info.header_offset + info.compress_size > self.file_bytes or (
            info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size
        ):
            raise ModelFileError(
                f"member {name!r} declares {info.file_size} bytes, more than the file holds ({self.file_bytes})"
            )
        return info

    def header(self, name: str) -> tuple[tuple, bool, np.dtype]:
        """(shape, fortran_order, dtype) of member `name`, after checking its size against its entry."""
        info = self.info(name)
        with self.archive.open(info) as f:
            shape, fortran_order, dtype, header_bytes = _read_npy_header(f)
        if dtype.hasobject:
            raise ModelFileError(f"member {name!r} holds {dtype}: pickled objects are never loaded")
        if info.file_size != header_bytes + math.prod(shape) * dtype.itemsize:
            raise ModelFileError(f"member {name!r} is compressed, truncated or padded")
        return shape, fortran_order, dtype

    def read(self, name: str) -> np.ndarray:
        """Member `name` as an array; at most its declared bytes are read."""
        shape, fortran_order, dtype = self.header(name)
        size = math.prod(shape) * dtype.itemsize
        with self.archive.open(self.info(name)) as f:
            _read_npy_header(f)
            data = read_at_most(f, size)
        if len(data) != size:
            raise ModelFileError(f"member {name!r} holds {len(data)} bytes of data, but its header declares {size}")
        array = np.frombuffer(data, dtype, count=math.prod(shape))
        return array.reshape(shape[::-1]).T if fortran_order else array.reshape(shape)


def _read_npy_header(f) -> tuple[tuple, bool, np.dtype, int]:
    version = np.lib.format.read_magic(f)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = read_header(f)
    return shape, fortran_order, dtype, f.tell()


def read_at_most(f, size: int) -> bytearray:
    """Up to ``size + 1`` bytes of ``f``, a block at a time: memory follows what is really there.

    Fewer than ``size`` means the data is truncated, more that it does not end where declared.
    """
    data = bytearray()
    while len(data) <= size:
        block = f.read(min(size + 1 - len(data), 1 << 24))
        if not block:
            break
        data += block
    return data


# Zip flag bits 0 (encrypted), 5 (compressed patched data), 6 (strong encryption).
_UNREADABLE_FLAGS = 0x01 | 0x20 | 0x40


def _read_state(members: NpzMembers) -> dict:
    if "format" not in members or _string(members, "format") != FORMAT:
        raise ModelFileError("not an ffnn model file (no 'format' member saying ffnn-network)")
    version = _scalar(members, "version", "i")
    if version != VERSION:
        raise ModelFileError(f"format version {version} is not supported (this ffnn reads version {VERSION})")
    sizes = _array(members, "sizes", None, "i")
    if sizes.ndim != 1 or not 2 <= len(sizes) <= MAX_LAYERS + 1 or (sizes < 1).any():
        raise ModelFileError(f"'sizes' must list 2 to {MAX_LAYERS + 1} positive node counts, got {sizes}")
    dtype = _string(members, "dtype")
    if dtype not in ("float32", "float64"):
        raise ModelFileError(f"dtype must be float32 or float64, got {dtype!r}")
    weights = [
        _array(members, f"weights_{k}", (int(sizes[k + 1]), int(sizes[k])), "f", np.dtype(dtype))
        for k in range(len(sizes) - 1)
    ]
    for k, w in enumerate(weights):
        if not np.isfinite(w).all():
            raise ModelFileError(f"member 'weights_{k}' holds NaN or infinite values")
    biases = _biases(members, sizes, dtype)
    expected = set(_SCALARS) | {"sizes"} | {f"weights_{k}" for k in range(len(weights))}
    if biases is not None:
        expected |= {"bias"} | {f"biases_{k}" for k in range(len(biases))}
    extra = set(members) - expected
    if extra:
        raise ModelFileError(f"unexpected members {sorted(extra)}")
    hidden_is_list = bool(_scalar(members, "hidden_is_list", "b"))
    if not hidden_is_list and len(sizes) != 3:
        raise ModelFileError(f"a single hidden layer is declared, but 'sizes' lists {len(sizes) - 2}")
    return {
        "learning_rate": _scalar(members, "learning_rate", "f"),
        "rule": _string(members, "rule"),
        "dtype": dtype,
        "hidden_is_list": hidden_is_list,
        "weights": weights,
        "biases": biases,
    }


def _biases(members: NpzMembers, sizes: np.ndarray, dtype: str) -> list[np.ndarray] | None:
    """The bias vectors of a file whose ``bias`` member says it has them, else None."""
    if "bias" not in members or not bool(_scalar(members, "bias", "b")):
        return None
    biases = [
        _array(members, f"biases_{k}", (int(sizes[k + 1]),), "f", np.dtype(dtype))
        for k in range(len(sizes) - 1)
    ]
    for k, b in enumerate(biases):
        if not np.isfinite(b).all():
            raise ModelFileError(f"member 'biases_{k}' holds NaN or infinite values")
    return biases


def _array(members: NpzMembers, name, shape, kinds, dtype=None) -> np.ndarray:
    """Member `name`, after its header shows the expected shape and type."""
    declared_shape, _, declared_dtype = members.header(name)
    if declared_dtype.kind not in kinds:
        raise ModelFileError(f"member {name!r} holds {declared_dtype}, expected kind {kinds!r}")
    if dtype is not None and declared_dtype != dtype:
        raise ModelFileError(f"member {name!r} holds {declared_dtype}, but the model's dtype is {dtype}")
    if shape is not None and declared_shape != shape:
        raise ModelFileError(f"member {name!r} has shape {declared_shape}, expected {shape}")
    return members.read(name)


def _scalar(members: NpzMembers, name, kinds):
    return _array(members, name, (), kinds).item()


def _string(members: NpzMembers, name) -> str:
    return str(_scalar(members, name, "U"))
