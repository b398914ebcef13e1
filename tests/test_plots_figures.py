"""plots return their figure, written only when given a path, so a notebook shows it inline."""
import os

import numpy as np
import pytest
from conftest import PNG_MAGIC, optional_module

from ffnn import plots

HISTORY = {"sum_squared_error": [0.3, 0.2], "loss": [0.3, 0.2], "val_accuracy": [0.9, 0.92]}
DRAWINGS = {
    "learning_curve": lambda path: plots.learning_curve(HISTORY, path),
    "confusion": lambda path: plots.confusion(np.eye(10, dtype=int) * 5, path),
    "image": lambda path: plots.image(np.zeros(784), path),
    "grid": lambda path: plots.grid([np.zeros(784)] * 3, ["a", "b", "c"], path),
    "prediction": lambda path: plots.prediction(np.zeros((30, 20)), np.zeros(784, np.uint8), np.full(10, 0.1), path),
}


@pytest.fixture(autouse=True)
def matplotlib():
    optional_module("matplotlib")


@pytest.mark.parametrize("name", DRAWINGS)
def test_each_plot_returns_its_figure_and_writes_nothing_without_a_path(name, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    monkeypatch.chdir(tmp_path)
    figure = DRAWINGS[name](None)
    assert isinstance(figure, Figure) and figure.axes
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", DRAWINGS)
def test_with_a_path_it_is_written_and_returned(name, tmp_path):
    from matplotlib.figure import Figure

    figure = DRAWINGS[name](tmp_path / "drawn.png")
    assert isinstance(figure, Figure)
    assert (tmp_path / "drawn.png").read_bytes().startswith(PNG_MAGIC)


def test_a_returned_figure_renders_as_png_for_a_notebook(tmp_path):
    import io

    buffer = io.BytesIO()
    plots.learning_curve(HISTORY).savefig(buffer, format="png")  # what IPython's inline display does
    assert buffer.getvalue().startswith(PNG_MAGIC)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_rather_than_blocking(tmp_path):
    os.mkfifo(tmp_path / "fifo.png")
    with pytest.raises(OSError, match="fifo.png: cannot write the picture .it exists and is not a regular file."):
        plots.image(np.zeros(784), tmp_path / "fifo.png")
