"""Correlated and coarse correlated equilibria of n-player games, by linear programming with cvxpy.

A joint distribution ``p`` over pure profiles is a *correlated equilibrium* (CE) [Aumann 1974] when no player
gains by deviating from a recommended action ``a_i`` to ``b_i``:

    sum_{a_{-i}} p(a_i, a_{-i}) [u_i(b_i, a_{-i}) - u_i(a_i, a_{-i})] <= 0     for all i, a_i, b_i,

and a *coarse correlated equilibrium* (CCE) [Moulin & Vial 1978; Hannan 1957] when no player gains by
committing to ``b_i`` before seeing its recommendation:

    sum_a p(a) [u_i(b_i, a_{-i}) - u_i(a)] <= 0     for all i, b_i.

Every Nash equilibrium (as a product distribution) is a CE, and every CE is a CCE, so the best CE welfare is at
least the welfare of every Nash equilibrium. The constraints are linear in ``p``; the objective is the
utilitarian welfare ``sum_i E_p[u_i]``, the egalitarian ``min_i E_p[u_i]``, a weight on each profile, or any
concave cvxpy expression. The LP is solved with HiGHS through cvxpy (``pip install 'rqe[cvx]'``); the
incentive constraints are then re-evaluated in float64 on the returned distribution and reported as
``incentive_violation``.

References: R. Aumann, *Subjectivity and correlation in randomized strategies*, J. Math. Econ. 1 (1974);
H. Moulin, J.-P. Vial, *Strategically zero-sum games*, IJGT 7 (1978); C. Papadimitriou, T. Roughgarden,
*Computing correlated equilibria in multi-player games*, JACM 55 (2008).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe._optional import require
from rqe.errors import ConvergenceError, ParameterError
from rqe.game import Game, Profile
from rqe.results import Equilibrium
from rqe.solvers._common import check_game, check_size
from rqe.solvers._scale import normalise

__all__ = ["solve_correlated", "CorrelatedResult", "incentive_matrix", "KINDS", "OBJECTIVES"]

KINDS = ("ce", "cce")
OBJECTIVES = ("welfare", "egalitarian")
#: Default limit on the non-zero coefficients of the incentive constraints.
MAX_NONZEROS = 2e7


@dataclass(frozen=True)
class CorrelatedResult:
    """A correlated (``kind="ce"``) or coarse correlated (``"cce"``) equilibrium.

    Attributes
    ----------
    distribution : numpy.ndarray
        The joint distribution ``p[a_1, ..., a_N]`` (shape ``game.shape``).
    payoffs : numpy.ndarray
        Expected utility ``E_p[u_i]`` of each player.
    welfare : float
        ``sum_i E_p[u_i]``.
    incentive_violation : float
        The largest left-hand side of the incentive constraints at ``distribution`` (<= 0 up to rounding; the
        reported value is clipped at 0).
    objective_value : float
        The optimum of the objective (recomputed on the original payoffs for the built-in objectives).
    equilibria : tuple of Equilibrium
        One entry: the players' marginal strategies, the payoffs ``E_p[u_i]``, the *relative* incentive
        violation (each player's constraints divided by its payoff range) as residual, and the joint
        distribution as ``extra["distribution"]`` (a correlated equilibrium is a joint distribution: the
        marginals alone are in general not an equilibrium).
    """

    distribution: np.ndarray
    payoffs: np.ndarray
    welfare: float
    incentive_violation: float
    objective_value: float
    kind: str
    objective: str
    method: str = "lp"
    converged: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)
    equilibria: tuple[Equilibrium, ...] = ()
    iterations: int = 0

    @property
    def residual(self) -> float:
        """The relative incentive violation (0 up to rounding)."""
        return max((e.residual for e in self.equilibria), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "objective": self.objective, "distribution": self.distribution.tolist(),
                "payoffs": self.payoffs.tolist(), "welfare": self.welfare,
                "incentive_violation": self.incentive_violation}


def incentive_matrix(game: Game, kind: str = "ce"):
    """The sparse matrix ``G`` with ``G @ p.ravel() <= 0`` the CE (or CCE) incentive constraints.

    Rows are ordered by player, then (recommended action, deviation) for CE or deviation for CCE.

    >>> from rqe import Game
    >>> pd = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> incentive_matrix(pd, "ce").shape, incentive_matrix(pd, "cce").shape
    ((4, 4), (4, 4))
    """
    from scipy import sparse

    kind = _check_kind(kind)
    shape = game.shape
    index = np.arange(game.n_profiles).reshape(shape)
    rows, cols, vals = [], [], []
    r = 0
    for i, n_i in enumerate(shape):
        u = game.payoffs[i]
        for b in range(n_i):
            # gain of switching to b at every profile: u_i(b, a_{-i}) - u_i(a)
            gain = np.take(u, [b], axis=i) - u
            if kind == "cce":
                nz = gain.ravel() != 0
                rows.append(np.full(nz.sum(), r))
                cols.append(index.ravel()[nz])
                vals.append(gain.ravel()[nz])
                r += 1
                continue
            for a in range(n_i):
                if a == b:
                    continue
                g_a = np.take(gain, a, axis=i).ravel()
                idx = np.take(index, a, axis=i).ravel()
                nz = g_a != 0
                rows.append(np.full(nz.sum(), r))
                cols.append(idx[nz])
                vals.append(g_a[nz])
                r += 1
    return sparse.csr_matrix((np.concatenate(vals) if vals else np.zeros(0),
                              (np.concatenate(rows) if rows else np.zeros(0, int),
                               np.concatenate(cols) if cols else np.zeros(0, int))),
                             shape=(r, game.n_profiles))


def _affine_unit(values: np.ndarray) -> np.ndarray:
    """``(values - min) / (max - min)`` (halved first if the range overflows; zeros when constant)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore"):
        if not np.isfinite(np.ptp(values)):
            values = values * 0.5
        span = float(np.ptp(values))
    return (values - values.min()) / span if span > 0 else np.zeros_like(values)


def _check_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


def solve_correlated(game: Game, kind: str = "ce", objective: str | Callable | Any = "welfare", *,
                     solver: str | None = None, max_size: float = MAX_NONZEROS, **solver_options: Any
                     ) -> CorrelatedResult:
    """A correlated or coarse correlated equilibrium maximising an objective.

    Parameters
    ----------
    game : Game
        Any finite game with ``N >= 1`` players.
    kind : {"ce", "cce"}
        Correlated or coarse correlated equilibrium.
    objective : "welfare", "egalitarian", array_like or callable
        ``"welfare"``: maximise ``sum_i E_p[u_i]``; ``"egalitarian"``: maximise ``min_i E_p[u_i]``; an array of
        shape ``game.shape``: maximise ``sum_a w(a) p(a)``; a callable ``f(p, game)`` returning a concave cvxpy
        expression of the flattened (C order) distribution variable ``p`` to maximise.
    solver : str, optional
        cvxpy solver (default HiGHS when installed, else cvxpy's choice).
    max_size : float
        Limit on the non-zero coefficients of the incentive constraints, checked before building them.

    Examples
    --------
    Chicken: the best CE (welfare 10.5 with payoffs (6, 2 | 7, 0)) beats every Nash equilibrium (welfare 9
    and 28/3):

    >>> from rqe import Game
    >>> chicken = Game.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> r = solve_correlated(chicken)
    >>> round(r.welfare, 9), r.distribution.round(6).tolist(), r.incentive_violation <= 1e-9
    (10.5, [[0.5, 0.25], [0.25, 0.0]], True)
    """
    game = check_game(game)
    kind = _check_kind(kind)
    shape = game.shape
    nnz = sum(n_i * (n_i - 1 if kind == "ce" else 1) * game.n_profiles / n_i for n_i in shape)
    check_size(float(nnz), max_size, "constraint coefficients", f"solve_correlated(kind={kind!r})")
    cp = require("cvxpy", "cvx", "correlated equilibria")
    # constraints on the payoffs normalised per player (the same feasible set, conditioned whatever the scale);
    # built-in objectives on the original payoffs divided by one common scale (the same maximiser)
    scaled = normalise(game)
    G = incentive_matrix(scaled.normalised_game, kind)
    U = game.payoffs.reshape(game.n_players, -1)
    Uc = _affine_unit(U)  # one positive affine map for all players: the same maximiser (sum p = 1)
    p = cp.Variable(game.n_profiles, nonneg=True)
    constraints = [cp.sum(p) == 1]
    if G.shape[0]:
        constraints.append(G @ p <= 0)
    weights = None
    if isinstance(objective, str):
        if objective == "welfare":
            expr = _affine_unit((U / game.n_players).sum(axis=0)) @ p  # the mean: no overflow
        elif objective == "egalitarian":
            expr = cp.min(Uc @ p)
        else:
            raise ParameterError(f"objective must be one of {OBJECTIVES}, an array of shape {shape} or a callable; "
                                 f"got {objective!r}")
        name = objective
    elif callable(objective):
        expr = objective(p, game)
        name = getattr(objective, "__name__", "custom")
    else:
        try:
            weights = np.asarray(objective, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"objective weights must be numbers, got {objective!r}") from exc
        if weights.shape not in (shape, (game.n_profiles,)) or not np.all(np.isfinite(weights)):
            raise ParameterError(f"objective weights must be finite with shape {shape}, got shape {weights.shape}")
        expr = _affine_unit(weights.ravel()) @ p
        name = "weights"
    problem = cp.Problem(cp.Maximize(expr), constraints)
    if solver is None and "HIGHS" in cp.installed_solvers():
        solver = "HIGHS"
    try:
        problem.solve(solver=solver, **solver_options)
    except cp.error.SolverError as exc:
        raise ConvergenceError(f"cvxpy solver {solver!r} failed: {exc}") from exc
    if problem.status not in ("optimal", "optimal_inaccurate") or p.value is None:
        raise ConvergenceError(f"the correlated-equilibrium LP ended with status {problem.status!r}")
    dist = np.clip(np.asarray(p.value, dtype=np.float64), 0.0, None)
    dist /= dist.sum()
    G_original = incentive_matrix(game, kind)
    violation = float(max(0.0, (G_original @ dist).max())) if G.shape[0] else 0.0
    relative_violation = float(max(0.0, (G @ dist).max())) if G.shape[0] else 0.0
    payoffs = U @ dist
    payoffs.setflags(write=False)
    distribution = dist.reshape(shape)
    distribution.setflags(write=False)
    if name == "welfare":
        objective_value = float(payoffs.sum())
    elif name == "egalitarian":
        objective_value = float(payoffs.min())
    elif weights is not None:
        objective_value = float(weights.ravel() @ dist)
    else:
        objective_value = float(problem.value)
    marginals = [distribution.sum(axis=tuple(j for j in range(game.n_players) if j != i))
                 for i in range(game.n_players)]
    marginal_profile = Profile([m / m.sum() for m in marginals], shape=shape)
    equilibrium = Equilibrium(marginal_profile, payoffs, relative_violation, {"distribution": distribution})
    return CorrelatedResult(
        distribution=distribution, payoffs=payoffs, welfare=float(payoffs.sum()), incentive_violation=violation,
        objective_value=objective_value, kind=kind, objective=name,
        converged=problem.status == "optimal",
        parameters={"kind": kind, "objective": name, "solver": solver or problem.solver_stats.solver_name},
        equilibria=(equilibrium,),
    )
