"""ffnn: the neural network of *Make Your Own Neural Network*, exact and fast.

>>> import ffnn
>>> net = ffnn.NeuralNetwork(784, 200, 10, 0.1)

The C kernels use the fastest instruction set this CPU offers; set the
environment variable FFNN_SIMD (e.g. ``FFNN_SIMD=scalar``) before import, or
call ``set_simd_level``, to choose another.

Every submodule is reachable from the package, imported on first use:
``ffnn.plots.learning_curve(history)`` after ``import ffnn`` alone. An
optional extra is imported only when it is needed (matplotlib when a plot is
drawn), so ``import ffnn`` stays quick.
"""
import importlib
import os

from ffnn import _core
from ffnn._checks import InputScaleWarning, SaturationWarning
from ffnn.book import neuralNetwork
from ffnn.distort import Distortion
from ffnn.network import NeuralNetwork

__version__ = "0.1.0"
__all__ = ["Distortion", "NeuralNetwork", "neuralNetwork", "simd_level", "simd_levels", "set_simd_level",
           "InputScaleWarning", "SaturationWarning", "__version__"]


# The documented submodules (docs/api.md), imported when first named.
SUBMODULES = ("augment", "book", "cli", "datasets", "distort", "draw", "export", "fetch", "gradcheck", "images",
              "network", "plots", "recipes", "schedules", "serialize", "sklearn")


def __getattr__(name: str):
    if name in SUBMODULES:
        return importlib.import_module(f"ffnn.{name}")  # also sets it as an attribute: found directly next time
    raise AttributeError(f"module 'ffnn' has no attribute {name!r}")


def simd_level() -> str:
    """The instruction set the kernels use now: "scalar", "avx2", "avx512" or "neon"."""
    return _core.simd_get()


def simd_levels() -> list[str]:
    """Every level this build can run on this CPU, slowest first."""
    return _core.simd_available()


def set_simd_level(name: str) -> None:
    """Use the kernels of another available level (for tests and benchmarks)."""
    _core.simd_set(name)


if os.environ.get("FFNN_SIMD"):
    # A level this CPU lacks, or a misspelt one, must not make the package
    # unusable: the best level stays in use, and the warning says so.
    try:
        set_simd_level(os.environ["FFNN_SIMD"])
    except ValueError:
        import warnings

        warnings.warn(
            f"FFNN_SIMD={os.environ['FFNN_SIMD']!r} is not a level this CPU runs "
            f"(available: {', '.join(simd_levels())}); using {simd_level()!r}",
            RuntimeWarning,
            stacklevel=2,
        )
