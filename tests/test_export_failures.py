"""Exports that cannot be made: non-finite weights, a full disk, a broken onnx install."""
import errno
import os
import sys

import numpy as np
import pytest
from conftest import optional_module

import ffnn
from ffnn import _atomic, cli
from ffnn.export import to_c, to_onnx


def exporters():
    return [pytest.param(to_c, "net.h", id="to_c"), pytest.param(to_onnx, "net.onnx", id="to_onnx")]


@pytest.mark.parametrize("export, name", exporters())
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e39])
def test_non_finite_weights_are_refused_and_nothing_is_written(tmp_path, export, name, bad):
    if export is to_onnx:
        optional_module("onnx")
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0)
    net.weights[1][0, 1] = bad  # 1e39: finite in float64, infinite in the float32 the export computes in
    with pytest.raises(ValueError, match=rf"net\.{name[4:]}: weights\[1\] holds NaN or infinite values; not exported"):
        export(net, tmp_path / name)
    assert os.listdir(tmp_path) == []


def test_non_finite_biases_are_refused(tmp_path):
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0, bias=True)
    net.biases[0][2] = np.nan
    with pytest.raises(ValueError, match=r"biases\[0\] holds NaN or infinite values; not exported"):
        to_c(net, tmp_path / "net.h")


def test_export_command_refuses_non_finite_weights_in_one_line(tmp_path, capsys, monkeypatch):
    net = ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0)
    net.save(tmp_path / "m.npz")
    loaded = ffnn.NeuralNetwork.load(tmp_path / "m.npz")
    loaded.weights[0][0, 0] = np.inf  # a file cannot hold it: made so after loading
    monkeypatch.setattr(ffnn.NeuralNetwork, "load", classmethod(lambda cls, path: loaded))
    assert cli.main(["export", str(tmp_path / "m.npz"), str(tmp_path / "m.h")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ffnn export: error: ") and "weights[0] holds NaN or infinite values" in err
    assert err.count("\n") == 1 and not os.path.exists(tmp_path / "m.h")


@pytest.mark.parametrize("export, name", exporters())
def test_a_full_disk_names_the_file(tmp_path, monkeypatch, export, name):
    if export is to_onnx:
        optional_module("onnx")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_atomic.os, "fsync", disk_full)
    with pytest.raises(OSError) as info:
        export(ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0), tmp_path / name)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(tmp_path / name)
    assert str(tmp_path / name) in str(info.value) and ".tmp" not in str(info.value)
    assert os.listdir(tmp_path) == []


def test_an_error_without_errno_names_the_file_too(tmp_path, monkeypatch):
    def failing(fd):
        raise OSError("the device went away")

    monkeypatch.setattr(_atomic.os, "fsync", failing)
    with pytest.raises(OSError, match=r"net\.h: the device went away"):
        to_c(ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0), tmp_path / "net.h")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_dev_full_is_refused_as_not_a_regular_file():
    with pytest.raises(ValueError, match=r"/dev/full: exists and is not a regular file \(a character device\)"):
        to_c(ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0), "/dev/full")


@pytest.fixture
def broken_onnx(tmp_path, monkeypatch):
    """An onnx that is installed but fails to import, as one built against another NumPy does."""
    package = tmp_path / "site" / "onnx"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise AttributeError('_ARRAY_API not found')\n")
    for name in [m for m in sys.modules if m == "onnx" or m.startswith("onnx.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))


def test_to_onnx_names_the_package_to_reinstall_when_onnx_is_broken(broken_onnx, tmp_path):
    with pytest.raises(ImportError) as info:
        to_onnx(ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0), tmp_path / "net.onnx")
    message = str(info.value)
    assert "onnx is installed but fails to import (AttributeError: _ARRAY_API not found)" in message
    assert "pip install --force-reinstall onnx" in message
    assert os.listdir(tmp_path) == ["site"]


def test_optional_module_skips_a_broken_package_with_the_reason(broken_onnx):
    with pytest.raises(pytest.skip.Exception, match=r"onnx cannot be imported \(AttributeError: _ARRAY_API"):
        optional_module("onnx")


def test_to_onnx_without_onnx_says_which_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"^to_onnx needs the onnx package: pip install 'ffnn\[onnx\]'$"):
        to_onnx(ffnn.NeuralNetwork(4, 3, 2, 0.1, seed=0), tmp_path / "net.onnx")
