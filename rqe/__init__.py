"""rqe: risk-averse quantal response equilibria, classic equilibrium solvers, and SRPO.

The mathematics is documented in ``docs/rqe-math.md``. Heavy modules (Numba kernels, torch) are imported
lazily on first use of the names below.

>>> import rqe
>>> game = rqe.Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]], title="Stag hunt")
>>> game.n_players
2
"""

from __future__ import annotations

import importlib
from typing import Any

from rqe import errors
from rqe.game import Game, Profile, as_game, product_distribution
from rqe.results import Equilibrium

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    # Nash and correlated equilibria
    "solve_nash": "rqe.solvers.nash",
    "NashResult": "rqe.solvers.nash",
    "solve_correlated": "rqe.solvers.correlated",
    "CorrelatedResult": "rqe.solvers.correlated",
    "security_strategies": "rqe.solvers.security",
    "SecurityResult": "rqe.solvers.security",
    "fictitious_play": "rqe.solvers.dynamics",
    "regret_matching": "rqe.solvers.dynamics",
    "replicator_dynamics": "rqe.solvers.dynamics",
    # quantal response
    "solve_qre": "rqe.solvers.qre",
    "qre_path": "rqe.solvers.qre",
    "fit_qre": "rqe.solvers.qre",
    "solve_qre_batch": "rqe.solvers.qre",
    "QREResult": "rqe.solvers.qre",
    "QREPath": "rqe.solvers.qre",
    "QREFit": "rqe.solvers.qre",
    # risk-averse quantal response
    "solve_rqe": "rqe.solvers.rqe",
    "is_tractable": "rqe.solvers.rqe",
    "rqe_branches": "rqe.solvers.rqe",
    "fit_rqe": "rqe.solvers.rqe",
    "solve_rqe_batch": "rqe.solvers.rqe",
    "rqe_residual": "rqe.solvers.rqe",
    "RQEResult": "rqe.solvers.rqe",
    # analysis: welfare, free-riding, quadratic games, theorem checks
    "analysis": "rqe.analysis",
    "QuadraticGame": "rqe.analysis.quadratic",
    "price_of_anarchy": "rqe.analysis.welfare",
    "price_of_stability": "rqe.analysis.welfare",
    "free_riding_degree": "rqe.analysis.free_riding",
    "solo_value": "rqe.analysis.free_riding",
    # files and library
    "read_game": "rqe.io",
    "read_efg": "rqe.io",
    "ExtensiveGame": "rqe.extensive",
    "write_game": "rqe.io",
    "library": "rqe.library",
    # sequential games: OpenSpiel bridge (needs rqe[openspiel] when called) and Markov games
    "openspiel": "rqe.openspiel",
    "markov": "rqe.markov",
}

__all__ = ["Game", "Profile", "Equilibrium", "errors", "as_game", "product_distribution", *_LAZY]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'rqe' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name == f"rqe.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
