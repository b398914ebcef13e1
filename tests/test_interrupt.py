"""Ctrl-C during fit: KeyboardInterrupt within 0.5 s, and the network holds
the weights after the last completed sample, never half a step.

A child process runs a long fit and, on KeyboardInterrupt, pickles the time,
the number of completed epochs and the network; the test replays the same
samples one by one and finds the interrupted network among the states.
"""
import os
import pickle
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import ffnn
from ffnn.datasets import make_targets

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX"),
]

CHILD = """
import pickle, signal, sys, time
import numpy as np
import ffnn

# A parent that ignores SIGINT would make Python ignore it too.
signal.signal(signal.SIGINT, signal.default_int_handler)
data, out, progress = sys.argv[1], sys.argv[2], sys.argv[3] == "progress"
with np.load(data) as f:
    X, y, sizes, dtype = f["X"], f["y"], f["sizes"].tolist(), str(f["dtype"])
net = ffnn.NeuralNetwork(sizes[0], sizes[1:-1], sizes[-1], 0.1, dtype=dtype, seed=0)
epochs = []
print("ready", flush=True)
try:
    net.fit(X, y, epochs=10**6, seed=1, callback=lambda epoch, h: epochs.append(epoch),
            progress=progress)
except KeyboardInterrupt:
    caught = time.monotonic()
    with open(out, "wb") as f:
        pickle.dump((caught, len(epochs), net), f)
"""


def interrupt_child(code, args, delay, stderr):
    """Run `code` in a child, send SIGINT `delay` s after it prints "ready"; the
    seconds from the signal to the child's own time of catching it come from
    what it wrote."""
    child = subprocess.Popen([sys.executable, "-c", code, *map(str, args)],
                             stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        sent = time.monotonic()
        os.kill(child.pid, signal.SIGINT)
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()
        child.stdout.close()
    return sent


def interrupted_fit(tmp_path, X, y, sizes, dtype, delay, progress=False):
    """Run the child, send SIGINT `delay` s after it starts fitting; returns
    (seconds from signal to KeyboardInterrupt, completed epochs, network)."""
    data, out = tmp_path / "data.npz", tmp_path / "net.pickle"
    np.savez(data, X=X, y=y, sizes=np.array(sizes), dtype=np.dtype(dtype).name)
    with open(tmp_path / "stderr.txt", "w") as stderr:  # the progress bar, kept out of the way
        sent = interrupt_child(CHILD, [data, out, "progress" if progress else "plain"], delay, stderr)
    with open(out, "rb") as f:
        caught, epochs_done, net = pickle.load(f)
    return caught - sent, epochs_done, net


@pytest.mark.parametrize("progress", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ctrl_c_leaves_the_weights_of_the_last_completed_sample(tmp_path, dtype, progress):
    if progress:
        pytest.importorskip("tqdm")
    rng = np.random.default_rng(0)
    n = 20000
    X = rng.uniform(0.01, 1, (n, 60))
    y = rng.integers(0, 10, n)
    sizes = (60, 40, 10)
    latency, epochs_done, saved = interrupted_fit(tmp_path, X, y, sizes, dtype, delay=0.3, progress=progress)
    assert latency < 0.5

    replay = ffnn.NeuralNetwork(*sizes, 0.1, dtype=dtype, seed=0)
    orders = np.random.default_rng(1)
    for _ in range(epochs_done):  # whole epochs: the same C loop in the same order
        order = orders.permutation(n)
        replay.fit(X[order], y[order], shuffle=False)
    order = orders.permutation(n)
    targets = make_targets(y, 10, dtype)
    inputs = X.astype(dtype)
    completed = 0
    while replay != saved:
        assert completed < n, "no number of completed samples gives the saved weights"
        replay.train(inputs[order[completed]], targets[order[completed]])
        completed += 1
    # Interrupted mid-run, not before training started.
    assert epochs_done * n + completed > 0


def test_ctrl_c_is_answered_quickly_when_one_sample_takes_long(tmp_path):
    # Eight million weights: over 10 ms per sample, so Ctrl-C must be looked
    # at after every sample here (128 samples would take seconds).
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, (300, 2000), dtype=np.uint8)
    y = rng.integers(0, 10, 300)
    sizes = (2000, 2000, 2000, 10)
    # A step's time here, so that a slow build (sanitizers) or a busy machine
    # gets its allowance: Ctrl-C may wait for the sample under way, not for
    # a chunk of many.
    timer = ffnn.NeuralNetwork(sizes[0], sizes[1:-1], sizes[-1], 0.1, seed=0)
    target = make_targets(y[:1], 10, np.float64)[0]
    start = time.monotonic()
    timer.train(X[0], target)
    step = time.monotonic() - start
    latency, _, saved = interrupted_fit(tmp_path, X, y, sizes, np.float64, delay=0.5)
    assert latency < 0.5 + 4 * step
    assert all(np.isfinite(w).all() for w in saved.weights)


QUERY_CHILD = """
import signal, sys, time
import numpy as np
import ffnn

signal.signal(signal.SIGINT, signal.default_int_handler)
out = sys.argv[1]
# About 40 billion multiply-adds: many seconds in one call.
net = ffnn.NeuralNetwork(100, [3000, 3000], 10, 0.1, seed=0)
X = np.random.default_rng(0).uniform(0.01, 1, (4000, 100))
print("ready", flush=True)
try:
    net.query(X)
except KeyboardInterrupt:
    caught = time.monotonic()
    with open(out, "w") as f:
        f.write(repr(caught))
"""


def test_ctrl_c_stops_a_long_batch_query(tmp_path):
    out = tmp_path / "caught.txt"
    sent = interrupt_child(QUERY_CHILD, [out], delay=0.5, stderr=None)
    assert float(out.read_text()) - sent < 0.5
