"""Threads: the kernels run without the GIL, so one network is guarded by its
lock and separate networks train side by side. Every test compares against
the same work done in one thread."""
import threading

import numpy as np
import pytest
from conftest import DTYPES

import ffnn


def run_in_threads(*targets):
    """Start all targets together, wait for all, re-raise the first failure."""
    errors = []
    start = threading.Barrier(len(targets))

    def wrap(target):
        def run():
            try:
                start.wait()
                target()
            except BaseException as exc:  # reported in the main thread
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_query_from_many_threads_on_one_network(sample, dtype):
    net = ffnn.NeuralNetwork(784, 100, 10, 0.1, dtype=dtype, seed=0)
    x = sample.test_images[:200] / 255 * 0.99 + 0.01
    expected = net.query(x)
    results = {}

    def query(k):
        def run():
            results[k] = [net.query(x) for _ in range(5)] + [net.query(row) for row in x[:20]]
        return run

    run_in_threads(*(query(k) for k in range(8)))
    for outputs in results.values():
        for got in outputs[:5]:
            np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(np.array(outputs[5:]), expected[:20])


@pytest.mark.parametrize("dtype", DTYPES)
def test_concurrent_train_on_one_network_is_serialised(dtype):
    # Every thread takes the same step, so any serial order ends in the same
    # weights; updates interleaved inside a step would not.
    x = np.linspace(0.01, 1, 300)
    t = np.full(20, 0.01)
    t[3] = 0.99
    shared = ffnn.NeuralNetwork(300, 200, 20, 0.05, dtype=dtype, seed=1)
    serial = shared.copy()
    for _ in range(4 * 150):
        serial.train(x, t)

    def train():
        for _ in range(150):
            shared.train(x, t)

    run_in_threads(*[train] * 4)
    assert shared == serial


@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_and_train_on_one_network_are_serialised(dtype):
    X = np.tile(np.linspace(0.01, 1, 300), (200, 1))
    y = np.full(200, 2)
    t = np.full(20, 0.01)
    t[2] = 0.99
    shared = ffnn.NeuralNetwork(300, 200, 20, 0.05, dtype=dtype, seed=2)
    serial = shared.copy()
    serial.fit(X, y, epochs=3, shuffle=False)
    for _ in range(300):
        serial.train(X[0], t)

    def train():
        for _ in range(300):
            shared.train(X[0], t)

    run_in_threads(lambda: shared.fit(X, y, epochs=3, shuffle=False), train)
    # Identical rows and labels: fit's steps and train's steps are the same step.
    assert shared == serial


@pytest.mark.parametrize("dtype", DTYPES)
def test_weight_assignment_during_training_never_tears_a_step(dtype):
    x, t = np.linspace(0.01, 1, 30), np.linspace(0.9, 0.1, 10)
    shared = ffnn.NeuralNetwork(30, 20, 10, 0.3, dtype=dtype, seed=3)
    reset = [w.copy() for w in shared.weights]
    # Every state the network may end in: `reset` followed by j steps.
    path = [shared.copy()]
    for _ in range(300):
        path.append(path[-1].copy())
        path[-1].train(x, t)

    def train():
        for _ in range(300):
            shared.train(x, t)

    def assign():
        for k in range(200):
            if k % 2:
                shared.weights = reset
            else:
                shared.wih, shared.who = reset

    run_in_threads(train, assign)
    assert any(shared == state for state in path)


def test_learning_rate_changed_during_fit_applies_from_the_next_epoch(sample):
    X, y = sample.train_images[:200], sample.train_labels[:200]
    a = ffnn.NeuralNetwork(784, 20, 10, 0.1, seed=4)
    b = a.copy()
    a.fit(X, y, epochs=2, seed=5, callback=lambda epoch, h: setattr(a, "learning_rate", 0.3))
    b.fit(X[np.random.default_rng(5).permutation(200)], y[np.random.default_rng(5).permutation(200)],
          shuffle=False)
    b.learning_rate = 0.3
    rng = np.random.default_rng(5)
    rng.permutation(200)
    second = rng.permutation(200)
    b.fit(X[second], y[second], shuffle=False)
    assert a == b


@pytest.mark.parametrize("dtype", DTYPES)
def test_separate_networks_train_in_parallel_as_they_do_alone(sample, dtype):
    X, y = sample.train_images[:1000], sample.train_labels[:1000]
    nets = [ffnn.NeuralNetwork(784, 50, 10, 0.1, dtype=dtype, seed=k) for k in range(3)]
    alone = [net.copy() for net in nets]
    for k, net in enumerate(alone):
        net.fit(X, y, epochs=2, seed=k)
    histories = {}

    def fit(k):
        return lambda: histories.setdefault(k, nets[k].fit(X, y, epochs=2, seed=k))

    run_in_threads(*(fit(k) for k in range(3)))
    assert nets == alone
