"""Every call NeuralNetwork makes into the C core: its weights bound to the core's
network object (``_core.Net``, which also holds the threads), and the core's training
step, query, backquery and gradients."""
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
# Rows of a query call on pixels for one of inputs: enough calls of MNIST pictures take
# some tens of milliseconds each that making W^T once per call costs a few percent.
_PIXEL_ROWS = 8
# Samples per block of the C batch query; Python's blocks are multiples of it,
# so that they split the batch exactly where one call would.
_QUERY_BLOCK = 32


def bind(net: NeuralNetwork, weights: list[np.ndarray],
         biases: list[np.ndarray] | tuple[np.ndarray, ...] | None) -> None:
    """Make ``weights`` and ``biases`` the network's: bound to its core network, made
    for them if it has none of their shapes yet (its threads are ``net._threads``)."""
    aligned = [cache_aligned(w) for w in weights]
    core = getattr(net, "_net", None)
    if (core is None or core.dtype != aligned[0].dtype or core.arrays[0].shape != aligned[0].shape
            or [w.shape for w in core.arrays] != [w.shape for w in aligned]
            or (core.bias_arrays is None) != (biases is None)):
        net._net = _core.Net(aligned, biases, net._threads)
        net._net.share_policy = _core.SHARE_POLICIES[net._share]
    else:
        core.bind(aligned, biases)
    net._sizes = net._net.sizes
    net._weights = net._net.arrays
    net._biases = net._net.bias_arrays
    net._n_weights = sum(w.size for w in weights)


def set_threads(net: NeuralNetwork, threads: int) -> None:
    """Share the network's work between ``threads`` threads (a count already checked)."""
    with net._lock:
        core = getattr(net, "_net", None)
        if core is not None:
            core.threads = threads
        net._threads = threads


def set_share_policy(net: NeuralNetwork, policy: str) -> None:
    """Make ``policy`` (a name already checked) the way the network's threads share work."""
    with net._lock:
        core = getattr(net, "_net", None)
        if core is not None:
            core.share_policy = _core.SHARE_POLICIES[policy]
        net._share = policy


def train_step(net: NeuralNetwork, x: np.ndarray, t: np.ndarray) -> float:
    """One step of the network's rule on one sample; the sample's squared error, NaN if not finite."""
    with net._lock:
        return net._net.train(None, net._learning_rate, _core.RULES[net._rule], inputs=x.reshape(1, -1),
                              targets=t.reshape(1, -1))


def query(net: NeuralNetwork, batch: np.ndarray, pixels: bool = False) -> np.ndarray:
    """Outputs for each row of ``batch`` (uint8 pixels, scaled in C, if ``pixels``), in
    blocks of some milliseconds, so that Ctrl-C stops it."""
    out = np.empty((batch.shape[0], net.sizes[-1]), dtype=net._dtype)
    threads = net._threads
    if threads == 1:
        # One thread: queries from several Python threads run side by side, each
        # with scratch space of its own in C.
        for start, end in _query_calls(net, len(batch), pixels):
            _query_block(net, batch[start:end], out[start:end], pixels)
    else:
        # A pool runs one call at a time.
        with net._lock:
            for start, end in _query_calls(net, len(batch), pixels):
                _query_block(net, batch[start:end], out[start:end], pixels)
    return out


def _query_calls(net: NeuralNetwork, n: int, pixels: bool) -> list[tuple[int, int]]:
    """The rows of each call of a query of n rows: blocks of about _QUERY_UPDATES
    multiply-adds, split where one call's blocks end. Pixels' first layer mostly goes
    from the ink at a third of the cost or less, after a transposition of its weights
    per call (csrc/sparse/pixel_query.h): their calls have _PIXEL_ROWS times the rows
    (those of pictures with too much ink take up to that many times as long), and none
    has fewer than PIXEL_MIN_SAMPLES rows unless the query has, since a call that
    short takes the dense way (the same values up to rounding) where one call would not.
    (Each call also chooses from some of its own rows whether W^T pays.)"""
    rows = max(1, _QUERY_UPDATES // net._n_weights) * net._threads * (_PIXEL_ROWS if pixels else 1)
    rows += -rows % _QUERY_BLOCK
    starts = list(range(0, n, rows))
    if pixels and len(starts) > 1 and n - starts[-1] < _core.PIXEL_MIN_SAMPLES:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


def _query_block(net: NeuralNetwork, block: np.ndarray, out: np.ndarray, pixels: bool) -> None:
    net._net.query(out, pixels=block if pixels else None, inputs=None if pixels else block)


def backquery(net: NeuralNetwork, t: np.ndarray) -> np.ndarray:
    """The input image for the output values ``t`` (already checked to lie in (0, 1))."""
    image = np.empty(net.sizes[0], dtype=net._dtype)
    net._net.backquery(t, image)
    return image


def gradients(net: NeuralNetwork, x: np.ndarray,
              t: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """The rule's gradients for the weights and the biases (None without), summed over the rows."""
    grads = [np.empty_like(w) for w in net._weights]
    bias_grads = None if net._biases is None else [np.empty_like(b) for b in net._biases]
    with net._lock:
        net._net.gradients(_core.RULES[net._rule], grads, bias_grads, inputs=x.reshape(-1, net.sizes[0]),
                           targets=t.reshape(-1, net.sizes[-1]))
    return grads, bias_grads
