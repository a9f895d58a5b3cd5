"""Dense Newton and pseudo-arclength continuation for a smooth square system ``H(y, s) = 0`` given as Python
callables (the agent-form solvers of :mod:`rqe.openspiel.agent`), with forward-difference Jacobians.
"""

from __future__ import annotations

import numpy as np


def dense_newton(F, y: np.ndarray, f_tol: float, max_iter: int) -> np.ndarray | None:
    """Newton's method on ``F(z) = 0`` with a forward-difference Jacobian and a backtracking line search.

    Returns the root (``max |F| <= f_tol``) or None when the iteration fails to get there.
    """
    z = np.array(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        f = F(z)
        for _ in range(max_iter):
            norm = float(np.max(np.abs(f)))
            if not np.isfinite(norm):
                return None
            if norm <= f_tol:
                return z
            J = _fd_jacobian(F, z, f)
            try:
                delta = np.linalg.solve(J, -f)
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(delta)):
                return None
            t = 1.0
            for _ in range(30):
                candidate = z + t * delta
                f_candidate = F(candidate)
                if float(np.max(np.abs(f_candidate))) < norm:
                    break
                t *= 0.5
            else:
                return None
            z, f = candidate, f_candidate
    return z if float(np.max(np.abs(f))) <= f_tol else None


def _fd_jacobian(F, z: np.ndarray, f: np.ndarray) -> np.ndarray:
    h = 1e-7 * (1.0 + np.abs(z))
    J = np.empty((f.size, z.size))
    for k in range(z.size):
        step = z.copy()
        step[k] += h[k]
        J[:, k] = (F(step) - f) / h[k]
    return J


def arclength(H, dH_ds, n: int, f_tol: float, max_steps: int = 2000) -> np.ndarray | None:
    """Pseudo-arclength continuation of ``H(y, s) = 0`` from ``(0, 0)`` to ``s = 1``; the ``y`` at ``s = 1``.

    Natural continuation in ``s`` stops at a fold of the branch (where ``dH/dy`` is singular and the branch
    turns back in ``s``); following the tangent of the curve ``(y(t), s(t))`` passes it. Predictor along the
    unit tangent (null vector of ``[dH/dy | dH/ds]``, oriented as the previous one), Newton corrector on the
    bordered system, step length adapted to the corrector's effort. The end point is polished by Newton at
    ``s = 1``. Returns None when the step length collapses.
    """
    u = np.zeros(n + 1)
    tangent_prev = np.zeros(n + 1)
    tangent_prev[-1] = 1.0
    h = 0.5
    with np.errstate(all="ignore"):
        for _ in range(max_steps):
            y, s = u[:-1], u[-1]
            f = H(y, s)
            J = np.hstack([_fd_jacobian(lambda z: H(z, s), y, f), dH_ds(y)[:, None]])
            try:
                # tangent: the null vector of J, by solving the bordered system [J; t_prev] t = e_{n+1}
                tangent = np.linalg.solve(np.vstack([J, tangent_prev]), np.eye(n + 1)[-1])
            except np.linalg.LinAlgError:
                return None
            tangent /= np.linalg.norm(tangent)
            if tangent @ tangent_prev < 0:
                tangent = -tangent
            while True:
                guess = u + h * tangent
                point = _bordered_newton(H, dH_ds, guess, tangent, 1e-9 * (1.0 + np.abs(guess).max()))
                if point is not None:
                    break
                h *= 0.5
                if h < 1e-10:
                    return None
            if point[-1] >= 1.0:
                # crossed s = 1 between u and point: start the final Newton from the linear interpolation
                w = (1.0 - u[-1]) / (point[-1] - u[-1])
                return dense_newton(lambda z: H(z, 1.0), u[:-1] + w * (point[:-1] - u[:-1]), f_tol, 100)
            u, tangent_prev = point, tangent
            h = min(2.0 * h, 10.0)
    return None


def _bordered_newton(H, dH_ds, guess: np.ndarray, tangent: np.ndarray, f_tol: float,
                     max_iter: int = 8) -> np.ndarray | None:
    """Newton on ``H(y, s) = 0, tangent . (u - guess) = 0`` (the pseudo-arclength corrector)."""
    u = guess.copy()
    for _ in range(max_iter):
        y, s = u[:-1], u[-1]
        f = H(y, s)
        if not np.all(np.isfinite(f)):
            return None
        if float(np.max(np.abs(f))) <= f_tol:
            return u
        J = np.vstack([np.hstack([_fd_jacobian(lambda z: H(z, s), y, f), dH_ds(y)[:, None]]), tangent])
        try:
            delta = np.linalg.solve(J, -np.append(f, tangent @ (u - guess)))
        except np.linalg.LinAlgError:
            return None
        u = u + delta
    return None
