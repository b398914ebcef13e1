"""Reproduce the book's MNIST experiments with ffnn and print the table of docs/book.md.

    python examples/reproduce_book.py --data ../shared/data/mnist --out results/

Runs each experiment with several seeds (initial weights and sample order),
reports the median test accuracy and the wall time of one training run, and
saves the first seed's network of each experiment as OUT/<name>.npz.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from ffnn import NeuralNetwork
from ffnn.datasets import load_mnist

# name: (description, book's accuracy in %, hidden nodes, learning rate, epochs, rotation)
EXPERIMENTS = {
    "book": ("784-200-10, lr 0.1, 5 epochs", 97.47, 200, 0.1, 5, 0),
    "rotations": ("784-200-10, lr 0.01, 10 epochs, each image also rotated ±10°", 97.5, 200, 0.01, 10, 10),
}


def run(data, name: str, seed: int, dtype: str) -> dict:
    _, _, hidden, lr, epochs, rotate = EXPERIMENTS[name]
    net = NeuralNetwork(784, hidden, 10, lr, dtype=dtype, seed=seed)
    start = time.perf_counter()
    net.fit(data.train_images, data.train_labels, epochs, seed=seed,
            augment={"rotate": rotate} if rotate else None)
    seconds = time.perf_counter() - start
    accuracy = net.score(data.test_images, data.test_labels)
    return {"experiment": name, "seed": seed, "accuracy": accuracy, "seconds": seconds, "net": net}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="directory with the four MNIST IDX files")
    parser.add_argument("--out", required=True, help="directory for results.jsonl and the models")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("experiments", nargs="*", metavar="EXPERIMENT",
                        help=f"which to run: {', '.join(EXPERIMENTS)} (default: all)")
    args = parser.parse_args()
    args.experiments = args.experiments or list(EXPERIMENTS)
    unknown = set(args.experiments) - set(EXPERIMENTS)
    if unknown:
        parser.error(f"unknown experiments {sorted(unknown)}; choose from {list(EXPERIMENTS)}")
    os.makedirs(args.out, exist_ok=True)
    data = load_mnist(args.data)
    rows = []
    for name in args.experiments:
        runs = []
        for seed in args.seeds:
            result = run(data, name, seed, args.dtype)
            if seed == args.seeds[0]:
                result["net"].save(os.path.join(args.out, f"{name}.npz"))
            del result["net"]
            result["dtype"] = args.dtype
            print(json.dumps(result), flush=True)
            with open(os.path.join(args.out, "results.jsonl"), "a") as f:
                f.write(json.dumps(result) + "\n")
            runs.append(result)
        description, book = EXPERIMENTS[name][:2]
        accuracies = ", ".join(f"{r['accuracy']:.2%}" for r in runs)
        rows.append(
            f"| {description} | {book:.2f} % | {statistics.median(r['accuracy'] for r in runs):.2%} "
            f"(seeds: {accuracies}) | {statistics.median(r['seconds'] for r in runs):.0f} s |"
        )
    print("| experiment | book | ffnn (median) | training time, one run |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
