"""The `ffnn` command: in subprocesses as a user would run it, and through `ffnn.cli.main`."""
import errno
import gzip
import inspect
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import PNG_MAGIC
from PIL import Image

import ffnn
import ffnn.plots
from ffnn import cli


# fit(progress=True) draws the bar over every sample; the CLI asks for it when
# tqdm is installed, so its runs with tqdm need a fit that takes the option.
needs_fit_progress = pytest.mark.skipif(
    "progress" not in inspect.signature(ffnn.NeuralNetwork.fit).parameters,
    reason="fit(progress=) is not in this build",
)
posix_signals = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")


def run(*args, blocked=(), cwd=None):
    """`python -m ffnn ARGS`; modules named in `blocked` fail to import."""
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=600, env=env(blocked), cwd=cwd)


def command(*args):
    return [sys.executable, "-m", "ffnn", *map(str, args)]


def env(blocked=()):
    environment = dict(os.environ)
    paths = [os.path.abspath(p) for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p]
    environment["PYTHONPATH"] = os.pathsep.join([blocker_dir(blocked)] * bool(blocked) + paths)
    return environment


def blocker_dir(modules):
    """A directory of stand-ins that raise ImportError, put first on the path."""
    import tempfile

    directory = tempfile.mkdtemp(prefix="ffnn-blocked-")
    for name in modules:
        os.makedirs(os.path.join(directory, name))
        with open(os.path.join(directory, name, "__init__.py"), "w") as f:
            f.write(f"raise ImportError('{name} is not installed')\n")
    return directory


@pytest.fixture
def no_tqdm(monkeypatch):
    """tqdm missing for ffnn.cli.main in this process: plain epoch lines, no bar."""
    for name in ("tqdm", "tqdm.auto"):
        monkeypatch.setitem(sys.modules, name, None)


def main(argv, capsys):
    """(exit code, stdout, stderr) of ffnn.cli.main(argv), usage errors included."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def accuracy_of(output):
    return float(re.search(r"accuracy ([\d.]+)%", output).group(1))


def write_csv(path, images, labels):
    np.savetxt(path, np.column_stack([labels, images]), fmt="%d", delimiter=",")


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    path.write_bytes(gzip.compress(header + array.tobytes()))


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A small network trained and saved by `ffnn train`, shared by the tests below."""
    path = tmp_path_factory.mktemp("model") / "model.npz"
    result = run("train", "--hidden", 40, "--epochs", 1, "--seed", 0, "--dtype", "float32", "--save", path,
                 blocked=["tqdm"])
    assert result.returncode == 0, result.stderr
    assert f"model saved to {path}" in result.stdout
    return path


# ---- training ---------------------------------------------------------------


@pytest.mark.slow
@needs_fit_progress
def test_main_job_trains_to_book_accuracy_on_the_sample():
    result = run("--epochs", "1", "--seed", "0", "--dtype", "float32")
    assert result.returncode == 0, result.stderr
    assert "NeuralNetwork(784, 200, 10, 0.1, dtype=float32)" in result.stdout
    assert accuracy_of(result.stdout) > 85.0, result.stdout


@pytest.mark.slow
@needs_fit_progress
def test_progress_bar_counts_every_sample_with_the_epoch_lines_above_it():
    result = run("train", "--hidden", 10, "--epochs", 2, "--seed", 1)
    assert result.returncode == 0, result.stderr
    assert "12.0k/12.0k" in result.stderr  # 2 epochs of the sample's 6000 images
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"epoch 1 of 2: sum of squared errors per sample 0\.\d{4}", lines[1])
    assert lines[2].startswith("epoch 2 of 2: ")


def test_without_tqdm_each_epoch_is_a_plain_line(no_tqdm, capsys):
    code, out, err = main(["train", "--hidden", 10, "--epochs", 2, "--seed", 1], capsys)
    assert code == 0, err
    assert re.search(r"^epoch 1 of 2: sum of squared errors per sample 0\.\d{4}$", out, re.MULTILINE)
    assert re.search(r"^epoch 2 of 2: ", out, re.MULTILINE) and err == ""


def test_an_unseeded_run_prints_the_seed_that_repeats_it(no_tqdm, capsys, tmp_path):
    code, out, err = main(["train", "--hidden", 8, "--epochs", 1, "--save", tmp_path / "first.npz"], capsys)
    assert code == 0, err
    seed = int(re.search(r"^seed (\d+) \(pass --seed \1 to repeat\)$", out, re.MULTILINE).group(1))
    code, out, err = main(["train", "--hidden", 8, "--epochs", 1, "--seed", seed, "--save", tmp_path / "again.npz"],
                          capsys)
    assert code == 0, err
    assert "seed" not in out.split("\n", 2)[1]  # a given seed is not repeated back
    assert ffnn.NeuralNetwork.load(tmp_path / "first.npz") == ffnn.NeuralNetwork.load(tmp_path / "again.npz")


def test_no_shuffle_trains_in_the_datas_order_and_threads_reach_the_network(
    no_tqdm, capsys, tmp_path, sample, monkeypatch
):
    threads = []

    class Recorded(ffnn.NeuralNetwork):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            threads.append(self.threads)

    monkeypatch.setattr(cli.train, "NeuralNetwork", Recorded)
    argv = ["train", "--hidden", 8, "--epochs", 1, "--seed", 3, "--no-shuffle", "--threads", 2]
    code, _, err = main([*argv, "--save", tmp_path / "cli.npz"], capsys)
    assert code == 0, err
    assert threads == [2]
    expected = ffnn.NeuralNetwork(784, 8, 10, 0.1, seed=3)
    expected.fit(sample.train_images, sample.train_labels, 1, shuffle=False)
    assert ffnn.NeuralNetwork.load(tmp_path / "cli.npz") == expected
    shuffled = ffnn.NeuralNetwork(784, 8, 10, 0.1, seed=3)
    shuffled.fit(sample.train_images, sample.train_labels, 1, seed=3)
    assert expected != shuffled  # so the comparison above tells the orders apart


@pytest.mark.parametrize("engine", ["dense", "sparse"])
def test_engine_reaches_fit(no_tqdm, capsys, tmp_path, sample, engine):
    argv = ["train", "--hidden", 40, "--epochs", 1, "--seed", 3, "--engine", engine]
    code, _, err = main([*argv, "--save", tmp_path / "cli.npz"], capsys)
    assert code == 0, err
    expected = ffnn.NeuralNetwork(784, 40, 10, 0.1, seed=3)
    expected.fit(sample.train_images, sample.train_labels, 1, seed=3, engine=engine)
    other = ffnn.NeuralNetwork(784, 40, 10, 0.1, seed=3)
    other.fit(sample.train_images, sample.train_labels, 1, seed=3,
              engine="sparse" if engine == "dense" else "dense")
    trained = ffnn.NeuralNetwork.load(tmp_path / "cli.npz")
    assert trained == expected
    assert trained != other  # the engines differ in rounding, so this tells them apart


def test_an_unknown_engine_is_a_usage_error(capsys):
    code, _, err = main(["train", "--engine", "fast"], capsys)
    assert code == 2 and "--engine" in err and "invalid choice" in err


@pytest.mark.slow
def test_train_with_rotations_plot_and_a_csv_directory(no_tqdm, capsys, tmp_path, sample):
    write_csv(tmp_path / "mnist_train.csv", sample.train_images[:300], sample.train_labels[:300])
    write_csv(tmp_path / "mnist_test.csv", sample.test_images[:100], sample.test_labels[:100])
    code, out, err = main(["train", "--data", tmp_path, "--hidden", "20,10", "--rotate", 10, "--epochs", 2,
                           "--plot", tmp_path / "curve.png"], capsys)
    assert code == 0, err
    assert "on 300 images" in out and "rotated by ±10°" in out and "on 100 images" in out
    assert re.search(r"^epoch 2 of 2: .*, test accuracy [\d.]+%$", out, re.MULTILINE)
    assert (tmp_path / "curve.png").read_bytes().startswith(PNG_MAGIC)


def test_train_on_the_books_csv_files_given_one_by_one(no_tqdm, capsys, tmp_path, sample):
    write_csv(tmp_path / "book_train.csv", sample.train_images[:200], sample.train_labels[:200])
    write_csv(tmp_path / "book_test.csv", sample.test_images[:50], sample.test_labels[:50])
    code, out, err = main(["train", "--data", tmp_path / "book_train.csv", "--test", tmp_path / "book_test.csv",
                           "--hidden", 10, "--epochs", 1, "--seed", 0], capsys)
    assert code == 0, err
    assert f"on 200 images from {tmp_path / 'book_train.csv'}" in out and "on 50 images" in out


# ---- Ctrl-C -------------------------------------------------------------------


def interrupt_training(tmp_path, *args, blocked=()):
    """Start `ffnn train ARGS`, Ctrl-C it after its first epoch line; (exit code, stdout, stderr)."""
    child = subprocess.Popen(
        command("train", "--hidden", 20, "--epochs", 50, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=tmp_path, env=env(blocked),
        # As a terminal would run it, even if this test runs with SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        lines = []
        for line in child.stdout:
            lines.append(line)
            if line.startswith("epoch 1 of 50"):
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        child.kill()
    return child.returncode, "".join(lines) + out, err


@pytest.mark.slow
@posix_signals
@pytest.mark.parametrize("blocked", [pytest.param((), marks=needs_fit_progress), ("tqdm",)], ids=["bar", "lines"])
def test_ctrl_c_saves_the_network_trained_so_far(tmp_path, blocked):
    code, out, err = interrupt_training(tmp_path, "--seed", 0, "--save", "m.npz", blocked=blocked)
    assert code == 130, err
    message = re.search(r"^ffnn train: interrupted in epoch (\d+) of 50: saved the network after its last "
                        r"completed sample to m\.npz$", err, re.MULTILINE)
    assert message and int(message.group(1)) >= 2, err
    assert "Traceback" not in err and "model saved" not in out
    trained = ffnn.NeuralNetwork.load(tmp_path / "m.npz")
    assert trained != ffnn.NeuralNetwork(784, 20, 10, 0.1, seed=0)
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary file left behind


@pytest.mark.slow
@posix_signals
def test_ctrl_c_without_save_stops_quietly(tmp_path):
    code, _, err = interrupt_training(tmp_path, blocked=["tqdm"])
    assert code == 130
    assert re.fullmatch(r"ffnn train: interrupted in epoch \d+ of 50\n", err)


# ---- everything checked before training -------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--save", "missing/m.npz"], "--save missing/m.npz: no such directory missing"),
        (["train", "--save", "m.txt"], "--save m.txt: a model file's name must end in .npz"),
        (["train", "--save", "folder.npz"], "--save folder.npz: is a directory"),
        (["train", "--plot", "missing/c.png"], "--plot missing/c.png: no such directory missing"),
        (["train", "--plot", "curve.bmp"], "--plot curve.bmp: the name must end in one of "),
        (["evaluate", "MODEL", "--plot", "c.doc"], "--plot c.doc: the name must end in one of "),
        (["backquery", "MODEL", "--all", "missing/g.png"], "--all missing/g.png: no such directory"),
        (["backquery", "MODEL", "--label", 1, "--out", "one"], "--out one: the name must end in one of "),
    ],
)
def test_output_paths_are_checked_before_any_data_is_read(model, tmp_path, monkeypatch, capsys, args, message):
    def fail(*args, **kwargs):
        raise AssertionError("data read or network loaded before the output paths were checked")

    for name in ("load_sample", "load_mnist", "fetch_mnist"):
        monkeypatch.setattr(cli.data, name, fail)
    monkeypatch.setattr(ffnn.NeuralNetwork, "load", fail)
    (tmp_path / "folder.npz").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = main([model if a == "MODEL" else a for a in args], capsys)
    assert code == 1 and out == ""
    assert err.startswith(f"ffnn {args[0]}: error: {message}") and err.count("\n") == 1, err


def test_a_missing_save_directory_fails_at_once_without_training(tmp_path):
    start = time.monotonic()
    result = run("train", "--epochs", 50, "--save", tmp_path / "missing" / "book.npz")
    assert time.monotonic() - start < 5  # training 50 epochs would take far longer
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"ffnn train: error: --save {tmp_path / 'missing' / 'book.npz'}: no such directory " \
                            f"{tmp_path / 'missing'}\n"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_directory_is_refused_by_name(tmp_path, capsys):
    (tmp_path / "locked").mkdir(mode=0o555)
    code, out, err = main(["train", "--save", tmp_path / "locked" / "m.npz"], capsys)
    assert code == 1 and out == ""
    assert f"--save {tmp_path / 'locked' / 'm.npz'}: cannot write in {tmp_path / 'locked'}" in err


def test_a_failed_save_names_the_users_file_not_the_temporary_one(no_tqdm, capsys, tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ffnn.serialize.np, "savez", disk_full)
    path = tmp_path / "m.npz"
    code, _, err = main(["train", "--hidden", 5, "--epochs", 1, "--seed", 0, "--save", path], capsys)
    assert code == 1
    assert err == f"ffnn train: error: --save {path}: the network could not be saved ({os.strerror(errno.ENOSPC)})\n"
    assert os.listdir(tmp_path) == []


def test_a_saved_model_gets_the_umask_mode_and_a_replaced_one_keeps_its_own(no_tqdm, capsys, tmp_path):
    old_umask = os.umask(0o022)
    try:
        code, _, err = main(["train", "--hidden", 5, "--epochs", 1, "--seed", 0, "--save", tmp_path / "new.npz"],
                            capsys)
        assert code == 0, err
        assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o644
        (tmp_path / "kept.npz").write_bytes(b"")
        os.chmod(tmp_path / "kept.npz", 0o640)
        code, _, err = main(["train", "--hidden", 5, "--epochs", 1, "--seed", 0, "--save", tmp_path / "kept.npz"],
                            capsys)
        assert code == 0, err
        assert (tmp_path / "kept.npz").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old_umask)


# ---- the other commands -------------------------------------------------------


@pytest.mark.slow
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


@pytest.mark.parametrize("layout", ["test csv", "t10k directory", "csv directory"])
def test_evaluate_reads_only_test_files(model, tmp_path, sample, capsys, layout):
    images, labels = sample.test_images[100:400], sample.test_labels[100:400]
    if layout == "test csv":
        write_csv(tmp_path / "mnist_test.csv", images, labels)
        args = ["--test", tmp_path / "mnist_test.csv"]
    elif layout == "t10k directory":
        write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images.reshape(-1, 28, 28))
        write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels.astype(np.uint8))
        args = ["--data", tmp_path]
    else:
        write_csv(tmp_path / "mnist_test.csv", images, labels)
        args = ["--data", tmp_path]
    code, out, err = main(["evaluate", model, *args], capsys)
    assert code == 0, err
    net = ffnn.NeuralNetwork.load(model)
    assert f"on 300 test images from {args[1]}" in out
    assert f"({int(np.sum(net.predict(images) == labels))} of 300)" in out


@pytest.mark.slow
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


# ---- errors: one line, never a traceback --------------------------------------


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--epochs", "0"], 2, "argument --epochs: must be a whole number >= 1, got '0'"),
        (["train", "--seed", "-1"], 2, "argument --seed: must be a whole number >= 0, got '-1'"),
        (["train", "--threads", "0"], 2, "argument --threads: must be a whole number >= 1, got '0'"),
        (["train", "--hidden", "20,0"], 2, "argument --hidden: must be a whole number >= 1, got '0'"),
        (["train", "--lr", "-1"], 2, "argument --lr: must be a finite number > 0, got '-1'"),
        (["train", "--rotate", "500"], 2, "argument --rotate: must be an angle in degrees from -180 to 180"),
        (["train", "--data", "/nonexistent/mnist"], 1, "/nonexistent/mnist: no such file or directory"),
        (["train", "--data", "train.csv"], 1, "--data train.csv holds only training images; give the test images"),
        (["train", "--data", "bad.csv", "--test", "bad.csv"], 1, "bad.csv: line 1: expected a label and 784 pixel values"),
        (["train", "--test", "small.npz", "--epochs", "1"], 1, "the network takes 784 inputs, but small.npz has 196"),
        (["evaluate", "missing.npz"], 1, "missing.npz: no such model file"),
        (["evaluate", "notes.txt"], 1, "notes.txt: not a readable ffnn model file"),
        (["evaluate", "cut.npz"], 1, "cut.npz: not a readable ffnn model file"),
        (["evaluate", "MODEL", "--test", "small.npz"], 1, "the network takes 784 inputs, but small.npz has 196"),
        (["evaluate", "MODEL", "--data", "."], 1, ".: no MNIST files found"),
        (["backquery", "MODEL", "--label", "12", "--out", "x.png"], 1, "--label must be in 0..9"),
        (["backquery", "MODEL", "--label", "2"], 2, "--label needs --out"),
        (["predict", "MODEL", "notes.txt"], 1, "notes.txt: not an image"),
    ],
)
def test_errors_are_one_clear_line_and_a_failure(model, tmp_path, monkeypatch, capsys, sample, args, code, message):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "cut.npz").write_bytes(model.read_bytes()[:1000])
    (tmp_path / "bad.csv").write_text("5,0,0,0\n")
    small = sample.test_images[:20].reshape(20, 28, 28)[:, ::2, ::2]
    np.savez(tmp_path / "small.npz", x_train=small, y_train=sample.test_labels[:20], x_test=small,
             y_test=sample.test_labels[:20])
    monkeypatch.chdir(tmp_path)
    result, out, err = main([str(model) if a == "MODEL" else a for a in args], capsys)
    assert result == code
    command = args[0] if args[0] in cli.COMMANDS else "train"
    assert err.startswith(f"ffnn {command}: error: ") and message in err, err
    assert err.count("\n") == 1, err


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, blocked, message",
    [
        (["backquery", "MODEL", "--all", "grid.png"], ["matplotlib"], "--all needs matplotlib"),
        (["evaluate", "MODEL", "--plot", "c.png"], ["matplotlib"], "--plot needs matplotlib"),
        (["train", "--epochs", 50, "--plot", "c.png"], ["matplotlib"], "--plot needs matplotlib"),
        (["predict", "MODEL", "a.png"], ["PIL"], "ffnn[images]"),
        (["train", "--download"], ["pooch"], "--download needs pooch and tqdm: pip install 'ffnn[download]'"),
        (["train", "--download"], ["tqdm"], "--download needs pooch and tqdm: pip install 'ffnn[download]'"),
    ],
)
def test_missing_extra_is_named_before_any_work(model, tmp_path, args, blocked, message):
    result = run(*[str(model) if a == "MODEL" else a for a in args], blocked=blocked, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert message in result.stderr and "pip install 'ffnn[" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["backquery"], ["predict"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.returncode == 0 and "usage: ffnn" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("args", [["evaluate", "--bogus"], ["train", "--bogus"], ["--bogus"]])
def test_unknown_option_is_refused_in_one_line(args):
    result = run(*args)
    assert result.returncode == 2
    command = args[0] if args[0] in cli.COMMANDS else "train"
    assert result.stderr.startswith(f"ffnn {command}: error: ") and result.stderr.count("\n") == 1, result.stderr


def test_backquery_titles_the_image_when_plots_can(model, tmp_path, capsys, monkeypatch):
    drawn = []

    def image(pixels, path, title=None):
        drawn.append((np.shape(pixels), str(path), title))

    monkeypatch.setattr(ffnn.plots, "image", image)
    code, _, err = main(["backquery", model, "--label", 3, "--out", tmp_path / "three.png"], capsys)
    assert code == 0, err
    assert drawn == [((784,), str(tmp_path / "three.png"), "label 3")]


def test_a_reader_that_stops_early_gets_no_error(model):
    child = subprocess.Popen(command("evaluate", model), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env())
    child.stdout.close()  # as `ffnn evaluate MODEL | head -1` does once it has its line
    err = child.stderr.read()
    child.stderr.close()
    assert child.wait(timeout=120) == 1 and err == b""
