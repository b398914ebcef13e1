"""examples/gradient_experiment.py runs end to end (on the shipped sample, one epoch)."""
import importlib.util
import os
from importlib import resources

import pytest

pytestmark = pytest.mark.slow  # trains the example's whole table of networks

pytest.importorskip("matplotlib")

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "examples", "gradient_experiment.py")


def test_experiment_prints_its_table_and_saves_its_plot(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("gradient_experiment", SCRIPT)
    experiment = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(experiment)
    plot = tmp_path / "curves.png"
    with resources.as_file(resources.files("ffnn") / "data") as sample_dir:
        experiment.main(["--data", str(sample_dir), "--epochs", "1", "--plot", str(plot)])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| 784-")]
    assert len(rows) == 3 * len(experiment.LEARNING_RATES) + 3
    assert all(line.count("%") == 1 for line in rows)
    assert "weights[0] (200 nodes)" in out and "weights[1] (10 nodes)" in out
    assert plot.stat().st_size > 10_000
