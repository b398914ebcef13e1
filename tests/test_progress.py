"""fit(progress=True): a tqdm bar over every sample, moving within each epoch, changing no result."""
import io
import sys

import numpy as np
import pytest

import ffnn

tqdm_auto = pytest.importorskip("tqdm.auto")


class RecordingBar(tqdm_auto.tqdm):
    """A real bar that also keeps every update and postfix it was given."""

    made = []

    def __init__(self, *args, **kwargs):
        kwargs["file"] = io.StringIO()
        super().__init__(*args, **kwargs)
        self.updates, self.postfixes = [], []
        RecordingBar.made.append(self)

    def update(self, n=1):
        self.updates.append(n)
        return super().update(n)

    def set_postfix(self, *args, **kwargs):
        self.postfixes.append(kwargs.get("sse"))
        return super().set_postfix(*args, **kwargs)


@pytest.fixture
def bars(monkeypatch):
    RecordingBar.made = []
    monkeypatch.setattr(tqdm_auto, "tqdm", RecordingBar)
    return RecordingBar.made


@pytest.mark.parametrize("augment", [None, {"rotate": 10}])
def test_the_bar_counts_every_sample_and_changes_no_result(sample, bars, augment):
    X, y = sample.train_images[:3000], sample.train_labels[:3000]
    plain = ffnn.NeuralNetwork(784, 100, 10, 0.1, seed=3)
    shown = plain.copy()
    expected = plain.fit(X, y, epochs=2, augment=augment)
    history = shown.fit(X, y, epochs=2, augment=augment, progress=True)
    # Chunked for the bar, in the order already drawn: bit for bit the same.
    assert shown == plain and history == expected
    (bar,) = bars
    copies = 3 if augment else 1
    assert bar.total == bar.n == 2 * len(X) * copies and bar.unit == "sample"
    # Several updates in each epoch, not one per epoch: its chunks are sized by
    # time, so an epoch of some milliseconds may take only a few.
    assert len(bar.updates) >= 4 and max(bar.updates) < len(X) * copies
    assert bar.postfixes[-1] == f"{history['sum_squared_error'][-1]:.4f}"
    assert "sample/s" in bar.fp.getvalue()


def test_callback_runs_with_the_bar_open(sample, bars):
    seen = []
    net = ffnn.NeuralNetwork(784, 20, 10, 0.1, seed=0)
    net.fit(sample.train_images[:500], sample.train_labels[:500], epochs=3, progress=True,
            callback=lambda epoch, history: seen.append((epoch, bars[0].n)))
    assert seen == [(1, 500), (2, 1000), (3, 1500)]


def test_the_bar_is_closed_when_fit_fails(bars):
    net = ffnn.NeuralNetwork(3, 2, 2, 0.1, seed=0)
    net.wih[0, 0] = np.inf
    with pytest.raises(FloatingPointError):
        net.fit(np.full((4, 3), 0.5), [0, 1, 0, 1], progress=True)
    assert bars[0].disable is True  # what close() leaves


def test_without_tqdm_progress_is_an_import_error_before_training(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import tqdm.auto now fails
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0)
    before = net.copy()
    with pytest.raises(ImportError, match=r"pip install 'ffnn\[progress\]'"):
        net.fit(np.full((3, 4), 0.5), [0, 1, 0], progress=True)
    assert net == before
    net.fit(np.full((3, 4), 0.5), [0, 1, 0])  # without the bar, no tqdm needed


def test_history_names_the_sum_of_squared_errors_and_keeps_loss():
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0)
    X, T = np.full((3, 4), 0.5), np.array([[0.99, 0.01]] * 3)
    replay = net.copy()
    history = net.fit(X, T, epochs=2, shuffle=False)
    sums = [[replay.train(x, t) for x, t in zip(X, T)] for _ in range(2)]
    # Each epoch's mean over samples of sum((t - o) ** 2) over the outputs.
    np.testing.assert_allclose(history["sum_squared_error"], np.mean(sums, axis=1), rtol=1e-12)
    assert history["loss"] == history["sum_squared_error"]
    assert history["loss"] is not history["sum_squared_error"]
