"""Every SIMD level this CPU runs, forced in turn, against NumPy and the reference;
and threads, whose results must be bitwise those of one thread."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import reference
from conftest import DTYPES, assert_close, assert_loss_close, network_like

import ffnn
from ffnn import _core, _testing
from ffnn.datasets import make_targets, scale_inputs

# Around every vector width (4, 8, 16 lanes, and pairs of them) and MNIST's 784 + 1.
SIZES = [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 785]
ROWS = [1, 3, 4, 5, 9, 17]
# Element-wise functions are held to a few units in the last place.
ULPS = {np.float32: 1e-6, np.float64: 1e-15}


def as64(*arrays):
    return [a.astype(np.float64) for a in arrays]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cols", SIZES)
def test_row_kernels_match_numpy_at_every_level(level, cols, dtype):
    rng = np.random.default_rng(cols)
    for rows in ROWS:
        w = rng.normal(size=(rows, cols)).astype(dtype)
        x, b = rng.normal(size=(2, cols)).astype(dtype)
        e, a = rng.normal(size=(2, rows)).astype(dtype)
        w64, x64, b64, e64, a64 = as64(w, x, b, e, a)

        y = np.empty(rows, dtype)
        _testing.matvec(w, x, y)
        assert_close(y, w64 @ x64, dtype)
        z = np.empty(cols, dtype)
        _testing.matvec_t(w, e, z)
        assert_close(z, w64.T @ e64, dtype)

        updated = w64 + 0.3 * np.outer(a64, b64)
        fused = w.copy()
        _testing.update_matvec(fused, dtype(0.3), a, b, x, y)
        assert_close(fused, updated, dtype)
        assert_close(y, fused.astype(np.float64) @ x64, dtype)
        _testing.outer_update(w, dtype(0.3), a, b)
        # The fused and the plain update are the same arithmetic.
        np.testing.assert_array_equal(w, fused)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_sigmoid_and_logit_match_numpy_at_every_level(level, n, dtype):
    x = np.linspace(-30, 30, n).astype(dtype)
    y = np.empty_like(x)
    _core.sigmoid(x, y)
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-x.astype(np.float64))), rtol=ULPS[dtype])
    inner = np.clip(y, 1e-6, 1 - 1e-6).astype(dtype)
    back = np.empty_like(x)
    _core.logit(inner, back)
    np.testing.assert_allclose(
        back, reference.logit(inner.astype(np.float64)), rtol=10 * ULPS[dtype], atol=100 * ULPS[dtype]
    )


SHAPES = [(1, 1, 1), (3, 5, 2), (17, 33, 9), (31, 16, 8, 3), (785, 17, 9), (784, 64, 10)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
def test_train_query_backquery_match_reference_at_every_level(level, sizes, dtype):
    rng = np.random.default_rng(len(sizes) + sizes[0])
    inputs = rng.uniform(0.01, 1, (20, sizes[0])).astype(dtype)
    targets = rng.uniform(0.01, 0.99, (20, sizes[-1])).astype(dtype)
    weights = reference.initial_weights(sizes, 4, dtype)
    net = network_like(weights, 0.2, dtype)
    for x, t in zip(inputs, targets):
        assert_loss_close(net.train(x, t), reference.train(weights, x, t, 0.2), dtype)
    for ours, theirs in zip(net.weights, weights):
        assert_close(ours, theirs, dtype)
    assert_close(net.query(inputs), np.array([reference.query(weights, x) for x in inputs]), dtype)
    assert_close(net.backquery(targets[0]), reference.backquery(weights, targets[0]), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", ["book", "mse", "cross_entropy"])
def test_fit_equals_the_train_loop_bit_for_bit_at_every_level(level, sample, rule, dtype):
    images, labels = sample.train_images[:150], sample.train_labels[:150]
    a = ffnn.NeuralNetwork(784, [40, 20], 10, 0.1, dtype=dtype, seed=5, rule=rule)
    b = a.copy()
    a.fit(images, labels, seed=3, engine="dense")  # the engine of train
    x, t = scale_inputs(images, dtype), make_targets(labels, 10, dtype)
    for i in np.random.default_rng(3).permutation(len(images)):
        b.train(x[i], t[i])
    assert a == b


# Layers large enough to be split between threads (rows forwards, columns of
# W^T), and a small last layer that thread 0 does alone.
THREAD_SHAPES = [(784, 200, 10), (200, 150, 120, 5), (785, 33, 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", THREAD_SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("rule", ["book", "mse", "cross_entropy"])
def test_threads_give_bitwise_the_weights_of_one_thread(level, sizes, rule, dtype):
    rng = np.random.default_rng(sum(sizes))
    X = rng.integers(0, 256, (300, sizes[0]), dtype=np.uint8)
    y = rng.integers(0, sizes[-1], 300)
    # "deterministic" shares every large layer, so the shared path surely runs.
    one = ffnn.NeuralNetwork(sizes[0], sizes[1:-1], sizes[-1], 0.1, dtype=dtype, seed=1, rule=rule,
                             share="deterministic")
    results = {}
    for threads, share in ((1, "deterministic"), (2, "deterministic"), (3, "deterministic"), (2, "adaptive")):
        net = one.copy()
        net.threads = threads
        net.share = share
        history = net.fit(X, y, seed=7)
        results[threads, share] = (net, history["loss"], net.query(scale_inputs(X, dtype)))
    first = results[1, "deterministic"]
    for net, loss, out in results.values():
        assert net == first[0]
        assert loss == first[1]
        np.testing.assert_array_equal(out, first[2])
    assert first[0] != one  # training moved the weights


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_query_with_threads_matches_reference(level, dtype):
    weights = reference.initial_weights((784, 200, 10), 8, dtype)
    net = network_like(weights, 0.1, dtype)
    net.threads = 2
    inputs = np.random.default_rng(2).uniform(0.01, 1, (101, 784)).astype(dtype)
    assert_close(net.query(inputs), np.array([reference.query(weights, x) for x in inputs]), dtype)


def test_share_policy_is_checked_and_survives_copy_and_pickle():
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1, threads=2)
    assert net.share == "adaptive"
    net.share = "deterministic"
    assert net.copy().share == "deterministic"
    assert pickle.loads(pickle.dumps(net)).share == "deterministic"
    net.threads = 3  # a new pool keeps the policy
    assert net._net.share_policy == _core.SHARE_POLICIES["deterministic"]
    for bad in ("always", None, 1):
        with pytest.raises(ValueError, match="share must be one of"):
            net.share = bad
    with pytest.raises(ValueError, match="share must be one of"):
        ffnn.NeuralNetwork(5, 4, 3, 0.1, share="sometimes")
    assert net.share == "deterministic"


def test_threads_setting_is_checked_and_survives_copy():
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1, threads=2)
    assert net.threads == 2 and net.copy().threads == 2
    with pytest.raises(ValueError, match="threads must be at least 1"):
        net.threads = 0
    with pytest.raises(ValueError, match="threads must be a whole number"):
        net.threads = 1.5
    with pytest.raises(TypeError, match="threads must be an integer"):
        net.threads = "2"
    with pytest.raises(ValueError, match="threads must be between 1 and"):
        _core.Net([np.zeros((3, 2))], threads=10_000)


@pytest.mark.slow
def test_environment_variable_forces_a_level():
    for name in ffnn.simd_levels():
        env = dict(os.environ, FFNN_SIMD=name)
        out = subprocess.run(
            [sys.executable, "-c", "import ffnn; print(ffnn.simd_level())"],
            env=env, capture_output=True, text=True, check=True,
        )
        assert out.stdout.strip() == name


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_accurate_everywhere_and_keeps_special_values(level, dtype):
    # Dense over the whole range where the result is not 0 or 1, including
    # the subnormal results far left; every length hits a different tail.
    x = np.concatenate([np.linspace(-120, 120, 4099), [-np.inf, np.inf, -0.0, np.nan]]).astype(dtype)
    y = np.empty_like(x)
    _core.sigmoid(x, y)
    exact = reference.sigmoid(x[:-4].astype(np.float64))
    normal = exact > np.finfo(dtype).tiny
    np.testing.assert_allclose(y[:-4][normal], exact[normal], rtol=ULPS[dtype])
    assert np.all(np.diff(y[:-4]) >= 0)
    assert y[-4] == 0 and y[-3] == 1 and y[-2] == 0.5 and np.isnan(y[-1])
