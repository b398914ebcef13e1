"""One network used from many threads at once while others change its threads and
sharing policy: no crash, no deadlock, no wrong output. Each scenario runs in a
child process with a time limit, so a segmentation fault or a hang fails the test
instead of ending the run."""
import subprocess
import sys
import textwrap

import pytest

SCENARIO = textwrap.dedent('''
    import threading, time
    import numpy as np
    import ffnn
    from ffnn.datasets import load_sample, scale_inputs

    data = load_sample()
    pixels = data.test_images[:{rows}]
    for dtype in (np.float32, np.float64):
        net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=0, threads=1)
        inputs = scale_inputs(pixels, dtype)
        want_pixels, want_inputs = net.query(pixels), net.query(inputs)
        target = np.full(10, 0.01, dtype) + 0.98 * np.eye(10, dtype=dtype)[3]
        want_image = net.backquery(target)
        stop, errors = threading.Event(), []

        def guarded(work):
            def run():
                try:
                    while not stop.is_set():
                        work()
                except BaseException as exc:
                    errors.append(exc)
                    stop.set()
            return run

        def query_pixels():
            assert np.array_equal(net.query(pixels), want_pixels), "a query of pixels changed"

        def query_inputs():
            assert np.array_equal(net.query(inputs), want_inputs), "a query of inputs changed"

        def backquery():
            assert np.array_equal(net.backquery(target), want_image), "a backquery changed"

        flips = iter(range(10 ** 9))

        def flip():
            i = next(flips)
            net.threads = 1 + i % 2
            net.share = ("adaptive", "deterministic")[i // 2 % 2]

        work = [query_pixels, query_inputs] * ({queries} // 2) + [backquery] * ({queries} % 2)
        threads = [threading.Thread(target=guarded(w)) for w in work + [flip] * {flippers}]
        for t in threads:
            t.start()
        time.sleep({seconds})
        stop.set()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
    print("ok")
''')


@pytest.mark.slow
@pytest.mark.parametrize("queries, flippers", [(5, 1), (2, 1), (4, 2)])
def test_queries_beside_changes_of_threads_and_policy_stay_right(queries, flippers):
    for run in range(3):
        code = SCENARIO.format(rows=300, queries=queries, flippers=flippers, seconds=1.0)
        try:
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"run {run}: queries and changes of threads deadlocked (no end within 60 s)")
        assert done.returncode == 0, f"run {run}: exit status {done.returncode}\n{done.stderr[-3000:]}"
        assert done.stdout.strip() == "ok"


def test_exclusive_use_waits_for_running_queries_and_holds_off_new_ones():
    import threading
    import time

    from ffnn._access import AccessLock

    lock, events = AccessLock(), []
    in_query, writer_waiting = threading.Event(), threading.Event()

    def query(name, hold):
        with lock.shared():
            events.append(f"{name} in")
            in_query.set()
            time.sleep(hold)
            events.append(f"{name} out")

    def change():
        writer_waiting.set()
        with lock.exclusive():
            events.append("change")

    first = threading.Thread(target=query, args=("first", 0.3))
    first.start()
    in_query.wait()
    writer = threading.Thread(target=change)
    writer.start()
    writer_waiting.wait()
    time.sleep(0.05)  # the change is waiting now: a new query must wait behind it
    second = threading.Thread(target=query, args=("second", 0))
    second.start()
    for t in (first, writer, second):
        t.join(10)
    assert events == ["first in", "first out", "change", "second in", "second out"]


def test_exclusive_use_is_reentrant_and_its_holder_may_query():
    from ffnn._access import AccessLock

    lock = AccessLock()
    with lock.exclusive():
        with lock.exclusive():
            with lock.shared():
                pass
    with lock.shared():  # released: others may use it again
        pass
