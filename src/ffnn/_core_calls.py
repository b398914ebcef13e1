"""Every call NeuralNetwork makes into the C core: its weights bound as C layers, its
thread pool, and the core's training step, query, backquery and gradients."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ffnn import _core
from ffnn._layout import cache_aligned

if TYPE_CHECKING:
    from ffnn.network import NeuralNetwork

# Multiply-adds per query call: a batch query is split into calls of about
# this many (a few tens of milliseconds), so that Ctrl-C is answered between them.
_QUERY_UPDATES = 1 << 25
# Samples per block of the C batch query; Python's blocks are multiples of it,
# so that they split the batch exactly where one call would.
_QUERY_BLOCK = 32


def bind(net: NeuralNetwork, weights: list[np.ndarray],
         biases: list[np.ndarray] | tuple[np.ndarray, ...] | None) -> None:
    """Make ``weights`` and ``biases`` the network's, as the core's layers, with their work space."""
    net._layers = _core.Layers([cache_aligned(w) for w in weights], biases)
    net._sizes = net._layers.sizes
    net._weights = net._layers.arrays
    net._biases = net._layers.bias_arrays
    net._n_weights = sum(w.size for w in weights)
    net._work = np.empty(net._layers.work_size, dtype=net._dtype)


def pool(threads: int) -> _core.Pool:
    """The core's pool of ``threads`` threads (a count already checked)."""
    return _core.Pool(threads)


def train_step(net: NeuralNetwork, x: np.ndarray, t: np.ndarray) -> float:
    """One step of the network's rule on one sample; the sample's squared error, NaN if not finite."""
    with net._lock:
        return float(
            _core.train_step(net._layers, x, t, net._learning_rate, _core.RULES[net._rule], net._work)
        )


def query(net: NeuralNetwork, batch: np.ndarray) -> np.ndarray:
    """Outputs for each row of ``batch``, in blocks of some milliseconds, so that Ctrl-C stops it."""
    out = np.empty((batch.shape[0], net.sizes[-1]), dtype=net._dtype)
    threads = net._pool.threads
    rows = max(1, _QUERY_UPDATES // net._n_weights) * threads
    rows += -rows % _QUERY_BLOCK
    if threads == 1:
        work = np.empty(net._layers.work_size, dtype=net._dtype)
        for start in range(0, len(batch), rows):
            _core.query(net._layers, batch[start:start + rows], out[start:start + rows], work)
    else:
        # A pool runs one call at a time.
        with net._lock:
            work = np.empty(net._layers.work_size * threads, dtype=net._dtype)
            for start in range(0, len(batch), rows):
                _core.query(
                    net._layers, batch[start:start + rows], out[start:start + rows], work,
                    net._pool,
                )
    return out


def backquery(net: NeuralNetwork, t: np.ndarray) -> np.ndarray:
    """The input image for the output values ``t`` (already checked to lie in (0, 1))."""
    image = np.empty(net.sizes[0], dtype=net._dtype)
    work = np.empty(net._layers.work_size, dtype=net._dtype)
    _core.backquery(net._layers, t, image, work)
    return image


def gradients(net: NeuralNetwork, x: np.ndarray,
              t: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """The rule's gradients for the weights and the biases (None without), summed over the rows."""
    grads = [np.empty_like(w) for w in net._weights]
    bias_grads = None if net._biases is None else [np.empty_like(b) for b in net._biases]
    work = np.empty(net._layers.work_size, dtype=net._dtype)
    with net._lock:
        _core.gradients(
            net._layers, _core.RULES[net._rule], x.reshape(-1, net.sizes[0]), t.reshape(-1, net.sizes[-1]),
            _core.Layers(grads, bias_grads), work,
        )
    return grads, bias_grads
