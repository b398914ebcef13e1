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
