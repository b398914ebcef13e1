"""One hash of every result ffnn computes, for refactorings that must change none.

Trains small networks on the embedded MNIST sample under every rule, dtype,
training engine, SIMD level this CPU runs, thread count 1 and 2, with and
without bias nodes (and a deep one, and rotated copies), then hashes the
weights, the query outputs (of scaled inputs and of pixels), a backquery, the
gradients and the bytes of a saved model file. Run it before and after a
change: the last line must not move.

    python tools/result_hash.py            # the total only
    python tools/result_hash.py --verbose  # one hash per case too
"""
import argparse
import hashlib
import io
import os
import tempfile
import zipfile

import numpy as np

import ffnn
from ffnn.datasets import load_sample, make_targets, scale_inputs


def case_digest(dtype, rule: str, engine: str, threads: int, bias: bool, data) -> str:
    images, labels = data.train_images[:400], data.train_labels[:400]
    net = ffnn.NeuralNetwork(784, 48, 10, 0.1, dtype=dtype, seed=3, rule=rule, threads=threads, bias=bias)
    net.fit(images, labels, epochs=2, engine=engine)
    deep = ffnn.NeuralNetwork(784, [40, 20], 10, 0.2, dtype=dtype, seed=4, rule=rule, threads=threads, bias=bias)
    deep.fit(scale_inputs(images[:200], dtype), make_targets(labels[:200], 10, dtype), augment={"rotate": 10},
             engine=engine if engine != "sparse" else "auto", background=0.01 if engine == "sparse" else None)
    for x, t in zip(scale_inputs(images[:20], dtype), make_targets(labels[:20], 10, dtype)):
        deep.train(x, t)
    h = hashlib.sha256()
    for model in (net, deep):
        for array in model.weights + (model.biases or ()):
            h.update(array.tobytes())
        h.update(model.query(data.test_images[:300]).tobytes())
        h.update(model.query(scale_inputs(data.test_images[:300], dtype)).tobytes())
        h.update(model.backquery(np.full(10, 0.01, dtype) + 0.98 * np.eye(10, dtype=dtype)[7]).tobytes())
        for grad in model.gradients(scale_inputs(images[:5], dtype), make_targets(labels[:5], 10, dtype)):
            h.update(grad.tobytes())
        h.update(saved_arrays(model))
    return h.hexdigest()[:16]


def saved_arrays(net) -> bytes:
    """The arrays of the model file (the zip's own timestamps left out)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.npz")
        net.save(path)
        with open(path, "rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as z:
            return b"".join(name.encode() + z.read(name) for name in sorted(z.namelist()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print each case's hash")
    args = parser.parse_args()
    data = load_sample()
    total = hashlib.sha256()
    for level in ffnn.simd_levels():
        ffnn.set_simd_level(level)
        for dtype in (np.float32, np.float64):
            for rule in ("book", "mse", "cross_entropy"):
                for engine in ("dense", "sparse"):
                    for threads in (1, 2):
                        for bias in (False, True):
                            digest = case_digest(dtype, rule, engine, threads, bias, data)
                            total.update(digest.encode())
                            if args.verbose:
                                name = np.dtype(dtype).name
                                print(f"{level:7} {name} {rule:13} {engine:6} threads={threads} bias={bias!s:5} {digest}")
    print(f"all results: {total.hexdigest()}")


if __name__ == "__main__":
    main()
