"""Rotation augmentation: the C kernel against scipy, and fit(augment=...) in the book's order."""
import tracemalloc

import numpy as np
import pytest
from conftest import DTYPES
from scipy import ndimage

import ffnn
from ffnn.augment import rotate
from ffnn.datasets import make_targets, scale_inputs

# The kernel and scipy compute the same bilinear blend; they differ by rounding only.
ROTATE_TOLERANCE = {np.float32: 1e-6, np.float64: 1e-13}


def scipy_rotate(images, degrees):
    return np.stack(
        [ndimage.rotate(np.asarray(i, np.float64), degrees, order=1, reshape=False, cval=0.01) for i in images]
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("degrees", [10, -10, 3.7, 45, -135, 200])
@pytest.mark.parametrize("shape", [(4, 28, 28), (3, 9, 13), (2, 1, 5)])
def test_rotate_matches_scipy(dtype, degrees, shape):
    images = np.random.default_rng(7).random(shape).astype(dtype)
    rotated = rotate(images, degrees)
    assert rotated.dtype == dtype and rotated.shape == shape
    np.testing.assert_allclose(rotated, scipy_rotate(images, degrees), rtol=0, atol=ROTATE_TOLERANCE[dtype])


def test_rotate_by_quarter_turns_moves_pixels_exactly():
    image = np.arange(28 * 28, dtype=np.float64).reshape(28, 28)
    np.testing.assert_array_equal(rotate(image, 90, single=True), np.rot90(image))
    np.testing.assert_array_equal(rotate(image, -180, single=True), np.rot90(image, 2))
    np.testing.assert_array_equal(rotate(image, 0, single=True), image)
    np.testing.assert_array_equal(rotate(image.reshape(-1), 90), np.rot90(image).reshape(-1))
    tall = np.arange(12.0).reshape(1, 4, 3)
    np.testing.assert_array_equal(rotate(tall, 180), tall[:, ::-1, ::-1])


def test_a_batch_of_as_many_images_as_pixels_is_still_a_batch(sample):
    # 784 flattened 28 x 28 images form a 784 x 784 array: each row is rotated.
    rows = scale_inputs(sample.train_images[:784])
    rotated = rotate(rows, 30)
    for k in (0, 391, 783):
        np.testing.assert_array_equal(rotated[k], rotate(rows[k], 30))
    picture = rotate(rows, 30, single=True)
    assert not np.array_equal(picture, rotated)


def test_rotate_accepts_flat_rows_and_fills_corners_with_background(sample):
    rows = scale_inputs(sample.train_images[:3])
    rotated = rotate(rows, 45, background=0.25)
    assert rotated.shape == (3, 784)
    assert (rotated.reshape(3, 28, 28)[:, 0, 0] == 0.25).all()
    np.testing.assert_array_equal(rotated, rotate(rows.reshape(3, 28, 28), 45, background=0.25).reshape(3, 784))


@pytest.mark.parametrize(
    "images, degrees, error",
    [
        (np.zeros((2, 783)), 10, "square"),
        (np.zeros((2, 2, 2, 2)), 10, "images must be"),
        (np.zeros(783), 10, "square"),
        (np.zeros((1, 4, 4)), 10, "single=True needs one picture"),
        (np.zeros((4, 4)), float("nan"), "finite"),
        (np.array([["a"]]), 10, "real numbers"),
    ],
)
def test_rotate_rejects_bad_input(images, degrees, error):
    with pytest.raises((TypeError, ValueError), match=error):
        rotate(images, degrees, single=images.ndim == 3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_pixels", [True, False])
def test_fit_with_rotations_trains_each_image_then_plus_then_minus(sample, dtype, use_pixels):
    X, y = sample.train_images[:40], sample.train_labels[:40]
    fitted = ffnn.NeuralNetwork(784, 12, 10, 0.1, dtype=dtype, seed=3)
    by_hand = fitted.copy()
    history = fitted.fit(X if use_pixels else scale_inputs(X, dtype), y, 1, shuffle=False,
                         augment={"rotate": 10})
    errors = []
    for x, t in zip(scale_inputs(X, dtype), make_targets(y, dtype=dtype)):
        image = x.reshape(28, 28)
        for shown in (image, scipy_rotate([image], 10)[0], scipy_rotate([image], -10)[0]):
            errors.append(by_hand.train(shown.reshape(784), t))
    for a, b in zip(fitted.weights, by_hand.weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=10 * ROTATE_TOLERANCE[dtype])
    assert history["loss"][0] == pytest.approx(np.mean(errors), rel=1e-5)


def test_fit_with_rotations_never_holds_the_rotated_set(sample):
    X, y = sample.train_images, sample.train_labels
    net = ffnn.NeuralNetwork(784, 4, 10, 0.1, seed=0)
    tracemalloc.start()
    net.fit(X, y, 1, augment={"rotate": 10})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rotated_set = 3 * X.size * 8
    assert peak < rotated_set / 10


def test_fit_with_rotations_learns(sample):
    net = ffnn.NeuralNetwork(784, 50, 10, 0.1, dtype=np.float32, seed=0)
    net.fit(sample.train_images[:2000], sample.train_labels[:2000], 1, seed=0, augment={"rotate": 10})
    assert net.score(sample.test_images, sample.test_labels) > 0.8


@pytest.mark.parametrize(
    "augment, error",
    [({"shear": 3}, "augment must be"), ({"rotate": "ten"}, "real number"), ({"rotate": 400}, "angle"),
     ([("rotate", 10)], "augment must be")],
)
def test_fit_rejects_unknown_augmentation(sample, augment, error):
    net = ffnn.NeuralNetwork(784, 4, 10, 0.1)
    with pytest.raises((TypeError, ValueError), match=error):
        net.fit(sample.train_images[:5], sample.train_labels[:5], augment=augment)


def test_fit_with_rotations_needs_square_inputs():
    net = ffnn.NeuralNetwork(10, 4, 2, 0.1)
    with pytest.raises(ValueError, match="square"):
        net.fit(np.zeros((3, 10)), np.zeros(3, dtype=int), augment={"rotate": 10})
