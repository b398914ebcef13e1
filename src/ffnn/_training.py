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

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    data = training_data(net, X, y)
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
    bar = _progress_bar(epochs * n * copies) if progress else None
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
            # A NaN total stopped the epoch early; the last update may also
            # have overflowed, which only a look at every weight can tell.
            if total != total or not all(_core.all_finite(w.reshape(-1)) for w in net.weights + (net.biases or ())):
                raise FloatingPointError(f"in epoch {epoch}: {not_finite_message(lr)}")
            if validation is not None:
                history["val_accuracy"].append(net.score(*validation))
                if patience is not None:
                    best.consider(epoch, history["val_accuracy"][-1], net.weights, net.biases)
            if callback is not None:
                callback(epoch, history)
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
    pixels = data.is_pixels
    if background is not None:
        if pixels:
            raise ValueError("background is for float inputs; uint8 pixels have their own "
                             "(the pixel 0, scaled to 0.01)")
        background = _augment._finite(background, "background")
        # The core compares each input with the background in the dtype.
        background = float(np.dtype(dtype).type(background))
    if engine == "sparse" and not pixels and background is None:
        raise ValueError("engine='sparse' needs uint8 pixels, or float inputs with "
                         "background=<the value of every blank input>")
    if background is not None:
        data = _core.Samples(data.pixels, data.inputs, data.targets, data.labels, background, data.label_name)
    return _core.ENGINES[engine], data


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
