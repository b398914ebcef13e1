"""fork(): a child inherits a network's pool but not its threads.

Each case runs in a fresh interpreter with a time limit, so that a child
stuck on its parent's lock fails the test instead of stopping the suite.
"""
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()"),
]

TIME_LIMIT = 120  # seconds; each case takes well under one

# Python 3.12+ warns that fork() in a process with threads may deadlock: the
# pool is exactly what these cases hold to not doing so.
PRELUDE = """
import multiprocessing, os, sys, warnings
import numpy as np
import ffnn
warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
rng = np.random.default_rng(0)
X = rng.integers(0, 256, (200, 784), dtype=np.uint8)
y = rng.integers(0, 10, 200)
MODEL = ffnn.NeuralNetwork(784, 64, 10, 0.1, seed=0, threads=2)
MODEL.fit(X, y, seed=1)   # the helpers have run, and sleep or spin


def child_status(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
"""


def run_case(tmp_path, body):
    script = tmp_path / "case.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    try:
        result = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=TIME_LIMIT
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung for {TIME_LIMIT} s")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_child_exits_with_the_inherited_pool(tmp_path):
    out = run_case(tmp_path, """
        pid = os.fork()
        if pid == 0:
            sys.exit(0)   # frees MODEL, and its pool, at interpreter exit
        print("child", child_status(pid))
    """)
    assert out.split() == ["child", "0"]


@pytest.mark.parametrize("how", ["threads = 1", "del"])
def test_child_replaces_or_frees_the_inherited_pool(tmp_path, how):
    out = run_case(tmp_path, f"""
        pid = os.fork()
        if pid == 0:
            if {how!r} == "del":
                del MODEL
            else:
                MODEL.threads = 1
                assert MODEL.threads == 1
            os._exit(0)
        print("child", child_status(pid))
    """)
    assert out.split() == ["child", "0"]


def test_child_fits_with_two_threads_as_the_parent_does(tmp_path):
    out = run_case(tmp_path, """
        pid = os.fork()
        if pid == 0:
            MODEL.fit(X, y, epochs=2, seed=2)
            MODEL.save("child.npz")
            os._exit(0)
        print("child", child_status(pid))
        MODEL.fit(X, y, epochs=2, seed=2)
        child = ffnn.NeuralNetwork.load("child.npz")
        print("equal", all((a == b).all() for a, b in zip(child.weights, MODEL.weights)))
    """)
    assert out.split() == ["child", "0", "equal", "True"]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pool_workers_query_and_fit_a_threaded_model(tmp_path, method):
    out = run_case(tmp_path, f"""
        def query(k):
            if k % 2:   # replace the pool; an even k uses what the worker has
                MODEL.threads = 1
            return MODEL.query(X[k * 10:(k + 1) * 10] / 255.0)

        def fit(k):
            net = MODEL.copy()
            net.fit(X, y, seed=k)
            net.threads = 1
            return net.weights[0]

        def one_thread_fit(k):
            net = MODEL.copy()
            net.threads = 1
            net.fit(X, y, seed=k)
            return net.weights[0]


        if __name__ == "__main__":
            with multiprocessing.get_context({method!r}).Pool(2) as workers:
                queried = workers.map(query, range(4))
                fitted = workers.map(fit, range(3))
            print("query", all((q == query(k)).all() for k, q in enumerate(queried)))
            print("fit", all((w == one_thread_fit(k)).all() for k, w in enumerate(fitted)))
    """)
    assert out.split() == ["query", "True", "fit", "True"]


def test_child_of_a_fork_during_fit_in_another_thread_can_use_the_network(tmp_path):
    # The fitting thread holds the network's lock when the process forks; the
    # child has no such thread, so it must not wait for that lock.
    out = run_case(tmp_path, """
        import threading
        forked = threading.Event()

        class Forked(Exception):
            pass

        def stop_once_forked(epoch, history):
            if forked.is_set():
                raise Forked

        def long_fit():   # epochs until the fork is done, however slow the machine
            try:
                MODEL.fit(X, y, epochs=10 ** 9, seed=3, callback=stop_once_forked)
            except Forked:
                pass

        before = MODEL.weights[0].copy()
        fitting = threading.Thread(target=long_fit)
        fitting.start()
        while np.array_equal(MODEL.weights[0], before):
            pass   # not yet inside fit's epoch, which holds the network: wait until it is
        pid = os.fork()
        if pid == 0:
            MODEL.threads = 1
            MODEL.fit(X, y, seed=4)
            print("child", MODEL.query(X[0]).shape, flush=True)
            os._exit(0)
        forked.set()
        print("exit", child_status(pid))
        fitting.join()
    """)
    assert out.split() == ["child", "(10,)", "exit", "0"]
