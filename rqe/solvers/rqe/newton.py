"""Damped Newton on the RQE stationarity system and the damped fixed point that precedes it (NumPy path,
every penalty and regulariser; ``docs/rqe-math.md`` section 4). The closed-form pairs use the compiled
version in :mod:`rqe.solvers.rqe._newton_kernels`."""

from __future__ import annotations

import math

import numpy as np

from rqe.solvers.rqe.system import RQEModel

__all__ = ["newton", "normalise", "damped_fixed_point", "solve_from"]


def newton(model: RQEModel, w: np.ndarray, max_iter: int = 60) -> tuple[np.ndarray, float, int]:
    """Damped Newton on the stationarity system ``F(w) = 0`` (``w = (log x, lam)``); returns ``(w, |F|, its)``."""
    F, J = model.system(w)
    norm = float(np.max(np.abs(F)))
    scale = model.payoff_scale * max(model.scale, 1e-300) + float(np.max(model.eps))
    it = 0
    for it in range(1, max_iter + 1):
        if not np.isfinite(norm):
            break
        try:
            d = np.linalg.solve(J, -F)
        except np.linalg.LinAlgError:
            d = np.linalg.lstsq(J, -F, rcond=None)[0]
        if not np.all(np.isfinite(d)):
            break
        big = float(np.max(np.abs(d[:model.n_x])))
        t = 1.0 if big <= 5.0 else 5.0 / big
        merit = float(F @ F)
        accepted = False
        for _ in range(40):
            cand = w + t * d
            Fc = model.system(cand, jacobian=False)[0]
            mc = float(Fc @ Fc)
            if np.isfinite(mc) and mc <= (1.0 - 1e-4 * t) * merit:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        w = cand
        F, J = model.system(w)
        new_norm = float(np.max(np.abs(F)))
        done = new_norm <= 1e-15 * scale or (new_norm >= 0.5 * norm and new_norm <= 1e-12 * scale)
        norm = new_norm
        if done:
            break
    return w, norm, it


def normalise(model: RQEModel, w: np.ndarray) -> list[np.ndarray]:
    xs = model.strategies(w)
    return [x / x.sum() for x in xs]


def damped_fixed_point(model: RQEModel, xs: list[np.ndarray], max_iter: int, tol: float = 1e-9
                        ) -> tuple[list[np.ndarray], int]:
    """``x <- (1-a) x + a R(M p(x))`` (geometric mixing in log space for the logit response), ``a`` adaptive."""
    alpha = 0.5
    logit = model.is_logit()
    prev = math.inf
    it = 0
    for it in range(1, max_iter + 1):
        target = model.fixed_point_map(xs)
        change = max(float(np.max(np.abs(t - x))) for t, x in zip(target, xs))
        if change < tol:
            xs = target
            break
        if change > prev:
            alpha = max(alpha * 0.5, 1e-3)
        else:
            alpha = min(alpha * 1.1, 1.0)
        prev = change
        new = []
        for x, t in zip(xs, target):
            if logit:
                y = np.exp((1 - alpha) * np.log(x) + alpha * np.log(np.maximum(t, 1e-300)))
            else:
                y = (1 - alpha) * x + alpha * t
            y = np.maximum(y, 1e-300)
            new.append(y / y.sum())
        xs = new
    return xs, it


def solve_from(model: RQEModel, xs: list[np.ndarray], method: str, max_iter: int) -> tuple[list[np.ndarray], int]:
    xs = [np.maximum(np.asarray(x, dtype=np.float64), 1e-300) for x in xs]
    xs = [x / x.sum() for x in xs]
    if method == "extragradient":
        from rqe.solvers.rqe.extragradient import extragradient
        xs, it1 = extragradient(model, xs, max_iter)
    else:
        xs, it1 = damped_fixed_point(model, xs, min(max_iter, 300), tol=1e-5)
    w, _, it2 = newton(model, model.initial_w(xs))
    return normalise(model, w), it1 + it2
