"""How well photo-like pictures of MNIST test digits are read, beside MNIST itself.

    python benchmarks/bench_photos.py [--mnist DIR] [--model MODEL.npz] [--count N] [--seed S]

Trains the book's 784-200-10 network (learning rate 0.1, 5 epochs, float32)
on full MNIST from ../shared/data/mnist (or $FFNN_MNIST_DIR, or --mnist)
when present, else on the embedded sample, unless --model names a saved
one (a --model file that does not exist yet is written with the network
trained). Writes a photo set with tools/make_photo_set.py into a temporary
directory and prints, per picture kind, the accuracy of `load_image` and of
the old naive reading (the whole frame squeezed to 28 x 28, inverted,
scaled), beside the network's accuracy on the MNIST test images.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

import make_photo_set  # noqa: E402

import ffnn  # noqa: E402
from ffnn.datasets import load_mnist, load_sample, scale_inputs  # noqa: E402
from ffnn.images import load_image, read_gray  # noqa: E402

MNIST_DIR = os.environ.get("FFNN_MNIST_DIR", os.path.join(HERE, "..", "..", "shared", "data", "mnist"))


def naive_inputs(path, dtype) -> np.ndarray:
    """The old reading: grayscale on white, squeezed to 28 x 28, inverted, scaled."""
    from PIL import Image

    gray = Image.fromarray(np.rint(read_gray(path) * 255).astype(np.uint8))
    pixels = np.asarray(gray.resize((28, 28), Image.Resampling.LANCZOS), np.uint8).reshape(784)
    return scale_inputs(255 - pixels, dtype)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mnist", metavar="DIR", help="full MNIST (default: ../shared/data/mnist if present)")
    parser.add_argument("--model", metavar="MODEL.npz",
                        help="a saved 784-input network instead of training one; if the file does not exist yet, "
                             "the network trained is saved there")
    default_count = 100 * len(make_photo_set.KINDS)
    parser.add_argument("--count", type=int, default=default_count,
                        help=f"pictures in the photo set (default: {default_count}, 100 of each kind)")
    parser.add_argument("--seed", type=int, default=2, help="seed of the photo set (default: 2)")
    args = parser.parse_args(argv)
    mnist_dir = args.mnist or (MNIST_DIR if os.path.exists(os.path.join(MNIST_DIR, "train-images-idx3-ubyte.gz"))
                               else None)
    data = load_mnist(mnist_dir) if mnist_dir else load_sample()
    source = mnist_dir or "the embedded MNIST sample"
    if args.model and os.path.exists(args.model):
        net = ffnn.NeuralNetwork.load(args.model)
    else:
        net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=np.float32, seed=0)
        start = time.perf_counter()
        net.fit(data.train_images, data.train_labels, 5, seed=0)
        print(f"trained {net} on {len(data.train_images)} images in {time.perf_counter() - start:.1f} s")
        if args.model:
            net.save(args.model)  # the next run reads the same network instead of training it again
    mnist_accuracy = net.score(data.test_images, data.test_labels)
    print(f"MNIST test accuracy ({source}): {mnist_accuracy:.2%} on {len(data.test_images)} images")

    right = collections.Counter()
    naive_right = collections.Counter()
    total = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="ffnn-photos-") as folder:
        rows = make_photo_set.make_photo_set(folder, args.count, args.seed, mnist_dir)
        start = time.perf_counter()
        for name, label, kind in rows:
            path = os.path.join(folder, name)
            try:
                guess = int(net.query(load_image(path, dtype=net.dtype)).argmax())
            except ValueError:
                guess = -1  # "no ink found" counts as wrong
            total[kind] += 1
            right[kind] += guess == label
            naive_right[kind] += int(net.query(naive_inputs(path, net.dtype)).argmax()) == label
        seconds = (time.perf_counter() - start) / len(rows)
    print(f"photo set: {len(rows)} pictures, seed {args.seed}, read in {seconds * 1e3:.0f} ms each "
          f"(both ways)\n")
    print(f"{'kind':<10}{'pictures':>9}{'load_image':>12}{'old naive':>11}")
    for kind in total:
        print(f"{kind:<10}{total[kind]:>9}{right[kind] / total[kind]:>12.1%}{naive_right[kind] / total[kind]:>11.1%}")
    n = sum(total.values())
    print(f"{'all':<10}{n:>9}{sum(right.values()) / n:>12.1%}{sum(naive_right.values()) / n:>11.1%}")
    print(f"{'MNIST':<10}{len(data.test_images):>9}{mnist_accuracy:>12.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
