"""load_image: your own handwriting as the book's inputs, drawn by the tests themselves."""
import os
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

import ffnn
from ffnn.images import load_image, prepare_image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))


def draw_one(size=28, mode="L", paper="white", ink="black"):
    """A '1' in dark ink on light paper: a vertical bar in the middle."""
    picture = Image.new(mode, (size, size), paper)
    ImageDraw.Draw(picture).rectangle((size * 12 // 28, size // 7, size * 15 // 28 - 1, size * 6 // 7), fill=ink)
    return picture


def draw_seven(width=200, height=160, at=(60, 30), scale=1.0):
    """A '7' in black on white (8-bit gray), its top-left corner at `at`, 100 x 100 at scale 1."""
    picture = Image.new("L", (width, height), 255)
    x, y = at
    points = [(x, y), (x + 80 * scale, y), (x + 35 * scale, y + 100 * scale)]
    ImageDraw.Draw(picture).line(points, fill=0, width=max(2, round(12 * scale)), joint="curve")
    return picture


def centre_of_mass(pixels):
    image = pixels.reshape(28, 28).astype(np.float64)
    rows, cols = np.mgrid[:28, :28]
    return (image * rows).sum() / image.sum(), (image * cols).sum() / image.sum()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["png", "jpg"])
def test_dark_ink_becomes_the_books_bright_strokes(tmp_path, dtype, suffix):
    path = tmp_path / f"one.{suffix}"
    draw_one().save(path)
    inputs = load_image(path, dtype=dtype)
    assert inputs.shape == (784,) and inputs.dtype == dtype
    image = inputs.reshape(28, 28)
    tolerance = 0.001 if suffix == "png" else 0.05  # JPEG blurs edges a little
    assert image[14, 13] == pytest.approx(1.0, abs=tolerance)  # ink: 255 - 0, scaled
    assert image[1, 1] == pytest.approx(0.01, abs=tolerance)  # paper: 255 - 255, scaled
    assert 0.01 - 1e-6 <= image.min() and image.max() <= 1.0 + 1e-6


def test_png_inputs_are_exactly_the_books_formula(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "noise.png")
    expected = (255.0 - pixels.reshape(784)) / 255.0 * 0.99 + 0.01
    np.testing.assert_allclose(load_image(tmp_path / "noise.png"), expected, rtol=1e-15)
    np.testing.assert_allclose(load_image(tmp_path / "noise.png", invert=False), pixels.reshape(784) / 255 * 0.99 + 0.01)


def test_28_by_28_light_on_dark_is_taken_as_it_is(tmp_path, sample):
    Image.fromarray(sample.test_images[0].reshape(28, 28)).save(tmp_path / "mnist.png")
    np.testing.assert_array_equal(prepare_image(tmp_path / "mnist.png"), sample.test_images[0])
    np.testing.assert_array_equal(prepare_image(tmp_path / "mnist.png", invert=True), 255 - sample.test_images[0])


def test_large_colour_pictures_are_cropped_and_centred(tmp_path):
    draw_one(size=280, mode="RGB", paper=(250, 250, 240), ink=(0, 0, 80)).save(tmp_path / "big.png")
    image = load_image(tmp_path / "big.png").reshape(28, 28)
    assert image[14, 14] > 0.9 and image[1, 1] == pytest.approx(0.01)
    rows = np.flatnonzero(image.max(axis=1) > 0.01)
    assert rows[-1] - rows[0] + 1 == 20  # the bar's length fills the 20-pixel box
    assert image[:, 14].sum() > 5 * image[:, 3].sum()


def test_transparent_background_counts_as_paper(tmp_path):
    draw_one(mode="RGBA", paper=(0, 0, 0, 0), ink=(0, 0, 0, 255)).save(tmp_path / "clear.png")
    image = load_image(tmp_path / "clear.png").reshape(28, 28)
    assert image[1, 1] == pytest.approx(0.01) and image[14, 13] == pytest.approx(1.0)


def test_light_ink_on_clear_film_is_laid_on_dark_paper(tmp_path):
    seven = np.asarray(draw_seven(), np.uint8)
    alpha = 255 - seven  # white ink where the seven is, clear elsewhere: on white it would vanish
    Image.fromarray(np.dstack([np.full_like(seven, 255)] * 3 + [alpha])).save(tmp_path / "film.png")
    draw_seven().save(tmp_path / "seven.png")
    np.testing.assert_allclose(prepare_image(tmp_path / "film.png").astype(int),
                               prepare_image(tmp_path / "seven.png").astype(int), atol=2)


def as_mode(picture, mode):
    """The 8-bit gray picture in another Pillow mode, holding the same drawing."""
    values = np.asarray(picture, np.float64)
    if mode == "I;16":
        return Image.fromarray(np.rint(values * 257).astype(np.uint16))
    if mode == "I":
        return Image.fromarray(np.rint(values * 257).astype(np.int32))
    if mode == "F":
        return Image.fromarray((values / 255).astype(np.float32))
    if mode == "RGBA":
        return picture.convert("RGBA")
    return picture.convert(mode)


@pytest.mark.parametrize("mode", ["1", "L", "I;16", "I", "F", "P", "RGB", "RGBA", "LA"])
def test_every_mode_gives_the_same_digit(tmp_path, mode):
    picture = draw_seven()
    picture.save(tmp_path / "gray.png")
    path = tmp_path / f"seven.{'tiff' if mode in ('F', 'I') else 'png'}"
    as_mode(picture, mode).save(path)
    with Image.open(path) as saved:
        assert saved.mode.startswith(mode[0])  # really stored in that kind of mode
    np.testing.assert_allclose(prepare_image(path).astype(int), prepare_image(tmp_path / "gray.png").astype(int),
                               atol=3)


def test_12_bit_scan_in_16_bits_is_not_blank(tmp_path):
    values = np.asarray(draw_seven(), np.float64) / 255
    Image.fromarray(np.rint(300 + 3700 * values).astype(np.uint16)).save(tmp_path / "faint16.png")
    draw_seven().save(tmp_path / "seven.png")
    np.testing.assert_allclose(prepare_image(tmp_path / "faint16.png").astype(int),
                               prepare_image(tmp_path / "seven.png").astype(int), atol=3)


@pytest.mark.parametrize("orientation, stored_turn", [(3, Image.Transpose.ROTATE_180),
                                                      (6, Image.Transpose.ROTATE_90),
                                                      (8, Image.Transpose.ROTATE_270)])
def test_exif_orientation_is_applied(tmp_path, orientation, stored_turn):
    upright = draw_seven()
    upright.save(tmp_path / "upright.png")
    exif = Image.Exif()
    exif[0x0112] = orientation
    upright.transpose(stored_turn).save(tmp_path / "turned.png", exif=exif)
    np.testing.assert_array_equal(prepare_image(tmp_path / "turned.png"), prepare_image(tmp_path / "upright.png"))


@pytest.mark.parametrize("at, scale, size", [((60, 30), 1.0, (200, 160)), ((5, 5), 0.5, (300, 90)),
                                             ((200, 150), 2.0, (420, 380)), ((10, 40), 0.3, (40, 90))])
def test_position_and_size_do_not_matter(tmp_path, at, scale, size):
    draw_seven(*size, at=at, scale=scale).save(tmp_path / "moved.png")
    draw_seven(200, 200, at=(60, 50)).save(tmp_path / "centred.png")
    moved, centred = prepare_image(tmp_path / "moved.png"), prepare_image(tmp_path / "centred.png")
    assert np.abs(moved.astype(int) - centred.astype(int)).mean() < 12
    for pixels in (moved, centred):
        row, col = centre_of_mass(pixels)
        assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
        rows, cols = np.nonzero(pixels.reshape(28, 28))
        assert np.ptp(rows) < 20 and np.ptp(cols) < 20 and max(np.ptp(rows), np.ptp(cols)) >= 18


def test_uneven_tinted_paper_maps_to_nothing(tmp_path):
    seven = np.asarray(draw_seven(), np.float64) / 255
    height, width = seven.shape
    rows, cols = np.mgrid[0:1:height * 1j, 0:1:width * 1j]
    light = 0.45 + 0.5 * cols - 0.2 * (rows - 0.5) ** 2  # bright right, dim left
    grain = np.random.default_rng(1).normal(0, 4, seven.shape)
    tint = np.array([1.0, 0.93, 0.8])
    rgb = (40 + 210 * seven)[..., None] * tint * light[..., None] + grain[..., None]
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(tmp_path / "uneven.png")
    draw_seven().save(tmp_path / "seven.png")
    inputs, clean = load_image(tmp_path / "uneven.png"), load_image(tmp_path / "seven.png")
    paper = np.isclose(clean, 0.01)
    assert np.mean(inputs[paper] < 0.02) > 0.97
    assert np.abs(inputs - clean).mean() < 0.06


def test_a_dark_band_along_the_edge_is_not_the_digit(tmp_path):
    # A shadow's edge or the table beyond the page, heavier than the digit.
    seven = np.asarray(draw_seven(), np.uint8).copy()
    seven[-16:] = 60
    Image.fromarray(seven).save(tmp_path / "band.png")
    draw_seven().save(tmp_path / "seven.png")
    band, clean = prepare_image(tmp_path / "band.png"), prepare_image(tmp_path / "seven.png")
    assert np.abs(band.astype(int) - clean.astype(int)).mean() < 8


def test_a_digit_along_the_edge_is_still_the_digit(tmp_path):
    # Nothing else of weight lies inside: the '1' on the edge is the digit.
    one = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(one).rectangle((0, 15, 9, 104), fill=0)
    one.save(tmp_path / "edge.png")
    rows, cols = np.nonzero(prepare_image(tmp_path / "edge.png").reshape(28, 28) > 128)
    assert np.ptp(rows) >= 18 and np.ptp(cols) <= 4


def test_light_on_dark_is_told_apart(tmp_path):
    dark = Image.fromarray(255 - np.asarray(draw_seven()) // 2)  # light chalk on a dark grey board
    dark.save(tmp_path / "board.png")
    draw_seven().save(tmp_path / "paper.png")
    np.testing.assert_allclose(prepare_image(tmp_path / "board.png").astype(int),
                               prepare_image(tmp_path / "paper.png").astype(int), atol=3)
    # Forced the other way, the bright board is the "paper" and the chalk
    # leaves no dark ink on it.
    with pytest.raises(ValueError, match="board.png: no ink found"):
        prepare_image(tmp_path / "board.png", invert=True)


def test_blank_paper_has_no_ink(tmp_path):
    paper = np.random.default_rng(3).normal(200, 6, (120, 90)).clip(0, 255).astype(np.uint8)
    Image.fromarray(paper).save(tmp_path / "blank.png")
    with pytest.raises(ValueError, match="blank.png: no ink found"):
        load_image(tmp_path / "blank.png")
    Image.new("L", (28, 28), 255).save(tmp_path / "white.png")
    with pytest.raises(ValueError, match="white.png: no ink found"):
        load_image(tmp_path / "white.png")


def test_bad_files_are_named(tmp_path):
    (tmp_path / "fake.png").write_bytes(b"not a picture")
    with pytest.raises(ValueError, match="fake.png: not an image"):
        load_image(tmp_path / "fake.png")
    with pytest.raises(FileNotFoundError, match="gone.png"):
        load_image(tmp_path / "gone.png")
    draw_seven().save(tmp_path / "whole.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "whole.png").read_bytes()[:300])
    with pytest.raises(ValueError, match="cut.png: not an image"):
        load_image(tmp_path / "cut.png")


@pytest.mark.parametrize("pixels", [3000, 10000])  # over the limit (a warning) and twice over (an error)
def test_decompression_bombs_are_refused(tmp_path, monkeypatch, pixels):
    draw_seven(100, 100 * pixels // 3000 + 10).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 3000 // 1)
    with pytest.raises(ValueError, match="bomb.png: too many pixels"):
        load_image(tmp_path / "bomb.png")


@pytest.mark.slow
def test_a_photo_set_is_read_nearly_as_well_as_mnist(tmp_path, sample):
    import make_photo_set

    count = 3 * len(make_photo_set.KINDS)
    rows = make_photo_set.make_photo_set(tmp_path, count=count, seed=5)
    assert len(rows) == count and (tmp_path / "labels.csv").exists()
    net = ffnn.NeuralNetwork(784, 100, 10, 0.1, dtype=np.float32, seed=0)
    net.fit(sample.train_images, sample.train_labels, 2, seed=0)
    right = 0
    for name, label, _ in rows:
        try:
            right += int(net.query(load_image(tmp_path / name, dtype=np.float32)).argmax()) == label
        except ValueError:  # no ink found: a wrong answer
            pass
    # This small model reads 86 to 94 % of such sets (seeds 5 to 8); the
    # benchmark's full-MNIST model about 96 %.
    assert right / len(rows) >= 0.8, right


def test_blurred_thick_strokes_still_fit_the_box(tmp_path):
    draw_seven(300, 300, at=(90, 80), scale=1.2).filter(ImageFilter.GaussianBlur(4)).save(tmp_path / "soft.png")
    pixels = prepare_image(tmp_path / "soft.png").reshape(28, 28)
    rows, cols = np.nonzero(pixels)
    assert max(np.ptp(rows), np.ptp(cols)) < 20 and pixels.max() == 255


@pytest.mark.parametrize("side, width", [(400, 4), (800, 3), (800, 6)])
def test_thin_dark_strokes_on_clean_white_paper_are_dark_ink(tmp_path, side, width):
    # A digit drawn in a paint program: no noise at all, so both tails of
    # the values are zero but for rounding; the writing is still dark.
    picture = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(picture)
    draw.line([(side // 3, side // 4), (2 * side // 3, side // 4), (side // 2, 3 * side // 4)],
              fill=0, width=width)
    picture.save(tmp_path / "seven.png")
    seen = prepare_image(tmp_path / "seven.png")
    assert seen.max() == 255 and np.array_equal(seen, prepare_image(tmp_path / "seven.png", invert=True))
