"""Weights and biases assigned by hand: checked against the network's shapes, copied
(so the network never shares memory with the caller's arrays) and bound under its lock."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ffnn import _checks, _core_calls

if TYPE_CHECKING:
    from ffnn.network import NeuralNetwork


def weights(net: NeuralNetwork, matrices) -> None:
    """``net.weights = matrices``: all of them, each of its matrix's shape."""
    matrices = list(matrices)
    if len(matrices) != len(net._weights):
        raise ValueError(f"expected {len(net._weights)} weight matrices, got {len(matrices)}")
    checked = [
        _checks.matrix(m, old.shape, net._dtype, f"weights[{k}]")
        for k, (m, old) in enumerate(zip(matrices, net._weights))
    ]
    with net._lock:
        _core_calls.bind(net, [np.array(m, copy=True) for m in checked], net._biases)


def one_weight(net: NeuralNetwork, k: int, matrix, name: str) -> None:
    """Weight matrix ``k`` alone (``net.wih``, ``net.who``), named ``name`` in errors."""
    checked = _checks.matrix(matrix, net._weights[k].shape, net._dtype, name)
    with net._lock:
        weights = list(net._weights)
        weights[k] = np.array(checked, copy=True)
        _core_calls.bind(net, weights, net._biases)


def biases(net: NeuralNetwork, vectors) -> None:
    """``net.biases = vectors``: all of them, each of its vector's length."""
    if net._biases is None:
        raise ValueError("this network has no bias nodes; make one with NeuralNetwork(..., bias=True)")
    vectors = list(vectors)
    if len(vectors) != len(net._biases):
        raise ValueError(f"expected {len(net._biases)} bias vectors, got {len(vectors)}")
    checked = [
        _checks.vector(v, len(old), net._dtype, f"biases[{k}]")
        for k, (v, old) in enumerate(zip(vectors, net._biases))
    ]
    with net._lock:
        _core_calls.bind(net, list(net._weights), [np.array(v, copy=True) for v in checked])
