"""From the book's 97.5 % to about 99 %, one change at a time: the table of docs/beyond.md.

    python benchmarks/beyond.py [--mnist DIR] [--seeds 1 2 3] [--rows 0 1 ...] [--curves PNG] [--json OUT]

Every row trains the book's 784-200-10 sigmoid network (float32, one
thread) on the 60,000 MNIST training images and scores it on the 10,000 test
images, once per seed (the seed of the initial weights, the order and the
distortions), and adds one change to the row above it. Prints a Markdown
table: each row's test accuracy (mean and range over the seeds) and the
seconds one run took. ``--curves`` draws each row's test accuracy per epoch
(first seed) as a PNG; ``--json`` writes every run's history. Full MNIST
comes from --mnist, else $FFNN_MNIST_DIR, else ../shared/data/mnist.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import time
from typing import Any

import ffnn
from ffnn import schedules
from ffnn.datasets import load_mnist
from ffnn.recipes import Recipe, best, book

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))

AFFINE = ffnn.Distortion(rotate=10, scale=0.1, shift=2)
ELASTIC = dataclasses.replace(AFFINE, elastic=(8, 3))


def rows() -> list[tuple[str, Recipe]]:
    """The table's rows, each the one above it with one more change."""
    rule = dataclasses.replace(book(), name="cross-entropy", rule="cross_entropy", learning_rate=0.05)
    epochs = dataclasses.replace(rule, name="20 epochs", epochs=20)
    schedule = dataclasses.replace(epochs, name="shrinking rate", schedule=schedules.Exponential(0.05, 0.92))
    affine = dataclasses.replace(schedule, name="affine distortions", epochs=30, distort=AFFINE)
    elastic = dataclasses.replace(affine, name="elastic distortions", distort=ELASTIC)
    bias = dataclasses.replace(elastic, name="bias nodes", bias=True)
    longer = dataclasses.replace(bias, name="60 epochs", epochs=60, schedule=schedules.Exponential(0.05, 0.95))
    longest = dataclasses.replace(longer, name="150 epochs", epochs=150, schedule=schedules.Exponential(0.05, 0.98))
    slanted = dataclasses.replace(longest, name="best", distort=best().distort)
    assert slanted == best(), "the last row must be ffnn.recipes.best()"
    return [
        ("the book (rule 'book', lr 0.1, 5 epochs)", book()),
        ("rule='cross_entropy', lr 0.05", rule),
        ("20 epochs", epochs),
        ("lr 0.05 × 0.92^(epoch−1)", schedule),
        ("affine distortions (±10°, ±10 %, ±2 px), 30 epochs", affine),
        ("+ elastic distortions (α 8, σ 3)", elastic),
        ("bias nodes", bias),
        ("60 epochs, lr 0.05 × 0.95^(epoch−1)", longer),
        ("150 epochs, lr 0.05 × 0.98^(epoch−1)", longest),
        ("+ slants (shear ±0.15), turns up to ±12°: ffnn.recipes.best()", slanted),
    ]


def run(recipe: Recipe, data, seed: int) -> tuple[float, float, dict]:
    """Test accuracy, seconds of training (with a test score per epoch), history."""
    start = time.perf_counter()
    net, history = recipe.train(data.train_images, data.train_labels, seed=seed,
                                validation=(data.test_images, data.test_labels))
    seconds = time.perf_counter() - start
    return history["val_accuracy"][-1], seconds, history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=MNIST_DIR, help="directory of the MNIST files")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="seeds (default: 1 2 3)")
    parser.add_argument("--rows", type=int, nargs="+", default=None, help="only these rows (0 is the book)")
    parser.add_argument("--curves", metavar="PNG", help="draw test accuracy per epoch of each row")
    parser.add_argument("--json", metavar="OUT", help="write every run's history")
    args = parser.parse_args()
    data = load_mnist(args.mnist)
    table = rows()
    chosen = args.rows if args.rows is not None else range(len(table))
    results: dict[str, Any] = {}
    print(f"ffnn {ffnn.__version__}, SIMD {ffnn.simd_level()}, seeds {' '.join(map(str, args.seeds))}\n")
    print("| # | change | test accuracy: mean (range) | seconds per run | command |")
    print("|---|---|---|---|---|")
    for index in chosen:
        label, recipe = table[index]
        runs = [run(recipe, data, seed) for seed in args.seeds]
        accuracies = [a for a, _, _ in runs]
        seconds = statistics.mean(s for _, s, _ in runs)
        results[label] = {"recipe": recipe.describe(), "seeds": args.seeds,
                          "accuracy": accuracies, "seconds": [s for _, s, _ in runs],
                          "histories": [h for _, _, h in runs]}
        command = f"`python benchmarks/beyond.py --rows {index}`"
        if recipe == book() or recipe == best():
            command += f", `ffnn train --recipe {recipe.name}`"
        print(f"| {index} | {label} | {100 * statistics.mean(accuracies):.2f} % "
              f"({100 * min(accuracies):.2f}–{100 * max(accuracies):.2f}) | {seconds:.0f} | {command} |",
              flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.curves:
        draw_curves(results, args.curves)


def draw_curves(results: dict, path: str) -> None:
    """Test accuracy per epoch of each row's first run."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5))
    axes = figure.add_subplot()
    for label, result in results.items():
        accuracy = result["histories"][0]["val_accuracy"]
        axes.plot(range(1, len(accuracy) + 1), [100 * a for a in accuracy], ".-", label=label)
    axes.set_xlabel("epoch")
    axes.set_ylabel("test accuracy (%)")
    axes.set_ylim(96, 99.5)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="lower right")
    axes.set_title("784-200-10 sigmoid network on MNIST, one change at a time")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
