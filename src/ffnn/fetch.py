"""Downloading MNIST once into a cache directory: public mirrors, checked content.

Mirrors compress the files differently, so each download is verified by the
SHA-256 of its decompressed content; a file that does not match is discarded
and the next mirror tried. Needs the optional ``download`` extra (pooch, and
tqdm for the progress bar).
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import os
import zlib

from ffnn.serialize import file_path

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

# SHA-256 of each file's content after gunzip (the original IDX bytes).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


class DownloadError(OSError):
    """No mirror delivered a file with the expected content."""


def default_directory() -> str:
    """$FFNN_DATA if set, else the user cache directory (e.g. ~/.cache/ffnn/mnist)."""
    if os.environ.get("FFNN_DATA"):
        return os.environ["FFNN_DATA"]
    return os.path.join(_pooch().os_cache("ffnn"), "mnist")


def download_mnist(directory=None, *, mirrors=MIRRORS, checksums=None, progress: bool = True) -> str:
    """Download the MNIST files not yet in ``directory``; returns the directory's path.

    ``directory`` (str, bytes or os.PathLike) defaults to `default_directory()`. Each file of
    ``checksums`` (file name → SHA-256 of its decompressed content; default
    `MNIST_SHA256`) is taken from the first of ``mirrors`` (base URLs) that
    delivers the right content. Files already present with the right content
    are not downloaded again. Raises DownloadError when a file cannot be had,
    with a message saying how to place the files by hand.
    """
    pooch = _pooch()
    directory = file_path(directory or default_directory(), "directory")
    os.makedirs(directory, exist_ok=True)
    for name, digest in (checksums or MNIST_SHA256).items():
        target = os.path.join(directory, name)
        if not (os.path.isfile(target) and content_sha256(target) == digest):
            _download(pooch, name, digest, directory, mirrors, progress)
    return directory


def content_sha256(path) -> str | None:
    """SHA-256 of a file's content, gunzipped if it is a .gz; None if it cannot be read."""
    path = file_path(path)
    opener = gzip.open if path.endswith((".gz", ".gz.part")) else open
    digest = hashlib.sha256()
    try:
        with opener(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError, zlib.error):
        return None
    return digest.hexdigest()


def _download(pooch, name: str, digest: str, directory: str, mirrors, progress: bool) -> None:
    partial = os.path.join(directory, name + ".part")
    problems = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        if os.path.exists(partial):
            os.unlink(partial)
        try:
            with _quiet(pooch):
                pooch.retrieve(url, known_hash=None, fname=os.path.basename(partial), path=directory,
                               progressbar=progress)
        except Exception as exc:  # network failures come from requests, urllib3, ftplib...
            problems.append(f"{url}: {exc}")
            continue
        if content_sha256(partial) == digest:
            os.replace(partial, os.path.join(directory, name))
            return
        os.unlink(partial)
        problems.append(f"{url}: content does not match SHA-256 {digest[:16]}...")
    raise DownloadError(
        f"could not download {name} from any mirror ({'; '.join(problems)}). "
        f"If this machine is offline, copy the four MNIST files ({', '.join(MNIST_SHA256)}) "
        f"into {directory} by hand, or give their directory with --data DIR / load_mnist(DIR)."
    )


@contextlib.contextmanager
def _quiet(pooch):
    """Silence pooch's informational log lines while a download runs."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _pooch():
    try:
        import pooch
    except ImportError:
        raise ImportError(
            "downloading MNIST needs pooch: pip install 'ffnn[download]'"
        ) from None
    return pooch
