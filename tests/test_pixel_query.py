"""The batch query on uint8 pixels: the first layer from the ink alone.

A pixel's input is the background 0.01 plus s = p / 255 * 0.99, zero
wherever p is, so the core computes a sample's first layer as 0.01 (W 1) +
W[:, ink] s[ink] from the rows of W^T at its ink pixels, and the rest of the
network as for any input (csrc/sparse/pixel_query.h). That is the dense
query of the scaled pixels up to rounding: held here to 1e-12 relative in
float64 and a few units in the last place of 1 in float32. Which way a
sample goes (from its ink, or dense) is checked bit for bit against each
way forced through the binding's ``engine``.
"""
import numpy as np
import pytest

import ffnn
from ffnn import _core
from ffnn.datasets import load_mnist, scale_inputs

from conftest import DTYPES

# float64: relative to the output; float32: absolute, in units of the last place of 1.
AGREEMENT = {np.float64: 1e-12, np.float32: 4 * float(np.finfo(np.float32).eps)}
N = 100  # above the fewest samples a call takes from the ink (PIXEL_MIN_SAMPLES)


def pictures(kind, n, n_in, seed=0):
    """n pictures of n_in pixels: ink on about a fifth of them, none, or all."""
    rng = np.random.default_rng(seed)
    if kind == "no ink":
        return np.zeros((n, n_in), np.uint8)
    ink = rng.integers(1, 256, (n, n_in), dtype=np.uint8)
    if kind == "all ink":
        return ink
    return np.where(rng.random((n, n_in)) < 0.2, ink, 0).astype(np.uint8)


def assert_agree(got, dense, dtype):
    tol = AGREEMENT[dtype]
    gap = np.abs(got.astype(np.float64) - dense)
    if dtype is np.float64:
        assert np.max(gap / dense) <= tol
    else:
        assert np.max(gap) <= tol


def each_its_own_way(net, pixels, outputs):
    """The share of the samples whose outputs are, bit for bit, those from their ink;
    every other one's must be those of the dense way."""
    from_ink = (outputs == way(net, pixels, "sparse")).all(axis=1)
    dense = (outputs == way(net, pixels, "dense")).all(axis=1)
    assert (from_ink | dense).all()
    return from_ink.mean()


def way(net, pixels, engine):
    """The query of pixels in one call, the given way (a key of _core.ENGINES)."""
    out = np.empty((len(pixels), net.sizes[-1]), net.dtype)
    net._net.query(out, _core.Samples(pixels=np.ascontiguousarray(pixels)), engine=_core.ENGINES[engine], whole=True)
    return out


SIZES = [(1, 5, 2), (3, 1, 2), (17, 203, 3), (785, 203, 10), (785, 64, 17, 3)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("kind", ["some ink", "no ink", "all ink"])
@pytest.mark.parametrize("bias", [False, True])
def test_pixels_agree_with_the_dense_query_of_their_inputs(level, dtype, sizes, kind, bias):
    net = ffnn.NeuralNetwork(sizes[0], sizes[1:-1], sizes[-1], 0.1, dtype=dtype, seed=2, bias=bias)
    if bias:
        net.biases = [np.random.default_rng(3).normal(0, 0.5, b.shape) for b in net.biases]
    pixels = pictures(kind, N, sizes[0])
    dense = net.query(scale_inputs(pixels, dtype))
    sparse = way(net, pixels, "sparse")
    assert_agree(sparse, dense, dtype)
    assert_agree(net.query(pixels), dense, dtype)
    # The dense way on pixels is the query of their scaled inputs, bit for bit.
    np.testing.assert_array_equal(way(net, pixels, "dense"), dense)


@pytest.mark.parametrize("dtype", DTYPES)
def test_auto_takes_little_ink_from_the_ink_and_much_ink_dense(level, dtype):
    net = ffnn.NeuralNetwork(785, 203, 10, 0.1, dtype=dtype, seed=4)
    some, every = pictures("some ink", N, 785), pictures("all ink", N, 785)
    sparse, dense = way(net, some, "sparse"), way(net, some, "dense")
    assert (sparse != dense).any()  # two computations, not one
    np.testing.assert_array_equal(net.query(some), sparse)
    np.testing.assert_array_equal(net.query(every), way(net, every, "dense"))
    # A mix: each sample its own way.
    mixed = np.concatenate([some[:40], every[:40], some[40:]])
    np.testing.assert_array_equal(
        net.query(mixed), np.concatenate([sparse[:40], way(net, every, "dense")[:40], sparse[40:]]))
    # But a call with few samples of little ink does not pay for W^T: all dense.
    few = np.concatenate([every, some[:3]])
    np.testing.assert_array_equal(net.query(few), way(net, few, "dense"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_small_layers_and_few_samples_stay_dense(level, dtype):
    small = ffnn.NeuralNetwork(785, 5, 3, 0.1, dtype=dtype, seed=5)
    pixels = pictures("some ink", N, 785)
    np.testing.assert_array_equal(small.query(pixels), small.query(scale_inputs(pixels, dtype)))
    # A call of fewer samples than PIXEL_MIN_SAMPLES does not pay for W^T.
    net = ffnn.NeuralNetwork(785, 203, 10, 0.1, dtype=dtype, seed=5)
    few = pixels[: _core.PIXEL_MIN_SAMPLES - 1]
    np.testing.assert_array_equal(net.query(few), way(net, few, "dense"))
    np.testing.assert_array_equal(net.query(pixels[0]), way(net, pixels[:1], "dense")[0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [False, True])
def test_two_threads_give_the_bits_of_one(level, dtype, bias):
    one = ffnn.NeuralNetwork(785, [203, 17], 3, 0.1, dtype=dtype, seed=6, bias=bias)
    two = one.copy()
    two.threads = 2
    pixels = np.concatenate([pictures("some ink", 301, 785), pictures("all ink", 40, 785, 1)])
    np.testing.assert_array_equal(two.query(pixels), one.query(pixels))
    np.testing.assert_array_equal(way(two, pixels, "sparse"), way(one, pixels, "sparse"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_pixel_query_in_calls_equals_one_call(dtype):
    # Many calls, the last of them short: it joins the one before, so that every
    # sample goes the way one call would take it.
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=7)
    calls = net._net.query_calls(10000, pixels=True)
    assert len(calls) > 2 and all(end - start >= _core.PIXEL_MIN_SAMPLES for start, end in calls)
    n = calls[1][0] * 3 + 5  # three whole calls and a short end
    pixels = pictures("some ink", n, 784)
    np.testing.assert_array_equal(net.query(pixels), way(net, pixels, "auto"))


def test_predict_and_score_take_pixels_to_the_core(sample):
    net = ffnn.NeuralNetwork(784, 100, 10, 0.3, seed=8)
    net.fit(sample.train_images[:2000], sample.train_labels[:2000])
    images, labels = sample.test_images, sample.test_labels
    assert len(images) >= _core.PIXEL_MIN_SAMPLES
    outputs = net.query(images)
    assert each_its_own_way(net, images, outputs) > 0.95  # a fifth of the pixels are ink
    np.testing.assert_array_equal(net.predict(images), outputs.argmax(axis=1))
    assert net.score(images, labels) == np.mean(outputs.argmax(axis=1) == labels)
    # Against the floats: the same predictions but where the two best are a rounding apart.
    dense = net.query(scale_inputs(images))
    top2 = np.sort(dense, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-9
    assert (outputs.argmax(axis=1) == dense.argmax(axis=1))[clear].all()
    with pytest.raises(ValueError, match=r"^X must have shape \(n, 784\) with n >= 1, got \(784,\)"):
        net.score(images[0], labels[:1])


def test_the_sparse_way_needs_pixels_and_a_known_engine():
    net = ffnn.NeuralNetwork(785, 203, 10, 0.1, seed=9)
    out = np.empty((N, 10))
    inputs = scale_inputs(pictures("some ink", N, 785))
    with pytest.raises(ValueError, match="^query: "):
        net._net.query(out, _core.Samples(inputs=inputs), engine=_core.ENGINES["sparse"])
    with pytest.raises(ValueError, match="^query: "):
        net._net.query(out, _core.Samples(pixels=pictures("some ink", N, 785)), engine=9)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
def test_full_mnist_test_set_agrees_with_the_dense_query(full_mnist_dir, dtype):
    images = load_mnist(full_mnist_dir).test_images
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=10)
    got = net.query(images)
    assert each_its_own_way(net, images, got) > 0.95
    assert_agree(got, net.query(scale_inputs(images, dtype)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [(785, 203, 10), (17, 5, 3), (3, 1, 2)], ids=lambda s: "-".join(map(str, s)))
def test_a_sample_from_its_ink_ignores_its_neighbours(level, dtype, sizes):
    # Where the level takes samples from their ink in groups (over the union of
    # their ink), each sample's sums are still those of its own ink alone: the
    # same bits whichever samples share its group, or none (the last few of a
    # call go alone), a picture without ink or all ink among them.
    net = ffnn.NeuralNetwork(sizes[0], sizes[1:-1], sizes[-1], 0.1, dtype=dtype, seed=9)
    some = pictures("some ink", N, sizes[0], seed=10)
    some[[3, 17]] = 0
    some[[5, 18]] = pictures("all ink", 2, sizes[0], seed=11)
    # N + 1 copies: the last goes alone.
    alone = np.stack([way(net, np.repeat(some[i:i + 1], N + 1, axis=0), "sparse")[-1] for i in range(12)])
    together = way(net, some, "sparse")
    np.testing.assert_array_equal(together[:12], alone)
    for shift in range(1, 10):  # every place in a group, and every remainder
        moved = np.concatenate([some[-shift:], some[:-shift]])
        np.testing.assert_array_equal(np.roll(way(net, moved, "sparse"), -shift, axis=0), together)
        cut = some[: N - shift]
        np.testing.assert_array_equal(way(net, cut, "sparse"), together[: N - shift])
