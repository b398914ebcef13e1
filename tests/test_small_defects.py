"""Small defects: empty batches, 0-d IDX files, labels as a column, sklearn's odd arguments."""
import gzip
import warnings

import numpy as np
import pytest
from conftest import optional_module

import ffnn
from ffnn.datasets import load_mnist


def idx(array):
    return bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes() + array.tobytes()


@pytest.fixture
def net():
    return ffnn.NeuralNetwork(784, 8, 10, 0.1, seed=0)


@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_score_of_no_rows_says_so(net, dtype):
    with pytest.raises(ValueError, match=r"^X must have shape \(n, 784\) with n >= 1, got \(0, 784\)$"):
        net.score(np.zeros((0, 784), dtype), np.zeros(0, np.int64))


@pytest.mark.parametrize("which", ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
def test_an_idx_file_of_no_dimensions_is_refused_by_name(tmp_path, which):
    files = {
        "train-images-idx3-ubyte": np.ones((4, 28, 28), np.uint8), "train-labels-idx1-ubyte": np.ones(4, np.uint8),
        "t10k-images-idx3-ubyte": np.ones((2, 28, 28), np.uint8), "t10k-labels-idx1-ubyte": np.ones(2, np.uint8),
    }
    files[which] = np.array(7, np.uint8)  # a header of 0 dimensions: one value, a 0-d array
    for stem, array in files.items():
        (tmp_path / (stem + ".gz")).write_bytes(gzip.compress(idx(array)))
    with pytest.raises(ValueError, match=rf"{which}.gz: its header declares a 0-d array"):
        load_mnist(tmp_path)


def test_idx_images_of_no_pixels_are_refused(tmp_path):
    files = {
        "train-images-idx3-ubyte": np.ones((4, 0, 0), np.uint8), "train-labels-idx1-ubyte": np.ones(4, np.uint8),
    }
    for stem, array in files.items():
        (tmp_path / stem).write_bytes(idx(array))
    with pytest.raises(ValueError, match=r"the train images have no pixels \(shape \[4, 0, 0\]\)"):
        load_mnist(tmp_path, parts=["train"])


@pytest.fixture
def small(sample):
    return sample.train_images[:300], sample.train_labels[:300]


def test_labels_as_a_column_are_taken_with_a_warning_by_fit_and_score(small):
    X, y = small
    net, expected = ffnn.NeuralNetwork(784, 8, 10, 0.1, seed=0), ffnn.NeuralNetwork(784, 8, 10, 0.1, seed=0)
    with pytest.warns(UserWarning, match=r"y is a column of labels, shape \(300, 1\).*y\.ravel\(\)"):
        net.fit(X, y.reshape(-1, 1), seed=1)
    expected.fit(X, y, seed=1)
    assert net == expected
    with pytest.warns(UserWarning, match=r"labels is a column of labels, shape \(300, 1\)"):
        assert net.score(X, y.reshape(-1, 1)) == expected.score(X, y)


def test_the_warning_points_at_the_callers_line(small):
    X, y = small
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ffnn.NeuralNetwork(784, 8, 10, 0.1, seed=0).fit(X, y[:, None])
    assert [w.filename for w in caught] == [__file__]


def test_a_float_column_stays_targets_of_one_output():
    net = ffnn.NeuralNetwork(2, 3, 1, 0.1, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit([[0.1, 0.9], [0.9, 0.1]], np.array([[0.99], [0.01]]), 2)


def test_sklearn_takes_a_column_of_labels_with_a_warning_as_well(small):
    optional_module("sklearn")
    from ffnn.sklearn import BookMLPClassifier

    X, y = small
    with pytest.warns(UserWarning, match="column-vector y"):
        BookMLPClassifier(hidden_nodes=8, epochs=1, random_state=0).fit(X, y.reshape(-1, 1))


@pytest.mark.parametrize("hidden", [np.array(5), np.int64(5), 5, np.array([5, 4]), [5, 4]])
def test_sklearn_takes_hidden_nodes_as_the_network_does(small, hidden):
    optional_module("sklearn")
    from ffnn.sklearn import BookMLPClassifier

    X, y = small
    clf = BookMLPClassifier(hidden_nodes=hidden, epochs=1, random_state=0).fit(X, y)
    assert clf.network_.sizes[1:-1] == tuple(np.atleast_1d(hidden).tolist())


def test_predict_proba_is_uniform_where_every_output_underflows(small):
    optional_module("sklearn")
    from ffnn.sklearn import BookMLPClassifier

    X, y = small
    clf = BookMLPClassifier(hidden_nodes=8, epochs=1, random_state=0).fit(X, y)
    clf.network_.weights[-1][:] = -1e4  # every output sigmoid(-huge) == 0 exactly
    assert not clf.network_.query(X[:3]).any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = clf.predict_proba(X[:3])
    np.testing.assert_array_equal(proba, np.full((3, 10), 0.1))
    clf.network_.weights[-1][:3] = 0.0  # the first three classes at 0.5, the others at 0
    np.testing.assert_allclose(clf.predict_proba(X[:2]), np.tile([1 / 3] * 3 + [0] * 7, (2, 1)))


def test_sklearn_leaves_scaling_to_its_own_tools_and_does_not_warn(small):
    optional_module("sklearn")
    from ffnn.sklearn import BookMLPClassifier

    X, y = small
    with warnings.catch_warnings():
        warnings.simplefilter("error", ffnn.InputScaleWarning)
        clf = BookMLPClassifier(hidden_nodes=8, epochs=1, random_state=0).fit(X.astype(np.float64), y)
        clf.predict_proba(X.astype(np.float64))
    with pytest.warns(ffnn.InputScaleWarning):  # the network itself, given the same, does warn
        clf.network_.query(X.astype(np.float64))
