"""Files replaced all or nothing: what ``NeuralNetwork.save`` and ``ffnn.export`` write through.

``write_atomically(path, write)`` has ``write`` fill a temporary file in the
target's directory, flushes it to disk and renames it over the target, so an
interrupted or failed write leaves any previous file whole. A symbolic link
is followed (the file it points to is replaced, the link kept); a target that
exists and is not a regular file (a FIFO, a device, a directory) is refused.
A replaced file keeps its permissions; a new one gets those of any new file
(0666 less the umask). Errors name the target, never the temporary file.

The temporary file is named ``.<target name>.<pid>.<random>.tmp`` (the target
name cut short so the whole fits in 255 bytes); one left behind by a write
that was killed is deleted by the next write of the same target, once no
process with its pid runs.
"""
from __future__ import annotations

import os
import secrets
import stat
import time
from collections.abc import Callable
from typing import BinaryIO

# File names longer than this many bytes are refused by most file systems.
_NAME_MAX = 255
_TEMPORARY_SUFFIX = ".tmp"
# "." + name + "." + pid (at most 10 digits) + "." + 8 hex digits + ".tmp"
_TEMPORARY_OVERHEAD = 1 + 1 + 10 + 1 + 8 + len(_TEMPORARY_SUFFIX)
# A temporary file this recently modified is never deleted as stale: on a
# file system shared between machines its pid may belong to another one.
_STALE_AFTER_SECONDS = 10.0


def file_path(path, name: str = "path") -> str:
    """``path`` (str, bytes or os.PathLike) as a str; TypeError naming ``name`` otherwise."""
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        raise TypeError(f"{name} must be a file path (str, bytes or os.PathLike), not {type(path).__name__}") from None


def write_atomically(path, write: Callable[[BinaryIO], object]) -> None:
    """Replace ``path`` by what ``write(file)`` writes, all or nothing.

    ``write`` fills a temporary file in the target's directory, which is
    flushed to disk and renamed over the target (the file a symlink points
    to), so an interrupted or failed write leaves any previous file whole.
    A replaced file keeps its mode; a new one gets the umask's. ValueError,
    with nothing written, if ``path`` exists and is not a regular file;
    OSError naming ``path`` (never the temporary file) if writing fails.
    """
    path = file_path(path)
    try:
        _write_atomically(write, path)
    except OSError as exc:
        # Every error names the target: the temporary file's name means
        # nothing to the caller, and a failed write (a full disk) names none.
        raise _naming(exc, path) from None


def _naming(exc: OSError, path: str) -> OSError:
    """``exc`` said of ``path``: its errno and reason kept, the file named."""
    try:
        if exc.errno is not None:
            return type(exc)(exc.errno, exc.strerror or str(exc), path)
        return type(exc)(f"{path}: {exc}")
    except TypeError:  # a subclass with arguments of its own
        return OSError(exc.errno, f"{exc}", path)


def _write_atomically(write: Callable[[BinaryIO], object], path: str) -> None:
    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise ValueError(f"{path}: exists and is not a regular file ({file_kind(mode)}); not saved")
    directory, name = os.path.split(target)
    _remove_stale_temporaries(directory, name)
    fd, temporary = _create_temporary(directory, name)
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None and hasattr(os, "fchmod"):
                try:
                    os.fchmod(f.fileno(), stat.S_IMODE(mode))
                except OSError:  # a file system without modes (FAT, some shares)
                    pass
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_directory(directory)


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, from its st_mode: "a FIFO", "a directory", ..."""
    kinds = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def _temporary_prefix(name: str) -> str:
    """``"." + name``, cut short enough that the temporary name fits in _NAME_MAX bytes."""
    budget = _NAME_MAX - _TEMPORARY_OVERHEAD
    while len(os.fsencode(name)) > budget:
        name = name[:-1]
    return "." + name + "."


def _create_temporary(directory: str, name: str) -> tuple[int, str]:
    """A new file of ours in ``directory``, created with mode 0666 (less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    prefix = _temporary_prefix(name)
    while True:
        temporary = os.path.join(directory, f"{prefix}{os.getpid()}.{secrets.token_hex(4)}{_TEMPORARY_SUFFIX}")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue


def _remove_stale_temporaries(directory: str, name: str) -> None:
    """Delete temporary files of saves of ``name`` whose process no longer runs."""
    prefix = _temporary_prefix(name)
    try:
        entries = os.listdir(directory or ".")
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(_TEMPORARY_SUFFIX)):
            continue
        pid, dot, token = entry[len(prefix):-len(_TEMPORARY_SUFFIX)].partition(".")
        if not (pid.isdigit() and dot and len(token) == 8 and all(c in "0123456789abcdef" for c in token)):
            continue
        candidate = os.path.join(directory, entry)
        try:
            if time.time() - os.lstat(candidate).st_mtime > _STALE_AFTER_SECONDS and not _running(int(pid)):
                os.unlink(candidate)
        except OSError:
            pass  # gone already, or not ours to delete


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists; True when that cannot be told."""
    if os.name == "nt":  # os.kill would terminate it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or a pid beyond this system's
    return True


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
