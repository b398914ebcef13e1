"""Bad input is a clear exception that leaves the network untouched; odd but
valid input (other dtypes, memory layouts, lists) gives the clean result."""
import gzip
import re

import numpy as np
import pytest
from conftest import DTYPES

import ffnn
from ffnn.datasets import make_targets, parse_idx, read_idx, scale_inputs

N_IN, N_HID, N_OUT = 4, 3, 2
NAN, INF = float("nan"), float("inf")

GOOD_X = [0.1, 0.2, 0.3, 0.4]
GOOD_T = [0.99, 0.01]
GOOD_XS = np.full((3, N_IN), 0.5)
GOOD_LABELS = np.array([0, 1, 0])


def net_of(dtype=np.float64):
    return ffnn.NeuralNetwork(N_IN, N_HID, N_OUT, 0.1, dtype=dtype, seed=3)


def call(method, *args, **kwargs):
    return lambda net: getattr(net, method)(*args, **kwargs)


def assign(attribute, value):
    return lambda net: setattr(net, attribute, value)


def shape_msg(expected, actual):
    return re.escape(f"must have shape {expected}") + ".*" + re.escape(str(actual))


# (id, call on a 4-3-2 network, exception, message pattern)
BAD_CALLS = [
    # train: shapes
    ("train-short-inputs", call("train", [0.1] * 3, GOOD_T), ValueError, shape_msg("(4,)", "(3,)")),
    ("train-long-inputs", call("train", [0.1] * 5, GOOD_T), ValueError, shape_msg("(4,)", "(5,)")),
    ("train-empty-inputs", call("train", [], GOOD_T), ValueError, shape_msg("(4,)", "(0,)")),
    ("train-scalar-inputs", call("train", 0.5, GOOD_T), ValueError, shape_msg("(4,)", "()")),
    ("train-matrix-inputs", call("train", np.zeros((2, 4)), GOOD_T), ValueError, shape_msg("(4,)", "(2, 4)")),
    ("train-3d-inputs", call("train", np.zeros((1, 1, 4)), GOOD_T), ValueError, shape_msg("(4,)", "(1, 1, 4)")),
    ("train-short-targets", call("train", GOOD_X, [0.5]), ValueError, shape_msg("(2,)", "(1,)")),
    ("train-empty-targets", call("train", GOOD_X, []), ValueError, shape_msg("(2,)", "(0,)")),
    ("train-ragged-inputs", call("train", [[0.1, 0.2], [0.3]], GOOD_T), ValueError, "inhomogeneous"),
    # train: values
    ("train-nan-inputs", call("train", [0.1, NAN, 0.3, 0.4], GOOD_T), ValueError, "finite"),
    ("train-inf-inputs", call("train", [0.1, INF, 0.3, 0.4], GOOD_T), ValueError, "finite"),
    ("train-neginf-inputs", call("train", [-INF, 0.2, 0.3, 0.4], GOOD_T), ValueError, "finite"),
    ("train-nan-targets", call("train", GOOD_X, [NAN, 0.01]), ValueError, "finite"),
    ("train-inf-targets", call("train", GOOD_X, [0.99, INF]), ValueError, "finite"),
    # train: types
    ("train-str-inputs", call("train", ["a", "b", "c", "d"], GOOD_T), TypeError, "real numbers"),
    ("train-str-scalar", call("train", "0.1 0.2", GOOD_T), TypeError, "real numbers"),
    ("train-object-inputs", call("train", np.array([0.1, None, 0.3, 0.4]), GOOD_T), TypeError, "object"),
    ("train-complex-inputs", call("train", np.ones(4, complex), GOOD_T), TypeError, "complex"),
    ("train-complex-targets", call("train", GOOD_X, [0.5 + 1j, 0.5]), TypeError, "complex"),
    ("train-none-inputs", call("train", None, GOOD_T), TypeError, "object"),
    ("train-dict-inputs", call("train", {"a": 1}, GOOD_T), TypeError, "object"),
    ("train-datetime-inputs", call("train", np.zeros(4, "datetime64[s]"), GOOD_T), TypeError, "datetime"),
    ("train-huge-int-inputs", call("train", [2**100, 0, 0, 0], GOOD_T), TypeError, "object"),
    # query
    ("query-wide-row", call("query", np.zeros(5)), ValueError, r"\(4,\) or \(n, 4\).*\(5,\)"),
    ("query-wide-batch", call("query", np.zeros((2, 5))), ValueError, r"\(n, 4\).*\(2, 5\)"),
    ("query-empty-batch", call("query", np.zeros((0, 4))), ValueError, r"n >= 1.*\(0, 4\)"),
    ("query-empty", call("query", []), ValueError, r"n >= 1.*\(0,\)"),
    ("query-scalar", call("query", 1.0), ValueError, r"got \(\)"),
    ("query-3d", call("query", np.zeros((1, 2, 4))), ValueError, r"\(1, 2, 4\)"),
    ("query-nan", call("query", [[0.1, 0.2, 0.3, NAN]]), ValueError, "finite"),
    ("query-inf", call("query", [INF, 0.2, 0.3, 0.4]), ValueError, "finite"),
    ("query-str", call("query", ["1", "2", "3", "4"]), TypeError, "real numbers"),
    ("query-complex", call("query", np.zeros(4, complex)), TypeError, "complex"),
    ("query-object", call("query", np.array([1, 2, 3, 4], object)), TypeError, "object"),
    # backquery
    ("backquery-zero", call("backquery", [0.0, 0.5]), ValueError, "strictly between 0 and 1"),
    ("backquery-one", call("backquery", [0.5, 1.0]), ValueError, "strictly between 0 and 1"),
    ("backquery-negative", call("backquery", [-0.5, 0.5]), ValueError, "strictly between 0 and 1"),
    ("backquery-above-one", call("backquery", [0.5, 2.0]), ValueError, "strictly between 0 and 1"),
    ("backquery-nan", call("backquery", [NAN, 0.5]), ValueError, "finite"),
    ("backquery-inf", call("backquery", [INF, 0.5]), ValueError, "finite"),
    ("backquery-short", call("backquery", [0.5]), ValueError, shape_msg("(2,)", "(1,)")),
    ("backquery-empty", call("backquery", []), ValueError, shape_msg("(2,)", "(0,)")),
    ("backquery-complex", call("backquery", [0.5j, 0.5]), TypeError, "complex"),
    # fit: X
    ("fit-wide-X", call("fit", np.zeros((3, 5)), GOOD_LABELS), ValueError, r"\(n, 4\).*\(3, 5\)"),
    ("fit-1d-X", call("fit", np.zeros(4), GOOD_LABELS), ValueError, r"\(n, 4\).*\(4,\)"),
    ("fit-empty-X", call("fit", np.zeros((0, 4)), []), ValueError, r"n >= 1.*\(0, 4\)"),
    ("fit-empty-pixels", call("fit", np.zeros((0, 4), np.uint8), []), ValueError, r"n >= 1.*\(0, 4\)"),
    ("fit-wide-pixels", call("fit", np.zeros((3, 5), np.uint8), GOOD_LABELS), ValueError, r"\(n, 4\).*\(3, 5\)"),
    ("fit-nan-X", call("fit", np.full((3, 4), NAN), GOOD_LABELS), ValueError, "X must be finite"),
    ("fit-inf-X", call("fit", np.full((3, 4), -INF), GOOD_LABELS), ValueError, "X must be finite"),
    ("fit-str-X", call("fit", np.full((3, 4), "x"), GOOD_LABELS), TypeError, "X must hold real numbers"),
    ("fit-complex-X", call("fit", np.zeros((3, 4), complex), GOOD_LABELS), TypeError, "complex"),
    # fit: y
    ("fit-few-labels", call("fit", GOOD_XS, [0, 1]), ValueError, shape_msg("(3,)", "(2,)")),
    ("fit-many-labels", call("fit", GOOD_XS, [0, 1, 0, 1]), ValueError, shape_msg("(3,)", "(4,)")),
    ("fit-label-too-big", call("fit", GOOD_XS, [0, 1, 2]), ValueError, r"0\.\.1, got 0\.\.2"),
    ("fit-label-negative", call("fit", GOOD_XS, [0, -1, 1]), ValueError, r"0\.\.1, got -1\.\.1"),
    ("fit-label-huge", call("fit", GOOD_XS, np.array([0, 1, 2**63], np.uint64)), ValueError, "0..1"),
    ("fit-float-labels", call("fit", GOOD_XS, [0.0, 1.0, 0.0]), TypeError, "integer labels"),
    ("fit-str-labels", call("fit", GOOD_XS, ["0", "1", "0"]), TypeError, "integer labels"),
    ("fit-targets-shape", call("fit", GOOD_XS, np.zeros((3, 3))), ValueError, shape_msg("(3, 2)", "(3, 3)")),
    ("fit-targets-rows", call("fit", GOOD_XS, np.zeros((2, 2))), ValueError, shape_msg("(3, 2)", "(2, 2)")),
    ("fit-targets-nan", call("fit", GOOD_XS, np.full((3, 2), NAN)), ValueError, "y must be finite"),
    ("fit-labels-3d", call("fit", GOOD_XS, np.zeros((3, 2, 1))), ValueError, shape_msg("(3, 2)", "(3, 2, 1)")),
    # fit: other arguments, all checked before the first epoch
    ("fit-zero-epochs", call("fit", GOOD_XS, GOOD_LABELS, 0), ValueError, "epochs must be at least 1"),
    ("fit-negative-epochs", call("fit", GOOD_XS, GOOD_LABELS, -2), ValueError, "epochs must be at least 1"),
    ("fit-fractional-epochs", call("fit", GOOD_XS, GOOD_LABELS, 1.5), ValueError, "epochs must be a whole"),
    ("fit-str-epochs", call("fit", GOOD_XS, GOOD_LABELS, "2"), TypeError, "epochs must be an integer"),
    ("fit-bad-callback", call("fit", GOOD_XS, GOOD_LABELS, callback=3), TypeError, "callback must be callable"),
    ("fit-validation-single", call("fit", GOOD_XS, GOOD_LABELS, validation=GOOD_XS), TypeError, "pair"),
    ("fit-validation-wide", call("fit", GOOD_XS, GOOD_LABELS, validation=(np.zeros((2, 5)), [0, 1])), ValueError, r"X_val.*\(2, 5\)"),
    ("fit-validation-labels", call("fit", GOOD_XS, GOOD_LABELS, validation=(GOOD_XS, [0, 5, 1])), ValueError, r"labels_val must lie in 0\.\.1"),
    # predict and score
    ("predict-wide", call("predict", np.zeros((2, 5))), ValueError, r"\(n, 4\).*\(2, 5\)"),
    ("predict-nan", call("predict", np.full((2, 4), NAN)), ValueError, "finite"),
    ("predict-complex", call("predict", np.zeros((2, 4), complex)), TypeError, "complex"),
    ("score-few-labels", call("score", GOOD_XS, [0, 1]), ValueError, shape_msg("(3,)", "(2,)")),
    ("score-label-out-of-range", call("score", GOOD_XS, [0, 1, 7]), ValueError, r"0\.\.1, got 0\.\.7"),
    ("score-str-labels", call("score", GOOD_XS, ["a", "b", "c"]), TypeError, "integer labels"),
    ("score-empty", call("score", np.zeros((0, 4)), []), ValueError, r"n >= 1"),
    ("score-1d-X", call("score", GOOD_X, [0]), ValueError, r"\(n, 4\).*\(4,\)"),
    # gradients
    ("gradients-wide", call("gradients", np.zeros(5), GOOD_T), ValueError, r"\(4,\) or \(n, 4\).*\(5,\)"),
    ("gradients-targets", call("gradients", GOOD_XS, np.zeros((2, 2))), ValueError, shape_msg("(3, 2)", "(2, 2)")),
    ("gradients-empty", call("gradients", np.zeros((0, 4)), np.zeros((0, 2))), ValueError, r"\(0, 4\)"),
    ("gradients-nan", call("gradients", GOOD_X, [NAN, 0.5]), ValueError, "targets must be finite"),
    ("gradients-complex", call("gradients", np.zeros(4, complex), GOOD_T), TypeError, "complex"),
    # weights
    ("wih-transposed", assign("wih", np.zeros((4, 3))), ValueError, shape_msg("(3, 4)", "(4, 3)")),
    ("who-1d", assign("who", np.zeros(6)), ValueError, shape_msg("(2, 3)", "(6,)")),
    ("wih-nan", assign("wih", np.full((3, 4), NAN)), ValueError, "wih must be finite"),
    ("who-inf", assign("who", np.full((2, 3), INF)), ValueError, "who must be finite"),
    ("who-str", assign("who", np.full((2, 3), "w")), TypeError, "who must hold real numbers"),
    ("who-complex", assign("who", np.zeros((2, 3), complex)), TypeError, "complex"),
    ("weights-count", assign("weights", [np.zeros((3, 4))]), ValueError, "expected 2 weight matrices, got 1"),
    ("weights-second-nan", assign("weights", [np.zeros((3, 4)), np.full((2, 3), NAN)]), ValueError, r"weights\[1\] must be finite"),
    ("weights-second-shape", assign("weights", [np.zeros((3, 4)), np.zeros((3, 3))]), ValueError, shape_msg("(2, 3)", "(3, 3)")),
    ("weights-not-iterable", assign("weights", 3), TypeError, "not iterable"),
    # learning rate and rule
    ("lr-zero", assign("learning_rate", 0.0), ValueError, "learning_rate"),
    ("lr-negative", assign("learning_rate", -0.1), ValueError, "learning_rate"),
    ("lr-nan", assign("learning_rate", NAN), ValueError, "learning_rate"),
    ("lr-inf", assign("learning_rate", INF), ValueError, "learning_rate"),
    ("lr-str", assign("learning_rate", "0.1"), TypeError, "learning_rate must be a real number"),
    ("lr-none", assign("learning_rate", None), TypeError, "learning_rate must be a real number"),
    ("lr-complex", assign("learning_rate", 0.1j), TypeError, "learning_rate must be a real number"),
    ("lr-bool", assign("learning_rate", True), TypeError, "learning_rate must be a real number"),
    ("rule-unknown", assign("rule", "sgd"), ValueError, "rule must be one of"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "bad_call, error, message", [case[1:] for case in BAD_CALLS], ids=[case[0] for case in BAD_CALLS]
)
def test_bad_call_is_a_clear_error_and_changes_nothing(bad_call, error, message, dtype):
    net = net_of(dtype)
    before = net.copy()
    with pytest.raises(error, match=message):
        bad_call(net)
    assert net == before and net.learning_rate == 0.1 and net.rule == "book"
    net.train(GOOD_X, GOOD_T)  # still usable


# (id, NeuralNetwork arguments, exception, message pattern)
BAD_CONSTRUCTIONS = [
    ("input-zero", (0, 3, 2, 0.1), ValueError, "input_nodes must be at least 1, got 0"),
    ("output-negative", (4, 3, -2, 0.1), ValueError, "output_nodes must be at least 1, got -2"),
    ("hidden-zero", (4, 0, 2, 0.1), ValueError, "hidden_nodes must be at least 1"),
    ("hidden-list-zero", (4, [3, 0], 2, 0.1), ValueError, r"hidden_nodes\[1\] must be at least 1"),
    ("hidden-fraction", (4, 2.5, 2, 0.1), ValueError, "hidden_nodes must be a whole number, got 2.5"),
    ("input-nan", (NAN, 3, 2, 0.1), ValueError, "input_nodes must be a whole number"),
    ("input-inf", (INF, 3, 2, 0.1), ValueError, "input_nodes must be a whole number"),
    ("hidden-str", (4, "3", 2, 0.1), TypeError, "hidden_nodes must be an integer, not str"),
    ("hidden-none", (4, None, 2, 0.1), TypeError, "hidden_nodes must be an integer"),
    ("output-bool", (4, 3, True, 0.1), TypeError, "output_nodes must be an integer, not bool"),
    ("input-complex", (4j, 3, 2, 0.1), TypeError, "input_nodes must be an integer"),
    ("lr-zero", (4, 3, 2, 0.0), ValueError, "learning_rate"),
    ("lr-negative", (4, 3, 2, -1.0), ValueError, "learning_rate"),
    ("lr-nan", (4, 3, 2, NAN), ValueError, "learning_rate"),
    ("lr-inf", (4, 3, 2, -INF), ValueError, "learning_rate"),
    ("lr-str", (4, 3, 2, "0.1"), TypeError, "learning_rate"),
    ("huge-matrix", (2**40, 2**40, 1, 0.1), MemoryError, "cannot be addressed"),
    ("huge-beyond-int64", (2**70, 2**70, 1, 0.1), MemoryError, "cannot be addressed"),
]


@pytest.mark.parametrize(
    "args, error, message",
    [case[1:] for case in BAD_CONSTRUCTIONS],
    ids=[case[0] for case in BAD_CONSTRUCTIONS],
)
def test_bad_construction_is_a_clear_error(args, error, message):
    with pytest.raises(error, match=message):
        ffnn.NeuralNetwork(*args)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"dtype": np.int32}, TypeError, "float32 or float64"),
        ({"dtype": np.float16}, TypeError, "float32 or float64"),
        ({"dtype": "no such type"}, TypeError, "float32 or float64"),
        ({"dtype": np.complex128}, TypeError, "float32 or float64"),
        ({"rule": "adam"}, ValueError, "rule must be one of"),
    ],
)
def test_bad_keyword_is_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        ffnn.NeuralNetwork(4, 3, 2, 0.1, **kwargs)


def test_learning_rate_must_be_finite_in_float32():
    # 1e300 is a fine float64 but infinity in float32.
    ffnn.NeuralNetwork(4, 3, 2, 1e300, dtype=np.float64)
    with pytest.raises(ValueError, match=r"finite number > 0 \(in float32\)"):
        ffnn.NeuralNetwork(4, 3, 2, 1e300, dtype=np.float32)
    net = net_of(np.float32)
    with pytest.raises(ValueError, match=r"finite number > 0 \(in float32\)"):
        net.learning_rate = 1e-300  # rounds to 0 in float32


def test_inputs_beyond_float32_range_are_named():
    net = net_of(np.float32)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        net.query([1e300, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        net.train([1e300, 0.0, 0.0, 0.0], GOOD_T)


@pytest.mark.parametrize("node_count", [4.0, np.int64(4), np.uint8(4), np.float32(4.0)])
def test_whole_numbers_of_any_type_are_node_counts(node_count):
    net = ffnn.NeuralNetwork(node_count, np.int32(3), 2, np.float32(0.5))
    assert net.sizes == (4, 3, 2) and type(net.sizes[0]) is int


# ---- accepted and converted: results equal to the clean case ---------------


def as_list(a):
    return a.tolist()


def strided(a):
    """A non-contiguous view holding the same values."""
    return np.repeat(a, 2, axis=-1)[..., ::2]


def read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


def byte_swapped(a):
    return a.astype(a.dtype.newbyteorder())


FORMS = {
    "list": as_list,
    "tuple": lambda a: tuple(a.tolist()),
    "int-list": lambda a: a.astype(int).tolist(),  # Python ints are real numbers
    "float16": lambda a: a.astype(np.float16),
    "float32": lambda a: a.astype(np.float32),
    "float64": lambda a: a.astype(np.float64),
    "strided": strided,
    "fortran": np.asfortranarray,
    "transposed-copy": lambda a: np.ascontiguousarray(a.T).T,
    "read-only": read_only,
    "byte-swapped": byte_swapped,
}
# NumPy integer arrays other than uint8 pixels: refused as inputs and targets.
INTEGER_FORMS = {
    "int64": lambda a: a.astype(np.int64),
    "int32": lambda a: a.astype(np.int32),
    "uint16": lambda a: a.astype(np.uint16),
    "int8": lambda a: a.astype(np.int8),
    "bool": lambda a: a.astype(bool),
}
# 0 and 1 are exact in every form above.
BINARY_X = np.array([1.0, 0.0, 1.0, 1.0])
BINARY_T = np.array([1.0, 0.0])
BINARY_XS = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
BINARY_TS = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])


def outcome(dtype, x, t, xs, ts):
    """Everything the public API computes from these arguments."""
    net = net_of(dtype)
    loss = net.train(x, t)
    query_one, query_batch = net.query(x), net.query(xs)
    history = net.fit(xs, ts, epochs=2, seed=0)
    predicted = net.predict(xs)
    return net, [loss, query_one, query_batch, history["loss"], predicted]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", FORMS)
def test_other_dtypes_and_layouts_give_the_clean_result(form, dtype):
    convert = FORMS[form]
    clean_net, clean = outcome(dtype, BINARY_X, BINARY_T, BINARY_XS, BINARY_TS)
    net, results = outcome(
        dtype, convert(BINARY_X), convert(BINARY_T), convert(BINARY_XS), convert(BINARY_TS)
    )
    assert net == clean_net
    for got, expected in zip(results, clean):
        np.testing.assert_array_equal(got, expected)
        assert np.asarray(got).dtype == np.asarray(expected).dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", ["list", "float16", "strided", "read-only", "byte-swapped"])
def test_backquery_and_weight_assignment_accept_other_forms(form, dtype):
    convert = FORMS[form]
    targets = np.array([0.25, 0.75])  # exact in float16 too
    weights = [np.full((3, 4), 0.5), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])]
    clean, other = net_of(dtype), net_of(dtype)
    clean.weights = weights
    other.weights = [convert(w) for w in weights]
    assert other == clean and all(w.flags.c_contiguous and w.flags.writeable for w in other.weights)
    np.testing.assert_array_equal(other.backquery(convert(targets)), clean.backquery(targets))
    other.wih, other.who = (convert(w) for w in weights)
    assert other == clean


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", INTEGER_FORMS)
def test_integer_arrays_are_refused_as_inputs_and_targets(form, dtype):
    convert = INTEGER_FORMS[form]
    x, t, xs, ts = (convert(a) for a in (BINARY_X, BINARY_T, BINARY_XS, BINARY_TS))
    kind = np.dtype(x.dtype).name
    calls = [
        ("inputs", lambda net: net.train(x, BINARY_T)),
        ("targets", lambda net: net.train(BINARY_X, t)),
        ("inputs", lambda net: net.query(xs)),
        ("X", lambda net: net.predict(xs)),
        ("X", lambda net: net.score(xs, [0, 1, 0])),
        ("X", lambda net: net.fit(xs, [0, 1, 0])),
        ("y", lambda net: net.fit(BINARY_XS, ts)),
        ("X_val", lambda net: net.fit(BINARY_XS, [0, 1, 0], validation=(xs, [0, 1, 0]))),
        ("inputs", lambda net: net.gradients(x, BINARY_T)),
        ("targets", lambda net: net.gradients(BINARY_X, t)),
        ("targets", lambda net: net.backquery(convert(np.array([0, 1])))),
    ]
    for name, bad_call in calls:
        net = net_of(dtype)
        before = net.copy()
        with pytest.raises(TypeError, match=rf"^{name} is a NumPy array of {kind}; pass .*floating-point"):
            bad_call(net)
        assert net == before


def test_integer_inputs_error_says_what_to_pass():
    with pytest.raises(TypeError) as info:
        net_of().query(np.array([0, 255, 3, 9]))
    assert str(info.value) == (
        "inputs is a NumPy array of int64; pass uint8 pixels (0..255, scaled the book's way) "
        "or floating-point inputs (e.g. scale_inputs(x) or x.astype(float))"
    )


def test_uint8_targets_are_not_pixels():
    pixels = np.array([255, 0], np.uint8)
    with pytest.raises(TypeError, match="targets is a NumPy array of uint8, but only inputs are pixels"):
        net_of().train(GOOD_X, pixels)
    with pytest.raises(TypeError, match="y is a NumPy array of uint8"):
        net_of().fit(GOOD_XS, np.zeros((3, N_OUT), np.uint8))


def test_python_ints_are_real_numbers():
    a, b = net_of(), net_of()
    assert a.train([0, 1, 0, 1], [1, 0]) == b.train([0.0, 1.0, 0.0, 1.0], [1.0, 0.0])
    assert a == b
    np.testing.assert_array_equal(a.query([[0, 1, 1, 0]]), b.query(np.array([[0.0, 1.0, 1.0, 0.0]])))


LABEL_FORMS = {**FORMS, **INTEGER_FORMS}


@pytest.mark.parametrize("form", ["int64", "int32", "uint16", "bool", "strided", "read-only", "list"])
def test_labels_in_other_forms_give_the_clean_result(form):
    labels = np.array([1, 0, 1])
    a, b = net_of(), net_of()
    a.fit(BINARY_XS, labels, seed=1)
    b.fit(BINARY_XS, LABEL_FORMS[form](labels), seed=1)
    assert a == b
    assert a.score(BINARY_XS, labels) == b.score(BINARY_XS, LABEL_FORMS[form](labels))


def test_pixels_in_other_layouts_give_the_clean_result():
    pixels = np.array([[0, 255, 128, 3], [9, 0, 0, 250]], np.uint8)
    a, b = net_of(), net_of()
    a.fit(pixels, [0, 1], seed=2)
    b.fit(np.asfortranarray(pixels), [0, 1], seed=2)
    assert a == b
    np.testing.assert_array_equal(a.predict(pixels), b.predict(read_only(pixels)))


# ---- loaders ---------------------------------------------------------------


def idx_header(type_code, shape):
    return bytes([0, 0, type_code, len(shape)]) + np.array(shape, ">u4").tobytes()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "bad magic"),
        (b"\x00\x00\x07\x01", "bad magic"),  # unknown element type
        (idx_header(0x08, [2**32 - 1] * 3), "header promises"),  # sizes beyond memory
        (idx_header(0x08, [2**16, 2**16, 2**16, 2**16]), "header promises"),  # 2**64: no wrap to 0
        (idx_header(0x0E, [3]) + bytes(23), "header promises"),  # one byte short
        (idx_header(0x08, [255] * 255)[:100], "truncated header"),
    ],
)
def test_hostile_idx_headers_are_refused(data, message):
    with pytest.raises(ValueError, match=message):
        parse_idx(data, "f.idx")


def test_corrupt_gzip_body_is_a_clear_error(tmp_path):
    packed = bytearray(gzip.compress(bytes(range(256)) * 64))
    packed[20:40] = bytes(20)  # damage the deflate stream, keep the gzip header
    path = tmp_path / "x-idx1-ubyte.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(ValueError, match="cannot be read"):
        read_idx(path)
    with pytest.raises(ValueError, match="cannot be read"):
        read_idx(tmp_path / "missing-idx1-ubyte")


@pytest.mark.parametrize(
    "labels, n_classes, error, message",
    [
        ([0, 10], 10, ValueError, r"0\.\.9, got 0\.\.10"),
        ([-1, 2], 10, ValueError, r"got -1\.\.2"),
        ([0.0, 1.0], 10, TypeError, "integer labels"),
        (["1"], 10, TypeError, "integer labels"),
        ([[0, 1]], 10, ValueError, "shape"),
        (np.array([], int), 10, ValueError, "shape"),
        ([0], 0, ValueError, "n_classes must be at least 1"),
        ([0], 2.5, ValueError, "n_classes must be a whole number"),
    ],
)
def test_make_targets_refuses_bad_labels(labels, n_classes, error, message):
    with pytest.raises(error, match=message):
        make_targets(labels, n_classes)


@pytest.mark.parametrize(
    "images, dtype, error",
    [
        (np.array(["1", "2"]), np.float64, TypeError),
        (np.array([1, None], object), np.float64, TypeError),
        (np.zeros(3, complex), np.float64, TypeError),
        (np.zeros(3, np.uint8), np.int16, TypeError),
    ],
)
def test_scale_inputs_refuses_non_numbers(images, dtype, error):
    with pytest.raises(error):
        scale_inputs(images, dtype)


# ---- the core's own guards, for direct calls that skip the Python layer ----

CORE_NET = ffnn.NeuralNetwork(N_IN, N_HID, N_OUT, 0.1, seed=0)._net
ORDER = np.zeros(1, np.int64)
X2 = np.zeros((2, N_IN))
T2 = np.full((2, N_OUT), 0.5)
READ_ONLY = np.empty((2, N_OUT))
READ_ONLY.flags.writeable = False
S = ffnn._core.Samples
CORE_CALLS = [
    ("no-inputs", lambda: CORE_NET.train(S(), ORDER, 0.1, 0)),
    ("pixels-and-inputs", lambda: CORE_NET.train(S(np.zeros((2, N_IN), np.uint8), X2, T2), ORDER, 0.1, 0)),
    ("index-out-of-range", lambda: CORE_NET.train(S(inputs=X2, labels=np.array([0, 1])), np.array([0, 2], np.int64),
                                                  0.1, 0)),
    ("label-out-of-range", lambda: CORE_NET.train(S(inputs=X2, labels=np.array([0, 2])), ORDER, 0.1, 0)),
    ("int32-labels", lambda: CORE_NET.train(S(inputs=X2, labels=np.array([0, 1], np.int32)), ORDER, 0.1, 0)),
    ("unknown-rule", lambda: CORE_NET.train(S(inputs=X2[:1], targets=T2[:1]), None, 0.1, 7)),
    ("sparse-engine", lambda: CORE_NET.train(S(inputs=X2[:1], targets=T2[:1]), None, 0.1, 0, engine=2)),
    ("short-targets", lambda: CORE_NET.train(S(inputs=X2, targets=T2[:1]), None, 0.1, 0)),
    ("query-rows", lambda: CORE_NET.query(np.empty((3, N_OUT)), S(inputs=X2))),
    ("query-read-only", lambda: CORE_NET.query(READ_ONLY, S(inputs=X2))),
    ("backquery-size", lambda: CORE_NET.backquery(np.full(1, 0.5), np.empty(N_IN))),
    ("float32-arrays", lambda: CORE_NET.train(S(inputs=X2.astype(np.float32), targets=T2.astype(np.float32)),
                                              None, 0.1, 0)),
    ("gradient-shapes", lambda: CORE_NET.gradients(0, [np.empty((4, 5))], None, S(inputs=X2, targets=T2))),
    ("zero-input-layer", lambda: ffnn._core.Net([np.zeros((3, 0))])),
    ("too-many-threads", lambda: ffnn._core.Net([np.zeros((3, 2))], threads=1000)),
    ("rotate-nan-angle", lambda: ffnn._core.rotate(np.zeros((1, 3, 3)), np.nan, 0.01, np.zeros((1, 3, 3)))),
]


def test_core_names_the_bad_label_or_index_and_changes_no_weight():
    before = [w.copy() for w in CORE_NET.arrays]
    with pytest.raises(ValueError, match=r"y must lie in 0\.\.1, got 0\.\.2 \(y\[1\] is 2\)"):
        CORE_NET.train(S(inputs=X2, labels=np.array([0, 2]), label_name="y"), ORDER, 0.1, 0)
    with pytest.raises(ValueError, match=r"sample index 2 is outside 0\.\.1"):
        CORE_NET.train(S(inputs=X2, targets=T2), np.array([1, 0, 2], np.int64), 0.1, 0)
    with pytest.raises(ValueError, match="engine"):
        CORE_NET.train(S(inputs=X2, targets=T2), None, 0.1, 0, engine=ffnn._core.ENGINES["sparse"])
    assert all(np.array_equal(a, b) for a, b in zip(before, CORE_NET.arrays))


@pytest.mark.parametrize("core_call", [c[1] for c in CORE_CALLS], ids=[c[0] for c in CORE_CALLS])
def test_direct_core_calls_are_guarded(core_call):
    with pytest.raises((ValueError, TypeError)):
        core_call()
