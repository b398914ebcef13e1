"""The NeuralNetwork class: the book's network, with its arithmetic in C."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

import numpy as np

from ffnn import _checks, _core, augment as _augment, serialize
from ffnn.datasets import scale_inputs


# Training images rotated at a time by fit(augment=...): small enough to stay
# in cache, large enough that Python's share of the time is negligible.
_ROTATION_CHUNK = 256


class NeuralNetwork:
    """A fully connected sigmoid network trained one sample at a time.

    ``NeuralNetwork(input_nodes, hidden_nodes, output_nodes, learning_rate)``
    is the book's network; ``hidden_nodes`` may also be a sequence of layer
    sizes for several hidden layers. Weight matrix k has shape
    ``(nodes of layer k+1, nodes of layer k)`` and starts normal with mean 0
    and standard deviation ``(nodes of layer k) ** -0.5``, drawn from
    ``np.random.default_rng(seed)``.

    ``rule`` chooses how errors become weight steps: ``"book"`` (the
    default, the book's arithmetic exactly), ``"mse"`` (the exact gradient of
    the squared error at every layer) or ``"cross_entropy"`` (the exact
    gradient of the binary cross-entropy).

    ``threads`` (default 1) is how many threads ``fit`` and ``query`` use:
    each large layer's rows are split between them, and the results are
    bitwise identical to one thread's.
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
    ) -> None:
        if isinstance(hidden_nodes, (Sequence, np.ndarray)) and not isinstance(hidden_nodes, str):
            hidden = [_checks.node_count(h, f"hidden_nodes[{i}]") for i, h in enumerate(hidden_nodes)]
            self._hidden_is_list = True
        else:
            hidden = [_checks.node_count(hidden_nodes, "hidden_nodes")]
            self._hidden_is_list = False
        sizes = (
            _checks.node_count(input_nodes, "input_nodes"),
            *hidden,
            _checks.node_count(output_nodes, "output_nodes"),
        )
        self._dtype = _checks.float_dtype(dtype)
        self.learning_rate = learning_rate
        self.rule = rule
        self._lock = threading.RLock()
        self.threads = threads
        rng = np.random.default_rng(seed)
        weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            _check_allocatable(n_out, n_in, self._dtype)
            w = rng.normal(0.0, n_in**-0.5, size=(n_out, n_in))
            weights.append(np.ascontiguousarray(w, dtype=self._dtype))
        self._bind(weights)

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
        with self._lock:
            self._pool = _core.Pool(count)

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
            self._bind([np.array(m, copy=True) for m in checked])

    def _set_weight(self, k: int, matrix, name: str) -> None:
        checked = _checks.matrix(matrix, self._weights[k].shape, self._dtype, name)
        with self._lock:
            weights = list(self._weights)
            weights[k] = np.array(checked, copy=True)
            self._bind(weights)

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

    def _bind(self, weights: list[np.ndarray]) -> None:
        self._layers = _core.Layers([_cache_aligned(w) for w in weights])
        self._sizes = self._layers.sizes
        self._weights = self._layers.arrays
        self._work = np.empty(self._layers.work_size, dtype=self._dtype)

    # ---- the book's three operations --------------------------------------

    def train(self, inputs, targets) -> float:
        """One back-propagation step on one sample, by the network's ``rule``.

        The book's rule, for each layer, output o, input h and error e
        (``targets - o`` at the output, ``W.T @ e`` of the layer above
        otherwise): ``W += lr * (e * o * (1 - o)) outer h``; "mse" and
        "cross_entropy" step along their loss's gradient (see ``gradients``).
        Returns the squared error ``sum((targets - o) ** 2)`` of the sample
        before the update.

        Raises ValueError for NaN or infinite inputs or targets (before any
        update) and FloatingPointError if the weights are NaN or infinite, or
        so large that the weighted sums overflow.
        """
        # The core checks finiteness itself, in the same pass that reads them.
        x = _checks.vector(inputs, self.sizes[0], self._dtype, "inputs", finite=False)
        t = _checks.vector(targets, self.sizes[-1], self._dtype, "targets", finite=False)
        with self._lock:
            loss = float(
                _core.train_step(
                    self._layers, x, t, self._learning_rate, _core.RULES[self._rule], self._work
                )
            )
        if loss != loss:
            raise FloatingPointError(_not_finite_message(self._learning_rate))
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
    ) -> dict[str, list[float]]:
        """Train on every sample of ``X`` for ``epochs`` passes, in C.

        ``X`` is ``(n, input_nodes)``: uint8 pixels (0..255, scaled on the fly
        as the book does, ``x / 255 * 0.99 + 0.01``) or real numbers used as
        given. ``y`` is integer labels (targets 0.99 for the label's node, 0.01
        elsewhere) or a ``(n, output_nodes)`` target matrix. Samples are visited
        in a fresh random order each epoch (``np.random.default_rng(seed)``)
        unless ``shuffle`` is False. ``validation=(X_val, labels_val)`` adds
        each epoch's accuracy to the history; ``callback(epoch, history)``
        runs after each epoch. ``augment={"rotate": θ}`` trains as the book's
        part 3 does: each image, then the image rotated by +θ degrees, then by
        −θ (bilinear, background 0.01), rotated a chunk at a time in C.

        Returns the history: ``{"loss": [...]}`` with each epoch's mean squared
        error (before each sample's update), plus ``"val_accuracy"``.

        Every argument is checked before training starts. Ctrl-C raises
        KeyboardInterrupt within milliseconds and leaves the weights as they
        were after the last completed sample. FloatingPointError is raised as
        soon as the weights are found NaN or infinite.
        """
        pixels, inputs, targets, labels = self._training_data(X, y)
        n = len(pixels if pixels is not None else inputs)
        epochs = _checks.node_count(epochs, "epochs")
        rotations = _augment.parse(augment, self.sizes[0], self._dtype)
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        if validation is not None:
            validation = self._validation_data(validation)
        rng = np.random.default_rng(seed)
        history: dict[str, list[float]] = {"loss": []}
        if validation is not None:
            history["val_accuracy"] = []
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n) if shuffle else np.arange(n)
            if rotations is not None:
                total = self._train_rotated(rotations, pixels, inputs, targets, labels, order)
            else:
                with self._lock:
                    total = _core.train_samples(
                        self._layers, self._learning_rate, _core.RULES[self._rule], pixels, inputs,
                        targets, labels, order.astype(np.int64), self._work, self._pool,
                    )
            history["loss"].append(total / (n * (rotations.copies if rotations else 1)))
            # A NaN total stopped the epoch early; the last update may also
            # have overflowed, which only a look at every weight can tell.
            if total != total or not all(_core.all_finite(w.reshape(-1)) for w in self._weights):
                raise FloatingPointError(
                    f"in epoch {epoch}: {_not_finite_message(self._learning_rate)}"
                )
            if validation is not None:
                history["val_accuracy"].append(self.score(*validation))
            if callback is not None:
                callback(epoch, history)
        return history

    def _train_rotated(self, rotations, pixels, inputs, targets, labels, order) -> float:
        """One epoch in the book's augmented order, a chunk of samples at a time.

        Only a chunk's rotated copies exist at once, never the whole rotated set.
        """
        total = 0.0
        repeat = rotations.copies
        with self._lock:
            for start in range(0, len(order), _ROTATION_CHUNK):
                rows = order[start:start + _ROTATION_CHUNK]
                x = inputs[rows] if inputs is not None else scale_inputs(pixels[rows], self._dtype)
                total += _core.train_samples(
                    self._layers, self._learning_rate, _core.RULES[self._rule], None,
                    rotations.expand(x),
                    None if targets is None else np.repeat(targets[rows], repeat, axis=0),
                    None if labels is None else np.repeat(labels[rows], repeat),
                    np.arange(len(rows) * repeat, dtype=np.int64), self._work, self._pool,
                )
                if total != total:  # non-finite weights: fit reports it
                    break
        return total

    def _training_data(self, X, y):
        """(pixels, inputs, targets, labels) for the C loop; two of them are None."""
        n_in, n_out = self.sizes[0], self.sizes[-1]
        X_arr = np.asarray(X)
        if X_arr.dtype == np.uint8:
            if X_arr.ndim != 2 or X_arr.shape[0] == 0 or X_arr.shape[1] != n_in:
                raise ValueError(f"X must have shape (n, {n_in}) with n >= 1, got {X_arr.shape}")
            pixels, inputs = np.ascontiguousarray(X_arr), None
        else:
            pixels, inputs = None, _checks.rows(X_arr, n_in, self._dtype, "X")
        n = len(X_arr)
        y_arr = np.asarray(y)
        if y_arr.ndim == 1:
            return pixels, inputs, None, _checks.labels(y_arr, n, n_out, "y")
        targets = _checks.matrix(y_arr, (n, n_out), self._dtype, "y")
        return pixels, inputs, targets, None

    def _validation_data(self, validation) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, labels) checked up front, so that no epoch is lost to a typo."""
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError("validation must be a pair (X_val, labels_val)")
        X_val = _checks.rows(self._as_inputs(validation[0]), self.sizes[0], self._dtype, "X_val")
        return X_val, _checks.labels(validation[1], len(X_val), self.sizes[-1], "labels_val")

    def predict(self, X) -> np.ndarray:
        """The index of the largest output for each row of ``X`` (pixels or inputs)."""
        return self.query(self._as_inputs(X)).argmax(axis=-1)

    def score(self, X, labels) -> float:
        """The fraction of rows of ``X`` whose prediction equals the label."""
        X = _checks.rows(self._as_inputs(X), self.sizes[0], self._dtype, "X")
        labels = _checks.labels(labels, len(X), self.sizes[-1], "labels")
        return float(np.mean(self.predict(X) == labels))

    def _as_inputs(self, X):
        """uint8 pixels scaled the book's way; anything else as given."""
        X = np.asarray(X)
        return scale_inputs(X, self._dtype) if X.dtype == np.uint8 else X

    def query(self, inputs) -> np.ndarray:
        """Outputs for one sample (1-D) or for each row of a 2-D array."""
        x = _checks.real_array(inputs, self._dtype, "inputs")
        if x.ndim not in (1, 2) or x.size == 0 or x.shape[-1] != self.sizes[0]:
            raise ValueError(
                f"inputs must have shape ({self.sizes[0]},) or (n, {self.sizes[0]}) with n >= 1, "
                f"got {x.shape}"
            )
        batch = x.reshape(-1, self.sizes[0])
        out = np.empty((batch.shape[0], self.sizes[-1]), dtype=self._dtype)
        if self._pool.threads == 1:
            work = np.empty(self._layers.work_size, dtype=self._dtype)
            _core.query(self._layers, batch, out, work)
        else:
            # A pool runs one call at a time.
            with self._lock:
                work = np.empty(self._layers.work_size * self._pool.threads, dtype=self._dtype)
                _core.query(self._layers, batch, out, work, self._pool)
        return out[0] if x.ndim == 1 else out

    def backquery(self, targets) -> np.ndarray:
        """The input image the network associates with the given outputs.

        The book's backwards pass: the inverse sigmoid of the targets is sent
        back through each ``W.T``; every layer's signal is rescaled to
        0.01 .. 0.99 before the next inverse sigmoid. Targets must lie
        strictly between 0 and 1.
        """
        t = _checks.vector(targets, self.sizes[-1], self._dtype, "targets")
        if not ((t > 0) & (t < 1)).all():
            raise ValueError("targets must lie strictly between 0 and 1 to be back-queried")
        image = np.empty(self.sizes[0], dtype=self._dtype)
        work = np.empty(self._layers.work_size, dtype=self._dtype)
        _core.backquery(self._layers, t, image, work)
        return image

    def gradients(self, inputs, targets) -> tuple[np.ndarray, ...]:
        """The gradient of the rule's loss for every weight matrix, input side first.

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
        x = _checks.real_array(inputs, self._dtype, "inputs")
        t = _checks.real_array(targets, self._dtype, "targets")
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if x.ndim not in (1, 2) or x.shape[-1] != n_in or x.size == 0:
            raise ValueError(f"inputs must have shape ({n_in},) or (n, {n_in}), got {x.shape}")
        if t.shape != x.shape[:-1] + (n_out,):
            raise ValueError(f"targets must have shape {x.shape[:-1] + (n_out,)}, got {t.shape}")
        grads = [np.empty_like(w) for w in self._weights]
        work = np.empty(self._layers.work_size, dtype=self._dtype)
        with self._lock:
            _core.gradients(
                self._layers, _core.RULES[self._rule], x.reshape(-1, n_in), t.reshape(-1, n_out),
                _core.Layers(grads), work,
            )
        return tuple(grads)

    # ---- Python protocol ---------------------------------------------------

    def __repr__(self) -> str:
        rule = "" if self._rule == "book" else f", rule={self._rule!r}"
        return (
            f"NeuralNetwork({self.sizes[0]}, {self.hnodes!r}, {self.sizes[-1]}, "
            f"{self._learning_rate!r}, dtype={self._dtype.name}{rule})"
        )

    def __eq__(self, other) -> bool:
        """Same layer sizes, dtype and weights (np.array_equal on each matrix)."""
        if not isinstance(other, NeuralNetwork):
            return NotImplemented
        return (
            self.sizes == other.sizes
            and self._dtype == other._dtype
            and all(np.array_equal(a, b) for a, b in zip(self._weights, other._weights))
        )

    __hash__ = None  # mutable: its weights change with every train()

    def save(self, path) -> None:
        """Write the network to a ``.npz`` file (format in ffnn.serialize), atomically."""
        serialize.save(self.__getstate__(), path)

    @classmethod
    def load(cls, path) -> NeuralNetwork:
        """The network saved in ``path``; ValueError if the file is not a valid model."""
        state = serialize.load(path)
        net = cls.__new__(cls)
        try:
            net.__setstate__(state)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{os.fspath(path)}: {exc}") from None
        return net

    def copy(self) -> NeuralNetwork:
        """An independent network with the same sizes, learning rate and weights."""
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
                "threads": self._pool.threads,
            }

    def __setstate__(self, state: dict) -> None:
        self._dtype = _checks.float_dtype(state["dtype"])
        self._learning_rate = _checks.learning_rate(state["learning_rate"], self._dtype)
        self.rule = state.get("rule", "book")
        self._hidden_is_list = bool(state["hidden_is_list"])
        self._lock = threading.RLock()
        self.threads = state.get("threads", 1)
        weights = [np.array(w, dtype=self._dtype, order="C", copy=True) for w in state["weights"]]
        self._bind(weights)


def _not_finite_message(lr: float) -> str:
    return (
        "the weights are NaN or infinite, or so large that the weighted sums overflow; "
        f"try a smaller learning rate than {lr} or check any weights set by hand"
    )


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
