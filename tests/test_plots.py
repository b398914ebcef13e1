"""plots: every figure is written, titled, as a PNG."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")
from PIL import Image  # noqa: E402

from ffnn import plots  # noqa: E402


def test_prediction_figure_shows_picture_pixels_and_outputs(tmp_path):
    original = np.random.default_rng(0).random((60, 40))
    seen = np.zeros(784, np.uint8)
    outputs = np.linspace(0.01, 0.9, 10)
    plots.prediction(original, seen, outputs, tmp_path / "p.png", title="mine.png: read as 9")
    with Image.open(tmp_path / "p.png") as drawn:
        assert drawn.size[0] > 2 * drawn.size[1]


def test_titled_image_is_taller_than_wide(tmp_path):
    plots.image(np.zeros(784), tmp_path / "a.png", title="backquery of label 3")
    with Image.open(tmp_path / "a.png") as drawn:
        assert drawn.size[1] > drawn.size[0]


def test_prediction_refuses_non_square_pixels(tmp_path):
    with pytest.raises(ValueError, match="square"):
        plots.prediction(np.zeros((5, 5)), np.zeros(700), np.zeros(10), tmp_path / "x.png")


def test_learning_curve_plots_the_sum_of_squared_errors_it_is_given(tmp_path, monkeypatch):
    import matplotlib.axes

    labels = []
    monkeypatch.setattr(matplotlib.axes.Axes, "set_ylabel",
                        lambda self, text, **kw: labels.append(text))
    history = {"sum_squared_error": [0.3, 0.2], "loss": [0.3, 0.2], "val_accuracy": [0.9, 0.92]}
    plots.learning_curve(history, tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 0
    assert labels == ["sum of squared errors per sample", "test accuracy (%)"]
