"""Pseudo-arclength continuation ([T05]): the logit QRE path from the centroid (``tau = 0``, payoffs ``s u``,
``s: 0 -> 1``), then continuation in ``tau`` from ``0`` to its value (``docs/rqe-math.md`` section 4). It
follows the principal branch through folds; :func:`rqe.solvers.rqe.solve_rqe` uses it when the compiled
fixed point from the principal start is not certified."""

from __future__ import annotations

import numpy as np

from rqe.solvers.rqe.newton import newton
from rqe.solvers.rqe.system import RQEModel

__all__ = ["continuation", "qre_then_tau", "tangent"]


def tangent(Jw: np.ndarray, Ft: np.ndarray, previous: np.ndarray | None) -> np.ndarray | None:
    A = np.hstack([Jw, Ft[:, None]])
    if not np.all(np.isfinite(A)):
        return None
    # null vector of the n x (n+1) matrix A: last right singular vector
    _, _, vt = np.linalg.svd(A)
    t = vt[-1]
    if previous is not None and float(t @ previous) < 0:
        t = -t
    elif previous is None and t[-1] < 0:
        t = -t
    return t


def continuation(model: RQEModel, w0: np.ndarray, homotopy, max_steps: int = 2000,
                  theta_end: float = 1.0) -> tuple[np.ndarray | None, int, list]:
    """Pseudo-arclength continuation of ``F(w; theta) = 0`` from ``theta = 0`` to ``theta_end``.

    ``homotopy(theta)`` returns the deformed model at ``theta`` (a new, immutable one). Returns ``(w at theta_end or None, steps, path)`` where
    ``path`` lists ``(theta, w)`` points.
    """

    def F_at(w, theta, jac=True):
        return homotopy(theta).system(w, jacobian=jac)

    def F_theta(w, theta):
        # central differences; one-sided at theta < h, where the deformation (a tau multiplier) must stay >= 0
        h = 1e-6
        lo = theta - h if theta >= h else theta
        hi = theta + h
        Fp = F_at(w, hi, jac=False)[0]
        Fm = F_at(w, lo, jac=False)[0]
        return (Fp - Fm) / (hi - lo)

    scale = model.payoff_scale + float(np.max(model.eps))

    def land(w_at, theta_at, beyond):
        """Newton at ``theta_end`` from the point interpolated between ``(w_at, theta_at)`` and ``beyond``
        (a point past ``theta_end``); the solution, or None when Newton does not converge there."""
        frac = (theta_end - theta_at) / (beyond[-1] - theta_at)
        w_fin, norm, _ = newton(homotopy(theta_end), w_at + frac * (beyond[:-1] - w_at))
        return w_fin if norm <= 1e-9 * scale else None

    def corrector(pred, t):
        """Newton on ``[F(w, theta); t.(u - pred)] = 0`` from ``pred``: ``(point, converged, iterations)``."""
        v = pred.copy()
        for k in range(12):
            Fv, Jv = F_at(v[:-1], v[-1])
            Ftv = F_theta(v[:-1], v[-1])
            G = np.concatenate([Fv, [t @ (v - pred)]])
            A = np.vstack([np.hstack([Jv, Ftv[:, None]]), t[None, :]])
            if not np.all(np.isfinite(A)) or not np.all(np.isfinite(G)):
                return v, False, k
            try:
                dv = np.linalg.solve(A, -G)
            except np.linalg.LinAlgError:
                return v, False, k
            v = v + dv
            if not np.all(np.isfinite(v)):
                return v, False, k
            if float(np.max(np.abs(dv))) < 1e-11 and float(np.max(np.abs(Fv))) < 1e-8 * scale:
                return v, True, k
        return v, False, 11

    theta = 0.0
    w = w0.copy()
    F, J = F_at(w, theta)
    w, _, _ = newton(homotopy(theta), w)
    h = 0.05
    t_prev = None
    path = [(theta, w.copy())]
    steps = 0
    while steps < max_steps:
        steps += 1
        F, J = F_at(w, theta)
        t = tangent(J, F_theta(w, theta), t_prev)
        if t is None:
            return None, steps, path
        u = np.concatenate([w, [theta]])
        pred = u + h * t
        beyond = pred if (pred[-1] > theta_end and theta < theta_end) else None
        if beyond is None:
            v, ok, k = corrector(pred, t)
            close = ok and float(np.max(np.abs(v[:-1] - w))) < 2.0
            if close and v[-1] >= theta_end > theta:
                beyond = v  # the corrector crossed theta_end
            elif close:
                w, theta = v[:-1], float(v[-1])
                t_prev = t
                path.append((theta, w.copy()))
                h = min(h * (1.5 if k <= 3 else 1.0), 0.5)
                if theta < -0.25:
                    return None, steps, path
                continue
            else:
                h *= 0.5
                if h < 1e-9:
                    return None, steps, path
                continue
        w_fin = land(w, theta, beyond)
        if w_fin is not None:
            path.append((theta_end, w_fin))
            return w_fin, steps, path
        h *= 0.5
        if h < 1e-10:
            return None, steps, path
    return None, steps, path


def qre_then_tau(model: RQEModel, max_steps: int) -> tuple[np.ndarray | None, int]:
    """Logit-QRE path ``s: 0 -> 1`` at ``tau = 0`` (payoffs ``s u``), then ``tau: 0 -> tau`` at full payoffs."""
    centroid = [np.full(n, 1.0 / n) for n in model.shape]
    w0 = model.deformed(0.0, 0.0).initial_w(centroid)
    w, steps_a, _ = continuation(model, w0, lambda th: model.deformed(th, 0.0), max_steps)
    if w is None or np.all(model.base_tau == 0):
        return w, steps_a
    w2, steps_b, _ = continuation(model, w, lambda th: model.deformed(1.0, th), max_steps)
    return w2, steps_a + steps_b
