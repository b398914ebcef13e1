"""Every file a command will write, and every extra it will need, checked before any data is read."""
from __future__ import annotations

import argparse
import os
import tempfile

from ffnn.cli.errors import require


def _check_model_file(path: str, option: str) -> None:
    if not path.lower().endswith(".npz"):
        raise ValueError(f"{option} {path}: a model file's name must end in .npz")
    _check_writable(path, option)


def _check_picture_file(path: str, option: str) -> None:
    backend_bases = require("matplotlib.backend_bases", f"{option} needs matplotlib", "plots")
    formats = backend_bases.FigureCanvasBase.get_supported_filetypes()
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in formats:
        raise ValueError(f"{option} {path}: the name must end in one of "
                         f"{', '.join('.' + name for name in sorted(formats))}")
    _check_writable(path, option)


# The files each command writes, by option, with the check each needs; a new
# command lists its own here.
def _check_export_file(path: str, option: str) -> None:
    if not path.lower().endswith((".h", ".onnx")):
        raise ValueError(f"{option} {path}: must end in .h (a C header) or .onnx (an ONNX model)")
    if path.lower().endswith(".onnx"):
        require("onnx", f"{option} {path} needs onnx", "onnx")
    _check_writable(path, option)


def _check_directory(path: str, option: str) -> None:
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{option} {path}: no such directory")
    _probe_directory(path, option, path)


# The files each command writes, by option (OUT: a positional argument), with
# the check each needs; a new command lists its own here.
OUTPUTS = {
    "train": {"--save": _check_model_file, "--plot": _check_picture_file},
    "evaluate": {"--plot": _check_picture_file},
    "backquery": {"--out": _check_picture_file, "--all": _check_picture_file},
    "predict": {"--show": _check_directory},
    "export": {"OUT": _check_export_file},
}


def check_outputs(args: argparse.Namespace) -> None:
    """Every output path and optional extra the options need, before any data is read."""
    for option, check in OUTPUTS.get(args.command, {}).items():
        path = getattr(args, option.removeprefix("--").replace("-", "_").lower())
        if path is not None:
            check(path, option)
    if getattr(args, "download", False):
        for module in ("pooch", "tqdm"):
            require(module, "--download needs pooch and tqdm", "download")


def _check_writable(path: str, option: str) -> None:
    if os.path.isdir(path):
        raise ValueError(f"{option} {path}: is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{option} {path}: no such directory {os.path.dirname(path) or directory}")
    _probe_directory(directory, option, path)


def _probe_directory(directory: str, option: str, path: str) -> None:
    try:
        # A real file, gone when closed: the only test that also catches
        # read-only file systems and full quotas.
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise PermissionError(f"{option} {path}: cannot write in {directory} ({exc.strerror})") from None
