"""load_image: your own handwriting as the book's inputs, drawn by the tests themselves."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ffnn.images import load_image


def draw_one(size=28, mode="L", paper="white", ink="black"):
    """A '1' in dark ink on light paper: a vertical bar in the middle."""
    picture = Image.new(mode, (size, size), paper)
    ImageDraw.Draw(picture).rectangle((size * 12 // 28, size // 7, size * 15 // 28 - 1, size * 6 // 7), fill=ink)
    return picture


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


def test_large_colour_pictures_are_grayed_and_resized(tmp_path):
    draw_one(size=280, mode="RGB", paper=(250, 250, 240), ink=(0, 0, 80)).save(tmp_path / "big.png")
    image = load_image(tmp_path / "big.png").reshape(28, 28)
    assert image[14, 13] > 0.9 and image[1, 1] < 0.05
    assert image[:, 13].sum() > 5 * image[:, 3].sum()


def test_transparent_background_counts_as_paper(tmp_path):
    draw_one(mode="RGBA", paper=(0, 0, 0, 0), ink=(0, 0, 0, 255)).save(tmp_path / "clear.png")
    image = load_image(tmp_path / "clear.png").reshape(28, 28)
    assert image[1, 1] == pytest.approx(0.01) and image[14, 13] == pytest.approx(1.0)


def test_bad_files_are_named(tmp_path):
    (tmp_path / "fake.png").write_bytes(b"not a picture")
    with pytest.raises(ValueError, match="fake.png: not an image"):
        load_image(tmp_path / "fake.png")
    with pytest.raises(FileNotFoundError, match="gone.png"):
        load_image(tmp_path / "gone.png")
