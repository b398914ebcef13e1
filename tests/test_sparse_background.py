"""The sparse engine's background checked: finite in the dtype, held by the inputs, else dense with a warning."""
import numpy as np
import pytest

import ffnn
from ffnn.datasets import scale_inputs


@pytest.fixture(scope="module")
def book(sample):
    return scale_inputs(sample.train_images[:600]), sample.train_labels[:600]


def trained(X, y, dtype, **options):
    net = ffnn.NeuralNetwork(784, 40, 10, 0.1, dtype=dtype, seed=2)
    net.fit(X, y, 1, seed=3, **options)
    return net


@pytest.mark.parametrize("dtype, background", [(np.float64, 1e8), (np.float32, 1000.0), (np.float32, 3e38),
                                               (np.float64, -5.0), (np.float64, 0.5)])
@pytest.mark.parametrize("engine", ["sparse", "auto"])
def test_a_background_no_input_has_trains_densely_and_says_so(book, dtype, background, engine):
    X, y = book
    X = X.astype(dtype)
    with pytest.warns(UserWarning, match=rf"no input of the first 256 rows equals background=.*fit trains densely "
                                         rf"\(engine='{engine}' ignored\)"):
        net = trained(X, y, dtype, engine=engine, background=background)
    assert net == trained(X, y, dtype, engine="dense")  # bit for bit: no 0.37 away, no NaN


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_books_background_still_takes_the_sparse_engine(book, dtype):
    X, y = book
    X = X.astype(dtype)
    sparse = trained(X, y, dtype, engine="sparse", background=0.01)
    dense = trained(X, y, dtype, engine="dense")
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    for a, b in zip(sparse.weights, dense.weights):
        np.testing.assert_allclose(a, b, atol=tolerance)
    assert sparse != dense or dtype == np.float32  # float64: the sparse engine's rounding, not the dense bits


def test_a_float32_background_on_float64_inputs_is_named(book):
    X, y = book
    with pytest.warns(UserWarning, match=r"background is a float32 scalar, 0\.009999999776482582 in float64: "
                                         r"pass a Python float, background=0\.01"):
        net = trained(X, y, np.float64, engine="sparse", background=np.float32(0.01))
    assert net == trained(X, y, np.float64, engine="dense")


@pytest.mark.parametrize("background", [1e39, -1e39])
def test_a_background_beyond_float32_is_refused(book, background):
    X, y = book
    net = ffnn.NeuralNetwork(784, 40, 10, 0.1, dtype=np.float32, seed=2)
    before = [w.copy() for w in net.weights]
    with pytest.raises(ValueError, match=r"background must be finite in the network's dtype, float32; got"):
        net.fit(X.astype(np.float32), y, engine="sparse", background=background)
    assert all(np.array_equal(w, b) for w, b in zip(net.weights, before))
