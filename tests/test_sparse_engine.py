"""fit's sparse engine: the book's training, up to rounding, at the cost of the ink.

Held to the NumPy reference of the book's network (tests/reference.py) and to
the dense engine; bitwise equal to itself on any number of threads and in
any chunking; chosen by engine="auto" where it pays.
"""
import numpy as np
import pytest
import reference
from conftest import DTYPES, RULES, TOLERANCE

import ffnn
from ffnn import _core
from ffnn.augment import Rotations
from ffnn.datasets import load_mnist, make_targets, scale_inputs


def fitted(sizes, X, y, dtype, engine, *, seed=0, rule="book", bias=False, threads=1, **fit):
    """A network of the reference's initial weights (and random biases) after one unshuffled
    epoch of fit."""
    net = ffnn.NeuralNetwork(sizes[0], list(sizes[1:-1]), sizes[-1], 0.1, dtype=dtype, rule=rule,
                             bias=bias, threads=threads)
    net.weights = reference.initial_weights(sizes, seed, dtype)
    if bias:
        net.biases = net_biases(sizes, seed)
    net.fit(X, y, 1, shuffle=False, engine=engine, **fit)
    return net


def net_biases(sizes, seed):
    """The random biases fitted gives a network with bias nodes (they start at 0)."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.5, n) for n in sizes[1:]]


def by_reference(sizes, X, y, rule="book", seed=0, biases=None):
    """The reference's float64 weights after the same epoch (X pixels, y labels)."""
    weights = reference.initial_weights(sizes, seed)
    for x, t in zip(scale_inputs(X), make_targets(y, sizes[-1])):
        reference.train(weights, x, t, 0.1, rule, biases)
    return weights


def distance(net, weights) -> float:
    """The largest |difference| of any weight."""
    return max(float(np.max(np.abs(a.astype(np.float64) - b))) for a, b in zip(net.weights, weights))


@pytest.mark.parametrize("count", [2000, pytest.param(None, marks=pytest.mark.slow)],
                         ids=["2000 samples", "an epoch"])
def test_float64_sparse_is_the_reference_within_1e_10(sample, count):
    X, y = sample.train_images[:count], sample.train_labels[:count]
    net = fitted((784, 200, 10), X, y, np.float64, "sparse")
    off = distance(net, by_reference((784, 200, 10), X, y))
    assert off <= (1e-10 if count else 1e-9), off


@pytest.mark.slow
@pytest.mark.mnist
def test_float64_sparse_is_the_reference_within_1e_9_after_a_full_mnist_epoch(full_mnist_dir):
    mnist = load_mnist(full_mnist_dir, parts=["train"])
    X, y = mnist.train_images, mnist.train_labels
    off = distance(fitted((784, 200, 10), X, y, np.float64, "sparse"), by_reference((784, 200, 10), X, y))
    assert off <= 1e-9, off


def test_float32_sparse_is_as_close_to_the_reference_as_dense(sample):
    X, y = sample.train_images[:2000], sample.train_labels[:2000]
    ref = by_reference((784, 200, 10), X, y)
    sparse = distance(fitted((784, 200, 10), X, y, np.float32, "sparse"), ref)
    dense = distance(fitted((784, 200, 10), X, y, np.float32, "dense"), ref)
    # Both are rounding grown over 2000 steps (about 1e-5 here).
    assert sparse <= 2 * dense, (sparse, dense)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", RULES)
def test_sparse_agrees_with_dense_at_every_level(level, sample, dtype, rule):
    X, y = sample.train_images[:300], sample.train_labels[:300]
    sparse = fitted((784, 64, 10), X, y, dtype, "sparse", rule=rule)
    dense = fitted((784, 64, 10), X, y, dtype, "dense", rule=rule)
    ref = by_reference((784, 64, 10), X, y, rule)
    tol = 2000 * TOLERANCE[dtype]
    for ours, theirs, want in zip(sparse.weights, dense.weights, ref):
        np.testing.assert_allclose(ours, want, rtol=0, atol=tol * np.max(np.abs(want)))
        np.testing.assert_allclose(theirs, want, rtol=0, atol=tol * np.max(np.abs(want)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [False, True])
def test_two_threads_give_bitwise_the_weights_of_one(sample, dtype, bias):
    X, y = sample.train_images[:1500], sample.train_labels[:1500]
    one = fitted((784, 200, 30, 10), X, y, dtype, "sparse", bias=bias)
    two = fitted((784, 200, 30, 10), X, y, dtype, "sparse", bias=bias, threads=2)
    assert one == two


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_sparse_engine_in_chunks_changes_no_bit(sample, dtype):
    X, y = sample.train_images[:3000], sample.train_labels[:3000]
    plain = ffnn.NeuralNetwork(784, 100, 10, 0.1, dtype=dtype, seed=4)
    shown = plain.copy()
    expected = plain.fit(X, y, 2, seed=1, engine="sparse")
    pytest.importorskip("tqdm")
    history = shown.fit(X, y, 2, seed=1, engine="sparse", progress=True)
    assert shown == plain and history == expected


def test_float_inputs_with_their_background_train_as_their_pixels(sample):
    X, y = sample.train_images[:1000], sample.train_labels[:1000]
    pixels = fitted((784, 100, 10), X, y, np.float64, "sparse")
    floats = fitted((784, 100, 10), scale_inputs(X), y, np.float64, "sparse", background=0.01)
    ref = by_reference((784, 100, 10), X, y)
    assert distance(pixels, ref) <= 1e-11 and distance(floats, ref) <= 1e-11


@pytest.mark.parametrize("dtype", DTYPES)
def test_rotated_copies_keep_the_background_exactly_and_train_as_dense(sample, dtype):
    X, y = sample.train_images[:200], sample.train_labels[:200]
    x = scale_inputs(X, dtype)
    rotations = Rotations(10, 784, dtype)
    copies = rotations.expand(x, 0.01)
    # A blend of blank pixels is blank: exactly the background wherever the copies turned
    # over the book's background are about it (in float64 a fifth of those are not exact).
    background = dtype(0.01)
    without = rotations.expand(x)
    blank = np.abs(without - background) < 1e-6
    assert np.mean(copies == background) >= np.mean(blank) - 1e-3 > 0.7
    assert np.array_equal(copies[::3], x)
    np.testing.assert_allclose(copies, without, rtol=0, atol=4 * np.finfo(dtype).eps)
    sparse = fitted((784, 64, 10), X, y, dtype, "sparse", augment={"rotate": 10})
    dense = fitted((784, 64, 10), X, y, dtype, "dense", augment={"rotate": 10})
    for a, b in zip(sparse.weights, dense.weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=1000 * TOLERANCE[dtype] * np.max(np.abs(b)))


def test_auto_takes_the_sparse_engine_where_it_pays(sample):
    X, y = sample.train_images[:600], sample.train_labels[:600]
    for sizes, images, chosen in [
        ((784, 200, 10), X, "sparse"),                             # a large layer, a fifth ink
        ((784, 20, 10), X, "dense"),                               # a narrow layer
        ((784, 200, 10), np.maximum(X, 1).astype(np.uint8), "dense"),  # every pixel ink
    ]:
        auto = fitted(sizes, images, y, np.float32, "auto")
        assert auto == fitted(sizes, images, y, np.float32, chosen), (sizes, chosen)
        assert auto != fitted(sizes, images, y, np.float32, "sparse" if chosen == "dense" else "dense")


def test_engine_and_background_are_checked_before_training(sample):
    X, y = sample.train_images[:20], sample.train_labels[:20]
    net = ffnn.NeuralNetwork(784, 40, 10, 0.1, seed=0)
    before = net.copy()
    with pytest.raises(ValueError, match=r"engine must be 'auto', 'dense' or 'sparse', got 'fast'"):
        net.fit(X, y, engine="fast")
    with pytest.raises(ValueError, match=r"engine must be .* got 2"):
        net.fit(X, y, engine=2)
    with pytest.raises(ValueError, match=r"engine='sparse' needs uint8 pixels, or float inputs with background="):
        net.fit(scale_inputs(X), y, engine="sparse")
    with pytest.raises(ValueError, match=r"background is for float inputs"):
        net.fit(X, y, background=0.01)
    with pytest.raises(TypeError, match=r"background must be a real number, not str"):
        net.fit(scale_inputs(X), y, background="0.01")
    with pytest.raises(ValueError, match=r"background must be finite, got nan"):
        net.fit(scale_inputs(X), y, background=float("nan"))
    assert net == before


def test_non_finite_weights_stop_the_sparse_engine_and_are_written_back(sample):
    X, y = sample.train_images[:100], sample.train_labels[:100]
    net = ffnn.NeuralNetwork(784, 64, 10, 0.1, seed=0)
    net.weights[0][3, 5] = np.inf  # in place, past the setter's check
    before = net.weights[0].copy()
    with pytest.raises(FloatingPointError, match="in epoch 1: the weights are NaN or infinite"):
        net.fit(X, y, engine="sparse", shuffle=False)
    # Every row of the first layer but the infinite one trained, and came back from the
    # working copy into the network's weights.
    changed = np.any(net.weights[0] != before, axis=1)
    assert changed.sum() >= 60 and net.weights[0][3, 5] == np.inf


@pytest.mark.slow
def test_five_epochs_give_the_accuracy_of_the_dense_engine(sample):
    for seed in (0, 1):
        scores = {}
        for engine in ("dense", "sparse"):
            net = ffnn.NeuralNetwork(784, 100, 10, 0.1, dtype=np.float32, seed=seed)
            net.fit(sample.train_images, sample.train_labels, 5, seed=seed, engine=engine)
            scores[engine] = net.score(sample.test_images, sample.test_labels)
        # The same training up to rounding: a test image or two may change sides.
        assert abs(scores["sparse"] - scores["dense"]) <= 0.003, (seed, scores)


def test_property_sparse_is_the_reference_on_random_sparse_pixels():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=40, deadline=None)
    @hypothesis.given(
        n_in=st.sampled_from([1, 3, 17, 785]), hidden=st.sampled_from([1, 5, 203]),
        deeper=st.sampled_from([(), (3,)]), n_out=st.sampled_from([1, 4]),
        ink=st.sampled_from([0.0, 0.2, 1.0]) | st.floats(0.0, 1.0), rows=st.integers(1, 30),
        dtype=st.sampled_from(DTYPES), rule=st.sampled_from(RULES), bias=st.booleans(),
        seed=st.integers(0, 2**16),
    )
    def holds(n_in, hidden, deeper, n_out, ink, rows, dtype, rule, bias, seed):
        rng = np.random.default_rng(seed)
        sizes = (n_in, hidden, *deeper, n_out)
        X = np.where(rng.random((rows, n_in)) < ink, rng.integers(1, 256, (rows, n_in)), 0).astype(np.uint8)
        y = rng.integers(0, n_out, rows)
        net = fitted(sizes, X, y, dtype, "sparse", seed=seed, rule=rule, bias=bias)
        biases = None
        if bias:  # those of fitted
            biases = [b.astype(np.float64) for b in net_biases(sizes, seed)]
        ref = by_reference(sizes, X, y, rule, seed, biases)
        tol = 64 * TOLERANCE[dtype]
        for ours, want in zip([*net.weights, *(net.biases or ())], [*ref, *(biases or ())]):
            np.testing.assert_allclose(ours, want, rtol=0, atol=tol * max(1.0, np.max(np.abs(want))))

    holds()


def test_calls_are_sized_by_the_engine_the_core_will_take(sample):
    # Sparse calls are long (whole folds); a first layer the core trains
    # densely keeps the dense engine's short calls, so Ctrl-C stays prompt.
    sparse_net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=np.float32, seed=0)
    core = sparse_net._net
    S, auto, dense = _core.Samples, _core.ENGINES["auto"], _core.ENGINES["dense"]
    dense_calls = core.train_chunk(S(sample.train_images), dense)
    assert core.train_chunk(S(sample.train_images), auto) > dense_calls
    all_ink = np.random.default_rng(1).integers(1, 256, (300, 784), dtype=np.uint8)
    assert core.train_chunk(S(all_ink), auto) == dense_calls
    inputs = scale_inputs(sample.train_images[:500], np.float32)
    assert core.train_chunk(S(inputs=inputs), auto) == dense_calls  # no background given


# Shapes for the two-part runs of two threads: odd input counts, hidden layers of one
# group of units (not split), a few, and many, one to three layers.
TWO_PART_SHAPES = [(785, 203, 10), (17, 5, 3), (3, 203, 7, 4), (1, 1, 2), (785, 203),
                   (17, 203, 17, 5), (1, 203, 3)]


def two_part_net(sizes, dtype, rule, bias, threads):
    net = ffnn.NeuralNetwork(sizes[0], list(sizes[1:-1]), sizes[-1], 0.1, dtype=dtype, rule=rule,
                             bias=bias, threads=threads, share="deterministic")
    rng = np.random.default_rng(len(sizes) * 1000 + sizes[0])
    net.weights = [rng.normal(0, n_in ** -0.5, (n_out, n_in)).astype(dtype)
                   for n_in, n_out in zip(sizes, sizes[1:])]
    if bias:
        net.biases = [rng.normal(0, 0.5, n).astype(dtype) for n in sizes[1:]]
    return net


def two_part_samples(sizes, floats):
    """600 samples (past a fold, and more than a call shares) of about a fifth ink."""
    rng = np.random.default_rng(sizes[0])
    pixels = (rng.integers(1, 256, (600, sizes[0])) * (rng.random((600, sizes[0])) < 0.2)).astype(np.uint8)
    labels = rng.integers(0, sizes[-1], 600)
    return (scale_inputs(pixels) if floats else pixels), labels


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("bias", [False, True])
def test_two_part_runs_give_bitwise_the_weights_of_one_thread(level, dtype, rule, bias):
    """Two threads always sharing: each call lends the helper its part of the units (when
    the layer has two groups of them) for the whole call, at every SIMD level."""
    for sizes in TWO_PART_SHAPES:
        for floats in (False, True):
            X, y = two_part_samples(sizes, floats)
            fit = {"background": 0.01} if floats else {}
            nets = [two_part_net(sizes, dtype, rule, bias, threads) for threads in (1, 2)]
            for net in nets:
                net.fit(X, y, 2, shuffle=True, seed=3, engine="sparse", **fit)
            for a, b in zip(nets[0].weights, nets[1].weights):
                assert np.array_equal(a, b), (sizes, floats)
            if bias:
                for a, b in zip(nets[0].biases, nets[1].biases):
                    assert np.array_equal(a, b), (sizes, floats)
