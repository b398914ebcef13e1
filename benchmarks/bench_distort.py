"""What distorting costs, against a training step, and how the elastic field compares with Simard's.

    python benchmarks/bench_distort.py [--mnist DIR] [--images 20000] [--repeats 5]

Times, in one run and on one thread: the C distortion of MNIST training
images (affine, elastic, both) into uint8 pixels, as fit(distort=...) does
it, in µs per 28×28 image (and into the book's float32 inputs); a training
step of the book's 784-200-10 network (float32, rule "cross_entropy", the
engine fit picks) on plain and on distorted images; a whole epoch of
fit(distort=...), which distorts on a second thread while the core trains;
and SciPy's distortion of the same kind (map_coordinates, with the elastic
field smoothed by gaussian_filter) for scale. Then measures the elastic
field: its standard deviation and its correlation between pixels 1 to 9
apart, against Simard et al.'s field (uniform noise in [-1, 1] smoothed by a
Gaussian of sigma, times alpha) made by SciPy. Full MNIST comes from --mnist,
else $FFNN_MNIST_DIR, else ../shared/data/mnist, else the bundled sample.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import ffnn
from ffnn.datasets import load_mnist, load_sample, scale_inputs

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
AFFINE = ffnn.Distortion(rotate=10, scale=0.1, shift=2)
ELASTIC = ffnn.Distortion(elastic=(8, 3))
BOTH = ffnn.Distortion(rotate=10, scale=0.1, shift=2, elastic=(8, 3))


def best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def scipy_distort(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same kind of distortion by SciPy, one image at a time (for scale only)."""
    from scipy import ndimage

    out = np.empty(images.shape, np.float32)
    rows, cols = images.shape[1:]
    grid_y, grid_x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    for i, image in enumerate(images):
        angle, grow = np.radians(rng.uniform(-10, 10)), 1 + rng.uniform(-0.1, 0.1)
        c, s = np.cos(angle) / grow, np.sin(angle) / grow
        dy, dx = grid_y - (rows - 1) / 2 - rng.uniform(-2, 2), grid_x - (cols - 1) / 2 - rng.uniform(-2, 2)
        ey = 8 * ndimage.gaussian_filter(rng.uniform(-1, 1, (rows, cols)), 3)
        ex = 8 * ndimage.gaussian_filter(rng.uniform(-1, 1, (rows, cols)), 3)
        y = (rows - 1) / 2 + c * dy + s * dx + ey
        x = (cols - 1) / 2 - s * dy + c * dx + ex
        out[i] = ndimage.map_coordinates(image, [y, x], order=1, mode="grid-constant", cval=0.0)
    return out


def field_statistics(side: int = 64, n: int = 400) -> None:
    from scipy import ndimage

    alpha, sigma = BOTH.elastic  # type: ignore[misc]
    grid = np.arange(side, dtype=np.float64)
    ours = np.stack([ELASTIC.coordinates((side, side), seed=1, index=i)[1] - grid for i in range(n)])
    rng = np.random.default_rng(0)
    simard = np.stack([alpha * ndimage.gaussian_filter(rng.uniform(-1, 1, (side, side)), sigma, mode="wrap")
                       for _ in range(n)])
    inner = slice(16, 48)

    def correlation(field, lag):
        a, b = field[:, inner, inner], field[:, inner, 16 + lag: 48 + lag]
        return np.mean(a * b) / np.sqrt(np.mean(a * a) * np.mean(b * b))

    print(f"\nelastic field, alpha {alpha:g}, sigma {sigma:g}, {n} fields of {side}x{side} (x displacement):")
    print(f"  standard deviation: ffnn {np.std(ours):.4f} px, Simard/SciPy {np.std(simard):.4f} px")
    print("  correlation at lag:  " + "  ".join(f"{lag:>5}" for lag in (1, 2, 3, 4, 6, 9)))
    for name, field in (("ffnn", ours), ("Simard/SciPy", simard)):
        print(f"  {name:>18}  " + "  ".join(f"{correlation(field, lag):5.3f}" for lag in (1, 2, 3, 4, 6, 9)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=MNIST_DIR, help="directory of the MNIST files")
    parser.add_argument("--images", type=int, default=20000, help="images per timing (default 20000)")
    parser.add_argument("--repeats", type=int, default=5, help="best of this many (default 5)")
    args = parser.parse_args()
    if os.path.exists(os.path.join(args.mnist, "train-images-idx3-ubyte.gz")):
        data = load_mnist(args.mnist)
    else:
        data = load_sample()
    X = data.train_images[: args.images]
    y = data.train_labels[: args.images]
    n = len(X)
    stack = X.reshape(n, 28, 28)
    print(f"ffnn {ffnn.__version__}, SIMD {ffnn.simd_level()}, {n} MNIST images, best of {args.repeats}")
    pixels = np.empty(stack.shape, np.uint8)
    for name, d in (("affine", AFFINE), ("elastic", ELASTIC), ("affine + elastic", BOTH)):
        seconds = best_of(args.repeats, lambda d=d: ffnn._core.distort(d.values(), 1, 0, stack, pixels))
        print(f"distort, {name:>16}: {seconds / n * 1e6:6.2f} µs per image")
    distort_us = best_of(args.repeats, lambda: ffnn._core.distort(BOTH.values(), 1, 0, stack, pixels)) / n * 1e6
    inputs = np.empty(stack.shape, np.float32)
    seconds = best_of(args.repeats, lambda: ffnn._core.distort(BOTH.values(), 1, 0, stack, inputs))
    print(f"distort, affine + elastic, into float32 inputs: {seconds / n * 1e6:6.2f} µs per image")
    distorted = BOTH.apply(X, seed=1, dtype=np.uint8)

    def step_us(inputs, **kwargs) -> float:
        net = ffnn.NeuralNetwork(784, 200, 10, 0.05, rule="cross_entropy", dtype=np.float32, seed=1)
        return best_of(args.repeats, lambda: net.fit(inputs, y, 1, seed=1, **kwargs)) / n * 1e6

    plain_us = step_us(X)
    distorted_us = step_us(distorted)
    epoch_us = step_us(X, distort=BOTH)
    print(f"training step on pixels:            {plain_us:6.2f} µs per sample")
    print(f"training step on distorted pixels:  {distorted_us:6.2f} µs per sample "
          f"(ink: {np.mean(X > 0):.1%} of the pixels, distorted {np.mean(distorted > 0):.1%})")
    print(f"fit(distort=...), per sample:       {epoch_us:6.2f} µs (distorting on a second thread meanwhile)")
    print(f"distortion / training step: {distort_us / plain_us:.2f}; "
          f"a distorted epoch / a plain one: {epoch_us / plain_us:.2f}")
    few = scale_inputs(X[:1000], np.float32).reshape(-1, 28, 28) - np.float32(0.01)
    rng = np.random.default_rng(0)
    scipy_us = best_of(1, lambda: scipy_distort(few, rng)) / len(few) * 1e6
    print(f"SciPy, affine + elastic:          {scipy_us:8.1f} µs per image ({scipy_us / distort_us:.0f} times ffnn's)")
    field_statistics()


if __name__ == "__main__":
    main()
