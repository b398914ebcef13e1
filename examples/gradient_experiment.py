"""The gradient question on full MNIST: the three update rules side by side.

Trains a 784-200-10 network under "book", "mse" and "cross_entropy" at
several learning rates (and a 784-200-100-10 one under each rule), float32,
one sample at a time, and records the test accuracy every 20 000 samples.
Prints the final accuracies as a Markdown table and the angle, node by node,
between the squared error's gradient and the gradient with o(1 - o) dropped;
saves the learning curves as a PNG (needs matplotlib).

    python examples/gradient_experiment.py [--data DIR] [--epochs 2] [--plot FILE]

docs/gradient.md shows its output. The whole run takes about two and a half
minutes of CPU.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import ffnn
from ffnn.datasets import load_mnist, make_targets, scale_inputs

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = ["book", "mse", "cross_entropy"]
LEARNING_RATES = [0.05, 0.1, 0.2, 0.4]  # each twice the last: keeping the 2 is one step right
DEEP = ([200, 100], 0.1)
CHUNK = 20_000  # samples between two looks at the test accuracy


def learning_curve(data, hidden, rule, lr, epochs, seed):
    """Test accuracy after every CHUNK samples; the same weights and order for every rule."""
    net = ffnn.NeuralNetwork(784, hidden, 10, lr, dtype=np.float32, seed=seed, rule=rule)
    rng = np.random.default_rng(seed)
    n = len(data.train_labels)
    seen, accuracy = [0], [net.score(data.test_images, data.test_labels)]
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, CHUNK):
            part = order[start : start + CHUNK]
            net.fit(data.train_images[part], data.train_labels[part], shuffle=False)
            seen.append(seen[-1] + len(part))
            accuracy.append(net.score(data.test_images, data.test_labels))
    return np.array(seen) / n, np.array(accuracy)


def node_angles(data, seed):
    """Per node, degrees between dE_MSE/dW and the gradient with o(1 - o) dropped.

    On a network trained for one epoch, summed over the first 1000 test images.
    """
    net = ffnn.NeuralNetwork(784, 200, 10, 0.1, seed=seed, rule="mse")
    net.fit(data.train_images, data.train_labels, seed=seed)
    x = scale_inputs(data.test_images[:1000])
    t = make_targets(data.test_labels[:1000])
    mse = net.gradients(x, t)
    net.rule = "cross_entropy"
    dropped = net.gradients(x, t)
    angles = []
    for a, b in zip(mse, dropped):
        cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        angles.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    return angles


def plot(curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(14, 8.5), sharey=True)
    colours = {"book": "tab:blue", "mse": "tab:orange", "cross_entropy": "tab:green"}
    panels = [("784-200-10", lr) for lr in LEARNING_RATES] + [("784-200-100-10", DEEP[1])]
    for ax, (name, lr) in zip(axes.flat, panels):
        for rule in RULES:
            x, acc = curves[(name, rule, lr)]
            # From the first look on: the untrained 10 % would flatten the rest.
            ax.plot(x[1:], acc[1:], marker=".", color=colours[rule], label=rule)
        ax.set_title(f"{name}, lr = {lr}")
        ax.set_xlabel("epochs")
        ax.set_xlim(0, None)
    summary = axes.flat[-1]
    for rule in RULES:
        final = [curves[("784-200-10", rule, lr)][1][-1] for lr in LEARNING_RATES]
        summary.plot(LEARNING_RATES, final, marker="o", color=colours[rule], label=rule)
    summary.set_xscale("log", base=2)
    summary.set_xticks(LEARNING_RATES, [str(lr) for lr in LEARNING_RATES])
    summary.set_xlabel("learning rate (keeping the 2 = one step right)")
    summary.set_title("784-200-10, final test accuracy")
    for ax in axes.flat:
        ax.set_ylim(0.88, 0.985)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("test accuracy")
    axes.flat[0].legend(loc="lower right")
    fig.suptitle("Full MNIST, float32, one sample at a time: the three update rules")
    fig.tight_layout()
    fig.savefig(path, dpi=80)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "mnist"),
                        help="directory with the four MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plot", default=os.path.join(HERE, "..", "docs", "gradient_curves.png"))
    args = parser.parse_args(argv)
    data = load_mnist(args.data)
    started, cpu = time.perf_counter(), time.process_time()

    runs = [("784-200-10", 200, rule, lr) for lr in LEARNING_RATES for rule in RULES]
    runs += [("784-200-100-10", DEEP[0], rule, DEEP[1]) for rule in RULES]
    curves = {}
    print("| network | rule | lr | " + " | ".join(f"epoch {e}" for e in range(1, args.epochs + 1)) + " |")
    print("|---|---|---|" + "---|" * args.epochs)
    per_epoch = -(-len(data.train_labels) // CHUNK)  # looks at the accuracy per epoch
    for name, hidden, rule, lr in runs:
        x, acc = learning_curve(data, hidden, rule, lr, args.epochs, args.seed)
        curves[(name, rule, lr)] = (x, acc)
        cells = " | ".join(f"{a:.2%}" for a in acc[per_epoch::per_epoch])
        print(f"| {name} | {rule} | {lr} | {cells} |", flush=True)

    print("\nDegrees between each node's dE_MSE/dW and the gradient without o(1 - o):")
    for k, angles in enumerate(node_angles(data, args.seed)):
        print(f"  weights[{k}] ({len(angles)} nodes): min {angles.min():.1f}, "
              f"median {np.median(angles):.1f}, max {angles.max():.1f}")
    plot(curves, args.plot)
    print(f"\nplot: {os.path.relpath(args.plot)}; {time.perf_counter() - started:.0f} s, "
          f"{time.process_time() - cpu:.0f} s of CPU (SIMD level {ffnn.simd_level()})")


if __name__ == "__main__":
    main()
