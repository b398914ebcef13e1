"""The IDX reader, the shipped MNIST sample and the book's scaling."""
import gzip

import numpy as np
import pytest

from ffnn.datasets import load_mnist, make_targets, parse_idx, read_idx, scale_inputs


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


@pytest.mark.parametrize(
    "text, message",
    [
        ("5," + ",".join(["0"] * 783) + "\n", "784 pixel values, got 783"),
        ("5," + ",".join(["0"] * 784) + "\n7,1,2\n", "mnist_test.csv: not a CSV file"),
        ("5," + ",".join(["0"] * 783) + ",x\n", "mnist_test.csv: not a CSV file"),
        ("5," + ",".join(["0"] * 783) + ",256\n", "values 0..255 .*'256'"),
        ("-5," + ",".join(["0"] * 784) + "\n", "values 0..255 .*'-5'"),
        ("", "mnist_test.csv: no lines"),
    ],
)
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
        ({"y_train": np.array([None] * 20, dtype=object)}, "Object arrays cannot be loaded"),
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
