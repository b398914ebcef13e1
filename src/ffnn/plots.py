"""Figures as PNG files: learning curves, confusion matrices, back-queried images.

Needs matplotlib (``pip install 'ffnn[plots]'``); figures are drawn without
a display (no pyplot), so this works on servers.
"""
from __future__ import annotations

import math
import os

import numpy as np


def learning_curve(history: dict, path) -> None:
    """Mean squared error per epoch, and test accuracy per epoch if recorded."""
    figure = _figure(figsize=(6, 4))
    axes = figure.add_subplot()
    epochs = np.arange(1, len(history["loss"]) + 1)
    axes.plot(epochs, history["loss"], "o-", color="tab:blue")
    axes.set_xlabel("epoch")
    axes.set_xticks(epochs)
    axes.set_ylabel("mean squared error", color="tab:blue")
    if history.get("val_accuracy"):
        right = axes.twinx()
        right.plot(epochs, np.multiply(history["val_accuracy"], 100), "s-", color="tab:red")
        right.set_ylabel("test accuracy (%)", color="tab:red")
    _save(figure, path)


def confusion(matrix: np.ndarray, path) -> None:
    """A confusion matrix: rows are true labels, columns predictions."""
    figure = _figure(figsize=(6, 5.5))
    axes = figure.add_subplot()
    shown = axes.imshow(np.log1p(matrix), cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        axes.text(j, i, str(count), ha="center", va="center", fontsize=7,
                  color="white" if count > matrix.max() / 3 else "black")
    axes.set_xlabel("predicted")
    axes.set_ylabel("true label")
    axes.set_xticks(range(matrix.shape[1]))
    axes.set_yticks(range(matrix.shape[0]))
    figure.colorbar(shown, label="log(1 + count)")
    _save(figure, path)


def image(pixels: np.ndarray, path) -> None:
    """One square image, dark where the values are high (the book's 'Greys' map)."""
    side = _side(pixels)
    figure = _figure(figsize=(2, 2), layout=None)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.imshow(np.reshape(pixels, (side, side)), cmap="Greys", interpolation="none")
    axes.set_axis_off()
    _save(figure, path)


def grid(images, titles, path) -> None:
    """Square images side by side in rows of five, each with its title."""
    columns = 5
    rows = math.ceil(len(images) / columns)
    figure = _figure(figsize=(2 * columns, 2.2 * rows))
    for k, (pixels, title) in enumerate(zip(images, titles)):
        axes = figure.add_subplot(rows, columns, k + 1)
        side = _side(pixels)
        axes.imshow(np.reshape(pixels, (side, side)), cmap="Greys", interpolation="none")
        axes.set_title(title)
        axes.set_axis_off()
    _save(figure, path)


def _side(pixels) -> int:
    side = math.isqrt(np.size(pixels))
    if side * side != np.size(pixels):
        raise ValueError(f"{np.size(pixels)} values do not make a square image")
    return side


def _figure(layout="tight", **options):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots and pictures need matplotlib: pip install 'ffnn[plots]'") from None
    return Figure(layout=layout, **options)


def _save(figure, path) -> None:
    path = os.fspath(path)
    try:
        figure.savefig(path, dpi=100)
    except (OSError, ValueError) as exc:
        raise OSError(f"{path}: cannot write the picture ({exc})") from None
