"""fetch_mnist against mirrors served on 127.0.0.1: content checks, fallback, offline message."""
import functools
import gzip
import hashlib
import http.server
import os
import pathlib
import shutil
import threading

import numpy as np
import pytest

from ffnn import fetch
from ffnn.datasets import MNIST_FILES, fetch_mnist, load_mnist


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local HTTP server; returns (root directory, base URL, paths requested)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    root = tmp_path / "www"
    root.mkdir()
    requested = []
    handler = functools.partial(RecordingHandler, requested, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


class RecordingHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, requested, *args, **kwargs):
        self.requested = requested
        super().__init__(*args, **kwargs)

    def do_GET(self):
        self.requested.append(self.path)
        super().do_GET()

    def log_message(self, *args):
        pass


def publish(root, sub, source_dir, corrupt=()):
    """Serve the .gz files of source_dir under /sub/, recompressed (as another mirror would);
    files named in `corrupt` get one flipped byte in their content. Returns content checksums."""
    (root / sub).mkdir()
    checksums = {}
    for stem in MNIST_FILES.values():
        with gzip.open(os.path.join(source_dir, stem + ".gz")) as f:
            content = bytearray(f.read())
        checksums[stem + ".gz"] = hashlib.sha256(content).hexdigest()
        if stem + ".gz" in corrupt:
            content[-1] ^= 0xFF
        (root / sub / (stem + ".gz")).write_bytes(gzip.compress(bytes(content), compresslevel=1))
    return checksums


@pytest.fixture
def sample_dir():
    import ffnn

    return os.path.join(os.path.dirname(ffnn.__file__), "data")


@pytest.mark.slow
def test_fetch_downloads_checks_and_loads(tmp_path, mirror, sample_dir, sample):
    root, url, requested = mirror
    checksums = publish(root, "good", sample_dir)
    data = fetch_mnist(tmp_path / "cache", mirrors=[url + "/good/"], checksums=checksums, progress=False)
    np.testing.assert_array_equal(data.train_images, sample.train_images)
    np.testing.assert_array_equal(data.test_labels, sample.test_labels)
    assert sorted(os.listdir(tmp_path / "cache")) == sorted(checksums)


@pytest.mark.slow
def test_fetch_rejects_a_corrupted_file_and_takes_the_next_mirror(tmp_path, mirror, sample_dir, sample):
    root, url, requested = mirror
    bad = "train-labels-idx1-ubyte.gz"
    checksums = publish(root, "bad", sample_dir, corrupt=[bad])
    publish(root, "good", sample_dir)
    data = fetch_mnist(tmp_path / "cache", mirrors=[url + "/bad/", url + "/good/"], checksums=checksums,
                       progress=False)
    assert [p for p in requested if p.endswith(bad)] == ["/bad/" + bad, "/good/" + bad]
    np.testing.assert_array_equal(data.train_labels, sample.train_labels)


@pytest.mark.slow
def test_fetch_refuses_when_every_mirror_is_corrupted(tmp_path, mirror, sample_dir):
    root, url, requested = mirror
    bad = "t10k-images-idx3-ubyte.gz"
    checksums = publish(root, "bad", sample_dir, corrupt=[bad])
    with pytest.raises(fetch.DownloadError, match=f"could not download {bad}.*content does not match"):
        fetch_mnist(tmp_path / "cache", mirrors=[url + "/bad/"], checksums=checksums, progress=False)
    assert bad not in os.listdir(tmp_path / "cache") and bad + ".part" not in os.listdir(tmp_path / "cache")


@pytest.mark.slow
def test_fetch_offline_says_how_to_place_the_files(tmp_path, mirror):
    root, url, requested = mirror
    with pytest.raises(fetch.DownloadError, match="offline, copy the four MNIST files .* by hand"):
        fetch_mnist(tmp_path / "cache", mirrors=[url + "/missing/", "http://127.0.0.1:9/"], progress=False)


@pytest.mark.parametrize("kind", [str, bytes, pathlib.Path])
def test_fetch_keeps_files_already_present(tmp_path, sample_dir, sample, kind):
    cache = tmp_path / "cache"
    shutil.copytree(sample_dir, cache)
    as_kind = os.fsencode if kind is bytes else kind
    checksums = {name: fetch.content_sha256(as_kind(cache / name)) for name in os.listdir(cache)}
    assert None not in checksums.values()
    data = fetch_mnist(as_kind(cache), mirrors=[], checksums=checksums, progress=False)
    np.testing.assert_array_equal(data.test_images, sample.test_images)


@pytest.mark.slow
def test_fetch_full_mnist_checksums(tmp_path, mirror, full_mnist_dir):
    root, url, requested = mirror
    assert publish(root, "full", full_mnist_dir) == fetch.MNIST_SHA256
    data = fetch_mnist(tmp_path / "cache", mirrors=[url + "/full/"], progress=False)
    assert data.train_images.shape == (60000, 784)
    assert load_mnist(tmp_path / "cache").test_labels[:3].tolist() == [7, 2, 1]


def test_missing_pooch_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pooch(name, *args, **kwargs):
        if name == "pooch":
            raise ImportError("no pooch here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pooch)
    with pytest.raises(ImportError, match=r"pip install 'ffnn\[download\]'"):
        fetch_mnist("/nonexistent")
