"""ffnn against the book on full MNIST, like for like: the figures of docs/book.md.

    python benchmarks/book_comparison.py [--mnist DIR] [--seeds 10] [--rotation-seeds 3]

Two procedures for the book's 784-200-10 network (learning rate 0.1, 5
epochs), each over seeds 0 .. N-1:

- "book": as the book's code runs it. The initial weights are drawn the way
  its class draws them (``numpy.random.normal`` of a generator seeded with the
  seed, the input-to-hidden matrix first, each with the spread of its input
  size as in the book's corrected repository) and the training images are
  shown in the file's order, the same order in every epoch.
- "ffnn": ffnn's defaults, ``NeuralNetwork(..., seed=s)`` and
  ``fit(..., seed=s)``: weights from ``np.random.default_rng(s)`` and a fresh
  random order of the images in every epoch.

Both in float64 (the book's NumPy arithmetic) unless ``--dtype`` says
otherwise. Then the book's part 3 (learning rate 0.01, 10 epochs, each image
also rotated by +10° and -10°) under both procedures for a few seeds. Prints
the test accuracy after every epoch of every run, then each procedure's
median and range next to the figures the book's notebooks print. With
--reference-epochs, the book's procedure for seed 0 also runs in
tests/reference.py, the plain NumPy version of the book's code that the tests
hold ffnn to, and the two are compared after each epoch. Full MNIST
comes from --mnist, else $FFNN_MNIST_DIR, else ../shared/data/mnist.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import reference  # noqa: E402  (the plain-NumPy book network of the test suite)

import ffnn  # noqa: E402
from ffnn.datasets import load_mnist, make_targets, scale_inputs  # noqa: E402

MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))

# name: (description, learning rate, epochs, rotation in degrees, the book's published accuracies in %)
EXPERIMENTS = {
    "plain": ("784-200-10, lr 0.1, 5 epochs", 0.1, 5, 0, "97.42 / 97.12 / 97.47"),
    "rotations": ("784-200-10, lr 0.01, 10 epochs, images also rotated ±10°", 0.01, 10, 10, "97.5"),
}
PROCEDURES = ("book", "ffnn")


def book_weights(sizes, seed: int) -> list[np.ndarray]:
    """The initial weights as the book's class draws them from a seeded global generator.

    ``np.random.seed(seed)`` followed by ``np.random.normal(...)`` for each matrix,
    which is what a seeded legacy RandomState gives; spread ``n_in ** -0.5``.
    """
    rng = np.random.RandomState(seed)
    return [rng.normal(0.0, n_in**-0.5, (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def run(data, procedure: str, experiment: str, seed: int, dtype: str, threads: int) -> dict:
    """One training run; the test accuracy after each epoch and the wall time of fit."""
    _, lr, epochs, rotate, _ = EXPERIMENTS[experiment]
    net = ffnn.NeuralNetwork(784, 200, 10, lr, dtype=dtype, seed=seed, threads=threads)
    if procedure == "book":
        net.weights = book_weights(net.sizes, seed)
    start = time.perf_counter()
    history = net.fit(
        data.train_images, data.train_labels, epochs,
        shuffle=procedure == "ffnn", seed=seed,
        augment={"rotate": rotate} if rotate else None,
        validation=(data.test_images, data.test_labels),
    )
    return {"accuracy": history["val_accuracy"], "seconds": time.perf_counter() - start}


def against_reference(data, epochs: int, dtype: str) -> None:
    """The book's procedure, seed 0, in tests/reference.py (the book's arithmetic in plain
    NumPy, one sample at a time) and in ffnn: the same accuracy, and how far apart the weights are."""
    weights = book_weights((784, 200, 10), 0)
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype)
    net.weights = weights
    inputs, targets = scale_inputs(data.train_images), make_targets(data.train_labels)
    test_inputs = scale_inputs(data.test_images)
    for epoch in range(1, epochs + 1):
        for x, t in zip(inputs, targets):
            reference.train(weights, x, t, 0.1)
        net.fit(data.train_images, data.train_labels, 1, shuffle=False)
        theirs = np.mean([reference.query(weights, x).argmax() == label
                          for x, label in zip(test_inputs, data.test_labels)])
        apart = max(float(np.abs(a - b).max()) for a, b in zip(net.weights, weights))
        print(f"book's procedure, seed 0, epoch {epoch}: tests/reference.py {theirs:.2%}, "
              f"ffnn {net.score(data.test_images, data.test_labels):.2%}; "
              f"largest weight difference {apart:.1e}", flush=True)


def spread(values) -> str:
    """median (min–max) in percent."""
    return f"{statistics.median(values):.2%} ({min(values):.2%}–{max(values):.2%})"


def machine() -> str:
    model = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{model}, {os.cpu_count()} CPUs{load}"


def report(experiment: str, results: dict) -> None:
    description, _, epochs, _, published = EXPERIMENTS[experiment]
    if not any(results.values()):
        return
    print(f"\n{description}:")
    for procedure in PROCEDURES:
        runs = results[procedure]
        if not runs:
            continue
        first = [r["accuracy"][0] for r in runs]
        last = [r["accuracy"][-1] for r in runs]
        seconds = [r["seconds"] for r in runs]
        print(f"  {procedure:4}: {len(runs):2} seeds, after epoch 1 {spread(first)}, "
              f"after epoch {epochs} {spread(last)}; fit {statistics.median(seconds):.1f} s "
              f"({min(seconds):.1f}–{max(seconds):.1f} s)")
    print(f"  the book's notebooks print: {published} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mnist", default=MNIST_DIR, help="full MNIST in any layout load_mnist reads")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1 of the plain runs (default: 10)")
    parser.add_argument("--rotation-seeds", type=int, default=3,
                        help="seeds of the runs with rotations (default: 3; 0 skips them)")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reference-epochs", type=int, default=0,
                        help="also train tests/reference.py the book's way for this many epochs "
                             "(about a minute each) and compare (default: 0)")
    args = parser.parse_args()
    if args.seeds < 1 or args.rotation_seeds < 0 or args.reference_epochs < 0:
        parser.error("--seeds must be at least 1, --rotation-seeds and --reference-epochs at least 0")
    data = load_mnist(args.mnist)
    print(f"ffnn {ffnn.__version__}, {args.dtype}, SIMD {ffnn.simd_level()}, {args.threads} thread(s); "
          f"{len(data.train_images)} training and {len(data.test_images)} test images")
    print(f"machine: {machine()}", flush=True)
    started = time.perf_counter()
    summaries = []
    for experiment, seeds in (("plain", args.seeds), ("rotations", args.rotation_seeds)):
        results: dict[str, list[dict]] = {procedure: [] for procedure in PROCEDURES}
        for seed in range(seeds):
            for procedure in PROCEDURES:
                result = run(data, procedure, experiment, seed, args.dtype, args.threads)
                results[procedure].append(result)
                epochs = " ".join(f"{a:.2%}" for a in result["accuracy"])
                print(f"{experiment} {procedure} seed {seed}: {epochs}  ({result['seconds']:.1f} s)", flush=True)
        summaries.append((experiment, results))
    for experiment, results in summaries:
        report(experiment, results)
    if args.reference_epochs:
        print()
        against_reference(data, args.reference_epochs, args.dtype)
    print(f"\ntotal {time.perf_counter() - started:.0f} s; machine at the end: {machine()}")


if __name__ == "__main__":
    main()
