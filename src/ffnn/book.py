"""The book's class, by the book's names, for notebooks written for the book.

>>> from ffnn import neuralNetwork
>>> n = neuralNetwork(inputnodes=784, hiddennodes=200, outputnodes=10, learningrate=0.1)

``neuralNetwork`` takes what the book's code passes and returns what it
expects back: ``query`` and ``backquery`` give columns, ``train`` gives
nothing. Its weights start as the book's (corrected) code draws them, from
NumPy's global generator, so ``numpy.random.seed(...)`` before construction
gives the book's very weights. The arithmetic is a float64
``NeuralNetwork`` with the book's rule, in C.
"""
from __future__ import annotations

import numpy as np

from ffnn import _core
from ffnn.network import NeuralNetwork


def _elementwise(kernel, doc: str):
    """The C kernel the network itself uses, applied to an array of any shape."""
    def apply(values):
        x = np.ascontiguousarray(values, dtype=np.float64)
        out = np.empty_like(x)
        if x.size:
            kernel(x.reshape(-1), out.reshape(-1))
        return out

    apply.__doc__ = doc
    return apply


_sigmoid = _elementwise(_core.sigmoid, "The book's activation function, 1 / (1 + exp(-x)).")
_logit = _elementwise(_core.logit, "Its inverse, log(y / (1 - y)).")


def _forwarded(name: str, doc: str) -> property:
    """An attribute read from and written to the NeuralNetwork underneath."""
    return property(
        lambda self: getattr(self.network, name),
        lambda self, value: setattr(self.network, name, value),
        doc=doc,
    )


class neuralNetwork:  # noqa: N801  (the book's name, so that its notebooks run unchanged)
    """The book's three-layer network: ``train``, ``query`` and ``backquery``.

    ``inodes``, ``hnodes``, ``onodes`` are the layer sizes; ``lr`` the
    learning rate (assignable, as the book's code may); ``wih`` and ``who``
    the weight matrices, read live (edits in place are used) and assignable
    with a matrix of the same shape. ``activation_function`` and
    ``inverse_activation_function`` are the sigmoid and its inverse, which
    the C core computes itself: they cannot be replaced. ``network`` is the
    ``NeuralNetwork`` underneath, for ``fit``, ``save`` and the rest.
    """

    def __init__(self, inputnodes: int, hiddennodes: int, outputnodes: int, learningrate: float) -> None:
        net = NeuralNetwork(inputnodes, hiddennodes, outputnodes, learningrate, dtype=np.float64)
        if isinstance(net.hnodes, list):
            raise TypeError("hiddennodes must be an integer: the book's network has one hidden layer")
        # The book's draws, in the book's order, from NumPy's global generator.
        net.wih = np.random.normal(0.0, pow(net.inodes, -0.5), (net.hnodes, net.inodes))
        net.who = np.random.normal(0.0, pow(net.hnodes, -0.5), (net.onodes, net.hnodes))
        self.network = net

    inodes = property(lambda self: self.network.inodes, doc="Input nodes.")
    hnodes = property(lambda self: self.network.hnodes, doc="Hidden nodes.")
    onodes = property(lambda self: self.network.onodes, doc="Output nodes.")
    lr = _forwarded("learning_rate", "The learning rate; assignable.")
    wih = _forwarded("wih", "Input-to-hidden weights, (hnodes, inodes); edits in place are used.")
    who = _forwarded("who", "Hidden-to-output weights, (onodes, hnodes); edits in place are used.")

    @property
    def activation_function(self):
        return _sigmoid

    @activation_function.setter
    def activation_function(self, function) -> None:
        raise AttributeError("ffnn computes the sigmoid in C: activation_function cannot be replaced")

    @property
    def inverse_activation_function(self):
        return _logit

    @inverse_activation_function.setter
    def inverse_activation_function(self, function) -> None:
        raise AttributeError(
            "ffnn computes the inverse sigmoid in C: inverse_activation_function cannot be replaced"
        )

    def train(self, inputs_list, targets_list) -> None:
        """One step of the book's rule on one sample (a list, a 1-D array or a column)."""
        self.network.train(inputs_list, targets_list)

    def query(self, inputs_list) -> np.ndarray:
        """The outputs for one sample, as a column ``(onodes, 1)``.

        Rows of several samples give one column each, ``(onodes, n)``, as
        the book's matrix arithmetic would.
        """
        outputs = self.network.query(_flat(inputs_list, self.inodes))
        return outputs.reshape(-1, 1) if outputs.ndim == 1 else outputs.T

    def backquery(self, targets_list) -> np.ndarray:
        """The input the network associates with the given outputs, as a column ``(inodes, 1)``."""
        return self.network.backquery(targets_list).reshape(-1, 1)

    def __repr__(self) -> str:
        return f"neuralNetwork({self.inodes}, {self.hnodes}, {self.onodes}, {self.lr!r})"


def _flat(sample, size: int):
    """One sample as NeuralNetwork.query reads one: a book-style column becomes 1-D."""
    if isinstance(sample, np.ndarray) and sample.shape == (size, 1):
        return sample.reshape(size)
    return sample
