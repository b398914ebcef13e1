"""The commands that use a saved network: evaluate, backquery, predict and export."""
from __future__ import annotations

import argparse
import os
from collections.abc import Set as AbstractSet

import numpy as np

from ffnn.cli.data import check_fit, load_test_images
from ffnn.cli.paths import input_files, same_file
from ffnn.cli.train import train
from ffnn.datasets import make_targets
from ffnn.network import NeuralNetwork


def evaluate(args: argparse.Namespace) -> int:
    net = NeuralNetwork.load(args.model)
    images, labels, source = load_test_images(args)
    check_fit(net.inodes, net.onodes, images, labels, source)
    predicted = net.predict(images)
    matrix = np.zeros((net.onodes, net.onodes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    correct = int(np.trace(matrix))
    print(f"{net} from {args.model} on {len(labels)} test images from {source}")
    print(f"accuracy {correct / len(labels):.2%} ({correct} of {len(labels)})")
    per_class = np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)
    print("per class: " + "  ".join(f"{k}: {a:.1%}" for k, a in enumerate(per_class)))
    print("confusion matrix (rows: true label, columns: predicted):")
    width = max(len(str(matrix.max())), 2) + 1
    print(" " * 3 + "".join(f"{k:>{width}}" for k in range(net.onodes)))
    for k, row in enumerate(matrix):
        print(f"{k:>3}" + "".join(f"{count:>{width}}" for count in row))
    if args.plot:
        from ffnn import plots

        plots.confusion(matrix, args.plot)
        print(f"confusion matrix drawn in {args.plot}")
    return 0


def backquery(args: argparse.Namespace) -> int:
    from ffnn import plots

    net = NeuralNetwork.load(args.model)
    if args.all:
        labels = list(range(net.onodes))
        plots.grid([_backquery(net, k) for k in labels], [str(k) for k in labels], args.all)
        print(f"back-queried images of labels 0..{net.onodes - 1} drawn in {args.all}")
        return 0
    if not args.label < net.onodes:
        raise ValueError(f"--label must be in 0..{net.onodes - 1}, got {args.label}")
    plots.image(_backquery(net, args.label), args.out, title=f"label {args.label}")
    print(f"back-queried image of label {args.label} drawn in {args.out}")
    return 0


def _backquery(net: NeuralNetwork, label: int) -> np.ndarray:
    return net.backquery(make_targets([label], net.onodes)[0])


def predict(args: argparse.Namespace) -> int:
    from ffnn import images

    images.require_pillow()
    if args.show:
        from ffnn import plots

        plots.require_matplotlib()
        drawings = _drawing_names(args.images, args.show, input_files(args))
    net = NeuralNetwork.load(args.model)
    if args.show:
        os.makedirs(args.show, exist_ok=True)
    _check_inputs(net, images.SIDE * images.SIDE, "a 28 x 28 image")
    np.set_printoptions(precision=3, suppress=True)
    for path in args.images:
        gray = images.read_gray(path)
        seen = images.prepare_gray(gray, invert=args.invert, name=path)
        outputs = net.query(seen)  # uint8 pixels: scaled the book's way by query

        label = int(outputs.argmax())
        # The outputs are independent sigmoids, not probabilities: the
        # label's share of their sum says how clearly it stands out.
        print(f"{path}: {label}  outputs {outputs}  confidence {outputs[label] / outputs.sum():.0%}")
        if args.show:
            drawn = drawings[path]
            plots.prediction(gray, seen, outputs, drawn,
                             title=f"{os.path.basename(path)}: read as {label}")
            print(f"  drawn in {drawn}")
    return 0


def _drawing_names(paths: list[str], directory: str, inputs: AbstractSet[str] = frozenset()) -> dict[str, str]:
    """DIR/<stem>.png for each picture, never one drawn before nor an input (``same_file`` names).

    A name taken gets -2, -3, ...: two pictures of one stem, or a picture
    drawn into its own folder (``--show .`` beside ``seven.png``), which
    stays as it was.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        name, count = stem, 1
        while name in taken or same_file(os.path.join(directory, f"{name}.png")) in inputs:
            count += 1
            name = f"{stem}-{count}"
        taken.add(name)
        names[path] = os.path.join(directory, f"{name}.png")
    return names


def _check_inputs(net: NeuralNetwork, n_pixels: int, source: str) -> None:
    if net.inodes != n_pixels:
        raise ValueError(f"the network takes {net.inodes} inputs, but {source} has {n_pixels} pixels per image")


def export_model(args: argparse.Namespace) -> int:
    from ffnn import export

    net = NeuralNetwork.load(args.model)
    kind = args.out.lower()
    if kind.endswith(".h"):
        name = export.to_c(net, args.out, args.name)
        print(f"{net} from {args.model} written to {args.out} as C: {name}_query(inputs, outputs)")
    elif kind.endswith(".onnx"):
        if args.name is not None:
            raise ValueError("--name names a C header's function; an ONNX model's are inputs and outputs")
        export.to_onnx(net, args.out)
        print(f"{net} from {args.model} written to {args.out} as ONNX (opset {export.ONNX_OPSET})")
    elif kind.endswith((".html", ".htm")):
        if args.name is not None:
            raise ValueError("--name names a C header's function; a page has none")
        export.to_html(net, args.out)
        print(f"{net} from {args.model} written to {args.out}: open it in a browser, draw a digit")
    else:
        raise ValueError(f"OUT must end in .h (a C header), .onnx (an ONNX model) or .html (a drawing page), "
                         f"got {args.out!r}")
    return 0


COMMANDS = {"train": train, "evaluate": evaluate, "backquery": backquery, "predict": predict,
            "export": export_model}
