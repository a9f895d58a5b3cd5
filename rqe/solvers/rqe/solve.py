""":func:`solve_rqe` and :func:`rqe_residual` (``docs/rqe-math.md`` sections 2-4)."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from rqe._validation import positive_float, positive_int
from rqe.errors import ConvergenceError, ParameterError
from rqe.game import Game, Profile
from rqe.results import Equilibrium, make_equilibrium
from rqe.risk import KL, LogBarrier, NegativeEntropy, Penalty, Regularizer, ReverseKL
from rqe.solvers.rqe.continuation import qre_then_tau
from rqe.solvers.rqe.multistart import (certified, dirichlet_starts, distinct, is_solution, near_pure_starts,
                                        seeded_dirichlet_starts, solve_starts, start_counts)
from rqe.solvers.rqe.newton import normalise
from rqe.solvers.rqe.problem import CERTIFICATE_TOL, RQEProblem, _readonly
from rqe.solvers.rqe.results import RQEResult
from rqe.solvers.rqe.system import RQEModel, prepare

__all__ = ["solve_rqe", "rqe_residual", "METHODS"]

METHODS = ("auto", "fixed_point", "extragradient", "continuation", "all")


def rqe_residual(game: Game, strategies: Any, tau: Any, epsilon: Any, penalty: Any = "kl",
                 regularizer: Any = "entropy") -> float:
    """The section-4 certificate ``max_i [max_y U_i^{tau,eps}(y, x_{-i}) - U_i^{tau,eps}(x_i, x_{-i})]``.

    >>> import rqe
    >>> g = rqe.Game.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> rqe_residual(g, ([0.5, 0.5], [0.5, 0.5]), tau=1.0, epsilon=0.5) < 1e-12
    True
    """
    model = prepare(game, tau, epsilon, penalty, regularizer)
    xs = [np.asarray(x, dtype=np.float64) for x in Profile(strategies, shape=game.shape)]
    if any(np.any(x <= 0) for x in xs):
        return math.inf
    return model.certificate(xs)[0]


def solve_rqe(game: Game, tau: Any, epsilon: Any, penalty: str | Penalty = "kl",
              regularizer: str | Regularizer = "entropy", method: str = "auto", *, tol: float = 1e-10,
              max_iter: int = 5000, init: Any = None, n_starts: int | None = None, rng: Any = None,
              raise_on_failure: bool = False) -> RQEResult:
    """Compute every risk-averse quantal response equilibrium it can find (``docs/rqe-math.md`` sections 2-4).

    Parameters
    ----------
    game : Game
        Utilities ``payoffs[i, a_1, ..., a_N]`` (maximised).
    tau : float or sequence
        Degree of risk aversion per player, ``>= 0`` (``0``: risk neutral, i.e. the logit QRE).
    epsilon : float or sequence
        Bounded rationality per player, ``> 0``.
    penalty : {"kl", "reverse_kl"} or rqe.risk.Penalty
    regularizer : {"entropy", "log_barrier"} or rqe.risk.Regularizer
    method : {"auto", "fixed_point", "extragradient", "continuation", "all"}
        ``"auto"``: the compiled fixed point + Newton from every start (any number of players, KL or reverse
        KL with negative entropy or log-barrier; NumPy for user-supplied penalty or regulariser hooks),
        certified; the continuation of section 4 only when the principal start is not certified, and extragradient
        from the principal start only when nothing is certified yet. ``"all"`` runs every method and the multistart
        search.
    tol : float
        Required certificate; ``converged`` needs ``residual < min(tol, 1e-10)``.
    max_iter : int
        Iteration budget of the first-order phase (and continuation steps).
    init : profile, optional
        The principal starting profile (default: the centroid).
    n_starts : int, optional
        Number of starting points. Default (``None``): with ``method="auto"`` or ``"all"`` and at most
        ``MULTISTART_MAX_PROFILES`` pure profiles, the principal start, every near-pure profile
        (``0.9`` on one action) and ``MULTISTART_RANDOM`` Dirichlet draws; otherwise one start. Every distinct
        certified RQE found is listed in ``equilibria``.
    rng : numpy.random.Generator or int, optional
        Seed of the Dirichlet starts (default ``0``: the answer is deterministic).
    raise_on_failure : bool
        Raise :class:`~rqe.errors.ConvergenceError` instead of returning ``converged=False``.

    Returns
    -------
    RQEResult

    Examples
    --------
    >>> import rqe
    >>> pennies = rqe.Game.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> r = rqe.solve_rqe(pennies, tau=0.5, epsilon=1.0)
    >>> r.converged, [x.round(6).tolist() for x in r.strategies]
    (True, [[0.5, 0.5], [0.5, 0.5]])
    >>> collab = rqe.library.get("collaborate_defect")
    >>> len(rqe.solve_rqe(collab, tau=0.1, epsilon=0.2).equilibria)
    3
    >>> three = rqe.Game(np.random.default_rng(0).uniform(-1, 1, size=(3, 2, 2, 2)))
    >>> r = rqe.solve_rqe(three, tau=0.5, epsilon=0.5, penalty="reverse_kl", regularizer="log_barrier")
    >>> r.converged, r.residual < 1e-10, len(r.strategies)
    (True, True, 3)
    """
    problem = RQEProblem.create(game, tau, epsilon, penalty, regularizer)
    if not isinstance(method, str) or method not in METHODS:
        raise ParameterError(f"unknown method {method!r}; expected one of {METHODS}")
    tol = positive_float(tol, "tol")
    max_iter = positive_int(max_iter, "max_iter")
    if n_starts is not None:
        n_starts = positive_int(n_starts, "n_starts")
    principal_start = [_centroid(n) for n in problem.shape] if init is None else list(
        Profile(init, shape=problem.shape))
    threshold = min(tol, CERTIFICATE_TOL)
    count, n_near = start_counts(problem.shape, method, n_starts)
    draws = _draws(problem.shape, count - n_near, rng)
    tau_list, eps_list = problem.tau.tolist(), problem.epsilon.tolist()
    params = dict(tau=tau_list, epsilon=eps_list, penalty=problem.penalty.name,
                  regularizer=problem.regularizer.name, tol=tol, max_iter=max_iter, n_starts=1 + count,
                  certificate_threshold=threshold)
    used = "fixed_point" + ("+multistart" if count else "")
    if problem.compiled and method in ("auto", "fixed_point"):
        # every start in one compiled call; the result is built from it unless a start needs a second look
        out = _multistart_kernel()(
            *problem.base_M, *principal_start, n_near, *(draws or _NO_DRAWS), *tau_list, *eps_list,
            problem.reg_code, 60, min(max_iter, 500), threshold)
        if out[5].size:
            return _compiled_result(problem, out, used, params)
        found = [([x1, x2], float(c), float(st)) if c < threshold else certified(RQEModel(problem), [x1, x2],
                                                                                   threshold)
                 for x1, x2, c, st in zip(*out[:4])]
        return _finish(problem, method, found, out[4], [used], principal_start, max_iter, threshold, params,
                       raise_on_failure)
    model = RQEModel(problem)
    extra = [np.vstack([near, d]) if draws else near for near, d in
             zip(near_pure_starts(problem.shape, n_near), draws or [None] * len(problem.shape))]
    starts = [np.vstack([x[None, :], e]) for x, e in zip(principal_start, extra)]
    found, iterations, used = [], 0, []
    first = "fixed_point" if method in ("auto", "all") else method
    if first in ("fixed_point", "extragradient") or count:
        kind = first if first != "continuation" else "fixed_point"
        found, iterations = solve_starts(model, starts if first != "continuation" else extra, kind, max_iter,
                                         threshold)
        used.append(kind + ("+multistart" if count else ""))
    return _finish(problem, method, found, iterations, used, principal_start, max_iter, threshold, params,
                   raise_on_failure)


@lru_cache(maxsize=None)
def _multistart_kernel():
    """:func:`._multistart_kernels.solve_multistart`, imported (and its compile announced) on first use only."""
    from rqe.solvers._jit import announce_compile
    from rqe.solvers.rqe import _multistart_kernels
    announce_compile(_multistart_kernels.solve_multistart)
    return _multistart_kernels.solve_multistart


@lru_cache(maxsize=64)
def _centroid(n: int) -> np.ndarray:
    """The uniform strategy on ``n`` actions (read-only, as every start the kernel gets: one specialisation)."""
    x = np.full(n, 1.0 / n)
    x.setflags(write=False)
    return x


#: no Dirichlet starts (two empty blocks, read-only as every block of starts the kernel gets)
_NO_DRAWS = (np.empty((0, 0)), np.empty((0, 0)))
for _block in _NO_DRAWS:
    _block.setflags(write=False)


def _draws(shape: tuple, size: int, rng: Any) -> list | None:
    """The ``size`` Dirichlet starts per player from ``rng`` (seed ``0`` when None), or None when ``size`` is 0."""
    if isinstance(rng, np.random.Generator):
        if size == 0:
            return None
        draws = dirichlet_starts(shape, size, rng)
        for d in draws:
            d.setflags(write=False)
        return draws
    if rng is not None and not isinstance(rng, (int, np.integer)):
        raise ParameterError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")
    seed = 0 if rng is None else int(rng)
    if seed < 0:
        raise ParameterError(f"rng seed must be a non-negative integer, got {rng!r}")
    return list(seeded_dirichlet_starts(tuple(shape), size, seed)) if size > 0 else None


def _compiled_result(problem: RQEProblem, out: tuple, used: str, params: dict) -> RQEResult:
    """The result of :func:`._multistart_kernels.solve_multistart` when every start was certified there and the
    principal one is a solution: its distinct solutions as equilibria, with no further evaluation."""
    X1, X2, cert, _, iterations, kept, P1, P2, V, U = out
    for a in (X1, X2, P1, P2, V, U):
        a.setflags(write=False)
    # the kernel's strategies are normalised, finite and read-only: a Profile without re-validation
    equilibria = tuple(Equilibrium(tuple.__new__(Profile, (X1[k], X2[k])), U[j], float(cert[k]),
                                   dict(adversaries=(P1[j], P2[j]), values=V[j], tau=problem.tau.tolist(),
                                        epsilon=problem.epsilon.tolist()))
                       for j, k in enumerate(kept.tolist()))
    head = equilibria[0]
    complete, completeness = _completeness(problem, params["n_starts"], True)
    return RQEResult(head.strategies, head.extra["adversaries"], head.extra["values"], head.residual, True,
                     int(iterations), used, equilibria, params, complete, completeness, problem)


def _finish(problem: RQEProblem, method: str, found: list, iterations: int, used: list, principal_start: list,
            max_iter: int, threshold: float, params: dict, raise_on_failure: bool) -> RQEResult:
    """Continuation where the principal start failed (or ``method`` asks for it), then the result from every
    certified answer in ``found`` (``(strategies, certificate, stationarity)`` per start, principal first)."""
    model = RQEModel(problem)
    first = "fixed_point" if method in ("auto", "all") else method
    principal_ok = bool(found) and first != "continuation" and is_solution(found[0], threshold)
    if (not principal_ok and method in ("auto", "continuation")) or method == "all":
        w, steps = qre_then_tau(model, max_iter)
        iterations += steps
        used.insert(0, "continuation")
        cont = certified(model, normalise(model, w), threshold) if w is not None else None
        if cont is not None and (is_solution(cont, threshold) or not found or first == "continuation"):
            # the continuation's end is the principal RQE unless the principal start was already certified
            found.insert(len(found) if principal_ok else 0, cont)
        elif cont is None and first == "continuation":
            # the path did not reach the target: report the starting point honestly (its certificate)
            found.insert(0, certified(model, principal_start, threshold))
    if method == "all" or (method == "auto" and not any(is_solution(f, threshold) for f in found)):
        # the last resort of the default (and part of "all"): extragradient from the principal start
        for m in ("extragradient",):
            sols, its = solve_starts(model, [x[None, :] for x in principal_start], m, max_iter, threshold)
            iterations += its
            used.append(m)
            found.extend(sols)
    principal = found[0] if is_solution(found[0], threshold) else next(
        (f for f in found if is_solution(f, threshold)), None)
    if principal is None:
        principal = min(found, key=lambda f: f[1] if np.isfinite(f[1]) else math.inf)
    converged = is_solution(principal, threshold)
    xs_p, res_p = principal[0], principal[1]
    if not converged and raise_on_failure:
        raise ConvergenceError(f"solve_rqe did not reach the certificate {threshold:g} (residual {res_p:.3e})",
                               residual=res_p, iterations=iterations)
    unique = distinct([principal] + [f for f in found if f is not principal and is_solution(f, threshold)]) \
        if converged else [principal]
    equilibria = tuple(_equilibrium(model, problem.game, xs, res) for xs, res, _ in unique)
    head = equilibria[0]
    complete, completeness = _completeness(problem, params["n_starts"], converged)
    return RQEResult(head.strategies, head.extra["adversaries"], head.extra["values"], float(res_p), converged,
                     int(iterations), "+".join(used), equilibria, params, complete, completeness, problem)


def _equilibrium(model: RQEModel, game: Game, xs: list[np.ndarray], res: float) -> Equilibrium:
    if model.problem.compiled:
        # writable while evaluated: the kernel then reuses the adversary compiled for the solve (a read-only
        # argument would compile a second specialisation of it); read-only from then on
        x1, x2 = (np.asarray(x / x.sum(), dtype=np.float64) for x in xs)
        from rqe.solvers.rqe import _kernels
        p1, p2, values, payoffs = _kernels.evaluate(
            model.base_M[0], model.base_M[1], x1, x2, model.base_tau[0], model.base_tau[1], model.eps[0],
            model.eps[1], model.problem.reg_code)
        x1.setflags(write=False)
        x2.setflags(write=False)
        # the kernel's strategies are normalised, finite and read-only: a Profile without re-validation
        profile = tuple.__new__(Profile, (x1, x2))
        for a in (p1, p2, values, payoffs):
            a.setflags(write=False)
        return Equilibrium(profile, payoffs, float(res), dict(adversaries=(p1, p2), values=values,
                                                             tau=model.base_tau.tolist(), epsilon=model.eps.tolist()))
    if model.problem.compiled_general:
        from rqe.solvers.rqe.compiled_nplayer import equilibrium
        return equilibrium(model, xs, res)
    profile = Profile(xs, shape=game.shape)
    advs = tuple(_readonly(p) for p in model.adversaries(list(profile)))
    values = _readonly(model.values(list(profile)))
    return make_equilibrium(game, profile, res, adversaries=advs, values=values,
                            tau=model.base_tau.tolist(), epsilon=model.eps.tolist())


def _completeness(problem: RQEProblem, n_starts: int, converged: bool) -> tuple[bool, str]:
    """Whether the list is proven complete: only where a closed-form criterion makes the RQE unique."""
    if not converged:
        return False, "not converged"
    pair = (type(problem.penalty), type(problem.regularizer))
    if problem.n_players == 2 and pair in ((KL, LogBarrier), (ReverseKL, NegativeEntropy)) and \
            np.all(problem.tau > 0) and float(np.prod(problem.epsilon * problem.tau)) >= 1.0:
        return True, "unique: eps1*tau1*eps2*tau2 >= 1 (monotone auxiliary game, [MPS] Thm 3)"
    return False, f"multistart from {n_starts} start(s); not proven complete"
