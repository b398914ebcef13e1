"""The IDX reader, the shipped MNIST sample and the book's scaling."""
import gzip
import io
import os
import pathlib
import shutil
import tracemalloc
import zipfile

import numpy as np
import pytest

from ffnn.datasets import load_mnist, make_targets, parse_idx, read_csv, read_idx, read_npz, scale_inputs


def idx(array, type_code=0x08):
    return bytes([0, 0, type_code, array.ndim]) + np.array(array.shape, ">u4").tobytes() + array.tobytes()


def test_parse_idx_round_trip():
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(parse_idx(idx(a)), a)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01x", "bad magic"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated header"),
        (idx(np.zeros(5, np.uint8))[:-1], "header promises"),
    ],
)
def test_parse_idx_rejects_malformed_data(data, message):
    with pytest.raises(ValueError, match=message):
        parse_idx(data, "f.idx")


def test_read_idx_names_an_unreadable_gz(tmp_path):
    bad = tmp_path / "x-idx1-ubyte.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="x-idx1-ubyte.gz"):
        read_idx(bad)
    good = tmp_path / "y.gz"
    good.write_bytes(gzip.compress(idx(np.arange(3, dtype=np.uint8))))
    np.testing.assert_array_equal(read_idx(good), [0, 1, 2])


def test_sample_is_stratified_real_mnist(sample):
    assert sample.train_images.shape == (6000, 784) and sample.train_images.dtype == np.uint8
    assert sample.test_images.shape == (1000, 784)
    assert np.bincount(sample.train_labels).tolist() == [600] * 10
    assert np.bincount(sample.test_labels).tolist() == [100] * 10
    assert sample.train_images.max() == 255 and 0.10 < sample.train_images.mean() / 255 < 0.16


@pytest.mark.slow
def test_full_mnist_facts(full_mnist_dir, sample):
    data = load_mnist(full_mnist_dir)
    assert data.train_images.shape == (60000, 784) and data.test_images.shape == (10000, 784)
    assert data.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert data.test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(data.train_labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    # Every sample image is an image of the full set.
    full = {img.tobytes() for img in data.test_images}
    assert all(img.tobytes() in full for img in sample.test_images)


def test_scaling_follows_the_book():
    x = scale_inputs(np.array([0, 255, 128], np.uint8))
    np.testing.assert_allclose(x, [0.01, 1.0, 128 / 255 * 0.99 + 0.01])
    assert scale_inputs([0], np.float32).dtype == np.float32
    t = make_targets([2, 0], 3)
    np.testing.assert_array_equal(t, [[0.01, 0.01, 0.99], [0.99, 0.01, 0.01]])


# ---- the other layouts: the book's CSV files, keras's mnist.npz, any IDX set --------------

def write_csv(path, images, labels):
    np.savetxt(path, np.column_stack([labels, images]), fmt="%d", delimiter=",")
    return path


@pytest.mark.parametrize("names", [("mnist_train.csv", "mnist_test.csv"), ("mnist_train_100.csv", "mnist_test_10.csv")])
def test_load_mnist_reads_the_books_csv_files(tmp_path, sample, names):
    write_csv(tmp_path / names[0], sample.train_images[:100], sample.train_labels[:100])
    write_csv(tmp_path / names[1], sample.test_images[:10], sample.test_labels[:10])
    data = load_mnist(tmp_path)
    np.testing.assert_array_equal(data.train_images, sample.train_images[:100])
    np.testing.assert_array_equal(data.test_labels, sample.test_labels[:10])
    assert data.train_images.dtype == np.uint8 and data.train_labels.dtype == np.int64


LINE = "5," + ",".join(["0"] * 784) + "\n"
CSV_PROBLEMS = {
    "783 pixels": ("5," + ",".join(["0"] * 783) + "\n", "line 1: expected a label and 784 pixel values, got 783"),
    "ragged": (LINE + "7,1,2\n", "mnist_test.csv: line 2: expected a label and 784 pixel values, got 2"),
    "not a number": (LINE + "\n" + LINE[:-2] + "x\n", "mnist_test.csv: line 3: 'x' is not an integer"),
    "fraction": (LINE[:-2] + "1.5\n", "line 1: '1.5' is not an integer"),
    "pixel 256": (LINE + LINE[:-2] + "256\n", r"line 2: value 256 is out of range \(labels are non-negative, pixels 0..255\)"),
    "pixel -5": (LINE[:-2] + "-5\n", "line 1: value -5 is out of range"),
    "label -5": ("-" + LINE, "line 1: value -5 is out of range"),
    "huge": (LINE[:-2] + "9" * 30 + "\n", "mnist_test.csv: line"),
    "empty": ("", "mnist_test.csv: no lines"),
}


@pytest.mark.parametrize("text, message", CSV_PROBLEMS.values(), ids=CSV_PROBLEMS)
def test_load_mnist_names_the_bad_csv_file_and_problem(tmp_path, sample, text, message):
    write_csv(tmp_path / "mnist_train.csv", sample.train_images[:3], sample.train_labels[:3])
    (tmp_path / "mnist_test.csv").write_text(text)
    with pytest.raises(ValueError, match=message):
        load_mnist(tmp_path)


def keras_npz(path, sample, **changes):
    arrays = {
        "x_train": sample.train_images[:20].reshape(-1, 28, 28), "y_train": sample.train_labels[:20].astype(np.uint8),
        "x_test": sample.test_images[:5].reshape(-1, 28, 28), "y_test": sample.test_labels[:5].astype(np.uint8),
    }
    arrays.update(changes)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


@pytest.mark.parametrize("where", ["file", "directory"])
def test_load_mnist_reads_a_keras_npz(tmp_path, sample, where):
    path = keras_npz(tmp_path / "mnist.npz", sample)
    data = load_mnist(path if where == "file" else tmp_path)
    np.testing.assert_array_equal(data.train_images, sample.train_images[:20])
    np.testing.assert_array_equal(data.test_labels, sample.test_labels[:5])


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"y_test": None}, r"missing arrays \['y_test'\]"),
        ({"x_train": np.zeros((20, 784), np.uint8)}, "train images uint8"),
        ({"x_test": np.zeros((5, 28, 28), np.float32)}, "test images float32"),
        ({"y_train": np.zeros(19, np.uint8)}, "do not match"),
        ({"y_train": np.array([None] * 20, dtype=object)}, "pickled objects are never loaded"),
    ],
)
def test_load_mnist_refuses_a_bad_npz(tmp_path, sample, changes, message):
    path = keras_npz(tmp_path / "mnist.npz", sample, **changes)
    with pytest.raises(ValueError, match=f"mnist.npz: .*{message}"):
        load_mnist(path)


def test_load_mnist_reads_any_idx_dataset(tmp_path):
    """Fashion-MNIST and friends: same file names and layout, other pictures and sizes."""
    rng = np.random.default_rng(0)
    for stem, array in {
        "train-images-idx3-ubyte": rng.integers(0, 256, (7, 20, 20), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 7, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (3, 20, 20), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 3, dtype=np.uint8),
    }.items():
        (tmp_path / stem).write_bytes(idx(array))  # uncompressed this time
    data = load_mnist(tmp_path)
    assert data.train_images.shape == (7, 400) and data.test_labels.shape == (3,)


def test_load_mnist_names_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="no MNIST files found .*train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere: no such file"):
        load_mnist(tmp_path / "nowhere")


def test_load_mnist_refuses_mismatched_idx_files(tmp_path):
    for stem, array in {
        "train-images-idx3-ubyte": np.zeros((4, 28, 28), np.uint8),
        "train-labels-idx1-ubyte": np.zeros(5, np.uint8),
        "t10k-images-idx3-ubyte": np.zeros((1, 28, 28), np.uint8),
        "t10k-labels-idx1-ubyte": np.zeros(1, np.uint8),
    }.items():
        (tmp_path / (stem + ".gz")).write_bytes(gzip.compress(idx(array)))
    with pytest.raises(ValueError, match=r"train images uint8\[4, 28, 28\] do not match labels uint8\[5\]"):
        load_mnist(tmp_path)


# ---- sizes read from a file are never trusted ------------------------------------


def test_read_idx_stops_at_the_bytes_its_header_promises(tmp_path):
    # Ten images, then 64 MiB of zeros: refused with memory bounded by the
    # header's 7 840 bytes, not by the stream.
    images = np.arange(7840, dtype=np.uint8).reshape(10, 28, 28)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(idx(images))
        zeros = bytes(1 << 20)
        for _ in range(64):
            f.write(zeros)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: more data than its header declares"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    path.write_bytes(gzip.compress(idx(images)))
    np.testing.assert_array_equal(read_idx(path), images)


@pytest.mark.parametrize("compressed", [True, False])
def test_read_idx_refuses_a_truncated_file(tmp_path, compressed):
    data = idx(np.zeros((10, 28, 28), np.uint8))[:-100]
    path = tmp_path / ("images.gz" if compressed else "images")
    path.write_bytes(gzip.compress(data) if compressed else data)
    with pytest.raises(ValueError, match=r"images(.gz)?: truncated: 7756 bytes, but its header promises 7856"):
        read_idx(path)
    path.write_bytes(gzip.compress(data)[:-20] if compressed else data[:6])
    with pytest.raises(ValueError, match="images"):
        read_idx(path)


def write_idx_set(directory, train=4, test=2, compress=True):
    for stem, array in {
        "train-images-idx3-ubyte": np.ones((train, 28, 28), np.uint8),
        "train-labels-idx1-ubyte": np.ones(train, np.uint8),
        "t10k-images-idx3-ubyte": np.ones((test, 28, 28), np.uint8),
        "t10k-labels-idx1-ubyte": np.ones(test, np.uint8),
    }.items():
        data = idx(array)
        (directory / (stem + ".gz" if compress else stem)).write_bytes(gzip.compress(data) if compress else data)


def test_an_idx_file_of_no_images_is_refused_by_name(tmp_path):
    write_idx_set(tmp_path, test=0)
    assert read_idx(tmp_path / "t10k-images-idx3-ubyte.gz").shape == (0, 28, 28)
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: holds no images"):
        load_mnist(tmp_path)


def test_load_mnist_reads_the_parts_asked_for(tmp_path):
    write_idx_set(tmp_path, train=4, test=2)
    for stem in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        os.unlink(tmp_path / stem)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    test = load_mnist(tmp_path, parts=["test"])
    assert test.test_images.shape == (2, 784) and test.train_images is None and test.train_labels is None
    assert load_mnist(tmp_path, "test").test_labels.tolist() == [1, 1]
    with pytest.raises(ValueError, match=r"parts must name one or both of \['train', 'test'\], got \['tset'\]"):
        load_mnist(tmp_path, parts=["tset"])


def test_load_mnist_reads_one_csv_file_as_the_part_named(tmp_path, sample):
    path = write_csv(tmp_path / "mnist_train.csv", sample.train_images[:5], sample.train_labels[:5])
    with pytest.raises(ValueError, match="mnist_train.csv: a CSV file holds one part of a dataset; say which"):
        load_mnist(path)
    data = load_mnist(path, parts=["train"])
    np.testing.assert_array_equal(data.train_images, sample.train_images[:5])
    assert data.test_images is None
    assert load_mnist(path, parts=["test"]).test_labels.tolist() == sample.train_labels[:5].tolist()
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="notes.txt: neither a keras-style .npz"):
        load_mnist(tmp_path / "notes.txt")


def test_a_keras_npz_declaring_more_than_it_holds_is_refused(tmp_path, sample):
    # A 3 KB file whose x_train says it holds 10^6 images of 1 000 x 1 000 pixels (1.5 TiB with the rest).
    path = keras_npz(tmp_path / "mnist.npz", sample, x_train=None)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False, "shape": (10**6, 1000, 1000)})
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        forged = tmp_path / f"forged-{method}.npz"
        shutil.copy(path, forged)
        with zipfile.ZipFile(forged, "a", compression=method) as archive:
            with archive.open("x_train.npy", "w", force_zip64=True) as f:
                f.write(header.getvalue())
            info = archive.getinfo("x_train.npy")
            info.file_size = len(header.getvalue()) + 10**12
            if method == zipfile.ZIP_STORED:
                info.compress_size = info.file_size
        assert forged.stat().st_size < 16384
        with pytest.raises(ValueError, match=f"forged-{method}.npz: not a keras-style mnist.npz"):
            load_mnist(forged)


@pytest.mark.parametrize("kind", [bytes, pathlib.Path])
def test_loaders_take_bytes_and_path_like_paths(tmp_path, sample, kind):
    write_idx_set(tmp_path)
    keras_npz(tmp_path / "keras.npz", sample)
    write_csv(tmp_path / "one.csv", sample.train_images[:3], sample.train_labels[:3])
    assert load_mnist(kind(os.fsencode(tmp_path)) if kind is bytes else tmp_path).train_images.shape == (4, 784)
    as_kind = (lambda p: os.fsencode(p)) if kind is bytes else pathlib.Path
    assert read_idx(as_kind(tmp_path / "t10k-labels-idx1-ubyte.gz")).tolist() == [1, 1]
    assert len(read_npz(as_kind(tmp_path / "keras.npz"))["train_images"]) == 20
    assert read_csv(as_kind(tmp_path / "one.csv"))[1].tolist() == sample.train_labels[:3].tolist()
    with pytest.raises(TypeError, match="path must be a file path"):
        load_mnist(3)


def test_an_npz_of_the_test_part_alone_loads_as_the_test_set(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "test_only.npz", x_test=images, y_test=np.array([1, 2, 3]))
    data = load_mnist(tmp_path / "test_only.npz", parts=["test"])
    assert data.train_images is None and np.array_equal(data.test_images, images.reshape(3, 784))
    assert list(data.test_labels) == [1, 2, 3]
    with pytest.raises(ValueError, match=r"missing arrays \['x_train', 'y_train'\]"):
        load_mnist(tmp_path / "test_only.npz")
