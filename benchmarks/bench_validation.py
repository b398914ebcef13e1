"""What checking the arguments costs per train() call, next to the step itself.

Times net.train(x, t) (checks, lock, step) against the bare core step on the
same arrays, interleaved so both see the same machine load, and reports the
median difference. Usage: python benchmarks/bench_validation.py [hidden_nodes]
"""
import statistics
import sys
import time

import numpy as np

import ffnn
from ffnn import _core


def median_us(fn, repeats: int = 2000, rounds: int = 15) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        times.append((time.perf_counter() - start) / repeats * 1e6)
    return times


def main() -> None:
    hidden = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        net = ffnn.NeuralNetwork(784, hidden, 10, 0.1, dtype=dtype, seed=1)
        x = rng.uniform(0.01, 1.0, 784).astype(dtype)
        t = np.full(10, 0.01, dtype)
        t[3] = 0.99
        rule = _core.RULES[net.rule]

        def bare():
            net._net.train(None, net.learning_rate, rule, inputs=x.reshape(1, -1), targets=t.reshape(1, -1))

        def checked():
            net.train(x, t)

        def from_list():
            net.train(xl, tl)

        xl, tl = x.tolist(), t.tolist()
        pairs = [(median_us(bare, rounds=1)[0], median_us(checked, rounds=1)[0]) for _ in range(15)]
        step = statistics.median(b for b, _ in pairs)
        extra = statistics.median(c - b for b, c in pairs)
        lists = statistics.median(median_us(from_list, repeats=500, rounds=5)) - step
        print(f"784-{hidden}-10 {np.dtype(dtype).name}: core step {step:.1f} µs, "
              f"train() adds {extra:.2f} µs ({extra / step:.1%}) for float arrays, "
              f"{lists:.1f} µs for Python lists")


if __name__ == "__main__":
    main()
