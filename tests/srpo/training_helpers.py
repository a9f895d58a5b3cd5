"""Shared by the SRPO training tests: a run interrupted and resumed, and the weights of two runs compared."""

from __future__ import annotations

from typing import Any, Callable

import pytest


class Stop(Exception):
    """Raised by the training callback to interrupt a run."""


def halt_after(stop_at: int) -> Callable[[Any, Any], None]:
    """A training callback that raises :class:`Stop` once the trainer has finished update ``stop_at``."""
    def halt(trainer, rows):
        if trainer.update == stop_at:
            raise Stop

    return halt


def train_interrupted_and_resumed(make: Callable[[str], Any], stop_at: int) -> tuple[Any, Any, Any]:
    """``make(name)`` builds a trainer or population writing to folder ``name``; returns ``(straight, resumed,
    history)``: one trained to the end (``history``: what its ``train`` returned), one stopped after update
    ``stop_at`` and then resumed from its checkpoint."""
    straight = make("straight")
    history = straight.train(progress=False)
    with pytest.raises(Stop):
        make("resumed").train(progress=False, callback=halt_after(stop_at))
    resumed = make("resumed")
    resumed.train(progress=False, resume=True)
    return straight, resumed, history


def weights(learners: dict) -> dict:
    """Every learner's actor and critic tensors, cloned, by ``"<learner>.<name>"``."""
    return {f"{n}.{k}": v.detach().clone() for n, lr in learners.items()
            for k, v in {**lr.actor.state_dict(), **{f"c.{a}": b for a, b in lr.critics.state_dict().items()}}.items()}


def assert_close(single: Any, batched: Any, rel: float = 1e-3) -> None:
    """The two trainers' weights agree to ``rel`` of each tensor's largest entry.

    A batched product rounds differently from a single run's in the last bit, and Adam carries such differences
    through every update: after the tests' few updates they reach 1e-5 to 1.1e-4 of a tensor's largest entry,
    depending on the CPU's kernels (1.06e-4 seen on one adversary critic). A wrong seed, a skipped update or a
    mismatched minibatch moves the weights by 1e-2 or more, so 1e-3 still tells them apart."""
    a, b = weights(single.learners), weights(batched.learners)
    assert a.keys() == b.keys()
    for key in a:
        scale = float(a[key].abs().max()) or 1.0
        assert float((a[key] - b[key]).abs().max()) <= rel * scale, key
