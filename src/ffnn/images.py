"""Pictures in: your own handwriting read the way MNIST was made.

MNIST's digits were cropped to their ink, scaled to fit a 20 x 20 box
keeping their aspect ratio, and placed in a 28 x 28 field with their centre
of mass in the middle, as bright strokes on a black ground. `prepare_image`
does the same to a photo or scan of one handwritten digit: it turns the
picture upright (EXIF), finds the paper and the ink in the picture itself
(uneven light, tinted or textured paper), maps paper to 0 and ink to 255,
and crops, scales and centres. `load_image` gives the book's 784 inputs.

Needs Pillow (``pip install 'ffnn[images]'``).
"""
from __future__ import annotations

import os
import struct
import warnings

import numpy as np

from ffnn import _extras
from ffnn.datasets import scale_inputs

SIDE = 28  # MNIST images are 28 x 28 pixels
BOX = 20  # ... with the digit scaled to fit 20 x 20 inside them
WORKING_SIDE = 96  # the digit is first looked for on the picture reduced to this short side
DIGIT_SIDE = 64  # ... then read again from a crop where its long side is this (area averaging)
GROUND_BLOCKS = 12  # the paper's brightness is estimated in about this many blocks along the long side
SIDE_BLOCKS = 5  # ... and which side the ink lies on in this many, wider than any stroke
LIGHT_INK = 0.6  # ink on clear film brighter than this is light ink, laid on black
DITHER_BLUR = 1.0  # 1-bit pictures are blurred this much (pixels) into gray before reading
RIM = 0.25  # the crop around the digit reaches this share of its size beyond it
LABEL_SIDE = 128  # ink is grouped into pieces on a copy this size, which joins broken strokes
PIECE_SHARE = 0.02  # pieces of ink lighter than this share of the heaviest are specks, not digit
HEAVY_SHARE = 0.25  # pieces at least this share of the heaviest belong to the digit wherever they are
NEAR = 0.25  # ... lighter ones only within this share of the heaviest piece's size from it
EDGE_SHARE = 0.4  # a piece with this share of its length on the picture's edge lies along it
INNER_SHARE = 0.1  # ... and is not the digit when a piece inside has this share of its weight
PAPER_REACH = 0.3  # the paper under a stroke is looked for this share of the digit's size around it

# Errors a damaged or foreign file can raise inside Pillow's decoders.
_DECODE_ERRORS = (OSError, ValueError, EOFError, SyntaxError, struct.error, IndexError, KeyError,
                  ZeroDivisionError)


def load_image(path, *, invert: bool | None = None, dtype=np.float64) -> np.ndarray:
    """A picture of one handwritten digit as the book's 784 inputs.

    The 28 x 28 pixels of `prepare_image`, scaled like every input:
    ``x / 255 * 0.99 + 0.01``. ``invert=None`` tells dark writing on light
    paper from light writing on a dark ground by itself; True (dark on light,
    so the values are flipped) or False (light on dark, as MNIST) forces it.
    """
    return scale_inputs(prepare_image(path, invert=invert), dtype)


def prepare_image(path, *, invert: bool | None = None) -> np.ndarray:
    """The 784 uint8 pixels the network sees for a picture: ink 255, paper 0.

    A picture that already is 28 x 28 is taken as it is: grayscale, and
    flipped (``255 - x``, the book's own step) if it is dark on light. Any
    other size is read as MNIST was made (see the module's docstring).
    Raises FileNotFoundError for a missing file and ValueError, naming the
    file, for one that is not a readable picture, is too large to be one
    (a decompression bomb) or holds no ink.
    """
    path = os.fspath(path)
    return prepare_gray(read_gray(path), invert=invert, name=path)


def prepare_gray(gray: np.ndarray, *, invert: bool | None = None, name: str = "the picture") -> np.ndarray:
    """``prepare_image`` of a picture already read by ``read_gray``; errors name ``name``."""
    path = name
    if gray.shape != (SIDE, SIDE) and np.unique(gray[::7, ::7]).size <= 2 and np.unique(gray).size <= 2:
        # A 1-bit picture (dithered or thresholded) shows gray as the share
        # of black dots in an area: blurred, it is gray again.
        gray = _blurred(gray, DITHER_BLUR)
    dark_ink = _is_dark_ink(gray) if invert is None else bool(invert)
    if gray.shape == (SIDE, SIDE):
        pixels = np.rint(gray * 255).astype(np.uint8)
        if dark_ink:
            pixels = 255 - pixels
        if pixels.min() == pixels.max():
            raise ValueError(f"{path}: no ink found (the picture is one flat colour)")
        return pixels.reshape(SIDE * SIDE)
    ink = ink_map(gray if dark_ink else 1.0 - gray, path)
    return np.rint(_as_mnist(ink) * 255).astype(np.uint8).reshape(SIDE * SIDE)


def read_gray(path) -> np.ndarray:
    """A picture as grayscale 0..1 (float64), upright, transparency laid on its paper."""
    Image = _pillow()
    from PIL import ImageOps

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such image file")
    try:
        with warnings.catch_warnings():
            # A picture with more pixels than Pillow's limit may be a
            # decompression bomb: refused, not just warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                picture.load()
                picture = ImageOps.exif_transpose(picture)
                picture_mode = picture.mode
                channels, alpha, full = _channels(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"{path}: too many pixels to be a picture of a digit ({exc})") from None
    except _DECODE_ERRORS as exc:
        raise ValueError(f"{path}: not an image Pillow can read ({exc})") from None
    if not np.isfinite(channels).all():
        raise ValueError(f"{path}: not an image of finite pixel values")
    low = min(0.0, float(channels.min()))
    if picture_mode.startswith("I") or picture_mode == "F":
        # 16-bit, 32-bit and float pictures often use a small part of their
        # range (a 12-bit sensor): their brightest value is taken as white.
        full = max(float(channels.max()), low + 1e-12)
    gray = _luminance((channels - low) / (full - low))
    if alpha is not None:
        gray = _lay_on_paper(gray, alpha)
    return gray


def _channels(picture):
    """Pixel values (H, W[, 3]) as float64, alpha 0..1 or None, and the value of full white."""
    mode = picture.mode
    if mode in ("La", "RGBa"):
        picture = picture.convert(mode[:-1] + "A")
    elif mode in ("P", "PA") or "transparency" in picture.info and mode in ("1", "L", "RGB"):
        picture = picture.convert("RGBA")
    elif mode == "1":
        picture = picture.convert("L")
    elif mode not in ("L", "LA", "RGB", "RGBA", "F") and not mode.startswith("I"):
        picture = picture.convert("RGB")  # CMYK, YCbCr, LAB, HSV, ...
    mode = picture.mode
    values = np.asarray(picture).astype(np.float64)
    alpha = None
    if mode in ("LA", "RGBA"):
        values, alpha = values[..., :-1], values[..., -1] / 255.0
        if alpha.min() >= 1.0:
            alpha = None
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[..., 0]
    return values, alpha, _full_scale(mode, values)


def _full_scale(mode: str, values: np.ndarray) -> float:
    """The value of white: 255 for 8 bits, 65535 for 16; for I and F, the range the data uses."""
    if mode.startswith("I;16"):
        return 65535.0
    if mode in ("I", "F"):
        top = float(values.max()) if values.size else 1.0
        for full in (1.0, 255.0, 65535.0):
            if top <= full:
                return full
        return top
    return 255.0


def _luminance(values: np.ndarray) -> np.ndarray:
    if values.ndim == 2:
        return values
    return values @ np.array([0.299, 0.587, 0.114])  # ITU-R 601, as Pillow's "L"


def _lay_on_paper(gray: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Transparent parts shown on the paper's colour.

    The paper is most of a picture. When most of it is opaque, the paper's
    colour is the opaque part's majority (the median). When most of it is
    clear, the opaque part is ink drawn on clear film, perhaps with specks
    of paper left opaque (a palette picture whose paper colour alone was
    made transparent), and the paper is white, as a viewer shows it, unless
    the opaque part is light throughout (light ink, no dark at all): then
    black, so that the ink still stands out.
    """
    opaque = gray[alpha >= 0.5]
    if opaque.size == 0:
        paper = 1.0
    elif opaque.size < gray.size / 2:
        paper = 0.0 if np.percentile(opaque, 10) >= LIGHT_INK else 1.0
    else:
        paper = float(np.median(opaque))
    return alpha * gray + (1.0 - alpha) * paper


def _is_dark_ink(gray: np.ndarray) -> bool:
    """Whether the writing is darker than its ground.

    The ink is the rare tail of the values once the ground's slow changes
    (light, tint) are taken out, in blocks wider than a stroke: below for
    dark ink, above for light ink. When both tails are alike, the ink is
    the smaller side of Otsu's cut; when that is about even (a picture half
    ink), the border, which is mostly ground, decides, and when that too is
    even, the book's case: dark on light.
    """
    small = _reduced(gray, LABEL_SIDE)
    rest = small - _ground(small, 50, blocks=SIDE_BLOCKS)
    middle = np.median(rest)
    below, above = middle - np.percentile(rest, 2), np.percentile(rest, 98) - middle
    # A tail within a grey level of nothing is no tail: on clean paper with
    # thin strokes both are zero but for rounding.
    level = 1 / 255
    if below > 1.5 * above + level:
        return True
    if above > 1.5 * below + level:
        return False
    dark_share = np.mean(rest < _otsu(rest))
    if abs(dark_share - 0.5) > 0.1:
        return bool(dark_share < 0.5)
    border = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    return not np.mean(border > _otsu(small)) < 0.25


def ink_map(paper_light: np.ndarray, path="the picture") -> np.ndarray:
    """Dark ink on light paper (0..1) as the digit's ink alone: 1 ink, 0 paper.

    Found twice: on the whole picture (reduced) to locate the digit, then on
    a crop around it reduced to DIGIT_SIDE, where averaging has smoothed
    away grain, dither and JPEG noise while the strokes stay sharp enough
    for a 20-pixel box.
    """
    # Reduced by its short side, so a digit on a long narrow strip keeps
    # enough pixels to be found; the long side is capped to bound the work.
    working = min(max(paper_light.shape), WORKING_SIDE * max(paper_light.shape) // min(paper_light.shape),
                  3 * WORKING_SIDE)
    coarse = _reduced(paper_light, working)
    ink, keep = _ink(coarse, path, PAPER_REACH * min(coarse.shape))
    rows, cols = np.nonzero(keep)
    scale = paper_light.shape[0] / coarse.shape[0], paper_light.shape[1] / coarse.shape[1]
    top, bottom = rows.min() * scale[0], (rows.max() + 1) * scale[0]
    left, right = cols.min() * scale[1], (cols.max() + 1) * scale[1]
    side = max(bottom - top, right - left)  # the digit's long side in the picture
    rim = RIM * side
    top, left = max(0, int(top - rim)), max(0, int(left - rim))
    bottom, right = int(np.ceil(bottom + rim)), int(np.ceil(right + rim))
    crop = paper_light[top:bottom, left:right]
    crop = _reduced(crop, max(8, int(max(crop.shape) * min(1.0, DIGIT_SIDE / side))))
    ink, keep = _ink(crop, path, PAPER_REACH * side * max(crop.shape) / max(bottom - top, right - left))
    return ink * keep


def _ink(gray: np.ndarray, path, reach: float):
    """Ink 0..1 of dark writing on light paper, and where the digit's pieces are.

    The paper at each pixel is the brightest within `reach` (wider than any
    stroke), then the darkest such value within reach: a closing, which
    takes the ink away yet follows the sharp edge of a shadow or of the
    page, unlike a smooth ground; where the block-wise ground is lower
    (grain, a tiny bright speck), that is taken.
    """
    size = max(3, int(reach) | 1)
    closed = _running(_running(gray, size, np.max), size, np.min)
    surface = np.maximum(np.minimum(_blurred(closed, size / 6), _ground(gray, 90, close=True)), 1e-3)
    darkness = 1.0 - gray / surface
    # The paper is most of the picture: its level is the median, its noise
    # the spread below the median (above it lies the ink). Ink stands well
    # above that noise; Otsu's threshold, better when there is much ink, is
    # taken when it is higher.
    level = np.median(darkness)
    noise = _paper_noise(darkness)
    strokes = darkness > max(_otsu(darkness), level + 4 * noise)
    if not strokes.any() or np.median(darkness[strokes]) - level < max(4.5 * noise, 0.05):
        raise ValueError(f"{path}: no ink found (nothing stands out from the paper)")
    floor = level + 3 * noise
    full = np.percentile(darkness[strokes], 90)
    ink = np.clip((darkness - floor) / max(full - floor, 1e-6), 0.0, 1.0)
    return ink, _digit_pieces(strokes, ink)


def _paper_noise(darkness: np.ndarray) -> float:
    """The paper's noise: the typical spread below the median (above it lies the ink) in blocks.

    Measured block by block, as the 10th percentile's distance below the
    median (a normal spread's 10th percentile lies 1.28 deviations down),
    and the blocks' median taken: a shadow's edge or a dark corner that the
    paper's estimate does not follow widens the spread of a few blocks only,
    not the noise of the whole picture.
    """
    cells = _cells(darkness, GROUND_BLOCKS)
    middle, low = np.percentile(cells, [50, 10], axis=2)
    whole = np.percentile(darkness, 50) - np.percentile(darkness, 10)
    # A picture without noise (drawn, not photographed) has none in most
    # blocks: then the spread of the whole, halved, still tells its ground
    # from its ink.
    return max(float(np.median(middle - low)), whole / 2) / 1.2816


def _cells(values: np.ndarray, blocks: int) -> np.ndarray:
    """`values` cut into about `blocks` square blocks along the long side: (rows, cols, pixels of a block)."""
    block = max(2, -(-max(values.shape) // blocks))
    rows, cols = -(-values.shape[0] // block), -(-values.shape[1] // block)
    padded = np.pad(values, ((0, rows * block - values.shape[0]), (0, cols * block - values.shape[1])),
                    mode="edge")
    return padded.reshape(rows, block, cols, block).transpose(0, 2, 1, 3).reshape(rows, cols, -1)


def _ground(values: np.ndarray, percentile: float, close: bool = False,
            blocks: int = GROUND_BLOCKS) -> np.ndarray:
    """The slowly changing ground under the writing (uneven light, tint), at every pixel.

    The picture is cut into about `blocks` blocks along its long side;
    each block's ground is a percentile of its values (the paper is most of
    a block), optionally closed (a block filled with ink takes its
    neighbours' paper), and the grid is interpolated back smoothly.
    """
    block = max(2, -(-max(values.shape) // blocks))
    cells = _cells(values, blocks)
    rows, cols = cells.shape[:2]
    grounds = np.percentile(cells, percentile, axis=2)
    if close:
        grounds = _neighbourhood(_neighbourhood(grounds, np.max), np.min)
    # Block centres sit `block` pixels apart; between them the ground is
    # interpolated, beyond the outer ones extrapolated (light keeps falling
    # off towards a dark corner), both linearly.
    across = _linear_weights(values.shape[0], rows, block)
    along = _linear_weights(values.shape[1], cols, block)
    return across @ grounds @ along.T


def _linear_weights(n: int, cells: int, block: int) -> np.ndarray:
    """(n, cells) weights that interpolate cell values, `block` pixels apart, at n pixels."""
    weights = np.zeros((n, cells))
    if cells == 1:
        weights[:, 0] = 1.0
        return weights
    position = (np.arange(n) + 0.5) / block - 0.5  # in cells, 0 at the first cell's centre
    first = np.clip(np.floor(position).astype(int), 0, cells - 2)
    share = position - first
    weights[np.arange(n), first] = 1.0 - share
    weights[np.arange(n), first + 1] = share
    return weights


def _neighbourhood(grid: np.ndarray, reduce, **padding) -> np.ndarray:
    """Each cell replaced by `reduce` (np.max, np.min) over its 3 x 3 neighbourhood.

    Beyond the edges the grid continues in a straight line unless `padding`
    (np.pad's options) says otherwise, so a steady slope of light is left as
    it is, up to the picture's corners.
    """
    if not padding:
        padding = {"mode": "reflect", "reflect_type": "odd"} if min(grid.shape) > 1 else {"mode": "edge"}
    padded = np.pad(grid, 1, **padding)
    rows, cols = grid.shape
    return reduce([padded[i:i + rows, j:j + cols] for i in range(3) for j in range(3)], axis=0)


def _otsu(values: np.ndarray) -> float:
    """Otsu's threshold: the cut that best separates the values into two classes."""
    if values.max() <= values.min():
        return float(values.min())
    counts, edges = np.histogram(values, bins=256)
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(counts)
    total = weight[-1]
    mass = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        low_mean = mass / weight
        high_mean = (mass[-1] - mass) / (total - weight)
        between = weight * (total - weight) * (low_mean - high_mean) ** 2
    return float(edges[1:][np.nanargmax(between[:-1])]) if len(counts) > 1 else float(centres[0])


def _digit_pieces(strokes: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """1 on the pieces of ink that make the digit, 0 elsewhere, at the size of `strokes`."""
    factor = max(1, -(-max(strokes.shape) // LABEL_SIDE))
    rows, cols = -(-strokes.shape[0] // factor), -(-strokes.shape[1] // factor)
    padded = np.zeros((rows * factor, cols * factor), bool)
    padded[:strokes.shape[0], :strokes.shape[1]] = strokes
    coarse = np.asarray(padded.reshape(rows, factor, cols, factor).any(axis=(1, 3)))
    labels = _label_pieces(coarse)
    weighted = np.zeros(padded.shape)
    weighted[:ink.shape[0], :ink.shape[1]] = ink * strokes
    mass = np.bincount(labels.ravel(), weighted.reshape(rows, factor, cols, factor).sum(axis=(1, 3)).ravel())
    mass[0] = 0.0  # label 0 is the paper
    along_edge = _along_edge(labels, len(mass))
    if (mass * ~along_edge).max() >= INNER_SHARE * mass.max():
        # A shadow's edge, a dark corner or the page's edge, taken as ink,
        # lies along the picture's edge: not the digit when a piece of
        # weight lies inside (else the digit itself runs along the edge).
        mass = mass * ~along_edge
    # The digit: its heaviest piece, the pieces nearly as heavy, and the
    # smaller ones lying within reach of the heaviest (a broken stroke);
    # specks and blotches of the paper farther off are dropped.
    main = np.argmax(mass)
    rows_of, cols_of = np.nonzero(labels == main)
    reach = NEAR * max(int(np.ptp(rows_of)), int(np.ptp(cols_of)), 1)
    near = np.zeros(len(mass), bool)
    near_rows, near_cols = np.mgrid[:rows, :cols]
    around = ((near_rows >= rows_of.min() - reach) & (near_rows <= rows_of.max() + reach)
              & (near_cols >= cols_of.min() - reach) & (near_cols <= cols_of.max() + reach))
    near[np.unique(labels[around])] = True
    kept = (mass >= HEAVY_SHARE * mass[main]) | near & (mass >= PIECE_SHARE * mass[main])
    kept[0] = False
    keep = np.repeat(np.repeat(kept[labels], factor, axis=0), factor, axis=1)
    return keep[:strokes.shape[0], :strokes.shape[1]]


def _along_edge(labels: np.ndarray, count: int) -> np.ndarray:
    """For each of `count` labels, whether its piece lies along the picture's edge.

    A digit cut by the edge meets it across a stroke or two; a shadow's
    edge, a dark corner or the page's edge runs along it: it covers at
    least EDGE_SHARE of its own length on the picture's outermost pixels.
    """
    rim = np.concatenate([labels[0], labels[-1], labels[1:-1, 0], labels[1:-1, -1]])
    contact = np.bincount(rim, minlength=count)
    rows, cols = np.nonzero(labels)
    found = labels[rows, cols]
    length = np.ones(count)
    for axis in (rows, cols):
        low = np.full(count, np.iinfo(np.int64).max)
        high = np.full(count, -1)
        np.minimum.at(low, found, axis)
        np.maximum.at(high, found, axis)
        length = np.maximum(length, high - low + 1)
    edge = contact >= EDGE_SHARE * length
    edge[0] = False
    return edge


def _label_pieces(mask: np.ndarray) -> np.ndarray:
    """Connected pieces of a boolean mask (8 neighbours): 0 off the mask, 1.. on it."""
    rows, cols = mask.shape
    big = rows * cols + 1
    labels = np.where(mask, np.arange(1, big).reshape(rows, cols), big)
    while True:
        spread = np.where(mask, _neighbourhood(labels, np.min, constant_values=big), big)
        if np.array_equal(spread, labels):
            break
        labels = spread
    found, compact = np.unique(np.where(mask, labels, 0), return_inverse=True)
    compact = compact.reshape(rows, cols)
    return compact if found[0] == 0 else compact + 1


def _as_mnist(ink: np.ndarray) -> np.ndarray:
    """Ink (0..1) cropped to its bounding box, fitted to 20 x 20 and centred by mass in 28 x 28."""
    Image = _pillow()
    rows, cols = np.nonzero(ink > 0)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    height, width = crop.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    fitted = Image.fromarray(crop.astype(np.float32)).resize(size, Image.Resampling.LANCZOS)
    box = np.clip(np.asarray(fitted, dtype=np.float64), 0.0, None)
    # MNIST's strokes are full white along their cores, soft only at their
    # edges: about half of a digit's ink pixels are near 255. The median of
    # the ink's pixels is made full white.
    box /= box.max()
    box = np.clip(box / np.median(box[box > 0.05]), 0.0, 1.0)
    y, x = np.mgrid[:box.shape[0], :box.shape[1]]
    centre_y, centre_x = (box * y).sum() / box.sum(), (box * x).sum() / box.sum()
    top = int(np.clip(round(SIDE / 2 - centre_y), 0, SIDE - box.shape[0]))
    left = int(np.clip(round(SIDE / 2 - centre_x), 0, SIDE - box.shape[1]))
    field = np.zeros((SIDE, SIDE))
    field[top:top + box.shape[0], left:left + box.shape[1]] = box
    return field


def _running(values: np.ndarray, size: int, reduce) -> np.ndarray:
    """`reduce` (np.max, np.min) over the size x size square around each pixel, edges continued."""
    from numpy.lib.stride_tricks import sliding_window_view

    half = size // 2
    padded = np.pad(values, half, mode="edge")
    across = reduce(sliding_window_view(padded, size, axis=1), axis=-1)
    return reduce(sliding_window_view(across, size, axis=0), axis=-1)


def _blurred(values: np.ndarray, sigma: float) -> np.ndarray:
    """`values` blurred by a Gaussian of `sigma` pixels (separably), edges continued."""
    reach = max(1, int(np.ceil(3 * sigma)))
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(values, reach, mode="edge")
    down = sum(w * padded[i:i + values.shape[0]] for i, w in enumerate(kernel))
    return sum(w * down[:, i:i + values.shape[1]] for i, w in enumerate(kernel))


def _reduced(values: np.ndarray, side: int) -> np.ndarray:
    """`values` with its long side reduced to `side` by area averaging, if it is longer."""
    if max(values.shape) <= side:
        return values
    Image = _pillow()
    scale = side / max(values.shape)
    size = (max(1, round(values.shape[1] * scale)), max(1, round(values.shape[0] * scale)))
    picture = Image.fromarray(values.astype(np.float32)).resize(size, Image.Resampling.BOX)
    return np.asarray(picture, dtype=np.float64)


def require_pillow() -> None:
    """Raise ImportError, naming the extra to install, unless Pillow can be imported."""
    _pillow()


def _pillow():
    return _extras.require("PIL.Image", "reading images needs Pillow", "images")
