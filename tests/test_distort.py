"""Random distortions (fit(distort=...)): the C resampling against NumPy and SciPy, the elastic
field's statistics against Simard's smoothed noise, reproducibility, and fit's use of them."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import DTYPES
from scipy import ndimage

import ffnn
from ffnn.datasets import scale_inputs

EVERYTHING = ffnn.Distortion(rotate=10, scale=0.1, shear=0.2, shift=2, elastic=(8, 3))
TOLERANCE = {np.float32: 2e-6, np.float64: 1e-12}


def bilinear(ink, y, x):
    """ink (rows, cols) sampled at the points (y, x), blank (0) outside the picture."""
    rows, cols = ink.shape
    padded = np.zeros((rows + 2, cols + 2))
    padded[1:-1, 1:-1] = ink
    # Farther than a pixel outside, every neighbour is blank: clip there.
    py = np.clip(np.asarray(y, np.float64), -1, rows) + 1  # in the padded picture
    px = np.clip(np.asarray(x, np.float64), -1, cols) + 1
    y0 = np.minimum(np.floor(py).astype(int), rows)
    x0 = np.minimum(np.floor(px).astype(int), cols)
    fy, fx = py - y0, px - x0
    top = padded[y0, x0] * (1 - fx) + padded[y0, x0 + 1] * fx
    bottom = padded[y0 + 1, x0] * (1 - fx) + padded[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def images_of(shape, pixels, dtype, seed=0):
    """Random digits-like images: a blank border, ink inside."""
    rng = np.random.default_rng(seed)
    n, rows, cols = shape
    raw = np.zeros(shape, np.uint8)
    raw[:, rows // 5: rows - rows // 5, cols // 5: cols - cols // 5] = rng.integers(
        0, 256, (n, rows - 2 * (rows // 5), cols - 2 * (cols // 5)))
    raw[rng.random(shape) < 0.5] = 0
    return raw if pixels else scale_inputs(raw.reshape(n, -1), dtype).reshape(shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pixels", [True, False])
@pytest.mark.parametrize("shape", [(3, 28, 28), (4, 13, 17), (2, 30, 9), (2, 1, 5)])
def test_resampling_matches_numpy_and_scipy_at_the_same_points(dtype, pixels, shape):
    images = images_of(shape, pixels, dtype)
    out = EVERYTHING.apply(images, seed=5, dtype=dtype, background=None if pixels else 0.01)
    assert out.dtype == dtype and out.shape == shape
    seed64 = int(np.random.default_rng(5).integers(2**64, dtype=np.uint64))
    ink = scale_inputs(images.reshape(len(images), -1), dtype).reshape(shape) - dtype(0.01) if pixels \
        else images - dtype(0.01)
    for i in range(len(images)):
        y, x = EVERYTHING.coordinates(shape[1:], seed=seed64, index=i)
        expected = bilinear(ink[i].astype(np.float64), y, x) + 0.01
        np.testing.assert_allclose(out[i], expected, rtol=0, atol=TOLERANCE[dtype])
        # The same points, the same blend, by SciPy (blank beyond the edges, interpolated).
        scipy = ndimage.map_coordinates(ink[i].astype(np.float64), [y.astype(np.float64), x.astype(np.float64)],
                                        order=1, mode="grid-constant", cval=0.0) + 0.01
        np.testing.assert_allclose(out[i], scipy, rtol=0, atol=TOLERANCE[dtype])


@pytest.mark.parametrize("shape", [(20, 28, 28), (6, 13, 17)])
def test_pixels_into_pixels_are_the_blend_rounded_to_the_nearest_level(shape):
    images = images_of(shape, True, np.float64)
    out = EVERYTHING.apply(images, seed=6, dtype=np.uint8)
    assert out.dtype == np.uint8 and out.shape == shape
    seed64 = int(np.random.default_rng(6).integers(2**64, dtype=np.uint64))
    expected = np.stack([bilinear(images[i].astype(np.float64), *EVERYTHING.coordinates(shape[1:], seed=seed64,
                                                                                       index=i))
                         for i in range(len(images))])
    # Rounded from a float blend: a level off where the blend is within rounding of a half.
    difference = out.astype(np.int64) - np.floor(expected + 0.5)
    assert np.abs(difference).max() <= 1 and np.mean(difference != 0) < 1e-3
    assert np.all(out[expected == 0] == 0) and np.all(expected[out > 0] > 0)  # blank is exactly blank
    np.testing.assert_array_equal(ffnn.Distortion().apply(images, seed=1, dtype=np.uint8), images)


# Around the SIMD widths (4 and 8 points, 16 pixels), odd, and 785 (MNIST's 784 + 1).
LEVEL_SHAPES = [(3, 28, 28), (2, 1, 1), (2, 3, 3), (2, 1, 17), (2, 5, 7), (2, 6, 8), (2, 17, 9),
                (2, 9, 17), (2, 3, 785), (1, 785, 3), (2, 29, 31)]
LEVEL_DISTORTIONS = [EVERYTHING, ffnn.Distortion(rotate=10, scale=0.1, shift=2),
                     ffnn.Distortion(elastic=(34, 4)), ffnn.Distortion(rotate=180, scale=0.5, elastic=(8, 0.5))]


@pytest.mark.parametrize("shape", LEVEL_SHAPES)
def test_every_simd_level_distorts_bitwise_as_the_plain_level(level, shape):
    """Each level's rows (SSE2 at scalar on x86-64, AVX2 eight points at a time at avx2 and avx512)
    give the scalar level's bits, pixels into pixels and into both float types, and float images,
    and the float ones are bilinear sampling at the distortion's points."""
    pixels = images_of(shape, True, np.float64, seed=shape[2])
    floats = {dtype: images_of(shape, False, dtype, seed=shape[2]) for dtype in DTYPES}

    def every_output():
        out = []
        for d in LEVEL_DISTORTIONS:
            out += [d.apply(pixels, seed=11, dtype=dtype) for dtype in (np.uint8, *DTYPES)]
            out += [d.apply(floats[dtype], seed=11, background=0.01) for dtype in DTYPES]
        return out

    got = every_output()
    ffnn.set_simd_level("scalar")
    plain = every_output()
    for a, b in zip(got, plain):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    seed64 = int(np.random.default_rng(11).integers(2**64, dtype=np.uint64))

    def padded(v, dtype):
        """v as the C moves it into its padded buffer (2 pixels), in dtype: wide images' float32
        coordinates lose bits there."""
        return (v.astype(dtype) + dtype(2)).astype(np.float64) - 2

    for k, d in enumerate(LEVEL_DISTORTIONS):
        for i in range(len(pixels)):
            y, x = d.coordinates(shape[1:], seed=seed64, index=i)
            expected = bilinear(pixels[i].astype(np.float64), padded(y, np.float32), padded(x, np.float32))
            rounded = got[5 * k][i].astype(np.int64) - np.floor(expected + 0.5)
            assert np.abs(rounded).max() <= 1 and np.all(got[5 * k][i][expected == 0] == 0)
            for j, dtype in enumerate(DTYPES):
                inputs = floats[dtype][i].astype(np.float64) - dtype(0.01)
                np.testing.assert_allclose(got[5 * k + 3 + j][i],
                                           bilinear(inputs, padded(y, dtype), padded(x, dtype)) + dtype(0.01),
                                           rtol=0, atol=TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_identity_gives_the_images_back_exactly(dtype):
    images = images_of((3, 28, 28), True, dtype)
    same = ffnn.Distortion().apply(images, seed=1, dtype=dtype)
    np.testing.assert_array_equal(same, scale_inputs(images.reshape(3, -1), dtype).reshape(3, 28, 28))
    inputs = images_of((3, 10, 12), False, dtype)
    np.testing.assert_array_equal(ffnn.Distortion().apply(inputs, seed=1, background=0.01), inputs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_blank_pixels_stay_exactly_blank(dtype):
    images = images_of((50, 28, 28), True, dtype)
    out = EVERYTHING.apply(images, seed=3, dtype=dtype)
    blank = dtype(0.01)
    assert out.min() == blank and np.mean(out == blank) > 0.5
    floats = EVERYTHING.apply(scale_inputs(images.reshape(50, -1), dtype), seed=3, background=0.01,
                              image_shape=(28, 28))
    np.testing.assert_allclose(floats.reshape(out.shape), out, rtol=0, atol=TOLERANCE[dtype])
    assert np.array_equal(floats.reshape(out.shape) == blank, out == blank)


def test_seeds_and_sample_positions_make_the_distortion():
    images = images_of((10, 28, 28), True, np.float64)
    one = EVERYTHING.apply(images, seed=7)
    assert np.array_equal(one, EVERYTHING.apply(images, seed=7))
    assert not np.array_equal(one, EVERYTHING.apply(images, seed=8))
    # Image i is sample first + i of the stream: a call over a part gives that part.
    np.testing.assert_array_equal(EVERYTHING.apply(images[4:], seed=7, first=4), one[4:])
    assert not np.allclose(one[0], EVERYTHING.apply(images[:1], seed=7, first=1)[0])


def test_elastic_fields_have_the_statistics_of_smoothed_noise():
    """Simard's field: uniform noise in [-1, 1] (variance 1/3) smoothed by a Gaussian of sigma, times
    alpha. Its standard deviation is alpha * sqrt(1/3 * sum of the kernel's squared weights) and two
    pixels d apart correlate by exp(-d^2 / (4 sigma^2)) (benchmarks/bench_distort.py compares it with
    fields made by SciPy)."""
    alpha, sigma, side = 8.0, 3.0, 48
    weights = np.exp(-0.5 * (np.arange(-12, 13) / sigma) ** 2)
    weights /= weights.sum()
    expected_std = alpha * np.sqrt(np.sum(weights**2) ** 2 / 3)
    elastic = ffnn.Distortion(elastic=(alpha, sigma))
    columns = np.arange(side)
    dx = np.stack([elastic.coordinates((side, side), seed=11, index=i)[1] - columns for i in range(400)])
    assert abs(dx.mean()) < 0.02
    assert dx.std() == pytest.approx(expected_std, rel=0.05)
    for d in (1, 3, 6, 9):
        product = np.mean(dx[:, :, :-d] * dx[:, :, d:])
        assert product / dx.var() == pytest.approx(np.exp(-d * d / (4 * sigma * sigma)), abs=0.04)


def test_fit_with_distortions_is_reproducible_whatever_the_threads(sample):
    X, y = sample.train_images[:1500], sample.train_labels[:1500]
    nets = [ffnn.NeuralNetwork(784, 40, 10, 0.1, seed=3, threads=t, dtype=np.float32) for t in (1, 2, 1)]
    histories = [net.fit(X, y, 2, distort=EVERYTHING) for net in nets]
    assert nets[0] == nets[1] == nets[2]
    assert histories[0] == histories[1]
    plain = ffnn.NeuralNetwork(784, 40, 10, 0.1, seed=3, dtype=np.float32)
    plain.fit(X, y, 2)
    assert plain != nets[0]


def test_fit_with_the_identity_trains_as_without(sample):
    X, y = sample.train_images[:1000], sample.train_labels[:1000]
    plain = ffnn.NeuralNetwork(784, 30, 10, 0.1, seed=4)
    same = plain.copy()
    # The identity draws a seed per epoch but changes no image: the same inputs,
    # the same order of the first epoch.
    plain.fit(X, y, 1, seed=9, engine="dense")
    same.fit(X, y, 1, seed=9, distort={}, engine="dense")
    np.testing.assert_allclose(same.weights[0], plain.weights[0], rtol=0, atol=1e-12)


def test_fit_distorts_float_inputs_and_rectangular_images(sample):
    X = scale_inputs(sample.train_images[:300], np.float32)
    y = sample.train_labels[:300]
    net = ffnn.NeuralNetwork(784, 20, 10, 0.1, dtype=np.float32, seed=1)
    history = net.fit(X, y, 1, distort={"rotate": 5, "elastic": (4, 2)}, background=0.01,
                      image_shape=(14, 56))
    assert np.isfinite(history["loss"][0])


def test_fit_refuses_what_cannot_be_distorted(sample):
    X, y = sample.train_images[:50], sample.train_labels[:50]
    net = ffnn.NeuralNetwork(784, 10, 10, 0.1)
    with pytest.raises(ValueError, match="cannot be combined"):
        net.fit(X, y, distort={"rotate": 5}, augment={"rotate": 5})
    with pytest.raises(ValueError, match="background"):
        net.fit(scale_inputs(X), y, distort={"rotate": 5})
    with pytest.raises(ValueError, match="image_shape"):
        net.fit(X, y, distort={"rotate": 5}, image_shape=(20, 20))
    with pytest.raises(ValueError, match="image_shape is for distort"):
        net.fit(X, y, image_shape=(28, 28))
    with pytest.raises(ValueError, match="has no"):
        net.fit(X, y, distort={"turn": 5})
    with pytest.raises(TypeError, match="distort must be"):
        net.fit(X, y, distort=5)
    with pytest.raises(ValueError, match="scale must be below 1"):
        ffnn.Distortion(scale=1)
    with pytest.raises(ValueError, match="0 or more"):
        ffnn.Distortion(shift=-1)
    with pytest.raises(ValueError, match="sigma"):
        ffnn.Distortion(elastic=(8, 0))
    with pytest.raises(ValueError, match="not a square image"):
        ffnn.NeuralNetwork(30, 10, 10, 0.1).fit(np.zeros((5, 30), np.uint8), np.zeros(5, int), distort={})


INTERRUPTED_CHILD = """
import signal, sys, time
import ffnn
from ffnn.datasets import load_sample

signal.signal(signal.SIGINT, signal.default_int_handler)
data = load_sample()
net = ffnn.NeuralNetwork(784, 100, 10, 0.1, seed=0)
print("ready", flush=True)
try:
    net.fit(data.train_images, data.train_labels, 10**6, distort={"rotate": 10, "elastic": (8, 3)})
except KeyboardInterrupt:
    print(time.monotonic(), flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_stops_a_distorted_fit_quickly():
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED_CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        sent = time.monotonic()
        os.kill(child.pid, signal.SIGINT)
        caught = float(child.stdout.readline())
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()
        child.stdout.close()
    assert caught - sent < 0.5
