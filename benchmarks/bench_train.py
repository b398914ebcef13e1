"""How fast ffnn trains and queries the book's 784-200-10 network, in one run.

    python benchmarks/bench_train.py [--samples N] [--repeats R]

Uses full MNIST from ../shared/data/mnist (or $FFNN_MNIST_DIR) when present,
else the sample shipped with ffnn. Every ratio is against a measurement of
the same run, so a busy machine slows both sides. Reports, per training
sample: the NumPy reference of the book's network (tests/reference.py),
ffnn at every SIMD level, both precisions, 1 and 2 threads; the roofline
probe (the fused update-and-forward sweep over the first layer's weights,
which every step must make) and each step's ratio to it. Then a 5-epoch fit
in a fresh process (wall time, test accuracy, peak RSS) and a batch query of
10 000 images against NumPy's ``sigmoid(x @ W.T)`` chain.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import reference  # noqa: E402  (the plain-NumPy book network of the test suite)

import ffnn  # noqa: E402
from ffnn import _core  # noqa: E402
from ffnn.datasets import load_mnist, load_sample, make_targets, scale_inputs  # noqa: E402
from ffnn.network import _cache_aligned  # noqa: E402

MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
SIZES = (784, 200, 10)
DTYPES = (np.float32, np.float64)


def load():
    if os.path.exists(os.path.join(MNIST_DIR, "train-images-idx3-ubyte.gz")):
        return load_mnist(MNIST_DIR), "full MNIST"
    return load_sample(), "the MNIST sample"


def interleaved_best(repeats, runs):
    """The shortest of `repeats` timings of each of the runs, in seconds: the least disturbed
    one. The runs take turns, so that all of them see the same load of a shared machine."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def best_of(repeats, run):
    return interleaved_best(repeats, {None: run})[None]


def numpy_step_us(images, labels, n, repeats):
    x, t = scale_inputs(images[:n]), make_targets(labels[:n])
    weights = reference.initial_weights(SIZES, 0)

    def run():
        for xi, ti in zip(x, t):
            reference.train(weights, xi, ti, 0.1)

    return best_of(repeats, run) / n * 1e6


def step_and_probe_us(images, labels, dtype, repeats, count=3000):
    """µs per sample of fit with 1 and 2 threads, and of the probe: the fused sweep alone,
    W_1 += lr * d outer x_n, then W_1 x_{n+1}, per sample."""
    nets = {t: ffnn.NeuralNetwork(*SIZES, 0.1, dtype=dtype, seed=0, threads=t) for t in (1, 2)}
    rng = np.random.default_rng(0)
    w = _cache_aligned(rng.normal(0, SIZES[0] ** -0.5, SIZES[1::-1]).astype(dtype))
    xs = scale_inputs(images[:64], dtype)
    d = rng.normal(0, 1e-3, SIZES[1]).astype(dtype)
    y = np.empty(SIZES[1], dtype)
    runs = {t: (lambda net=net: net.fit(images, labels, seed=0)) for t, net in nets.items()}
    runs["probe"] = lambda: _core.sweep_probe(w, dtype(0.1), d, xs, y, count)
    best = interleaved_best(repeats, runs)
    return {k: v / (count if k == "probe" else len(images)) * 1e6 for k, v in best.items()}


def query_ms(images, dtype, repeats):
    """ffnn's batch query (1 and 2 threads) and NumPy's chain on the same weights."""
    x = scale_inputs(images, dtype)
    net = ffnn.NeuralNetwork(*SIZES, 0.1, dtype=dtype, seed=0)
    w1, w2 = net.weights

    def numpy_chain():
        h = 1 / (1 + np.exp(-(x @ w1.T)))
        return 1 / (1 + np.exp(-(h @ w2.T)))

    result = {"numpy": best_of(repeats, numpy_chain) * 1e3}
    for threads in (1, 2):
        net.threads = threads
        result[threads] = best_of(repeats, lambda: net.query(x)) * 1e3
    np.testing.assert_allclose(net.query(x), numpy_chain(), rtol=1e-4, atol=1e-5)
    return result


FIT_SCRIPT = """
import json, sys, time
import numpy as np
import ffnn
from ffnn.datasets import load_mnist, load_sample
data = load_mnist(sys.argv[1]) if sys.argv[1] else load_sample()
net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=np.float32, seed=1, threads=int(sys.argv[2]))
start = time.perf_counter()
net.fit(data.train_images, data.train_labels, epochs=5, seed=1)
seconds = time.perf_counter() - start
accuracy = net.score(data.test_images, data.test_labels)
try:
    # This process's own high-water mark; ru_maxrss would include the parent's
    # size from before the exec on Linux.
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
except OSError:
    try:
        import resource  # Unix only: on Windows the peak is not measured
    except ImportError:
        peak = float("nan")
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 2**20)
print(json.dumps({"seconds": seconds, "accuracy": accuracy, "rss_mb": peak,
                  "steps": 5 * len(data.train_images)}))
"""


def fit_in_subprocess(mnist_dir, threads):
    out = subprocess.run(
        [sys.executable, "-c", FIT_SCRIPT, mnist_dir, str(threads)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10000, help="training samples per timing")
    parser.add_argument("--repeats", type=int, default=3, help="timings per figure (best kept)")
    args = parser.parse_args(argv)

    data, source = load()
    images, labels = data.train_images[: args.samples], data.train_labels[: args.samples]
    default_level = ffnn.simd_level()
    print(f"ffnn {ffnn.__version__}, {SIZES[0]}-{SIZES[1]}-{SIZES[2]}, {source}; "
          f"SIMD levels {ffnn.simd_levels()} (default {default_level}); {os.cpu_count()} CPUs")

    ref = numpy_step_us(images, labels, min(2000, len(images)), args.repeats)
    print(f"\nper training sample ({len(images)} samples, best of {args.repeats}, "
          "each level's runs taking turns):")
    print(f"  NumPy reference (float64)          {ref:8.2f} us   1.0x")
    steps = {}
    for level in ffnn.simd_levels():
        ffnn.set_simd_level(level)
        for dtype in DTYPES:
            name = np.dtype(dtype).name
            timings = step_and_probe_us(images, labels, dtype, args.repeats)
            probe = timings["probe"]
            for threads in (1, 2):
                us = steps[level, name, threads] = timings[threads]
                print(f"  ffnn {level:7s}{name} {threads} thread{'s' if threads > 1 else ' '} "
                      f"{us:8.2f} us {ref / us:6.1f}x   probe {probe:6.2f} us, step/probe {us / probe:4.2f}")
            print(f"  {'':7s}{name} 2 threads over 1:  "
                  f"{steps[level, name, 1] / steps[level, name, 2]:.2f}x")
    ffnn.set_simd_level(default_level)

    print("\nbatch query of 10 000 test images (ms, best of 5):")
    for dtype in DTYPES:
        q = query_ms(data.test_images[:10000], dtype, 5)
        print(f"  {np.dtype(dtype).name}: NumPy {q['numpy']:7.2f}  ffnn 1 thread {q[1]:7.2f} "
              f"({q[1] / q['numpy']:.2f}x NumPy)  2 threads {q[2]:7.2f} ({q[2] / q['numpy']:.2f}x NumPy)")

    mnist_dir = MNIST_DIR if source == "full MNIST" else ""
    print(f"\n5-epoch fit, float32, in a fresh process ({source}):")
    for threads in (1, 2):
        fit = fit_in_subprocess(mnist_dir, threads)
        print(f"  {threads} thread{'s' if threads > 1 else ' '}: {fit['seconds']:.2f} s for "
              f"{fit['steps']} steps ({fit['seconds'] / fit['steps'] * 1e6:.2f} us/step), "
              f"test accuracy {fit['accuracy']:.2%}, peak RSS {fit['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
