"""Hold a network's gradients against central finite differences of a loss.

``check_gradients(net, inputs, targets)`` compares ``net.gradients`` with
``(E(W + h) - E(W - h)) / 2h`` entry by entry, E evaluated in float64:

>>> from ffnn import NeuralNetwork
>>> from ffnn.gradcheck import check_gradients
>>> net = NeuralNetwork(5, 4, 3, 0.1, rule="mse", seed=0)
>>> [c.relative_error < 1e-6 for c in check_gradients(net, [0.5] * 5, [0.2] * 3)]
[True, True]

The book's rule has no loss of its own; pass ``loss="mse"`` or
``loss="cross_entropy"`` to see how far its direction is from either one's
gradient (``cosine`` and ``scale`` of each layer's check).

For a network with bias nodes the bias vectors are checked too: one
LayerCheck per weight matrix, then one per bias vector (``name`` tells them
apart: ``"weights[0]"``, ..., ``"biases[0]"``, ...).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ffnn.network import NeuralNetwork


def squared_error(outputs: np.ndarray, targets: np.ndarray) -> float:
    """E_MSE = sum((t - o)^2)."""
    return float(np.sum((targets - outputs) ** 2))


def cross_entropy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """E_CE = -sum(t log o + (1 - t) log(1 - o)); outputs strictly inside (0, 1)."""
    return float(-np.sum(targets * np.log(outputs) + (1 - targets) * np.log1p(-outputs)))


LOSSES = {"mse": squared_error, "cross_entropy": cross_entropy}


@dataclass(frozen=True)
class LayerCheck:
    """One weight matrix's check: the checked entries of both gradients."""

    analytic: np.ndarray
    numeric: np.ndarray
    name: str = ""

    @property
    def relative_error(self) -> float:
        """``‖analytic - numeric‖ / max(‖analytic‖, ‖numeric‖)`` over all checked entries."""
        scale = max(float(np.linalg.norm(self.analytic)), float(np.linalg.norm(self.numeric)), 1e-300)
        return float(np.linalg.norm(self.analytic - self.numeric) / scale)

    @property
    def cosine(self) -> float:
        """Cosine of the angle between the two: 1 when they point the same way."""
        norms = np.linalg.norm(self.analytic) * np.linalg.norm(self.numeric)
        return float(np.sum(self.analytic * self.numeric) / norms) if norms > 0 else 0.0

    @property
    def scale(self) -> float:
        """The multiple of the numeric gradient closest to the analytic one."""
        return float(np.sum(self.analytic * self.numeric) / np.sum(self.numeric**2))


def _as_float64(net: NeuralNetwork) -> NeuralNetwork:
    probe = NeuralNetwork.__new__(NeuralNetwork)
    probe.__setstate__({**net.__getstate__(), "dtype": "float64"})
    return probe


def check_gradients(
    net: NeuralNetwork,
    inputs,
    targets,
    loss: str | None = None,
    *,
    h: float = 1e-6,
    entries: int | None = None,
    seed=None,
) -> list[LayerCheck]:
    """Compare ``net.gradients(inputs, targets)`` with central differences of ``loss``.

    ``loss`` is "mse" or "cross_entropy", by default the network's rule's.
    Each weight is moved by ``±h`` in a float64 copy of the network and the
    loss summed over the samples is evaluated. ``entries`` checks only that
    many entries per matrix, chosen at random (``np.random.default_rng(seed)``),
    for networks too big to check whole. Returns one LayerCheck per matrix,
    then one per bias vector if the network has bias nodes.
    """
    loss = net.rule if loss is None else loss
    if loss not in LOSSES:
        raise ValueError(
            f"loss must be one of {sorted(LOSSES)}, got {loss!r}"
            + ("; the book's rule has no loss of its own" if loss == "book" else "")
        )
    if not h > 0:
        raise ValueError(f"h must be > 0, got {h}")
    weight_grads, bias_grads = net.gradients(inputs, targets, biases=True)
    probe = _as_float64(net)
    x = np.asarray(inputs, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)

    def value() -> float:
        return LOSSES[loss](probe.query(x), t)

    rng = np.random.default_rng(seed)
    checks = []
    named = [(f"weights[{k}]", w, g) for k, (w, g) in enumerate(zip(probe.weights, weight_grads))]
    if bias_grads is not None:
        named += [(f"biases[{k}]", b, g) for k, (b, g) in enumerate(zip(probe.biases or (), bias_grads))]
    for name, w, g in named:
        flat = w.reshape(-1)  # a view: edits reach the network
        picked = np.arange(flat.size) if entries is None else rng.choice(
            flat.size, size=min(entries, flat.size), replace=False)
        numeric = np.empty(len(picked))
        for i, index in enumerate(picked):
            saved = flat[index]
            flat[index] = saved + h
            up = value()
            flat[index] = saved - h
            down = value()
            flat[index] = saved
            numeric[i] = (up - down) / (2 * h)
        checks.append(LayerCheck(g.reshape(-1)[picked].astype(np.float64), numeric, name))
    return checks
