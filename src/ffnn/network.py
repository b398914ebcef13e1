"""The NeuralNetwork class: the book's network, with its arithmetic in C.

The class is the public object and its documentation; the work is beside it: ``_checks`` (arguments),
``_layout`` (layer sizes, initial weights), ``_core_calls`` (every call into the C core),
``_set_parameters`` (weights set by hand), ``_state`` (copies, pickles, files), ``_locks`` (fork-safe locks).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, overload

import numpy as np

from ffnn import _checks, _core, _core_calls, _layout, _locks, _set_parameters, _state, _training, serialize
from ffnn._layout import cache_aligned as _cache_aligned  # noqa: F401  (benchmarks import it from here)
from ffnn.datasets import scale_inputs

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
    ``share`` says when they share a task: ``"adaptive"`` (the default) times
    each way and runs alone while the other threads would only wait, as on a
    machine busier than it has cores; ``"deterministic"`` shares every large
    layer, the same way in every run. The results are the same under both.

    ``bias=True`` gives every non-input layer bias nodes (``net.biases``, one
    vector per weight matrix, starting at 0): layer k computes
    ``sigmoid(W h + b)``, and every rule moves ``b`` as a weight whose input
    is always 1 (see docs/bias.md). The book has none; without them
    (the default) every result is the book's, bit for bit.
    """

    # Set by ffnn._core_calls.bind whenever the weights or biases are replaced.
    _net: _core.Net
    _sizes: tuple[int, ...]
    _weights: tuple[np.ndarray, ...]
    _biases: tuple[np.ndarray, ...] | None
    _n_weights: int
    _threads: int
    _share: str

    def __init__(
        self, input_nodes: int, hidden_nodes: int | Sequence[int], output_nodes: int, learning_rate: float, *,
        dtype=np.float64, seed=None, rule: str = "book", threads: int = 1, bias: bool = False,
        init: str = "corrected", share: str = "adaptive",
    ) -> None:
        spread = _layout.initial_spread(init)
        sizes, self._hidden_is_list = _layout.layer_sizes(input_nodes, hidden_nodes, output_nodes)
        self._dtype = _checks.float_dtype(dtype)
        self.learning_rate = learning_rate
        self.rule = rule
        self._lock = _locks.new_lock(self)
        self._share = _checks.share_policy(share)
        self.threads = threads
        self._seed, self._rng = seed, _training.generator(seed)
        weights = _layout.initial_weights(sizes, self._dtype, self._rng, spread)
        _core_calls.bind(self, weights, _layout.initial_biases(weights, bias))

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
        return self._threads

    @threads.setter
    def threads(self, value: int) -> None:
        count = _checks.node_count(value, "threads")
        if count > MAX_THREADS:
            raise ValueError(f"threads must be at most {MAX_THREADS}, got {count}")
        _core_calls.set_threads(self, count)

    @property
    def share(self) -> str:
        """When the threads share a task: "adaptive" or "deterministic"; the results do not depend on it."""
        return self._share

    @share.setter
    def share(self, value: str) -> None:
        _core_calls.set_share_policy(self, _checks.share_policy(value))

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
        _set_parameters.weights(self, matrices)

    @property
    def biases(self) -> tuple[np.ndarray, ...] | None:
        """The bias vectors, one per weight matrix (its rows' length), or None without bias nodes.

        Edit them in place or assign all (finite values, the same shapes),
        under the same rules as ``weights``.
        """
        return self._biases

    @biases.setter
    def biases(self, vectors) -> None:
        _set_parameters.biases(self, vectors)

    @property
    def wih(self) -> np.ndarray:
        """Input-to-hidden weights (the first matrix), as in the book."""
        self._need_hidden("wih")
        return self._weights[0]

    @wih.setter
    def wih(self, matrix) -> None:
        self._need_hidden("wih")
        _set_parameters.one_weight(self, 0, matrix, "wih")

    @property
    def who(self) -> np.ndarray:
        """Hidden-to-output weights (the last matrix), as in the book."""
        self._need_hidden("who")
        return self._weights[-1]

    @who.setter
    def who(self, matrix) -> None:
        self._need_hidden("who")
        _set_parameters.one_weight(self, len(self._weights) - 1, matrix, "who")

    def _need_hidden(self, name: str) -> None:
        if len(self._weights) < 2:
            raise AttributeError(f"{name} needs a hidden layer; use weights[0]")


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
        x = _checks.vector(self._inputs(inputs, "inputs"), self.sizes[0], self._dtype, "inputs", finite=False)
        t = _checks.vector(_checks.targets(targets, "targets"), self.sizes[-1], self._dtype, "targets", finite=False)
        # Last, once both are known to be arrays of the right shape (the core does not look).
        _checks.check_finite(x, "inputs")
        _checks.check_finite(t, "targets")
        _checks.check_scale(x, "inputs")
        loss = _core_calls.train_step(self, x, t)
        if loss != loss:
            raise FloatingPointError(_training.not_finite_message(self._learning_rate))
        return loss

    def fit(
        self, X, y, epochs: int = 1, *, shuffle: bool = True, seed=None,
        callback: Callable[[int, dict], object] | None = None, validation: tuple | None = None,
        augment: dict | None = None, progress: bool = False, patience: int | None = None,
        engine: str = "auto", background: float | None = None,
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

        ``engine`` says how the first layer is trained: ``"dense"`` reads and
        updates every weight at every step; ``"sparse"`` writes the inputs as
        a background plus ink (zero but at the ink) and the weights as a
        matrix plus an offset per hidden node, so that a step touches only
        the weights of the ink of two samples, the same training up to
        rounding (several times faster on MNIST, whose images are four
        fifths blank). ``"auto"`` (the default) takes the sparse engine where
        it pays: inputs it can take, at least 32 hidden nodes, blank inputs
        the rule rather than the exception (counted on the first rows).
        It takes uint8 pixels (background 0, scaled to 0.01) and, given
        ``background=b``, float inputs in which every input equal to ``b``
        exactly is blank (e.g. ``background=0.01`` for the book's scaled
        images); rotated copies (``augment``) keep that background exactly.
        ``engine="sparse"`` on float inputs without ``background`` is a
        ValueError; so is ``background`` with pixels.

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
        return _training.fit(
            self, X, y, epochs, shuffle=shuffle, seed=seed, callback=callback, validation=validation,
            augment=augment, progress=progress, patience=patience, engine=engine, background=background,
        )

    def _parameters(self) -> tuple[np.ndarray, ...]:
        """Every weight matrix and bias vector."""
        return self._weights + (self._biases or ())

    def predict(self, X) -> np.ndarray:
        """The index of the largest output for each row of ``X`` (pixels or inputs)."""
        return self._query(X, "X").argmax(axis=-1)

    def score(self, X, labels) -> float:
        """The fraction of rows of ``X`` whose prediction equals the label."""
        _checks.batch(X, self.sizes[0], "X")
        X, is_pixels = _checks.samples(X, "X", pixels=True)
        if not is_pixels:
            X = _checks.rows(X, self.sizes[0], self._dtype, "X")
        elif X.ndim != 2:  # pixels go to the core as they are, but as a batch
            raise ValueError(f"X must have shape (n, {self.sizes[0]}) with n >= 1, got {X.shape}")
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
        uint8 pixels go to the C core as they are, which computes their first
        layer from the ink where that is faster (``0.01 (W 1) + W[:, ink]
        s[ink]``): the outputs of their scaled inputs up to rounding, within
        1e-12 relative in float64 (docs/speed.md).
        """
        return self._query(inputs, "inputs")

    def _query(self, inputs, name: str) -> np.ndarray:
        arr, is_pixels = _checks.samples(inputs, name, pixels=True)
        if is_pixels:  # scaled the book's way in C, block by block
            x = _checks.pixel_sample_or_rows(arr, self.sizes[0], name)
        else:
            x = _checks.sample_or_rows(arr, self.sizes[0], self._dtype, name)
            _checks.check_scale(x, name)
        out = _core_calls.query(self, x.reshape(-1, self.sizes[0]), pixels=is_pixels)
        return out[0] if x.ndim == 1 else out

    def backquery(self, targets) -> np.ndarray:
        """The input image the network associates with the given outputs.

        The book's backwards pass: the inverse sigmoid of the targets is sent
        back through each ``W.T``; every layer's signal is rescaled to
        0.01 .. 0.99 before the next inverse sigmoid. With bias nodes each
        layer's bias is taken off first: ``h = W.T @ (logit(o) - b)``, then the
        book's rescaling. Targets must lie strictly between 0 and 1.
        """
        t = _checks.vector(_checks.targets(targets, "targets"), self.sizes[-1], self._dtype, "targets")
        if not ((t > 0) & (t < 1)).all():
            raise ValueError("targets must lie strictly between 0 and 1 to be back-queried")
        return _core_calls.backquery(self, t)

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
        t = _checks.real_array(_checks.targets(targets, "targets"), self._dtype, "targets")
        _checks.paired_samples(x, t, self.sizes[0], self.sizes[-1])
        if not isinstance(biases, (bool, np.bool_)):
            raise TypeError(f"biases must be True or False, not {type(biases).__name__}")
        grads, bias_grads = _core_calls.gradients(self, x, t)
        if not biases:
            return tuple(grads)
        return tuple(grads), None if bias_grads is None else tuple(bias_grads)

    # ---- Python protocol: the state and its uses are in ffnn._state -------

    def __repr__(self) -> str:
        return _state.describe(self)

    def __eq__(self, other) -> bool:
        """Same layer sizes, dtype, weights and biases (np.array_equal on each array)."""
        if not isinstance(other, NeuralNetwork):
            return NotImplemented
        return _state.equal(self, other)

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
        return _state.load(cls, path)

    def copy(self) -> NeuralNetwork:
        """An independent network with the same sizes, learning rate, weights and generator state."""
        return _state.copy_of(self)

    def __getstate__(self) -> dict:
        return _state.get_state(self)

    def __setstate__(self, state: dict) -> None:
        _state.set_state(self, state)
