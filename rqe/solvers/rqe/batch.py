""":func:`solve_rqe_batch`: many same-shaped games (2 or more players, every closed-form penalty and
regulariser pair) in one compiled, parallel call (``docs/rqe-math.md`` section 4)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rqe._validation import per_player, positive_int
from rqe.errors import GameError, ParameterError
from rqe.game import Game
from rqe.risk import KL, get_penalty, get_regularizer
from rqe.solvers.rqe.problem import CERTIFICATE_TOL, PEN_CODES, REG_CODES, STATIONARITY_TOL
from rqe.solvers.rqe.results import RQEBatchResult
from rqe.solvers.rqe.solve import solve_rqe

__all__ = ["solve_rqe_batch"]


def solve_rqe_batch(payoffs_stack: Any, tau: Any, epsilon: Any, penalty: str = "kl", regularizer: str = "entropy",
                    *, max_iter: int = 60, fallback: bool = True) -> RQEBatchResult:
    """Solve many same-shaped games at once (Numba, parallel over games): 2 or more players, the KL or reverse-KL
    penalty, the negative-entropy or log-barrier regulariser.

    Each game is solved by Newton's method on the stationarity system of ``docs/rqe-math.md`` section 4 (from
    the centroid after three fixed-point steps; if that misses the certificate, after a longer damped fixed
    point), and certified by the section-4 best-response gap. Games still above ``1e-10`` are re-solved by
    :func:`solve_rqe` (continuation) when ``fallback`` is True.

    Parameters
    ----------
    payoffs_stack : array_like, shape ``(B, N, n_1, ..., n_N)``
        ``payoffs_stack[b]`` is the payoff tensor of game ``b`` (as ``Game.payoffs``), ``N >= 2``.
    tau, epsilon : float, shape ``(N,)`` or shape ``(B, N)``
    penalty : "kl" or "reverse_kl"
    regularizer : "entropy" or "log_barrier"

    Examples
    --------
    >>> import numpy as np
    >>> stack = np.random.default_rng(0).uniform(-1, 1, size=(100, 2, 2, 2))
    >>> out = solve_rqe_batch(stack, tau=0.5, epsilon=0.5)
    >>> out.strategies[0].shape, bool(out.all_converged), bool(out.residuals.max() < 1e-10)
    ((100, 2), True, True)
    >>> three = np.random.default_rng(1).uniform(-1, 1, size=(50, 3, 2, 2, 2))
    >>> out = solve_rqe_batch(three, tau=0.5, epsilon=0.5, penalty="reverse_kl")
    >>> len(out.strategies), bool(out.all_converged)
    (3, True)
    """
    try:
        stack = np.asarray(payoffs_stack, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise GameError(f"payoffs_stack must be a numeric array of shape (B, N, n1, ..., nN): {exc}") from exc
    if stack.ndim < 4 or stack.shape[1] != stack.ndim - 2:
        raise GameError(f"payoffs_stack must have shape (B, N, n1, ..., nN) with N = number of action axes "
                        f"(>= 2), got {stack.shape}")
    if 0 in stack.shape[1:]:
        raise GameError(f"every player needs at least one action, got payoffs_stack of shape {stack.shape}")
    if not np.all(np.isfinite(stack)):
        raise GameError("payoffs_stack must be finite")
    B, N = stack.shape[:2]
    pen = get_penalty(penalty)
    if type(pen) not in PEN_CODES:
        raise ParameterError(f"solve_rqe_batch supports penalty 'kl' or 'reverse_kl', got {penalty!r}")
    reg = get_regularizer(regularizer)
    if type(reg) not in REG_CODES:
        raise ParameterError(f"solve_rqe_batch supports regularizer 'entropy' or 'log_barrier', got {regularizer!r}")

    def per_game(value, name, strict):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ParameterError(f"{name} must be a number, {N} numbers or a ({B}, {N}) array: {exc}") from exc
        if arr.ndim == 2:
            if arr.shape != (B, N):
                raise ParameterError(f"{name} per game must have shape ({B}, {N}), got {arr.shape}")
            for row in arr:
                per_player(row, N, name, minimum=0.0, strict=strict)
            return np.ascontiguousarray(arr)
        return np.tile(per_player(value, N, name, minimum=0.0, strict=strict), (B, 1))

    taus = per_game(tau, "tau", False)
    epss = per_game(epsilon, "epsilon", True)
    max_iter = positive_int(max_iter, "max_iter")
    if N == 2 and type(pen) is KL:
        Xs, res, its, stat = _solve_kl2(stack, taus, epss, REG_CODES[type(reg)], max_iter)
        method = "newton-batch"
    else:  # N players or reverse KL: the general kernels
        from rqe.solvers.rqe.compiled_nplayer import solve_stack
        Xs, res, its, stat = solve_stack(stack, taus, epss, PEN_CODES[type(pen)], REG_CODES[type(reg)], max_iter)
        method = "newton-batch-general"
    conv = (res < CERTIFICATE_TOL) & (stat < STATIONARITY_TOL)
    bad = np.flatnonzero(~conv)
    if fallback:
        for b in bad:
            r = solve_rqe(Game(stack[b]), taus[b], epss[b], pen, reg, method="continuation")
            if r.converged or r.residual < res[b] or not np.isfinite(res[b]):
                for X, x in zip(Xs, r.strategies):
                    X[b] = x
                res[b], conv[b] = r.residual, r.converged
                its[b] += r.iterations
    for a in (*Xs, res, its):
        a.setflags(write=False)
    conv.setflags(write=False)
    return RQEBatchResult(tuple(Xs), res, conv, its, int(bad.size if fallback else 0), method,
                          dict(tau=tau, epsilon=epsilon, penalty=pen.name, regularizer=reg.name, max_iter=max_iter),
                          stack)


def _solve_kl2(stack: np.ndarray, taus: np.ndarray, epss: np.ndarray, reg: int, max_iter: int) -> tuple:
    """2-player KL games by :func:`._newton_kernels.solve_batch`: ``([X1, X2], certificates, its, stat)``."""
    M1s = np.ascontiguousarray(stack[:, 0])
    M2s = np.ascontiguousarray(np.transpose(stack[:, 1], (0, 2, 1)))
    # read-only, as the single-game path passes them: one compiled signature of the shared kernels for both
    M1s.setflags(write=False)
    M2s.setflags(write=False)
    from rqe.solvers._jit import announce_compile
    from rqe.solvers.rqe import _newton_kernels
    announce_compile(_newton_kernels.solve_batch)
    X1, X2, res, its, stat = _newton_kernels.solve_batch(M1s, M2s, taus, epss, reg, max_iter, 200)
    return [X1, X2], res, its, stat
