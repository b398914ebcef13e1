"""A network as a state dict and back: what copies, pickles and model files hold, and
the equality and repr that compare and show it."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from ffnn import _checks, _core_calls, _locks, serialize

if TYPE_CHECKING:
    from ffnn.network import NeuralNetwork

Net = TypeVar("Net", bound="NeuralNetwork")


def get_state(net: NeuralNetwork) -> dict:
    """``net.__getstate__()``: copies of everything, taken under the network's lock."""
    with net._lock:
        return {
            "learning_rate": net._learning_rate,
            "rule": net._rule,
            "dtype": net._dtype.name,
            "hidden_is_list": net._hidden_is_list,
            "weights": [w.copy() for w in net._weights],
            "biases": None if net._biases is None else [b.copy() for b in net._biases],
            "threads": net._threads,
            "share": net._share,
            "seed": net._seed,
            # A copy of the generator, so that a copy or an unpickled
            # network draws the same shuffles as the original would.
            "rng": copy.deepcopy(net._rng),
        }


def set_state(net: NeuralNetwork, state: dict) -> None:
    """``net.__setstate__(state)``: every value checked; a state without a generator gets a fresh one."""
    net._dtype = _checks.float_dtype(state["dtype"])
    net._learning_rate = _checks.learning_rate(state["learning_rate"], net._dtype)
    net.rule = state.get("rule", "book")
    net._hidden_is_list = bool(state["hidden_is_list"])
    net._lock = _locks.new_lock(net)
    net._share = _checks.share_policy(state.get("share", "adaptive"))
    net.threads = state.get("threads", 1)
    net._seed = state.get("seed")
    rng = state.get("rng")
    net._rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng()
    weights = [np.array(w, dtype=net._dtype, order="C", copy=True) for w in state["weights"]]
    biases = state.get("biases")
    if biases is not None:
        biases = [np.array(b, dtype=net._dtype, order="C", copy=True) for b in biases]
    _core_calls.bind(net, weights, biases)


def load(cls: type[Net], path) -> Net:
    """``cls.load(path)``: the network in a model file; ValueError, naming the file, if invalid."""
    state = serialize.load(path)
    net = cls.__new__(cls)
    try:
        net.__setstate__(state)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{serialize.file_path(path)}: {exc}") from None
    return net


def copy_of(net: Net) -> Net:
    """``net.copy()``: a new network of the same class from ``net``'s state."""
    clone = net.__class__.__new__(net.__class__)
    clone.__setstate__(net.__getstate__())
    return clone


def equal(a: NeuralNetwork, b: NeuralNetwork) -> bool:
    """Same layer sizes, dtype, bias nodes, and every weight and bias array equal."""
    return (
        a.sizes == b.sizes
        and a._dtype == b._dtype
        and a.bias == b.bias
        and all(np.array_equal(x, y) for x, y in zip(a._parameters(), b._parameters()))
    )


def describe(net: NeuralNetwork) -> str:
    """``repr(net)``: the constructor call that makes a network of this shape."""
    rule = "" if net._rule == "book" else f", rule={net._rule!r}"
    bias = ", bias=True" if net.bias else ""
    return (
        f"NeuralNetwork({net.sizes[0]}, {net.hnodes!r}, {net.sizes[-1]}, "
        f"{net._learning_rate!r}, dtype={net._dtype.name}{rule}{bias})"
    )
