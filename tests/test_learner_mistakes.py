"""A learner's mistakes answered with what to do: unscaled pixels, shapes of images and labels."""
import re
import warnings

import numpy as np
import pytest

import ffnn
from ffnn.datasets import make_targets, scale_inputs


@pytest.fixture
def net():
    return ffnn.NeuralNetwork(784, 10, 10, 0.1, seed=0)


@pytest.fixture(scope="module")
def raw(sample):
    """The book's classic mistake: pixels 0..255 read as floats and not scaled."""
    return sample.train_images[:200].astype(np.float64), sample.train_labels[:200]


def quiet():
    catcher = warnings.catch_warnings()
    catcher.__enter__()
    warnings.simplefilter("error")
    return catcher


@pytest.mark.parametrize("call", ["fit", "train", "query", "predict", "score"])
def test_unscaled_pixels_as_floats_warn_naming_scale_inputs(net, raw, call):
    X, y = raw
    run = {
        "fit": lambda: net.fit(X, y),
        "train": lambda: net.train(X[0], make_targets(y[:1])[0]),
        "query": lambda: net.query(X),
        "predict": lambda: net.predict(X[:1]),
        "score": lambda: net.score(X, y),
    }[call]
    with pytest.warns(ffnn.InputScaleWarning, match=r"pixels 0\.\.255 not scaled\?.*scale_inputs.*uint8"):
        run()


def test_the_warning_comes_once_per_line(net, raw):
    X, y = raw
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # Python's own: once per line of the caller
        for _ in range(3):
            net.query(X[:5])
        for k in range(100):
            net.train(X[k], make_targets(y[k:k + 1])[0])
    scale = [w for w in caught if issubclass(w.category, ffnn.InputScaleWarning)]
    assert len(scale) == 2 and {w.filename for w in scale} == {__file__}


@pytest.mark.parametrize("data", ["book", "unit", "standardised", "small counts", "float32 book"])
def test_no_warning_on_scaled_data(net, sample, data):
    pixels = sample.train_images[:500]
    X = {
        "book": lambda: scale_inputs(pixels),
        "unit": lambda: pixels / 255.0,
        "standardised": lambda: (pixels - pixels.mean(axis=0)) / (pixels.std(axis=0) + 1e-3),
        "small counts": lambda: np.random.default_rng(0).integers(0, 6, (500, 784)).astype(float),
        "float32 book": lambda: scale_inputs(pixels, np.float32),
    }[data]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit(X, sample.train_labels[:500])
        net.query(X)
        net.train(X[0], make_targets([1])[0])
        net.fit(pixels, sample.train_labels[:500])  # uint8: scaled by ffnn


def test_a_large_batch_is_judged_on_a_sample(net, sample):
    X = np.tile(scale_inputs(sample.train_images), (2, 1))
    X[5::7] = sample.train_images[:len(X[5::7])]  # unscaled pixels in a seventh of the rows, found by the sample
    with pytest.warns(ffnn.InputScaleWarning):
        net.query(X)


# ---- shapes -------------------------------------------------------------------


def test_a_label_given_as_targets_points_to_make_targets(net, sample):
    with pytest.raises(ValueError, match=r"targets must have shape \(10,\), got \(\).*"
                                         r"make_targets\(\[label\], 10\)\[0\]"):
        net.train(scale_inputs(sample.train_images[0]), 7)
    with pytest.raises(ValueError, match=r"make_targets\(\[label\], 10\)\[0\]"):
        net.backquery(3)


@pytest.mark.parametrize("call", ["train", "query"])
def test_one_image_of_28_by_28_points_to_ravel(net, sample, call):
    image = scale_inputs(sample.train_images[0]).reshape(28, 28)
    run = {"train": lambda: net.train(image, make_targets([5])[0]), "query": lambda: net.query(image)}[call]
    with pytest.raises(ValueError, match=re.escape("flatten it: inputs.ravel()")):
        run()


@pytest.mark.parametrize("pixels", [True, False])
@pytest.mark.parametrize("call", ["fit", "score", "query"])
def test_a_batch_of_28_by_28_images_points_to_reshape(net, sample, pixels, call):
    images = sample.train_images[:20].reshape(20, 28, 28)
    X = images if pixels else scale_inputs(images)
    name = "inputs" if call == "query" else "X"
    run = {
        "fit": lambda: net.fit(X, sample.train_labels[:20]),
        "score": lambda: net.score(X, sample.train_labels[:20]),
        "query": lambda: net.query(X),
    }[call]
    with pytest.raises(ValueError, match=re.escape(f"got (20, 28, 28); to give 20 images of shape (28, 28) as rows "
                                                   f"of 784 values, flatten each: {name}.reshape(-1, 784)")):
        run()
