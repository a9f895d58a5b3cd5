""":func:`rqe_branches`: every RQE branch over a grid of risk aversion, with bifurcations located by
bisection (``docs/rqe-math.md`` sections 4 and 6)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rqe._validation import positive_int
from rqe.errors import ParameterError
from rqe.game import Game, Profile
from rqe.solvers.rqe.continuation import qre_then_tau
from rqe.solvers.rqe.multistart import certified, distinct, extra_starts, is_solution, solve_starts
from rqe.solvers.rqe.newton import newton, normalise
from rqe.solvers.rqe.problem import CERTIFICATE_TOL
from rqe.solvers.rqe.results import Bifurcation, RQEBranches
from rqe.solvers.rqe.system import RQEModel, prepare

__all__ = ["rqe_branches"]


def _all_rqe(model: RQEModel, seeds: list[list[np.ndarray]], n_starts: int, seed: int) -> tuple[list, int]:
    """Every distinct certified RQE from Newton at ``seeds`` and the multistart (continuation when no seeds):
    ``(solutions as (xs, certificate, stationarity), iterations)``."""
    found, iterations = [], 0
    for xs in seeds:
        w, _, its = newton(model, model.initial_w(xs))
        iterations += its
        found.append(certified(model, normalise(model, w), CERTIFICATE_TOL))
    if n_starts > 1:
        sols, its = solve_starts(model, extra_starts(model, "auto", n_starts, np.random.default_rng(seed)),
                                 "fixed_point", 500, CERTIFICATE_TOL)
        found.extend(sols)
        iterations += its
    if not seeds:
        w, steps = qre_then_tau(model, 2000)
        iterations += steps
        if w is not None:
            found.append(certified(model, normalise(model, w), CERTIFICATE_TOL))
    return distinct([f for f in found if is_solution(f, CERTIFICATE_TOL)]), iterations


def rqe_branches(game: Game, taus: Any, epsilon: Any, penalty: Any = "kl", regularizer: Any = "entropy", *,
                 n_starts: int = 16, seed: int = 0, refine: int = 30) -> RQEBranches:
    """Follow every RQE branch over a grid of risk-aversion values and locate bifurcations.

    At each ``tau`` in ``taus`` (the same value for every player) the solver continues each branch by Newton's
    method from its point at the previous grid value and adds a seeded multistart search (``n_starts``
    starts: near-pure profiles and Dirichlet draws), keeping every distinct point whose section-4 certificate
    is below 1e-10. Where the number of RQE changes between neighbouring grid values, the change is located
    by ``refine`` bisection steps (each solving from the lower end's points plus the same multistart).

    >>> import rqe
    >>> g = rqe.Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
    >>> b = rqe.rqe_branches(g, [0.1, 2.0], epsilon=0.2, refine=20)
    >>> [len(e) for e in b.equilibria], round(b.bifurcations[0].tau, 3)
    ([3, 1], 0.829)
    """
    grid = np.asarray(taus, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ParameterError(f"taus must be a non-empty 1-D grid of finite values >= 0, got {taus!r}")
    if np.any(np.diff(grid) <= 0):
        raise ParameterError("taus must be strictly increasing")
    n_starts = positive_int(n_starts, "n_starts")
    base = prepare(game, 1.0, epsilon, penalty, regularizer)
    work = {"iterations": 0, "residual": 0.0}

    def solve_at(tau_value, seeds, starts=n_starts):
        sols, its = _all_rqe(base.with_parameters(tau=float(tau_value)), seeds, starts, seed)
        work["iterations"] += its
        work["residual"] = max([work["residual"]] + [f[1] for f in sols])
        return [f[0] for f in sols]

    per_tau = []
    branches: list[dict] = []
    bifurcations = []
    previous: list[list[np.ndarray]] = []
    for k, tau_value in enumerate(grid):
        sols = solve_at(tau_value, previous)
        # link to branches by nearest previous point
        used = set()
        for xs in sols:
            best, best_d = None, math.inf
            for b_idx, br in enumerate(branches):
                if k == 0 or br["taus"][-1] != grid[k - 1] or b_idx in used:
                    continue
                d = max(float(np.max(np.abs(a - c))) for a, c in zip(xs, br["strategies"][-1]))
                if d < best_d:
                    best, best_d = b_idx, d
            if best is not None and best_d < 0.25:
                used.add(best)
                branches[best]["taus"].append(float(tau_value))
                branches[best]["strategies"].append(Profile(xs, shape=game.shape))
            else:
                branches.append({"taus": [float(tau_value)], "strategies": [Profile(xs, shape=game.shape)]})
        if k > 0 and len(sols) != len(previous):
            lo, hi = float(grid[k - 1]), float(tau_value)
            lo_sols, n_lo, n_hi = previous, len(previous), len(sols)
            for _ in range(refine):
                mid = 0.5 * (lo + hi)
                mid_sols = solve_at(mid, lo_sols, starts=1)
                if len(mid_sols) == n_lo:
                    lo, lo_sols = mid, mid_sols
                else:
                    hi, n_hi = mid, len(mid_sols)
            # the counts reported are those at the grid points: next to a bifurcation the Jacobian is nearly
            # singular and Newton may stop at certified near-duplicates, so counts there are not reliable
            bifurcations.append(Bifurcation(0.5 * (lo + hi), (lo, hi), len(previous), len(sols)))
        per_tau.append(tuple(Profile(xs, shape=game.shape) for xs in sols))
        previous = sols
    out_branches = tuple({"taus": np.array(b["taus"]), "strategies": b["strategies"]} for b in branches)
    params = dict(epsilon=base.eps.tolist(), penalty=base.penalty.name, regularizer=base.regularizer.name,
                  n_starts=n_starts, seed=seed, refine=refine)
    return RQEBranches(grid, tuple(per_tau), out_branches, tuple(bifurcations),
                       all(len(s) > 0 for s in per_tau), "newton-continuation+multistart", params,
                       float(work["residual"]), int(work["iterations"]))
