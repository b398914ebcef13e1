"""Ways to train the book's 784-200-10 sigmoid network on MNIST, as settings.

``book()`` is the book's own: the book's update rule, learning rate 0.1, 5
epochs, about 97.5 % on the test set. ``best()`` keeps the same network (200
sigmoid hidden nodes) and changes only how it is trained, to about 99 %:

- the cross-entropy rule, whose error signal does not fade when a sigmoid
  output is confidently wrong;
- more epochs, with a learning rate that shrinks a little every epoch;
- every image freshly distorted at random every epoch (turned, scaled,
  slanted, shifted and elastically bent), so the network never sees the
  same picture twice and learns the shapes of digits rather than the
  pixels of 60,000;
- bias nodes.

docs/beyond.md goes from one to the other a change at a time, with the
measurements (benchmarks/beyond.py). ``ffnn train --recipe best`` runs it::

    >>> recipe = ffnn.recipes.best()
    >>> net, history = recipe.train(images, labels, seed=1)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ffnn import schedules
from ffnn.distort import Distortion
from ffnn.network import NeuralNetwork

__all__ = ["Recipe", "best", "book"]


@dataclass(frozen=True)
class Recipe:
    """How to make and train a network: its nodes and rule, and ``fit``'s settings.

    ``schedule`` (epoch -> learning rate) takes the place of ``learning_rate``
    when given; ``distort`` is ``fit``'s; ``dtype`` is the network's unless
    ``network`` or ``train`` is given another. ``replace(recipe, epochs=60)``
    (``dataclasses.replace``) makes a variant.
    """

    name: str
    hidden: int = 200
    rule: str = "book"
    learning_rate: float = 0.1
    schedule: Callable[[int], float] | None = None
    epochs: int = 5
    distort: Distortion | None = None
    bias: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # further arguments of fit
    # float32: the figures of docs/beyond.md; half of float64's memory traffic per step.
    dtype: Any = np.float32

    def network(self, n_inputs: int = 784, n_outputs: int = 10, *, seed=None, dtype=None,
                threads: int = 1) -> NeuralNetwork:
        """A new, untrained network of this recipe (of the recipe's dtype unless given one)."""
        return NeuralNetwork(n_inputs, self.hidden, n_outputs, self.learning_rate, rule=self.rule,
                             bias=self.bias, seed=seed, dtype=self.dtype if dtype is None else dtype,
                             threads=threads)

    def fit_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``fit`` (besides X and y) that this recipe sets."""
        return {"epochs": self.epochs, "schedule": self.schedule, "distort": self.distort, **self.extra}

    def train(self, X, y, *, seed=None, dtype=None, threads: int = 1, **fit_arguments):
        """(network, history): a new network trained by this recipe on ``X, y``; further
        keyword arguments go to ``fit`` (``validation``, ``callback``, ``progress`` ...)."""
        net = self.network(np.shape(X)[1], int(np.max(y)) + 1 if np.ndim(y) == 1 else np.shape(y)[1],
                           seed=seed, dtype=dtype, threads=threads)
        history = net.fit(X, y, **{**self.fit_arguments(), **fit_arguments})
        return net, history

    def describe(self) -> str:
        """What the recipe does, in a line or two."""
        if self.schedule is None:
            rate = f"learning rate {self.learning_rate:g}"
        else:
            rate = f"learning rate {_schedule_text(self.schedule)}"
        parts = [f"{self.hidden} sigmoid hidden nodes", f"rule {self.rule!r}", rate, f"{self.epochs} epochs"]
        if self.bias:
            parts.append("bias nodes")
        if self.distort is not None and not self.distort.is_identity:
            parts.append(f"every image distorted afresh each epoch ({_distortion_text(self.distort)})")
        return f"recipe {self.name!r}: " + ", ".join(parts)


def book() -> Recipe:
    """The book's training: its rule, learning rate 0.1, 5 epochs (about 97.5 %)."""
    return Recipe("book")


def best() -> Recipe:
    """The best training of the book's 784-200-10 sigmoid network found here (about 99 %)."""
    return Recipe(
        "best", rule="cross_entropy", learning_rate=0.05, schedule=schedules.Exponential(0.05, 0.98),
        epochs=150, distort=Distortion(rotate=12, scale=0.1, shear=0.15, shift=2, elastic=(8, 3)), bias=True,
    )


def _schedule_text(schedule) -> str:
    if isinstance(schedule, schedules.Exponential):
        return f"{schedule.start:g} x {schedule.factor:g}^(epoch-1)"
    if isinstance(schedule, schedules.Step):
        return f"{schedule.start:g} x {schedule.factor:g} every {schedule.every} epochs"
    return "by schedule"


def _distortion_text(d: Distortion) -> str:
    parts = []
    if d.rotate:
        parts.append(f"turned up to ±{d.rotate:g}°")
    if d.scale:
        parts.append(f"scaled ±{d.scale:.0%}")
    if d.shear:
        parts.append(f"sheared ±{d.shear:g}")
    if d.shift:
        parts.append(f"shifted up to ±{d.shift:g} px")
    if d.elastic is not None and d.elastic[0]:
        parts.append(f"elastic alpha {d.elastic[0]:g} px, sigma {d.elastic[1]:g} px")
    return ", ".join(parts)
