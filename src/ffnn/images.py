"""Pictures in and out: your own handwriting as the book's inputs, networks' images as PNG.

Reading needs Pillow (``pip install 'ffnn[images]'``); writing pictures and
plots needs matplotlib (``pip install 'ffnn[plots]'``).
"""
from __future__ import annotations

import os

import numpy as np

from ffnn.datasets import scale_inputs

SIDE = 28  # MNIST images are 28 x 28 pixels


def load_image(path, *, invert: bool = True, dtype=np.float64) -> np.ndarray:
    """A PNG or JPEG file as the book's 784 inputs.

    The picture is read in grayscale (transparent parts count as white
    paper) and resized to 28 x 28 if needed. With ``invert`` (the default)
    its values are flipped, ``255 - x``, as the book does for dark ink on
    light paper, so strokes become bright on a dark ground like MNIST's. Then
    scaled like every input: ``x / 255 * 0.99 + 0.01``.
    """
    Image = _pillow()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such image file")
    try:
        with Image.open(path) as picture:
            picture.load()
            if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
                paper = Image.new("RGBA", picture.size, "white")
                picture = Image.alpha_composite(paper, picture.convert("RGBA"))
            gray = picture.convert("L")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not an image Pillow can read ({exc})") from None
    if gray.size != (SIDE, SIDE):
        gray = gray.resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(gray, dtype=np.uint8).reshape(SIDE * SIDE)
    return scale_inputs(255 - pixels if invert else pixels, dtype)


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("reading images needs Pillow: pip install 'ffnn[images]'") from None
    return Image
