"""What the command reports as a one-line error, and the optional extras it needs."""
from __future__ import annotations

from ffnn._extras import require  # noqa: F401  (the CLI's name for it)

# The errors a user can cause: bad files, bad values, a missing extra, too
# little memory, a network that diverges. Anything else is a bug in ffnn and
# keeps its traceback.
USER_ERRORS = (OSError, ValueError, ImportError, MemoryError, FloatingPointError)


def one_line(exc: BaseException) -> str:
    """An error as the one line after ``ffnn COMMAND: error:``."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.filename}: {exc.strerror}"  # e.g. from open(): "[Errno 13] ..." said plainly
    else:
        text = str(exc) or ("not enough memory" if isinstance(exc, MemoryError) else type(exc).__name__)
    return " ".join(text.splitlines())

