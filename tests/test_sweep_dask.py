"""Hyper-parameter sweeps of BookMLPClassifier: joblib processes, a Dask cluster, the same scores."""
import importlib.util
import os
import pickle
import threading
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402

from ffnn.sklearn import BookMLPClassifier  # noqa: E402

GRID = {"learning_rate": [0.1, 0.3], "hidden_nodes": [4, 12]}
SCRIPT = os.path.join(os.path.dirname(__file__), "..", "examples", "sweep.py")


@pytest.fixture(scope="module")
def digits(sample):
    return sample.train_images[:400], sample.train_labels[:400]


def grid_search(X, y, n_jobs):
    estimator = BookMLPClassifier(epochs=1, dtype=np.float32, random_state=0, threads=1)
    return GridSearchCV(estimator, GRID, cv=2, n_jobs=n_jobs).fit(X, y)


@pytest.fixture(scope="module")
def local_search(digits):
    """The sweep in two joblib (loky) worker processes: every estimator pickled there and back."""
    return grid_search(*digits, n_jobs=2)


@pytest.fixture(scope="module")
def dask_client():
    """Two Dask worker processes on this machine, reached over TCP as a real cluster's are.

    Each estimator is pickled to a worker and back. Only the loopback
    interface is used; the dashboard is off, so that no fixed port is taken.
    """
    distributed = pytest.importorskip("dask.distributed")
    # Start-up and shut-down may warn about the event loop or slow closes:
    # the cluster's housekeeping, not the sweep's results, which stay under
    # the suite's warnings-are-errors rule.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", scheduler_port=0, dashboard_address=None)
        client = distributed.Client(cluster)
    yield client
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.close()
        cluster.close()


@pytest.mark.slow
def test_local_sweep_scores_every_point_and_picks_the_best(local_search):
    scores = local_search.cv_results_["mean_test_score"]
    assert len(scores) == 4 and np.isfinite(scores).all()
    best = local_search.cv_results_["params"][int(np.argmax(scores))]
    assert local_search.best_params_ == best
    # 12 hidden nodes learn the digits better than 4 at either rate.
    assert local_search.best_params_["hidden_nodes"] == 12
    assert local_search.best_estimator_.network_.sizes == (784, 12, 10)


@pytest.mark.slow
def test_local_sweep_equals_the_same_sweep_in_one_process(local_search, digits):
    serial = grid_search(*digits, n_jobs=1)
    np.testing.assert_array_equal(serial.cv_results_["mean_test_score"], local_search.cv_results_["mean_test_score"])


@pytest.mark.slow
def test_dask_sweep_equals_the_local_sweep(local_search, digits, dask_client):
    import joblib
    from dask.distributed import get_task_stream

    with get_task_stream(dask_client) as tasks, joblib.parallel_backend("dask"):
        on_dask = grid_search(*digits, n_jobs=-1)
    assert len(tasks.data) >= 4  # the fits ran as the cluster's tasks
    assert {task["worker"] for task in tasks.data} <= set(dask_client.scheduler_info()["workers"])
    assert on_dask.best_params_ == local_search.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], local_search.cv_results_[key])
    assert on_dask.best_estimator_.network_ == local_search.best_estimator_.network_


@pytest.mark.slow
def test_randomized_search_on_dask_equals_it_locally(digits, dask_client):
    import joblib

    def search():
        estimator = BookMLPClassifier(epochs=1, dtype=np.float32, random_state=1)
        space = {"learning_rate": [0.05, 0.1, 0.2, 0.3], "hidden_nodes": [3, 6, 9], "epochs": [1, 2]}
        return RandomizedSearchCV(estimator, space, n_iter=3, cv=2, random_state=5, n_jobs=-1)

    local = search().fit(*digits)
    with joblib.parallel_backend("dask"):
        on_dask = search().fit(*digits)
    assert on_dask.cv_results_["params"] == local.cv_results_["params"]
    np.testing.assert_array_equal(on_dask.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])


def test_estimator_pickles_as_small_as_its_weights(digits):
    X, y = digits
    clf = BookMLPClassifier(hidden_nodes=20, epochs=1, random_state=0)
    assert len(pickle.dumps(clf)) < 1_000
    clf.fit(X, y)
    weights = sum(w.nbytes for w in clf.network_.weights)
    size = len(pickle.dumps(clf))
    # The weights, plus the random generator's state (5 kB) and the parameters;
    # no training data (X alone is 313 kB) and no thread pool.
    assert weights < size < weights + 8_000
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.network_ == clf.network_
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


def test_threads_per_network_are_a_parameter_and_change_no_result(digits):
    X, y = digits
    one = BookMLPClassifier(hidden_nodes=64, epochs=1, random_state=0, threads=1).fit(X, y)
    two = BookMLPClassifier(hidden_nodes=64, epochs=1, random_state=0, threads=2).fit(X, y)
    assert (one.network_.threads, two.network_.threads) == (1, 2)
    assert two.get_params()["threads"] == 2
    assert one.network_ == two.network_ and one.loss_curve_ == two.loss_curve_
    with pytest.raises(ValueError, match="threads"):
        BookMLPClassifier(threads=0).fit(X, y)


@pytest.mark.slow
def test_fit_releases_the_gil_while_it_trains(sample):
    """Another Python thread runs while an epoch is inside C.

    The main thread watches one output weight while a thread fits a single
    epoch. Holding the GIL for the whole C loop would let it see only the
    weight before the epoch and after it; it sees values in between.
    """
    clf = BookMLPClassifier(hidden_nodes=100, epochs=1, random_state=0)
    clf.partial_fit(sample.train_images[:10], sample.train_labels[:10], classes=np.arange(10))
    weight = clf.network_.weights[-1]
    done = threading.Event()

    def train():
        clf.partial_fit(sample.train_images, sample.train_labels)  # 6000 samples in one C call
        done.set()

    seen = {float(weight[0, 0])}
    worker = threading.Thread(target=train)
    worker.start()
    while not done.is_set():
        seen.add(float(weight[0, 0]))
    worker.join()
    seen.add(float(weight[0, 0]))
    assert len(seen) > 2


def load_example():
    spec = importlib.util.spec_from_file_location("sweep", SCRIPT)
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    return sweep


SMALL = ["--lr", "0.1,0.3", "--hidden", "4,12", "--epochs", "1", "--train", "400", "--cv", "2"]


@pytest.mark.slow
def test_example_prints_the_table_locally_and_on_dask(dask_client, capsys):
    sweep = load_example()
    assert sweep.main(SMALL) == 0
    local = capsys.readouterr().out
    assert sweep.main([*SMALL, "--dask", dask_client.scheduler.address]) == 0
    on_dask = capsys.readouterr().out
    assert "4 points x 2 folds of 400 images on 2 local processes" in local
    assert f"on the Dask cluster at {dask_client.scheduler.address}" in on_dask
    rows = [line for line in local.splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 2 and all(line.count("%") == 4 for line in rows)
    assert "best: learning rate" in local and "12 hidden nodes" in local
    assert rows == [line for line in on_dask.splitlines() if line.startswith("| 1 |")]
