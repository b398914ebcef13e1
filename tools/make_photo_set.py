"""Write MNIST test digits as photo-like pictures: dark ink on uneven, tinted paper.

    python tools/make_photo_set.py OUT_DIR [--count N] [--seed S] [--mnist DIR]

Each digit is enlarged onto a canvas of its own size and shape (80 to 400
pixels a side), placed off-centre, written with ink of varied darkness and
colour on paper with a tint, a slope of light, a vignette and grain,
slightly blurred, then saved as one of the picture kinds in KINDS: JPEG at
several qualities, PNG in modes L, RGB, RGBA (clear paper), I;16, P and 1
(dithered, or black and white against the paper around each pixel, as a
scanner makes it), JPEG with an EXIF orientation (the pixels stored turned
accordingly), and the photo's negative (light on dark). Six kinds change the
page itself, saved as a phone's JPEG: ruled and squared paper, pencil, a
shadow across the page, the photo slightly turned, and chalk on a dark
board under the same uneven light. Files are named ``0042_label7_rgb.jpg``; the
labels are also in OUT_DIR/labels.csv (file,label,kind). Uses the embedded
MNIST sample unless --mnist names a full set.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys

import numpy as np
from PIL import Image, ImageFilter

from ffnn.datasets import load_mnist, load_sample

# Picture kinds, each with the file suffix it is saved as.
KINDS = {
    "jpeg95": "jpg", "jpeg75": "jpg", "jpeg40": "jpg", "gray": "png", "rgb": "png", "rgba": "png",
    "gray16": "png", "palette": "png", "bilevel": "png", "exif": "jpg", "chalk": "png",
    # The page itself differs: ruled or squared paper, pencil, a shadow
    # across the page, the phone held slightly turned, chalk on a lit board.
    "lined": "jpg", "squared": "jpg", "pencil": "jpg", "shadow": "jpg", "rotated": "jpg", "board": "jpg",
}
# EXIF orientation -> the turn that stores an upright picture so that a
# viewer applying the orientation shows it upright again.
STORED_TURN = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def photo(digit: np.ndarray, rng: np.random.Generator, kind: str = "rgb") -> np.ndarray:
    """A 28 x 28 MNIST digit (bright ink) as an RGB photo of dark ink on paper, uint8.

    `kind` changes the page for the kinds that are about the page (lined,
    squared, pencil, shadow, rotated, board); the others are saved from
    the same photo.
    """
    width, height = (int(v) for v in rng.integers(80, 401, 2))
    # The digit's 20-pixel box becomes 30 % to 80 % of the short side.
    scale = rng.uniform(0.3, 0.8) * min(width, height) / 20
    side = max(28, round(28 * scale))
    upright = Image.fromarray(digit)
    if kind == "rotated":  # the phone held a little turned
        upright = upright.rotate(float(rng.choice([-1, 1]) * rng.uniform(4, 12)), Image.Resampling.BICUBIC)
    ink = np.asarray(upright.resize((side, side), Image.Resampling.BICUBIC), np.float64) / 255
    ink = np.clip(ink, 0, 1) ** rng.uniform(0.7, 1.4)  # pen pressure: thicker or thinner looking strokes
    if kind in ("pencil", "board"):
        # Graphite and chalk leave grains: the paper or board shows through
        # the stroke in specks narrower than the stroke.
        grains = _blurred_noise(side, side, rng, max(0.5, scale / 4)) * 0.5 + 0.5
        ink *= 1 - rng.uniform(0.2, 0.45) * np.clip(grains, 0, 1)
    coverage = np.zeros((height, width))
    margin = round(4 * scale)  # MNIST's empty rim around the 20-pixel box may leave the canvas
    top = int(rng.integers(-margin, max(-margin, height - side + margin) + 1))
    left = int(rng.integers(-margin, max(-margin, width - side + margin) + 1))
    _paste(coverage, ink * rng.uniform(0.55, 1.0), top, left)
    lines = np.zeros((height, width))
    if kind in ("lined", "squared"):
        # Ruled lines a little more than a digit's height apart (a digit is
        # written between two), squares half that; thinner and paler than
        # the pen.
        spacing = 20 * scale * (rng.uniform(1.1, 1.5) if kind == "lined" else rng.uniform(0.45, 0.6))
        thickness = max(1.0, scale * rng.uniform(0.3, 0.6))
        offset = rng.uniform(0, spacing)
        rows = np.arange(height)[:, None] + np.zeros((1, width))
        lines = np.maximum(lines, ((rows + offset) % spacing < thickness) * 1.0)
        if kind == "squared":
            cols = np.arange(width)[None, :] + np.zeros((height, 1))
            lines = np.maximum(lines, ((cols + offset) % spacing < thickness) * 1.0)
        lines *= rng.uniform(0.25, 0.5)

    y, x = np.mgrid[0:1:height * 1j, 0:1:width * 1j]
    angle = rng.uniform(0, 2 * np.pi)
    slope = (x - 0.5) * np.cos(angle) + (y - 0.5) * np.sin(angle)
    vignette = (x - rng.uniform(0.2, 0.8)) ** 2 + (y - rng.uniform(0.2, 0.8)) ** 2
    light = 1 + rng.uniform(0.2, 0.7) * slope - rng.uniform(0, 0.6) * vignette
    if kind == "shadow":
        # A hand's or phone's shadow: a soft-edged band of less light that
        # may cross the digit.
        across = (x - rng.uniform(0.2, 0.8)) * np.cos(angle) + (y - rng.uniform(0.2, 0.8)) * np.sin(angle)
        light *= 1 - rng.uniform(0.3, 0.55) / (1 + np.exp(-across / rng.uniform(0.01, 0.05)))
    light *= rng.uniform(0.75, 1.0) / light.max()
    grain = _blurred_noise(height, width, rng, rng.uniform(1, 6)) * rng.uniform(2, 10)

    paper = 255 - rng.uniform(0, [15, 30, 60])  # white to yellowish
    pen = rng.choice([[20, 20, 30], [30, 40, 120], [60, 60, 60], [90, 30, 30]]) + rng.uniform(0, 40, 3)
    if kind == "pencil":
        pen = np.full(3, rng.uniform(60, 110))
    elif kind == "board":  # chalk on a dark green or black board
        paper = rng.choice([[40, 60, 50], [35, 35, 40]]) + rng.uniform(0, 25, 3)
        pen = 235 - rng.uniform(0, 30, 3)
    ruling = np.array([150, 180, 230]) if rng.random() < 0.7 else np.array([160, 160, 160])
    colour = paper + lines[..., None] * (ruling - paper)
    colour = colour + coverage[..., None] * (pen - colour)
    picture = colour * light[..., None] + grain[..., None] + rng.normal(0, rng.uniform(1, 5), (height, width, 1))
    blurred = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))
    return np.asarray(blurred.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5) * scale / 4)))


def _paste(canvas: np.ndarray, patch: np.ndarray, top: int, left: int) -> None:
    """`patch` written into `canvas` at (top, left), clipped at the canvas's edges."""
    rows = slice(max(top, 0), min(top + patch.shape[0], canvas.shape[0]))
    cols = slice(max(left, 0), min(left + patch.shape[1], canvas.shape[1]))
    canvas[rows, cols] = patch[rows.start - top:rows.stop - top, cols.start - left:cols.stop - left]


def _blurred_noise(height: int, width: int, rng: np.random.Generator, radius: float) -> np.ndarray:
    """Paper texture: noise blurred to blotches `radius` pixels wide, unit spread."""
    noise = Image.fromarray(rng.normal(128, 40, (height, width)).clip(0, 255).astype(np.uint8))
    blotches = np.asarray(noise.filter(ImageFilter.GaussianBlur(radius)), np.float64)
    return (blotches - blotches.mean()) / max(blotches.std(), 1e-9)


def _paper_around(gray: Image.Image) -> np.ndarray:
    """The paper's brightness around each pixel: the brightest nearby, ink being darker, smoothed."""
    small = gray.reduce(8) if min(gray.size) >= 40 else gray
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2)).resize(gray.size,
                                                                                          Image.Resampling.BILINEAR)
    return np.asarray(paper, np.float64)


def save(rgb: np.ndarray, kind: str, path: str, rng: np.random.Generator) -> None:
    """The photo saved as one picture kind."""
    picture = Image.fromarray(rgb)
    if kind.startswith("jpeg"):
        picture.save(path, quality=int(kind[4:]))
    elif kind in ("lined", "squared", "pencil", "shadow", "rotated", "board"):
        picture.save(path, quality=int(rng.integers(70, 96)))  # a phone's JPEG
    elif kind == "gray":
        picture.convert("L").save(path)
    elif kind == "rgb":
        picture.save(path)
    elif kind == "rgba":
        # Clear paper: the ink's darkness becomes its opacity; what lies under
        # clear pixels is black, as many drawing programs store it.
        gray = np.asarray(picture.convert("L"), np.float64)
        paper = np.asarray(picture.convert("L").filter(ImageFilter.MaxFilter(9)), np.float64)
        opacity = np.clip((paper - gray) / np.maximum(paper, 1) * 2.5 - 0.25, 0, 1)
        colour = np.where(opacity[..., None] > 0, rgb, 0).astype(np.uint8)
        Image.fromarray(np.dstack([colour, np.rint(opacity * 255).astype(np.uint8)])).save(path)
    elif kind == "gray16":
        gray = np.asarray(picture.convert("L"), np.float64) * 257 + rng.uniform(0, 256, rgb.shape[:2])
        Image.fromarray(np.clip(gray, 0, 65535).astype(np.uint16)).save(path)
    elif kind == "palette":
        picture.quantize(int(rng.choice([16, 64, 256]))).save(path)
    elif kind == "bilevel":
        gray = picture.convert("L")
        if rng.random() < 0.5:
            gray.convert("1").save(path)  # Floyd-Steinberg dithering, as a fax or cheap scanner
        else:
            # Black and white as a scanner or a phone's scanning mode makes
            # it: each pixel against the paper around it (the page's light
            # taken out), black where it is clearly darker.
            black = np.asarray(gray, np.float64) < rng.uniform(0.65, 0.85) * _paper_around(gray)
            Image.fromarray(np.where(black, 0, 255).astype(np.uint8)).convert("1", dither=Image.Dither.NONE).save(path)
    elif kind == "exif":
        orientation = int(rng.choice(list(STORED_TURN)))
        exif = Image.Exif()
        exif[0x0112] = orientation
        picture.transpose(STORED_TURN[orientation]).save(path, quality=90, exif=exif)
    elif kind == "chalk":
        Image.fromarray(255 - rgb).convert("L").save(path)
    else:
        raise ValueError(f"unknown picture kind {kind!r}")


def make_photo_set(out_dir, count: int = 200, seed: int = 0, mnist_dir=None) -> list[tuple[str, int, str]]:
    """Write `count` pictures into `out_dir`: (file name, label, kind) of each, also in labels.csv."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    data = load_mnist(mnist_dir) if mnist_dir else load_sample()
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(data.test_images), count, replace=count > len(data.test_images))
    kinds = list(KINDS)
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    for k, index in enumerate(chosen):
        kind = kinds[k % len(kinds)]
        label = int(data.test_labels[index])
        name = f"{k:04d}_label{label}_{kind}.{KINDS[kind]}"
        save(photo(data.test_images[index].reshape(28, 28), rng, kind), kind, os.path.join(out_dir, name), rng)
        rows.append((name, label, kind))
    with open(os.path.join(out_dir, "labels.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "label", "kind"])
        writer.writerows(rows)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--count", type=int, default=200, help="how many pictures (default: 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice (default: 0)")
    parser.add_argument("--mnist", metavar="DIR", help="full MNIST to draw the test digits from")
    args = parser.parse_args(argv)
    rows = make_photo_set(args.out_dir, args.count, args.seed, args.mnist)
    print(f"{len(rows)} pictures written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
