"""The record every equilibrium solver returns for each equilibrium it found.

Each solution concept has its own frozen result dataclass (``NashResult``, ``QREResult``, ``RQEResult``,
``CorrelatedResult``) carrying the method's diagnostics; all of them expose the same four attributes so that
the CLI, plots and analysis treat them alike:

* ``equilibria``: a tuple of :class:`Equilibrium` (profile, payoffs, residual);
* ``converged``: bool (for exact methods: True);
* ``method``: the method's name;
* ``parameters``: a dict of the parameters used (``tau``, ``epsilon``, ``lam``, tolerances, ...);
* ``residual``: the certificate of the principal answer (float; ``0.0`` for exact methods);
* ``iterations``: the work done (iterations, pivots or steps; int).

:class:`SolverResult` states this contract as a runtime-checkable :class:`typing.Protocol`:
``isinstance(result, SolverResult)`` checks that the six names are present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rqe.game import Game, Profile

__all__ = ["Equilibrium", "SolverResult", "make_equilibrium"]


@runtime_checkable
class SolverResult(Protocol):
    """What every solver's result exposes, whatever its concept (the names are the same everywhere).

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        Every distinct solution found, principal first.
    converged : bool
        The method's own success criterion (for RQE: certificate below ``1e-10`` and a small fixed-point
        residual, ``docs/rqe-math.md`` section 4).
    method : str
        The method(s) that ran, joined by ``"+"``.
    parameters : dict
        The parameters used.
    residual : float
        The certificate of the principal solution.
    iterations : int
        Iterations, pivots or steps spent.

    Examples
    --------
    >>> import rqe
    >>> g = rqe.Game.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> isinstance(rqe.solve_rqe(g, tau=0.5, epsilon=1.0), SolverResult)
    True
    """

    equilibria: tuple
    converged: bool
    method: str
    parameters: dict
    residual: float
    iterations: int


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium profile with the utilities it gives and its certificate.

    Attributes
    ----------
    strategies : Profile
        One mixed strategy per player.
    payoffs : numpy.ndarray
        Expected utility ``U_i(x)`` of each player (risk-neutral, as in the game).
    residual : float
        The concept's certificate at this profile (Nash gap for Nash, fixed-point residual for QRE, the
        best-response gap of ``docs/rqe-math.md`` section 4 for RQE).
    extra : dict
        Concept-specific data (e.g. risk-adjusted values, adversaries, ``lam``).
    """

    strategies: Profile
    payoffs: np.ndarray
    residual: float
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def welfare(self) -> float:
        """Utilitarian welfare ``sum_i U_i(x)``."""
        return float(np.sum(self.payoffs))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``strategies``, ``payoffs``, ``welfare``, ``residual``."""
        return {
            "strategies": [x.tolist() for x in self.strategies],
            "payoffs": [float(v) for v in self.payoffs],
            "welfare": self.welfare,
            "residual": float(self.residual),
        }

    def __repr__(self) -> str:
        strategies = ", ".join(np.array2string(x, precision=4, separator=", ") for x in self.strategies)
        payoffs = np.array2string(np.asarray(self.payoffs), precision=4, separator=", ")
        return f"Equilibrium(strategies=({strategies}), payoffs={payoffs}, residual={self.residual:.2e})"


def make_equilibrium(game: Game, strategies: Any, residual: float, **extra: Any) -> Equilibrium:
    """Build an :class:`Equilibrium` for ``game``, computing the expected payoffs of ``strategies``."""
    profile = strategies if isinstance(strategies, Profile) else Profile(strategies, shape=game.shape)
    payoffs = game.expected_payoffs(profile)
    payoffs.setflags(write=False)
    return Equilibrium(profile, payoffs, float(residual), dict(extra))
