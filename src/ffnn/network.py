"""The NeuralNetwork class: the book's network, with its arithmetic in C.

The class owns its state: its learning rate, rule and generator here, and its
C network (``_core.Net``, which owns the weights, the threads and who may use
them when). It uses ``_checks`` for the user's arguments, ``_layout`` for the
layer sizes and initial weights, and ``_training`` for ``fit``'s epoch loop.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar, overload

import numpy as np

from ffnn import _checks, _core, _layout, _training, serialize
from ffnn.datasets import scale_inputs

MAX_THREADS = _core.MAX_THREADS

Network = TypeVar("Network", bound="NeuralNetwork")


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

    Python threads may share one network. Queries of a network of one thread
    run side by side; everything else (``train``, a ``fit`` epoch,
    ``gradients``, a query shared by several threads, assigning weights,
    changing ``threads`` or ``share``) waits for the running queries and then
    has the network to itself, and queries that arrive meanwhile wait for it.

    ``bias=True`` gives every non-input layer bias nodes (``net.biases``, one
    vector per weight matrix, starting at 0): layer k computes
    ``sigmoid(W h + b)``, and every rule moves ``b`` as a weight whose input
    is always 1 (see docs/bias.md). The book has none; without them
    (the default) every result is the book's, bit for bit.
    """

    # The C network: it owns the weights and biases, the threads and the sharing policy.
    _net: _core.Net

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
        policy = _checks.share_policy(share)
        threads = _checked_threads(threads)
        self._seed, self._rng = seed, _training.generator(seed)
        weights = _layout.initial_weights(sizes, self._dtype, self._rng, spread)
        self._net = _core.Net(weights, _layout.initial_biases(weights, bias), threads, _core.SHARE_POLICIES[policy])

    # ---- structure ---------------------------------------------------------

    @property
    def dtype(self) -> np.dtype:
        """float32 or float64: the type of the weights and of every result."""
        return self._dtype

    @property
    def sizes(self) -> tuple[int, ...]:
        """Node counts of every layer, input first."""
        return self._net.sizes

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
        """Threads used by fit and by batch queries; the results do not depend on it.

        A change waits for running training and queries of this network.
        """
        return self._net.threads

    @threads.setter
    def threads(self, value: int) -> None:
        self._net.threads = _checked_threads(value)

    @property
    def share(self) -> str:
        """When the threads share a task: "adaptive" or "deterministic"; the results do not depend on it."""
        return _SHARE_NAMES[self._net.share_policy]

    @share.setter
    def share(self, value: str) -> None:
        self._net.share_policy = _core.SHARE_POLICIES[_checks.share_policy(value)]

    @property
    def bias(self) -> bool:
        """Whether the network has bias nodes (``NeuralNetwork(..., bias=True)``)."""
        return self._net.bias_arrays is not None

    # ---- weights -----------------------------------------------------------

    @property
    def weights(self) -> tuple[np.ndarray, ...]:
        """The weight matrices, input side first; edit them in place or assign all.

        Assignment waits for a running ``train``, ``fit`` epoch or query of
        this network; in-place edits do not, so make them only while no other
        thread uses this network. Assigned arrays are copied (the network never
        shares memory with the caller's arrays).
        """
        return self._net.arrays

    @weights.setter
    def weights(self, matrices) -> None:
        matrices = list(matrices)
        if len(matrices) != len(self.weights):
            raise ValueError(f"expected {len(self.weights)} weight matrices, got {len(matrices)}")
        checked = [
            _checks.matrix(m, old.shape, self._dtype, f"weights[{k}]")
            for k, (m, old) in enumerate(zip(matrices, self.weights))
        ]
        self._net.bind([np.array(m, copy=True) for m in checked], self.biases)

    @property
    def biases(self) -> tuple[np.ndarray, ...] | None:
        """The bias vectors, one per weight matrix (its rows' length), or None without bias nodes.

        Edit them in place or assign all (finite values, the same shapes),
        under the same rules as ``weights``.
        """
        return self._net.bias_arrays

    @biases.setter
    def biases(self, vectors) -> None:
        old = self.biases
        if old is None:
            raise ValueError("this network has no bias nodes; make one with NeuralNetwork(..., bias=True)")
        vectors = list(vectors)
        if len(vectors) != len(old):
            raise ValueError(f"expected {len(old)} bias vectors, got {len(vectors)}")
        checked = [_checks.vector(v, len(b), self._dtype, f"biases[{k}]") for k, (v, b) in enumerate(zip(vectors, old))]
        self._net.bind(self.weights, [np.array(v, copy=True) for v in checked])

    @property
    def wih(self) -> np.ndarray:
        """Input-to-hidden weights (the first matrix), as in the book."""
        self._need_hidden("wih")
        return self.weights[0]

    @wih.setter
    def wih(self, matrix) -> None:
        self._need_hidden("wih")
        self._set_weight(0, matrix, "wih")

    @property
    def who(self) -> np.ndarray:
        """Hidden-to-output weights (the last matrix), as in the book."""
        self._need_hidden("who")
        return self.weights[-1]

    @who.setter
    def who(self, matrix) -> None:
        self._need_hidden("who")
        self._set_weight(len(self.weights) - 1, matrix, "who")

    def _need_hidden(self, name: str) -> None:
        if len(self.weights) < 2:
            raise AttributeError(f"{name} needs a hidden layer; use weights[0]")

    def _set_weight(self, k: int, matrix, name: str) -> None:
        """Weight matrix ``k`` alone (``wih``, ``who``), a copy, named ``name`` in errors."""
        weights = list(self.weights)
        weights[k] = np.array(_checks.matrix(matrix, weights[k].shape, self._dtype, name), copy=True)
        self._net.bind(weights, self.biases)

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
        sample = _core.Samples(inputs=x.reshape(1, -1), targets=t.reshape(1, -1))
        loss = self._net.train(sample, None, self._learning_rate, _core.RULES[self._rule])
        if loss != loss:
            raise FloatingPointError(_training.not_finite_message(self._learning_rate))
        return loss

    def fit(
        self, X, y, epochs: int = 1, *, shuffle: bool = True, seed=None,
        callback: Callable[[int, dict], object] | None = None, validation: tuple | None = None,
        augment: dict | None = None, progress: bool = False, patience: int | None = None,
        engine: str = "auto", background: float | None = None, distort=None,
        image_shape: tuple[int, int] | None = None, schedule: Callable[[int], float] | None = None,
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

        ``distort=ffnn.Distortion(rotate=10, scale=0.1, shift=2, elastic=(8, 3))``
        (or a dict of its fields) shows every sample, every epoch, freshly
        and randomly distorted (affine and elastic, see ``ffnn.distort``),
        in C, from the network's generator (one 64-bit seed per epoch; the
        result depends on nothing else: not on threads or chunks). Images
        are ``image_shape=(rows, cols)``, square by default; float inputs
        need ``background``. ``schedule`` is a callable ``epoch -> learning
        rate`` (epochs count from 1; see ``ffnn.schedules``) used in place of
        ``learning_rate``, which it leaves unchanged.

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
        same values under the name earlier versions used; ``"learning_rate"``,
        the rate each epoch used; ``"val_accuracy"`` with ``validation``.

        Every argument is checked before training starts. Ctrl-C raises
        KeyboardInterrupt within milliseconds and leaves the weights as they
        were after the last completed sample. FloatingPointError is raised as
        soon as the weights are found NaN or infinite.
        """
        return _training.fit(
            self, self._net, self._rng if seed is None else _training.generator(seed), X, y, epochs,
            shuffle=shuffle, callback=callback, validation=validation, augment=augment, progress=progress,
            patience=patience, engine=engine, background=background, distort=distort,
            image_shape=image_shape, schedule=schedule,
        )

    def _parameters(self) -> tuple[np.ndarray, ...]:
        """Every weight matrix and bias vector."""
        return self.weights + (self.biases or ())

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
        rows = x.reshape(-1, self.sizes[0])
        out = np.empty((len(rows), self.sizes[-1]), dtype=self._dtype)
        self._net.query(out, _core.Samples(pixels=rows) if is_pixels else _core.Samples(inputs=rows))
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
        image = np.empty(self.sizes[0], dtype=self._dtype)
        self._net.backquery(t, image)
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
        t = _checks.real_array(_checks.targets(targets, "targets"), self._dtype, "targets")
        _checks.paired_samples(x, t, self.sizes[0], self.sizes[-1])
        if not isinstance(biases, (bool, np.bool_)):
            raise TypeError(f"biases must be True or False, not {type(biases).__name__}")
        grads = tuple(np.empty_like(w) for w in self.weights)
        bias_grads = None if self.biases is None else tuple(np.empty_like(b) for b in self.biases)
        samples = _core.Samples(inputs=x.reshape(-1, self.sizes[0]), targets=t.reshape(-1, self.sizes[-1]))
        self._net.gradients(_core.RULES[self._rule], grads, bias_grads, samples)
        if not biases:
            return grads
        return grads, bias_grads

    # ---- Python protocol: copies, pickles and files -------------------------

    def __repr__(self) -> str:
        """The constructor call that makes a network of this shape."""
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
            and self._dtype == other.dtype
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

    def copy(self: Network) -> Network:
        """An independent network with the same sizes, learning rate, weights and generator state."""
        clone = self.__class__.__new__(self.__class__)
        clone.__setstate__(self.__getstate__())
        return clone

    def __getstate__(self) -> dict:
        """Copies of everything, taken while no other thread trains the network."""
        with self._net.exclusive():
            return {
                "learning_rate": self._learning_rate,
                "rule": self._rule,
                "dtype": self._dtype.name,
                "hidden_is_list": self._hidden_is_list,
                "weights": [w.copy() for w in self.weights],
                "biases": None if self.biases is None else [b.copy() for b in self.biases],
                "threads": self.threads,
                "share": self.share,
                "seed": self._seed,
                # A copy of the generator, so that a copy or an unpickled
                # network draws the same shuffles as the original would.
                "rng": copy.deepcopy(self._rng),
            }

    def __setstate__(self, state: dict) -> None:
        """Every value checked; a state without a generator gets a fresh one."""
        self._dtype = _checks.float_dtype(state["dtype"])
        self._learning_rate = _checks.learning_rate(state["learning_rate"], self._dtype)
        self.rule = state.get("rule", "book")
        self._hidden_is_list = bool(state["hidden_is_list"])
        policy = _core.SHARE_POLICIES[_checks.share_policy(state.get("share", "adaptive"))]
        threads = _checked_threads(state.get("threads", 1))
        self._seed = state.get("seed")
        rng = state.get("rng")
        self._rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng()
        weights = [np.array(w, dtype=self._dtype, order="C", copy=True) for w in state["weights"]]
        biases = state.get("biases")
        if biases is not None:
            biases = [np.array(b, dtype=self._dtype, order="C", copy=True) for b in biases]
        self._net = _core.Net(weights, biases, threads, policy)


_SHARE_NAMES = {code: name for name, code in _core.SHARE_POLICIES.items()}


def _checked_threads(value) -> int:
    """A thread count: an integer in 1 .. MAX_THREADS."""
    count = _checks.node_count(value, "threads")
    if count > MAX_THREADS:
        raise ValueError(f"threads must be at most {MAX_THREADS}, got {count}")
    return count
