"""Model files under failure: a save that fails at any step leaves the previous
file whole, and hostile files are refused without running anything in them."""
import io
import os
import pickle
import struct
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
def test_a_network_with_broken_weights_cannot_be_saved_as_a_valid_file(tmp_path, net, bad):
    # In-place edits bypass the setter; the file that results is refused on
    # load, so a broken network never comes back silently.
    net.weights[1][0, 0] = bad
    net.save(tmp_path / "model.npz")
    with pytest.raises(ValueError, match="NaN or infinite"):
        ffnn.NeuralNetwork.load(tmp_path / "model.npz")
