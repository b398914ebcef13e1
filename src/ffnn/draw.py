"""Draw a digit in the browser and see what the network makes of it.

``to_html(net, path)`` writes one self-contained HTML page (no network
requests, nothing to install: the weights are embedded in it) on which a
learner draws a digit with the mouse, a finger or a pen. After each stroke
the drawing is made into one of MNIST's 28 x 28 pictures by the procedure
of ``ffnn.images.prepare_image`` (written again in JavaScript, step for
step) and the network, run in the page in its own precision, reads it: the
ten outputs, the answer, and the network's own picture of each digit (the
book's back-query). The learner can say which digit it really was, and the
page takes the network's training step on that picture; the taught network
downloads as a model file that ``NeuralNetwork.load`` reads.

``draw(net)`` shows the same page inside a Jupyter notebook. See docs/draw.md.
"""
from __future__ import annotations

import base64
import html
import json
import os
from importlib import resources

import numpy as np

from ffnn import _atomic, serialize
from ffnn.network import NeuralNetwork

SIDE = 28
# The page's parts, in the package beside this module, and where each goes in the template.
_TEMPLATE = "draw.html"
_STYLE = "page.css"
_SCRIPTS = ("prepare.js", "network.js", "ui.js")
_STYLE_MARK = "/* ffnn:style */"
_SCRIPT_MARK = "/* ffnn:script */"
_MODEL_MARK = "/* ffnn:model */"


def _part(name: str) -> str:
    return (resources.files("ffnn") / "page" / name).read_text(encoding="utf-8")


def _network(net_or_model_path) -> NeuralNetwork:
    """A NeuralNetwork, or the one in a model file, after checking the page can show it."""
    if isinstance(net_or_model_path, NeuralNetwork):
        net = net_or_model_path
    elif isinstance(net_or_model_path, (str, bytes, os.PathLike)):
        net = NeuralNetwork.load(net_or_model_path)
    else:
        raise TypeError(
            f"expected a NeuralNetwork or a model file path, not {type(net_or_model_path).__name__}"
        )
    if net.sizes[0] != SIDE * SIDE or net.sizes[-1] != 10:
        raise ValueError(
            f"the drawing page needs a network with {SIDE * SIDE} inputs (28 x 28 pixels) and 10 outputs "
            f"(the digits), not {'-'.join(map(str, net.sizes))}"
        )
    return net


def _base64(array: np.ndarray) -> str:
    """The array's values as little-endian bytes, in base64."""
    little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return base64.b64encode(little.tobytes()).decode("ascii")


def _model_json(net: NeuralNetwork) -> str:
    state = net.__getstate__()
    model = {
        "sizes": list(net.sizes),
        "dtype": str(state["dtype"]),
        "rule": state["rule"],
        "learning_rate": float(state["learning_rate"]),
        "hidden_is_list": bool(state["hidden_is_list"]),
        "weights": [_base64(w) for w in state["weights"]],
        "biases": None if state.get("biases") is None else [_base64(b) for b in state["biases"]],
    }
    # Inside <script>: "<" never appears unescaped, so no "</script>" can end it early.
    return json.dumps(model, separators=(",", ":")).replace("<", "\\u003c")


def page_html(net_or_model_path) -> str:
    """The whole page for a network (or a model file's network), as a string."""
    net = _network(net_or_model_path)
    page = _part(_TEMPLATE)
    scripts = "\n".join(_part(name) for name in _SCRIPTS)
    for mark, text in ((_STYLE_MARK, _part(_STYLE)), (_SCRIPT_MARK, scripts), (_MODEL_MARK, _model_json(net))):
        if page.count(mark) != 1:
            raise RuntimeError(f"the page template must hold {mark!r} once")
        page = page.replace(mark, text)
    return page


def to_html(net_or_model_path, path) -> None:
    """Write the drawing page for a network, or for the network in a model file, to ``path``.

    The page is one HTML file that works opened from disk. The file is
    written atomically: a temporary file in the same folder, renamed over
    ``path``, so an interrupted write leaves any previous file whole.
    ValueError for a network without 784 inputs and 10 outputs.
    """
    page = page_html(net_or_model_path).encode("utf-8")
    _atomic.write_atomically(serialize.file_path(path), lambda f: f.write(page))


class DrawingPage:
    """The drawing page of a network, shown inline by Jupyter (``_repr_html_``)."""

    def __init__(self, page: str, height: int = 1100) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="ffnn: draw a digit" '
            f'sandbox="allow-scripts allow-downloads" '
            f'style="width: 100%; max-width: 1000px; height: {int(self.height)}px; border: 0"></iframe>'
        )

    def save(self, path) -> None:
        """Write the page to ``path`` (atomically, as ``to_html``)."""
        page = self.html.encode("utf-8")
        _atomic.write_atomically(serialize.file_path(path), lambda f: f.write(page))


def draw(net_or_model_path, *, height: int = 1100) -> DrawingPage:
    """The drawing page for a network, to show in a notebook: end a cell with ``draw(net)``.

    The page runs in an iframe of ``height`` pixels; the network it shows is
    a copy, so teaching it there leaves ``net`` unchanged (download the
    taught network from the page and ``NeuralNetwork.load`` it).
    """
    return DrawingPage(page_html(net_or_model_path), height)
