"""OpenSpiel bridge: conversion both ways, reduced normal forms, agent-form QRE/RQE on game trees.

OpenSpiel (``pip install 'rqe[openspiel]'``) is imported only when a function here is called, so
``import rqe.openspiel`` works without it and the call raises :class:`~rqe.errors.MissingDependencyError`.
The Markov-game solvers live in :mod:`rqe.markov` and need no OpenSpiel.
"""

from __future__ import annotations

from rqe._lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports("rqe.openspiel", _LAZY, globals())
