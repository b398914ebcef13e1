"""The NeuralNetwork class: the book's network, with its arithmetic in C."""
from __future__ import annotations

import copy
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Literal, overload

import numpy as np

from ffnn import _checks, _core, serialize, training
from ffnn.datasets import scale_inputs


# Multiply-adds per query call: a batch query is split into calls of about
# this many (a few tens of milliseconds), so that Ctrl-C is answered between them.
_QUERY_UPDATES = 1 << 25
# Samples per block of the C batch query; Python's blocks are multiples of it,
# so that they split the batch exactly where one call would.
_QUERY_BLOCK = 32
MAX_THREADS = _core.MAX_THREADS


class NeuralNetwork:
    """A fully connected sigmoid network trained one sample at a time.

    ``NeuralNetwork(input_nodes, hidden_nodes, output_nodes, learning_rate)``
    is the book's network; ``hidden_nodes`` may also be a sequence of layer
    sizes for several hidden layers (at most ``serialize.MAX_LAYERS - 1``, as
    many as a model file holds). Weight matrix k has shape
    ``(nodes of layer k+1, nodes of layer k)`` and starts normal with mean 0
    and standard deviation ``(nodes of layer k) ** -0.5``: the spread of the
    book's corrected code. ``init="printed"`` takes the printed book's
    instead, ``(nodes of layer k+1) ** -0.5`` (the nodes the matrix feeds).

    ``seed`` seeds the network's own generator, ``np.random.default_rng(seed)``,
    which draws the initial weights and then every shuffle of ``fit``: the
    same script with the same seed gives the same weights bit for bit.
    ``net.seed`` is the seed given (None if none). Copies and pickles carry
    the generator's state, so they go on drawing what the original would; a
    network read by ``load`` starts a fresh, unseeded generator.

    What inputs and targets mean, by type (the same in ``train``, ``query``,
    ``fit``, ``predict``, ``score``, ``gradients`` and ``backquery``):

    - uint8 arrays of inputs (or lists of them) are pixels 0..255, scaled
      the book's way (``datasets.scale_inputs``: ``x / 255 * 0.99 + 0.01``);
    - floating-point arrays, and Python lists and tuples of numbers (ints
      included), are real numbers used as given;
    - any other NumPy integer or bool array (int64 from
      ``np.loadtxt(dtype=int)``, int32, uint16, bool) is refused with a
      TypeError, as are uint8 targets: targets are never pixels;
    - labels (``fit``'s 1-D ``y``, ``score``'s ``labels``) are integers of any type.

    ``rule`` chooses how errors become weight steps: ``"book"`` (the
    default, the book's arithmetic exactly), ``"mse"`` (the exact gradient of
    the squared error at every layer) or ``"cross_entropy"`` (the exact
    gradient of the binary cross-entropy).

    ``threads`` (default 1, at most ``MAX_THREADS``, 64) is how many threads
    ``fit`` and ``query`` use: each large layer's rows are split between
    them, and the results are bitwise identical to one thread's.

    ``bias=True`` gives every non-input layer bias nodes (``net.biases``, one
    vector per weight matrix, starting at 0): layer k computes
    ``sigmoid(W h + b)``, and every rule moves ``b`` as a weight whose input
    is always 1 (see docs/bias.md). The book has none; without them
    (the default) every result is the book's, bit for bit.
    """

    def __init__(
        self,
        input_nodes: int,
        hidden_nodes: int | Sequence[int],
        output_nodes: int,
        learning_rate: float,
        *,
        dtype=np.float64,
        seed=None,
        rule: str = "book",
        threads: int = 1,
        bias: bool = False,
        init: str = "corrected",
    ) -> None:
        if not isinstance(init, str) or init not in _INITIAL_SPREAD:
            raise ValueError(f"init must be one of {sorted(_INITIAL_SPREAD)}, got {init!r}")
        hidden, self._hidden_is_list = _hidden_layers(hidden_nodes)
        sizes = (
            _checks.node_count(input_nodes, "input_nodes"),
            *hidden,
            _checks.node_count(output_nodes, "output_nodes"),
        )
        self._dtype = _checks.float_dtype(dtype)
        self.learning_rate = learning_rate
        self.rule = rule
        self._lock = _new_lock(self)
        self.threads = threads
        self._seed, self._rng = seed, training.generator(seed)
        weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            _check_allocatable(n_out, n_in, self._dtype)
            w = self._rng.normal(0.0, _INITIAL_SPREAD[init](n_in, n_out), size=(n_out, n_in))
            weights.append(np.ascontiguousarray(w, dtype=self._dtype))
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False, not {type(bias).__name__}")
        # Zeros: the book has no bias to start from, and 0 starts every
        # layer exactly as the book's network does.
        biases = [np.zeros(len(w), dtype=self._dtype) for w in weights] if bias else None
        self._bind(weights, biases)

    # ---- structure ---------------------------------------------------------

    @property
    def dtype(self) -> np.dtype:
        """float32 or float64: the type of the weights and of every result."""
        return self._dtype

    @property
    def sizes(self) -> tuple[int, ...]:
        """Node counts of every layer, input first."""
        return self._sizes

    @property
    def seed(self):
        """The seed given to the constructor, None if none was; see the class docstring."""
        return self._seed

    @property
    def inodes(self) -> int:
        return self.sizes[0]

    @property
    def hnodes(self) -> int | list[int]:
        hidden = list(self.sizes[1:-1])
        return hidden if self._hidden_is_list else hidden[0]

    @property
    def onodes(self) -> int:
        return self.sizes[-1]

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        # Plain assignment, so a change made while fit runs takes effect in
        # the next epoch.
        self._learning_rate = _checks.learning_rate(value, self._dtype)

    lr = learning_rate

    @property
    def rule(self) -> str:
        """The update rule: "book", "mse" or "cross_entropy"."""
        return self._rule

    @rule.setter
    def rule(self, value: str) -> None:
        if value not in _core.RULES:
            raise ValueError(f"rule must be one of {sorted(_core.RULES)}, got {value!r}")
        self._rule = value

    @property
    def threads(self) -> int:
        """Threads used by fit and by batch queries; the results do not depend on it."""
        return self._pool.threads

    @threads.setter
    def threads(self, value: int) -> None:
        count = _checks.node_count(value, "threads")
        if count > MAX_THREADS:
            raise ValueError(f"threads must be at most {MAX_THREADS}, got {count}")
        with self._lock:
            self._pool = _core.Pool(count)

    @property
    def bias(self) -> bool:
        """Whether the network has bias nodes (``NeuralNetwork(..., bias=True)``)."""
        return self._biases is not None

    # ---- weights -----------------------------------------------------------

    @property
    def weights(self) -> tuple[np.ndarray, ...]:
        """The weight matrices, input side first; edit them in place or assign all.

        Assignment takes the network's lock, so it waits for a running
        ``train`` or ``fit`` epoch; in-place edits do not, so make them only
        while no other thread trains this network.
        """
        return self._weights

    @weights.setter
    def weights(self, matrices) -> None:
        matrices = list(matrices)
        if len(matrices) != len(self._weights):
            raise ValueError(f"expected {len(self._weights)} weight matrices, got {len(matrices)}")
        checked = [
            _checks.matrix(m, old.shape, self._dtype, f"weights[{k}]")
            for k, (m, old) in enumerate(zip(matrices, self._weights))
        ]
        with self._lock:
            # Copies, so the network never shares memory with the caller's arrays.
            self._bind([np.array(m, copy=True) for m in checked], self._biases)

    def _set_weight(self, k: int, matrix, name: str) -> None:
        checked = _checks.matrix(matrix, self._weights[k].shape, self._dtype, name)
        with self._lock:
            weights = list(self._weights)
            weights[k] = np.array(checked, copy=True)
            self._bind(weights, self._biases)

    @property
    def biases(self) -> tuple[np.ndarray, ...] | None:
        """The bias vectors, one per weight matrix (its rows' length), or None without bias nodes.

        Edit them in place or assign all (finite values, the same shapes),
        under the same rules as ``weights``.
        """
        return self._biases

    @biases.setter
    def biases(self, vectors) -> None:
        if self._biases is None:
            raise ValueError("this network has no bias nodes; make one with NeuralNetwork(..., bias=True)")
        vectors = list(vectors)
        if len(vectors) != len(self._biases):
            raise ValueError(f"expected {len(self._biases)} bias vectors, got {len(vectors)}")
        checked = [
            _checks.vector(v, len(old), self._dtype, f"biases[{k}]")
            for k, (v, old) in enumerate(zip(vectors, self._biases))
        ]
        with self._lock:
            self._bind(list(self._weights), [np.array(v, copy=True) for v in checked])

    @property
    def wih(self) -> np.ndarray:
        """Input-to-hidden weights (the first matrix), as in the book."""
        self._need_hidden("wih")
        return self._weights[0]

    @wih.setter
    def wih(self, matrix) -> None:
        self._need_hidden("wih")
        self._set_weight(0, matrix, "wih")

    @property
    def who(self) -> np.ndarray:
        """Hidden-to-output weights (the last matrix), as in the book."""
        self._need_hidden("who")
        return self._weights[-1]

    @who.setter
    def who(self, matrix) -> None:
        self._need_hidden("who")
        self._set_weight(len(self._weights) - 1, matrix, "who")

    def _need_hidden(self, name: str) -> None:
        if len(self._weights) < 2:
            raise AttributeError(f"{name} needs a hidden layer; use weights[0]")

    def _bind(self, weights: list[np.ndarray], biases: list[np.ndarray] | tuple[np.ndarray, ...] | None) -> None:
        self._layers = _core.Layers([_cache_aligned(w) for w in weights], biases)
        self._sizes = self._layers.sizes
        self._weights = self._layers.arrays
        self._biases = self._layers.bias_arrays
        self._n_weights = sum(w.size for w in weights)
        self._work = np.empty(self._layers.work_size, dtype=self._dtype)

    # ---- the book's three operations --------------------------------------

    def train(self, inputs, targets) -> float:
        """One back-propagation step on one sample, by the network's ``rule``.

        The book's rule, for each layer, output o, input h and error e
        (``targets - o`` at the output, ``W.T @ e`` of the layer above
        otherwise): ``W += lr * (e * o * (1 - o)) outer h``; "mse" and
        "cross_entropy" step along their loss's gradient (see ``gradients``).
        With bias nodes, ``b += lr * (e * o * (1 - o))`` as well (the
        rule's delta), and the errors sent down are still ``W.T @ e``.
        Returns the squared error ``sum((targets - o) ** 2)`` of the sample
        before the update.

        Raises ValueError for NaN or infinite inputs or targets (before any
        update) and FloatingPointError if the weights are NaN or infinite, or
        so large that the weighted sums overflow.
        """
        # The core checks finiteness itself, in the same pass that reads them.
        x = _checks.vector(self._inputs(inputs, "inputs"), self.sizes[0], self._dtype, "inputs", finite=False)
        t = _checks.vector(_targets(targets, "targets"), self.sizes[-1], self._dtype, "targets", finite=False)
        with self._lock:
            loss = float(
                _core.train_step(
                    self._layers, x, t, self._learning_rate, _core.RULES[self._rule], self._work
                )
            )
        if loss != loss:
            raise FloatingPointError(training.not_finite_message(self._learning_rate))
        return loss

    def fit(
        self,
        X,
        y,
        epochs: int = 1,
        *,
        shuffle: bool = True,
        seed=None,
        callback: Callable[[int, dict], object] | None = None,
        validation: tuple | None = None,
        augment: dict | None = None,
        progress: bool = False,
        patience: int | None = None,
    ) -> dict:
        """Train on every sample of ``X`` for ``epochs`` passes, in C.

        ``X`` is ``(n, input_nodes)``: uint8 pixels (scaled on the fly as the
        book does) or real numbers used as given (see the class docstring).
        ``y`` is integer labels (targets 0.99 for the label's node, 0.01
        elsewhere) or a ``(n, output_nodes)`` floating-point target matrix.
        Samples are visited in a fresh random order each epoch, drawn from
        the network's generator (see ``seed`` in the class docstring), or
        from ``np.random.default_rng(seed)`` for this call if ``seed`` is
        given, unless ``shuffle`` is False. ``validation=(X_val, labels_val)``
        adds each epoch's accuracy to the history; ``callback(epoch, history)``
        runs after each epoch. With ``patience=k`` too, training stops early
        after k epochs in a row without a better validation accuracy, and
        the network is given back the weights of its best epoch (the first
        of equals), whether it stopped early or not; ``history["best_epoch"]``
        says which epoch that was (1 for the first). ``augment={"rotate": θ}`` trains as the book's
        part 3 does: each image, then the image rotated by +θ degrees, then by
        −θ (bilinear, background 0.01), rotated a chunk at a time in C.

        ``progress=True`` shows a ``tqdm.auto`` bar over every sample of every
        epoch, moving several times a second, with the epoch's running sum of
        squared errors per sample (``sse``);
        print from ``callback`` with ``tqdm.write`` to keep lines above it.
        It needs tqdm (``pip install 'ffnn[progress]'``) and changes no result.

        Returns the history: ``"sum_squared_error"``, each epoch's mean over
        its samples of ``sum((targets - outputs) ** 2)`` (summed over the
        output nodes, taken before each sample's update); ``"loss"``, the
        same values under the name earlier versions used; ``"val_accuracy"``
        with ``validation``.

        Every argument is checked before training starts. Ctrl-C raises
        KeyboardInterrupt within milliseconds and leaves the weights as they
        were after the last completed sample. FloatingPointError is raised as
        soon as the weights are found NaN or infinite.
        """
        return training.fit(
            self, X, y, epochs, shuffle=shuffle, seed=seed, callback=callback, validation=validation,
            augment=augment, progress=progress, patience=patience,
        )

    def _parameters(self) -> tuple[np.ndarray, ...]:
        """Every weight matrix and bias vector."""
        return self._weights + (self._biases or ())

    def predict(self, X) -> np.ndarray:
        """The index of the largest output for each row of ``X`` (pixels or inputs)."""
        return self._query(X, "X").argmax(axis=-1)

    def score(self, X, labels) -> float:
        """The fraction of rows of ``X`` whose prediction equals the label."""
        X = _checks.rows(self._inputs(X, "X"), self.sizes[0], self._dtype, "X")
        labels = _checks.labels(labels, len(X), self.sizes[-1], "labels")
        return float(np.mean(self.predict(X) == labels))

    def _inputs(self, values, name: str):
        """uint8 pixels scaled the book's way; other inputs as given, integer arrays refused."""
        arr, is_pixels = _checks.samples(values, name, pixels=True)
        return scale_inputs(arr, self._dtype) if is_pixels else arr

    def query(self, inputs) -> np.ndarray:
        """Outputs for one sample (1-D) or for each row of a 2-D array.

        A large batch is computed in blocks of some milliseconds each, so
        that Ctrl-C stops it quickly; the results are those of one block.
        """
        return self._query(inputs, "inputs")

    def _query(self, inputs, name: str) -> np.ndarray:
        x = _checks.real_array(self._inputs(inputs, name), self._dtype, name)
        if x.ndim not in (1, 2) or x.size == 0 or x.shape[-1] != self.sizes[0]:
            raise ValueError(
                f"{name} must have shape ({self.sizes[0]},) or (n, {self.sizes[0]}) with n >= 1, "
                f"got {x.shape}"
            )
        batch = x.reshape(-1, self.sizes[0])
        out = np.empty((batch.shape[0], self.sizes[-1]), dtype=self._dtype)
        threads = self._pool.threads
        rows = max(1, _QUERY_UPDATES // self._n_weights) * threads
        rows += -rows % _QUERY_BLOCK
        if threads == 1:
            work = np.empty(self._layers.work_size, dtype=self._dtype)
            for start in range(0, len(batch), rows):
                _core.query(self._layers, batch[start:start + rows], out[start:start + rows], work)
        else:
            # A pool runs one call at a time.
            with self._lock:
                work = np.empty(self._layers.work_size * threads, dtype=self._dtype)
                for start in range(0, len(batch), rows):
                    _core.query(
                        self._layers, batch[start:start + rows], out[start:start + rows], work,
                        self._pool,
                    )
        return out[0] if x.ndim == 1 else out

    def backquery(self, targets) -> np.ndarray:
        """The input image the network associates with the given outputs.

        The book's backwards pass: the inverse sigmoid of the targets is sent
        back through each ``W.T``; every layer's signal is rescaled to
        0.01 .. 0.99 before the next inverse sigmoid. With bias nodes each
        layer's bias is taken off first: ``h = W.T @ (logit(o) - b)``, then the
        book's rescaling. Targets must lie strictly between 0 and 1.
        """
        t = _checks.vector(_targets(targets, "targets"), self.sizes[-1], self._dtype, "targets")
        if not ((t > 0) & (t < 1)).all():
            raise ValueError("targets must lie strictly between 0 and 1 to be back-queried")
        image = np.empty(self.sizes[0], dtype=self._dtype)
        work = np.empty(self._layers.work_size, dtype=self._dtype)
        _core.backquery(self._layers, t, image, work)
        return image

    @overload
    def gradients(self, inputs, targets, *, biases: Literal[False] = ...) -> tuple[np.ndarray, ...]: ...

    @overload
    def gradients(
        self, inputs, targets, *, biases: Literal[True]
    ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...] | None]: ...

    def gradients(self, inputs, targets, *, biases: bool = False) -> Any:
        """The gradient of the rule's loss for every weight matrix, input side first.

        With ``biases=True`` the result is a pair: that tuple, and a tuple of
        the bias vectors' gradients (None for a network without bias nodes,
        as ``net.biases`` is).

        ``inputs`` and ``targets`` are one sample (1-D) or one per row (2-D);
        rows' gradients are summed. With outputs ``o``:

        - ``"mse"``: ``dE/dW`` for ``E = sum((t - o) ** 2)``, the 2 included,
          so ``train`` moves the weights by ``-(lr / 2)`` times it;
        - ``"cross_entropy"``: ``dE/dW`` for
          ``E = -sum(t * log(o) + (1 - t) * log(1 - o))``; ``train`` moves by
          ``-lr`` times it;
        - ``"book"``: the direction of the book's step, ``-(step) / lr``. It is
          the gradient of no loss: the output layer's is half the MSE gradient,
          the layer below it has the cross-entropy gradient (so with one
          hidden layer, every hidden layer does), layers further down neither.

        The weights are not changed. ``ffnn.gradcheck`` holds these against
        finite differences.
        """
        x = _checks.real_array(self._inputs(inputs, "inputs"), self._dtype, "inputs")
        t = _checks.real_array(_targets(targets, "targets"), self._dtype, "targets")
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if x.ndim not in (1, 2) or x.shape[-1] != n_in or x.size == 0:
            raise ValueError(f"inputs must have shape ({n_in},) or (n, {n_in}), got {x.shape}")
        if t.shape != x.shape[:-1] + (n_out,):
            raise ValueError(f"targets must have shape {x.shape[:-1] + (n_out,)}, got {t.shape}")
        if not isinstance(biases, (bool, np.bool_)):
            raise TypeError(f"biases must be True or False, not {type(biases).__name__}")
        grads = [np.empty_like(w) for w in self._weights]
        bias_grads = None if self._biases is None else [np.empty_like(b) for b in self._biases]
        work = np.empty(self._layers.work_size, dtype=self._dtype)
        with self._lock:
            _core.gradients(
                self._layers, _core.RULES[self._rule], x.reshape(-1, n_in), t.reshape(-1, n_out),
                _core.Layers(grads, bias_grads), work,
            )
        if not biases:
            return tuple(grads)
        return tuple(grads), None if bias_grads is None else tuple(bias_grads)

    # ---- Python protocol ---------------------------------------------------

    def __repr__(self) -> str:
        rule = "" if self._rule == "book" else f", rule={self._rule!r}"
        bias = ", bias=True" if self.bias else ""
        return (
            f"NeuralNetwork({self.sizes[0]}, {self.hnodes!r}, {self.sizes[-1]}, "
            f"{self._learning_rate!r}, dtype={self._dtype.name}{rule}{bias})"
        )

    def __eq__(self, other) -> bool:
        """Same layer sizes, dtype, weights and biases (np.array_equal on each array)."""
        if not isinstance(other, NeuralNetwork):
            return NotImplemented
        return (
            self.sizes == other.sizes
            and self._dtype == other._dtype
            and self.bias == other.bias
            and all(np.array_equal(a, b) for a, b in zip(self._parameters(), other._parameters()))
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: its weights change with every train()

    def save(self, path) -> None:
        """Write the network to a ``.npz`` file (format in ffnn.serialize), atomically."""
        serialize.save(self.__getstate__(), path)

    @classmethod
    def load(cls, path) -> NeuralNetwork:
        """The network saved in ``path``; ValueError if the file is not a valid model.

        The file holds no generator: the network's ``seed`` is None and its
        shuffles come from a fresh, unseeded generator.
        """
        state = serialize.load(path)
        net = cls.__new__(cls)
        try:
            net.__setstate__(state)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{serialize.file_path(path)}: {exc}") from None
        return net

    def copy(self) -> NeuralNetwork:
        """An independent network with the same sizes, learning rate, weights and generator state."""
        clone = self.__class__.__new__(self.__class__)
        clone.__setstate__(self.__getstate__())
        return clone

    def __getstate__(self) -> dict:
        with self._lock:
            return {
                "learning_rate": self._learning_rate,
                "rule": self._rule,
                "dtype": self._dtype.name,
                "hidden_is_list": self._hidden_is_list,
                "weights": [w.copy() for w in self._weights],
                "biases": None if self._biases is None else [b.copy() for b in self._biases],
                "threads": self._pool.threads,
                "seed": self._seed,
                # A copy of the generator, so that a copy or an unpickled
                # network draws the same shuffles as the original would.
                "rng": copy.deepcopy(self._rng),
            }

    def __setstate__(self, state: dict) -> None:
        self._dtype = _checks.float_dtype(state["dtype"])
        self._learning_rate = _checks.learning_rate(state["learning_rate"], self._dtype)
        self.rule = state.get("rule", "book")
        self._hidden_is_list = bool(state["hidden_is_list"])
        self._lock = _new_lock(self)
        self.threads = state.get("threads", 1)
        self._seed = state.get("seed")
        rng = state.get("rng")
        self._rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng()
        weights = [np.array(w, dtype=self._dtype, order="C", copy=True) for w in state["weights"]]
        biases = state.get("biases")
        if biases is not None:
            biases = [np.array(b, dtype=self._dtype, order="C", copy=True) for b in biases]
        self._bind(weights, biases)


def _hidden_layers(hidden_nodes) -> tuple[list[int], bool]:
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


def _targets(values, name: str):
    """Targets as an array; integer arrays, pixels included, refused (class docstring)."""
    return _checks.samples(values, name, pixels=False)[0]


# The initial weights' standard deviation, from a matrix's input and output
# node counts: the book's corrected code, and the printed book.
_INITIAL_SPREAD = {
    "corrected": lambda n_in, n_out: n_in**-0.5,
    "printed": lambda n_in, n_out: n_out**-0.5,
}


# Every live network by id. A thread of the parent may hold a network's lock
# (in fit, say) when the process forks; the child has no such thread, so its
# networks get fresh locks instead of ones that can never be released.
_NETWORKS: weakref.WeakValueDictionary[int, NeuralNetwork] = weakref.WeakValueDictionary()


def _new_lock(net: NeuralNetwork) -> threading.RLock:
    _NETWORKS[id(net)] = net
    return threading.RLock()


def _renew_locks_after_fork() -> None:
    for net in list(_NETWORKS.values()):
        net._lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_locks_after_fork)


def _check_allocatable(rows: int, cols: int, dtype: np.dtype) -> None:
    """Refuse weight matrices whose byte size does not fit in memory's address space."""
    if rows * cols * dtype.itemsize > np.iinfo(np.intp).max:
        raise MemoryError(f"a {rows}x{cols} {dtype} weight matrix cannot be addressed")


def _cache_aligned(matrix: np.ndarray) -> np.ndarray:
    """matrix itself if its data starts on a 64-byte cache line, else such a copy.

    The kernels read and write each weight row in whole SIMD vectors; rows
    that start mid-line cost a second cache access per vector.
    """
    if matrix.ctypes.data % 64 == 0:
        return matrix
    raw = np.empty(matrix.nbytes + 64, dtype=np.uint8)
    start = -raw.ctypes.data % 64
    aligned = raw[start : start + matrix.nbytes].view(matrix.dtype).reshape(matrix.shape)
    aligned[...] = matrix
    return aligned
