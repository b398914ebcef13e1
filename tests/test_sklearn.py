"""ffnn.sklearn.BookMLPClassifier: scikit-learn's estimator contract, pipelines, grid search."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import ffnn  # noqa: E402
from ffnn.datasets import scale_inputs  # noqa: E402
from ffnn.sklearn import BookMLPClassifier  # noqa: E402

# Every check of scikit-learn passes; none is expected to fail.
EXPECTED_FAILED_CHECKS = {}


ESTIMATOR_CHECKS = parametrize_with_checks(
    [BookMLPClassifier()],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)


# scikit-learn before 1.8 hands pytest a generator, which pytest 9 deprecates.
@pytest.mark.parametrize(ESTIMATOR_CHECKS.args[0], list(ESTIMATOR_CHECKS.args[1]), **ESTIMATOR_CHECKS.kwargs)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits(sample):
    """1000 training and 300 test images of the MNIST sample, uint8 pixels."""
    return (sample.train_images[:1000], sample.train_labels[:1000],
            sample.test_images[:300], sample.test_labels[:300])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_is_the_network_fit_with_the_same_seeds(digits, dtype):
    X, y, X_test, y_test = digits
    clf = BookMLPClassifier(hidden_nodes=30, epochs=2, dtype=dtype, random_state=3).fit(X, y)
    rng = np.random.RandomState(3)
    net = ffnn.NeuralNetwork(784, 30, 10, 0.1, dtype=dtype, seed=rng.randint(2**31 - 1))
    history = net.fit(X, y, 2, seed=rng.randint(2**31 - 1))
    assert clf.network_ == net
    assert clf.loss_curve_ == history["loss"]
    np.testing.assert_array_equal(clf.predict(X_test), net.predict(X_test))
    assert clf.score(X_test, y_test) == net.score(X_test, y_test) > 0.75


def test_uint8_pixels_are_scaled_and_other_integers_are_numbers(digits):
    X, y, X_test, _ = digits
    pixels = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=4).fit(X, y)
    scaled = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=4).fit(scale_inputs(X), y)
    assert pixels.network_ == scaled.network_
    # Pixels' first layer comes from their ink (tests/test_pixel_query.py): the same up to rounding.
    np.testing.assert_allclose(pixels.predict_proba(X_test), scaled.predict_proba(scale_inputs(X_test)),
                               rtol=1e-12, atol=0)
    np.testing.assert_array_equal(pixels.predict(X_test), pixels.network_.predict(X_test))
    # scikit-learn's convention for other integers: the same numbers as floats.
    as_int = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=4).fit(X.astype(np.int64), y)
    as_float = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=4).fit(X.astype(np.float64), y)
    assert as_int.network_ == as_float.network_ != pixels.network_


def test_any_labels_become_classes(digits):
    X, y, X_test, y_test = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    clf = BookMLPClassifier(hidden_nodes=30, random_state=0).fit(X, names[y])
    assert list(clf.classes_) == sorted(names)
    assert set(clf.predict(X_test)) <= set(names)
    assert clf.score(X_test, names[y_test]) > 0.75
    odd = BookMLPClassifier(hidden_nodes=5, random_state=0).fit(X[:20], np.where(y[:20] > 4, -1.0, 7.0))
    assert list(odd.classes_) == [-1.0, 7.0] and odd.network_.sizes[-1] == 2


def test_predict_proba_rows_are_normalised_outputs(digits):
    X, y, X_test, _ = digits
    clf = BookMLPClassifier(hidden_nodes=30, random_state=1).fit(X, y)
    proba = clf.predict_proba(X_test)
    outputs = clf.network_.query(scale_inputs(X_test))
    np.testing.assert_allclose(proba, outputs / outputs.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X_test))


def test_random_state_makes_fit_reproducible(digits):
    X, y, _, _ = digits
    a = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=7).fit(X, y)
    b = clone(a).fit(X, y)
    c = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=8).fit(X, y)
    assert a.network_ == b.network_
    assert a.network_ != c.network_


def test_partial_fit_is_one_epoch_at_a_time(digits):
    X, y, X_test, y_test = digits
    clf = BookMLPClassifier(hidden_nodes=30, rule="cross_entropy", random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X[:10], y[:10])
    clf.partial_fit(X[:500], y[:500], classes=np.arange(10))
    clf.partial_fit(X[500:], y[500:])
    assert len(clf.loss_curve_) == 2 and clf.network_.rule == "cross_entropy"
    assert clf.score(X_test, y_test) > 0.75
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X[:3], [0, 1, 10])
    with pytest.raises(ValueError, match="differ from those of the first call"):
        clf.partial_fit(X[:3], y[:3], classes=np.arange(11))


def test_pipeline_and_grid_search(digits):
    X, y, X_test, y_test = digits
    pipe = make_pipeline(MinMaxScaler(), BookMLPClassifier(hidden_nodes=20, epochs=2, random_state=0))
    grid = GridSearchCV(
        pipe, {"bookmlpclassifier__rule": ["book", "cross_entropy"],
               "bookmlpclassifier__learning_rate": [0.05, 0.2]}, cv=2,
    ).fit(X.astype(np.float64), y)
    assert len(grid.cv_results_["params"]) == 4
    best = grid.best_estimator_[-1]
    assert best.rule == grid.best_params_["bookmlpclassifier__rule"]
    assert grid.score(X_test.astype(np.float64), y_test) > 0.75


def test_hidden_nodes_may_be_several_layers(digits):
    X, y, _, _ = digits
    clf = BookMLPClassifier(hidden_nodes=(30, 20), epochs=1, random_state=0).fit(X, y)
    assert clf.network_.sizes == (784, 30, 20, 10)
    assert clf.get_params()["hidden_nodes"] == (30, 20)
    clf.set_params(hidden_nodes=15).fit(X, y)
    assert clf.network_.sizes == (784, 15, 10)
