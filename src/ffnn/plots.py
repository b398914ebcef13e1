"""Figures: learning curves, confusion matrices, back-queried images, predictions.

Each function returns its matplotlib ``Figure``, which a notebook shows
inline when it is a cell's last value, and writes it to ``path`` (a PNG, or
any format matplotlib knows by the name's extension) when one is given:

>>> ffnn.plots.learning_curve(history)                # shown in a notebook
>>> ffnn.plots.learning_curve(history, "curve.png")   # written to a file

Needs matplotlib (``pip install 'ffnn[plots]'``), imported only when a
figure is drawn. Figures are made without a display (no pyplot), so this
works on servers.
"""
from __future__ import annotations

import math
import os
import stat
from typing import Any

import numpy as np

from ffnn import _extras


def learning_curve(history: dict, path=None, title: str = "learning curve") -> Any:
    """Each epoch's sum of squared errors per sample, and its test accuracy if recorded."""
    figure = _figure(figsize=(6, 4))
    axes = figure.add_subplot()
    axes.set_title(title)
    errors = history["sum_squared_error"]
    epochs = np.arange(1, len(errors) + 1)
    axes.plot(epochs, errors, "o-", color="tab:blue")
    axes.set_xlabel("epoch")
    axes.set_xticks(epochs)
    axes.set_ylabel("sum of squared errors per sample", color="tab:blue")
    if history.get("val_accuracy"):
        right = axes.twinx()
        right.plot(epochs, np.multiply(history["val_accuracy"], 100), "s-", color="tab:red")
        right.set_ylabel("test accuracy (%)", color="tab:red")
    return _save(figure, path)


def confusion(matrix: np.ndarray, path=None, title: str = "confusion matrix") -> Any:
    """A confusion matrix: rows are true labels, columns predictions."""
    figure = _figure(figsize=(6, 5.5))
    axes = figure.add_subplot()
    axes.set_title(title)
    shown = axes.imshow(np.log1p(matrix), cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        axes.text(j, i, str(count), ha="center", va="center", fontsize=7,
                  color="white" if count > matrix.max() / 3 else "black")
    axes.set_xlabel("predicted")
    axes.set_ylabel("true label")
    axes.set_xticks(range(matrix.shape[1]))
    axes.set_yticks(range(matrix.shape[0]))
    figure.colorbar(shown, label="log(1 + count)")
    return _save(figure, path)


def image(pixels: np.ndarray, path=None, title: str = "back-queried image") -> Any:
    """One square image, dark where the values are high (the book's 'Greys' map), titled."""
    side = _side(pixels)
    figure = _figure(figsize=(2.4, 2.6))
    axes = figure.add_subplot()
    axes.imshow(np.reshape(pixels, (side, side)), cmap="Greys", interpolation="none")
    axes.set_title(title, fontsize=9)
    axes.set_axis_off()
    return _save(figure, path)


def grid(images, titles, path=None, title: str = "back-queried images by label") -> Any:
    """Square images side by side in rows of five, each with its title, under the figure's title."""
    columns = 5
    rows = math.ceil(len(images) / columns)
    figure = _figure(figsize=(2 * columns, 2.2 * rows + 0.4))
    figure.suptitle(title)
    for k, (pixels, title) in enumerate(zip(images, titles)):
        axes = figure.add_subplot(rows, columns, k + 1)
        side = _side(pixels)
        axes.imshow(np.reshape(pixels, (side, side)), cmap="Greys", interpolation="none")
        axes.set_title(title)
        axes.set_axis_off()
    return _save(figure, path)


def prediction(original: np.ndarray, seen: np.ndarray, outputs: np.ndarray, path=None,
               title: str = "prediction") -> Any:
    """A picture read by a network: the picture, the 28 x 28 it saw, and its outputs as bars.

    `original` is the picture in grayscale (0 black .. 1 white), `seen` the
    pixels the network took (ink high, drawn white on black as MNIST's),
    `outputs` the network's answer, one value per label.
    """
    outputs = np.asarray(outputs, dtype=np.float64).ravel()
    side = _side(seen)
    label = int(np.argmax(outputs))
    figure = _figure(figsize=(10, 3.4))
    figure.suptitle(title)
    axes = figure.add_subplot(1, 3, 1)
    axes.imshow(original, cmap="gray", vmin=0, vmax=1, interpolation="antialiased")
    axes.set_title(f"the picture ({original.shape[1]} x {original.shape[0]})", fontsize=9)
    axes.set_axis_off()
    axes = figure.add_subplot(1, 3, 2)
    axes.imshow(np.reshape(seen, (side, side)), cmap="gray", interpolation="none")
    axes.set_title(f"what the network saw ({side} x {side})", fontsize=9)
    axes.set_axis_off()
    axes = figure.add_subplot(1, 3, 3)
    colours = ["tab:gray"] * len(outputs)
    colours[label] = "tab:red"
    axes.bar(range(len(outputs)), outputs, color=colours)
    axes.set_xticks(range(len(outputs)))
    axes.set_ylim(0, 1)
    axes.set_xlabel("label")
    axes.set_ylabel("output")
    axes.set_title(f"outputs: {label} is highest ({outputs[label]:.2f})", fontsize=9)
    return _save(figure, path)


def require_matplotlib() -> None:
    """Raise ImportError, naming the extra to install, unless matplotlib can be imported."""
    _figure()


def _side(pixels) -> int:
    side = math.isqrt(np.size(pixels))
    if side * side != np.size(pixels):
        raise ValueError(f"{np.size(pixels)} values do not make a square image")
    return side


def _figure(layout="tight", **options):
    figure = _extras.require("matplotlib.figure", "plots and pictures need matplotlib", "plots")
    return figure.Figure(layout=layout, **options)


def _save(figure, path):
    """The figure, written to ``path`` first if one is given."""
    if path is None:
        return figure
    path = os.fspath(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):  # a FIFO would block the write for good
        raise OSError(f"{path}: cannot write the picture (it exists and is not a regular file)")
    try:
        figure.savefig(path, dpi=100)
    except (OSError, ValueError) as exc:
        raise OSError(f"{path}: cannot write the picture ({exc})") from None
    return figure
