"""The book's augmentation: every training image also shown slightly rotated.

`rotate` turns images about their centre (bilinear, background 0.01, same
size) with the C kernel; `Rotations` expands a chunk of training inputs
into the book's sequence: each image, then rotated by +θ, then by −θ.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ffnn import _checks, _core

BACKGROUND = 0.01  # the book's scaled value of a blank pixel


def rotate(images, degrees: float, *, background: float = BACKGROUND, single: bool = False) -> np.ndarray:
    """Each image rotated by ``degrees`` about its centre (counter-clockwise as displayed).

    How ``images`` is read depends on its number of dimensions alone, never
    on its sizes, as the network's inputs are:

    - 1-D ``(side * side,)``: one flattened square image;
    - 2-D ``(n, side * side)``: a batch of flattened square images, one per row
      (so 784 rows of 784 pixels are 784 MNIST images, not one picture);
    - 3-D ``(n, rows, cols)``: a stack of pictures;
    - with ``single=True``, a 2-D ``(rows, cols)`` array is one picture.

    Values are real (e.g. the book's scaled inputs); the result has the same
    shape, float32 for float32 input and float64 otherwise. Equals
    ``scipy.ndimage.rotate(image, degrees, order=1, reshape=False,
    cval=background)`` to rounding.
    """
    arr = np.asarray(images)
    dtype = np.dtype(np.float32 if arr.dtype == np.float32 else np.float64)
    arr = _checks.real_array(arr, dtype, "images")
    degrees = _finite(degrees, "degrees")
    if single and arr.ndim != 2:
        raise ValueError(f"single=True needs one picture (rows, cols), got shape {arr.shape}")
    if single:
        stack = arr.reshape(1, *arr.shape)
    elif arr.ndim == 1:
        stack = arr.reshape(1, *_square(arr.shape[0]))
    elif arr.ndim == 2:
        stack = arr.reshape(len(arr), *_square(arr.shape[1]))
    elif arr.ndim == 3:
        stack = arr
    else:
        raise ValueError(
            f"images must be (side*side,), (n, side*side), (n, rows, cols) or, with single=True, "
            f"(rows, cols); got {arr.shape}"
        )
    out = np.empty_like(stack)
    _core.rotate(stack, degrees, stack.dtype.type(_finite(background, "background")), out)
    return out.reshape(arr.shape)


class Rotations:
    """The book's rotated copies: each input followed by itself rotated by each angle."""

    def __init__(self, degrees: float, n_inputs: int, dtype) -> None:
        degrees = _finite(degrees, "rotate")
        if not 0 < abs(degrees) <= 180:
            raise ValueError(f"rotate must be an angle in degrees, 0 < |angle| <= 180, got {degrees}")
        self.angles = (abs(degrees), -abs(degrees))
        self.side = _square(n_inputs)[0]
        self.dtype = np.dtype(dtype)

    @property
    def copies(self) -> int:
        """How many samples each training image becomes."""
        return 1 + len(self.angles)

    def expand(self, inputs: np.ndarray, background: float = math.nan) -> np.ndarray:
        """(k, side²) inputs → (k * copies, side²): x₀, x₀ +θ, x₀ −θ, x₁, ...

        Outside the picture the copies take the book's 0.01. Given the
        ``background`` of the inputs (their value at every blank pixel),
        they take that instead, and the ink ``x - background`` is what turns,
        over a background of 0, before ``background`` is added back: a blend
        of blank pixels is then exactly blank, which is what lets the sparse
        engine tell the ink (a blend of four 0.01's is not always 0.01).
        """
        k = len(inputs)
        base = np.ascontiguousarray(inputs, dtype=self.dtype).reshape(k, self.side, self.side)
        out = np.empty((k, self.copies, self.side * self.side), dtype=self.dtype)
        out[:, 0] = base.reshape(k, -1)
        blank = self.dtype.type(background)
        if background == background:
            base = base - blank
        rotated = np.empty_like(base)
        for j, angle in enumerate(self.angles, start=1):
            if background == background:
                _core.rotate(base, angle, self.dtype.type(0), rotated)
                rotated += blank
            else:
                _core.rotate(base, angle, self.dtype.type(BACKGROUND), rotated)
            out[:, j] = rotated.reshape(k, -1)
        return out.reshape(k * self.copies, self.side * self.side)


def parse(augment, n_inputs: int, dtype) -> Rotations | None:
    """The augmentation asked for by ``fit(augment=...)``: None or {"rotate": degrees}."""
    if augment is None:
        return None
    if not isinstance(augment, dict) or set(augment) - {"rotate"}:
        raise ValueError(f"augment must be None or {{'rotate': degrees}}, got {augment!r}")
    if not augment.get("rotate"):
        return None
    return Rotations(augment["rotate"], n_inputs, dtype)


def _finite(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def _square(n: int) -> tuple[int, int]:
    side = math.isqrt(n)
    if side * side != n:
        raise ValueError(f"rotation needs square images, but {n} inputs is not a square number of pixels")
    return side, side
