"""Security (max-min) strategies and values of every player of an n-player game, by linear programming.

Player ``i``'s security value is the utility it can guarantee whatever the others do,

    v_i = max_{x_i in Delta(A_i)} min_{a_{-i} in A_{-i}} (M_i^T x_i)_{a_{-i}}          (docs/rqe-math.md, sec. 1),

where the minimum over the others' (even correlated) mixtures is attained at a pure joint action, so one LP per
player (SciPy's HiGHS) solves it. Security strategies are the ``eps -> 0``, ``tau -> infinity`` limit of the
RQE (``docs/rqe-math.md`` section 3). In a two-player zero-sum game they form a Nash equilibrium and
``v_1 = -v_2`` is the value (von Neumann's minimax theorem).

Reference: J. von Neumann, O. Morgenstern, *Theory of Games and Economic Behavior* (1944), Sec. 17.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe.game import Game, Profile
from rqe.results import Equilibrium, make_equilibrium
from rqe.solvers._common import check_game, check_size
from rqe.solvers._scale import normalise
from rqe.solvers.zero_sum_lp import maxmin_lp

__all__ = ["security_strategies", "SecurityResult"]

#: Default limit on the number of LP coefficients ``sum_i |A_i| * |A_{-i}|``.
MAX_COEFFICIENTS = 2e7


@dataclass(frozen=True)
class SecurityResult:
    """Security strategies and values.

    Attributes
    ----------
    strategies : Profile
        A max-min strategy of each player.
    values : numpy.ndarray
        The security value ``v_i`` of each player.
    equilibria : tuple of Equilibrium
        One entry (the common result interface): the profile of security strategies, its expected payoffs, and
        as residual the largest relative LP duality gap ``max_i gap_i / span_i`` (the dual certificate of
        each value, :func:`rqe.solvers.zero_sum_lp.maxmin_lp`); ``extra["values"]`` holds the values. The
        profile is not an equilibrium in general (in zero-sum games it is: use ``solve_nash(method="lp")``).
    """

    strategies: Profile
    values: np.ndarray
    method: str = "lp"
    converged: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)
    equilibria: tuple[Equilibrium, ...] = ()
    iterations: int = 0

    @property
    def residual(self) -> float:
        """The largest relative duality gap of the players' max-min LPs."""
        return max((e.residual for e in self.equilibria), default=0.0)


def security_strategies(game: Game, *, max_size: float = MAX_COEFFICIENTS) -> SecurityResult:
    """Max-min strategy and security value of each player.

    Parameters
    ----------
    game : Game
        Any finite game.
    max_size : float
        Limit on the total LP size ``N * n_1 * ... * n_N``, checked before building the LPs.

    Examples
    --------
    >>> from rqe import Game
    >>> chicken = Game.from_bimatrix([[0, -1], [1, -10]], [[0, 1], [-1, -10]])
    >>> r = security_strategies(chicken)
    >>> r.values.round(12).tolist(), [x.round(12).tolist() for x in r.strategies]
    ([-1.0, -1.0], [[1.0, 0.0], [1.0, 0.0]])
    """
    game = check_game(game)
    check_size(float(game.n_players * game.n_profiles), max_size, "LP coefficients", "security_strategies")
    # each LP on the player's payoffs normalised onto [0, 1] (HiGHS's tolerances are absolute), value mapped back
    scaled = normalise(game)
    strategies, values, gaps = [], [], []
    for i in range(game.n_players):
        normalised = np.moveaxis(scaled.payoffs[i], i, 0).reshape(game.shape[i], -1)
        x, v, gap = maxmin_lp(normalised, certificate=True)
        strategies.append(x)
        values.append(scaled.to_original(i, v) if scaled.span[i] > 0 else float(game.payoffs[i].flat[0]))
        gaps.append(gap)
    values = np.array(values)
    values.setflags(write=False)
    profile = Profile(strategies)
    equilibrium = make_equilibrium(game, profile, max(gaps), values=values)
    return SecurityResult(strategies=profile, values=values, parameters={"solver": "highs"},
                          equilibria=(equilibrium,), converged=max(gaps) <= 1e-9)
