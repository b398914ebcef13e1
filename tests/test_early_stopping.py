"""fit(validation=..., patience=k): stop after k epochs without a better accuracy, keep the best."""
import numpy as np
import pytest

import ffnn


def fit_recording(net, data, validation, epochs, patience):
    """fit's history, and a copy of the weights after every epoch."""
    after = []
    history = net.fit(
        data.train_images[:600], data.train_labels[:600], epochs, seed=0, validation=validation,
        patience=patience, callback=lambda epoch, h: after.append([w.copy() for w in net.weights]),
    )
    return history, after


@pytest.mark.parametrize("patience", [1, 2, 4])
def test_the_weights_are_those_of_the_first_best_epoch(sample, patience):
    net = ffnn.NeuralNetwork(784, 20, 10, 0.3, seed=1)
    validation = (sample.test_images[:200], sample.test_labels[:200])
    history, after = fit_recording(net, sample, validation, 12, patience)
    accuracy = history["val_accuracy"]
    best = history["best_epoch"]
    assert best == int(np.argmax(accuracy)) + 1  # argmax: the first of equals
    assert len(accuracy) == len(after) and (len(accuracy) == 12 or len(accuracy) - best == patience)
    assert all(a < accuracy[best - 1] for a in accuracy[best:])
    assert all(np.array_equal(w, b) for w, b in zip(net.weights, after[best - 1]))
    assert net.score(*validation) == accuracy[best - 1]


def test_training_stops_patience_epochs_after_the_best(sample):
    # Ten training images as the validation set: once all are right, no
    # epoch can do better, so training ends two epochs later.
    net = ffnn.NeuralNetwork(784, 50, 10, 0.1, seed=0)
    validation = (sample.train_images[:10], sample.train_labels[:10])
    history, _ = fit_recording(net, sample, validation, 30, 2)
    assert history["val_accuracy"][history["best_epoch"] - 1] == 1.0
    assert len(history["val_accuracy"]) == history["best_epoch"] + 2 < 30


def test_without_patience_nothing_is_restored(sample):
    net = ffnn.NeuralNetwork(784, 20, 10, 0.3, seed=1)
    validation = (sample.test_images[:200], sample.test_labels[:200])
    history, after = fit_recording(net, sample, validation, 4, None)
    assert "best_epoch" not in history and len(after) == 4
    assert all(np.array_equal(w, b) for w, b in zip(net.weights, after[-1]))


def test_patience_needs_validation_and_a_positive_count(sample):
    net = ffnn.NeuralNetwork(784, 5, 10, 0.1, seed=0)
    before = [w.copy() for w in net.weights]
    with pytest.raises(ValueError, match="patience needs validation"):
        net.fit(sample.train_images[:10], sample.train_labels[:10], 3, patience=2)
    with pytest.raises(ValueError, match="patience"):
        net.fit(sample.train_images[:10], sample.train_labels[:10], 3, patience=0,
                validation=(sample.test_images[:10], sample.test_labels[:10]))
    assert all(np.array_equal(w, b) for w, b in zip(net.weights, before))
