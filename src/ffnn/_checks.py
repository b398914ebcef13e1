"""Validation shared by the public API: convert what users pass, reject the rest.

Each helper returns what the C core can use as is (C-contiguous arrays of the
network's dtype, plain ints and floats) or raises: TypeError for the wrong
kind of value (strings, objects, complex numbers), ValueError for the right
kind with a wrong shape or value (NaN, infinity, out of range), naming the
argument, what was expected and what was given.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
import operator
import os
import sys
import warnings

import numpy as np

from ffnn import _core

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Float inputs this far above the book's 0.01..1.0 (an order of magnitude),
# none of them negative, look like pixels 0..255 given as floats without
# scaling; standardised data (negative values), data scaled to a unit range
# and small counts stay quiet.
UNSCALED_ABOVE = 10.0
# A batch larger than this many values is judged on an even sample of them.
_SCALE_SAMPLE = 1 << 16
# One sample is first glanced at: about this many of its inputs, evenly
# spread. Unscaled pixels show above 10 in one of them nearly always (a fifth
# of a digit's pixels are ink); a miss is made up by the next sample.
_SCALE_GLANCE = 24
# False while a caller that scales inputs its own way (the scikit-learn
# wrapper's predictions) queries the network.
_scale_checked: contextvars.ContextVar[bool] = contextvars.ContextVar("ffnn_scale_checked", default=True)


class InputScaleWarning(UserWarning):
    """Float inputs far outside the book's 0.01..1.0: pixels 0..255 not scaled?"""


class SaturationWarning(UserWarning):
    """Training has saturated the sigmoids: the learning rate is too large."""
# Array kinds that convert exactly enough to a float: bool, ints, floats.
REAL_KINDS = "biuf"


def float_dtype(dtype) -> np.dtype:
    """The network dtype: float32 or float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, not {dtype!r}") from exc
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, not {dt}")
    return dt


def share_policy(value) -> str:
    """A name of a way the threads share work (``_core.SHARE_POLICIES``)."""
    if not isinstance(value, str) or value not in _core.SHARE_POLICIES:
        raise ValueError(f"share must be one of {sorted(_core.SHARE_POLICIES)}, got {value!r}")
    return value


def node_count(value, name: str) -> int:
    """A positive whole number (of nodes, epochs, classes); 3.0 and np.array(3) count as 3."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    if not isinstance(value, numbers.Integral):
        number = float(value)
        if not number.is_integer():  # also NaN and infinities
            raise ValueError(f"{name} must be a whole number, got {value}")
        value = int(number)
    count = operator.index(value)
    if count <= 0:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return count


def learning_rate(value, dtype: np.dtype = FLOAT_DTYPES[1]) -> float:
    """A positive learning rate that is finite in the network's dtype."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"learning_rate must be a real number, not {type(value).__name__}")
    value = float(value)
    with np.errstate(over="ignore"):
        as_dtype = float(np.asarray(value, dtype=dtype))
    if not math.isfinite(as_dtype) or as_dtype <= 0:
        raise ValueError(f"learning_rate must be a finite number > 0 (in {dtype}), got {value}")
    return value


def samples(values, name: str, *, pixels: bool) -> tuple[np.ndarray, bool]:
    """values as an array, and whether they are pixels to be scaled the book's way.

    The rule for every input and target (NeuralNetwork's docstring states it):
    uint8 means pixels, which only inputs (``pixels``) may be; any other
    NumPy array of integers or bools is refused, as its meaning is unclear
    (raw pixels read with ``np.loadtxt(dtype=int)``, or labels?). Python
    lists and tuples are real numbers, ints among them, unless they hold
    uint8 arrays (which NumPy keeps as uint8: pixels again).
    """
    arr = values if isinstance(values, np.ndarray) else np.asarray(values)
    if arr.dtype == np.uint8:
        if pixels:
            return arr, True
        raise TypeError(
            f"{name} is a NumPy array of uint8, but only inputs are pixels; pass floating-point {name} "
            f"(e.g. make_targets(labels), or pixels / 255 for pixels as targets)"
        )
    if arr.dtype.kind in "biu" and isinstance(values, np.ndarray):
        if pixels:
            advice = (
                "pass uint8 pixels (0..255, scaled the book's way) or floating-point inputs "
                "(e.g. scale_inputs(x) or x.astype(float))"
            )
        else:
            advice = f"pass floating-point {name} (e.g. make_targets(labels) or t.astype(float))"
        raise TypeError(f"{name} is a NumPy array of {arr.dtype}; {advice}")
    return arr, False


def targets(values, name: str) -> np.ndarray:
    """Targets as an array; integer arrays, pixels included, refused (see ``samples``)."""
    return samples(values, name, pixels=False)[0]


def real_array(values, dtype: np.dtype, name: str, finite: bool = True) -> np.ndarray:
    """values as a C-contiguous array of dtype; only real numbers are accepted.

    With ``finite``, NaN and infinity are refused, including values that only
    overflow to infinity when converted to float32.
    """
    if (
        type(values) is np.ndarray
        and values.dtype == dtype
        and values.flags.c_contiguous
    ):
        arr = values  # already what the core reads: no copy
    else:
        arr = np.asarray(values)
        if arr.dtype.kind not in REAL_KINDS:
            raise TypeError(f"{name} must hold real numbers, not {arr.dtype}")
        with np.errstate(over="ignore"):  # reported below as not finite
            arr = np.asarray(arr, dtype=dtype, order="C")
    if finite:
        check_finite(arr, name)
    return arr


def check_scale(x: np.ndarray | None, name: str) -> None:
    """Warn (InputScaleWarning, once per line of the caller's) if float inputs look like unscaled pixels.

    ``x`` is a float array as the core reads it. Scaled pixels, uint8
    pixels and data with negative values never warn.
    """
    if x is None or not _scale_checked.get():  # pixels: scaled by ffnn
        return
    if x.ndim == 1 and x.size and max(x[:: x.size // _SCALE_GLANCE + 1].tolist()) <= UNSCALED_ABOVE:
        return  # one sample (train's loop): a glance at a few inputs, well under a microsecond
    if x.size > _SCALE_SAMPLE and x.ndim == 2:  # whole rows, evenly spread: every input of each
        x = x[:: x.size // _SCALE_SAMPLE + 1]
    if looks_unscaled(x):
        warnings.warn(
            f"{name} are floats far above the book's 0.01..1.0 (up to more than {UNSCALED_ABOVE:g}): pixels "
            "0..255 not scaled? The sigmoids saturate and the network learns little. Scale them with "
            "ffnn.datasets.scale_inputs(pixels) (x / 255 * 0.99 + 0.01), or pass the pixels as uint8, "
            "which ffnn scales itself",
            InputScaleWarning, stacklevel=_user_level(),
        )


def looks_unscaled(x: np.ndarray) -> bool:
    """Whether float inputs look like pixels 0..255 left unscaled (see UNSCALED_ABOVE)."""
    return bool(x.size) and x.max() > UNSCALED_ABOVE and x.min() >= 0


@contextlib.contextmanager
def scale_unchecked():
    """No InputScaleWarning from this thread's calls within (thread-safe: a context variable)."""
    token = _scale_checked.set(False)
    try:
        yield
    finally:
        _scale_checked.reset(token)


def check_finite(arr: np.ndarray, name: str) -> None:
    """Refuse NaN and infinity in a C-contiguous float array (converted from `name`)."""
    if not _core.all_finite(arr if arr.ndim == 1 else arr.reshape(-1)):
        beyond = f" or values beyond the range of {arr.dtype}" if arr.dtype.itemsize < 8 else ""
        raise ValueError(f"{name} must be finite: it contains NaN or infinity{beyond}")


def vector(values, size: int, dtype: np.dtype, name: str, finite: bool = True) -> np.ndarray:
    """One sample: a 1-D array of `size` values (a book-style column is fine)."""
    if type(values) is np.ndarray and values.shape == (size,) and not finite:
        # The common case of train(), kept to a few attribute reads.
        if values.dtype == dtype and values.flags.c_contiguous:
            return values
    arr = real_array(values, dtype, name, finite)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {np.shape(values)}{shape_advice(arr.shape, size, name)}")
    return arr


def matrix(values, shape: tuple[int, int], dtype: np.dtype, name: str) -> np.ndarray:
    """A 2-D array of exactly `shape`."""
    arr = real_array(values, dtype, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


def rows(values, n_cols: int, dtype: np.dtype, name: str) -> np.ndarray:
    """A non-empty batch: a 2-D array of shape (n, n_cols) with n >= 1."""
    arr = real_array(values, dtype, name)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] != n_cols:
        raise ValueError(f"{name} must have shape (n, {n_cols}) with n >= 1, got {arr.shape}"
                         f"{shape_advice(arr.shape, n_cols, name)}")
    return arr


def sample_or_rows(values, n_cols: int, dtype: np.dtype, name: str) -> np.ndarray:
    """One sample of `n_cols` values (1-D) or a non-empty batch of them (2-D)."""
    arr = real_array(values, dtype, name)
    if arr.ndim not in (1, 2) or arr.size == 0 or arr.shape[-1] != n_cols:
        raise ValueError(f"{name} must have shape ({n_cols},) or (n, {n_cols}) with n >= 1, got {arr.shape}"
                         f"{shape_advice(arr.shape, n_cols, name)}")
    return arr


def paired_samples(inputs: np.ndarray, targets: np.ndarray, n_in: int, n_out: int) -> None:
    """Real arrays of inputs and targets, one sample (1-D) or one per row (2-D) of each."""
    if inputs.ndim not in (1, 2) or inputs.shape[-1] != n_in or inputs.size == 0:
        raise ValueError(f"inputs must have shape ({n_in},) or (n, {n_in}), got {inputs.shape}"
                         f"{shape_advice(inputs.shape, n_in, 'inputs')}")
    if targets.shape != inputs.shape[:-1] + (n_out,):
        raise ValueError(f"targets must have shape {inputs.shape[:-1] + (n_out,)}, got {targets.shape}"
                         f"{shape_advice(targets.shape, n_out, 'targets')}")


def label_values(values, count: int | None, name: str) -> np.ndarray:
    """Integer class labels as int64 (bool counts as 0/1), their range not checked.

    Labels that go to the C core are checked there, once per call, before the
    first step; values beyond int64 become its largest, which the core refuses.
    """
    arr = np.asarray(label_column(values, name))
    if arr.dtype.kind not in "biu":
        raise TypeError(f"{name} must be integer labels, not {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] == 0 or (count is not None and arr.shape[0] != count):
        expected = f"({count},)" if count is not None else "(n,) with n >= 1"
        raise ValueError(f"{name} must have shape {expected}, got {arr.shape}")
    if arr.dtype == np.uint64:
        arr = np.minimum(arr, np.uint64(np.iinfo(np.int64).max))
    return np.ascontiguousarray(arr, dtype=np.int64)


def label_column(values, name: str):
    """Integer labels as a column (n, 1) made 1-D, with a warning, as scikit-learn does; anything else as given.

    Only integer arrays are labels: a float column stays targets (of a
    network with one output).
    """
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1 and arr.shape[0] > 0 and arr.dtype.kind in "biu":
        warnings.warn(
            f"{name} is a column of labels, shape {arr.shape}; they are taken as the labels of shape "
            f"({arr.shape[0]},) that is expected: pass {name}.ravel() to say so",
            UserWarning, stacklevel=_user_level(),
        )
        return arr.reshape(-1)
    return values  # as given: a list of ints stays numbers, not an integer array


def labels(values, count: int | None, n_classes: int, name: str) -> np.ndarray:
    """Integer class labels, each in 0..n_classes-1, as int64, for the labels Python uses itself."""
    arr = label_values(values, count, name)
    low, high = arr.min(), arr.max()
    if low < 0 or high >= n_classes:
        raise ValueError(f"{name} must lie in 0..{n_classes - 1}, got {low}..{high}")
    return arr


def pixel_sample_or_rows(pixels: np.ndarray, n_cols: int, name: str) -> np.ndarray:
    """uint8 pixels, one sample (1-D) or a non-empty batch (2-D), C-contiguous."""
    if pixels.ndim not in (1, 2) or pixels.size == 0 or pixels.shape[-1] != n_cols:
        raise ValueError(f"{name} must have shape ({n_cols},) or (n, {n_cols}) with n >= 1, got {pixels.shape}"
                         f"{shape_advice(pixels.shape, n_cols, name)}")
    return np.ascontiguousarray(pixels)


def batch(values, n_cols: int, name: str) -> None:
    """Refuse an array of no rows, and images (n, 28, 28) where rows (n, 784) are due, saying how to flatten them.

    Only NumPy arrays are looked at (their shape costs nothing); the
    checks that follow refuse every other wrong shape.
    """
    if not isinstance(values, np.ndarray):
        return
    advice = shape_advice(values.shape, n_cols, name) if values.ndim != 2 else ""
    if advice or values.ndim == 2 and values.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, {n_cols}) with n >= 1, got {values.shape}{advice}")


def shape_advice(shape: tuple[int, ...], n_cols: int, name: str) -> str:
    """What to do about a wrong shape, as the end of its error message, or "".

    A label where targets are due (shape ``()``): make_targets. Images
    (28, 28) or (n, 28, 28) where a network takes 784 values per sample:
    ravel() or reshape(-1, 784).
    """
    if shape == () and "target" in name:
        return (f"; targets are {n_cols} values, one per output node, not a label: "
                f"make_targets([label], {n_cols})[0] gives the book's one-hot targets for a label")
    if len(shape) >= 2 and shape[-1] != n_cols and math.prod(shape) == n_cols:
        return (f"; to give one image of shape {shape} as the {n_cols} values of one sample, "
                f"flatten it: {name}.ravel() (or {name}.reshape(1, -1) for a batch of one)")
    if len(shape) >= 3 and math.prod(shape[1:]) == n_cols:
        return (f"; to give {shape[0]} images of shape {shape[1:]} as rows of {n_cols} values, "
                f"flatten each: {name}.reshape(-1, {n_cols})")
    if len(shape) == 1 and shape[0] == n_cols and "X" in name:
        return f"; to give one sample as a batch, make it a row: {name}.reshape(1, -1)"
    return ""


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _user_level() -> int:
    """The ``stacklevel`` of the first frame outside ffnn: warnings point at the user's line."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and _in_package(frame.f_code.co_filename):
        level += 1
        frame = frame.f_back  # type: ignore[assignment]
    return level


def _in_package(filename: str) -> bool:
    directory = os.path.dirname(os.path.abspath(filename))
    return directory == _PACKAGE or directory.startswith(_PACKAGE + os.sep)
