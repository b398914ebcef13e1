"""The NeuralNetwork object: construction, weights, copies, pickling, errors."""
import pickle

import numpy as np
import pytest
import reference

import ffnn
from ffnn.datasets import make_targets, scale_inputs


def test_book_construction_and_attributes():
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1)
    assert net.sizes == (784, 200, 10)
    assert (net.inodes, net.hnodes, net.onodes, net.lr) == (784, 200, 10, 0.1)
    assert net.wih.shape == (200, 784) and net.who.shape == (10, 200)
    assert net.dtype == np.float64
    assert repr(net) == "NeuralNetwork(784, 200, 10, 0.1, dtype=float64)"


def test_several_hidden_layers():
    net = ffnn.NeuralNetwork(784, [200, 100], 10, 0.2, dtype=np.float32)
    assert [w.shape for w in net.weights] == [(200, 784), (100, 200), (10, 100)]
    assert net.wih is net.weights[0] and net.who is net.weights[-1]
    assert all(w.dtype == np.float32 for w in net.weights)
    assert repr(net) == "NeuralNetwork(784, [200, 100], 10, 0.2, dtype=float32)"


def test_initial_weights_follow_the_book():
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1, seed=42)
    # Same draws as the reference's initialisation.
    for ours, theirs in zip(net.weights, reference.initial_weights((784, 200, 10), 42)):
        np.testing.assert_array_equal(ours, theirs)
    assert abs(net.wih.std() - 784**-0.5) < 0.02 * 784**-0.5
    assert abs(net.who.std() - 200**-0.5) < 0.1 * 200**-0.5
    assert abs(net.wih.mean()) < 0.001


def test_same_seed_same_weights_other_seed_other_weights():
    a = ffnn.NeuralNetwork(5, 4, 3, 0.1, seed=7)
    assert a == ffnn.NeuralNetwork(5, 4, 3, 0.1, seed=7)
    assert a != ffnn.NeuralNetwork(5, 4, 3, 0.1, seed=8)


def test_weights_are_assignable_and_checked():
    net = ffnn.NeuralNetwork(3, 2, 1, 0.1)
    new = np.arange(6, dtype=np.int64).reshape(2, 3)
    net.wih = new
    np.testing.assert_array_equal(net.wih, new)
    assert net.wih.dtype == np.float64
    new[0, 0] = 99  # the network keeps its own copy
    assert net.wih[0, 0] == 0
    with pytest.raises(ValueError, match=r"wih must have shape \(2, 3\)"):
        net.wih = np.zeros((3, 2))
    with pytest.raises(TypeError, match="real numbers"):
        net.who = np.array([["a", "b"]])
    with pytest.raises(ValueError, match="NaN"):
        net.who = np.array([[np.nan, 0.0]])
    with pytest.raises(ValueError, match="expected 2 weight matrices"):
        net.weights = [np.zeros((2, 3))]
    net.weights = [np.ones((2, 3)), np.ones((1, 2))]
    assert net.query([0.0, 0.0, 0.0]).shape == (1,)


def test_in_place_edits_of_weights_are_used():
    net = ffnn.NeuralNetwork(3, 2, 1, 0.1, seed=0)
    net.who[...] = 0.0
    np.testing.assert_array_equal(net.query([1.0, 2.0, 3.0]), [0.5])


def test_copy_is_independent():
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=1)
    clone = net.copy()
    assert clone == net and clone is not net
    clone.train([0.5] * 4, [0.99, 0.01])
    assert clone != net


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pickle_round_trip(dtype):
    net = ffnn.NeuralNetwork(4, [3, 3], 2, 0.25, dtype=dtype, seed=1)
    back = pickle.loads(pickle.dumps(net))
    assert back == net and back.dtype == dtype and back.lr == 0.25
    assert repr(back) == repr(net)
    x = [0.1, 0.2, 0.3, 0.4]
    assert back.train(x, [0.99, 0.01]) == net.train(x, [0.99, 0.01])
    assert back == net


def test_train_accepts_lists_tuples_and_columns():
    nets = [ffnn.NeuralNetwork(3, 2, 2, 0.1, seed=0) for _ in range(3)]
    x, t = [0.1, 0.5, 0.9], (0.99, 0.01)
    losses = [
        nets[0].train(x, t),
        nets[1].train(tuple(x), np.array(t)),
        nets[2].train(np.array(x, ndmin=2).T, np.array(t, ndmin=2).T),  # the book's columns
    ]
    assert losses[0] == losses[1] == losses[2]
    assert nets[0] == nets[1] == nets[2]


def test_train_returns_squared_error_before_update():
    net = ffnn.NeuralNetwork(3, 2, 2, 0.1, seed=0)
    x, t = np.array([0.1, 0.5, 0.9]), np.array([0.99, 0.01])
    before = net.query(x)
    assert net.train(x, t) == pytest.approx(np.sum((t - before) ** 2), rel=1e-12)
    assert np.sum((t - net.query(x)) ** 2) < np.sum((t - before) ** 2)


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((0, 2, 1, 0.1), ValueError, "input_nodes must be at least 1"),
        ((3, 2.5, 1, 0.1), ValueError, "hidden_nodes must be a whole number"),
        ((3, [2, -1], 1, 0.1), ValueError, r"hidden_nodes\[1\]"),
        ((3, 2, 1, 0.0), ValueError, "learning_rate"),
        ((3, 2, 1, float("nan")), ValueError, "learning_rate"),
        ((3, 2, 1, "0.1"), TypeError, "learning_rate"),
    ],
)
def test_bad_construction_is_a_clear_error(args, error, message):
    with pytest.raises(error, match=message):
        ffnn.NeuralNetwork(*args)


def test_bad_dtype_and_huge_networks_are_refused():
    with pytest.raises(TypeError, match="float32 or float64"):
        ffnn.NeuralNetwork(3, 2, 1, 0.1, dtype=np.int32)
    with pytest.raises(MemoryError, match="cannot be addressed"):
        ffnn.NeuralNetwork(2**40, 2**40, 1, 0.1)


def test_bad_samples_are_clear_errors():
    net = ffnn.NeuralNetwork(3, 2, 2, 0.1)
    with pytest.raises(ValueError, match=r"inputs must have shape \(3,\)"):
        net.train([0.1, 0.2], [0.99, 0.01])
    with pytest.raises(ValueError, match=r"targets must have shape \(2,\)"):
        net.train([0.1, 0.2, 0.3], [0.99])
    with pytest.raises(ValueError, match="NaN"):
        net.train([0.1, np.nan, 0.3], [0.99, 0.01])
    with pytest.raises(TypeError, match="real numbers"):
        net.query(["a", "b", "c"])
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        net.query(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        net.backquery([1.0, 0.5])


# ---- one meaning for uint8: pixels, scaled the book's way -------------------


def test_uint8_inputs_are_pixels_in_every_method(sample):
    pixels = sample.test_images[:50]
    scaled = scale_inputs(pixels)
    net = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=6)
    np.testing.assert_array_equal(net.query(pixels), net.query(scaled))
    np.testing.assert_array_equal(net.query(pixels[0]), net.query(scaled[0]))
    assert (net.query(pixels).argmax(axis=1) == net.predict(pixels)).all()
    assert net.score(pixels, sample.test_labels[:50]) == net.score(scaled, sample.test_labels[:50])
    targets = make_targets(sample.test_labels[:50])
    for ours, theirs in zip(net.gradients(pixels, targets), net.gradients(scaled, targets)):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_train_loop_over_pixels_equals_one_over_scaled_inputs(sample, dtype):
    pixels, labels = sample.train_images[:300], sample.train_labels[:300]
    targets = make_targets(labels, 10, dtype)
    a = ffnn.NeuralNetwork(784, 30, 10, 0.1, dtype=dtype, seed=2)
    b = a.copy()
    losses_a = [a.train(x, t) for x, t in zip(pixels, targets)]
    losses_b = [b.train(x, t) for x, t in zip(scale_inputs(pixels, dtype), targets)]
    assert a == b and losses_a == losses_b
    # And fit on the pixels takes the very same steps.
    c = ffnn.NeuralNetwork(784, 30, 10, 0.1, dtype=dtype, seed=2)
    c.fit(pixels, labels, shuffle=False)
    assert c == a


def test_pixels_read_as_int64_are_refused_with_what_to_pass(sample):
    net = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=6)
    as_read = sample.train_images[:3].astype(np.int64)  # what np.loadtxt(dtype=int) gives
    with pytest.raises(TypeError, match=r"^inputs is a NumPy array of int64; pass uint8 pixels"):
        net.query(as_read)
    with pytest.raises(TypeError, match=r"^inputs is a NumPy array of int64"):
        net.train(as_read[0], make_targets([3])[0])
    with pytest.raises(TypeError, match=r"^X is a NumPy array of int64"):
        net.fit(as_read, [1, 2, 3])


# ---- argument names ---------------------------------------------------------


def test_threads_beyond_the_maximum_are_named():
    assert ffnn.network.MAX_THREADS == 64
    for threads in (65, 2**31, 2**70):
        with pytest.raises(ValueError, match=rf"threads must be at most 64, got {threads}"):
            ffnn.NeuralNetwork(3, 2, 1, 0.1, threads=threads)
    net = ffnn.NeuralNetwork(3, 2, 1, 0.1, threads=2)
    with pytest.raises(ValueError, match="threads must be at most 64"):
        net.threads = 2**31
    assert net.threads == 2


def test_zero_dimensional_arrays_are_node_counts():
    net = ffnn.NeuralNetwork(np.array(6), np.array(200), np.array(10), 0.1, seed=0)
    assert net.sizes == (6, 200, 10) and net.hnodes == 200
    assert repr(net) == "NeuralNetwork(6, 200, 10, 0.1, dtype=float64)"
    assert ffnn.NeuralNetwork(6, np.array([5, 4]), 2, 0.1).sizes == (6, 5, 4, 2)


@pytest.mark.parametrize(
    "hidden, error, message",
    [
        ([[200, 100], 50], TypeError, r"hidden_nodes\[0\] must be an integer, not list"),
        (np.array([[2, 3], [4, 5]]), ValueError, r"hidden_nodes must be an integer or a flat sequence.*\(2, 2\)"),
        (np.array(2.5), ValueError, "hidden_nodes must be a whole number, got 2.5"),
        ({200}, TypeError, "hidden_nodes must be an integer, not set"),
        ([3, "4"], TypeError, r"hidden_nodes\[1\] must be an integer, not str"),
    ],
)
def test_bad_hidden_nodes_are_named(hidden, error, message):
    with pytest.raises(error, match=message):
        ffnn.NeuralNetwork(3, hidden, 1, 0.1)


def test_construction_refuses_what_a_model_file_cannot_hold(tmp_path):
    from ffnn import serialize

    deepest = ffnn.NeuralNetwork(2, [1] * (serialize.MAX_LAYERS - 1), 1, 0.1, seed=0)
    deepest.save(tmp_path / "deep.npz")
    assert ffnn.NeuralNetwork.load(tmp_path / "deep.npz") == deepest
    with pytest.raises(ValueError, match=rf"at most {serialize.MAX_LAYERS - 1} hidden layers, got {serialize.MAX_LAYERS}"):
        ffnn.NeuralNetwork(2, [1] * serialize.MAX_LAYERS, 1, 0.1)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_batch_query_in_blocks_equals_one_call(threads, dtype):
    rng = np.random.default_rng(4)
    net = ffnn.NeuralNetwork(300, [400, 300], 10, 0.1, dtype=dtype, seed=1, threads=threads)
    x = rng.uniform(0.01, 1.0, (3001, 300)).astype(dtype)  # several blocks and a ragged end
    assert len(net._net.query_calls(len(x))) > 2
    whole = np.empty((len(x), 10), dtype=dtype)
    net._net.query(whole, ffnn._core.Samples(inputs=x), whole=True)
    np.testing.assert_array_equal(net.query(x), whole)


def test_printed_init_draws_the_same_numbers_with_the_printed_books_spread():
    corrected = ffnn.NeuralNetwork(784, [200, 50], 10, 0.1, seed=3)
    printed = ffnn.NeuralNetwork(784, [200, 50], 10, 0.1, seed=3, init="printed")
    for w_c, w_p in zip(corrected.weights, printed.weights):
        n_out, n_in = w_c.shape
        # The same standard normal draws, scaled by 1/sqrt(n_out) instead of 1/sqrt(n_in).
        np.testing.assert_allclose(w_p, w_c * (n_in / n_out) ** 0.5, rtol=1e-12)
        assert abs(w_p.std() * n_out**0.5 - 1) < 5 / (2 * w_p.size) ** 0.5  # five standard errors


@pytest.mark.parametrize("init", ["book", "", None, ["printed"]])
def test_unknown_init_is_refused(init):
    with pytest.raises(ValueError, match="init must be one of"):
        ffnn.NeuralNetwork(4, 3, 2, 0.1, init=init)
