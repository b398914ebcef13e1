"""`ffnn predict`: pictures labelled, drawn with --show, and one-line errors."""
import os
import re
import sys

import numpy as np
import pytest
from conftest import PNG_MAGIC
from PIL import Image

import ffnn
from ffnn.cli import main


@pytest.fixture(scope="module")
def model(tmp_path_factory, sample):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    net = ffnn.NeuralNetwork(784, 30, 10, 0.1, dtype=np.float32, seed=0)
    net.fit(sample.train_images[:2000], sample.train_labels[:2000], 1, seed=0)
    net.save(path)
    return path


def photo_of(digit, path):
    """A test digit as dark ink, enlarged and off-centre on a grey page."""
    page = Image.new("L", (150, 110), 210)
    page.paste(Image.fromarray(255 - digit.reshape(28, 28)).resize((84, 84)), (50, 20))
    page.save(path)


def test_predict_prints_label_and_confidence_and_shows(model, tmp_path, sample, capsys):
    photo_of(sample.test_images[0], tmp_path / "mine.png")
    (tmp_path / "shown").mkdir()
    assert main(["predict", str(model), str(tmp_path / "mine.png"), "--show", str(tmp_path / "shown")]) == 0
    out = capsys.readouterr().out
    label, confidence = re.search(r"mine.png: (\d)  outputs \[.*\]  confidence (\d+)%", out).groups()
    assert int(label) == ffnn.NeuralNetwork.load(model).predict(sample.test_images[:1])[0]
    assert 0 < int(confidence) <= 100
    assert (tmp_path / "shown" / "mine.png").read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize(
    "args, message",
    [
        (["gone.png"], "gone.png: no such image file"),
        (["notes.txt"], "notes.txt: not an image"),
        (["blank.png"], "blank.png: no ink found"),
        (["blank.png", "--show", "notes.txt"], "--show notes.txt: exists and is not a directory"),
    ],
)
def test_errors_are_one_line_without_traceback(model, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    Image.new("L", (60, 40), 200).save(tmp_path / "blank.png")
    assert main(["predict", str(model), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ffnn predict: error: ") and message in err
    assert len(err.strip().splitlines()) == 1, err


def test_show_without_matplotlib_fails_before_reading(model, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert main(["predict", str(model), "gone.png", "--show", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "pip install 'ffnn[plots]'" in err and "gone.png" not in err


def test_invert_can_be_forced(model, tmp_path, sample, capsys):
    Image.fromarray(sample.test_images[1].reshape(28, 28)).save(tmp_path / "mnist.png")
    assert main(["predict", str(model), str(tmp_path / "mnist.png"), "--no-invert"]) == 0
    assert main(["predict", str(model), str(tmp_path / "mnist.png"), "--invert"]) == 0
    first, second = re.findall(r"outputs (\[[^\]]*\])", capsys.readouterr().out)
    assert first != second


def test_show_draws_pictures_of_the_same_name_side_by_side(tmp_path):
    from ffnn.cli.commands import _drawing_names

    names = _drawing_names(["a/digit.png", "b/digit.png", "digit.jpg", "seven.png"], "out")
    assert names == {"a/digit.png": os.path.join("out", "digit.png"), "b/digit.png": os.path.join("out", "digit-2.png"),
                     "digit.jpg": os.path.join("out", "digit-3.png"), "seven.png": os.path.join("out", "seven.png")}
