"""The book's network as a scikit-learn classifier (needs the ``sklearn`` extra).

>>> from ffnn.sklearn import BookMLPClassifier
>>> clf = BookMLPClassifier(hidden_nodes=200, learning_rate=0.1, epochs=5)

It has one output node per class, trained towards 0.99 for the sample's class
and 0.01 for the others, one sample at a time, exactly as ``NeuralNetwork``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "ffnn.sklearn needs scikit-learn >= 1.6: pip install 'ffnn[sklearn]'"
    ) from exc

from ffnn import _checks
from ffnn.network import NeuralNetwork

# uint8 stays uint8 (pixels, scaled the book's way, as NeuralNetwork takes
# it); any other input becomes float, as scikit-learn's estimators expect.
_INPUT_DTYPES = [np.float64, np.float32, np.uint8]
_SEEDS = 2**31 - 1  # seeds drawn below this fit every platform's C long


class BookMLPClassifier(ClassifierMixin, BaseEstimator):
    """A fully connected sigmoid network, trained by the book's rule or another.

    Parameters
    ----------
    hidden_nodes : int or sequence of int, default 200
        Nodes of the hidden layer, or of each hidden layer.
    learning_rate : float, default 0.1
        The book's ``lr``.
    epochs : int, default 5
        Passes over the training data in ``fit``; ``partial_fit`` makes one.
    rule : {"book", "mse", "cross_entropy"}, default "book"
        The update rule (see ``NeuralNetwork``).
    dtype : float32 or float64, default float64
        Precision of the weights and of the arithmetic.
    shuffle : bool, default True
        Visit the samples in a fresh random order in each epoch.
    random_state : int, RandomState or None, default None
        Seeds the initial weights and the orders; an int makes ``fit``
        reproducible.
    threads : int, default 1
        Threads each network's ``fit`` and ``predict`` use (see
        ``NeuralNetwork``); results do not depend on it. Set threads=1 when a
        search's ``n_jobs`` already uses every core.
    bias : bool, default False
        Give the network bias nodes (see ``NeuralNetwork`` and docs/bias.md);
        the book's network has none.

    Notes
    -----
    Inputs of dtype uint8 are taken as pixels and scaled as the book does,
    ``x / 255 * 0.99 + 0.01``, exactly as ``NeuralNetwork`` takes them; any
    other input, other integer types included (where ``NeuralNetwork``
    refuses them, scikit-learn expects them converted), is used as given as
    floats, so scale it to a range the sigmoids like (e.g. with ``MinMaxScaler``).
    As scikit-learn's own estimators, this one leaves the scaling to you and
    never warns about it (``NeuralNetwork`` warns, ``ffnn.InputScaleWarning``,
    on non-negative float inputs above 10, which look like unscaled pixels).

    Attributes
    ----------
    classes_ : ndarray
        The class labels, sorted; output node j stands for ``classes_[j]``.
    network_ : NeuralNetwork
        The trained network.
    loss_curve_ : list of float
        Each epoch's mean over its samples of the summed squared error
        ``sum((t - o) ** 2)`` over the output nodes, before each update.
    n_features_in_ : int
    """

    def __init__(
        self,
        hidden_nodes: int | Sequence[int] = 200,
        learning_rate: float = 0.1,
        epochs: int = 5,
        rule: str = "book",
        dtype=np.float64,
        shuffle: bool = True,
        random_state=None,
        threads: int = 1,
        bias: bool = False,
    ) -> None:
        self.hidden_nodes = hidden_nodes
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.rule = rule
        self.dtype = dtype
        self.shuffle = shuffle
        self.random_state = random_state
        self.threads = threads
        self.bias = bias

    def fit(self, X, y) -> BookMLPClassifier:
        """A new network trained for ``epochs`` passes over ``X`` and labels ``y``."""
        X, y = validate_data(self, X, y, dtype=_INPUT_DTYPES)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        self._rng = check_random_state(self.random_state)
        self._start(X.shape[1])
        self.loss_curve_: list[float] = []
        self._train(X, y, self.epochs)
        return self

    def partial_fit(self, X, y, classes=None) -> BookMLPClassifier:
        """One pass over ``X``; the first call needs every class in ``classes``."""
        first = not hasattr(self, "network_")
        X, y = validate_data(self, X, y, dtype=_INPUT_DTYPES, reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self.classes_ = np.unique(classes)
            self._rng = check_random_state(self.random_state)
            self._start(X.shape[1])
            self.loss_curve_ = []
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes {classes!r} differ from those of the first call, {self.classes_!r}")
        self._train(X, y, 1)
        return self

    def _start(self, n_features: int) -> None:
        hidden = self.hidden_nodes
        # A sequence of layer sizes as a list; one size (5, np.int64(5), np.array(5)) as it is.
        hidden = list(hidden) if isinstance(hidden, (Sequence, np.ndarray)) and np.ndim(hidden) else hidden
        self.network_ = NeuralNetwork(
            n_features, hidden, len(self.classes_), self.learning_rate,
            dtype=self.dtype, seed=self._rng.randint(_SEEDS), rule=self.rule,
            threads=self.threads, bias=self.bias,
        )

    def _train(self, X, y, epochs: int) -> None:
        unknown = np.setdiff1d(y, self.classes_)
        if len(unknown):
            raise ValueError(f"labels {unknown!r} are not among the classes {self.classes_!r}")
        labels = np.searchsorted(self.classes_, y)
        with _checks.scale_unchecked():  # scikit-learn's data, scaled by its own tools: see Notes
            history = self.network_.fit(
                X, labels, epochs, shuffle=self.shuffle, seed=self._rng.randint(_SEEDS)
            )
        self.loss_curve_.extend(history["sum_squared_error"])

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=_INPUT_DTYPES, reset=False)
        with _checks.scale_unchecked():
            return self.network_.query(X)

    def predict(self, X) -> np.ndarray:
        """The class of the largest output for each row of ``X``."""
        outputs = self._outputs(X)
        return self.classes_[outputs.argmax(axis=1)]

    def predict_proba(self, X) -> np.ndarray:
        """The outputs of each row normalised to sum to 1, columns in ``classes_`` order.

        The sigmoid outputs estimate each class independently; dividing by
        their sum makes them a distribution, not a calibrated probability.
        A row whose outputs are all 0 (every sigmoid underflowed: each class
        rejected alike) gets the uniform distribution, never NaN.
        """
        outputs = self._outputs(X)
        total = outputs.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):  # rows of 0 / 0, replaced below
            shares = outputs / total
        return np.where(total > 0, shares, 1.0 / outputs.shape[1]).astype(outputs.dtype, copy=False)
