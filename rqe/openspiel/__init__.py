"""OpenSpiel bridge: conversion both ways, reduced normal forms, agent-form QRE/RQE on game trees.

OpenSpiel (``pip install 'rqe[openspiel]'``) is imported only when a function here is called, so
``import rqe.openspiel`` works without it and the call raises :class:`~rqe.errors.MissingDependencyError`.
The Markov-game solvers live in :mod:`rqe.markov` and need no OpenSpiel.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "from_pyspiel": "rqe.openspiel.convert",
    "to_pyspiel": "rqe.openspiel.convert",
    "load_game_spec": "rqe.openspiel.convert",
    "load_pyspiel_game": "rqe.openspiel.convert",
    "GameTree": "rqe.openspiel.tree",
    "build_tree": "rqe.openspiel.tree",
    "ReducedNormalForm": "rqe.openspiel.reduced",
    "reduced_normal_form": "rqe.openspiel.reduced",
    "AgentFormResult": "rqe.openspiel.agent",
    "solve_agent_qre": "rqe.openspiel.agent",
    "solve_agent_rqe": "rqe.openspiel.agent",
    "agent_q_values": "rqe.openspiel.agent",
    "agent_residual": "rqe.openspiel.agent",
    "to_tabular_policy": "rqe.openspiel.policy",
    "from_tabular_policy": "rqe.openspiel.policy",
    "exploitability": "rqe.openspiel.policy",
    "nash_conv": "rqe.openspiel.policy",
    "expected_returns": "rqe.openspiel.policy",
    "solve_openspiel": "rqe.openspiel.solve",
    "OpenSpielResult": "rqe.openspiel.solve",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rqe.openspiel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
