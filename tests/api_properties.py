"""Property-based checks of the public API, run one by one in a child process
by test_properties.py, so that a crash in the C core fails a test instead of
ending the test session.

Each property draws a network and arguments of random shapes, dtypes, memory
layouts and values, malformed ones included, and works out from the argument
alone what must happen: TypeError for non-real data and for integer arrays
other than uint8 inputs (pixels, scaled the book's way), ValueError for a
wrong shape or a NaN or infinity, otherwise the result of tests/reference.py.

Usage: python tests/api_properties.py NAME
"""
import sys
import warnings
from collections import Counter

import numpy as np
import reference
from hypothesis import given, settings
from hypothesis import strategies as st

import ffnn

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)
OUTCOMES = Counter()  # how the drawn calls ended, printed at the end
TOL = {np.dtype(np.float32): 2e-4, np.dtype(np.float64): 1e-10}

# Element types a caller might pass; the last five are never numbers, and
# the integer types are numbers only as uint8 inputs.
ARG_DTYPES = ["float64", "float32", "float16", ">f8", "int8", "int64", "uint8", "bool",
              "complex128", "object", "U8", "datetime64[s]", "V8"]


@st.composite
def networks(draw):
    n_in = draw(st.integers(1, 6))
    hidden = draw(st.lists(st.integers(1, 5), max_size=2))
    n_out = draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    lr = draw(st.floats(1e-3, 2.0))
    return ffnn.NeuralNetwork(n_in, hidden, n_out, lr, dtype=dtype, seed=draw(st.integers(0, 99)))


@st.composite
def arguments(draw, shape, low=-20.0, high=20.0, extremes=(np.nan, np.inf, -np.inf)):
    """An array of `shape` or of a nearby wrong shape, of any ARG_DTYPES
    type, possibly non-contiguous, possibly holding one of `extremes`."""
    if draw(st.integers(0, 4)) == 0:  # a wrong shape
        shape = draw(st.lists(st.integers(0, 5), max_size=3).map(tuple))
    size = int(np.prod(shape))
    values = np.array(draw(st.lists(st.floats(low, high), min_size=size, max_size=size)))
    if size and draw(st.integers(0, 4)) == 0:
        values[draw(st.integers(0, size - 1))] = draw(st.sampled_from(extremes))
    values = values.reshape(shape)
    # Half the time the network's own types, else any type at all.
    dtype = draw(st.sampled_from(ARG_DTYPES[:2] if draw(st.booleans()) else ARG_DTYPES))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        values = values.astype(dtype)
    if values.ndim and draw(st.booleans()):  # non-contiguous, same values
        values = np.repeat(values, 2, axis=-1)[..., ::2]
    return values


def as_network_type(values, dtype, integers="refused"):
    """What the network computes with, or None when the type must be refused.

    values is a NumPy array. Its integer types are "refused" (targets),
    "pixels" (inputs: uint8 scaled the book's way, others refused) or
    "numbers" (weights).
    """
    values = np.asarray(values)
    if integers == "pixels" and values.dtype == np.uint8:
        x = values.astype(dtype)
        return x / dtype.type(255) * dtype.type(0.99) + dtype.type(0.01)
    if values.dtype.kind not in ("biuf" if integers == "numbers" else "f"):
        return None
    with np.errstate(over="ignore"):
        return values.astype(dtype)


def vector_ok(arr, n):
    return arr.shape == (n,) or (arr.ndim == 2 and 1 in arr.shape and arr.size == n)


def first_error(stages):
    """The exception of the first failing check, in the order the API checks.

    stages: (exception, failed) pairs; None if every check passes.
    """
    return next((error for error, failed in stages if failed), None)


def expect_refusal(call, net, error):
    before = net.copy()
    try:
        call()
    except error:
        assert net == before, "a refused call changed the network"
        OUTCOMES[error.__name__] += 1
        return
    raise AssertionError(f"expected {error.__name__}")


def assert_close(actual, expected, dtype):
    expected = np.asarray(expected, dtype=np.float64)
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1.0)
    np.testing.assert_allclose(actual, expected, rtol=TOL[dtype], atol=TOL[dtype] * scale)


def assert_weights_close(net, weights):
    """The network's weights are the reference's: one more result checked."""
    for ours, theirs in zip(net.weights, weights):
        assert_close(ours, theirs, net.dtype)
    OUTCOMES["result"] += 1


@st.composite
def train_cases(draw):
    net = draw(networks())
    return net, draw(arguments((net.sizes[0],))), draw(arguments((net.sizes[-1],), 0.0, 1.0))


@SETTINGS
@given(train_cases())
def train(case):
    net, x, t = case
    cx, ct = as_network_type(x, net.dtype, integers="pixels"), as_network_type(t, net.dtype)
    error = first_error([
        (TypeError, cx is None),
        (ValueError, cx is not None and not vector_ok(cx, net.sizes[0])),
        (TypeError, ct is None),
        (ValueError, ct is not None and not vector_ok(ct, net.sizes[-1])),
        # Finiteness is checked last, once both are arrays of the right shape.
        (ValueError, not (cx is not None and ct is not None
                          and np.isfinite(cx).all() and np.isfinite(ct).all())),
    ])
    if error:
        return expect_refusal(lambda: net.train(x, t), net, error)
    weights = [w.copy() for w in net.weights]
    expected = reference.train(weights, cx.reshape(-1), ct.reshape(-1), net.dtype.type(net.lr))
    assert_close(net.train(x, t), expected, net.dtype)
    assert_weights_close(net, weights)


@st.composite
def query_cases(draw):
    net = draw(networks())
    shape = draw(st.sampled_from([(net.sizes[0],), (draw(st.integers(1, 4)), net.sizes[0])]))
    return net, draw(arguments(shape))


@SETTINGS
@given(query_cases())
def query(case):
    net, x = case
    cx = as_network_type(x, net.dtype, integers="pixels")
    if cx is None:
        return expect_refusal(lambda: net.query(x), net, TypeError)
    if cx.ndim not in (1, 2) or cx.size == 0 or cx.shape[-1] != net.sizes[0] or not np.isfinite(cx).all():
        return expect_refusal(lambda: net.query(x), net, ValueError)
    expected = np.array([reference.query(net.weights, row) for row in cx.reshape(-1, net.sizes[0])])
    got = net.query(x)
    assert got.dtype == net.dtype and got.shape == cx.shape[:-1] + (net.sizes[-1],)
    assert_close(got.reshape(expected.shape), expected, net.dtype)
    OUTCOMES["result"] += 1


@st.composite
def backquery_cases(draw):
    net = draw(networks())
    outside = (np.nan, np.inf, 0.0, 1.0, -0.5, 1.5)
    return net, draw(arguments((net.sizes[-1],), 0.01, 0.99, outside))


@SETTINGS
@given(backquery_cases())
def backquery(case):
    net, t = case
    ct = as_network_type(t, net.dtype)
    if ct is None:
        return expect_refusal(lambda: net.backquery(t), net, TypeError)
    if not vector_ok(ct, net.sizes[-1]) or not (np.isfinite(ct).all() and ((ct > 0) & (ct < 1)).all()):
        return expect_refusal(lambda: net.backquery(t), net, ValueError)
    got = net.backquery(t)
    assert got.dtype == net.dtype and got.shape == (net.sizes[0],)
    assert_close(got, reference.backquery(net.weights, ct.reshape(-1)), net.dtype)
    OUTCOMES["result"] += 1


@st.composite
def fit_cases(draw):
    net = draw(networks())
    n = draw(st.integers(1, 6))
    if draw(st.booleans()):
        X = np.array(draw(st.lists(st.integers(0, 255), min_size=n * net.sizes[0],
                                   max_size=n * net.sizes[0])), np.uint8).reshape(n, -1)
    else:
        X = draw(arguments((n, net.sizes[0]), 0.0, 1.0))
    if draw(st.booleans()):
        y = np.array(draw(st.lists(st.integers(-1, net.sizes[-1]), min_size=n, max_size=n)))
        y = y if draw(st.integers(0, 5)) else y[:-1]  # sometimes one label short
    else:
        y = draw(arguments((n, net.sizes[-1]), 0.0, 1.0))
    return net, X, y


@SETTINGS
@given(fit_cases())
def fit(case):
    net, X, y = case
    x = as_network_type(X, net.dtype, integers="pixels")
    n_out = net.sizes[-1]
    label_form = np.asarray(y).ndim == 1
    cy = as_network_type(y, net.dtype)
    x_ok = x is not None and x.ndim == 2 and len(x) and x.shape[1] == net.sizes[0]
    # Labels are integers; a target matrix is floating-point.
    y_type_ok = np.asarray(y).dtype.kind in "biu" if label_form else cy is not None
    if label_form and y_type_ok:
        y_ok = x_ok and y.shape == (len(x),) and y.min() >= 0 and y.max() < n_out
    else:
        y_ok = x_ok and y_type_ok and cy.shape == (len(x), n_out) and np.isfinite(cy).all()
    error = first_error([
        (TypeError, x is None),
        (ValueError, not x_ok or not np.isfinite(x).all()),
        (TypeError, not y_type_ok),
        (ValueError, not y_ok),
    ])
    if error:
        return expect_refusal(lambda: net.fit(X, y, shuffle=False), net, error)
    if label_form:
        targets = np.full((len(y), n_out), 0.01, net.dtype)
        targets[np.arange(len(y)), y] = 0.99
    else:
        targets = cy
    weights = [w.copy() for w in net.weights]
    losses = [reference.train(weights, xi, ti, net.dtype.type(net.lr)) for xi, ti in zip(x, targets)]
    history = net.fit(X, y, shuffle=False)
    assert_close(history["loss"], [np.mean(losses)], net.dtype)
    assert_weights_close(net, weights)


@st.composite
def weight_cases(draw):
    net = draw(networks())
    return net, [draw(arguments(w.shape, -3.0, 3.0)) for w in net.weights]


@SETTINGS
@given(weight_cases())
def weights(case):
    net, matrices = case
    converted = [as_network_type(m, net.dtype, integers="numbers") for m in matrices]

    def assign():
        net.weights = matrices

    stages = []
    for c, w in zip(converted, net.weights):
        stages += [(TypeError, c is None),
                   (ValueError, c is not None and (c.shape != w.shape or not np.isfinite(c).all()))]
    error = first_error(stages)
    if error:
        return expect_refusal(assign, net, error)
    assign()
    for ours, theirs in zip(net.weights, converted):
        np.testing.assert_array_equal(ours, theirs)
        assert ours.flags.c_contiguous and ours.flags.writeable
    OUTCOMES["result"] += 1


BAD_COUNTS = st.one_of(st.integers(-3, 0), st.floats(-2, 6), st.sampled_from([np.nan, np.inf, -np.inf]),
                       st.sampled_from([2**62, 2**70, "3", None, True, 2j, 3.0, np.int8(2)]))
# Three in four counts are plain positive integers, so that some networks get built.
COUNTS = st.integers(0, 3).flatmap(lambda k: st.integers(1, 6) if k else BAD_COUNTS)
RATES = st.integers(0, 3).flatmap(
    lambda k: st.floats(1e-6, 10) if k else st.one_of(st.floats(), st.sampled_from(["0.1", None, 1e300])))


@SETTINGS
@given(COUNTS, st.one_of(COUNTS, st.lists(COUNTS, max_size=2)), COUNTS,
       RATES,
       st.sampled_from([np.float32, np.float64]))
def construct(n_in, hidden, n_out, lr, dtype):
    counts = [n_in, *(hidden if isinstance(hidden, list) else [hidden]), n_out]
    try:
        net = ffnn.NeuralNetwork(n_in, hidden, n_out, lr, dtype=dtype)
    except (TypeError, ValueError, MemoryError) as exc:
        OUTCOMES[type(exc).__name__] += 1
        return
    # Built: then every count was a whole positive number and lr positive and finite.
    assert all(float(c) == int(c) > 0 for c in counts if not isinstance(c, str))
    assert net.sizes == tuple(int(c) for c in counts)
    assert 0 < net.lr < float("inf") and np.isfinite(net.dtype.type(net.lr))
    OUTCOMES["result"] += 1


PROPERTIES = {f.__name__: f for f in (train, query, backquery, fit, weights, construct)}

if __name__ == "__main__":
    PROPERTIES[sys.argv[1]]()
    print(f"property {sys.argv[1]} held: {dict(OUTCOMES)}")
