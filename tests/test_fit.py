"""fit: whole epochs in C, equal to the same steps taken one by one with train."""
import numpy as np
import pytest

import ffnn
from ffnn.datasets import make_targets, scale_inputs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden", [30, [30, 20]])
def test_fit_on_pixels_and_labels_equals_train_loop(sample, dtype, hidden):
    images, labels = sample.train_images[:500], sample.train_labels[:500]
    a = ffnn.NeuralNetwork(784, hidden, 10, 0.1, dtype=dtype, seed=2)
    b = a.copy()
    history = a.fit(images, labels, epochs=2, seed=9)
    rng = np.random.default_rng(9)
    x, t = scale_inputs(images, dtype), make_targets(labels, 10, dtype)
    losses = []
    for _ in range(2):
        order = rng.permutation(len(images))
        losses.append(np.mean([b.train(x[i], t[i]) for i in order]))
    # The same arithmetic in the same order: bit for bit.
    assert a == b
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-6)
    assert history["loss"][1] < history["loss"][0]


def test_fit_with_float_inputs_and_target_matrix_without_shuffle():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.01, 1, (50, 7))
    Y = rng.uniform(0.01, 0.99, (50, 3))
    a = ffnn.NeuralNetwork(7, 5, 3, 0.2, seed=1)
    b = a.copy()
    a.fit(X, Y, shuffle=False)
    for x, y in zip(X, Y):
        b.train(x, y)
    assert a == b


def test_fit_reports_validation_accuracy_and_calls_back(sample):
    seen = []
    net = ffnn.NeuralNetwork(784, 50, 10, 0.1, seed=0)
    history = net.fit(
        sample.train_images, sample.train_labels, epochs=2, seed=0,
        validation=(sample.test_images, sample.test_labels),
        callback=lambda epoch, h: seen.append((epoch, len(h["loss"]))),
    )
    assert seen == [(1, 1), (2, 2)]
    assert history["val_accuracy"][-1] == net.score(sample.test_images, sample.test_labels)
    assert history["val_accuracy"][-1] > 0.85
    assert (net.predict(sample.test_images[:5]) == net.query(scale_inputs(sample.test_images[:5])).argmax(1)).all()


def test_fit_rejects_bad_data():
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 4\)"):
        net.fit(np.zeros((3, 5)), [0, 1, 0])
    with pytest.raises(ValueError, match=r"y must lie in 0\.\.1, got 0\.\.2"):
        net.fit(np.zeros((3, 4)), [0, 1, 2])
    with pytest.raises(ValueError, match=r"y must have shape \(3,\), got \(2,\)"):
        net.fit(np.zeros((3, 4)), [0, 1])
    with pytest.raises(ValueError, match=r"y must have shape \(3, 2\)"):
        net.fit(np.zeros((3, 4)), np.zeros((3, 3)))


def test_fit_stops_with_a_clear_error_when_weights_are_not_finite():
    net = ffnn.NeuralNetwork(3, 2, 2, 0.1, seed=0)
    net.wih[0, 0] = np.inf  # an in-place edit bypasses the setter's check
    with pytest.raises(FloatingPointError, match="in epoch 1: the weights are NaN or infinite"):
        net.fit(np.full((4, 3), 0.5), np.array([0, 1, 0, 1]))


def test_simd_level_is_reported_and_settable():
    assert ffnn.simd_level() in ffnn.simd_levels()
    assert "scalar" in ffnn.simd_levels()
    with pytest.raises(ValueError, match="not available"):
        ffnn.set_simd_level("mmx")
