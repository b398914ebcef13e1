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
        warnings.simplefilter("error", ffnn.InputScaleWarning)
        warnings.simplefilter("ignore", ffnn.SaturationWarning)  # counts 0..5 do saturate: another warning
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


# ---- a learning rate that saturates the network ----------------------------------


def test_a_learning_rate_that_saturates_the_network_warns_once(sample):
    net = ffnn.NeuralNetwork(784, 50, 10, 10.0, seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = net.fit(sample.train_images, sample.train_labels, 2)
    saturated = [w for w in caught if issubclass(w.category, ffnn.SaturationWarning)]
    assert len(saturated) == 1 and saturated[0].filename == __file__
    message = str(saturated[0].message)
    assert "in epoch 1 the network is saturated" in message and "sigmoids sit at 0 or 1" in message
    assert "The learning rate 10 is too large: try a smaller one, e.g. 1" in message
    assert min(history["sum_squared_error"]) > 0.8


@pytest.mark.parametrize("hidden, lr", [(50, 0.1), (50, 0.6), ([40, 20], 0.1), (50, 0.001)])
def test_a_learning_network_does_not_warn(sample, hidden, lr):
    # 0.001: an error no better than guessing in the first epoch, but nothing saturated: slow, not too fast.
    net = ffnn.NeuralNetwork(784, hidden, 10, lr, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit(sample.train_images, sample.train_labels, 2)


def test_inputs_too_large_are_named_as_the_cause(sample):
    X = np.random.default_rng(0).integers(0, 6, (2000, 784)).astype(float)  # counts: not pixels, but large
    with pytest.warns(ffnn.SaturationWarning, match=r"The inputs are large \(root mean square 3\.\d+\).*scale them"):
        ffnn.NeuralNetwork(784, 50, 10, 0.1, seed=1).fit(X, sample.train_labels[:2000])


def test_saturation_is_judged_with_targets_too(sample):
    net = ffnn.NeuralNetwork(784, 50, 10, 10.0, seed=1)
    with pytest.warns(ffnn.SaturationWarning):
        net.fit(sample.train_images, make_targets(sample.train_labels), 1)


def test_the_cli_suggests_a_smaller_learning_rate(capsys, monkeypatch):
    from ffnn import cli

    for name in ("tqdm", "tqdm.auto"):
        monkeypatch.setitem(__import__("sys").modules, name, None)
    assert cli.main(["train", "--lr", "10", "--hidden", "50", "--epochs", "1", "--seed", "1"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("ffnn train: warning: in epoch 1 the network is saturated") and err.count("\n") == 1
    assert err.rstrip().endswith("The learning rate 10 is too large: try a smaller one, e.g. 1 (--lr 1)")
