"""The sparse engine against the dense one: fit's time per sample, in one run.

    python benchmarks/bench_sparse.py [--samples N] [--repeats R] [--hidden H ...]
    python benchmarks/bench_sparse.py --ink       # the crossover in ink fraction
    python benchmarks/bench_sparse.py --drift     # an epoch's weights against float64 dense
    python benchmarks/bench_sparse.py --accuracy  # the book's 5 epochs, both engines, per seed

Uses full MNIST from ../shared/data/mnist (or $FFNN_MNIST_DIR) when present,
else the sample shipped with ffnn. One thread, learning rate 0.1, 784-H-10.
The machine may be shared: the engines run in turn, `--repeats` times
each, and each figure is the best of its runs (process CPU time, so time
spent waiting for a core is not counted). Ratios are dense / sparse.
The images are load_mnist's arrays, as a user gets them: on pages of
4 KiB, each sample's row costs a TLB miss. The same images copied into an
array of NumPy's own (which Linux backs with huge pages) train about 4 %
faster with the sparse engine (3.45 against 3.60 µs/sample, float32) and
2 % with the dense one.

``--ink`` trains on images thickened (each ink pixel spread to its
neighbours, as often as needed) to a range of ink fractions, Fashion-MNIST's
about a half among them, and reports where the sparse engine stops paying:
the crossover that ``FFNN_SPARSE_MAX_INK`` (csrc/sparse/engine.h) encodes.
``--drift`` compares the weights after an epoch with those of the float64
dense engine from the same start: the drift that the sparse engine's folds
bound (the fold period itself is measured by building the core with
-DFFNN_SPARSE_FOLD=K; see csrc/sparse/engine.h). ``--accuracy`` trains the
book's 5 epochs with each engine from the same seeds and reports the test
accuracy of each.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import ffnn
from ffnn.datasets import load_mnist, load_sample

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))


def data():
    """(images, labels, source): full MNIST's training set if present, else the sample."""
    try:
        mnist = load_mnist(MNIST_DIR, parts=("train",))
        return mnist.train_images, mnist.train_labels, "full MNIST"
    except (OSError, ValueError):
        sample = load_sample()
        return sample.train_images, sample.train_labels, "the shipped sample"


def fit_time(X, y, hidden: int, dtype, engine: str, seed: int = 0) -> float:
    """CPU seconds per sample of one epoch of fit on (X, y)."""
    net = ffnn.NeuralNetwork(X.shape[1], hidden, 10, 0.1, dtype=dtype, seed=seed)
    began = time.process_time()
    net.fit(X, y, 1, seed=seed, engine=engine)
    return (time.process_time() - began) / len(X)


def best_of(X, y, hidden: int, dtype, repeats: int) -> dict[str, float]:
    """Best µs/sample per engine, the engines taking turns."""
    best = {"dense": np.inf, "sparse": np.inf}
    for _ in range(repeats):
        for engine in best:
            best[engine] = min(best[engine], 1e6 * fit_time(X, y, hidden, dtype, engine))
    return best


def thickened(images: np.ndarray, times: int) -> np.ndarray:
    """Each image's ink spread `times` times to its four neighbours (the new ink as faint as
    the stroke's mean), a stand-in for denser pictures such as Fashion-MNIST's."""
    side = int(np.sqrt(images.shape[1]))
    out = images.reshape(-1, side, side).astype(np.int32)
    for _ in range(times):
        grown = out.copy()
        grown[:, 1:] = np.maximum(grown[:, 1:], out[:, :-1])
        grown[:, :-1] = np.maximum(grown[:, :-1], out[:, 1:])
        grown[:, :, 1:] = np.maximum(grown[:, :, 1:], out[:, :, :-1])
        grown[:, :, :-1] = np.maximum(grown[:, :, :-1], out[:, :, 1:])
        out = grown
    return out.reshape(images.shape).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hidden", type=int, nargs="+", default=[200])
    parser.add_argument("--ink", action="store_true", help="the crossover in ink fraction")
    parser.add_argument("--drift", action="store_true", help="an epoch's weights against float64 dense")
    parser.add_argument("--accuracy", action="store_true", help="5 epochs' test accuracy per seed")
    args = parser.parse_args()
    images, labels, source = data()
    if args.accuracy:
        test = load_mnist(MNIST_DIR, parts=("test",)) if source == "full MNIST" else load_sample()
        print(f"{source}: 5 epochs of 784-{args.hidden[0]}-10, lr 0.1, float32; test accuracy")
        for seed in range(3):
            scores = {}
            for engine in ("dense", "sparse"):
                net = ffnn.NeuralNetwork(784, args.hidden[0], 10, 0.1, dtype=np.float32, seed=seed)
                net.fit(images, labels, 5, seed=seed, engine=engine)
                scores[engine] = net.score(test.test_images, test.test_labels)
            print(f"seed {seed}: dense {scores['dense']:.4f}  sparse {scores['sparse']:.4f}", flush=True)
        return
    X, y = images[: args.samples], labels[: args.samples]
    print(f"{source}, {len(X)} samples, 1 thread, lr 0.1, best of {args.repeats}; "
          f"SIMD {ffnn.simd_level() if hasattr(ffnn, 'simd_level') else ''}")
    if args.ink:
        print("ink fraction  hidden  dtype    dense µs  sparse µs  dense/sparse")
        for times in range(0, 6):
            Xt = thickened(X, times)
            ink = float(np.mean(Xt != 0))
            for hidden in args.hidden:
                for dtype in (np.float32, np.float64):
                    t = best_of(Xt, y, hidden, dtype, args.repeats)
                    print(f"{ink:12.2f}  {hidden:6d}  {np.dtype(dtype).name:7s}  {t['dense']:8.2f}  "
                          f"{t['sparse']:9.2f}  {t['dense'] / t['sparse']:12.2f}", flush=True)
        return
    if args.drift:
        for dtype in (np.float32, np.float64):
            ref = ffnn.NeuralNetwork(784, args.hidden[0], 10, 0.1, dtype=np.float64, seed=0)
            start = ref.copy()
            ref.fit(X, y, 1, seed=0, engine="dense")
            for engine in ("dense", "sparse"):
                net = ffnn.NeuralNetwork(784, args.hidden[0], 10, 0.1, dtype=dtype, seed=0)
                net.weights = [w.astype(dtype) for w in start.weights]
                net.fit(X, y, 1, seed=0, engine=engine)
                off = max(float(np.max(np.abs(a - b))) for a, b in zip(net.weights, ref.weights))
                print(f"{np.dtype(dtype).name} {engine:6s}: max |W - W(float64 dense)| = {off:.3g}")
        return
    print("hidden  dtype    dense µs/sample  sparse µs/sample  dense/sparse")
    for hidden in args.hidden:
        for dtype in (np.float32, np.float64):
            t = best_of(X, y, hidden, dtype, args.repeats)
            print(f"{hidden:6d}  {np.dtype(dtype).name:7s}  {t['dense']:15.2f}  {t['sparse']:16.2f}  "
                  f"{t['dense'] / t['sparse']:12.2f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
