"""Compiled fixed point + Newton for the RQE of N players and every closed-form pair (``docs/rqe-math.md``
section 4), on the system and Jacobian of :mod:`._kernels_nplayer` (layout and codes described there).

A few damped fixed-point steps ``x_i <- R_i(M_i p_i)`` (geometric mixing), then damped Newton in log
coordinates (linear solves by :mod:`rqe.solvers._linalg`, Armijo backtracking on ``|F|^2``), then the
certificate of :func:`._kernels_nplayer.certify_into`. :func:`solve_robust` retries with a long damped fixed
point when the quick solve misses the certificate; callers fall back to the continuation after that.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from rqe.solvers._linalg import lu_solve_inplace
from rqe.solvers.rqe._kernels import _dh, mat_vec
from rqe.solvers.rqe._newton_kernels import own_block
from rqe.solvers.rqe._kernels_nplayer import _player, certify_into, n_others, responses_into

#: pivots below this count as singular
PIVOT_TOL = 1e-300
#: a solution must also have ``max_i ||x_i - R_i(M_i p_i)||_1`` below this (as the 2-player kernels)
STATIONARITY_TOL = 1e-6


@njit(cache=True, error_model="numpy")
def _system(Mf, moff, shape, off, w, taus, epss, pen, reg, F, J, want_j, x, q, p, s, Mp, Ms):
    """Fill ``F`` (and ``J`` when ``want_j``) at ``w = (z, lam)``; returns ``max |F|``. ``x`` receives
    ``exp(z)``; ``q, p, s, Mp, Ms`` are work buffers."""
    N = shape.shape[0]
    nx = off[N]
    for a in range(nx):
        x[a] = np.exp(w[a])
    size = nx + N
    if want_j:
        for r in range(size):
            for c in range(size):
                J[r, c] = 0.0
    norm = 0.0
    for i in range(N):
        tau = taus[i]
        M, K = _player(Mf, moff, shape, off, x, i, tau, pen, q, p)
        n = shape[i]
        o = off[i]
        mat_vec(M, p[:K], Mp[:n])
        total = 0.0
        for a in range(n):
            F[o + a] = Mp[a] - epss[i] * _dh(x[o + a], reg) - w[nx + i]
            norm = max(norm, abs(F[o + a]))
            total += x[o + a]
        F[nx + i] = total - 1.0
        norm = max(norm, abs(F[nx + i]))
        if not want_j:
            continue
        # sensitivities s (s = p for KL and at tau = 0, p^2 / q for reverse KL) and S = sum s
        S = 0.0
        for k in range(K):
            s[k] = p[k] if (pen == 0 or tau == 0.0) else (p[k] * p[k] / q[k] if q[k] > 0.0 else 0.0)
            S += s[k]
        own_block(M, s[:K], S, x[o:o + n], tau, epss[i], reg, J, o, o, Ms[:n])
        for a in range(n):
            J[o + a, nx + i] = -1.0
            J[nx + i, o + a] = x[o + a]
            # d(M p)/dz_jc = sum over joint actions k with k_j = c of M[a, k] p_k - (M s)_a p_k / S
            stride = K
            for j in range(N):
                if j == i:
                    continue
                stride //= shape[j]
                for k in range(K):
                    c = (k // stride) % shape[j]
                    J[o + a, off[j] + c] += M[a, k] * p[k] - Ms[a] * p[k] / S
    return norm


@njit(cache=True, error_model="numpy")
def sum_squares(F):
    """``|F|^2``, the merit function of the damped Newton steps."""
    total = 0.0
    for k in range(F.shape[0]):
        total += F[k] * F[k]
    return total


@njit(cache=True, error_model="numpy")
def newton_direction(J, F, d, piv, n_lead):
    """The Newton direction ``d = -J^{-1} F`` (``J`` is factorised in place), its first step length (``1``,
    or less so that no log-coordinate among the leading ``n_lead`` moves by more than 5) and ``|F|^2``.

    The step length is ``0`` when ``J`` is singular (no direction).
    """
    for k in range(F.shape[0]):
        d[k] = -F[k]
    if not lu_solve_inplace(J, d, piv, PIVOT_TOL):
        return 0.0, sum_squares(F)
    big = 0.0
    for k in range(n_lead):
        big = max(big, abs(d[k]))
    return (1.0 if big <= 5.0 else 5.0 / big), sum_squares(F)


@njit(cache=True, error_model="numpy")
def workspace(shape):
    """Work buffers of :func:`solve_one` for a game of this shape (one set per thread)."""
    N = shape.shape[0]
    nx = 0
    K = 1
    for i in range(N):
        nx += shape[i]
        K = max(K, n_others(shape, i))
    size = nx + N
    return (np.empty(size), np.empty((size, size)), np.empty((size, size)), np.empty(size), np.empty(size),
            np.empty(size), np.empty(size), np.empty(nx), np.empty(nx), np.empty(K), np.empty(K), np.empty(K),
            np.empty(nx), np.empty(nx), np.empty(nx), np.empty(size, np.int64))


@njit(cache=True, error_model="numpy")
def solve_one(Mf, moff, shape, off, x0, taus, epss, pen, reg, max_iter, fp_iter, fp_tol, adaptive, ws, out):
    """Damped fixed point then Newton from ``x0`` (flat, strictly positive); the answer in ``out``.

    The fixed point mixes geometrically, ``y <- y^(1-a) R(y)^a`` (normalised), for at most ``fp_iter`` steps or
    until ``max |R(y) - y| < fp_tol``; ``a = 1/2``, or when ``adaptive`` halved after a step that grew the
    change and grown by 10% after one that shrank it (as :func:`rqe.solvers.rqe.newton.damped_fixed_point`).
    Returns ``(certificate, iterations, stationarity)``.
    """
    F, J, Jc, Fc, d, w, cand, y, r, q, p, s, Mp, Ms, g, piv = ws
    N = shape.shape[0]
    nx = off[N]
    size = nx + N
    for a in range(nx):
        y[a] = x0[a]
    alpha = 0.5
    prev = np.inf
    iters = 0
    for _ in range(fp_iter):
        iters += 1
        responses_into(Mf, moff, shape, off, y, taus, epss, pen, reg, q, p, g, r)
        change = 0.0
        for a in range(nx):
            change = max(change, abs(r[a] - y[a]))
        if change < fp_tol:
            break
        if adaptive:
            alpha = max(alpha * 0.5, 1e-3) if change > prev else min(alpha * 1.1, 1.0)
            prev = change
        for i in range(N):
            t = 0.0
            for a in range(off[i], off[i + 1]):
                y[a] = np.exp((1 - alpha) * np.log(y[a]) + alpha * np.log(max(r[a], 1e-300)))
                t += y[a]
            for a in range(off[i], off[i + 1]):
                y[a] /= t
    # Newton in log coordinates; multipliers the mean of M_i p_i - eps_i h'(x_i) (the rows of F at lam = 0)
    for a in range(nx):
        w[a] = np.log(y[a])
    for i in range(N):
        w[nx + i] = 0.0
    _system(Mf, moff, shape, off, w, taus, epss, pen, reg, F, J, False, y, q, p, s, Mp, Ms)
    for i in range(N):
        m = 0.0
        for a in range(off[i], off[i + 1]):
            m += F[a]
        w[nx + i] = m / shape[i]
    scale = 0.0
    for k in range(Mf.shape[0]):
        scale = max(scale, abs(Mf[k]))
    emax = 0.0
    for i in range(N):
        emax = max(emax, epss[i])
    scale += emax
    norm = _system(Mf, moff, shape, off, w, taus, epss, pen, reg, F, J, True, y, q, p, s, Mp, Ms)
    for _ in range(max_iter):
        iters += 1
        if norm <= 1e-15 * scale:
            break
        t, merit = newton_direction(J, F, d, piv, nx)
        new = np.inf
        while t > 1e-12:  # Armijo backtracking on |F|^2 (at most 40 halvings from t <= 1)
            for k in range(size):
                cand[k] = w[k] + t * d[k]
            new = _system(Mf, moff, shape, off, cand, taus, epss, pen, reg, Fc, Jc, True, y, q, p, s, Mp, Ms)
            if sum_squares(Fc) <= (1.0 - 1e-4 * t) * merit:
                break
            t *= 0.5
        if not t > 1e-12:
            break
        w, cand, F, Fc, J, Jc = cand, w, Fc, F, Jc, J
        stalled = new >= 0.5 * norm and new <= 1e-12 * scale
        norm = new
        if stalled:
            break
    finite = True
    for i in range(N):
        t = 0.0
        for a in range(off[i], off[i + 1]):
            out[a] = np.exp(w[a])
            t += out[a]
        for a in range(off[i], off[i + 1]):
            out[a] /= t
            finite = finite and np.isfinite(out[a])
    if not finite:
        return np.inf, iters, np.inf
    cert, stat = certify_into(Mf, moff, shape, off, out, taus, epss, pen, reg, q, p, g, r)
    return cert, iters, stat


@njit(cache=True, error_model="numpy")
def solve_robust(Mf, moff, shape, off, x0, taus, epss, pen, reg, max_iter, fp_iter, ws, out):
    """Newton after three fixed-point steps; while the answer misses the certificate (``1e-10``, stationarity
    below ``STATIONARITY_TOL``), again after a long damped fixed point (``a = 1/2``), then after a long
    adaptive one (to a change below ``1e-5``). The best answer (smallest certificate) goes to ``out``."""
    best = out.copy()
    c, it, st = np.inf, 0, np.inf
    for attempt in range(3):
        if attempt == 0:
            c2, it2, st2 = solve_one(Mf, moff, shape, off, x0, taus, epss, pen, reg, np.int64(15), np.int64(3),
                                     1e-3, False, ws, out)
        else:
            c2, it2, st2 = solve_one(Mf, moff, shape, off, x0, taus, epss, pen, reg, max_iter, fp_iter,
                                     1e-3 if attempt == 1 else 1e-5, attempt == 2, ws, out)
        it += it2
        if (c2 < 1e-10 and st2 < STATIONARITY_TOL) or c2 < c or not c < np.inf:
            c, st = c2, st2
            best[:] = out
        if c < 1e-10 and st < STATIONARITY_TOL:
            break
    out[:] = best
    return c, it, st


@njit(cache=True, error_model="numpy")
def solve_starts(Mf, moff, shape, off, X0, taus, epss, pen, reg, max_iter, fp_iter):
    """:func:`solve_robust` from each row of ``X0`` (flat starting profiles): the answers, certificates,
    iterations and stationarity residuals."""
    S = X0.shape[0]
    X = np.empty_like(X0)
    cert = np.empty(S)
    stat = np.empty(S)
    its = np.empty(S, dtype=np.int64)
    ws = workspace(shape)
    for k in range(S):
        cert[k], its[k], stat[k] = solve_robust(Mf, moff, shape, off, X0[k], taus, epss, pen, reg, max_iter,
                                                fp_iter, ws, X[k])
    return X, cert, its, stat


#: games per parallel chunk of :func:`solve_batch` (one workspace each)
CHUNK = 64


@njit(cache=True, parallel=True, error_model="numpy")
def solve_batch(Mfs, moff, shape, off, taus, epss, pen, reg, max_iter, fp_iter):
    """Solve ``B`` games (rows of ``Mfs``) in parallel from the centroid; ``taus``/``epss`` of shape ``(B, N)``."""
    B = Mfs.shape[0]
    N = shape.shape[0]
    nx = off[N]
    X = np.empty((B, nx))
    cert = np.empty(B)
    stat = np.empty(B)
    its = np.empty(B, dtype=np.int64)
    x0 = np.empty(nx)
    for i in range(N):
        for a in range(off[i], off[i + 1]):
            x0[a] = 1.0 / shape[i]
    n_chunks = (B + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        ws = workspace(shape)
        for b in range(c * CHUNK, min(B, (c + 1) * CHUNK)):
            cert[b], its[b], stat[b] = solve_robust(Mfs[b], moff, shape, off, x0, taus[b], epss[b], pen, reg,
                                                    max_iter, fp_iter, ws, X[b])
    return X, cert, its, stat
