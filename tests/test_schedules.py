"""Learning-rate schedules (fit(schedule=...)) and the recipes built on them."""
import dataclasses

import numpy as np
import pytest

import ffnn
from ffnn import recipes, schedules


def test_step_and_exponential_give_each_epoch_its_rate():
    step = schedules.Step(0.1, 0.5, every=3)
    assert [step(e) for e in range(1, 8)] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]
    exponential = schedules.Exponential(0.05, 0.92)
    assert exponential(1) == 0.05
    assert exponential(4) == pytest.approx(0.05 * 0.92**3)


def test_fit_trains_each_epoch_at_the_schedules_rate(sample):
    X, y = sample.train_images[:400], sample.train_labels[:400]
    scheduled = ffnn.NeuralNetwork(784, 20, 10, 0.3, seed=2)
    by_hand = scheduled.copy()
    history = scheduled.fit(X, y, 3, seed=5, schedule=lambda epoch: 0.2 / epoch)
    assert history["learning_rate"] == [0.2, 0.1, 0.2 / 3]
    assert scheduled.learning_rate == 0.3  # the network's own rate is left as it was
    rng = np.random.default_rng(5)
    for epoch in (1, 2, 3):
        by_hand.learning_rate = 0.2 / epoch
        by_hand.fit(X, y, 1, seed=rng)
    assert scheduled == by_hand


def test_without_a_schedule_the_history_records_the_networks_rate(sample):
    net = ffnn.NeuralNetwork(784, 10, 10, 0.25, seed=1)
    history = net.fit(sample.train_images[:50], sample.train_labels[:50], 2)
    assert history["learning_rate"] == [0.25, 0.25]


def test_bad_schedules_are_refused(sample):
    X, y = sample.train_images[:20], sample.train_labels[:20]
    net = ffnn.NeuralNetwork(784, 10, 10, 0.1)
    with pytest.raises(TypeError, match="schedule must be a callable"):
        net.fit(X, y, schedule=0.1)
    before = net.copy()
    with pytest.raises(ValueError, match="learning rate of epoch 1"):
        net.fit(X, y, schedule=lambda epoch: -1.0)
    assert net == before
    with pytest.raises(ValueError, match="start must be a positive"):
        schedules.Exponential(0.0)
    with pytest.raises(ValueError, match="every must be"):
        schedules.Step(0.1, 0.5, every=0)


def test_the_recipes_say_what_they_do():
    assert recipes.book().describe() == (
        "recipe 'book': 200 sigmoid hidden nodes, rule 'book', learning rate 0.1, 5 epochs")
    best = recipes.best()
    assert best.hidden == 200 and best.distort is not None and best.schedule is not None
    text = best.describe()
    assert "cross_entropy" in text and "0.05 x 0.98^(epoch-1)" in text and "elastic alpha 8 px" in text


def test_a_recipe_trains_a_new_network(sample):
    quick = dataclasses.replace(recipes.best(), epochs=2)
    net, history = quick.train(sample.train_images[:600], sample.train_labels[:600], seed=3)
    assert net.sizes == (784, 200, 10) and net.rule == "cross_entropy" and net.biases is not None
    assert net.dtype == np.float32 == quick.dtype and quick.network(dtype=np.float64).dtype == np.float64
    assert history["learning_rate"] == [0.05, 0.05 * 0.98]
    again, _ = quick.train(sample.train_images[:600], sample.train_labels[:600], seed=3)
    assert again == net
