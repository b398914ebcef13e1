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


class AccessLock:
    """Shared (one-thread queries) or exclusive (everything else) use of one C network.

    ``with lock.exclusive():`` and ``with lock.shared():``. The contexts are
    objects made once per lock, not generators, since ``train`` and ``query``
    enter one for every sample.
    """

    def __init__(self) -> None:
        self._reset()
        self._exclusive = _Exclusive(self)
        self._shared = _Shared(self)
        _LOCKS.add(self)

    def _reset(self) -> None:
        # A bare lock guards the counts (cheap to take, as every sample does);
        # the condition on it is used only when a thread must wait.
        self._guard = threading.Lock()
        self._changed = threading.Condition(self._guard)
        self._sleepers = 0  # threads waiting on _changed
        self._readers = 0
        self._owner: int | None = None  # the thread using the network alone
        self._depth = 0
        self._waiting = 0  # threads waiting to use it alone

    def exclusive(self) -> _Exclusive:
        """Use the network alone: wait for running queries, hold off new ones."""
        return self._exclusive

    def shared(self) -> _Shared:
        """Use the network beside other queries (inside ``exclusive``, the holder's own)."""
        return self._shared

    def _wait(self) -> None:
        """Wait for a change (the guard held)."""
        self._sleepers += 1
        try:
            self._changed.wait()
        finally:
            self._sleepers -= 1

    def _wake(self) -> None:
        """Tell the waiting threads of a change (the guard held)."""
        if self._sleepers:
            self._changed.notify_all()


class _Exclusive:
    __slots__ = ("lock",)

    def __init__(self, lock: AccessLock) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        lock, me = self.lock, threading.get_ident()
        with lock._guard:
            if lock._owner != me:
                lock._waiting += 1
                try:
                    while lock._owner is not None or lock._readers:
                        lock._wait()
                finally:
                    lock._waiting -= 1
                lock._owner = me
            lock._depth += 1

    def __exit__(self, *exc_info) -> None:
        lock = self.lock
        with lock._guard:
            lock._depth -= 1
            if lock._depth == 0:
                lock._owner = None
                lock._wake()


class _Shared:
    __slots__ = ("lock",)

    def __init__(self, lock: AccessLock) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        lock, me = self.lock, threading.get_ident()
        with lock._guard:
            if lock._owner == me:  # inside its own exclusive use, which outlasts this one
                return
            while lock._owner is not None or lock._waiting:
                lock._wait()
            lock._readers += 1

    def __exit__(self, *exc_info) -> None:
        lock = self.lock
        with lock._guard:
            if lock._owner == threading.get_ident():
                return
            lock._readers -= 1
            if lock._readers == 0:
                lock._wake()


# Every live lock. A thread of the parent may hold one (in fit, say) when the
# process forks; the child has no such thread, so its locks start afresh.
_LOCKS: weakref.WeakSet[AccessLock] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for lock in list(_LOCKS):
        lock._reset()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
