"""Two-player zero-sum games by linear programming (SciPy's HiGHS).

For a zero-sum game with row payoffs ``A`` (the column player gets ``-A``), the row player's maximin strategy
and the value solve [vN28; vS07]

    max_{x, v} v   s.t.   A^T x >= v 1,   sum x = 1,   x >= 0,

and the column player's minimax strategy solves the dual ``min_{y, w} w`` s.t. ``A y <= w 1``. By the minimax
theorem the two optima are equal (the value), and the pair of optimal strategies is a Nash equilibrium.
Constant-sum games (``u_1 + u_2 = c``) are handled by subtracting the constant.

References: J. von Neumann, *Zur Theorie der Gesellschaftsspiele*, Math. Ann. 100 (1928); G. Dantzig (1951).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe.errors import ConvergenceError, GameError
from rqe.game import Game
from rqe.results import Equilibrium
from rqe.solvers._common import GAP_TOL, certify, check_game, check_tol
from rqe.solvers._scale import normalise

__all__ = ["solve_zero_sum", "ZeroSumResult", "maxmin_lp"]


@dataclass(frozen=True)
class ZeroSumResult:
    """Value of a zero-sum game (to the row player) and a pair of optimal strategies."""

    value: float
    equilibria: tuple[Equilibrium, ...]
    method: str = "lp"
    converged: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)
    iterations: int = 0

    @property
    def residual(self) -> float:
        """The relative Nash gap of the optimal pair."""
        return max((e.residual for e in self.equilibria), default=0.0)

    @property
    def strategies(self):
        return self.equilibria[0].strategies


def maxmin_lp(M: np.ndarray, certificate: bool = False):
    """``max_x min_j (M^T x)_j`` over the simplex: the maximising ``x`` and the value (HiGHS).

    With ``certificate=True`` also the duality gap ``max_i (M y)_i - value >= 0`` of the dual solution ``y``
    (the minimising mixture over columns, from HiGHS's marginals): zero at an exact optimum, so it certifies the
    value independently of the primal solution.

    >>> x, v = maxmin_lp(np.array([[1.0, -1.0], [-1.0, 1.0]]))
    >>> x.round(12).tolist(), round(v, 12)
    ([0.5, 0.5], 0.0)
    """
    from scipy.optimize import linprog

    M = np.asarray(M, dtype=np.float64)
    m, n = M.shape
    # variables (x_1..x_m, v); minimise -v
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((n, 1))])  # v - (M^T x)_j <= 0
    b_ub = np.zeros(n)
    A_eq = np.zeros((1, m + 1))
    A_eq[0, :m] = 1.0
    bounds = [(0, None)] * m + [(None, None)]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - the LP is always feasible and bounded
        raise ConvergenceError(f"HiGHS failed on the maxmin LP: {res.message}")
    x = np.clip(res.x[:m], 0.0, None)
    x /= x.sum()
    value = float((M.T @ x).min())
    if not certificate:
        return x, value
    y = np.clip(-np.asarray(res.ineqlin.marginals, dtype=np.float64), 0.0, None)
    gap = float((M @ (y / y.sum())).max() - value) if y.sum() > 0 else float("inf")
    return x, value, max(gap, 0.0)


def solve_zero_sum(game: Game, *, tol: float = GAP_TOL, atol: float = 1e-12) -> ZeroSumResult:
    """Value and optimal strategies of a two-player zero-sum (or constant-sum) game.

    Parameters
    ----------
    game : Game
        Two players with ``u_1 + u_2`` constant (within ``atol``).
    tol : float
        Largest Nash gap accepted for the returned pair (otherwise :class:`ConvergenceError`).

    Examples
    --------
    >>> from rqe import Game
    >>> rps = Game.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    >>> r = solve_zero_sum(rps)
    >>> round(r.value, 12), [x.round(6).tolist() for x in r.strategies]
    (0.0, [[0.333333, 0.333333, 0.333333], [0.333333, 0.333333, 0.333333]])
    """
    game = check_game(game, players=2, method="lp")
    tol = check_tol(tol)
    total = game.payoffs.sum(axis=0)
    if np.ptp(total) > atol * max(float(np.ptp(game.payoffs[0])), float(np.ptp(game.payoffs[1])), 1e-300):
        raise GameError(f"method 'lp' needs a zero-sum or constant-sum game; u_1 + u_2 ranges over "
                        f"[{total.min():.6g}, {total.max():.6g}]")
    # the LPs are solved on the payoffs normalised onto [0, 1] (HiGHS's tolerances are absolute)
    scaled = normalise(game)
    x, value_row_n = maxmin_lp(scaled.payoffs[0])
    y, value_col_n = maxmin_lp(scaled.payoffs[1].T)  # the column player maximises min_i (B y)_i
    value_row = scaled.to_original(0, value_row_n)
    constant = float(np.mean(total))
    value_from_col = constant - scaled.to_original(1, value_col_n)
    equilibria, _ = certify(game, [(x, y)], tol, scaled=scaled)
    if not equilibria:
        gap = scaled.normalised_game.nash_gap((x, y))
        raise ConvergenceError(f"the LP strategies have relative Nash gap {gap:.3e} > tol={tol:g}", residual=gap)
    return ZeroSumResult(value=float(0.5 * (value_row + value_from_col)), equilibria=tuple(equilibria),
                         parameters={"tol": tol, "solver": "highs", "value_gap": float(value_row - value_from_col)})
