"""The CLI's outputs: never over an input, checked (FIFOs, links, folders) before any data is read."""
import os

import numpy as np
import pytest
from conftest import PNG_MAGIC
from PIL import Image

import ffnn
from ffnn import cli

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
needs_links = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


def main(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def model(tmp_path_factory, sample):
    path = tmp_path_factory.mktemp("model") / "model.npz"
    net = ffnn.NeuralNetwork(784, 20, 10, 0.1, seed=0)
    net.fit(sample.train_images[:500], sample.train_labels[:500], 1, seed=0)
    net.save(path)
    return path


@pytest.fixture
def nothing_read(monkeypatch):
    """Any data read or network loaded fails the test: outputs must be refused first."""
    def fail(*args, **kwargs):
        raise AssertionError("data read or network loaded before the outputs were checked")

    for name in ("load_sample", "load_mnist", "fetch_mnist"):
        monkeypatch.setattr(cli.data, name, fail)
    monkeypatch.setattr(ffnn.NeuralNetwork, "load", fail)


def digit_photo(sample, path):
    page = Image.new("L", (120, 100), 220)
    page.paste(Image.fromarray(255 - sample.test_images[0].reshape(28, 28)).resize((70, 70)), (25, 15))
    page.save(path)


def test_show_into_the_pictures_folder_never_draws_over_a_picture(model, tmp_path, sample, capsys, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    digit_photo(sample, photos / "mine.png")
    before = (photos / "mine.png").read_bytes()
    code, out, err = main(["predict", model, photos / "mine.png", "--show", photos], capsys)
    assert code == 0, err
    assert (photos / "mine.png").read_bytes() == before
    assert (photos / "mine-2.png").read_bytes().startswith(PNG_MAGIC)
    assert f"drawn in {photos / 'mine-2.png'}" in out
    # The same from the pictures' own folder, with --show .
    monkeypatch.chdir(photos)
    code, out, err = main(["predict", model, "mine.png", "--show", "."], capsys)
    assert code == 0, err
    assert (photos / "mine.png").read_bytes() == before
    assert f"drawn in {os.path.join('.', 'mine-2.png')}" in out


def test_show_makes_a_missing_folder(model, tmp_path, sample, capsys):
    digit_photo(sample, tmp_path / "seven.png")
    code, _, err = main(["predict", model, tmp_path / "seven.png", "--show", tmp_path / "seen" / "today"], capsys)
    assert code == 0, err
    assert (tmp_path / "seen" / "today" / "seven.png").read_bytes().startswith(PNG_MAGIC)


def test_show_on_a_file_is_refused_before_anything_is_read(model, tmp_path, capsys, nothing_read):
    (tmp_path / "notes.txt").write_text("hello")
    code, out, err = main(["predict", model, "a.png", "--show", tmp_path / "notes.txt" / "deeper"], capsys)
    assert code == 1 and out == ""
    assert err.startswith("ffnn predict: error: --show ") and "is not a directory" in err and err.count("\n") == 1


def refused(argv, capsys, message):
    code, out, err = main(argv, capsys)
    assert code == 1 and out == "", (out, err)
    assert err.startswith(f"ffnn {argv[0]}: error: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err, err


@needs_fifo
@pytest.mark.parametrize("option, name", [("--save", "fifo.npz"), ("--plot", "fifo.png")])
def test_a_fifo_output_is_refused_before_any_data_is_read(tmp_path, capsys, nothing_read, option, name):
    os.mkfifo(tmp_path / name)
    refused(["train", "--epochs", 50, option, tmp_path / name], capsys,
            f"{option} {tmp_path / name}: exists and is not a regular file (a FIFO)")


@needs_fifo
def test_a_fifo_is_refused_for_every_command(model, tmp_path, capsys, nothing_read):
    os.mkfifo(tmp_path / "fifo.png")
    os.mkfifo(tmp_path / "fifo.h")
    refused(["evaluate", model, "--plot", tmp_path / "fifo.png"], capsys, "(a FIFO)")
    refused(["backquery", model, "--all", tmp_path / "fifo.png"], capsys, "(a FIFO)")
    refused(["export", model, tmp_path / "fifo.h"], capsys, "(a FIFO)")


@needs_links
@pytest.mark.parametrize("option, name", [("--save", "m.npz"), ("--plot", "c.png")])
def test_an_output_through_a_link_into_a_missing_folder_is_refused(tmp_path, capsys, nothing_read, option, name):
    os.symlink(tmp_path / "missing" / name, tmp_path / name)
    refused(["train", option, tmp_path / name], capsys,
            f"{option} {tmp_path / name}: no such directory {tmp_path / 'missing'} (where the link")


@needs_links
def test_an_output_through_a_link_is_written_where_it_leads(tmp_path, capsys):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real" / "m.npz", tmp_path / "m.npz")
    code, _, err = main(["train", "--hidden", 5, "--epochs", 1, "--seed", 0, "--save", tmp_path / "m.npz"], capsys)
    assert code == 0, err
    assert os.path.islink(tmp_path / "m.npz") and ffnn.NeuralNetwork.load(tmp_path / "real" / "m.npz")


def test_an_output_that_is_an_input_is_refused(tmp_path, capsys, sample, monkeypatch):
    data = tmp_path / "mnist.npz"
    images = sample.test_images[:20].reshape(20, 28, 28)
    np.savez(data, x_train=images, y_train=sample.test_labels[:20], x_test=images, y_test=sample.test_labels[:20])
    before = data.read_bytes()
    monkeypatch.chdir(tmp_path)
    refused(["train", "--data", data, "--save", "mnist.npz"], capsys, "--save mnist.npz: is one of the command's inputs")
    refused(["train", "--test", data, "--save", data], capsys, "is one of the command's inputs")
    assert data.read_bytes() == before


def test_a_picture_that_cannot_be_written_over_is_refused_first(tmp_path, capsys, nothing_read, monkeypatch):
    (tmp_path / "curve.png").write_bytes(b"old")
    os.chmod(tmp_path / "curve.png", 0o444)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root may write anywhere: as another user would find it
        access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK and access(path, mode))
    refused(["train", "--plot", tmp_path / "curve.png"], capsys, "exists and cannot be written over")
    # A model file is replaced, not written over: a read-only one is no obstacle.
    (tmp_path / "m.npz").write_bytes(b"old")
    os.chmod(tmp_path / "m.npz", 0o444)
    refused(["train", "--save", tmp_path / "m.npz", "--plot", tmp_path / "curve.png"], capsys,
            "--plot")
