"""Each network's lock, renewed in a forked child: no thread there can still hold it."""
from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ffnn.network import NeuralNetwork

# Every live network by id. A thread of the parent may hold a network's lock
# (in fit, say) when the process forks; the child has no such thread, so its
# networks get fresh locks instead of ones that can never be released.
_NETWORKS: weakref.WeakValueDictionary[int, NeuralNetwork] = weakref.WeakValueDictionary()


def new_lock(net: NeuralNetwork) -> threading.RLock:
    """A lock for ``net`` (its ``_lock``), replaced by a fresh one in a forked child."""
    _NETWORKS[id(net)] = net
    return threading.RLock()


def _renew_locks_after_fork() -> None:
    for net in list(_NETWORKS.values()):
        net._lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_locks_after_fork)
