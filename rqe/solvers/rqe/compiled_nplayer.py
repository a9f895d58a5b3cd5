"""The general compiled path of :func:`rqe.solvers.rqe.solve_rqe` and :func:`solve_rqe_batch`: any number of
players, KL or reverse KL, negative entropy or log-barrier (:mod:`._kernels_nplayer`, :mod:`._newton_nplayer`;
``docs/rqe-math.md`` sections 1-4). The 2-player KL problems keep their own kernels (:mod:`._newton_kernels`).
"""

from __future__ import annotations

import numpy as np

from rqe.game import Profile
from rqe.results import Equilibrium
from rqe.solvers.rqe.system import RQEModel

__all__ = ["pack", "player_matrices", "solve_starts", "equilibrium", "solve_stack"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def pack(mats, shape) -> tuple:
    """``(Mf, moff, shape, off)`` of :mod:`._kernels_nplayer` from the players' ``M_i`` (last two axes;
    leading axes, such as a batch axis, are kept: ``Mf`` then has one row per game)."""
    shape = np.asarray(shape, dtype=np.int64)
    lead = mats[0].shape[:-2]
    Mf = np.ascontiguousarray(np.concatenate([np.reshape(m, lead + (-1,)) for m in mats], axis=-1),
                              dtype=np.float64)
    moff = np.concatenate([[0], np.cumsum([m.shape[-1] * m.shape[-2] for m in mats])]).astype(np.int64)
    off = np.concatenate([[0], np.cumsum(shape)]).astype(np.int64)
    return _frozen(Mf), _frozen(moff), _frozen(shape), _frozen(off)


def player_matrices(stack: np.ndarray) -> list[np.ndarray]:
    """``M_i`` of every game of a ``(B, N, n_1, ..., n_N)`` stack, as ``(B, n_i, |A_{-i}|)`` arrays (the layout
    of :meth:`rqe.game.Game.payoff_matrix`)."""
    B, N = stack.shape[:2]
    return [np.moveaxis(stack[:, i], i + 1, 1).reshape(B, stack.shape[2 + i], -1) for i in range(N)]


def _interior_flat(blocks: list) -> np.ndarray:
    rows = []
    for b in blocks:
        b = np.maximum(np.asarray(b, dtype=np.float64), 1e-300)
        rows.append(b / b.sum(axis=1, keepdims=True))
    return np.ascontiguousarray(np.hstack(rows))


def _split(x: np.ndarray, off: np.ndarray) -> list[np.ndarray]:
    return [x[off[i]:off[i + 1]] for i in range(off.size - 1)]


def solve_starts(model: RQEModel, blocks: list, max_iter: int, threshold: float) -> tuple[list[tuple], int]:
    """Compiled fixed point + Newton from each start (row of the per-player ``blocks``): a list of
    ``(strategies, certificate, stationarity)`` as :func:`rqe.solvers.rqe.multistart.solve_starts`, and the
    iterations spent. Answers the kernel does not certify get the NumPy certificate (best-response gap)."""
    from rqe.solvers._jit import announce_compile
    from rqe.solvers.rqe import _kernels_nplayer, _newton_nplayer
    from rqe.solvers.rqe.multistart import certified

    problem = model.problem
    Mf, moff, shape, off = pack(problem.base_M, problem.shape)
    announce_compile(_newton_nplayer.solve_starts, _kernels_nplayer.evaluate)
    X, cert, its, stat = _newton_nplayer.solve_starts(
        Mf, moff, shape, off, _interior_flat(blocks), problem.tau, problem.epsilon, problem.pen_code,
        problem.reg_code, 60, min(max_iter, 500))
    out = []
    for k in range(X.shape[0]):
        xs = _split(X[k], off)
        out.append((xs, float(cert[k]), float(stat[k])) if cert[k] < threshold else certified(model, xs, threshold))
    return out, int(its.sum())


def equilibrium(model: RQEModel, xs: list[np.ndarray], res: float) -> Equilibrium:
    """The :class:`~rqe.results.Equilibrium` at ``xs``: adversaries, risk-adjusted values and expected payoffs
    evaluated by :func:`._kernels_nplayer.evaluate`."""
    from rqe.solvers.rqe import _kernels_nplayer

    problem = model.problem
    Mf, moff, shape, off = pack(problem.base_M, problem.shape)
    x = np.concatenate([np.asarray(xi, dtype=np.float64) / np.sum(xi) for xi in xs])
    P, poff, values, payoffs = _kernels_nplayer.evaluate(Mf, moff, shape, off, x, problem.tau, problem.epsilon,
                                                         problem.pen_code, problem.reg_code)
    profile = Profile(_split(x, off), shape=problem.shape)
    advs = tuple(_frozen(P[poff[i]:poff[i + 1]].copy()) for i in range(problem.n_players))
    return Equilibrium(profile, _frozen(payoffs), float(res), dict(
        adversaries=advs, values=_frozen(values), tau=problem.tau.tolist(), epsilon=problem.epsilon.tolist()))


def solve_stack(stack: np.ndarray, taus: np.ndarray, epss: np.ndarray, pen: int, reg: int, max_iter: int
                ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Every game of a ``(B, N, n_1, ..., n_N)`` stack from the centroid, in parallel
    (:func:`._newton_nplayer.solve_batch`): per-player strategy arrays ``(B, n_i)``, certificates,
    iterations and stationarity residuals."""
    from rqe.solvers._jit import announce_compile
    from rqe.solvers.rqe import _newton_nplayer

    Mf, moff, shape, off = pack(player_matrices(stack), stack.shape[2:])
    announce_compile(_newton_nplayer.solve_batch)
    X, cert, its, stat = _newton_nplayer.solve_batch(Mf, moff, shape, off, taus, epss, pen, reg, max_iter, 200)
    return [np.ascontiguousarray(X[:, off[i]:off[i + 1]]) for i in range(shape.size)], cert, its, stat

