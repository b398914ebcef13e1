"""The book's network with and without bias nodes on full MNIST: the figures of docs/bias.md.

    python benchmarks/bias_accuracy.py [--mnist DIR] [--seeds 3] [--dtype float32] [--threads 1]

The book's 784-200-10 network (learning rate 0.1, 5 epochs) trained with
ffnn's defaults, ``NeuralNetwork(..., seed=s)`` and ``fit(..., seed=s)``, for
seeds 0 .. N-1, once as the book has it and once with ``bias=True``: the same
initial weights and the same order of images, so the bias nodes are the only
difference. Prints the test accuracy after the last epoch of every run, then
each variant's mean and range. Full MNIST comes from --mnist, else
$FFNN_MNIST_DIR, else ../shared/data/mnist.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import ffnn
from ffnn.datasets import load_mnist

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
VARIANTS = {"book (no bias)": False, "bias=True": True}


def accuracy(data, bias: bool, seed: int, dtype: str, threads: int) -> tuple[float, float]:
    """Test accuracy after training, and the seconds fit took."""
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=seed, threads=threads, bias=bias)
    start = time.perf_counter()
    net.fit(data.train_images, data.train_labels, 5, seed=seed)
    seconds = time.perf_counter() - start
    return net.score(data.test_images, data.test_labels), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=MNIST_DIR, help="directory of the MNIST files")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1 (default 3)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    data = load_mnist(args.mnist)
    print(f"784-200-10, lr 0.1, 5 epochs, {args.dtype}, {len(data.train_labels)} training images, "
          f"{len(data.test_labels)} test images, SIMD {ffnn.simd_level()}")
    results: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for seed in range(args.seeds):
        for name, bias in VARIANTS.items():
            score, seconds = accuracy(data, bias, seed, args.dtype, args.threads)
            results[name].append(score)
            print(f"seed {seed}  {name:<15} accuracy {100 * score:.2f} %  ({seconds:.1f} s)", flush=True)
    for name, scores in results.items():
        print(f"{name:<15} mean {100 * statistics.mean(scores):.2f} %, "
              f"range {100 * min(scores):.2f} .. {100 * max(scores):.2f} % over {len(scores)} seeds")


if __name__ == "__main__":
    main()
