"""The book's per-sample training in JAX: the peer that bench_train.py holds ffnn against.

    python benchmarks/peer_jax.py [--samples N] [--repeats R]

The same step as ffnn's ``fit`` with the book's rule (forward, output error,
hidden error through W2 as it was, both updates with the learning rate), one
sample at a time, written as one ``jax.lax.scan`` per epoch and compiled by
``jax.jit``: the fastest way JAX has to run a loop of small dependent steps.
Both precisions (float64 through ``jax_enable_x64``), on the CPU, timed after
compilation. Optional: without jax installed, ``available()`` is False and
bench_train.py says so in one line. Not a run-time dependency of ffnn
(``pip install ffnn[bench]`` brings it).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

try:
    import jax
except ImportError:  # the comparison is optional
    jax = None
else:
    # float64 arrays need x64 mode; float32 ones stay float32 in it.
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp


def available() -> bool:
    return jax is not None


def _epoch_function():
    """epoch(w1, w2, x, t, lr) -> (w1, w2, sum of squared errors), jitted."""

    def step(carry, sample):
        w1, w2, lr = carry
        x, t = sample
        h = jax.nn.sigmoid(w1 @ x)
        o = jax.nn.sigmoid(w2 @ h)
        e_out = t - o
        e_hidden = w2.T @ e_out  # the book passes the raw errors down
        w2 = w2 + lr * jnp.outer(e_out * o * (1 - o), h)
        w1 = w1 + lr * jnp.outer(e_hidden * h * (1 - h), x)
        return (w1, w2, lr), jnp.sum(e_out * e_out)

    @jax.jit
    def epoch(w1, w2, x, t, lr):
        (w1, w2, _), errors = jax.lax.scan(step, (w1, w2, lr), (x, t))
        return w1, w2, jnp.sum(errors)

    return epoch


def train_epoch(weights, x, t, lr):
    """One epoch over the rows of x and t in order, from `weights` (w1, w2): the new
    weights as NumPy arrays and the sum of squared errors."""
    epoch = _epoch_function()
    dtype = weights[0].dtype
    w1, w2, sse = epoch(*(jnp.asarray(w, dtype) for w in weights), jnp.asarray(x, dtype),
                        jnp.asarray(t, dtype), jnp.asarray(lr, dtype))
    return (np.asarray(w1), np.asarray(w2)), float(sse)


def epoch_runner(weights, x, t, lr):
    """A function running one epoch over x from `weights` (the same start every time),
    compiled already by one untimed run, returning when its results are ready."""
    epoch = _epoch_function()
    dtype = weights[0].dtype
    args = [jnp.asarray(w, dtype) for w in weights] + [
        jnp.asarray(x, dtype), jnp.asarray(t, dtype), jnp.asarray(lr, dtype)]
    jax.block_until_ready(epoch(*args))
    return lambda: jax.block_until_ready(epoch(*args))


def step_us(weights, x, t, lr, repeats):
    """Microseconds per sample of an epoch over x, the best of `repeats`, after compiling."""
    run = epoch_runner(weights, x, t, lr)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best / len(x) * 1e6


def main(argv=None):
    import ffnn
    from ffnn.datasets import load_sample, make_targets, scale_inputs

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not available():
        print("jax is not installed: pip install jax")
        return
    data = load_sample()
    images, labels = data.train_images[: args.samples], data.train_labels[: args.samples]
    for dtype in (np.float32, np.float64):
        net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=0)
        start = [w.copy() for w in net.weights]
        x, t = scale_inputs(images, dtype), make_targets(labels, 10, dtype)
        theirs, _ = train_epoch(start, x, t, 0.1)
        net.fit(images, labels, shuffle=False)
        gap = max(float(np.max(np.abs(a - b))) for a, b in zip(net.weights, theirs))
        print(f"{np.dtype(dtype).name}: {step_us(start, x, t, 0.1, args.repeats):.2f} us/sample; "
              f"weights after an epoch within {gap:.1e} of ffnn's")


if __name__ == "__main__":
    main()
