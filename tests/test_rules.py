"""The three update rules against tests/reference.py, and what they are mathematically.

For E_MSE = sum((t - o)^2) and the binary cross-entropy E_CE, the facts pinned
here (docs/gradient.md derives them):
1. "book": the output layer moves by -(lr/2) dE_MSE/dW; the layer below it by
   -lr dE_CE/dW (not the MSE gradient); layers further down by neither;
2. "mse" moves every layer by -(lr/2) dE_MSE/dW, "cross_entropy" by -lr dE_CE/dW;
3. keeping the 2 of dE_MSE/dW is doubling lr, bit for bit;
4. dropping o(1 - o) turns the gradient of every node on MNIST, so it cannot
   be folded into lr as the 2 can.
"""
import pickle

import numpy as np
import pytest
import reference
from conftest import DTYPES, RULES, assert_close, assert_loss_close, network_like
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ffnn
from ffnn.datasets import make_targets, scale_inputs

STEP_SCALE = {"mse": 0.5, "cross_entropy": 1.0}  # a train step is -lr * this * gradient


def ids(sizes):
    return "-".join(map(str, sizes))


def random_samples(sizes, n, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(0.01, 1.0, size=(n, sizes[0])).astype(dtype)
    targets = rng.uniform(0.01, 0.99, size=(n, sizes[-1])).astype(dtype)
    return inputs, targets


def samples(kind, sizes, n, sample_arrays, seed=0):
    """n random samples, or n MNIST samples of the shipped sample (784 in, 10 out)."""
    if kind == "random":
        return random_samples(sizes, n, seed)
    assert sizes[0] == 784 and sizes[-1] == 10
    inputs, targets = sample_arrays
    return inputs[seed : seed + n], targets[seed : seed + n]


def ffnn_step(weights, x, t, lr, rule):
    """The weight changes of one ffnn train step (float64) from the given weights."""
    net = network_like(weights, lr, np.float64)
    net.rule = rule
    net.train(x, t)
    return [after - before for after, before in zip(net.weights, weights)]


def cosine(a, b):
    return float(np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def assert_not_parallel(a, b):
    """a is no positive multiple of b: their cosine is below 1 by far more than rounding."""
    assert cosine(a, b) < 1 - 1e-9


# ---- every rule against the reference ---------------------------------------

@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "sizes", [(1, 1, 1), (3, 5, 2), (4, 3), (6, 5, 4, 3), (17, 33, 9), (784, 200, 100, 10)], ids=ids
)
def test_train_under_each_rule_matches_reference(rule, sizes, dtype):
    steps = 20 if sizes[0] == 784 else 200
    inputs, targets = random_samples(sizes, steps, seed=len(sizes), dtype=dtype)
    weights = reference.initial_weights(sizes, 1, dtype)
    net = network_like(weights, 0.2, dtype)
    net.rule = rule
    for x, t in zip(inputs, targets):
        assert_loss_close(net.train(x, t), reference.train(weights, x, t, 0.2, rule), dtype)
    for w_ours, w_ref in zip(net.weights, weights):
        assert w_ours.dtype == dtype
        assert_close(w_ours, w_ref, dtype)


@pytest.fixture
def simd_level(request):
    """Runs the test with the kernels of one SIMD level, then restores the level in use."""
    before = ffnn.simd_level()
    ffnn.set_simd_level(request.param)
    yield request.param
    ffnn.set_simd_level(before)


@pytest.mark.parametrize("simd_level", ffnn.simd_levels(), indirect=True)
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_simd_level_trains_each_rule_as_the_reference(simd_level, rule, dtype):
    sizes = (37, 21, 13, 10)  # odd sizes leave remainders for every vector width
    inputs, targets = random_samples(sizes, 50, seed=2, dtype=dtype)
    weights = reference.initial_weights(sizes, 2, dtype)
    net = network_like(weights, 0.3, dtype)
    net.rule = rule
    if rule != "book":
        per_sample = [reference.gradients(weights, x, t, rule) for x, t in zip(inputs, targets)]
        for g, e in zip(net.gradients(inputs, targets), map(sum, zip(*per_sample))):
            assert_close(g, e, dtype)
    net.fit(inputs, targets, shuffle=False)
    for x, t in zip(inputs, targets):
        reference.train(weights, x, t, 0.3, rule)
    for w_ours, w_ref in zip(net.weights, weights):
        assert_close(w_ours, w_ref, dtype)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hidden", [[30], [200, 100]], ids=["784-30-10", "784-200-100-10"])
def test_fit_under_each_rule_matches_reference_on_mnist(sample, rule, hidden, dtype):
    images, labels = sample.train_images[:300], sample.train_labels[:300]
    net = ffnn.NeuralNetwork(784, hidden, 10, 0.1, dtype=dtype, seed=4, rule=rule)
    weights = [w.copy() for w in net.weights]
    history = net.fit(images, labels, epochs=1, shuffle=False)
    x = scale_inputs(images, dtype)
    t = make_targets(labels, 10, dtype)
    losses = [reference.train(weights, xi, ti, 0.1, rule) for xi, ti in zip(x, t)]
    for w_ours, w_ref in zip(net.weights, weights):
        assert_close(w_ours, w_ref, dtype)
    assert_close(history["loss"][0], np.mean(losses), dtype)


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 30), min_size=2, max_size=5),
    rule=st.sampled_from(RULES),
    dtype=st.sampled_from(DTYPES),
    lr=st.floats(1e-3, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
# A float32 sample fitted almost exactly: its squared error is far smaller
# than the rounding of the outputs it is made of.
@example(sizes=[25, 1], rule="book", dtype=np.float32, lr=0.25, seed=116)
@example(sizes=[1, 1], rule="cross_entropy", dtype=np.float32, lr=1.375, seed=19819)
def test_any_shape_rule_and_learning_rate_match_reference(sizes, rule, dtype, lr, seed):
    inputs, targets = random_samples(sizes, 5, seed, dtype)
    weights = reference.initial_weights(sizes, seed, dtype)
    initial = [w.copy() for w in weights]
    net = network_like(weights, lr, dtype)
    net.rule = rule
    for x, t in zip(inputs, targets):
        assert_loss_close(net.train(x, t), reference.train(weights, x, t, lr, rule), dtype)
    for w_ours, w_ref, w_0 in zip(net.weights, weights, initial):
        # Large steps may carry a weight across zero: rounding is relative to
        # the weights it passed through, not to where it ends.
        assert_close(w_ours, w_ref, dtype, scale=max(np.abs(w_ref).max(), np.abs(w_0).max()))


def test_rules_give_different_networks(sample_arrays):
    inputs, targets = sample_arrays
    trained = {}
    for rule in RULES:
        net = ffnn.NeuralNetwork(784, 20, 10, 0.1, seed=0, rule=rule)
        for x, t in zip(inputs[:50], targets[:50]):
            net.train(x, t)
        trained[rule] = net.weights
    for a, b in [("book", "mse"), ("book", "cross_entropy"), ("mse", "cross_entropy")]:
        assert not np.allclose(trained[a][0], trained[b][0], rtol=1e-6, atol=0)


@pytest.mark.parametrize("rule", RULES)
def test_rule_is_kept_by_pickle_copy_and_repr(rule):
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, rule=rule)
    assert pickle.loads(pickle.dumps(net)).rule == rule
    assert net.copy().rule == rule
    assert (f"rule={rule!r}" in repr(net)) == (rule != "book")


def test_unknown_rule_is_rejected():
    with pytest.raises(ValueError, match="rule must be one of"):
        ffnn.NeuralNetwork(4, 3, 2, 0.1, rule="hebb")
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1)
    with pytest.raises(ValueError, match="rule must be one of"):
        net.rule = "MSE"


# ---- the reference's gradients are the gradients ----------------------------

def numeric_gradients(loss, weights, inputs, targets, h=1e-6):
    """Central differences of reference.squared_error or reference.cross_entropy."""
    grads = []
    for w in weights:
        grad = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            saved = w[idx]
            w[idx] = saved + h
            up = loss(weights, inputs, targets)
            w[idx] = saved - h
            down = loss(weights, inputs, targets)
            w[idx] = saved
            grad[idx] = (up - down) / (2 * h)
        grads.append(grad)
    return grads


LOSS_FUNCTIONS = {"mse": reference.squared_error, "cross_entropy": reference.cross_entropy}


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("sizes", [(4, 3), (5, 4, 3), (6, 5, 4, 3), (3, 4, 5, 4, 2)], ids=ids)
def test_reference_gradients_equal_finite_differences(loss, sizes):
    (x,), (t,) = random_samples(sizes, 1, seed=len(sizes))
    weights = reference.initial_weights(sizes, 2)
    numeric = numeric_gradients(LOSS_FUNCTIONS[loss], weights, x, t)
    for g, n in zip(reference.gradients(weights, x, t, loss), numeric):
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-9)


# ---- the mathematics of the rules --------------------------------------------

DEPTHS = [(5, 3), (5, 4, 3), (6, 5, 4, 3), (7, 6, 5, 4, 3)]
DATA = [("random", s) for s in DEPTHS] + [
    ("mnist", (784, 30, 10)), ("mnist", (784, 30, 20, 10)), ("mnist", (784, 200, 100, 10))
]
DATA_IDS = [f"{kind}-{ids(s)}" for kind, s in DATA]


@pytest.mark.parametrize(("kind", "sizes"), DATA, ids=DATA_IDS)
def test_book_output_step_is_minus_half_lr_times_mse_gradient(kind, sizes, sample_arrays):
    (x,), (t,) = samples(kind, sizes, 1, sample_arrays)
    weights = reference.initial_weights(sizes, 5)
    steps = ffnn_step(weights, x, t, 0.3, "book")
    grad = reference.gradients(weights, x, t, "mse")
    assert_close(steps[-1], -(0.3 / 2) * grad[-1], np.float64)


@pytest.mark.parametrize(("kind", "sizes"), [d for d in DATA if len(d[1]) >= 3],
                         ids=[i for i, d in zip(DATA_IDS, DATA) if len(d[1]) >= 3])
def test_book_step_below_the_output_is_cross_entropy_gradient_not_mse(kind, sizes, sample_arrays):
    """With one hidden layer that is the hidden layer: raw errors W^T (t - o), times o(1 - o)."""
    (x,), (t,) = samples(kind, sizes, 1, sample_arrays)
    weights = reference.initial_weights(sizes, 6)
    step = ffnn_step(weights, x, t, 0.3, "book")[-2]
    ce = reference.gradients(weights, x, t, "cross_entropy")[-2]
    mse = reference.gradients(weights, x, t, "mse")[-2]
    assert_close(step, -0.3 * ce, np.float64)
    assert not np.allclose(step, -(0.3 / 2) * mse, rtol=1e-3, atol=0)
    assert_not_parallel(step, -mse)


@pytest.mark.parametrize(("kind", "sizes"), [d for d in DATA if len(d[1]) >= 4],
                         ids=[i for i, d in zip(DATA_IDS, DATA) if len(d[1]) >= 4])
def test_book_steps_further_down_follow_neither_gradient(kind, sizes, sample_arrays):
    (x,), (t,) = samples(kind, sizes, 1, sample_arrays)
    weights = reference.initial_weights(sizes, 7)
    steps = ffnn_step(weights, x, t, 0.3, "book")
    for loss in ["mse", "cross_entropy"]:
        grads = reference.gradients(weights, x, t, loss)
        for step, grad in zip(steps[:-2], grads[:-2]):
            assert_not_parallel(step, -grad)


@pytest.mark.parametrize("rule", ["mse", "cross_entropy"])
@pytest.mark.parametrize(("kind", "sizes"), DATA, ids=DATA_IDS)
def test_loss_rules_step_down_their_exact_gradient_at_every_layer(rule, kind, sizes, sample_arrays):
    (x,), (t,) = samples(kind, sizes, 1, sample_arrays)
    weights = reference.initial_weights(sizes, 8)
    steps = ffnn_step(weights, x, t, 0.3, rule)
    for step, grad in zip(steps, reference.gradients(weights, x, t, rule)):
        assert_close(step, -0.3 * STEP_SCALE[rule] * grad, np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("kind", "sizes"), [DATA[1], DATA[3], DATA[-1]], ids=[DATA_IDS[1], DATA_IDS[3], DATA_IDS[-1]])
def test_keeping_the_2_is_doubling_the_learning_rate_bit_for_bit(kind, sizes, dtype, sample_arrays):
    """W -= lr * dE/dW, with the 2 kept, is the 2-less rule at 2 lr, step after step.

    Doubling is exact in binary floating point, so every rounding is the same.
    """
    inputs, targets = samples(kind, sizes, 30, sample_arrays)
    inputs, targets = inputs.astype(dtype), targets.astype(dtype)
    lr = dtype(0.05)
    kept = reference.initial_weights(sizes, 9, dtype)
    folded = [w.copy() for w in kept]
    net = network_like(kept, 2 * lr, dtype)
    net.rule = "mse"
    for x, t in zip(inputs, targets):
        for w, g in zip(kept, reference.gradients(kept, x, t, "mse")):
            w -= lr * g
        reference.train(folded, x, t, 2 * lr, "mse")
        net.train(x, t)
    for a, b, c in zip(kept, folded, net.weights):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a, b)
        assert_close(c, a, dtype)


def test_dropping_the_sigmoid_term_turns_every_node_on_mnist(sample):
    """Unlike the constant 2, o(1 - o) differs from sample to sample and node to node.

    Over 1000 MNIST images, each node's summed gradient row (its incoming
    weights) under E_MSE and with o(1 - o) dropped at the output (the
    cross-entropy gradient) point different ways, in every layer.
    """
    net = ffnn.NeuralNetwork(784, 50, 10, 0.1, seed=0, rule="mse")
    net.fit(sample.train_images[:2000], sample.train_labels[:2000], seed=0)
    x = scale_inputs(sample.train_images[2000:3000])
    t = make_targets(sample.train_labels[2000:3000])
    mse = net.gradients(x, t)
    net.rule = "cross_entropy"
    dropped = net.gradients(x, t)
    for layer, (a, b) in enumerate(zip(mse, dropped)):
        cosines = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        angles = np.degrees(np.arccos(np.clip(cosines, -1, 1)))
        assert (angles > 1).all(), (layer, angles.min())
