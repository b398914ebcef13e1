"""ffnn's train, query and backquery against the NumPy reference of the book."""
import numpy as np
import pytest
import reference
from conftest import DTYPES, assert_close, network_like
from hypothesis import given, settings
from hypothesis import strategies as st

SHAPES = [(1, 1, 1), (3, 5, 2), (17, 33, 9), (784, 200, 10), (784, 200, 100, 10)]


def random_samples(sizes, n, seed, dtype):
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(0.01, 1.0, size=(n, sizes[0])).astype(dtype)
    targets = rng.uniform(0.01, 0.99, size=(n, sizes[-1])).astype(dtype)
    return inputs, targets


def train_both(sizes, inputs, targets, lr, dtype, seed=0):
    """Train ffnn and the reference from the same weights; return both, and both losses."""
    weights = reference.initial_weights(sizes, seed, dtype)
    net = network_like(weights, lr, dtype)
    ours, theirs = [], []
    for x, t in zip(inputs, targets):
        ours.append(net.train(x, t))
        theirs.append(reference.train(weights, x, t, lr))
    return net, weights, np.array(ours), np.array(theirs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("steps", [1, 10, 1000])
def test_train_matches_reference_on_random_data(sizes, steps, dtype):
    if steps == 1000 and sizes[0] == 784 and dtype == np.float32:
        steps = 300  # keep the slow reference short; the float64 runs cover 1000
    inputs, targets = random_samples(sizes, steps, seed=steps, dtype=dtype)
    net, weights, ours, theirs = train_both(sizes, inputs, targets, 0.1, dtype)
    for w_ours, w_ref in zip(net.weights, weights):
        assert w_ours.dtype == dtype
        assert_close(w_ours, w_ref, dtype)
    assert_close(ours, theirs, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hidden", [(200,), (200, 100)], ids=["784-200-10", "784-200-100-10"])
def test_train_matches_reference_after_1000_mnist_steps(sample_arrays, hidden, dtype):
    inputs, targets = (a.astype(dtype) for a in sample_arrays)
    sizes = (784, *hidden, 10)
    net, weights, ours, theirs = train_both(sizes, inputs, targets, 0.1, dtype, seed=3)
    for w_ours, w_ref in zip(net.weights, weights):
        assert_close(w_ours, w_ref, dtype)
    assert_close(ours, theirs, dtype)
    # The weights really moved: a test of nothing would pass on untrained ones.
    start = reference.initial_weights(sizes, 3, dtype)
    assert all(np.abs(w - w0).max() > 1e-3 for w, w0 in zip(net.weights, start))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
def test_query_matches_reference(sizes, dtype):
    weights = reference.initial_weights(sizes, 5, dtype)
    net = network_like(weights, 0.1, dtype)
    inputs, _ = random_samples(sizes, 7, seed=1, dtype=dtype)
    expected = np.array([reference.query(weights, x) for x in inputs])
    batch = net.query(inputs)
    assert batch.shape == (7, sizes[-1]) and batch.dtype == dtype
    assert_close(batch, expected, dtype)
    single = net.query(inputs[3])
    assert single.shape == (sizes[-1],)
    assert_close(single, expected[3], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
def test_backquery_matches_reference(sizes, dtype):
    weights = reference.initial_weights(sizes, 6, dtype)
    net = network_like(weights, 0.1, dtype)
    targets = np.full(sizes[-1], 0.01, dtype)
    targets[0] = 0.99
    image = net.backquery(targets)
    assert image.shape == (sizes[0],) and image.dtype == dtype
    assert_close(image, reference.backquery(weights, targets), dtype)
    if sizes[0] > 1:
        assert np.isclose(image.min(), 0.01) and np.isclose(image.max(), 0.99)


def test_backquery_of_trained_mnist_network_matches_reference(sample_arrays):
    inputs, targets = sample_arrays
    net, weights, _, _ = train_both((784, 100, 10), inputs[:300], targets[:300], 0.1, np.float64)
    for label in range(10):
        t = np.full(10, 0.01)
        t[label] = 0.99
        assert_close(net.backquery(t), reference.backquery(weights, t), np.float64)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=2, max_size=5),
    dtype=st.sampled_from(DTYPES),
    lr=st.floats(1e-3, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_shape_dtype_and_learning_rate_matches_reference(sizes, dtype, lr, seed):
    inputs, targets = random_samples(sizes, 5, seed, dtype)
    net, weights, ours, theirs = train_both(sizes, inputs, targets, lr, dtype, seed=seed)
    for w_ours, w_ref in zip(net.weights, weights):
        assert_close(w_ours, w_ref, dtype)
    assert_close(ours, theirs, dtype)
    assert_close(net.query(inputs), np.array([reference.query(weights, x) for x in inputs]), dtype)
