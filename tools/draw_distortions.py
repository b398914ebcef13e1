"""Draw docs/distortions.png: one digit of the bundled sample under a few random distortions.

    python tools/draw_distortions.py [OUT.png]

Rows: the affine distortions alone, the elastic ones alone, both (as
``ffnn.recipes.best()`` trains), and Simard et al.'s stronger elastic
field (alpha 34, sigma 4) for comparison; the first column is the digit as it
is. Needs matplotlib.
"""
from __future__ import annotations

import os
import sys

import numpy as np
from matplotlib.figure import Figure

import ffnn
from ffnn.datasets import load_sample, scale_inputs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = [
    ("affine: ±10°, ±10 %, ±2 px", ffnn.Distortion(rotate=10, scale=0.1, shift=2)),
    ("elastic: α 8, σ 3", ffnn.Distortion(elastic=(8, 3))),
    ("both (recipes.best())", ffnn.recipes.best().distort),
    ("elastic: α 34, σ 4", ffnn.Distortion(elastic=(34, 4))),
]
COPIES = 6


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "distortions.png")
    digit = load_sample().train_images[0]
    figure = Figure(figsize=(1.1 * (COPIES + 1) + 1.6, 1.2 * len(ROWS)))
    grid = figure.subplots(len(ROWS), COPIES + 1)
    for row, (label, distortion) in enumerate(ROWS):
        copies = distortion.apply(np.repeat(digit[None], COPIES, axis=0), seed=row)
        pictures = [scale_inputs(digit)] + list(copies)
        for column, picture in enumerate(pictures):
            axes = grid[row, column]
            axes.imshow(np.reshape(picture, (28, 28)), cmap="Greys", vmin=0, vmax=1)
            axes.set_xticks([])
            axes.set_yticks([])
        grid[row, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    grid[0, 0].set_title("as drawn", fontsize=8)
    figure.subplots_adjust(left=0.2, right=0.99, top=0.92, bottom=0.02, wspace=0.05, hspace=0.08)
    figure.savefig(out, dpi=100)
    print(f"drawn in {out}")


if __name__ == "__main__":
    main()
