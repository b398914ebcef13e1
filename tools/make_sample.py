"""Rebuild the MNIST sample shipped in src/ffnn/data from the full set.

    python tools/make_sample.py [MNIST_DIR]

Draws 600 training and 100 test images per digit with a fixed seed, keeps them
in their original order and writes the four IDX files gzip-compressed with a
zero timestamp, so the same input gives the same bytes.
"""
import gzip
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
from ffnn.datasets import MNIST_FILES, read_idx  # noqa: E402

OUT = os.path.join(HERE, "..", "src", "ffnn", "data")
PER_CLASS = {"train": 600, "t10k": 100}
SEED = 20260


def stratified(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    chosen = [rng.choice(np.flatnonzero(labels == d), per_class, replace=False) for d in range(10)]
    return np.sort(np.concatenate(chosen))


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


def main(source: str) -> None:
    rng = np.random.default_rng(SEED)
    for part in ("train", "t10k"):
        images = read_idx(os.path.join(source, f"{part}-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(source, f"{part}-labels-idx1-ubyte.gz"))
        keep = stratified(labels, PER_CLASS[part], rng)
        for stem, array in ((f"{part}-images-idx3-ubyte", images), (f"{part}-labels-idx1-ubyte", labels)):
            assert stem in MNIST_FILES.values()
            path = os.path.join(OUT, stem + ".gz")
            with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
                f.write(idx_bytes(array[keep]))
            print(f"{path}: {len(keep)} items, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
