"""The multistart of :func:`rqe.solve_rqe` for the compiled 2-player KL pairs as one compiled call
(``docs/rqe-math.md`` section 4: "outside the tractable region RQE may be several: find them all you can").

One call builds the starts (:mod:`.multistart` describes them), solves each with
:func:`._newton_kernels.solve_robust`, certifies each with :func:`._kernels.certify_into`, keeps the distinct
solutions and evaluates them (:func:`._kernels.evaluate`), so that the Python side only wraps arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rqe.solvers.rqe._kernels import evaluate
from rqe.solvers.rqe._newton_kernels import STATIONARITY_TOL, solve_robust, workspace


@njit(cache=True, error_model="numpy")
def _interior_into(x, out):
    """``out = max(x, 1e-300) / sum`` (a start strictly inside the simplex)."""
    total = 0.0
    for a in range(x.shape[0]):
        out[a] = max(x[a], 1e-300)
        total += out[a]
    for a in range(x.shape[0]):
        out[a] /= total


@njit(cache=True, error_model="numpy")
def solve_multistart(M1, M2, x1, x2, n_near, D1, D2, tau1, tau2, eps1, eps2, reg, max_iter, fp_iter, threshold):
    """The multistart of :func:`rqe.solve_rqe` in one call (``docs/rqe-math.md`` section 4).

    Starts, in order: ``(x1, x2)`` (the principal one), the first ``n_near`` near-pure profiles (``0.9`` on the
    actions of the ``k``-th pure profile in C order, ``0.1`` spread evenly) and the rows of ``D1, D2``; each
    solved by :func:`~._newton_kernels.solve_robust` and certified by :func:`~._kernels.certify_into`. A start
    is a solution when its certificate is below ``threshold`` and its stationarity below ``STATIONARITY_TOL``.

    Returns ``(X1, X2, cert, stat, iterations, kept, P1, P2, V, U)``: every start's answer and certificates,
    the total iterations, and, when every start's certificate is below ``threshold`` and the principal start
    is a solution (else ``kept`` is empty: the caller looks again), the indexes ``kept`` of the distinct
    solutions (principal first, then in start order; two answers are the same when no probability differs by
    ``1e-6``) with their adversaries ``P1[j], P2[j]``, risk-adjusted values ``V[j]`` and expected payoffs
    ``U[j]`` (:func:`._kernels.evaluate`). ``kept`` is empty when the principal start is not a solution.
    """
    n1, n2 = M1.shape
    S = 1 + n_near + D1.shape[0]
    X1 = np.empty((S, n1))
    X2 = np.empty((S, n2))
    cert = np.empty(S)
    stat = np.empty(S)
    y1 = np.empty(n1)
    y2 = np.empty(n2)
    ws = workspace(n1, n2)
    iterations = 0
    for s in range(S):
        if s == 0:
            _interior_into(x1, y1)
            _interior_into(x2, y2)
        elif s <= n_near:
            k = s - 1
            for a in range(n1):
                y1[a] = 0.1 / n1 + (0.9 if a == k // n2 else 0.0)
            for b in range(n2):
                y2[b] = 0.1 / n2 + (0.9 if b == k % n2 else 0.0)
            _interior_into(y1, y1)
            _interior_into(y2, y2)
        else:
            _interior_into(D1[s - 1 - n_near], y1)
            _interior_into(D2[s - 1 - n_near], y2)
        cert[s], its, stat[s] = solve_robust(M1, M2, y1, y2, tau1, tau2, eps1, eps2, reg, max_iter, fp_iter, ws,
                                             X1[s], X2[s])
        iterations += its
    kept = np.empty(S, np.int64)
    n_kept = 0
    certified = stat[0] < STATIONARITY_TOL
    for s in range(S):
        certified = certified and cert[s] < threshold
    for s in range(S if certified else 0):
        if not stat[s] < STATIONARITY_TOL:
            continue
        new = True
        for j in range(n_kept):
            gap = 0.0
            for a in range(n1):
                gap = max(gap, abs(X1[s, a] - X1[kept[j], a]))
            for b in range(n2):
                gap = max(gap, abs(X2[s, b] - X2[kept[j], b]))
            if gap < 1e-6:
                new = False
                break
        if new:
            kept[n_kept] = s
            n_kept += 1
    P1 = np.empty((n_kept, n2))
    P2 = np.empty((n_kept, n1))
    V = np.empty((n_kept, 2))
    U = np.empty((n_kept, 2))
    for j in range(n_kept):
        p1, p2, values, payoffs = evaluate(M1, M2, X1[kept[j]], X2[kept[j]], tau1, tau2, eps1, eps2, reg)
        P1[j] = p1
        P2[j] = p2
        V[j] = values
        U[j] = payoffs
    return X1, X2, cert, stat, iterations, kept[:n_kept], P1, P2, V, U
