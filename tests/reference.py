"""The book's network in plain NumPy: the oracle every ffnn result is held against.

Written for clarity, not speed, and for any number of layers. It never
imports ffnn. Vectors are 1-D; W[k] has shape (nodes of layer k+1, nodes of
layer k).
"""
import numpy as np


def sigmoid(x):
    """1 / (1 + exp(-x)) without overflow: exp only sees non-positive numbers."""
    x = np.asarray(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype)


def logit(y):
    """The inverse of the sigmoid."""
    return np.log(y / (1 - y))


def forward(weights, inputs):
    """Outputs of every layer, the inputs first."""
    outputs = [np.asarray(inputs)]
    for w in weights:
        outputs.append(sigmoid(w @ outputs[-1]))
    return outputs


def query(weights, inputs):
    return forward(weights, inputs)[-1]


def train(weights, inputs, targets, lr):
    """One step of the book's rule, in place; returns sum((t - o)^2) before it.

    Output errors are t - o; each layer below receives the raw errors W^T e
    through the weights as they were before this step. Every layer then moves
    by lr * (e * o * (1 - o)) outer (its inputs).
    """
    outputs = forward(weights, inputs)
    errors = np.asarray(targets) - outputs[-1]
    sq_error = float(np.sum(errors**2))
    for k in reversed(range(len(weights))):
        o, below = outputs[k + 1], outputs[k]
        errors_below = weights[k].T @ errors
        weights[k] += lr * np.outer(errors * o * (1 - o), below)
        errors = errors_below
    return sq_error


def rescale(signal):
    """The book's mapping of a back-queried signal onto 0.01 .. 0.99."""
    signal = signal - np.min(signal)
    top = np.max(signal)
    if top == 0:
        return np.full_like(signal, 0.5)
    return signal / top * 0.98 + 0.01


def backquery(weights, targets):
    """The book's backwards query, from output targets to an input image."""
    signal = logit(np.asarray(targets))
    for k in reversed(range(len(weights))):
        signal = rescale(weights[k].T @ signal)
        if k > 0:
            signal = logit(signal)
    return signal


def initial_weights(sizes, seed, dtype=np.float64):
    """The book's initialisation: normal, mean 0, std = (nodes feeding the layer) ** -0.5."""
    rng = np.random.default_rng(seed)
    return [
        rng.normal(0.0, n_in**-0.5, size=(n_out, n_in)).astype(dtype)
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]
