"""A trained network as a C header or an ONNX model, to run without Python.

>>> from ffnn.export import to_c, to_onnx
>>> to_c(net, "model.h")        # static inline void model_query(const float *, float *)
>>> to_onnx(net, "model.onnx")  # input "inputs" (batch, N_IN), output "outputs" (batch, N_OUT)

>>> to_html(net, "page.html")    # a page that runs it in the browser: draw a digit (ffnn.draw)

Both compute in float32 whatever the network's dtype: the weights are rounded
to float32 once, and every sum and sigmoid is a float32 one. Neither scales
the inputs: the caller applies the book's ``x / 255 * 0.99 + 0.01`` to pixels,
as ``NeuralNetwork.query`` expects too.

A network with bias nodes (an attribute ``biases``: one vector per weight
matrix) is exported with them; the book's network has none.
"""
from __future__ import annotations

import os
import re

import numpy as np

from ffnn import __version__, _atomic, _extras, serialize

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_NUMBERS_PER_LINE = 8
# Opset 13 and IR version 7 (ONNX 1.8, 2020): read by every maintained runtime;
# Gemm and Sigmoid have not changed since.
ONNX_OPSET = 13
ONNX_IR_VERSION = 7


def c_name(path) -> str:
    """The C identifier a header at ``path`` is named by: its stem, made an identifier.

    Characters other than letters, digits and ``_`` become ``_``; a stem that
    does not start with a letter is prefixed with ``net_`` (``2layer.h`` gives
    ``net_2layer``; a leading ``_`` would be reserved to the C implementation).
    """
    stem = os.path.splitext(os.path.basename(os.fspath(path)))[0]
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    return name if _IDENTIFIER.match(name) else f"net_{name}"


def to_c(net, path, name: str | None = None) -> str:
    """Write ``net`` to ``path`` as a self-contained C99 header; returns the name used.

    The header includes only ``<math.h>`` and defines ``NAME_N_INPUTS``,
    ``NAME_N_OUTPUTS`` (NAME upper-cased), the weights as ``static const
    float`` arrays and ``static inline void name_query(const float
    inputs[N_INPUTS], float outputs[N_OUTPUTS])``. Everything has internal
    linkage, so any number of translation units may include it. ``name``
    defaults to ``c_name(path)`` and must otherwise be a C identifier
    starting with a letter.
    """
    if name is None:
        name = c_name(path)
    elif not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"name must be a C identifier starting with a letter, got {name!r}")
    path = _atomic.file_path(path)
    weights, biases = _float32_layers(net, path)
    text = _c_header(name, net, weights, biases)
    _atomic.write_atomically(path, lambda f: f.write(text.encode("ascii")))
    return name


def to_onnx(net, path) -> None:
    """Write ``net`` to ``path`` as an ONNX model (needs the ``onnx`` extra).

    One float32 input ``inputs`` of shape ``(batch, N_IN)``, the batch size
    left open, and one output ``outputs`` of shape ``(batch, N_OUT)``; each
    layer is a Gemm (``inputs @ W.T``, plus the biases if the network has
    them) followed by a Sigmoid. The model passes ``onnx.checker``.
    """
    _extras.require("onnx", "to_onnx needs the onnx package", "onnx")
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    path = _atomic.file_path(path)
    weights, biases = _float32_layers(net, path)
    sizes = net.sizes
    initializers, nodes = [], []
    signal = "inputs"
    for k, (w, b) in enumerate(zip(weights, biases)):
        operands = [signal, f"weights_{k}"]
        initializers.append(numpy_helper.from_array(w, f"weights_{k}"))
        if b is not None:
            operands.append(f"biases_{k}")
            initializers.append(numpy_helper.from_array(b, f"biases_{k}"))
        nodes.append(helper.make_node("Gemm", operands, [f"sum_{k}"], name=f"layer_{k}", transB=1))
        signal = "outputs" if k == len(weights) - 1 else f"layer_{k}"
        nodes.append(helper.make_node("Sigmoid", [f"sum_{k}"], [signal], name=f"sigmoid_{k}"))
    graph = helper.make_graph(
        nodes, "ffnn",
        [helper.make_tensor_value_info("inputs", TensorProto.FLOAT, ["batch", sizes[0]])],
        [helper.make_tensor_value_info("outputs", TensorProto.FLOAT, ["batch", sizes[-1]])],
        initializers,
    )
    model = helper.make_model(
        graph, producer_name="ffnn", producer_version=__version__,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
        doc_string=_description(net, "", " "),
    )
    model.ir_version = ONNX_IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    _atomic.write_atomically(path, lambda f: f.write(model.SerializeToString()))


def _float32_layers(net, path: str) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """The weight matrices and bias vectors (None where there are none), float32.

    ValueError, naming ``path``, if any value is NaN or infinite, or beyond
    float32's range: a model of them would compute nothing but NaN.
    """
    with np.errstate(over="ignore"):  # beyond float32: infinite, refused below
        weights = [np.asarray(w, dtype=np.float32) for w in net.weights]
        biases = getattr(net, "biases", None)
        if biases is not None:
            biases = [np.asarray(b, dtype=np.float32).reshape(-1) for b in biases]
    serialize.refuse_non_finite(path, weights, biases, "not exported (in float32, as the model computes)")
    if biases is None:
        return weights, [None] * len(weights)
    if [len(b) for b in biases] != [len(w) for w in weights]:
        raise ValueError(f"biases must have {[len(w) for w in weights]} values, got {[len(b) for b in biases]}")
    return weights, biases


def _description(net, prefix: str, separator: str) -> str:
    sizes = "-".join(str(n) for n in net.sizes)
    lines = [
        f"A {sizes} sigmoid network exported by ffnn {__version__} from a {np.dtype(net.dtype).name} "
        "network; computes in float32.",
        "Inputs are not scaled here: give pixels p (0..255) as p / 255 * 0.99 + 0.01, as the book does.",
    ]
    return separator.join(prefix + line for line in lines)


def _c_header(name: str, net, weights, biases) -> str:
    macro = name.upper()
    sizes = net.sizes
    widest_hidden = max(sizes[1:-1], default=0)
    out = [
        "/*",
        _description(net, " * ", "\n"),
        " *",
        f" * {name}_query(inputs, outputs) reads {macro}_N_INPUTS floats and writes {macro}_N_OUTPUTS.",
        " * Everything here is static (internal linkage), so several .c files may include",
        " * this header. Nothing is allocated: " + _scratch_note(len(weights) - 1, widest_hidden),
        " */",
        f"#ifndef {macro}_FFNN_H",
        f"#define {macro}_FFNN_H",
        "",
        "#include <math.h>",
        "",
        f"#define {macro}_N_INPUTS {sizes[0]}",
        f"#define {macro}_N_OUTPUTS {sizes[-1]}",
        "",
    ]
    for k, (w, b) in enumerate(zip(weights, biases)):
        out.append(f"/* Layer {k + 1}: {w.shape[0]} nodes x {w.shape[1]} inputs, row-major, one row per node. */")
        out.extend(_c_array(f"{name}_weights_{k}", w))
        if b is not None:
            out.extend(_c_array(f"{name}_biases_{k}", b))
    out += [
        "/* outputs[r] = sigmoid(sum over c of weights[r * cols + c] * inputs[c] (+ biases[r])). */",
        f"static inline void {name}_layer(const float *weights, const float *biases, int rows, int cols,",
        "    const float *inputs, float *outputs)",
        "{",
        "    const float *row = weights;",
        "    int r, c;",
        "    for (r = 0; r < rows; r++, row += cols) {",
        "        float sum = biases ? biases[r] : 0.0f;",
        "        for (c = 0; c < cols; c++) {",
        "            sum += row[c] * inputs[c];",
        "        }",
        "        outputs[r] = 1.0f / (1.0f + expf(-sum));",
        "    }",
        "}",
        "",
        f"static inline void {name}_query(const float inputs[{macro}_N_INPUTS], float outputs[{macro}_N_OUTPUTS])",
        "{",
    ]
    n_layers = len(weights)
    # Hidden signals alternate between two buffers: layer k reads what k-1 wrote.
    buffers = ["hidden_a", "hidden_b"][: min(n_layers - 1, 2)]
    out += [f"    float {buffer}[{widest_hidden}];" for buffer in buffers]
    source = "inputs"
    for k in range(n_layers):
        target = "outputs" if k == n_layers - 1 else buffers[k % 2]
        bias = f"{name}_biases_{k}" if biases[k] is not None else "0"
        rows, cols = weights[k].shape
        out.append(f"    {name}_layer({name}_weights_{k}, {bias}, {rows}, {cols}, {source}, {target});")
        source = target
    out += ["}", "", f"#endif /* {macro}_FFNN_H */", ""]
    return "\n".join(out)


def _scratch_note(hidden_layers: int, widest: int) -> str:
    if hidden_layers == 0:
        return "there is no hidden layer."
    arrays = "one stack array" if hidden_layers == 1 else "two stack arrays"
    return f"hidden signals go through {arrays} of {widest} floats."


def _c_array(name: str, values: np.ndarray) -> list[str]:
    """A static const float array; 9 significant digits give back every float32 exactly."""
    flat = values.reshape(-1)
    literals = [_c_float(v) for v in flat.tolist()]
    lines = [f"static const float {name}[{len(flat)}] = {{"]
    for start in range(0, len(literals), _NUMBERS_PER_LINE):
        lines.append("    " + ", ".join(literals[start:start + _NUMBERS_PER_LINE]) + ",")
    lines += ["};", ""]
    return lines


def _c_float(value: float) -> str:
    text = "%.9g" % value
    # "1" or "-3" would be an int literal, and "1f" no literal at all.
    if "." not in text and "e" not in text:
        text += ".0"
    return text + "f"


def to_html(net_or_model_path, path) -> None:
    """Write the drawing page of a network (or of a model file) to ``path``: ``ffnn.draw.to_html``."""
    from ffnn import draw  # the page's files are read only when one is written

    draw.to_html(net_or_model_path, path)
