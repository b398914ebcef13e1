"""Whether a second thread pays on an idle machine and never costs on a busy one.

    python benchmarks/bench_contention.py [--samples N] [--repeats R] [--busy K,...]

Trains the book's 784-200-10 network (`fit`, one pass over N samples of full
MNIST from $FFNN_MNIST_DIR, default ../shared/data/mnist, else the sample
shipped with ffnn), both precisions, with threads=1 and with threads=2 under
each sharing policy (`share=`, docs/speed.md): first as the
machine is, then again while K busy processes compete for the cores, for
each K given (default: 1, then one per core), each a pure-Python spin loop
started here and ended here by its process id. The runs take turns, R times,
so that all of them see the same load. Prints per run its best time per
sample and, against threads=1, the ratio of the best times and the median
[lowest - highest] of the R ratios of neighbouring runs: below 1 the second
thread pays, above 1 it costs. The weights trained are checked to be the
same in every run.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

import ffnn
from ffnn.datasets import load_mnist, load_sample

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
DTYPES = (np.float32, np.float64)
# threads=1 never shares, whatever the policy.
RUNS = {"1 thread": (1, "deterministic"), "2 deterministic": (2, "deterministic"),
        "2 adaptive": (2, "adaptive")}
SPIN = "while True: pass"


def load():
    if os.path.exists(os.path.join(MNIST_DIR, "train-images-idx3-ubyte.gz")):
        return load_mnist(MNIST_DIR), "full MNIST"
    return load_sample(), "the MNIST sample"


def train_once(X, y, dtype, threads: int, policy: str) -> tuple[float, list]:
    """Seconds one pass of `fit` takes, and the weights it ends with."""
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=0, threads=threads, share=policy)
    start = time.perf_counter()
    net.fit(X, y, epochs=1, seed=1)
    return time.perf_counter() - start, [w.copy() for w in net.weights]


def measure(X, y, repeats: int) -> dict:
    """{(dtype name, run): seconds of each repeat}, the runs taking turns."""
    times: dict = {}
    for _ in range(repeats):
        for dtype in DTYPES:
            weights = {}
            for run, (threads, policy) in RUNS.items():
                seconds, weights[run] = train_once(X, y, dtype, threads, policy)
                times.setdefault((np.dtype(dtype).name, run), []).append(seconds)
            first = weights["1 thread"]
            assert all(all(np.array_equal(a, b) for a, b in zip(first, w)) for w in weights.values()), \
                "threads=2 trained other weights than threads=1"
    return times


def counts(text: str) -> list[int]:
    """"1,2" -> [1, 2]: the --busy argument."""
    values = [int(part) for part in text.split(",")]
    if any(value < 0 for value in values):
        raise ValueError(text)
    return values


def start_busy(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(count)]


def stop_busy(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()


def report(label: str, times: dict, samples: int) -> None:
    print(f"{label} (load average {os.getloadavg()[0]:.1f}): best us/sample; best / best of 1 thread; "
          f"median [lowest - highest] of the ratios to the neighbouring 1-thread run")
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        one = times[(name, "1 thread")]
        print(f"  {name}: 1 thread {min(one) * 1e6 / samples:6.2f}")
        for run in list(RUNS)[1:]:
            mine = times[(name, run)]
            ratios = sorted(t / o for t, o in zip(mine, one))
            print(f"  {name}: {run:<15} {min(mine) * 1e6 / samples:6.2f}  {min(mine) / min(one):.2f}  "
                  f"{float(np.median(ratios)):.2f} [{ratios[0]:.2f} - {ratios[-1]:.2f}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60000, help="training samples per pass")
    parser.add_argument("--repeats", type=int, default=5, help="turns of every run")
    parser.add_argument("--busy", type=counts,
                        default=[1, os.cpu_count() or 1],
                        help="comma-separated counts of busy processes to compete with, one "
                             "measurement each (default: 1 and one per core)")
    args = parser.parse_args()
    data, source = load()
    X, y = data.train_images[: args.samples], data.train_labels[: args.samples]
    print(f"784-200-10, one pass of fit over {len(X)} samples of {source}, {args.repeats} turns; "
          f"{os.cpu_count()} cores")
    report("as the machine is", measure(X, y, args.repeats), len(X))
    for count in args.busy:
        busy = start_busy(count)
        try:
            time.sleep(0.5)  # let the busy processes reach their loops
            times = measure(X, y, args.repeats)
        finally:
            stop_busy(busy)
        report(f"with {count} busy process{'es' if count > 1 else ''}", times, len(X))


if __name__ == "__main__":
    main()
