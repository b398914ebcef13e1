"""A short run through every public operation, for memory checkers.

Trains, fits (plain, with rotated copies and distorted), queries, back-queries, takes
gradients of, copies, pickles, saves and loads small networks of both dtypes
under every update rule, and feeds in the usual bad arguments, so that
valgrind sees every path into the C core. Exits non-zero if a result is
wrong or a bad argument is not refused.
"""
import os
import pickle
import sys
import tempfile

import numpy as np

import ffnn
from ffnn import _core
from ffnn.datasets import load_sample, make_targets, scale_inputs

REFUSED = (ValueError, TypeError, MemoryError, FloatingPointError)


def refused(call) -> bool:
    try:
        call()
    except REFUSED:
        return True
    return False


def exercise(dtype, rule: str, data) -> None:
    images, labels = data.train_images[:200], data.train_labels[:200]
    x, t = scale_inputs(images, dtype), make_targets(labels, 10, dtype)
    net = ffnn.NeuralNetwork(784, [20, 12], 10, 0.1, dtype=dtype, seed=0, rule=rule)
    clone = net.copy()
    for xi, ti in zip(x[:50], t[:50]):
        net.train(xi, ti)
    clone.fit(images[:50], labels[:50], shuffle=False)
    assert net == clone, "fit differs from train"
    history = net.fit(x, labels, epochs=2, seed=1, validation=(images[:20], labels[:20]))
    assert np.isfinite(history["loss"]).all()
    net.fit(x[:30], t[:30], shuffle=False)
    outputs = net.query(x[:40])
    assert outputs.shape == (40, 10) and np.isfinite(outputs).all()
    np.testing.assert_array_equal(net.query(images[:40]), outputs)
    np.testing.assert_array_equal(net.query(x[0]), outputs[0])
    assert 0 <= net.score(images[:40], labels[:40]) <= 1
    image = net.backquery(np.full(10, 0.01, dtype) + np.eye(10, dtype=dtype)[3] * 0.98)
    assert image.shape == (784,) and np.isfinite(image).all()
    grads = net.gradients(x[:5], t[:5])
    assert [g.shape for g in grads] == [w.shape for w in net.weights]
    assert all(np.isfinite(g).all() for g in grads)
    back = pickle.loads(pickle.dumps(net))
    assert back == net
    net.fit(images[:20], labels[:20], augment={"rotate": 10})
    distortion = ffnn.Distortion(rotate=10, scale=0.1, shear=0.1, shift=2, elastic=(8, 3))
    net.fit(images[:20], labels[:20], distort=distortion, schedule=ffnn.schedules.Exponential(0.1, 0.9))
    net.fit(x[:20], labels[:20], distort=distortion, background=0.01)
    assert distortion.apply(images[:3], seed=1, dtype=net.dtype).min() == net.dtype.type(0.01)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.npz")
        net.save(path)
        assert ffnn.NeuralNetwork.load(path) == net
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 2)
        assert refused(lambda: ffnn.NeuralNetwork.load(path))
    net.weights = [w * 0.5 for w in net.weights]
    net.wih, net.who = net.wih, net.who

    threaded = ffnn.NeuralNetwork(784, [20], 10, 0.1, dtype=dtype, seed=0, rule=rule, threads=2, bias=True)
    threaded.fit(images[:30], labels[:30])
    threaded.threads = 1
    assert threaded.gradients(x[:3], t[:3], biases=True)[1] is not None

    single = ffnn.NeuralNetwork(3, [], 2, 0.2, dtype=dtype, seed=1, rule=rule)
    single.train([0.1, 0.2, 0.3], [0.99, 0.01])
    single.backquery([0.3, 0.7])

    bad_calls = [
        lambda: net.train(x[0][:-1], t[0]),
        lambda: net.train(np.full(784, np.nan), t[0]),
        lambda: net.query(np.zeros((0, 784))),
        lambda: net.backquery(np.ones(10)),
        lambda: net.fit(images[:3], [0, 1, 10]),
        lambda: net.fit(np.zeros((0, 784)), []),
        lambda: setattr(net, "wih", np.zeros((3, 3))),
        lambda: net._net.train(np.zeros(1, np.int64), 0.1, 0),
        lambda: net._net.train(np.array([0, 5], np.int64), 0.1, 0, pixels=images[:2], labels=np.array([0, 1])),
        lambda: net._net.train(None, 0.1, 0, pixels=images[:2], labels=np.array([0, 10])),
        lambda: net._net.train(None, 0.1, 9, inputs=x[:1], targets=t[:1]),
        lambda: net._net.query(np.empty((3, 10), dtype), inputs=x[:2]),
        lambda: net._net.backquery(t[0][:5], np.empty(784, dtype)),
        lambda: net._net.gradients(0, [np.empty((3, 3))], inputs=x[:2], targets=t[:2]),
        lambda: _core.Net([np.zeros((3, 2))], threads=0),
        lambda: _core.one_hot(np.array([0, 12]), np.empty((2, 10), dtype)),
    ]
    for k, call in enumerate(bad_calls):
        assert refused(call), f"bad call {k} was not refused"
    net.wih[0, 0] = np.inf
    assert refused(lambda: net.train(x[0], t[0]))


def main() -> int:
    data = load_sample()
    for dtype in (np.float32, np.float64):
        for rule in ("book", "mse", "cross_entropy"):
            exercise(dtype, rule, data)
    print("exercise.py: every operation ran and every bad call was refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
