"""Separate networks trained in threads: the speed-up over training them one
after the other, which the kernels' release of the GIL makes possible.

Usage: python benchmarks/bench_threads.py [n_threads] [hidden_nodes]
Prints the wall time of both ways and their ratio, and how many cores the
threads kept busy (process CPU time / wall time: near n_threads when nothing
else competes for the cores); the weights are checked to be identical. Last,
how fast a pure-Python loop runs while another thread fits, relative to alone:
near 1 when the kernels release the GIL, near 0 when they hold it.
"""
import sys
import threading
import time

import numpy as np

import ffnn
from ffnn.datasets import load_sample


def spin(seconds: float) -> int:
    """Iterations of a pure-Python loop in `seconds`."""
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        n += 1
    return n


def main() -> None:
    n_threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    hidden = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    data = load_sample()
    X, y = data.train_images, data.train_labels
    for dtype in (np.float32, np.float64):
        nets = [ffnn.NeuralNetwork(784, hidden, 10, 0.1, dtype=dtype, seed=k) for k in range(n_threads)]
        serial = [net.copy() for net in nets]

        start = time.perf_counter()
        for k, net in enumerate(serial):
            net.fit(X, y, epochs=3, seed=k)
        one_by_one = time.perf_counter() - start

        threads = [threading.Thread(target=net.fit, args=(X, y), kwargs={"epochs": 3, "seed": k})
                   for k, net in enumerate(nets)]
        start, cpu_start = time.perf_counter(), time.process_time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        side_by_side = time.perf_counter() - start
        cores = (time.process_time() - cpu_start) / side_by_side

        assert nets == serial, "threaded training differs from serial training"
        print(f"{n_threads} x 784-{hidden}-10 {np.dtype(dtype).name}, 3 epochs of {len(X)} samples each: "
              f"one by one {one_by_one:.2f} s, in {n_threads} threads {side_by_side:.2f} s, "
              f"speed-up {one_by_one / side_by_side:.2f}x, {cores:.2f} cores busy")

    net = ffnn.NeuralNetwork(784, hidden, 10, 0.1, seed=0)
    alone = spin(0.5)
    worker = threading.Thread(target=net.fit, args=(X, y), kwargs={"epochs": 5})
    worker.start()
    during = spin(0.5)
    worker.join()
    print(f"a Python loop beside a running fit keeps {during / alone:.0%} of its speed")


if __name__ == "__main__":
    main()
