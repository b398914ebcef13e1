"""fit's bar beside a callback that prints, and in a notebook without ipywidgets."""
import io
import sys
import types
import warnings

import pytest
from conftest import optional_module

import ffnn

optional_module("tqdm.auto")


def test_a_print_in_the_callback_goes_above_the_bar_whole(sample, monkeypatch):
    screen = io.StringIO()  # a terminal: the bar (stderr) and the prints (stdout) on one screen
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setattr(sys, "stderr", screen)
    net = ffnn.NeuralNetwork(784, 20, 10, 0.1, seed=0)
    net.fit(sample.train_images[:2000], sample.train_labels[:2000], epochs=2, progress=True,
            callback=lambda epoch, history: print(f"epoch {epoch} done"))
    text = screen.getvalue()
    for epoch in (1, 2):
        before, after = text.split(f"epoch {epoch} done\n")
        # The bar was cleared (its line blanked, the cursor back at its start) before the print ...
        assert before.endswith("\r") and before.rstrip("\r").endswith(" ")
        # ... and is drawn again below it.
        assert "fit:" in after.split("epoch")[0] if epoch == 1 else "fit:" in after


def test_in_a_notebook_without_ipywidgets_the_bar_is_text_and_quiet(sample, monkeypatch):
    optional_module("IPython")
    import tqdm

    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))  # a notebook
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # ... without ipywidgets
    for name in ("auto", "autonotebook", "notebook"):
        monkeypatch.delitem(sys.modules, f"tqdm.{name}", raising=False)
        monkeypatch.delattr(tqdm, name, raising=False)
    screen = io.StringIO()
    monkeypatch.setattr(sys, "stderr", screen)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # tqdm's "IProgress not found. Please update jupyter and ipywidgets."
        net = ffnn.NeuralNetwork(784, 20, 10, 0.1, seed=0)
        net.fit(sample.train_images[:500], sample.train_labels[:500], progress=True)
    assert [str(w.message) for w in caught] == []
    assert "fit: 100%" in screen.getvalue() and "500/500" in screen.getvalue()
    assert "IProgress" not in screen.getvalue()


def test_the_progress_extra_brings_ipywidgets():
    import pathlib

    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later

    project = pathlib.Path(__file__).resolve().parent.parent / "pyproject.toml"
    if not project.is_file():
        pytest.skip("runs from the source tree")
    extras = tomllib.loads(project.read_text())["project"]["optional-dependencies"]
    assert any(requirement.startswith("ipywidgets") for requirement in extras["progress"])
