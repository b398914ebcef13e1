"""Numerics at the extremes: sigmoid and logit over their whole range, training
with huge learning rates and inputs, and a clear error for non-finite weights."""
import numpy as np
import pytest
from conftest import DTYPES, RULES

import ffnn
from ffnn import _core

special = pytest.importorskip("scipy.special")


def spread(limit, dtype):
    """0, +-tiny .. +-limit on a log scale, and a linear sweep through the middle."""
    magnitudes = np.logspace(-8, np.log10(limit), 400)
    x = np.concatenate([-magnitudes, [0.0], magnitudes, np.linspace(-40, 40, 801)])
    return np.sort(x).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_matches_expit_up_to_1e4(dtype):
    x = spread(1e4, dtype)
    y = np.empty_like(x)
    with np.errstate(all="raise"):
        _core.sigmoid(x, y)
    assert np.isfinite(y).all() and y.min() == 0 and y.max() == 1
    assert np.all(np.diff(y) >= 0)
    finfo = np.finfo(dtype)
    # A few units in the last place; below the normal range, to the smallest normal.
    np.testing.assert_allclose(y, special.expit(x.astype(np.float64)), rtol=4 * finfo.eps, atol=finfo.tiny)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logit_matches_scipy_on_all_of_0_1(dtype):
    finfo = np.finfo(dtype)
    tiny = float(finfo.smallest_subnormal)
    below_one = float(np.nextafter(dtype(1), dtype(0)))
    y = np.concatenate([[tiny, finfo.tiny, finfo.eps, 0.5, 1 - finfo.eps, below_one],
                        np.linspace(0.001, 0.999, 999)]).astype(dtype)
    z = np.empty_like(y)
    with np.errstate(all="raise"):
        _core.logit(y, z)
    assert np.isfinite(z).all()
    expected = special.logit(y.astype(np.float64))
    np.testing.assert_allclose(z, expected, rtol=4 * finfo.eps, atol=4 * finfo.eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logit_inverts_sigmoid_where_the_sigmoid_is_not_saturated(dtype):
    # Beyond these, 1 - sigmoid(x) has too few digits left to invert.
    limit = 8 if dtype == np.float32 else 15
    x = np.linspace(-limit, limit, 301).astype(dtype)
    y, back = np.empty_like(x), np.empty_like(x)
    _core.sigmoid(x, y)
    _core.logit(y, back)
    np.testing.assert_allclose(back, x, atol=1e-3 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_finite_spots_every_nan_and_inf(dtype):
    x = np.linspace(-1, 1, 37).astype(dtype)
    assert _core.all_finite(x) and _core.all_finite(x[:0])
    assert _core.all_finite(np.array([np.finfo(dtype).max, -np.finfo(dtype).max], dtype))
    for bad in (np.nan, np.inf, -np.inf):
        for position in range(len(x)):  # every lane of the unrolled loop, and its tail
            y = x.copy()
            y[position] = bad
            assert not _core.all_finite(y)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("lr", [1e3, 1e6, 1e10])
@pytest.mark.filterwarnings("ignore::ffnn.SaturationWarning")  # said, and tested, in test_learner_mistakes.py
def test_huge_learning_rates_saturate_but_stay_finite(sample, lr, rule, dtype):
    net = ffnn.NeuralNetwork(784, [30, 20], 10, lr, dtype=dtype, seed=0, rule=rule)
    history = net.fit(sample.train_images[:300], sample.train_labels[:300], epochs=2, seed=0)
    assert np.isfinite(history["loss"]).all()
    assert all(np.isfinite(w).all() for w in net.weights)
    assert np.isfinite(net.query(np.full(784, 0.5, dtype))).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("scale", [1e4, 1e15, 1e30])
def test_extreme_inputs_stay_finite(scale, rule, dtype):
    rng = np.random.default_rng(int(np.log10(scale)))
    net = ffnn.NeuralNetwork(20, [15, 10], 5, 0.1, dtype=dtype, seed=0, rule=rule)
    for _ in range(200):
        x = rng.choice([-scale, scale], 20) * rng.uniform(0, 1, 20)
        assert np.isfinite(net.train(x, rng.uniform(0, 1, 5)))
    assert all(np.isfinite(w).all() for w in net.weights)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", RULES)
def test_overflowing_updates_are_stopped_at_the_next_step(sample, rule, dtype):
    # lr * delta overflows to inf here; inf * 0 then makes NaN in the update.
    lr = 1e30 if dtype == np.float32 else 1e300
    net = ffnn.NeuralNetwork(784, [30, 20], 10, lr, dtype=dtype, seed=0, rule=rule)
    x = sample.train_images[:50] / 255 * 0.99 + 0.01
    t = np.full((50, 10), 0.01)
    t[np.arange(50), sample.train_labels[:50]] = 0.99
    for i in range(50):
        was_finite = all(np.isfinite(w).all() for w in net.weights)
        try:
            loss = net.train(x[i], t[i])
        except FloatingPointError as exc:
            assert not was_finite and "smaller learning rate" in str(exc)
            return
        assert was_finite and np.isfinite(loss)
    assert all(np.isfinite(w).all() for w in net.weights)  # this rule never overflowed


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", [0, 1, 2])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_train_refuses_non_finite_weights_set_in_place(bad, layer, dtype):
    net = ffnn.NeuralNetwork(4, [3, 3], 2, 0.1, dtype=dtype, seed=0)
    net.weights[layer][1, 2] = bad  # in place, past the setter's check
    with pytest.raises(FloatingPointError, match="NaN or infinite"):
        net.train([0.0, 0.0, 0.0, 0.0], [0.99, 0.01])  # zero inputs: inf * 0 is NaN
    with pytest.raises(FloatingPointError, match="in epoch 1"):
        net.fit(np.full((3, 4), 0.5), [0, 1, 0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_train_refuses_weights_whose_sums_overflow(dtype):
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, dtype=dtype, seed=0)
    net.wih = np.full((3, 4), np.finfo(dtype).max / 2)
    with pytest.raises(FloatingPointError, match="overflow"):
        net.train([1.0, 1.0, 1.0, 1.0], [0.99, 0.01])


def test_fit_stops_within_the_epoch_where_weights_break():
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0)
    net.who[0, 0] = np.nan
    calls = []
    with pytest.raises(FloatingPointError, match="in epoch 1"):
        net.fit(np.full((5000, 4), 0.5), np.zeros(5000, int), epochs=3, callback=lambda *a: calls.append(a))
    assert calls == []
