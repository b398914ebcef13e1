"""What ``NeuralNetwork.fit`` does around the C core's training call.

``fit`` checks every argument, then runs the epochs: each epoch one call of
``Net.train`` (the binding's, which calls the C core's ``ffnn_train``) over the
shuffled samples, or several calls of it, a chunk at a time, to move a
progress bar or to train on rotated copies of the images (``augment``). After
each epoch it records the history, scores the validation set, calls the
callback and keeps the best epoch's weights for early stopping. It uses the
network's public attributes and methods, and the C network (``_core.Net``)
the network hands it; the network itself (``ffnn.network``) holds the book's
object: its state and the operations on one sample or one batch.
"""
from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn import _checks, _core, augment as _augment, distort as _distort, schedules as _schedules
from ffnn.datasets import scale_inputs

if TYPE_CHECKING:
    from ffnn.augment import Rotations
    from ffnn.distort import Distorted
    from ffnn.network import NeuralNetwork

def fit(
    net: NeuralNetwork,
    core: _core.Net,
    rng: np.random.Generator,
    X,
    y,
    epochs: int = 1,
    *,
    shuffle: bool = True,
    callback: Callable[[int, dict], object] | None = None,
    validation: tuple | None = None,
    augment: dict | None = None,
    progress: bool = False,
    patience: int | None = None,
    engine: str = "auto",
    background=None,
    distort=None,
    image_shape=None,
    schedule: Callable[[int], float] | None = None,
) -> dict:
    """``net.fit(X, y, epochs, ...)``: see ``NeuralNetwork.fit`` for every argument and the result.

    ``core`` is the network's C network, ``rng`` the generator of the shuffles.
    """
    _checks.batch(X, net.sizes[0], "X")
    data = training_data(net, X, _checks.label_column(y, "y"))
    _checks.check_scale(data.inputs, "X")
    n = data.rows
    epochs = _checks.node_count(epochs, "epochs")
    engine_code, data = engine_choice(engine, background, data, net.dtype)
    rotations = _augment.parse(augment, net.sizes[0], net.dtype)
    copies = rotations.copies if rotations is not None else 1
    distorted = _distort.parse(distort, net.sizes[0], image_shape)
    if distorted is not None:
        if rotations is not None:
            raise ValueError("augment and distort cannot be combined: give distort its rotate")
        if not data.is_pixels and data.background != data.background:
            raise ValueError("distort on float inputs needs background=<the value of every blank input>")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable epoch -> learning rate, not {type(schedule).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    if validation is not None:
        validation = validation_data(net, validation)
    if patience is not None:
        if validation is None:
            raise ValueError("patience needs validation=(X_val, labels_val) to tell the best epoch")
        patience = _checks.node_count(patience, "patience")
    best = _BestEpoch()
    saturation = _SaturationCheck(net, data)
    bar = _quiet_progress_bar(epochs * n * copies) if progress else None
    history: dict[str, Any] = {"sum_squared_error": [], "loss": [], "learning_rate": []}
    if validation is not None:
        history["val_accuracy"] = []
    if (rotations is not None or distorted is not None) and data.labels is not None:
        # Rotated chunks hand the core a chunk's labels at a time; a call of no
        # steps has it check all of them before the first.
        core.train(data, np.empty(0, np.int64), net.learning_rate, _core.RULES[net.rule], engine_code)
    try:
        for epoch in range(1, epochs + 1):
            order = (rng.permutation(n) if shuffle else np.arange(n)).astype(np.int64, copy=False)
            # A change made meanwhile waits for the next epoch.
            lr = net.learning_rate if schedule is None else _schedules.rate(schedule, epoch)
            rule = _core.RULES[net.rule]
            history["learning_rate"].append(lr)
            with core.exclusive():
                if distorted is not None:
                    seed = int(rng.integers(2**64, dtype=np.uint64))
                    total = _train_distorted(core, data, order, distorted, seed, bar, lr, rule, engine_code)
                elif bar is None and rotations is None:
                    total = core.train(data, order, lr, rule, engine_code)
                else:
                    total = _train_in_chunks(net, core, data, order, rotations, bar, lr, rule, engine_code)
            mean = total / (n * copies)
            history["sum_squared_error"].append(mean)
            history["loss"].append(mean)
            saturation.after(epoch, mean)
            # A NaN total stopped the epoch early; the last update may also
            # have overflowed, which only a look at every weight can tell.
            if total != total or not all(_core.all_finite(w.reshape(-1)) for w in net.weights + (net.biases or ())):
                raise FloatingPointError(f"in epoch {epoch}: {not_finite_message(lr)}")
            if validation is not None:
                history["val_accuracy"].append(net.score(*validation))
                if patience is not None:
                    best.consider(epoch, history["val_accuracy"][-1], net.weights, net.biases)
            if callback is not None:
                _beside_bar(bar, callback, epoch, history)
            if patience is not None and epoch - best.epoch >= patience:
                break
    finally:
        if bar is not None:
            bar.close()
    if patience is not None:
        net.weights = best.weights
        if best.biases is not None:
            net.biases = best.biases
        history["best_epoch"] = best.epoch
    return history


def training_data(net: NeuralNetwork, X, y) -> _core.Samples:
    """The samples for the C loop: pixels or inputs, and targets or labels."""
    n_in, n_out = net.sizes[0], net.sizes[-1]
    X_arr, is_pixels = _checks.samples(X, "X", pixels=True)
    if is_pixels:
        if X_arr.ndim != 2 or X_arr.shape[0] == 0 or X_arr.shape[1] != n_in:
            raise ValueError(f"X must have shape (n, {n_in}) with n >= 1, got {X_arr.shape}")
        pixels, inputs = np.ascontiguousarray(X_arr), None
    else:
        pixels, inputs = None, _checks.rows(X_arr, n_in, net.dtype, "X")
    n = len(X_arr)
    if np.ndim(y) == 1:
        # Their range is the C core's to check, once per call, before the first step.
        return _core.Samples(pixels, inputs, labels=_checks.label_values(y, n, "y"), label_name="y")
    targets = _checks.matrix(_checks.targets(y, "y"), (n, n_out), net.dtype, "y")
    return _core.Samples(pixels, inputs, targets=targets, label_name="y")


def engine_choice(engine, background, data: _core.Samples, dtype) -> tuple[int, _core.Samples]:
    """The engine's code asked of ``fit``, and the samples with the background asked
    (the value of every blank input), both checked against the data."""
    if not isinstance(engine, str) or engine not in _core.ENGINES:
        raise ValueError(f"engine must be 'auto', 'dense' or 'sparse', got {engine!r}")
    pixels, given = data.is_pixels, background
    if background is not None:
        if pixels:
            raise ValueError("background is for float inputs; uint8 pixels have their own "
                             "(the pixel 0, scaled to 0.01)")
        # The core compares each input with the background in the dtype.
        background = _background_in(_augment._finite(background, "background"), dtype)
    if engine == "sparse" and not pixels and background is None:
        raise ValueError("engine='sparse' needs uint8 pixels, or float inputs with "
                         "background=<the value of every blank input>")
    if background is None:
        return _core.ENGINES[engine], data
    if not _background_is_blank(background, given, data.inputs, dtype, engine):
        engine = "dense"  # the background stays: rotated copies still take it outside the picture
    data = _core.Samples(data.pixels, data.inputs, data.targets, data.labels, background, data.label_name)
    return _core.ENGINES[engine], data


# Rows of the inputs in which fit looks for the background (the C core judges
# the ink on its first 64).
_BACKGROUND_ROWS = 256


def _background_in(value: float, dtype) -> float:
    """``value`` rounded to the network's dtype; ValueError if it is not finite there."""
    with np.errstate(over="ignore"):
        rounded = float(np.dtype(dtype).type(value))
    if not math.isfinite(rounded):
        raise ValueError(f"background must be finite in the network's dtype, {np.dtype(dtype)}; got {value}")
    return rounded


def _background_is_blank(background: float, given, inputs: np.ndarray | None, dtype, engine: str) -> bool:
    """Whether the sparse engine may take ``background``; if not, a warning that fit trains densely.

    The sparse engine writes each input as x = b + s and the first layer's
    sums as b r + V s; exact up to rounding while b is the value of blank
    inputs, and so no larger than the inputs. A background that no input
    (among the first rows) equals saves nothing, and one far outside the
    inputs' range (1e8 for inputs in 0.01..1) would lose their digits in
    x - b: either way fit trains densely, with the same result as
    engine="dense", and says so.
    """
    if inputs is None:  # pixels: the core knows their background
        return True
    sample = inputs[:_BACKGROUND_ROWS]
    if (sample == background).any():
        return True
    hint = ""
    if isinstance(given, np.floating) and given.dtype.itemsize < np.dtype(dtype).itemsize:
        hint = (f" (background is a {given.dtype} scalar, {float(given)!r} in {np.dtype(dtype)}: "
                f"pass a Python float, background={str(given)}, to compare in the inputs' dtype)")
    warnings.warn(
        f"no input of the first {len(sample)} rows equals background={background!r} in {np.dtype(dtype)}"
        f"{hint}, so the inputs have no blanks for the sparse engine to skip (and a background far from "
        f"the inputs would cost their precision): fit trains densely (engine={engine!r} ignored), "
        "as engine='dense' would",
        UserWarning, stacklevel=_checks._user_level(),
    )
    return False


def validation_data(net: NeuralNetwork, validation) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, labels) checked up front, so that no epoch is lost to a typo."""
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError("validation must be a pair (X_val, labels_val)")
    X_val, is_pixels = _checks.samples(validation[0], "X_val", pixels=True)
    if is_pixels:
        X_val = scale_inputs(X_val, net.dtype)
    X_val = _checks.rows(X_val, net.sizes[0], net.dtype, "X_val")
    return X_val, _checks.labels(validation[1], len(X_val), net.sizes[-1], "labels_val")


def generator(seed) -> np.random.Generator:
    """``np.random.default_rng(seed)``, with an error that names the seed."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"seed must be None, a non-negative integer, a SeedSequence or a Generator, got {seed!r}"
        ) from None


def not_finite_message(lr: float) -> str:
    """What FloatingPointError says when training met NaN or infinite weights."""
    return (
        "the weights are NaN or infinite, or so large that the weighted sums overflow; "
        f"try a smaller learning rate than {lr} or check any weights set by hand"
    )


def _train_in_chunks(net: NeuralNetwork, core: _core.Net, data: _core.Samples, order: np.ndarray,
                     rotations: Rotations | None, bar, lr: float, rule: int, engine: int) -> float:
    """One epoch a chunk of samples at a time, for the progress bar or the rotations.

    Each call continues the last one's total. Rotated images go a fixed
    number at a time, with or without a bar (only a chunk's rotated
    copies exist at once). Otherwise, for the bar, each chunk is sized
    from the speed measured so far (``Net.progress_chunk``), in whole
    multiples of the core's own calls (``Net.train_chunk``), so that the
    sum is grouped as in one call. Either way, weights and sum are those
    of the same epoch without a bar, bit for bit.
    """
    if rotations is not None:
        copies = rotations.copies
        size = core.rotation_chunk(copies)
    else:
        copies = 1
        unit = core.train_chunk(data, engine)
        size = core.progress_chunk(unit)
    total, done = 0.0, 0
    while done < len(order):
        rows = order[done:done + size]
        began = time.perf_counter()
        if rotations is None:
            total = core.train(data, rows, lr, rule, engine, total)
        else:
            total = core.train(_rotated(net, rotations, data, rows), None, lr, rule, engine, total)
        done += len(rows)
        if total != total:  # non-finite weights: fit reports it
            break
        if bar is not None:
            if rotations is None:
                size = core.progress_chunk(unit, size, time.perf_counter() - began)
            bar.set_postfix(sse=f"{total / (done * copies):.4f}", refresh=False)
            bar.update(len(rows) * copies)
    return total


def _train_distorted(core: _core.Net, data: _core.Samples, order: np.ndarray, distorted: Distorted,
                     seed: int, bar, lr: float, rule: int, engine: int) -> float:
    """One epoch on freshly distorted samples, a chunk at a time.

    Sample ``k`` of the epoch (the image ``order[k]``) is distorted by the
    epoch's stream ``seed`` at position ``k``, whatever the chunks, so the
    result depends on the seed alone. A second thread distorts the next
    chunk while the core trains on this one (both release the GIL).
    """
    # Imported here: concurrent.futures registers a fork handler, which a fit
    # without distortions has no reason to add.
    from concurrent.futures import ThreadPoolExecutor

    size = _core.distortion_chunk(core.n_weights)
    starts = range(0, len(order), size)
    total, done = 0.0, 0
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_distorted, distorted, data, order, seed, 0, size)
        for start in starts:
            chunk = pending.result()
            if start + size < len(order):
                pending = pool.submit(_distorted, distorted, data, order, seed, start + size, size)
            total = core.train(chunk, None, lr, rule, engine, total)
            done += chunk.rows
            if total != total:  # non-finite weights: fit reports it
                break
            if bar is not None:
                bar.set_postfix(sse=f"{total / done:.4f}", refresh=False)
                bar.update(chunk.rows)
    return total


def _distorted(distorted: Distorted, data: _core.Samples, order: np.ndarray, seed: int, start: int,
               size: int) -> _core.Samples:
    """The samples ``order[start:start + size]``, distorted: pixels stay pixels, float
    inputs keep their background."""
    rows = order[start:start + size]
    targets = None if data.targets is None else data.targets[rows]
    labels = None if data.labels is None else data.labels[rows]
    if data.pixels is not None:
        pixels = distorted.chunk(seed, start, data.pixels[rows], np.nan)
        return _core.Samples(pixels, targets=targets, labels=labels, label_name=data.label_name)
    inputs = distorted.chunk(seed, start, data.inputs[rows], data.background)  # type: ignore[index]  # inputs, without pixels
    return _core.Samples(inputs=inputs, targets=targets, labels=labels, background=data.background,
                         label_name=data.label_name)


def _rotated(net: NeuralNetwork, rotations: Rotations, data: _core.Samples, rows: np.ndarray) -> _core.Samples:
    """The images ``rows`` in the book's augmented order: each, then its rotations.

    Pixels become the book's inputs, whose background is 0.01; rotated as
    ink over a background of exactly 0 (see ``Rotations.expand``), the
    copies keep it exactly, so the sparse engine takes them too.
    """
    repeat = rotations.copies
    if data.pixels is not None:
        x, background = scale_inputs(data.pixels[rows], net.dtype), _augment.BACKGROUND
    else:
        x, background = data.inputs[rows], data.background  # type: ignore[index]  # inputs, without pixels
    return _core.Samples(
        inputs=rotations.expand(x, background),
        targets=None if data.targets is None else np.repeat(data.targets[rows], repeat, axis=0),
        labels=None if data.labels is None else np.repeat(data.labels[rows], repeat),
        background=float(np.dtype(net.dtype).type(background)), label_name=data.label_name,
    )


def _progress_bar(total: int):
    """A tqdm.auto bar over ``total`` samples; ImportError, before training, without tqdm."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(
            "fit(progress=True) needs tqdm: pip install 'ffnn[progress]'"
        ) from None
    return tqdm(total=total, unit="sample", unit_scale=True, desc="fit")


def _quiet_progress_bar(total: int):
    """``_progress_bar(total)``, quiet in a notebook without ipywidgets: tqdm's text bar, without its warning.

    ``pip install 'ffnn[progress]'`` brings ipywidgets, for tqdm.auto's
    notebook bar; without it tqdm.auto warns "IProgress not found" and draws
    the text bar, which is all that is needed.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "IProgress not found")  # tqdm's TqdmWarning
        try:
            return _progress_bar(total)
        except ImportError as exc:  # an older tqdm.auto that picks the notebook bar and cannot draw it
            if "IProgress" not in str(exc):
                raise
    from tqdm.std import tqdm

    return tqdm(total=total, unit="sample", unit_scale=True, desc="fit")


def _beside_bar(bar, callback: Callable[[int, dict], object], epoch: int, history: dict) -> None:
    """``callback(epoch, history)``, the bar stepping aside meanwhile: a print goes above it, whole."""
    aside = getattr(type(bar), "external_write_mode", None)
    if aside is None:
        callback(epoch, history)
        return
    with aside():  # clears the bar; redraws it below whatever was printed
        callback(epoch, history)


class _SaturationCheck:
    """After each epoch, a SaturationWarning (once per fit) if the learning rate has saturated the network.

    Saturated: on a sample of the rows, most sigmoids of some layer sit within
    SATURATED of 0 or 1, where their slope o (1 - o) and so every step through
    them vanish, and the epoch's squared error per sample is no better than
    most of what answering every sample with the mean target would give
    (``NO_BETTER`` of its error): the network has stopped learning. A healthy
    network trained on MNIST saturates many first-layer sigmoids too, but its
    error falls far below that.
    """

    SATURATED = 1e-3
    MOST = 0.9
    # Inputs whose root mean square exceeds this saturate the first layer's
    # initial sums (spread: that of the inputs) whatever the learning rate.
    LARGE_INPUTS = 2.0
    NO_BETTER = 0.8
    ROWS = 256

    def __init__(self, net: NeuralNetwork, data: _core.Samples) -> None:
        self.net, self.data, self.warned = net, data, False
        labels, targets = data.labels, data.targets
        if labels is not None:
            shares = np.bincount(np.clip(labels, 0, net.sizes[-1] - 1), minlength=net.sizes[-1]) / len(labels)
            self.baseline = float(0.98 ** 2 * np.sum(shares * (1 - shares)))  # targets 0.99 / 0.01
        else:
            self.baseline = float(np.var(np.asarray(targets), axis=0).sum())

    def after(self, epoch: int, error: float) -> None:
        if self.warned or not error >= self.NO_BETTER * self.baseline or self.baseline <= 0:
            return
        pixels, inputs = self.data.pixels, self.data.inputs
        rows = inputs[:self.ROWS] if inputs is not None else scale_inputs(pixels[:self.ROWS])  # type: ignore[index]
        rows = np.asarray(rows, dtype=np.float64)  # made only for an epoch that learnt nothing
        if _checks.looks_unscaled(rows):
            return  # InputScaleWarning has said why
        # Each layer's outputs by the C core, one layer at a time: NumPy's matrix
        # product could start BLAS threads, which a fork() during fit may leave locked.
        signal = np.ascontiguousarray(rows, dtype=self.net.dtype)
        for k, (w, b) in enumerate(zip(self.net.weights, self.net.biases or [None] * len(self.net.weights))):
            layer = _core.Net([w], None if b is None else [b])
            outputs = np.empty((len(signal), len(w)), dtype=self.net.dtype)
            layer.query(outputs, _core.Samples(inputs=signal))
            signal = outputs
            stuck = float(np.mean(np.minimum(signal, 1 - signal) < self.SATURATED))
            if stuck >= self.MOST:
                self.warned = True
                lr = self.net.learning_rate
                size = float(np.sqrt(np.mean(rows ** 2)))
                cause = (
                    f"The inputs are large (root mean square {size:.3g}), so the first layer's weighted sums "
                    "are too: scale them to about 0..1 (the book's 0.01..1.0)"
                    if k == 0 and size > self.LARGE_INPUTS else
                    f"The learning rate {lr:g} is too large: try a smaller one, e.g. {lr / 10:g}"
                )
                warnings.warn(
                    f"in epoch {epoch} the network is saturated: {stuck:.0%} of layer {k + 1}'s sigmoids sit at 0 "
                    f"or 1, where they no longer learn, and the squared error per sample ({error:.3g}) is no "
                    f"better than always answering the mean target would give ({self.baseline:.3g}). {cause}",
                    _checks.SaturationWarning, stacklevel=_checks._user_level(),
                )
                return


class _BestEpoch:
    """The epoch of the best validation accuracy so far, and a copy of its weights and biases."""

    def __init__(self) -> None:
        self.epoch, self.accuracy, self.weights = 0, -1.0, ()
        self.biases: tuple[np.ndarray, ...] | None = None

    def consider(self, epoch: int, accuracy: float, weights, biases=None) -> None:
        if accuracy > self.accuracy:
            self.epoch, self.accuracy = epoch, accuracy
            self.weights = tuple(w.copy() for w in weights)
            self.biases = None if biases is None else tuple(b.copy() for b in biases)
