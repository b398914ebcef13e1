"""Model files under failure: a save that fails at any step leaves the previous
file whole, and hostile files are refused without running anything in them."""
import errno
import io
import os
import pathlib
import pickle
import signal
import stat
import struct
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import ffnn
from ffnn import serialize


@pytest.fixture
def net():
    return ffnn.NeuralNetwork(6, [5, 4], 3, 0.2, seed=8)


def fail_with(error):
    def fail(*args, **kwargs):
        raise error
    return fail


def half_written_then(error):
    def savez(f, **arrays):
        f.write(b"PK\x03\x04 the first bytes of an archive")
        raise error
    return savez


# (what breaks, how): every step of save, and Ctrl-C in the middle of writing.
FAILURES = [
    ("write", "savez", half_written_then(OSError("No space left on device"))),
    ("ctrl-c", "savez", half_written_then(KeyboardInterrupt())),
    ("fsync", "fsync", fail_with(OSError("Input/output error"))),
    ("rename", "replace", fail_with(PermissionError("Permission denied"))),
]


@pytest.mark.parametrize("step, target, failure", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_save_failing_at_any_step_keeps_the_previous_file(tmp_path, net, monkeypatch, step, target, failure):
    path = tmp_path / "model.npz"
    net.save(path)
    before = path.read_bytes()
    changed = net.copy()
    changed.train([0.5] * 6, [0.9, 0.1, 0.1])
    module = serialize.np if target == "savez" else serialize.os
    monkeypatch.setattr(module, target, failure)
    with pytest.raises((OSError, KeyboardInterrupt)):
        changed.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind
    assert ffnn.NeuralNetwork.load(path) == net


@pytest.mark.parametrize("step, target, failure", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_first_save_that_fails_leaves_no_file(tmp_path, net, monkeypatch, step, target, failure):
    module = serialize.np if target == "savez" else serialize.os
    monkeypatch.setattr(module, target, failure)
    with pytest.raises((OSError, KeyboardInterrupt)):
        net.save(tmp_path / "model.npz")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_directory_is_a_clear_error(tmp_path, net):
    with pytest.raises(FileNotFoundError):
        net.save(tmp_path / "no" / "such" / "model.npz")


class Payload:
    """Unpickling this creates a directory: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def npy_bytes(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def model_with_member(tmp_path, net, name, data):
    """A valid model file of `net` with member `name` replaced by raw `data`."""
    good = tmp_path / "good.npz"
    net.save(good)
    path = tmp_path / "hostile.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == name else src.read(info))
    return path


def test_a_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(ValueError, match="not a readable ffnn model file"):
        ffnn.NeuralNetwork.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("member", ["weights_0.npy", "sizes.npy", "learning_rate.npy", "format.npy"])
def test_a_pickled_member_is_refused_without_running_it(tmp_path, net, member):
    marker = tmp_path / "ran"
    payload = np.array([Payload(marker)], dtype=object)
    path = model_with_member(tmp_path, net, member, npy_bytes(payload, allow_pickle=True))
    with pytest.raises(ValueError, match="hostile.npz"):
        ffnn.NeuralNetwork.load(path)
    assert not marker.exists()


def test_a_member_declaring_a_huge_header_is_refused(tmp_path, net):
    # Format 2.0: a 4-byte header length, here 4 GiB - 1, followed by nothing.
    data = b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 1)
    path = model_with_member(tmp_path, net, "weights_1.npy", data)
    with pytest.raises(ValueError, match="hostile.npz"):
        ffnn.NeuralNetwork.load(path)


@pytest.mark.parametrize(
    "dtype, learning_rate",
    [(np.float64, np.nan), (np.float64, np.inf), (np.float64, 0.0), (np.float32, 1e300)],
)
def test_a_stored_learning_rate_that_cannot_train_is_refused(tmp_path, dtype, learning_rate):
    net = ffnn.NeuralNetwork(6, 5, 3, 0.2, dtype=dtype, seed=8)
    data = npy_bytes(np.array(learning_rate, dtype=np.float64))
    path = model_with_member(tmp_path, net, "learning_rate.npy", data)
    with pytest.raises(ValueError, match="hostile.npz: learning_rate"):
        ffnn.NeuralNetwork.load(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_network_with_broken_weights_is_not_saved(tmp_path, net, bad):
    # In-place edits bypass the setter: save itself refuses, so the last good
    # file survives.
    path = tmp_path / "model.npz"
    net.save(path)
    before = path.read_bytes()
    broken = net.copy()
    broken.weights[1][0, 0] = bad
    with pytest.raises(ValueError, match=r"model.npz: weights\[1\] holds NaN or infinite values; not saved"):
        broken.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.npz"]
    with pytest.raises(ValueError, match="NaN or infinite"):
        broken.save(tmp_path / "new.npz")
    assert os.listdir(tmp_path) == ["model.npz"]


# ---- where save writes ---------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_save_refuses_a_fifo_and_leaves_it(tmp_path, net):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=r"model.npz: exists and is not a regular file \(a FIFO\)"):
        net.save(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["model.npz"]


@pytest.mark.skipif(not os.path.exists(os.devnull) or os.name == "nt", reason="needs a device node")
def test_save_refuses_a_link_to_a_device(tmp_path, net):
    link = tmp_path / "model.npz"
    link.symlink_to(os.devnull)
    with pytest.raises(ValueError, match="not a regular file .a character device."):
        net.save(link)
    assert os.readlink(link) == os.devnull and stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_save_refuses_a_directory(tmp_path, net):
    (tmp_path / "model.npz").mkdir()
    with pytest.raises(ValueError, match="a directory"):
        net.save(tmp_path / "model.npz")


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_save_through_a_link_writes_the_file_it_points_to(tmp_path, net):
    (tmp_path / "models").mkdir()
    real = tmp_path / "models" / "real.npz"
    ffnn.NeuralNetwork(3, 2, 1, 0.1).save(real)
    link = tmp_path / "latest.npz"
    link.symlink_to(os.path.join("models", "real.npz"))
    net.save(link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("models", "real.npz")
    assert ffnn.NeuralNetwork.load(real) == net
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "models"] and os.listdir(real.parent) == ["real.npz"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_save_keeps_the_mode_of_the_file_it_replaces(tmp_path, net):
    path = tmp_path / "model.npz"
    net.save(path)
    os.chmod(path, 0o604)
    net.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o604


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_new_file_gets_the_mode_of_any_new_file(tmp_path, net):
    old = os.umask(0o027)
    try:
        net.save(tmp_path / "model.npz")
        (tmp_path / "other").touch()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "model.npz").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(tmp_path / "other").st_mode) == 0o640


def test_save_to_a_name_of_the_longest_legal_length(tmp_path, net):
    for length in (250, 255):
        path = tmp_path / ("m" * (length - 4) + ".npz")
        net.save(path)
        net.save(path)
        assert ffnn.NeuralNetwork.load(path) == net
    names = sorted(os.listdir(tmp_path))
    assert [len(n) for n in names] == [250, 255]


def test_an_error_names_the_path_given_not_the_temporary_file(tmp_path, net, monkeypatch):
    def refuse(source, destination):
        raise PermissionError(errno.EACCES, "Permission denied", source)

    monkeypatch.setattr(serialize.os, "replace", refuse)
    with pytest.raises(PermissionError) as info:
        net.save(tmp_path / "model.npz")
    assert info.value.filename == str(tmp_path / "model.npz") and ".tmp" not in str(info.value)
    assert os.listdir(tmp_path) == []


KILLED_SAVE = """
import os, signal, sys
import ffnn
from ffnn import serialize

def killed_halfway(f, **arrays):
    f.write(b"PK\\x03\\x04 half an archive")
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)

serialize.np.savez = killed_halfway
ffnn.NeuralNetwork(6, 5, 3, 0.2).save(sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path, net):
    path = tmp_path / "model.npz"
    net.save(path)
    result = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], timeout=60)
    assert result.returncode == -signal.SIGKILL
    [stale] = [name for name in os.listdir(tmp_path) if name != "model.npz"]
    assert stale.startswith(".model.npz.") and stale.endswith(".tmp")
    # Temporaries of a running process, or of another target, are not ours to remove.
    alive = tmp_path / f".model.npz.{os.getpid()}.0123abcd.tmp"
    other = tmp_path / stale.replace("model.npz", "other.npz")
    alive.touch()
    other.touch()
    net.save(path)
    assert (tmp_path / stale).exists()  # too recent: it might be another machine's save in progress
    an_hour_ago = time.time() - 3600
    for name in (stale, alive.name, other.name):
        os.utime(tmp_path / name, (an_hour_ago, an_hour_ago))
    net.save(path)
    assert sorted(os.listdir(tmp_path)) == sorted(["model.npz", alive.name, other.name])
    assert ffnn.NeuralNetwork.load(path) == net


def test_save_refuses_more_layers_than_a_model_file_holds(tmp_path):
    weights = [np.ones((1, 1))] * (serialize.MAX_LAYERS + 1)
    state = {"weights": weights, "dtype": "float64", "learning_rate": 0.1, "rule": "book", "hidden_is_list": True}
    with pytest.raises(ValueError, match=f"more than a model file holds .{serialize.MAX_LAYERS}."):
        serialize.save(state, tmp_path / "deep.npz")
    assert os.listdir(tmp_path) == []
    serialize.save(dict(state, weights=weights[:-1]), tmp_path / "deep.npz")
    assert len(serialize.load(tmp_path / "deep.npz")["weights"]) == serialize.MAX_LAYERS


@pytest.mark.parametrize("kind", [bytes, str, "pathlike"])
def test_save_and_load_take_any_kind_of_path(tmp_path, net, kind, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = {bytes: b"m.npz", str: "m.npz", "pathlike": pathlib.Path("m.npz")}[kind]
    net.save(path)
    assert ffnn.NeuralNetwork.load(path) == net
    with pytest.raises(TypeError, match="path must be a file path"):
        ffnn.NeuralNetwork.load(3)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_load_refuses_a_fifo_without_waiting_on_it(tmp_path):
    os.mkfifo(tmp_path / "model.npz")
    with pytest.raises(ValueError, match=r"model.npz: not a model file \(a FIFO\)"):
        ffnn.NeuralNetwork.load(tmp_path / "model.npz")
