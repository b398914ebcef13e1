"""ffnn.export: C headers compiled and run, ONNX models run by onnxruntime, both against query."""
import importlib
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import optional_module

import ffnn
from ffnn.datasets import scale_inputs
from ffnn.export import c_name, to_c, to_onnx

# float32 sums of up to 784 products and a float32 sigmoid stay this close to query.
AGREEMENT = 1e-5
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]

# Reads rows of NAME_N_INPUTS numbers from stdin, prints NAME_query's outputs per row.
DRIVER = r"""
#include <stdio.h>
#include "HEADER"

int other_n_outputs(void);

int main(void)
{
    float inputs[MACRO_N_INPUTS], outputs[MACRO_N_OUTPUTS];
    int i;
    if (other_n_outputs() != MACRO_N_OUTPUTS) {
        return 2;
    }
    for (;;) {
        for (i = 0; i < MACRO_N_INPUTS; i++) {
            if (scanf("%f", &inputs[i]) != 1) {
                return i == 0 ? 0 : 1;
            }
        }
        NAME_query(inputs, outputs);
        for (i = 0; i < MACRO_N_OUTPUTS; i++) {
            printf("%.9g%c", outputs[i], i + 1 < MACRO_N_OUTPUTS ? ' ' : '\n');
        }
    }
}
"""

# A second translation unit including the header twice without calling it:
# neither a duplicate symbol nor an unused-function warning may follow.
OTHER = """
#include "HEADER"
#include "HEADER"

int other_n_outputs(void)
{
    return MACRO_N_OUTPUTS;
}
"""


@pytest.fixture(scope="module")
def compiler():
    found = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if found is None:
        pytest.skip("no C compiler (cc, gcc or clang) found")
    return found


def run_header(compiler, header, name, inputs):
    """Compile `header` with the driver and return its outputs for each row of `inputs`."""
    directory = os.path.dirname(header)
    fill = {"HEADER": os.path.basename(header), "MACRO": name.upper(), "NAME": name}
    for source, text in (("driver.c", DRIVER), ("other.c", OTHER)):
        with open(os.path.join(directory, source), "w") as f:
            f.write(re.sub("|".join(fill), lambda m: fill[m.group()], text))
    program = os.path.join(directory, "driver")
    build = subprocess.run([compiler, *CFLAGS, "-o", program, os.path.join(directory, "driver.c"),
                            os.path.join(directory, "other.c"), "-lm"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    rows = "\n".join(" ".join("%.9g" % v for v in row) for row in np.asarray(inputs, np.float32).tolist())
    result = subprocess.run([program], input=rows + "\n", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return np.loadtxt(result.stdout.splitlines(), dtype=np.float64, ndmin=2)


@pytest.fixture(scope="module")
def trained(sample):
    """784-200-10 networks trained for an epoch on 1000 sample images, and 200 test inputs."""
    nets = {}
    for dtype in (np.float32, np.float64):
        nets[dtype] = ffnn.NeuralNetwork(784, 200, 10, 0.1, dtype=dtype, seed=5)
        nets[dtype].fit(sample.train_images[:1000], sample.train_labels[:1000], seed=5)
    return nets, scale_inputs(sample.test_images[:200], np.float32)


def small_inputs(n_inputs):
    """Inputs in the book's range, and some far outside it, where the sigmoids saturate."""
    rng = np.random.default_rng(n_inputs)
    return np.vstack([rng.uniform(0.01, 1.0, (50, n_inputs)), rng.uniform(-40, 40, (10, n_inputs))])


def max_difference(actual, net, inputs):
    expected = net.query(np.asarray(inputs, np.float32).astype(net.dtype))
    assert actual.shape == expected.shape
    return float(np.max(np.abs(actual - expected)))


# ---- C -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_header_of_a_trained_784_200_10_network_agrees_with_query(compiler, trained, tmp_path, dtype):
    nets, inputs = trained
    header = tmp_path / "model.h"
    assert to_c(nets[dtype], header) == "model"
    outputs = run_header(compiler, str(header), "model", inputs)
    assert max_difference(outputs, nets[dtype], inputs) <= AGREEMENT
    assert (outputs.argmax(axis=1) == nets[dtype].predict(inputs)).mean() > 0.99


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sizes", [(5, [7, 3, 4], 2), (1, 1, 1), (3, [], 4), (4, [6, 2], 3)])
def test_header_of_any_depth_agrees_with_query(compiler, tmp_path, sizes, dtype):
    net = ffnn.NeuralNetwork(*sizes, 0.1, dtype=dtype, seed=2)
    header = tmp_path / "net.h"
    to_c(net, header)
    inputs = small_inputs(net.inodes)
    assert max_difference(run_header(compiler, str(header), "net", inputs), net, inputs) <= AGREEMENT


def test_header_literals_give_back_every_float32_weight_exactly(tmp_path):
    net = ffnn.NeuralNetwork(6, [5, 4], 3, 0.1, seed=9)
    net.weights = [w * 10.0 ** np.linspace(-30, 30, w.shape[1]) for w in net.weights]  # tiny to large
    net.weights[1][0, :2] = [1.0, -0.0]  # whole numbers still need a float literal
    to_c(net, tmp_path / "net.h")
    text = (tmp_path / "net.h").read_text()
    for k, w in enumerate(net.weights):
        body = re.search(rf"net_weights_{k}\[(\d+)\] = {{(.*?)}};", text, re.S)
        assert int(body.group(1)) == w.size
        literals = re.findall(r"\S+?f(?=,)", body.group(2))
        assert all(re.fullmatch(r"-?\d+\.\d*(e[-+]\d+)?f|-?\d(\.\d+)?e[-+]\d+f", s) for s in literals), literals
        values = np.array([float(s[:-1]) for s in literals], dtype=np.float32)
        np.testing.assert_array_equal(values.view(np.uint32), w.astype(np.float32).reshape(-1).view(np.uint32))


def test_header_includes_only_math_h_and_describes_itself(tmp_path):
    net = ffnn.NeuralNetwork(784, [30, 20], 10, 0.1, dtype=np.float32, seed=0)
    to_c(net, tmp_path / "digits.h")
    text = (tmp_path / "digits.h").read_text()
    assert re.findall(r"#\s*include\s*(\S+)", text) == ["<math.h>"]
    assert "#define DIGITS_N_INPUTS 784\n" in text and "#define DIGITS_N_OUTPUTS 10\n" in text
    assert "static inline void digits_query(const float inputs[DIGITS_N_INPUTS]" in text
    assert re.search(r"^#ifndef DIGITS_FFNN_H\n#define DIGITS_FFNN_H$", text, re.M)
    assert text.rstrip().endswith("#endif /* DIGITS_FFNN_H */")
    comment = text[: text.index("*/")]
    for fact in ("784-30-20-10", "float32 network", f"ffnn {ffnn.__version__}", "p / 255 * 0.99 + 0.01"):
        assert fact in comment
    assert "malloc" not in text and "float hidden_a[30];" in text and "two stack arrays of 30 floats" in comment


@pytest.mark.parametrize("path, name", [
    ("model.h", "model"), ("out/my-model.h", "my_model"), ("2layer.h", "net_2layer"),
    ("_private.h", "net__private"), ("digits v2.h", "digits_v2"), ("Net.H", "Net"),
])
def test_default_name_is_the_file_stem_made_an_identifier(path, name):
    assert c_name(path) == name


@pytest.mark.parametrize("name", ["my-model", "2x", "_x", "", "a b", 7])
def test_a_given_name_must_be_an_identifier(tmp_path, name):
    net = ffnn.NeuralNetwork(2, 2, 2, 0.1, seed=0)
    with pytest.raises(ValueError, match="name must be a C identifier"):
        to_c(net, tmp_path / "x.h", name)
    assert not (tmp_path / "x.h").exists()


class BiasedNetwork:
    """A stand-in for a network with bias nodes: the attributes the exporters read."""

    def __init__(self, sizes, seed):
        rng = np.random.default_rng(seed)
        self.sizes, self.dtype = tuple(sizes), np.dtype(np.float32)
        self.weights = [rng.normal(0, 0.5, (m, n)).astype(np.float32) for n, m in zip(sizes[:-1], sizes[1:])]
        self.biases = [rng.normal(0, 0.5, m).astype(np.float32) for m in sizes[1:]]

    def query(self, inputs):
        signal = np.asarray(inputs, np.float64)
        for w, b in zip(self.weights, self.biases):
            signal = 1 / (1 + np.exp(-(signal @ w.T.astype(np.float64) + b)))
        return signal


@pytest.mark.slow
def test_header_adds_biases_when_the_network_has_them(compiler, tmp_path):
    net = BiasedNetwork([4, 6, 3, 2], seed=1)
    to_c(net, tmp_path / "biased.h")
    inputs = small_inputs(4)
    assert max_difference(run_header(compiler, str(tmp_path / "biased.h"), "biased", inputs), net, inputs) <= AGREEMENT
    net.biases[1] = net.biases[1][:2]
    with pytest.raises(ValueError, match=r"biases must have \[6, 3, 2\] values, got \[6, 2, 2\]"):
        to_c(net, tmp_path / "bad.h")


# ---- ONNX --------------------------------------------------------------------


def importable(name):
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001  (installed but broken counts as absent)
        return False
    return True


def onnx_outputs(path, inputs):
    ort = optional_module("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["outputs"], {"inputs": np.asarray(inputs, np.float32)})[0].astype(np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnx_model_of_a_trained_784_200_10_network_agrees_with_query(trained, tmp_path, dtype):
    onnx = optional_module("onnx")
    nets, inputs = trained
    to_onnx(nets[dtype], tmp_path / "model.onnx")
    model = onnx.load(str(tmp_path / "model.onnx"))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 13 and model.ir_version == 7
    (given,), (produced,) = model.graph.input, model.graph.output
    assert (given.name, produced.name) == ("inputs", "outputs")
    dims = [[d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] for v in (given, produced)]
    assert dims == [["batch", 784], ["batch", 10]]
    assert given.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    for batch in (inputs[:1], inputs):  # the batch size is the caller's
        assert max_difference(onnx_outputs(tmp_path / "model.onnx", batch), nets[dtype], batch) <= AGREEMENT


@pytest.mark.parametrize("sizes", [(5, [7, 3, 4], 2), (1, 1, 1), (3, [], 4)])
def test_onnx_model_of_any_depth_agrees_with_query(tmp_path, sizes):
    optional_module("onnx")
    net = ffnn.NeuralNetwork(*sizes, 0.1, seed=4)
    to_onnx(net, tmp_path / "net.onnx")
    inputs = small_inputs(net.inodes)
    assert max_difference(onnx_outputs(tmp_path / "net.onnx", inputs), net, inputs) <= AGREEMENT


def test_onnx_model_adds_biases_when_the_network_has_them(tmp_path):
    optional_module("onnx")
    net = BiasedNetwork([4, 6, 3, 2], seed=1)
    to_onnx(net, tmp_path / "biased.onnx")
    inputs = small_inputs(4)
    assert max_difference(onnx_outputs(tmp_path / "biased.onnx", inputs), net, inputs) <= AGREEMENT


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_trained_network_with_bias_nodes_exports_what_it_computes(compiler, sample, tmp_path, dtype):
    net = ffnn.NeuralNetwork(784, [30, 12], 10, 0.1, dtype=dtype, seed=6, bias=True)
    net.fit(sample.train_images[:500], sample.train_labels[:500], seed=6)
    assert all(np.abs(b).max() > 1e-3 for b in net.biases)  # trained away from their zeros
    inputs = np.vstack([scale_inputs(sample.test_images[:100], np.float32), small_inputs(784)])
    to_c(net, tmp_path / "biased.h")
    assert max_difference(run_header(compiler, str(tmp_path / "biased.h"), "biased", inputs), net, inputs) <= AGREEMENT
    if importable("onnx") and importable("onnxruntime"):
        to_onnx(net, tmp_path / "biased.onnx")
        assert max_difference(onnx_outputs(tmp_path / "biased.onnx", inputs), net, inputs) <= AGREEMENT


# ---- ffnn export ----------------------------------------------------------------


def ffnn_command(*args):
    return subprocess.run([sys.executable, "-m", "ffnn", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "model.npz"
    net = ffnn.NeuralNetwork(8, [6, 5], 3, 0.1, dtype=np.float32, seed=3)
    net.save(path)
    return net, path


@pytest.mark.slow
def test_export_command_writes_a_header(compiler, saved, tmp_path):
    net, model = saved
    result = ffnn_command("export", model, tmp_path / "digits.h", "--name", "reader")
    assert result.returncode == 0, result.stderr
    assert f"written to {tmp_path / 'digits.h'} as C: reader_query(inputs, outputs)" in result.stdout
    inputs = small_inputs(8)
    assert max_difference(run_header(compiler, str(tmp_path / "digits.h"), "reader", inputs), net, inputs) <= AGREEMENT


@pytest.mark.slow
def test_export_command_writes_an_onnx_model(saved, tmp_path):
    optional_module("onnx")
    net, model = saved
    result = ffnn_command("export", model, tmp_path / "model.onnx")
    assert result.returncode == 0, result.stderr
    assert "as ONNX (opset 13)" in result.stdout
    inputs = small_inputs(8)
    assert max_difference(onnx_outputs(tmp_path / "model.onnx", inputs), net, inputs) <= AGREEMENT


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (["OUT.txt"], "OUT.txt: must end in .h (a C header), .onnx (an ONNX model) or .html (a drawing page)"),
    (["OUT.h", "--name", "my-name"], "name must be a C identifier starting with a letter, got 'my-name'"),
    (["OUT.onnx", "--name", "x"], "--name names a C header's function"),
])
def test_export_command_errors_are_one_line(saved, tmp_path, args, message):
    _, model = saved
    result = ffnn_command("export", model, *[tmp_path / a if a.startswith("OUT") else a for a in args])
    assert result.returncode == 1
    assert result.stderr.startswith("ffnn export: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and not list(tmp_path.iterdir())


def test_export_command_refuses_a_missing_model(tmp_path):
    result = ffnn_command("export", tmp_path / "none.npz", tmp_path / "out.h")
    assert result.returncode == 1
    assert result.stderr == f"ffnn export: error: {tmp_path / 'none.npz'}: no such model file\n"
