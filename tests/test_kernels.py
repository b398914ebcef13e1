"""Each C kernel against NumPy, on odd sizes and both dtypes."""
import numpy as np
import pytest
import reference
from conftest import DTYPES, assert_close

from ffnn import _core, _testing

SIZES = [1, 3, 17, 785]
# Element-wise functions are held to a few units in the last place.
TOL = {np.float32: 1e-6, np.float64: 1e-15}


def test_compiled_core_is_loaded():
    assert _core.__file__.endswith((".so", ".pyd")), _core.__file__


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("cols", SIZES)
def test_matvec_and_transpose_match_numpy(rows, cols, dtype):
    rng = np.random.default_rng(rows * 1000 + cols)
    w = rng.normal(size=(rows, cols)).astype(dtype)
    x = rng.normal(size=cols).astype(dtype)
    e = rng.normal(size=rows).astype(dtype)
    y = np.empty(rows, dtype)
    _testing.matvec(w, x, y)
    assert_close(y, w.astype(np.float64) @ x.astype(np.float64), dtype)
    z = np.empty(cols, dtype)
    _testing.matvec_t(w, e, z)
    assert_close(z, w.T.astype(np.float64) @ e.astype(np.float64), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("cols", SIZES)
def test_outer_update_matches_numpy(rows, cols, dtype):
    rng = np.random.default_rng(rows + 7 * cols)
    w = rng.normal(size=(rows, cols)).astype(dtype)
    a, b = rng.normal(size=rows).astype(dtype), rng.normal(size=cols).astype(dtype)
    expected = w + dtype(0.3) * np.outer(a, b)
    _testing.outer_update(w, dtype(0.3), a, b)
    assert_close(w, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_sigmoid_and_logit_match_numpy(n, dtype):
    x = np.linspace(-30, 30, n).astype(dtype)
    y = np.empty_like(x)
    _core.sigmoid(x, y)
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-x.astype(np.float64))), rtol=TOL[dtype])
    back = np.empty_like(x)
    inner = np.clip(y, 1e-6, 1 - 1e-6).astype(dtype)
    _core.logit(inner, back)
    expected = reference.logit(inner.astype(np.float64))
    np.testing.assert_allclose(back, expected, rtol=10 * TOL[dtype], atol=100 * TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_finite_and_exact_at_extremes(dtype):
    x = np.array([-1e4, -1000, -100, -50, 0, 50, 100, 1000, 1e4], dtype)
    y = np.empty_like(x)
    with np.errstate(all="raise"):
        _core.sigmoid(x, y)
    assert np.isfinite(y).all()
    assert y[0] == 0 and y[-1] == 1 and y[4] == 0.5
    assert np.all(np.diff(y) >= 0)


def test_kernels_reject_mismatched_sizes():
    w = np.zeros((3, 4))
    with pytest.raises(ValueError, match="matvec"):
        _testing.matvec(w, np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="outer update"):
        _testing.outer_update(w, 1.0, np.zeros(4), np.zeros(4))
