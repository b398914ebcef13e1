"""Who may use one C network at a time: queries side by side, everything else alone.

A query of a one-thread network computes in scratch space of its own, so any
number of them may run at once. Everything else — training, gradients, a
query shared by a pool (one task at a time), new weights, a change of threads
or of the sharing policy — needs the network to itself: it waits until the
running queries end, and queries that arrive meanwhile wait for it (so a
stream of queries cannot hold it off for ever).

Exclusive use is re-entrant: the thread that holds it may take it again, or
query, without waiting for itself (``fit`` holds it over an epoch's calls).
Each lock is replaced by a fresh one in a forked child, where no thread can
still be holding it.
"""
from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager


class AccessLock:
    """Shared (one-thread queries) or exclusive (everything else) use of one C network."""

    def __init__(self) -> None:
        self._reset()
        _LOCKS.add(self)

    def _reset(self) -> None:
        self._state = threading.Condition(threading.Lock())
        self._readers = 0
        self._owner: int | None = None  # the thread using the network alone
        self._depth = 0
        self._waiting = 0  # threads waiting to use it alone

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Use the network alone: wait for running queries, hold off new ones."""
        me = threading.get_ident()
        with self._state:
            if self._owner != me:
                self._waiting += 1
                try:
                    while self._owner is not None or self._readers:
                        self._state.wait()
                finally:
                    self._waiting -= 1
                self._owner = me
            self._depth += 1
        try:
            yield
        finally:
            with self._state:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                    self._state.notify_all()

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Use the network beside other queries (inside ``exclusive``, the holder's own)."""
        me = threading.get_ident()
        with self._state:
            nested = self._owner == me
            if not nested:
                while self._owner is not None or self._waiting:
                    self._state.wait()
                self._readers += 1
        try:
            yield
        finally:
            if not nested:
                with self._state:
                    self._readers -= 1
                    if self._readers == 0:
                        self._state.notify_all()


# Every live lock. A thread of the parent may hold one (in fit, say) when the
# process forks; the child has no such thread, so its locks start afresh.
_LOCKS: weakref.WeakSet[AccessLock] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for lock in list(_LOCKS):
        lock._reset()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
