"""Random distortions of the training images, new ones every epoch.

Simard, Steinkraus and Platt (2003) trained on every image moved a little at
random each time it is shown: turned, grown or shrunk, slanted, shifted
(an affine map) and bent by a smooth random field of displacements (an
elastic distortion). A network that has seen a digit drawn a thousand
slightly different ways learns the digit, not the pixels of one drawing.

``Distortion`` holds the sizes of those changes. ``fit(X, y, distort=...)``
gives each training sample a fresh distortion every epoch, drawn in C from
the network's generator; ``Distortion.apply`` distorts images on their own
(to look at them, or to make a fixed augmented set). Images are resampled
bilinearly with an exact blank background: ink moves over a background of
0, so a blank pixel of the result is exactly blank (the book's 0.01 for
pixels), and the sparse engine trains on the results as on the originals.

How the elastic field is made cheaply (a coarse random grid spread by a
quadratic B-spline, with the statistics of Simard's smoothed noise) is told
in csrc/augment/distort.c and measured in docs/beyond.md.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ffnn import _core, augment as _augment

__all__ = ["Distortion"]


@dataclass(frozen=True)
class Distortion:
    """The largest random change of each kind; 0 (or ``elastic=None``) leaves it out.

    - ``rotate``: degrees; each image turns by an angle drawn uniformly in
      ``[-rotate, rotate]``, counter-clockwise as displayed;
    - ``scale``: each image grows by a factor in ``[1 - scale, 1 + scale]``;
    - ``shear``: columns slide sideways by ``k`` times their height above the
      centre, ``k`` in ``[-shear, shear]`` (italic-like slant);
    - ``shift``: pixels; each image moves by up to ``shift`` along each axis;
    - ``elastic``: ``(alpha, sigma)`` in pixels; a random displacement field
      whose values, uniform in [-1, 1] at each pixel, are smoothed by a
      Gaussian of width ``sigma`` and scaled by ``alpha`` (Simard et al.'s
      recipe, made with the same statistics on a coarse grid).

    The changes are applied about the image's centre: turn, scale, shear,
    then shift; the elastic displacement moves where each output pixel reads.
    ``Distortion()`` is the identity: the images come back unchanged.
    """

    rotate: float = 0.0
    scale: float = 0.0
    shear: float = 0.0
    shift: float = 0.0
    elastic: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        for name in ("rotate", "scale", "shear", "shift"):
            object.__setattr__(self, name, _size(getattr(self, name), name))
        if not 0 <= self.rotate <= 180:
            raise ValueError(f"rotate must be an angle in degrees between 0 and 180, got {self.rotate}")
        if self.scale >= 1:
            raise ValueError(f"scale must be below 1 (a factor of 1 - scale must stay positive), got {self.scale}")
        if self.elastic is not None:
            if not isinstance(self.elastic, (tuple, list)) or len(self.elastic) != 2:
                raise TypeError(f"elastic must be None or a pair (alpha, sigma), got {self.elastic!r}")
            alpha, sigma = _size(self.elastic[0], "alpha"), _size(self.elastic[1], "sigma")
            if sigma < 0.1:
                raise ValueError(f"sigma must be at least 0.1 pixel, got {sigma}")
            object.__setattr__(self, "elastic", (alpha, sigma))

    @classmethod
    def of(cls, value) -> Distortion | None:
        """``value`` as a Distortion: one already, a dict of its fields, or None."""
        if value is None or isinstance(value, Distortion):
            return value
        if isinstance(value, dict):
            unknown = set(value) - {"rotate", "scale", "shear", "shift", "elastic"}
            if unknown:
                raise ValueError(f"distort has no {', '.join(sorted(map(str, unknown)))}; its keys are "
                                 "rotate, scale, shear, shift and elastic")
            return cls(**value)
        raise TypeError(f"distort must be None, an ffnn.Distortion or a dict of its fields, "
                        f"not {type(value).__name__}")

    @property
    def is_identity(self) -> bool:
        """Whether the images come back unchanged (no change of any kind asked)."""
        return self.values()[:5] == (0.0,) * 5

    def values(self) -> tuple[float, float, float, float, float, float]:
        """(rotate, scale, shear, shift, alpha, sigma), as the C core takes them."""
        alpha, sigma = self.elastic if self.elastic is not None else (0.0, 0.0)
        return (self.rotate, self.scale, self.shear, self.shift, alpha, sigma)

    def apply(self, images, *, seed=None, image_shape: tuple[int, int] | None = None,
              background: float | None = None, dtype=np.float64, first: int = 0) -> np.ndarray:
        """Each image distorted at random, as ``fit(distort=self)`` would.

        ``images`` is one image or a batch: uint8 pixels (the result is the
        book's inputs, background 0.01; or, with ``dtype=np.uint8``, pixels,
        each rounded to the nearest level) or real values whose blank value
        is ``background`` (required for them). A flat image or a batch of rows
        has ``image_shape`` (rows, cols), square by default, whatever its
        sizes (as the network's inputs are read: pass one picture ``(rows,
        cols)`` as ``picture[None]``); ``(n, rows, cols)`` speaks for itself.
        The result has the shape of ``images``, in ``dtype`` (uint8, float32
        or float64 for pixels; real images keep their own type). ``seed`` is anything
        ``np.random.default_rng`` takes; image ``i`` is sample ``first + i``
        of the stream it draws.
        """
        arr = np.asarray(images)
        pixels = arr.dtype == np.uint8
        if pixels:
            if background is not None:
                raise ValueError("background is for real images; pixels have their own (0, scaled to 0.01)")
            out_dtype = np.dtype(dtype)
            if out_dtype not in (np.uint8, np.float32, np.float64):
                raise TypeError(f"dtype must be uint8, float32 or float64, got {out_dtype}")
        else:
            out_dtype = np.dtype(np.float32 if arr.dtype == np.float32 else np.float64)
            arr = arr.astype(out_dtype, copy=False)
            if background is None:
                raise ValueError("real images need background=<the value of every blank pixel>")
            background = _augment._finite(background, "background")
        if arr.ndim == 1:
            stack = arr.reshape(1, *_shape(arr.shape[0], image_shape))
        elif arr.ndim == 2:
            stack = arr.reshape(len(arr), *_shape(arr.shape[1], image_shape))
        elif arr.ndim == 3:
            stack = arr
        else:
            raise ValueError(f"images must be 1-D, 2-D or 3-D, got shape {arr.shape}")
        stack = np.ascontiguousarray(stack)
        out = np.empty(stack.shape, out_dtype)
        seed64 = int(np.random.default_rng(seed).integers(2**64, dtype=np.uint64))
        _core.distort(self.values(), seed64, int(first), stack, out,
                      math.nan if background is None else background)
        return out.reshape(arr.shape)

    def coordinates(self, shape: tuple[int, int], *, seed: int, index: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Where sample ``index`` of the stream ``seed`` (a 64-bit integer, as ``fit`` draws one
        per epoch) reads its image: the source row and column of every output pixel, the
        points ``apply`` and ``fit`` sample bilinearly."""
        y = np.empty(shape, np.float32)
        x = np.empty(shape, np.float32)
        _core.distort_coordinates(self.values(), int(seed), int(index), y, x)
        return y, x


class Distorted:
    """What ``fit(distort=...)`` trains on: each chunk of samples distorted afresh."""

    def __init__(self, distortion: Distortion, n_inputs: int, image_shape) -> None:
        self.distortion = distortion
        self.shape = _shape(n_inputs, image_shape)

    def chunk(self, seed: int, first: int, images: np.ndarray, background: float) -> np.ndarray:
        """(k, n_inputs) images (uint8 pixels, or inputs whose blank value is ``background``)
        distorted as samples ``first`` .. ``first + k - 1`` of the epoch's stream ``seed``:
        pixels (each rounded to the nearest level, so that training takes the pixel path,
        the sparse engine's fastest) or inputs of the same type and background."""
        k = len(images)
        out = np.empty((k, *self.shape), images.dtype)
        _core.distort(self.distortion.values(), seed, first, images.reshape(k, *self.shape), out, background)
        return out.reshape(k, -1)


def parse(distort, n_inputs: int, image_shape) -> Distorted | None:
    """The distortion asked for by ``fit(distort=..., image_shape=...)``, or None."""
    distortion = Distortion.of(distort)
    if image_shape is not None and distortion is None:
        raise ValueError("image_shape is for distort=...; without it nothing reads it")
    if distortion is None:
        return None
    return Distorted(distortion, n_inputs, image_shape)


def _shape(n: int, image_shape) -> tuple[int, int]:
    if image_shape is None:
        side = math.isqrt(n)
        if side * side != n:
            raise ValueError(f"{n} inputs is not a square image: give image_shape=(rows, cols)")
        return side, side
    if (not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2
            or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and int(s) > 0 for s in image_shape)):
        raise ValueError(f"image_shape must be a pair of positive integers (rows, cols), got {image_shape!r}")
    rows, cols = int(image_shape[0]), int(image_shape[1])
    if rows * cols != n:
        raise ValueError(f"image_shape {rows}x{cols} has {rows * cols} pixels, but there are {n} inputs")
    return rows, cols


def _size(value, name: str) -> float:
    value = _augment._finite(value, name)
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value}")
    return value
