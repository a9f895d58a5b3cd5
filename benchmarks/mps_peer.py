"""A reimplementation of the projected-gradient RQE method of [MPS]'s released code, used as a benchmark peer.

[MPS] E. Mazumdar, K. Panaganti, L. Shi, ICLR 2025, released code ``solve_game``: KL penalty and log-barrier
regulariser, projected gradient play on the 2N-player auxiliary game (``docs/rqe-math.md`` section 4) with the
updates applied one after the other (player 1, its adversary, player 2, its adversary), a fixed step
``gamma = 0.1``, ``delta = 1e-15`` inside logs and divisions, Euclidean projection onto the simplex (sort-based),
starting from the centroid, and the stopping rule ``sum |x_t - x_{t-1}| < tol`` for both players
(``tol = 1e-4``). The budget here is 500 outer x 50 inner iterations (25,000 updates), run as one loop as the
released code does. Reimplemented here (not copied) to follow that code's update order and constants;
utilities are maximised, as in that code.
"""

from __future__ import annotations

import numpy as np

DELTA = 1e-15


def project_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto the probability simplex (sort-based, as in the released code)."""
    if v.sum() == 1.0 and np.all(v >= 0):
        return v
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    rho = np.nonzero(u * np.arange(1, v.size + 1) > (css - 1.0))[0][-1]
    theta = (css[rho] - 1.0) / (rho + 1.0)
    return np.clip(v - theta, 0.0, None)


def _grad_player(M, p, x, eps):
    return -M @ p - eps / (x + DELTA)


def _grad_adversary(M, p, x, y, tau):
    return M.T @ x + (np.log((p + DELTA) / (y + DELTA)) + 1.0) / tau


def solve_game(M1: np.ndarray, M2: np.ndarray, tau1: float, eps1: float, tau2: float, eps2: float,
               outer: int = 500, inner: int = 50, gamma: float = 0.1, tol: float = 1e-4):
    """Projected gradient play; ``M1`` is player 1's payoff matrix, ``M2`` player 2's (its actions as rows).

    Returns ``(x, y, iterations)``.
    """
    n, m = M1.shape
    x = np.full(n, 1.0 / n)
    px = np.full(m, 1.0 / m)
    y = np.full(m, 1.0 / m)
    py = np.full(n, 1.0 / n)
    last_x, last_y = np.zeros(n), np.zeros(m)
    t = 0
    for _ in range(outer):
        for _ in range(inner):
            t += 1
            x = project_simplex(x - gamma * _grad_player(M1, px, x, eps1))
            px = project_simplex(px - gamma * _grad_adversary(M1, px, x, y, tau1))
            y = project_simplex(y - gamma * _grad_player(M2, py, y, eps2))
            py = project_simplex(py - gamma * _grad_adversary(M2, py, y, x, tau2))
            done = np.abs(x - last_x).sum() < tol and np.abs(y - last_y).sum() < tol
            last_x, last_y = x, y
            if done:
                return x, y, t
    return x, y, t
