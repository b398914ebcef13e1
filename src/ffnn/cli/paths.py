"""Every file a command will write, and every extra it will need, checked before any data is read.

An output is refused, with a one-line error and before any work, when it
names a directory or a file that is not a regular one (a FIFO, a device:
writing there would hang or go nowhere), when the folder it would be written
in is missing (also behind a symbolic link) or not writable, when an existing
picture cannot be written over, and when it is one of the command's own
inputs (the model, the data, a picture). A missing ``--show`` folder is made
(with its parents) once every check has passed.
"""
from __future__ import annotations

import argparse
import os
import stat
import tempfile

from ffnn._atomic import file_kind
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
    _check_writable(path, option, replaced=False)


def _check_export_file(path: str, option: str) -> None:
    if not path.lower().endswith((".h", ".onnx", ".html", ".htm")):
        raise ValueError(f"{option} {path}: must end in .h (a C header), .onnx (an ONNX model) "
                         f"or .html (a drawing page)")
    if path.lower().endswith(".onnx"):
        require("onnx", f"{option} {path} needs onnx", "onnx")
    _check_writable(path, option)


def _check_directory(path: str, option: str) -> None:
    """A folder to write in: an existing one, or one to make in the nearest folder that exists."""
    if os.path.isdir(path):
        _probe_directory(path, option, path)
        return
    if os.path.lexists(path):
        raise NotADirectoryError(f"{option} {path}: exists and is not a directory")
    existing = os.path.dirname(os.path.abspath(path))
    while not os.path.isdir(existing):
        if os.path.lexists(existing):
            raise NotADirectoryError(f"{option} {path}: {existing} is not a directory")
        existing = os.path.dirname(existing)
    _probe_directory(existing, option, path)


# The files each command writes, by option (OUT: a positional argument), with
# the check each needs; a new command lists its own here.
OUTPUTS = {
    "train": {"--save": _check_model_file, "--plot": _check_picture_file},
    "evaluate": {"--plot": _check_picture_file},
    "backquery": {"--out": _check_picture_file, "--all": _check_picture_file},
    "predict": {"--show": _check_directory},
    "export": {"OUT": _check_export_file},
}


# The files each command reads, by attribute of its arguments.
INPUTS = ("model", "data", "test", "images")


def check_outputs(args: argparse.Namespace) -> None:
    """Every output path and optional extra the options need, before any data is read."""
    inputs = input_files(args)
    for option, check in OUTPUTS.get(args.command, {}).items():
        path = getattr(args, option.removeprefix("--").replace("-", "_").lower())
        if path is not None:
            check(path, option)
            if same_file(path) in inputs:
                raise ValueError(f"{option} {path}: is one of the command's inputs; "
                                 "give another name, so that it is not written over")
    if getattr(args, "download", False):
        for module in ("pooch", "tqdm"):
            require(module, "--download needs pooch and tqdm", "download")


def input_files(args: argparse.Namespace) -> set[str]:
    """Every file the command reads, as ``same_file`` names them: outputs keep clear of them."""
    found: set[str] = set()
    for name in INPUTS:
        value = getattr(args, name, None)
        for path in value if isinstance(value, list) else [value]:
            if path is not None:
                found.add(same_file(path))
    return found


def same_file(path: str) -> str:
    """One name for every path to the same file: links followed, case folded where the system does."""
    return os.path.normcase(os.path.realpath(path))


def _check_writable(path: str, option: str, replaced: bool = True) -> None:
    """A file that may be written: ``replaced`` by a new one (a rename), or else opened and written over."""
    if os.path.isdir(path):
        raise ValueError(f"{option} {path}: is a directory")
    target = os.path.realpath(path)  # what is written through a symbolic link
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a loop of links, a name too long
        raise OSError(f"{option} {path}: cannot be written ({exc.strerror})") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise ValueError(f"{option} {path}: exists and is not a regular file ({file_kind(mode)})")
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        shown = os.path.dirname(path) or directory
        if os.path.islink(path):
            shown = f"{directory} (where the link {path} leads)"
        raise FileNotFoundError(f"{option} {path}: no such directory {shown}")
    _probe_directory(directory, option, path)
    if mode is not None and not replaced and not os.access(target, os.W_OK):
        raise PermissionError(f"{option} {path}: exists and cannot be written over (permission denied)")


def _probe_directory(directory: str, option: str, path: str) -> None:
    try:
        # A real file, gone when closed: the only test that also catches
        # read-only file systems and full quotas.
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise PermissionError(f"{option} {path}: cannot write in {directory} ({exc.strerror})") from None
