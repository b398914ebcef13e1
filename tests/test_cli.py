"""The main job: `python -m ffnn` trains the book's network on the shipped sample."""
import re
import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "ffnn", *args], capture_output=True, text=True, timeout=600)


def test_main_job_trains_to_book_accuracy_on_the_sample():
    result = run("--epochs", "1", "--seed", "0", "--dtype", "float32")
    assert result.returncode == 0, result.stderr
    assert "NeuralNetwork(784, 200, 10, 0.1, dtype=float32)" in result.stdout
    accuracy = float(re.search(r"test accuracy ([\d.]+)%", result.stdout).group(1))
    assert accuracy > 85.0, result.stdout


def test_bad_option_is_one_clear_error():
    result = run("--epochs", "0")
    assert result.returncode != 0
    assert "--epochs must be at least 1" in result.stderr
