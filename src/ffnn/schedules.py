"""Learning-rate schedules: the learning rate of each epoch, for ``fit(schedule=...)``.

A schedule is any callable ``epoch -> learning rate`` (epochs count from 1).
Big steps early cross the error surface quickly; small steps late settle
into a valley instead of jumping about in it. ``Step`` and ``Exponential``
are the two usual shapes::

    net.fit(X, y, 30, schedule=ffnn.schedules.Exponential(0.05, 0.92))
    net.fit(X, y, 30, schedule=lambda epoch: 0.1 if epoch <= 10 else 0.01)

``fit`` records the rate it used in each epoch in ``history["learning_rate"]``
and leaves ``net.learning_rate`` as it was.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Exponential", "Step", "rate"]


@dataclass(frozen=True)
class Step:
    """``start``, multiplied by ``factor`` after every ``every`` epochs."""

    start: float
    factor: float = 0.5
    every: int = 10

    def __post_init__(self) -> None:
        _positive(self.start, "start")
        _positive(self.factor, "factor")
        if isinstance(self.every, bool) or not isinstance(self.every, numbers.Integral) or self.every < 1:
            raise ValueError(f"every must be a whole number of epochs, 1 or more, got {self.every!r}")

    def __call__(self, epoch: int) -> float:
        return self.start * self.factor ** ((epoch - 1) // self.every)


@dataclass(frozen=True)
class Exponential:
    """``start`` in the first epoch, multiplied by ``factor`` every epoch after."""

    start: float
    factor: float = 0.9

    def __post_init__(self) -> None:
        _positive(self.start, "start")
        _positive(self.factor, "factor")

    def __call__(self, epoch: int) -> float:
        return self.start * self.factor ** (epoch - 1)


def rate(schedule: Callable[[int], float], epoch: int) -> float:
    """The learning rate ``schedule`` gives ``epoch``, checked: a positive finite number."""
    return _positive(schedule(epoch), f"schedule({epoch}), the learning rate of epoch {epoch},")


def _positive(value, name: str) -> float:
    """value as a float, if it is a positive finite real number; ValueError naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            math.isfinite(value) and float(value) > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)
