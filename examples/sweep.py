"""The book's hyper-parameter grid as a scikit-learn search, on this machine or on a Dask cluster.

Cross-validates ffnn.sklearn.BookMLPClassifier over learning rate x hidden
nodes x epochs on the MNIST sample shipped with ffnn (6000 training images),
then prints the mean validation accuracy of every point as a Markdown table,
and the best point's accuracy on the sample's 1000 test images.

    python examples/sweep.py                         # joblib, two processes on this machine
    python examples/sweep.py --dask tcp://HOST:8786  # the workers of a running Dask cluster

Each network trains on one thread (threads=1): the search already keeps every
core busy with one network each. Needs the sklearn extra, and the dask extra
for --dask. docs/sweeps.md shows a run and how to start a cluster.
"""
from __future__ import annotations

import argparse
import contextlib
import time

import numpy as np

from ffnn.datasets import load_sample

LEARNING_RATES = [0.01, 0.05, 0.1, 0.2, 0.3]
HIDDEN_NODES = [10, 50, 100, 200, 500]
EPOCHS = [1, 2, 3, 5, 7]


def numbers(kind):
    """An argparse type: a comma-separated list of `kind`."""
    def parse(text: str) -> list:
        try:
            return [kind(part) for part in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a comma-separated list of {kind.__name__}: {text!r}")
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dask", metavar="ADDRESS", help="run on this Dask scheduler's workers")
    parser.add_argument("--n-jobs", type=int, default=2, help="local processes without --dask (default: 2)")
    parser.add_argument("--lr", type=numbers(float), default=LEARNING_RATES, metavar="LR,...")
    parser.add_argument("--hidden", type=numbers(int), default=HIDDEN_NODES, metavar="N,...")
    parser.add_argument("--epochs", type=numbers(int), default=EPOCHS, metavar="N,...")
    parser.add_argument("--train", type=int, default=6000, help="training images used (default: all 6000)")
    parser.add_argument("--cv", type=int, default=3, help="cross-validation folds (default: 3)")
    parser.add_argument("--seed", type=int, default=0, help="random_state of every network (default: 0)")
    return parser


def backend(address: str | None):
    """joblib's default backend, or Dask's connected to the scheduler at `address`."""
    if address is None:
        return contextlib.nullcontext()
    import joblib
    from dask.distributed import Client

    client = Client(address)
    stack = contextlib.ExitStack()
    stack.enter_context(client)
    stack.enter_context(joblib.parallel_backend("dask"))
    return stack


def table(search, lrs, hidden, epochs) -> list[str]:
    """One row per (epochs, hidden nodes), one column per learning rate: mean accuracy ± std."""
    results = search.cv_results_
    scores = {
        (p["epochs"], p["hidden_nodes"], p["learning_rate"]): (mean, std)
        for p, mean, std in zip(results["params"], results["mean_test_score"], results["std_test_score"])
    }
    lines = ["| epochs | hidden | " + " | ".join(f"lr {lr:g}" for lr in lrs) + " |",
             "|---:|---:|" + "---:|" * len(lrs)]
    for e in epochs:
        for h in hidden:
            cells = [f"{scores[e, h, lr][0]:.1%} ± {scores[e, h, lr][1]:.1%}" for lr in lrs]
            lines.append(f"| {e} | {h} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    from sklearn.model_selection import GridSearchCV

    from ffnn.sklearn import BookMLPClassifier

    args = build_parser().parse_args(argv)
    data = load_sample()
    X, y = data.train_images[: args.train], data.train_labels[: args.train]
    grid = {"learning_rate": args.lr, "hidden_nodes": args.hidden, "epochs": args.epochs}
    estimator = BookMLPClassifier(dtype=np.float32, random_state=args.seed, threads=1)
    search = GridSearchCV(estimator, grid, cv=args.cv, n_jobs=-1 if args.dask else args.n_jobs)
    where = f"the Dask cluster at {args.dask}" if args.dask else f"{args.n_jobs} local processes"
    points = len(args.lr) * len(args.hidden) * len(args.epochs)
    print(f"{points} points x {args.cv} folds of {len(X)} images on {where}", flush=True)
    start = time.perf_counter()
    with backend(args.dask):
        search.fit(X, y)
    seconds = time.perf_counter() - start
    print("\n".join(table(search, args.lr, args.hidden, args.epochs)))
    best = search.best_params_
    print(f"best: learning rate {best['learning_rate']:g}, {best['hidden_nodes']} hidden nodes, "
          f"{best['epochs']} epochs; {search.best_score_:.1%} in cross-validation, "
          f"{search.score(data.test_images, data.test_labels):.1%} on the {len(data.test_labels)} test images")
    print(f"sweep took {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
