"""Shared by the resume tests: train straight through, then interrupted after update ``stop_at`` and resumed."""

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
