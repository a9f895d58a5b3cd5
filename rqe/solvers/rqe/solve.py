""":func:`solve_rqe` and :func:`rqe_residual` (``docs/rqe-math.md`` sections 2-4)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rqe._validation import positive_float, positive_int
from rqe.errors import ConvergenceError, ParameterError
from rqe.game import Game, Profile
from rqe.results import Equilibrium, make_equilibrium
from rqe.risk import KL, LogBarrier, NegativeEntropy, Penalty, Regularizer, ReverseKL
from rqe.solvers.rqe.continuation import qre_then_tau
from rqe.solvers.rqe.multistart import certified, distinct, extra_starts, is_solution, solve_starts
from rqe.solvers.rqe.newton import normalise
from rqe.solvers.rqe.problem import CERTIFICATE_TOL, _readonly
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
        certified; the continuation of section 4 only when the principal start is not certified. ``"all"`` runs every
        method and the multistart search.
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
    model = prepare(game, tau, epsilon, penalty, regularizer)
    if not isinstance(method, str) or method not in METHODS:
        raise ParameterError(f"unknown method {method!r}; expected one of {METHODS}")
    tol = positive_float(tol, "tol")
    max_iter = positive_int(max_iter, "max_iter")
    if n_starts is not None:
        n_starts = positive_int(n_starts, "n_starts")
    if rng is None or isinstance(rng, (int, np.integer)):
        try:
            rng = np.random.default_rng(0 if rng is None else rng)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ParameterError(f"rng seed must be a non-negative integer, got {rng!r}") from exc
    elif not isinstance(rng, np.random.Generator):
        raise ParameterError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")
    principal_start = [np.full(n, 1.0 / n) for n in model.shape]
    if init is not None:
        principal_start = [np.asarray(x, dtype=np.float64) for x in Profile(init, shape=game.shape)]
    threshold = min(tol, CERTIFICATE_TOL)
    extra = extra_starts(model, method, n_starts, rng)
    starts = [np.vstack([x[None, :], e]) for x, e in zip(principal_start, extra)]
    n_total = starts[0].shape[0]

    found: list[tuple[list[np.ndarray], float, float]] = []   # (strategies, certificate, stationarity)
    iterations = 0
    used = []
    first = "fixed_point" if method in ("auto", "all") else method
    if first in ("fixed_point", "extragradient") or n_total > 1:
        kind = first if first != "continuation" else "fixed_point"
        sols, its = solve_starts(model, starts if first != "continuation" else extra, kind, max_iter, threshold)
        iterations += its
        used.append(kind + ("+multistart" if n_total > 1 else ""))
        found.extend(sols)
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
    if method == "all":
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
    equilibria = tuple(_equilibrium(model, game, xs, res) for xs, res, _ in unique)
    head = equilibria[0]
    complete, completeness = _completeness(model, n_total, converged)
    params = dict(tau=model.base_tau.tolist(), epsilon=model.eps.tolist(), penalty=model.penalty.name,
                  regularizer=model.regularizer.name, tol=tol, max_iter=max_iter, n_starts=n_total,
                  certificate_threshold=threshold)
    return RQEResult(head.strategies, head.extra["adversaries"], head.extra["values"], float(res_p), converged,
                     int(iterations), "+".join(used), equilibria, params, complete, completeness, model)


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


def _completeness(model: RQEModel, n_starts: int, converged: bool) -> tuple[bool, str]:
    """Whether the list is proven complete: only where a closed-form criterion makes the RQE unique."""
    if not converged:
        return False, "not converged"
    pair = (type(model.penalty), type(model.regularizer))
    if model.n_players == 2 and pair in ((KL, LogBarrier), (ReverseKL, NegativeEntropy)) and \
            np.all(model.base_tau > 0) and float(np.prod(model.eps * model.base_tau)) >= 1.0:
        return True, "unique: eps1*tau1*eps2*tau2 >= 1 (monotone auxiliary game, [MPS] Thm 3)"
    return False, f"multistart from {n_starts} start(s); not proven complete"
