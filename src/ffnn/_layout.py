"""The network's layers: their sizes from the constructor's arguments, and the
initial weights (in memory that can be addressed)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ffnn import _checks, serialize

# The initial weights' standard deviation, from a matrix's input and output
# node counts: the book's corrected code, and the printed book.
INITIAL_SPREAD: dict[str, Callable[[int, int], float]] = {
    "corrected": lambda n_in, n_out: n_in**-0.5,
    "printed": lambda n_in, n_out: n_out**-0.5,
}


def initial_spread(init) -> Callable[[int, int], float]:
    """The spread named by the constructor's ``init``."""
    if not isinstance(init, str) or init not in INITIAL_SPREAD:
        raise ValueError(f"init must be one of {sorted(INITIAL_SPREAD)}, got {init!r}")
    return INITIAL_SPREAD[init]


def layer_sizes(input_nodes, hidden_nodes, output_nodes) -> tuple[tuple[int, ...], bool]:
    """Node counts of every layer, input first, and whether the hidden ones were a sequence."""
    hidden, hidden_is_list = hidden_layers(hidden_nodes)
    sizes = (
        _checks.node_count(input_nodes, "input_nodes"),
        *hidden,
        _checks.node_count(output_nodes, "output_nodes"),
    )
    return sizes, hidden_is_list


def hidden_layers(hidden_nodes) -> tuple[list[int], bool]:
    """The hidden layer sizes, and whether they were given as a sequence."""
    if isinstance(hidden_nodes, np.ndarray) and hidden_nodes.ndim == 0:
        hidden_nodes = hidden_nodes.item()
    if isinstance(hidden_nodes, str) or not isinstance(hidden_nodes, (Sequence, np.ndarray)):
        return [_checks.node_count(hidden_nodes, "hidden_nodes")], False
    if isinstance(hidden_nodes, np.ndarray) and hidden_nodes.ndim != 1:
        raise ValueError(
            f"hidden_nodes must be an integer or a flat sequence of integers, "
            f"got an array of shape {hidden_nodes.shape}"
        )
    # A model file holds at most MAX_LAYERS weight matrices: refuse here
    # what save could write but load would refuse.
    if len(hidden_nodes) > serialize.MAX_LAYERS - 1:
        raise ValueError(
            f"hidden_nodes may list at most {serialize.MAX_LAYERS - 1} hidden layers, "
            f"got {len(hidden_nodes)}"
        )
    return [_checks.node_count(h, f"hidden_nodes[{i}]") for i, h in enumerate(hidden_nodes)], True


def initial_weights(sizes: tuple[int, ...], dtype: np.dtype, rng: np.random.Generator,
                    spread: Callable[[int, int], float]) -> list[np.ndarray]:
    """Weight matrix k, ``(sizes[k+1], sizes[k])``, drawn normal with mean 0 from ``rng``."""
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        check_allocatable(n_out, n_in, dtype)
        w = rng.normal(0.0, spread(n_in, n_out), size=(n_out, n_in))
        weights.append(np.ascontiguousarray(w, dtype=dtype))
    return weights


def initial_biases(weights: list[np.ndarray], bias) -> list[np.ndarray] | None:
    """The bias vectors a new network starts with: None, or zeros with ``bias=True``."""
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be True or False, not {type(bias).__name__}")
    # Zeros: the book has no bias to start from, and 0 starts every
    # layer exactly as the book's network does.
    return [np.zeros(len(w), dtype=w.dtype) for w in weights] if bias else None


def check_allocatable(rows: int, cols: int, dtype: np.dtype) -> None:
    """Refuse weight matrices whose byte size does not fit in memory's address space."""
    if rows * cols * dtype.itemsize > np.iinfo(np.intp).max:
        raise MemoryError(f"a {rows}x{cols} {dtype} weight matrix cannot be addressed")

