""":func:`fit_rqe`: maximum-likelihood ``(tau_i, eps_i)`` from observed play (``docs/rqe-math.md`` section 9)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rqe._validation import per_player
from rqe.errors import ParameterError
from rqe.game import Game, Profile
from rqe.risk import KL, LogBarrier, NegativeEntropy, ReverseKL
from rqe.solvers.rqe.continuation import qre_then_tau
from rqe.solvers.rqe.multistart import certified, is_solution, solve_starts
from rqe.solvers.rqe.newton import normalise
from rqe.solvers.rqe.problem import CERTIFICATE_TOL, STATIONARITY_TOL, _readonly
from rqe.solvers.rqe.results import RQEFit
from rqe.solvers.rqe.solve import solve_rqe
from rqe.solvers.rqe.system import RQEModel, prepare
from rqe.solvers.rqe.tractability import is_tractable

__all__ = ["fit_rqe"]


def _quick_solver(model: RQEModel):
    """A warm-started RQE solve of ``model``'s game at new ``(tau, eps)``: ``solve(tau, eps, start) -> (xs, res)``.

    The compiled fixed point + Newton from ``start`` (NumPy for other pairs), continuation when it is not
    certified."""

    def solve(tau, eps, start):
        at = model.with_parameters(tau, eps)
        (xs, res, st), = solve_starts(at, [np.asarray(x)[None, :] for x in start], "fixed_point", 300,
                                      CERTIFICATE_TOL)[0]
        if not (res < CERTIFICATE_TOL and st < STATIONARITY_TOL):
            w, _ = qre_then_tau(at, 2000)
            if w is not None:
                cand = certified(at, normalise(at, w), CERTIFICATE_TOL)
                if cand[1] < res or is_solution(cand, CERTIFICATE_TOL):
                    xs, res = cand[0], cand[1]
        return xs, res

    return solve


def fit_rqe(game: Game, observed: Any, penalty: Any = "kl", regularizer: Any = "log_barrier", *,
            n_obs: Any = 1.0, shared: bool = False, tractable: bool = False, starts: Any = None,
            tau_bounds: tuple = (1e-4, 1e3), epsilon_bounds: tuple | None = None) -> RQEFit:
    """Maximum-likelihood fit of ``(tau_i, eps_i)`` to observed play (``docs/rqe-math.md`` section 9).

    Maximises ``L(tau, eps) = sum_i n_i sum_a f_ia log x_ia(tau, eps)`` where ``x(tau, eps)`` is the RQE
    (warm-started Newton, continuation when that fails) and ``f_i`` the observed frequencies of player ``i``.
    Parameters are optimised in log space within bounds; with ``tractable=True`` (2 players, closed-form
    criterion pairs) the constraint ``eps1 tau1 eps2 tau2 >= 1`` of section 4 is imposed (SLSQP). Several
    starting points are tried and the best kept. For a 2x2 game two frequencies cannot pin down four
    parameters: the fit is one maximiser among many (``shared=True`` fits one ``(tau, eps)`` for everyone).

    Parameters
    ----------
    observed : profile-like
        Frequencies or counts per player (normalised here).
    n_obs : float or sequence
        Number of observations per player (weights of the log-likelihood).
    starts : sequence of (tau, eps) pairs, optional
        Starting points (scalars or per player); default: a small grid scaled by the payoff spread.

    Examples
    --------
    >>> import rqe
    >>> game = rqe.Game.from_bimatrix([[9, 0], [6, 8]], [[4, 13], [7, 5]])
    >>> fit = rqe.fit_rqe(game, ([0.217, 0.783], [0.527, 0.473]), tractable=True)
    >>> fit.kl_divergence < 1e-8, fit.tractable.tractable
    (True, True)
    """
    from scipy.optimize import minimize

    model = prepare(game, 1.0, 1.0, penalty, regularizer)
    N = game.n_players
    obs = []
    for i, f in enumerate(observed):
        f = np.asarray(f, dtype=np.float64)
        if f.shape != (game.shape[i],) or np.any(f < 0) or not np.all(np.isfinite(f)) or f.sum() <= 0:
            raise ParameterError(f"observed play of player {i} must be {game.shape[i]} non-negative counts or "
                                 f"frequencies, got {f.tolist()}")
        obs.append(f / f.sum())
    if len(obs) != N:
        raise ParameterError(f"observed must have one distribution per player ({N}), got {len(obs)}")
    weights = per_player(n_obs, N, "n_obs", minimum=0.0, strict=True)
    spread = float(np.ptp(game.payoffs)) or 1.0
    if epsilon_bounds is None:
        epsilon_bounds = (1e-4 * spread, 1e3 * spread)
    if tractable and not (N == 2 and (type(model.penalty), type(model.regularizer)) in
                          ((KL, LogBarrier), (ReverseKL, NegativeEntropy))):
        raise ParameterError("tractable=True needs 2 players and (kl, log_barrier) or (reverse_kl, entropy)")
    solve = _quick_solver(model)
    k = 1 if shared else N
    lo = np.log(np.concatenate([np.full(k, tau_bounds[0]), np.full(k, epsilon_bounds[0])]))
    hi = np.log(np.concatenate([np.full(k, tau_bounds[1]), np.full(k, epsilon_bounds[1])]))
    state = {"start": [np.full(n, 1.0 / n) for n in game.shape], "evaluations": 0}

    def unpack(theta):
        tau = np.exp(theta[:k]) * np.ones(N)
        eps = np.exp(theta[k:]) * np.ones(N)
        return tau, eps

    def loss(theta):
        state["evaluations"] += 1
        tau, eps = unpack(np.clip(theta, lo, hi))
        xs, res = solve(tau, eps, state["start"])
        if not np.isfinite(res) or any(not np.all(np.isfinite(x)) for x in xs):
            return 1e6
        if res < CERTIFICATE_TOL:
            state["start"] = [x.copy() for x in xs]
        return -float(sum(w * (f[f > 0] @ np.log(np.maximum(x[f > 0], 1e-300))) for w, f, x in
                          zip(weights, obs, xs)))

    if starts is None:
        starts = [(t / spread, e * spread) for t in (1.0, 5.0) for e in (0.1, 0.5)]
    constraints = []
    if tractable:
        # log(eps1 tau1 eps2 tau2) >= 0
        # (a hair inside, so that rounding cannot leave the fit just outside)
        constraints = [dict(type="ineq",
                            fun=lambda th: float(np.sum(th[:k]) * (N // k) + np.sum(th[k:]) * (N // k)) - 1e-9)]
    best = None
    for tau0, eps0 in starts:
        theta0 = np.log(np.concatenate([np.broadcast_to(np.asarray(tau0, float), (k,)) if k == 1 or np.ndim(tau0)
                                        else np.full(k, tau0),
                                        np.broadcast_to(np.asarray(eps0, float), (k,)) if k == 1 or np.ndim(eps0)
                                        else np.full(k, eps0)]))
        if tractable and np.sum(theta0) * (N // k) < 0:
            theta0[k:] += -np.sum(theta0) * (N // k) / (2 * k) + 1e-3
        theta0 = np.clip(theta0, lo, hi)
        state["start"] = [np.full(n, 1.0 / n) for n in game.shape]
        if tractable:
            res = minimize(loss, theta0, method="SLSQP", bounds=list(zip(lo, hi)), constraints=constraints,
                           options=dict(maxiter=200, ftol=1e-12))
        else:
            res = minimize(loss, theta0, method="L-BFGS-B", bounds=list(zip(lo, hi)),
                           options=dict(maxiter=300, ftol=1e-14, gtol=1e-10))
        if best is None or res.fun < best.fun:
            best = res
    tau, eps = unpack(np.clip(best.x, lo, hi))
    result = solve_rqe(game, tau, eps, model.penalty, model.regularizer)
    xs = list(result.strategies)
    ll = float(sum(w * (f[f > 0] @ np.log(x[f > 0])) for w, f, x in zip(weights, obs, xs)))
    kl = float(sum(f[f > 0] @ np.log(f[f > 0] / x[f > 0]) for f, x in zip(obs, xs)))
    check = is_tractable(game, tau, eps, model.penalty, model.regularizer, samples=32)
    return RQEFit(_readonly(tau), _readonly(eps), ll, kl, result.strategies, Profile(obs, shape=game.shape), check,
                  result.equilibria, bool(best.success) and result.converged,
                  "SLSQP" if tractable else "L-BFGS-B",
                  dict(penalty=model.penalty.name, regularizer=model.regularizer.name, shared=shared,
                       tractable_constraint=tractable, n_obs=weights.tolist(), tau_bounds=tau_bounds,
                       epsilon_bounds=epsilon_bounds), int(state["evaluations"]))
