"""Validation shared by the public API: convert what users pass, reject the rest.

Each helper returns an array the C core can use as is (C-contiguous, of the
network's dtype) or raises TypeError/ValueError naming the argument.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(dtype) -> np.dtype:
    """The network dtype: float32 or float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, not {dtype!r}") from exc
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, not {dt}")
    return dt


def node_count(value, name: str) -> int:
    """A positive integer number of nodes."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def learning_rate(value) -> float:
    """A finite, positive learning rate."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"learning_rate must be a real number, not {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"learning_rate must be a finite number > 0, got {value}")
    return value


def real_array(values, dtype: np.dtype, name: str) -> np.ndarray:
    """values as a C-contiguous array of dtype; only real numbers are accepted."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, not {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def vector(values, size: int, dtype: np.dtype, name: str) -> np.ndarray:
    """One sample: a 1-D array of `size` values (a book-style column is fine)."""
    arr = real_array(values, dtype, name)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {np.shape(values)}")
    return arr


def matrix(values, shape: tuple[int, int], dtype: np.dtype, name: str) -> np.ndarray:
    """A 2-D array of exactly `shape`."""
    arr = real_array(values, dtype, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr
