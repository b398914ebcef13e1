"""Bias nodes (``NeuralNetwork(..., bias=True)``) against the NumPy reference, and their API."""
import pickle

import numpy as np
import pytest
import reference
from conftest import DTYPES, RULES, assert_close, assert_loss_close

import ffnn
from ffnn.gradcheck import check_gradients

# Odd sizes catch remainder loops; 785 is MNIST's 784 pixels plus one.
SHAPES = [(1, [1], 1), (3, [5], 2), (17, [9, 4], 3), (785, [17], 3), (3, [], 4)]


def shape_id(shape):
    return "-".join(map(str, [shape[0], *shape[1], shape[2]]))


def biased_network(shape, dtype, rule="book", seed=0, threads=1):
    """A network with bias nodes set to random values (they start at 0), and copies for the reference."""
    net = ffnn.NeuralNetwork(*shape, 0.2, dtype=dtype, rule=rule, seed=seed, bias=True, threads=threads)
    rng = np.random.default_rng(seed + 100)
    net.biases = [rng.normal(0, 0.5, len(b)) for b in net.biases]
    return net, [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def samples(n_in, n_out, n, seed, dtype):
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.01, 1.0, (n, n_in)).astype(dtype),
            rng.uniform(0.01, 0.99, (n, n_out)).astype(dtype))


def assert_all_close(actual, expected, dtype):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert a.dtype == dtype
        assert_close(a, e, dtype)


# ---- against the reference ----------------------------------------------------


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_train_query_and_backquery_match_the_reference(level, shape, dtype, rule):
    net, weights, biases = biased_network(shape, dtype, rule)
    inputs, targets = samples(net.inodes, net.onodes, 20, seed=1, dtype=dtype)
    for x, t in zip(inputs, targets):
        assert_loss_close(net.train(x, t), reference.train(weights, x, t, 0.2, rule, biases), dtype)
    assert_all_close(net.weights, weights, dtype)
    assert_all_close(net.biases, biases, dtype)
    assert_close(net.query(inputs), [reference.query(weights, x, biases) for x in inputs], dtype)
    assert_close(net.query(inputs[0]), reference.query(weights, inputs[0], biases), dtype)
    target = np.linspace(0.1, 0.9, net.onodes).astype(dtype)
    assert_close(net.backquery(target), reference.backquery(weights, target, biases), dtype)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_fit_is_a_loop_of_train_bit_for_bit(level, shape, dtype, rule):
    net, _, _ = biased_network(shape, dtype, rule)
    looped = net.copy()
    inputs, targets = samples(net.inodes, net.onodes, 30, seed=2, dtype=dtype)
    history = net.fit(inputs, targets, shuffle=False)
    losses = [looped.train(x, t) for x, t in zip(inputs, targets)]
    assert net == looped
    assert all(np.array_equal(a, b) for a, b in zip(net.biases, looped.biases))
    assert history["sum_squared_error"][0] == pytest.approx(np.mean(losses), rel=1e-5)


@pytest.mark.parametrize("rule", ["mse", "cross_entropy"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_gradients_match_the_reference(level, shape, dtype, rule):
    net, weights, biases = biased_network(shape, dtype, rule)
    inputs, targets = samples(net.inodes, net.onodes, 3, seed=3, dtype=dtype)
    grads, bias_grads = net.gradients(inputs, targets, biases=True)
    per_sample = [reference.gradients(weights, x, t, rule, biases) for x, t in zip(inputs, targets)]
    assert_all_close(grads, [sum(s[0][k] for s in per_sample) for k in range(len(weights))], dtype)
    assert_all_close(bias_grads, [sum(s[1][k] for s in per_sample) for k in range(len(weights))], dtype)
    # Without biases=True the result is the weights' gradients alone, as for any network.
    assert all(np.array_equal(a, b) for a, b in zip(net.gradients(inputs, targets), grads))


@pytest.mark.parametrize("dtype", DTYPES)
def test_book_gradients_are_the_book_step_divided_by_minus_lr(dtype):
    net, _, _ = biased_network((17, [9, 4], 3), dtype, "book")
    x, t = (a[0] for a in samples(17, 3, 1, seed=4, dtype=dtype))
    _, bias_grads = net.gradients(x, t, biases=True)
    before = [b.copy() for b in net.biases]
    net.train(x, t)
    for b, b0, g in zip(net.biases, before, bias_grads):
        assert_close((b - b0) / -0.2, g, dtype)


@pytest.mark.parametrize("rule", ["mse", "cross_entropy"])
def test_check_gradients_checks_the_biases_by_finite_differences(rule):
    net, _, _ = biased_network((4, [5, 3], 2), np.float64, rule)
    inputs, targets = samples(4, 2, 3, seed=5, dtype=np.float64)
    checks = check_gradients(net, inputs, targets)
    assert [c.name for c in checks] == [f"weights[{k}]" for k in range(3)] + [f"biases[{k}]" for k in range(3)]
    assert all(c.relative_error < 1e-6 for c in checks)
    assert [len(c.analytic) for c in checks[3:]] == [5, 3, 2]
    # A wrong bias gradient is caught: the check is of the biases themselves.
    net.biases = [b + 0.5 for b in net.biases]
    _, shifted = net.gradients(inputs, targets, biases=True)
    assert not np.allclose(shifted[0], checks[3].analytic)


# ---- threads, the sample, starting point ------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_threads_train_and_query_as_one_bit_for_bit(level, sample, dtype):
    # Layers of more than 16384 weights are split between the threads.
    one, _, _ = biased_network((784, [64, 300], 10), dtype, seed=6)
    two = one.copy()
    two.threads = 2
    images, labels = sample.train_images[:300], sample.train_labels[:300]
    h1 = one.fit(images, labels, epochs=2, seed=7)
    h2 = two.fit(images, labels, epochs=2, seed=7)
    assert h1["sum_squared_error"] == h2["sum_squared_error"]
    assert one == two
    assert np.array_equal(one.query(sample.test_images[:100]), two.query(sample.test_images[:100]))


def test_biases_start_at_zero_and_then_the_network_is_the_book_s():
    plain = ffnn.NeuralNetwork(5, 4, 3, 0.3, seed=8)
    biased = ffnn.NeuralNetwork(5, 4, 3, 0.3, seed=8, bias=True)
    assert [b.tolist() for b in biased.biases] == [[0.0] * 4, [0.0] * 3]
    assert all(np.array_equal(a, b) for a, b in zip(plain.weights, biased.weights))
    x = np.linspace(0.1, 0.9, 5)
    assert np.array_equal(plain.query(x), biased.query(x))
    plain.train(x, [0.2, 0.8, 0.5])
    biased.train(x, [0.2, 0.8, 0.5])
    assert all(np.abs(b).max() > 0 for b in biased.biases)  # the biases learn ...
    assert not np.array_equal(plain.query(x), biased.query(x))  # ... and change the outputs


def test_a_network_without_bias_nodes_has_none():
    net = ffnn.NeuralNetwork(5, 4, 3, 0.3, seed=9)
    assert net.bias is False and net.biases is None
    grads, bias_grads = net.gradients(np.full(5, 0.5), np.full(3, 0.5), biases=True)
    assert bias_grads is None and len(grads) == 2
    with pytest.raises(ValueError, match="no bias nodes.*bias=True"):
        net.biases = [np.zeros(4), np.zeros(3)]
    assert "bias" not in repr(net)


# ---- API ----------------------------------------------------------------------------


def test_biases_setter_checks_count_shape_and_values():
    net = ffnn.NeuralNetwork(5, [4, 2], 3, 0.3, seed=10, bias=True, dtype=np.float32)
    net.biases = [[1, 2, 3, 4], np.ones(2), (0.5, 0.5, 0.5)]
    assert [b.dtype for b in net.biases] == [np.float32] * 3
    assert net.biases[0].tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="expected 3 bias vectors, got 2"):
        net.biases = [np.ones(4), np.ones(2)]
    with pytest.raises(ValueError, match=r"biases\[1\]"):
        net.biases = [np.ones(4), np.ones(3), np.ones(3)]
    with pytest.raises(ValueError, match=r"biases\[2\].*(NaN|finite)"):
        net.biases = [np.ones(4), np.ones(2), [0.0, np.nan, 0.0]]
    assert net.biases[0].tolist() == [1, 2, 3, 4]  # refused assignments change nothing
    with pytest.raises(TypeError, match="bias must be True or False"):
        ffnn.NeuralNetwork(5, 4, 3, 0.3, bias="yes")


def test_weights_assignment_keeps_the_biases():
    net, weights, biases = biased_network((3, [5], 2), np.float64)
    net.weights = [w * 2 for w in weights]
    net.wih = weights[0]
    assert all(np.array_equal(a, b) for a, b in zip(net.biases, biases))
    x = np.array([0.2, 0.4, 0.6])
    assert_close(net.query(x), reference.query([weights[0], weights[1] * 2], x, biases), np.float64)


def test_copy_pickle_equality_and_repr_include_the_biases():
    net, _, _ = biased_network((3, [5], 2), np.float64)
    assert repr(net) == "NeuralNetwork(3, [5], 2, 0.2, dtype=float64, bias=True)"
    for other in (net.copy(), pickle.loads(pickle.dumps(net))):
        assert other == net and other.bias
        assert all(np.array_equal(a, b) for a, b in zip(other.biases, net.biases))
        assert all(a is not b for a, b in zip(other.biases, net.biases))
        other.biases[1][0] += 1
        assert other != net
    plain = ffnn.NeuralNetwork(3, [5], 2, 0.2, seed=0)
    plain.weights = net.weights
    assert plain != net  # same weights, but no bias nodes


def test_fit_with_patience_restores_the_best_epoch_s_biases(sample):
    net = ffnn.NeuralNetwork(784, 20, 10, 0.3, seed=11, bias=True)
    seen = {}
    history = net.fit(
        sample.train_images[:300], sample.train_labels[:300], epochs=4, seed=11,
        validation=(sample.test_images[:100], sample.test_labels[:100]), patience=4,
        callback=lambda epoch, _: seen.update({epoch: [b.copy() for b in net.biases]}),
    )
    best = seen[history["best_epoch"]]
    assert all(np.array_equal(a, b) for a, b in zip(net.biases, best))


# ---- model files ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_save_then_load_keeps_the_biases(tmp_path, dtype):
    net, _, _ = biased_network((17, [9, 4], 3), dtype, "mse")
    net.save(tmp_path / "biased.npz")
    loaded = ffnn.NeuralNetwork.load(tmp_path / "biased.npz")
    assert loaded == net and loaded.bias and loaded.rule == "mse"
    assert all(np.array_equal(a, b) and a.dtype == dtype for a, b in zip(loaded.biases, net.biases))
    with np.load(tmp_path / "biased.npz") as members:
        assert members["bias"] and int(members["version"]) == 1
        assert [members[f"biases_{k}"].shape for k in range(3)] == [(9,), (4,), (3,)]


OLD_MEMBERS = {"format", "version", "sizes", "dtype", "learning_rate", "rule", "hidden_is_list",
               "weights_0", "weights_1"}


def test_a_network_without_biases_is_saved_as_before_and_loads_the_same(tmp_path):
    net = ffnn.NeuralNetwork(5, 4, 3, 0.3, seed=12)
    net.save(tmp_path / "plain.npz")
    with np.load(tmp_path / "plain.npz") as members:
        assert set(members.files) == OLD_MEMBERS  # what an ffnn without bias nodes reads
    loaded = ffnn.NeuralNetwork.load(tmp_path / "plain.npz")
    assert loaded == net and loaded.biases is None


def test_a_file_written_before_bias_nodes_still_loads(tmp_path):
    rng = np.random.default_rng(13)
    weights = [rng.normal(size=(4, 5)), rng.normal(size=(3, 4))]
    np.savez(
        tmp_path / "old.npz", format=np.array("ffnn-network"), version=np.array(1, dtype=np.int64),
        sizes=np.array([5, 4, 3], dtype=np.int64), dtype=np.array("float64"),
        learning_rate=np.array(0.3), rule=np.array("book"), hidden_is_list=np.array(False),
        weights_0=weights[0], weights_1=weights[1],
    )
    net = ffnn.NeuralNetwork.load(tmp_path / "old.npz")
    assert net.biases is None and net.sizes == (5, 4, 3)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, weights))


def test_load_refuses_bad_biases(tmp_path):
    net, _, _ = biased_network((3, [5], 2), np.float64)
    net.save(tmp_path / "biased.npz")
    with np.load(tmp_path / "biased.npz") as f:
        members = dict(f)
    cases = {
        "short": ({"biases_1": np.zeros(1)}, "'biases_1' has shape"),
        "nan": ({"biases_0": np.full(5, np.nan)}, "'biases_0' holds NaN"),
        "missing": ({"biases_1": None}, "missing member 'biases_1'"),
        "unflagged": ({"bias": np.array(False)}, "unexpected members"),
    }
    for name, (change, message) in cases.items():
        changed = {k: v for k, v in {**members, **change}.items() if v is not None}
        np.savez(tmp_path / f"{name}.npz", **changed)
        with pytest.raises(ValueError, match=message):
            ffnn.NeuralNetwork.load(tmp_path / f"{name}.npz")


# ---- scikit-learn ---------------------------------------------------------------------


def test_sklearn_wrapper_passes_bias_on(sample):
    pytest.importorskip("sklearn")
    from ffnn.sklearn import BookMLPClassifier

    model = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=0, bias=True)
    assert model.get_params()["bias"] is True
    model.fit(sample.train_images[:200], sample.train_labels[:200])
    assert model.network_.bias and all(np.abs(b).max() > 0 for b in model.network_.biases)
    assert BookMLPClassifier().bias is False
