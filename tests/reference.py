"""The book's network in plain NumPy: the oracle every ffnn result is held against.

Written for clarity, not speed, and for any number of layers. It never
imports ffnn. Vectors are 1-D; W[k] has shape (nodes of layer k+1, nodes of
layer k). Wherever ``biases`` is given (one vector b[k] per weight matrix,
of its rows' length), layer k+1 computes sigmoid(W[k] h + b[k]): b[k] is one
more column of W[k] whose input is always 1.
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


def _no_biases(weights, biases):
    return [None] * len(weights) if biases is None else biases


def product(matrix, vector):
    """matrix @ vector, without the spurious "invalid value" warning.

    NumPy's BLAS now and then raises the invalid-operation flag in a small
    float32 matrix-vector product of finite values (seen in about one full
    test run in five, never alone), and the suite turns warnings into
    errors. The result itself is compared by every test, so a real NaN
    still fails.
    """
    with np.errstate(invalid="ignore"):
        return matrix @ vector


def forward(weights, inputs, biases=None):
    """Outputs of every layer, the inputs first."""
    outputs = [np.asarray(inputs)]
    for w, b in zip(weights, _no_biases(weights, biases)):
        z = product(w, outputs[-1])
        outputs.append(sigmoid(z if b is None else z + b))
    return outputs


def query(weights, inputs, biases=None):
    return forward(weights, inputs, biases)[-1]


def train(weights, inputs, targets, lr, rule="book", biases=None):
    """One training step in place; returns sum((t - o)^2) before it.

    Every layer moves by lr * delta outer (its inputs), through the weights as
    they were before this step, with errors e = t - o at the output:
    "book": delta = e * o * (1 - o); the layer below receives raw errors W^T e;
    "mse": the same delta, but the layer below receives W^T delta, making the
        step -(lr / 2) * dE/dW for E = sum((t - o)^2): the 2 left out;
    "cross_entropy": delta = e at the output (o (1 - o) cancels against the
        loss's derivative), W^T delta below: the step is -lr * dE/dW.
    Biases, if given, move in place by lr * delta (their input is 1); the
    errors sent down are those of W alone.
    """
    if rule not in ("book", "mse", "cross_entropy"):
        raise ValueError(f"no rule called {rule!r}")
    outputs = forward(weights, inputs, biases)
    errors = np.asarray(targets) - outputs[-1]
    sq_error = float(np.sum(errors**2))
    last = len(weights) - 1
    for k in reversed(range(len(weights))):
        o, below = outputs[k + 1], outputs[k]
        if rule == "cross_entropy" and k == last:
            delta = errors
        else:
            delta = errors * o * (1 - o)
        errors_below = product(weights[k].T, errors if rule == "book" else delta)
        weights[k] += lr * np.outer(delta, below)
        if biases is not None:
            biases[k] += lr * delta
        errors = errors_below
    return sq_error


def squared_error(weights, inputs, targets, biases=None):
    """E_MSE = sum((t - o)^2)."""
    return float(np.sum((targets - query(weights, inputs, biases)) ** 2))


def cross_entropy(weights, inputs, targets, biases=None):
    """E_CE = -sum(t log o + (1 - t) log(1 - o)), the binary cross-entropy."""
    o = query(weights, inputs, biases)
    return float(-np.sum(targets * np.log(o) + (1 - targets) * np.log(1 - o)))


def gradients(weights, inputs, targets, loss, biases=None):
    """dE/dW for every weight matrix, E = squared_error or cross_entropy.

    By the chain rule, with z = W o_below (+ b) and o = sigmoid(z), do/dz = o(1 - o):
    dE/dz at the output is -2 (t - o) o (1 - o) for the squared error and
    -(t - o) for cross-entropy; below, dE/dz = (W^T dE/dz_above) * o (1 - o);
    dE/dW = (dE/dz) outer o_below. With biases, returns (dE/dW list, dE/db
    list), dE/db = dE/dz.
    """
    outputs = forward(weights, inputs, biases)
    o = outputs[-1]
    if loss == "mse":
        dz = -2 * (np.asarray(targets) - o) * o * (1 - o)
    elif loss == "cross_entropy":
        dz = -(np.asarray(targets) - o)
    else:
        raise ValueError(f"no loss called {loss!r}")
    grads = [None] * len(weights)
    bias_grads = [None] * len(weights)
    for k in reversed(range(len(weights))):
        grads[k] = np.outer(dz, outputs[k])
        bias_grads[k] = dz
        below = outputs[k]
        dz = product(weights[k].T, dz) * below * (1 - below)
    return grads if biases is None else (grads, bias_grads)


def rescale(signal):
    """The book's mapping of a back-queried signal onto 0.01 .. 0.99."""
    signal = signal - np.min(signal)
    top = np.max(signal)
    if top == 0:
        return np.full_like(signal, 0.5)
    return signal / top * 0.98 + 0.01


def backquery(weights, targets, biases=None):
    """The book's backwards query, from output targets to an input image.

    With biases, each layer's weighted sum is logit(o) - b before W^T.
    """
    signal = logit(np.asarray(targets))
    biases = _no_biases(weights, biases)
    for k in reversed(range(len(weights))):
        if biases[k] is not None:
            signal = signal - biases[k]
        signal = rescale(product(weights[k].T, signal))
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
