"""`import ffnn` reaches every documented submodule, lazily, without importing matplotlib."""
import subprocess
import sys

import pytest

import ffnn


def run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("name", [n for n in ffnn.SUBMODULES if n != "sklearn"])
def test_every_documented_submodule_is_an_attribute(name):
    out = run(f"import ffnn, sys; m = ffnn.{name}; print(m.__name__, m is sys.modules['ffnn.{name}'])")
    assert out == f"ffnn.{name} True"


def test_plots_are_reachable_without_importing_matplotlib():
    out = run("import ffnn, sys; ffnn.plots.learning_curve; print('matplotlib' in sys.modules)")
    assert out == "False"


def test_an_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'ffnn' has no attribute 'plot'"):
        ffnn.plot  # noqa: B018


def test_the_docs_list_the_same_submodules():
    import pathlib

    api = pathlib.Path(__file__).resolve().parent.parent / "docs" / "api.md"
    if not api.is_file():
        pytest.skip("runs from the source tree")
    documented = {line.split("ffnn.", 1)[1].strip() for line in api.read_text().splitlines()
                  if line.startswith("## ffnn.")}
    assert documented <= set(ffnn.SUBMODULES)
