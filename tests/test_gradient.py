"""What the book's update is, checked against central finite differences.

For E = sum((t - o)^2), one train step moves the output layer's weights by
exactly -(lr / 2) * dE/dW: the book drops the constant 2 of the derivative into
the learning rate. Its hidden layers receive raw errors W^T e rather than
deltas, so their step is not -(lr / 2) * dE/dW.
"""
import numpy as np
import reference
from conftest import network_like


def squared_error(weights, inputs, targets):
    return float(np.sum((targets - reference.query(weights, inputs)) ** 2))


def numeric_gradient(weights, k, inputs, targets, h=1e-6):
    grad = np.zeros_like(weights[k])
    for idx in np.ndindex(grad.shape):
        saved = weights[k][idx]
        weights[k][idx] = saved + h
        up = squared_error(weights, inputs, targets)
        weights[k][idx] = saved - h
        down = squared_error(weights, inputs, targets)
        weights[k][idx] = saved
        grad[idx] = (up - down) / (2 * h)
    return grad


def one_step(sizes, lr, seed):
    rng = np.random.default_rng(seed)
    weights = reference.initial_weights(sizes, seed)
    inputs = rng.uniform(0.01, 1.0, sizes[0])
    targets = rng.uniform(0.01, 0.99, sizes[-1])
    net = network_like(weights, lr, np.float64)
    net.train(inputs, targets)
    steps = [after - before for after, before in zip(net.weights, weights)]
    return weights, inputs, targets, steps


def test_output_layer_step_is_minus_half_lr_times_gradient():
    lr = 0.3
    for sizes in [(5, 4, 3), (17, 9, 6), (6, 5, 4, 3)]:
        weights, inputs, targets, steps = one_step(sizes, lr, seed=sum(sizes))
        grad = numeric_gradient(weights, len(weights) - 1, inputs, targets)
        np.testing.assert_allclose(steps[-1], -(lr / 2) * grad, rtol=1e-6, atol=1e-10)


def test_hidden_layer_step_is_not_the_squared_error_gradient():
    lr = 0.3
    weights, inputs, targets, steps = one_step((5, 4, 3), lr, seed=11)
    grad = numeric_gradient(weights, 0, inputs, targets)
    expected = -(lr / 2) * grad
    assert not np.allclose(steps[0], expected, rtol=1e-3)
    # Still a descent direction, just not the gradient's.
    cosine = np.sum(steps[0] * expected) / (np.linalg.norm(steps[0]) * np.linalg.norm(expected))
    assert 0 < cosine < 0.9999
