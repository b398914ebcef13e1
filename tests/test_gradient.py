"""net.gradients (the C core's gradients) and the finite-difference checker ffnn.gradcheck."""
import numpy as np
import pytest
import reference
from conftest import DTYPES, RULES, assert_close, network_like

import ffnn
from ffnn.gradcheck import check_gradients

SHAPES = [(4, 3), (5, 4, 3), (6, 5, 4, 3), (17, 33, 9), (784, 200, 100, 10)]
# Finite differences in float64 against float32 gradients agree to float32's precision.
CHECK_TOLERANCE = {np.float32: 1e-4, np.float64: 1e-6}


def ids(sizes):
    return "-".join(map(str, sizes))


def random_samples(sizes, n, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.01, 1.0, (n, sizes[0])).astype(dtype),
            rng.uniform(0.01, 0.99, (n, sizes[-1])).astype(dtype))


def expected_gradients(rule, weights, x, t, lr=0.25):
    """The reference's gradient of the rule's loss; for "book", minus its step over lr."""
    if rule != "book":
        return reference.gradients(weights, x, t, rule)
    after = [w.copy() for w in weights]
    reference.train(after, x, t, lr, "book")
    return [(b - a) / lr for a, b in zip(after, weights)]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", SHAPES, ids=ids)
def test_gradients_match_reference(rule, sizes, dtype):
    (x,), (t,) = random_samples(sizes, 1, seed=len(sizes))
    weights = reference.initial_weights(sizes, 3)
    net = network_like(weights, 0.25, dtype)
    net.rule = rule
    before = [w.copy() for w in net.weights]
    grads = net.gradients(x.astype(dtype), t.astype(dtype))
    assert all(np.array_equal(w, b) for w, b in zip(net.weights, before)), "weights changed"
    for g, e, w in zip(grads, expected_gradients(rule, weights, x, t), weights):
        assert g.dtype == dtype and g.shape == w.shape
        # The expected values use the float64 weights; float32 rounding stays within its tolerance.
        assert_close(g, e, dtype)


@pytest.mark.parametrize("rule", RULES)
def test_gradients_of_rows_are_summed(rule):
    sizes = (6, 5, 4, 3)
    inputs, targets = random_samples(sizes, 4, seed=0)
    net = ffnn.NeuralNetwork(6, [5, 4], 3, 0.1, seed=0, rule=rule)
    total = net.gradients(inputs, targets)
    singles = [net.gradients(x, t) for x, t in zip(inputs, targets)]
    for k, g in enumerate(total):
        np.testing.assert_allclose(g, sum(s[k] for s in singles), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("rule", ["mse", "cross_entropy"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [(4, 3), (5, 4, 3), (6, 5, 4, 3), (3, 7, 6, 5, 2)], ids=ids)
def test_check_gradients_passes_for_each_loss_rule(rule, sizes, dtype):
    inputs, targets = random_samples(sizes, 3, seed=1)
    net = ffnn.NeuralNetwork(sizes[0], list(sizes[1:-1]), sizes[-1], 0.1, seed=2, rule=rule,
                             dtype=dtype)
    checks = check_gradients(net, inputs, targets)
    assert len(checks) == len(sizes) - 1
    for check in checks:
        assert check.relative_error < CHECK_TOLERANCE[dtype]
        assert check.cosine == pytest.approx(1, abs=1e-6)
        assert check.scale == pytest.approx(1, rel=1e-4)


def test_check_gradients_of_a_big_network_on_mnist_entries(sample_arrays):
    inputs, targets = sample_arrays
    net = ffnn.NeuralNetwork(784, [200, 100], 10, 0.1, seed=0, rule="cross_entropy")
    for check in check_gradients(net, inputs[:5], targets[:5], entries=40, seed=0):
        assert len(check.numeric) == 40
        assert check.relative_error < 1e-6


def test_check_gradients_measures_the_book_against_each_loss():
    """The book's output layer is half the MSE gradient; the hidden one is the CE gradient."""
    inputs, targets = random_samples((5, 4, 3), 1, seed=11)
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1, seed=11)
    hidden_mse, output_mse = check_gradients(net, inputs[0], targets[0], loss="mse")
    hidden_ce, output_ce = check_gradients(net, inputs[0], targets[0], loss="cross_entropy")
    assert output_mse.scale == pytest.approx(0.5, rel=1e-6)
    assert output_mse.cosine == pytest.approx(1, abs=1e-9)
    assert hidden_ce.relative_error < 1e-6
    assert hidden_mse.cosine < 1 - 1e-6
    assert output_ce.cosine < 1 - 1e-6


def test_check_gradients_finds_a_wrong_gradient():
    """A checker that cannot fail checks nothing: break the gradient, see it fail."""
    inputs, targets = random_samples((5, 4, 3), 2, seed=3)
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1, seed=3, rule="mse")
    assert all(c.relative_error > 0.1 for c in check_gradients(net, inputs, targets, loss="cross_entropy"))


def test_check_gradients_needs_a_loss_for_the_book():
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1)
    with pytest.raises(ValueError, match="the book's rule has no loss"):
        check_gradients(net, [0.5] * 5, [0.5] * 3)
    with pytest.raises(ValueError, match="h must be > 0"):
        check_gradients(net, [0.5] * 5, [0.5] * 3, loss="mse", h=0)


def test_gradients_reject_bad_shapes():
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1)
    with pytest.raises(ValueError, match=r"inputs must have shape \(5,\) or \(n, 5\)"):
        net.gradients(np.zeros(4), np.zeros(3))
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 3\)"):
        net.gradients(np.zeros((2, 5)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"inputs must have shape"):
        net.gradients(np.zeros((0, 5)), np.zeros((0, 3)))
    with pytest.raises(TypeError, match="inputs must hold real numbers"):
        net.gradients(["a"] * 5, np.zeros(3))


def test_core_gradients_guard_their_arguments():
    """A direct call into the binding cannot write outside the arrays it is given."""
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1)
    x, t = np.zeros((2, 5)), np.zeros((2, 3))
    grads = [np.empty_like(w) for w in net.weights]
    samples = ffnn._core.Samples(inputs=x, targets=t)
    with pytest.raises(ValueError, match="gradient arrays of shapes"):
        net._net.gradients(0, [np.empty((4, 5)), np.empty((2, 4))], None, samples)
    with pytest.raises(ValueError, match="2 inputs but 1 targets"):
        net._net.gradients(0, grads, None, ffnn._core.Samples(inputs=x, targets=t[:1]))
    with pytest.raises(ValueError, match="gradients: a size, dtype, rule"):
        net._net.gradients(7, grads, None, samples)
    with pytest.raises(ValueError, match="gradients: a size, dtype, rule"):
        net._net.gradients(0, grads, [np.empty(4), np.empty(3)], samples)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        net._net.gradients(0, grads, None, ffnn._core.Samples(inputs=x, labels=np.array([0, 3])))
