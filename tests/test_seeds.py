"""Seeds: one generator per network draws the initial weights and every shuffle of fit."""
import copy
import pickle

import numpy as np
import pytest

import ffnn


@pytest.fixture(scope="module")
def digits(sample):
    return sample.train_images[:600], sample.train_labels[:600]


def test_the_same_seeded_script_gives_the_same_weights_bit_for_bit(digits):
    X, y = digits
    runs = []
    for _ in range(2):
        net = ffnn.NeuralNetwork(784, 200, 10, 0.1, seed=1)
        net.fit(X, y)
        net.fit(X, y)  # the second call draws the next orders, not the first again
        runs.append(net)
    assert runs[0] == runs[1]
    assert runs[0].seed == 1


def test_later_fits_draw_new_orders_from_the_network_generator(digits):
    X, y = digits
    net = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=5)
    replay = net.copy()
    net.fit(X, y, epochs=2)
    # The generator has drawn the weights already; the orders come after.
    rng = np.random.default_rng(5)
    for n_in, n_out in [(784, 30), (30, 10)]:
        rng.normal(0.0, n_in**-0.5, size=(n_out, n_in))
    for _ in range(2):
        order = rng.permutation(len(X))
        replay.fit(X[order], y[order], shuffle=False)
    assert net == replay


def test_fit_seed_overrides_for_that_call_only(digits):
    X, y = digits
    a = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=2)
    b = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=3)
    b.weights = a.weights  # same weights, other generators
    a.fit(X, y, seed=11)
    b.fit(X, y, seed=11)
    assert a == b
    a.fit(X, y)  # each network's own generator again: different orders
    b.fit(X, y)
    assert a != b


def test_unseeded_networks_differ_and_report_no_seed():
    a, b = ffnn.NeuralNetwork(5, 4, 3, 0.1), ffnn.NeuralNetwork(5, 4, 3, 0.1)
    assert a.seed is None and a != b


@pytest.mark.parametrize("duplicate", [
    lambda net: net.copy(),
    copy.copy,
    copy.deepcopy,
    lambda net: pickle.loads(pickle.dumps(net)),
])
def test_a_copy_continues_identically(digits, duplicate):
    X, y = digits
    net = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=4)
    net.fit(X, y)
    clone = duplicate(net)
    assert clone.seed == 4
    net.fit(X, y, epochs=2)
    clone.fit(X, y, epochs=2)
    assert clone == net


def test_a_loaded_network_starts_an_unseeded_generator(tmp_path, digits):
    X, y = digits
    net = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=4)
    net.save(tmp_path / "net.npz")
    first, second = (ffnn.NeuralNetwork.load(tmp_path / "net.npz") for _ in range(2))
    assert first.seed is None and first == second == net
    first.fit(X, y)
    second.fit(X, y)
    assert first != second


@pytest.mark.parametrize("seed, error", [(-1, ValueError), ("seven", TypeError), (1.5, TypeError)])
def test_bad_seeds_are_named(seed, error):
    with pytest.raises(error, match="seed must be None, a non-negative integer"):
        ffnn.NeuralNetwork(5, 4, 3, 0.1, seed=seed)
    net = ffnn.NeuralNetwork(5, 4, 3, 0.1, seed=0)
    with pytest.raises(error, match="seed must be"):
        net.fit(np.full((2, 5), 0.5), [0, 1], seed=seed)
