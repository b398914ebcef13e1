"""How closely exported networks compute what `query` computes.

    python benchmarks/export_agreement.py

Trains the book's 784-200-10 network (learning rate 0.1, 5 epochs, seed 0)
on the MNIST sample in each dtype, writes it as a C header (compiled with
the system's C compiler and run) and as an ONNX model (run by onnxruntime,
if installed), and prints the largest difference from `query` over the
sample's 1000 test images and how many of them get the same digit.
"""
import os
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from test_export import onnx_outputs, run_header  # noqa: E402  (the tests' driver program)

import ffnn  # noqa: E402
from ffnn.datasets import load_sample, scale_inputs  # noqa: E402
from ffnn.export import to_c, to_onnx  # noqa: E402


def agreement(outputs, expected) -> str:
    same = int(np.sum(outputs.argmax(axis=1) == expected.argmax(axis=1)))
    return f"max |delta| {np.max(np.abs(outputs - expected)):.1e}, same digit {same} of {len(expected)}"


def main() -> int:
    data = load_sample()
    inputs = scale_inputs(data.test_images, np.float32)
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    print(f"ffnn {ffnn.__version__}, 784-200-10 trained 5 epochs on the sample (seed 0); "
          f"{len(inputs)} test images")
    for dtype in (np.float32, np.float64):
        net = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=0)
        net.fit(data.train_images, data.train_labels, 5)
        expected = net.query(inputs.astype(dtype)).astype(np.float64)
        accuracy = float(np.mean(expected.argmax(axis=1) == data.test_labels))
        print(f"{np.dtype(dtype).name} network (test accuracy {accuracy:.1%}):")
        with tempfile.TemporaryDirectory() as directory:
            if compiler:
                header = os.path.join(directory, "model.h")
                name = to_c(net, header)
                print(f"  C header ({os.path.basename(compiler)}): "
                      f"{agreement(run_header(compiler, header, name, inputs), expected)}")
            else:
                print("  C header: no C compiler found")
            try:
                import onnxruntime  # noqa: F401
            except ImportError:
                print("  ONNX: onnxruntime is not installed")
                continue
            model = os.path.join(directory, "model.onnx")
            to_onnx(net, model)
            print(f"  ONNX (onnxruntime {onnxruntime.__version__}): {agreement(onnx_outputs(model, inputs), expected)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
