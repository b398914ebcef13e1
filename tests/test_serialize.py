"""net.save / NeuralNetwork.load: round trips, atomic replacement, refusal of bad files."""
import io
import os
import struct
import zipfile

import numpy as np
import pytest

import ffnn
from ffnn import serialize


def saved_members(tmp_path, net):
    path = tmp_path / "good.npz"
    net.save(path)
    with np.load(path, allow_pickle=False) as f:
        return {name: f[name] for name in f.files}


def write_npz(path, members, compress=False):
    (np.savez_compressed if compress else np.savez)(path, **members)
    return path


@pytest.fixture
def net():
    return ffnn.NeuralNetwork(784, [16, 8], 10, 0.05, seed=4, rule="mse")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden, rule", [(20, "book"), ([12, 7], "cross_entropy"), ([], "mse")])
def test_save_then_load_gives_the_same_network(tmp_path, sample, dtype, hidden, rule):
    original = ffnn.NeuralNetwork(784, hidden, 10, 0.3, dtype=dtype, seed=1, rule=rule)
    original.fit(sample.train_images[:50], sample.train_labels[:50])
    original.save(tmp_path / "model.npz")
    loaded = ffnn.NeuralNetwork.load(tmp_path / "model.npz")
    assert loaded == original and loaded.dtype == dtype
    assert (loaded.learning_rate, loaded.rule, loaded.hnodes) == (0.3, rule, original.hnodes)
    np.testing.assert_array_equal(loaded.query(sample.test_images[:5] / 255), original.query(sample.test_images[:5] / 255))


def test_model_file_is_plain_arrays_with_a_version(tmp_path, net):
    members = saved_members(tmp_path, net)
    assert members["format"] == "ffnn-network" and members["version"] == serialize.VERSION
    assert members["sizes"].tolist() == [784, 16, 8, 10] and members["dtype"] == "float64"
    assert members["rule"] == "mse" and members["learning_rate"] == 0.05
    assert not any(a.dtype.hasobject for a in members.values())


def test_failed_save_leaves_the_previous_file_whole(tmp_path, net, monkeypatch):
    path = tmp_path / "model.npz"
    net.save(path)
    before = path.read_bytes()

    def broken_savez(f, **arrays):
        f.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(serialize.np, "savez", broken_savez)
    changed = net.copy()
    changed.weights[0][:] = 0
    with pytest.raises(OSError, match="disk full"):
        changed.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]
    assert ffnn.NeuralNetwork.load(path) == net


def test_save_replaces_an_existing_file(tmp_path, net):
    path = tmp_path / "model.npz"
    ffnn.NeuralNetwork(3, 2, 1, 0.1).save(path)
    net.save(path)
    assert ffnn.NeuralNetwork.load(path) == net and os.listdir(tmp_path) == ["model.npz"]


def huge_member(shape):
    """The bytes of a .npy header declaring `shape`, followed by no data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def huge_model(tmp_path, net, write_weights):
    """A model of `net` resized to 10^6 x 10^6 weights, whose weights_0 `write_weights(archive)` writes."""
    members = saved_members(tmp_path, net)
    members["sizes"] = np.array([10**6, 10**6], dtype=np.int64)
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in members.items():
            if not name.startswith("weights_"):
                buffer = io.BytesIO()
                np.save(buffer, value)
                archive.writestr(name + ".npy", buffer.getvalue())
        write_weights(archive)
    return path


def test_load_refuses_declared_sizes_beyond_the_file(tmp_path, net):
    path = huge_model(tmp_path, net, lambda archive: archive.writestr("weights_0.npy", huge_member((10**6, 10**6))))
    with pytest.raises(ValueError, match="huge.npz: member 'weights_0' is compressed, truncated"):
        ffnn.NeuralNetwork.load(path)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.update(version=np.array(2)), "format version 2 is not supported"),
        (lambda m: m.update(format=np.array("something else")), "not an ffnn model file"),
        (lambda m: m.pop("weights_1"), "missing member 'weights_1'"),
        (lambda m: m.update(weights_0=np.zeros((16, 783))), r"shape \(16, 783\), expected \(16, 784\)"),
        (lambda m: m.update(weights_0=m["weights_0"].astype(np.float32)), "model's dtype is float64"),
        (lambda m: m.update(sizes=np.array([784, 10**9], dtype=np.int64)), r"expected \(1000000000, 784\)"),
        (lambda m: m.update(sizes=np.array([784])), "2 to"),
        (lambda m: m.update(sizes=np.array([784, -16, 8, 10])), "positive"),
        (lambda m: m.update(dtype=np.array("int8")), "dtype must be float32 or float64"),
        (lambda m: m.update(rule=np.array("adam")), "rule must be one of"),
        (lambda m: m.update(learning_rate=np.array(-1.0)), "learning_rate"),
        (lambda m: m["weights_2"].__setitem__((0, 0), np.nan), "NaN"),
        (lambda m: m.update(extra=np.zeros(3)), "unexpected members"),
        (lambda m: m.update(hidden_is_list=np.array(False)), "single hidden layer is declared"),
        (lambda m: m.update(rule=np.array(["book"], dtype=object)), "holds object"),
    ],
)
def test_load_refuses_a_damaged_model(tmp_path, net, change, message):
    members = saved_members(tmp_path, net)
    change(members)
    path = write_npz(tmp_path / "bad.npz", members)
    with pytest.raises(ValueError, match=f"bad.npz: .*{message}"):
        ffnn.NeuralNetwork.load(path)


def test_load_refuses_compressed_members(tmp_path, net):
    path = write_npz(tmp_path / "packed.npz", saved_members(tmp_path, net), compress=True)
    with pytest.raises(ValueError, match="compressed"):
        ffnn.NeuralNetwork.load(path)


@pytest.mark.parametrize("cut", [10, 100, 1000, -10])
def test_load_refuses_a_truncated_file(tmp_path, net, cut):
    path = tmp_path / "model.npz"
    net.save(path)
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    with pytest.raises(ValueError, match="model.npz"):
        ffnn.NeuralNetwork.load(path)


def test_load_refuses_other_files(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="notes.txt: not a readable ffnn model file"):
        ffnn.NeuralNetwork.load(text)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        ffnn.NeuralNetwork.load(tmp_path / "missing.npz")


def flipped(data, bit):
    changed = bytearray(data)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


def central_directory_fields(data):
    """Bit positions of the flag and method fields of every central directory entry."""
    bits = []
    start = data.find(b"PK\x01\x02")
    while start >= 0:
        bits += range((start + 8) * 8, (start + 12) * 8)
        start = data.find(b"PK\x01\x02", start + 4)
    return bits


@pytest.mark.slow
def test_every_damaged_bit_is_refused_with_a_value_error_or_loads_finite(tmp_path):
    # Every bit of the zip entries' flags and methods (where zipfile raised
    # RuntimeError or NotImplementedError) and every 37th bit elsewhere.
    path = tmp_path / "model.npz"
    ffnn.NeuralNetwork(2, [2], 1, 0.1, seed=0).save(path)
    data = path.read_bytes()
    bits = sorted(set(central_directory_fields(data)) | set(range(0, len(data) * 8, 37)))
    assert len(bits) > 500
    damaged = tmp_path / "damaged.npz"
    loaded = 0
    for bit in bits:
        damaged.write_bytes(flipped(data, bit))
        try:
            net = ffnn.NeuralNetwork.load(damaged)
        except ValueError as exc:
            assert "damaged.npz: " in str(exc), bit
        else:
            assert all(np.isfinite(w).all() for w in net.weights), bit
            loaded += 1
    assert 0 < loaded < len(bits)


def rewritten_entries(path, **fields):
    """`path` with the given fields of every central directory entry replaced."""
    offsets = {"flag_bits": (8, "<H"), "compress_type": (10, "<H")}
    data = bytearray(path.read_bytes())
    start = data.find(b"PK\x01\x02")
    while start >= 0:
        for name, value in fields.items():
            offset, layout = offsets[name]
            struct.pack_into(layout, data, start + offset, value)
        start = data.find(b"PK\x01\x02", start + 4)
    return bytes(data)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"flag_bits": 0x01}, "encrypted"),
        ({"flag_bits": 0x20}, "encrypted or patched"),
        ({"flag_bits": 0x40}, "encrypted or patched"),
        ({"compress_type": 8}, "zip method 8"),
        ({"compress_type": 9}, "zip method 9"),
        ({"compress_type": 93}, "zip method 93"),
        ({"compress_type": 99}, "zip method 99"),
    ],
)
def test_load_refuses_encrypted_and_foreign_entries(tmp_path, net, fields, message):
    path = tmp_path / "model.npz"
    net.save(path)
    path.write_bytes(rewritten_entries(path, **fields))
    with pytest.raises(ValueError, match=f"model.npz: .*{message}"):
        ffnn.NeuralNetwork.load(path)


def test_load_refuses_a_zip64_entry_declaring_more_than_the_file(tmp_path, net):
    # A 2 KB file whose entry says it holds 10^6 x 10^6 weights (7.3 TiB).
    header = huge_member((10**6, 10**6))

    def write_weights(archive):
        with archive.open("weights_0.npy", "w", force_zip64=True) as f:
            f.write(header)
        # The central directory is written from these on close.
        info = archive.getinfo("weights_0.npy")
        info.file_size = info.compress_size = len(header) + 8 * 10**12

    path = huge_model(tmp_path, net, write_weights)
    assert path.stat().st_size < 4096
    with pytest.raises(ValueError, match="huge.npz: member 'weights_0' declares 8000000000"):
        ffnn.NeuralNetwork.load(path)


def test_a_file_system_without_modes_still_saves_and_leaks_nothing(tmp_path, monkeypatch):
    net = ffnn.NeuralNetwork(3, 2, 1, 0.1, seed=0)
    path = tmp_path / "m.npz"
    net.save(path)

    def refuse(fd, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", refuse)
    before = len(os.listdir(f"/proc/{os.getpid()}/fd")) if os.path.isdir("/proc/self/fd") else None
    net.save(path)   # replaces the file; its mode cannot be copied there
    assert ffnn.NeuralNetwork.load(path) == net and os.listdir(tmp_path) == ["m.npz"]
    if before is not None:
        assert len(os.listdir(f"/proc/{os.getpid()}/fd")) == before


def test_write_atomically_leaves_the_old_file_whole_when_writing_fails(tmp_path):
    path = tmp_path / "model.h"
    path.write_text("old")

    def fail_halfway(f):
        f.write(b"new, but not all of it")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left") as caught:
        serialize.write_atomically(path, fail_halfway)
    assert caught.value.filename in (None, str(path))
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["model.h"]
    serialize.write_atomically(path, lambda f: f.write(b"new"))
    assert path.read_text() == "new"
