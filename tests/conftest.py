import importlib
import os

import numpy as np
import pytest

import ffnn
from ffnn.datasets import load_sample, make_targets, scale_inputs

FULL_MNIST = os.environ.get(
    "FFNN_MNIST_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist"),
)

# What the tests run over: the network's two dtypes and its three update rules.
DTYPES = [np.float32, np.float64]
RULES = ["book", "mse", "cross_entropy"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"  # the first bytes of every PNG file


def optional_module(name):
    """The module, or a skip saying why it cannot be imported.

    pytest.importorskip skips only for ImportError; an optional package
    that is installed but broken (built against another NumPy: an
    AttributeError or a SystemError from its extension) must skip too.
    """
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001  (any failure of a third party's import)
        pytest.skip(f"{name} cannot be imported ({type(exc).__name__}: {exc})")


# float64 is held to the reference within 1e-12, float32 within 1e-5 (relative
# to the size of the values compared).
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}


def assert_close(actual, expected, dtype, scale=None):
    """Equal within the dtype's tolerance, relative to ``scale``.

    ``scale`` is the size of the values the result was computed from, by
    default the largest expected value; a result that cancelled down from
    larger values (a weight that crossed zero) needs those values' size.
    """
    tol = TOLERANCE[np.dtype(dtype).type]
    expected = np.asarray(expected)
    if scale is None:
        scale = float(np.max(np.abs(expected), initial=0.0))
    scale = max(scale, 1e-30)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale)


def assert_loss_close(actual, expected, dtype):
    """A sample's squared error sum((t - o) ** 2) equal within the dtype's tolerance.

    An output off by d moves its term by 2 (t - o) d + d ** 2; with d about
    tol * |o| (outputs are below 1) near a perfect fit that is far more than
    tol * sum, so the bound grows with sqrt(sum), plus the d ** 2 terms.
    """
    tol = TOLERANCE[np.dtype(dtype).type]
    expected = float(expected)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=4 * tol * expected**0.5 + 16 * tol**2)


def network_like(weights, lr, dtype):
    """An ffnn network holding copies of the given reference weights."""
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    net = ffnn.NeuralNetwork(sizes[0], sizes[1:-1], sizes[-1], lr, dtype=dtype)
    net.weights = weights
    return net


@pytest.fixture(params=ffnn.simd_levels())
def level(request):
    """Each SIMD level this build can run here, in turn; the default is restored after."""
    before = ffnn.simd_level()
    ffnn.set_simd_level(request.param)
    yield request.param
    ffnn.set_simd_level(before)


@pytest.fixture(scope="session")
def sample():
    return load_sample()


@pytest.fixture(scope="session")
def sample_arrays(sample):
    """The sample's first training images and targets in the book's scaling, float64."""
    return scale_inputs(sample.train_images[:1000]), make_targets(sample.train_labels[:1000])


@pytest.fixture(scope="session")
def full_mnist_dir():
    if not os.path.exists(os.path.join(FULL_MNIST, "train-images-idx3-ubyte.gz")):
        pytest.skip(f"full MNIST not found in {FULL_MNIST}")
    return FULL_MNIST
