"""Pictures whose paper is transparent: laid on white paper, the digit read dark on light."""
import numpy as np
import pytest
from PIL import Image

from ffnn.images import prepare_image, read_gray


def palette_one(path, specks=0.12, seed=0):
    """A '1' in a palette PNG: its paper colour transparent (83 % of the picture), a lighter
    shade of paper left opaque in specks (as a quantised scan has), dark ink in a bar with a flag."""
    rng = np.random.default_rng(seed)
    index = np.zeros((120, 90), np.uint8)
    index[rng.random(index.shape) < specks] = 1
    index[15:105, 42:48] = 2
    index[15:21, 34:42] = 2
    picture = Image.fromarray(index, "P")
    picture.putpalette([250, 250, 250, 236, 236, 236, 30, 30, 40] + [0] * (253 * 3))
    picture.save(path, transparency=0)
    return index


def test_a_palette_picture_with_transparent_paper_is_read_dark_on_light(tmp_path):
    index = palette_one(tmp_path / "one.png")
    assert (index == 0).mean() > 0.8 and (index == 1).sum() > (index == 2).sum()  # more specks than ink
    with Image.open(tmp_path / "one.png") as saved:
        assert saved.mode == "P" and saved.info["transparency"] == 0
    gray = read_gray(tmp_path / "one.png")
    assert gray[index == 0].min() == 1.0  # the clear paper shown white, not black
    digit = prepare_image(tmp_path / "one.png").reshape(28, 28)
    # A one: a single upright bar of ink in the middle, the rest of the field blank.
    columns = digit.sum(axis=0)
    inked = np.flatnonzero(columns > 0.2 * columns.max())
    assert inked.max() - inked.min() < 10 and 10 <= inked.mean() <= 18
    assert (digit > 128).sum() < 0.25 * digit.size


@pytest.mark.parametrize("specks", [0.0, 0.12])
def test_it_reads_as_the_same_picture_drawn_on_opaque_paper(tmp_path, specks):
    index = palette_one(tmp_path / "clear.png", specks)
    opaque = np.where(index == 2, 30, np.where(index == 1, 236, 250)).astype(np.uint8)
    Image.fromarray(opaque).save(tmp_path / "opaque.png")
    np.testing.assert_allclose(prepare_image(tmp_path / "clear.png").astype(int),
                               prepare_image(tmp_path / "opaque.png").astype(int), atol=3)
