"""The `ffnn` command, driven in subprocesses as a user would."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import ffnn

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*args, blocked=(), cwd=None):
    """`python -m ffnn ARGS`; modules named in `blocked` fail to import."""
    env = dict(os.environ)
    paths = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([blocker_dir(blocked)] * bool(blocked) + paths)
    return subprocess.run([sys.executable, "-m", "ffnn", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=env, cwd=cwd)


def blocker_dir(modules):
    """A directory of stand-ins that raise ImportError, put first on the path."""
    import tempfile

    directory = tempfile.mkdtemp(prefix="ffnn-blocked-")
    for name in modules:
        os.makedirs(os.path.join(directory, name))
        with open(os.path.join(directory, name, "__init__.py"), "w") as f:
            f.write(f"raise ImportError('{name} is not installed')\n")
    return directory


def accuracy_of(output):
    return float(re.search(r"accuracy ([\d.]+)%", output).group(1))


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A small network trained and saved by `ffnn train`, shared by the tests below."""
    path = tmp_path_factory.mktemp("model") / "model.npz"
    result = run("train", "--hidden", 40, "--epochs", 1, "--seed", 0, "--dtype", "float32", "--save", path)
    assert result.returncode == 0, result.stderr
    assert f"model saved to {path}" in result.stdout
    return path


def test_main_job_trains_to_book_accuracy_on_the_sample():
    result = run("--epochs", "1", "--seed", "0", "--dtype", "float32")
    assert result.returncode == 0, result.stderr
    assert "NeuralNetwork(784, 200, 10, 0.1, dtype=float32)" in result.stdout
    assert accuracy_of(result.stdout) > 85.0, result.stdout


def test_train_shows_a_progress_bar_per_epoch():
    result = run("train", "--hidden", 10, "--epochs", 2, "--seed", 1)
    assert result.returncode == 0, result.stderr
    assert "2/2" in result.stderr and "epoch" in result.stderr


def test_train_without_tqdm_prints_each_epoch():
    result = run("train", "--hidden", 10, "--epochs", 2, "--seed", 1, blocked=["tqdm"])
    assert result.returncode == 0, result.stderr
    assert "epoch 1: mean squared error" in result.stdout and "epoch 2:" in result.stdout


def test_train_with_rotations_plot_and_csv_data(tmp_path, sample):
    rows = np.column_stack([sample.train_labels[:300], sample.train_images[:300]])
    np.savetxt(tmp_path / "mnist_train.csv", rows, fmt="%d", delimiter=",")
    rows = np.column_stack([sample.test_labels[:100], sample.test_images[:100]])
    np.savetxt(tmp_path / "mnist_test.csv", rows, fmt="%d", delimiter=",")
    result = run("train", "--data", tmp_path, "--hidden", "20,10", "--rotate", 10, "--epochs", 2,
                 "--plot", tmp_path / "curve.png")
    assert result.returncode == 0, result.stderr
    assert "on 300 images" in result.stdout and "rotated by ±10°" in result.stdout
    assert (tmp_path / "curve.png").read_bytes().startswith(PNG_MAGIC)


def test_evaluate_prints_accuracy_per_class_and_confusion(model, tmp_path, sample):
    result = run("evaluate", model, "--plot", tmp_path / "confusion.png")
    assert result.returncode == 0, result.stderr
    net = ffnn.NeuralNetwork.load(model)
    assert accuracy_of(result.stdout) == pytest.approx(100 * net.score(sample.test_images, sample.test_labels))
    rows = re.findall(r"^\s+(\d)((?:\s+\d+){10})$", result.stdout, re.MULTILINE)
    matrix = np.array([[int(v) for v in counts.split()] for _, counts in rows])
    assert matrix.shape == (10, 10) and matrix.sum() == 1000 and matrix.sum(axis=1).tolist() == [100] * 10
    assert "per class: 0: " in result.stdout
    assert (tmp_path / "confusion.png").read_bytes().startswith(PNG_MAGIC)


def test_backquery_draws_one_label_and_the_grid(model, tmp_path):
    result = run("backquery", model, "--label", 3, "--out", tmp_path / "three.png")
    assert result.returncode == 0, result.stderr
    result = run("backquery", model, "--all", tmp_path / "grid.png")
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "three.png") as three, Image.open(tmp_path / "grid.png") as grid:
        assert grid.size[0] > 2 * three.size[0]


def test_predict_labels_drawn_digits(model, tmp_path, sample):
    paths = []
    for k in range(3):
        # The test images, drawn as dark ink on white paper like a scanned page.
        Image.fromarray(255 - sample.test_images[k].reshape(28, 28)).save(tmp_path / f"digit{k}.png")
        paths.append(tmp_path / f"digit{k}.png")
    result = run("predict", model, *paths)
    assert result.returncode == 0, result.stderr
    predicted = dict(re.findall(r"^(.*): (\d)  outputs \[", result.stdout, re.MULTILINE))
    expected = ffnn.NeuralNetwork.load(model).predict(sample.test_images[:3])
    assert predicted == {str(path): str(label) for path, label in zip(paths, expected)}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["train", "--data", "/nonexistent/mnist"], "/nonexistent/mnist: no such file or directory"),
        (["train", "--lr", "-1"], "learning_rate must be a finite number > 0"),
        (["train", "--rotate", "500"], "angle"),
        (["evaluate", "missing.npz"], "missing.npz: no such model file"),
        (["evaluate", "notes.txt"], "notes.txt: not a readable ffnn model file"),
        (["backquery", "MODEL", "--label", "12", "--out", "x.png"], "--label must be in 0..9"),
        (["backquery", "MODEL", "--label", "2"], "--label needs --out"),
        (["predict", "MODEL", "notes.txt"], "notes.txt: not an image"),
    ],
)
def test_errors_are_one_clear_line_and_a_failure(model, tmp_path, args, message):
    (tmp_path / "notes.txt").write_text("hello")
    result = run(*[str(model) if a == "MODEL" else a for a in args], cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    "args, blocked, extra",
    [
        (["backquery", "MODEL", "--all", "grid.png"], ["matplotlib"], "ffnn[plots]"),
        (["evaluate", "MODEL", "--plot", "c.png"], ["matplotlib"], "ffnn[plots]"),
        (["predict", "MODEL", "a.png"], ["PIL"], "ffnn[images]"),
        (["train", "--download"], ["pooch"], "ffnn[download]"),
    ],
)
def test_missing_extra_is_named(model, tmp_path, args, blocked, extra):
    result = run(*[str(model) if a == "MODEL" else a for a in args], blocked=blocked, cwd=tmp_path)
    assert result.returncode == 1
    assert f"pip install '{extra}'" in result.stderr


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["backquery"], ["predict"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.returncode == 0 and "usage: ffnn" in result.stdout


def test_unknown_option_is_refused():
    result = run("evaluate", "--bogus")
    assert result.returncode == 2 and "error:" in result.stderr
