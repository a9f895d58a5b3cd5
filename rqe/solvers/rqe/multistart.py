"""Seeded multistart: the starting points, the solve from each, the certificate of each answer and the
distinct solutions (``docs/rqe-math.md`` section 4: "outside the tractable region RQE may be several: find
them all you can").

The certificate of a candidate ``x`` is the duality bound ``max_i eps_i D_nu(x_i, R_i(M_i p_i(x)))`` of
:meth:`RQEModel.dual_certificate` (an upper bound of the best-response gap, one evaluation); where it does not
certify the point, the best-response gap itself (:meth:`RQEModel.certificate`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from rqe.solvers.rqe.newton import solve_from
from rqe.solvers.rqe.problem import STATIONARITY_TOL
from rqe.solvers.rqe.system import RQEModel

__all__ = ["MULTISTART_MAX_PROFILES", "MULTISTART_RANDOM", "start_counts", "near_pure_starts", "dirichlet_starts",
           "seeded_dirichlet_starts", "extra_starts", "solve_starts", "certified", "is_solution", "distinct"]


#: default multistart (``solve_rqe(n_starts=None)``) only on games with at most this many pure profiles
MULTISTART_MAX_PROFILES = 16
#: Dirichlet starts added to the near-pure ones by the default multistart
MULTISTART_RANDOM = 2


def start_counts(shape: tuple, method: str, n_starts: int | None) -> tuple[int, int]:
    """``(count, n_near)``: the number of starts after the principal one and how many of them are near-pure
    (the rest are Dirichlet draws)."""
    n_pure = math.prod(shape)
    if n_starts is None:
        n_starts = 1 + n_pure + MULTISTART_RANDOM if (method in ("auto", "all") and
                                                       n_pure <= MULTISTART_MAX_PROFILES) else 1
    count = max(n_starts - 1, 0)
    return count, (min(n_pure, count) if n_pure <= 64 else 0)


def dirichlet_starts(shape: tuple, size: int, rng: np.random.Generator) -> list:
    """``size`` Dirichlet draws per player (one ``(size, n_i)`` array each, player by player from ``rng``)."""
    return [rng.dirichlet(np.ones(n), size=size) for n in shape]


@lru_cache(maxsize=128)
def seeded_dirichlet_starts(shape: tuple, size: int, seed: int) -> tuple:
    """:func:`dirichlet_starts` from ``numpy.random.default_rng(seed)`` (read-only; the same draws every call,
    so they are drawn once per ``(shape, size, seed)``)."""
    draws = dirichlet_starts(shape, size, np.random.default_rng(seed))
    for d in draws:
        d.setflags(write=False)
    return tuple(draws)


def near_pure_starts(shape: tuple, n_near: int) -> list:
    """The first ``n_near`` near-pure starts, one ``(n_near, n_i)`` array per player: row ``k`` puts ``0.9``
    (+ ``0.1 / n_i``) on player ``i``'s action of the ``k``-th pure profile (C order)."""
    actions = np.unravel_index(np.arange(n_near), shape)
    return [0.1 / n + 0.9 * np.eye(n)[actions[i]] for i, n in enumerate(shape)]


def extra_starts(model: RQEModel, method: str, n_starts: int | None, rng: np.random.Generator) -> list:
    """The starts after the principal one, as one ``(S, n_i)`` array per player (row ``k``: start ``k``):
    near-pure profiles first (C order of the pure profiles), then Dirichlet draws (seeded)."""
    count, n_near = start_counts(model.shape, method, n_starts)
    blocks = near_pure_starts(model.shape, n_near)
    if count > n_near:
        blocks = [np.vstack([b, d]) for b, d in zip(blocks, dirichlet_starts(model.shape, count - n_near, rng))]
    return blocks


def solve_starts(model: RQEModel, blocks: list, method: str, max_iter: int, threshold: float
                 ) -> tuple[list[tuple], int]:
    """Fixed point (or extragradient) + Newton from each start (row of the per-player ``blocks``), each answer
    certified: a list of ``(strategies, certificate, stationarity)`` and the iterations spent. Compiled for
    the closed-form pairs."""
    n_rows = blocks[0].shape[0]
    if n_rows == 0:
        return [], 0
    if method == "fixed_point" and model.problem.compiled:
        S1, S2 = (_interior_rows(np.asarray(b, dtype=np.float64)) for b in blocks)
        from rqe.solvers._jit import announce_compile
        from rqe.solvers.rqe import _kernels, _newton_kernels
        announce_compile(_newton_kernels.solve_starts, _kernels.evaluate)
        X1, X2, cert, its, stat = _newton_kernels.solve_starts(
            model.base_M[0], model.base_M[1], S1, S2, model.base_tau[0], model.base_tau[1], model.eps[0],
            model.eps[1], model.problem.reg_code, 60, min(max_iter, 500))
        out = []
        for k in range(n_rows):
            xs = [X1[k], X2[k]]
            out.append((xs, float(cert[k]), float(stat[k])) if cert[k] < threshold else
                       certified(model, xs, threshold))
        return out, int(its.sum())
    if method == "fixed_point" and model.problem.compiled_general:  # N players, reverse KL: general kernels
        from rqe.solvers.rqe.compiled_nplayer import solve_starts as solve_compiled
        return solve_compiled(model, blocks, max_iter, threshold)
    sols, total = [], 0
    for k in range(n_rows):
        xs, its = solve_from(model, [b[k] for b in blocks], method, max_iter)
        sols.append(certified(model, xs, threshold))
        total += its
    return sols, total


def _interior_rows(S: np.ndarray) -> np.ndarray:
    S = np.maximum(S, 1e-300)
    return S / S.sum(axis=1, keepdims=True)


def _interior(x: np.ndarray) -> np.ndarray:
    x = np.maximum(np.asarray(x, dtype=np.float64), 1e-300)
    return x / x.sum()


def certified(model: RQEModel, xs: list[np.ndarray], threshold: float) -> tuple[list[np.ndarray], float, float]:
    """``(xs, certificate, stationarity)``: the one-evaluation duality bound, and where it does not certify
    the point, the best-response gap itself (:meth:`RQEModel.certificate`, as :func:`rqe_residual`)."""
    if any(not np.all(np.isfinite(x)) or np.any(x <= 0) for x in xs):
        return xs, math.inf, math.inf
    cert, stat = model.dual_certificate(xs)
    if not cert < threshold:
        cert = model.certificate(xs)[0]
    return xs, float(cert), float(stat)


def is_solution(f: tuple, threshold: float) -> bool:
    return bool(f[1] < threshold and f[2] < STATIONARITY_TOL)


def distinct(found: list[tuple], atol: float = 1e-6) -> list[tuple]:
    """The entries of ``found`` (tuples whose first item is a profile) with distinct profiles, in order."""
    if len(found) <= 1:
        return list(found)
    flat = np.concatenate([np.array([f[0][i] for f in found]) for i in range(len(found[0][0]))], axis=1)
    close = np.max(np.abs(flat[:, None, :] - flat[None, :, :]), axis=2) < atol
    kept: list[int] = []
    for k in range(len(found)):
        if not any(close[k, j] for j in kept):
            kept.append(k)
    return [found[k] for k in kept]
