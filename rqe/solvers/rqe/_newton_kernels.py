"""Compiled Newton solver of the 2-player KL RQE stationarity system (``docs/rqe-math.md`` section 4).

In log coordinates ``x_i = exp(z_i)`` with multipliers ``lam_i``::

    F_i = M_i p_i - eps_i h'(x_i) - lam_i = 0,   sum_a x_ia = 1,

with Jacobian blocks ``dF_i/dz_i = (-tau_i M_i C_i M_i^T - eps_i diag(h''(x_i))) diag(x_i)``,
``dF_i/dz_j = M_i C_i`` (``C_i = diag(p_i) - p_i p_i^T``). A few damped fixed-point steps
``x_i <- R_i(M_i p_i)`` (geometric mixing), then damped Newton (linear solves by :mod:`rqe.solvers._linalg`),
then the certificate of :func:`._kernels.certify`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from rqe.solvers._linalg import lu_solve_inplace
from rqe.solvers.rqe._kernels import _adversary, _d2h, _dh, certify_into, mat_vec, responses_into
from rqe.solvers.rqe._newton_2x2 import solve_2x2

#: pivots below this fraction of the largest entry count as singular
PIVOT_TOL = 1e-300
#: a solution must also satisfy ``max_i ||x_i - R_i(M_i p_i)||_1 < STATIONARITY_TOL`` (fixed-point residual)
STATIONARITY_TOL = 1e-6


@njit(cache=True, error_model="numpy")
def _system(M1, M2, w, tau1, tau2, eps1, eps2, reg, F, J, p1, p2, want_j, x1, x2, Mp):
    """Fill ``F`` (and ``J`` when ``want_j``) at ``w = (z_1, z_2, lam_1, lam_2)``; returns ``max |F|``.

    ``x1, x2, Mp`` are work buffers (the strategies ``exp(z_i)`` are written to ``x1, x2``).
    """
    n1, n2 = M1.shape
    for a in range(n1):
        x1[a] = np.exp(w[a])
    for b in range(n2):
        x2[b] = np.exp(w[n1 + b])
    lam1 = w[n1 + n2]
    lam2 = w[n1 + n2 + 1]
    _adversary(M1, x1, x2, tau1, p1)
    _adversary(M2, x2, x1, tau2, p2)
    size = n1 + n2 + 2
    # row/column offsets as run-time int64 (a literal 0 would compile a second specialisation of the callee)
    zero = np.int64(0)
    norm = max(_gradient_rows(M1, x1, w, p1, eps1, reg, lam1, F, zero, Mp),
               _gradient_rows(M2, x2, w, p2, eps2, reg, lam2, F, n1, Mp))
    s1 = 0.0
    for a in range(n1):
        s1 += x1[a]
    s2 = 0.0
    for b in range(n2):
        s2 += x2[b]
    F[n1 + n2] = s1 - 1.0
    F[n1 + n2 + 1] = s2 - 1.0
    if abs(F[n1 + n2]) > norm:
        norm = abs(F[n1 + n2])
    if abs(F[n1 + n2 + 1]) > norm:
        norm = abs(F[n1 + n2 + 1])
    if not want_j:
        return norm
    for r in range(size):
        for c in range(size):
            J[r, c] = 0.0
    _blocks(M1, x1, p1, tau1, eps1, reg, J, zero, n1, Mp)
    _blocks(M2, x2, p2, tau2, eps2, reg, J, n1, zero, Mp)
    for a in range(n1):
        J[a, n1 + n2] = -1.0
        J[n1 + n2, a] = x1[a]
    for b in range(n2):
        J[n1 + b, n1 + n2 + 1] = -1.0
        J[n1 + n2 + 1, n1 + b] = x2[b]
    return norm


@njit(cache=True, error_model="numpy")
def _gradient_rows(M, x, w, p, eps, reg, lam, F, row, Mp):
    """``F[row + a] = (M p)_a - eps h'(x_a) - lam`` (one player's stationarity rows); returns their max ``|F|``.

    ``w[row + a] = log x_a`` (the log coordinates): for the negative entropy ``h'(x_a) = log x_a + 1`` is read
    from there rather than recomputed.
    """
    mat_vec(M, p, Mp)
    norm = 0.0
    for a in range(M.shape[0]):
        dh = w[row + a] + 1.0 if reg == 0 else _dh(x[a], reg)
        F[row + a] = Mp[a] - eps * dh - lam
        if abs(F[row + a]) > norm:
            norm = abs(F[row + a])
    return norm


@njit(cache=True, error_model="numpy")
def own_block(M, s, S, x, tau, eps, reg, J, row, col, Ms):
    """A player's own block of the stationarity Jacobian (``docs/rqe-math.md`` section 4), in the log coordinates
    ``x = exp(z)``: ``J[row + a, col + b] = (-tau (sum_k M_ak s_k M_bk - (M s)_a (M s)_b / S) - [a = b] eps
    nu''(x_b)) x_b``, with the adversary's sensitivities ``s`` (``s = p`` for KL, ``p^2 / q`` for reverse KL)
    and ``S = sum s``; ``Ms`` receives ``M s``. Shared by the 2-player and the N-player Newton kernels."""
    n, m = M.shape
    mat_vec(M, s, Ms)
    for a in range(n):
        for b in range(n):
            v = 0.0
            if tau > 0.0:
                for k in range(m):
                    v += M[a, k] * s[k] * M[b, k]
                v = -tau * (v - Ms[a] * Ms[b] / S)
            if a == b:
                v -= eps * _d2h(x[b], reg)
            J[row + a, col + b] = v * x[b]


@njit(cache=True, error_model="numpy")
def _blocks(M, x, p, tau, eps, reg, J, row, col_other, Mp):
    """Rows ``row..row+n`` of ``J``: own block at columns ``row..`` and the other player's at ``col_other..``."""
    n, m = M.shape
    own_block(M, p, 1.0, x, tau, eps, reg, J, row, row, Mp)
    for a in range(n):
        # d(M p)/dz_j = M (diag(p) - p p^T)
        for k in range(m):
            J[row + a, col_other + k] = M[a, k] * p[k] - Mp[a] * p[k]


@njit(cache=True, error_model="numpy")
def workspace(n1, n2):
    """Work buffers of :func:`solve_one` for an ``n1 x n2`` game (allocated once per game shape and thread)."""
    size = n1 + n2 + 2
    return (np.empty(n2), np.empty(n1), np.empty(size), np.empty((size, size)), np.empty((size, size)),
            np.empty(size), np.empty(size), np.empty(size), np.empty(size), np.empty(n1), np.empty(n2),
            np.empty(max(n1, n2)), np.empty(n1), np.empty(n2), np.empty(n1), np.empty(n2), np.empty(n1),
            np.empty(n2), np.empty(size, np.int64))


@njit(cache=True, error_model="numpy")
def solve_one(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, max_iter, fp_iter, ws, out1, out2):
    """Damped fixed point then Newton for one game from ``(x1, x2)`` (strictly positive), answer in ``out1, out2``.

    Returns ``(certificate, iterations, stationarity)`` (:func:`._kernels.certify_into`). ``ws`` comes from
    :func:`workspace`.
    """
    n1, n2 = M1.shape
    size = n1 + n2 + 2
    p1, p2, F, J, Jc, Fc, d, w, cand, bx1, bx2, Mp, y1, y2, g1, g2, r1, r2, piv = ws
    for a in range(n1):
        y1[a] = x1[a]
    for b in range(n2):
        y2[b] = x2[b]
    # damped fixed point x_i <- R(M_i p_i) (geometric mixing for the logit response)
    alpha = 0.5
    iters = 0
    for it in range(fp_iter):
        iters += 1
        responses_into(M1, M2, y1, y2, tau1, tau2, eps1, eps2, reg, p1, p2, g1, g2, r1, r2)
        change = 0.0
        for a in range(n1):
            change = max(change, abs(r1[a] - y1[a]))
        for b in range(n2):
            change = max(change, abs(r2[b] - y2[b]))
        if change < 1e-3:
            break
        for a in range(n1):
            y1[a] = np.exp((1 - alpha) * np.log(y1[a]) + alpha * np.log(max(r1[a], 1e-300)))
        for b in range(n2):
            y2[b] = np.exp((1 - alpha) * np.log(y2[b]) + alpha * np.log(max(r2[b], 1e-300)))
        # sums, means and finiteness as loops (same order of additions as ndarray.sum): the array-method
        # overloads would each cost a compile of their own
        t1 = 0.0
        for a in range(n1):
            t1 += y1[a]
        t2 = 0.0
        for b in range(n2):
            t2 += y2[b]
        for a in range(n1):
            y1[a] /= t1
        for b in range(n2):
            y2[b] /= t2
    # Newton polish in log coordinates
    for a in range(n1):
        w[a] = np.log(y1[a])
    for b in range(n2):
        w[n1 + b] = np.log(y2[b])
    _adversary(M1, y1, y2, tau1, p1)
    _adversary(M2, y2, y1, tau2, p2)
    # multipliers: the mean of (M_i p_i - eps_i h'(x_i)), i.e. the rows of F at lam = 0
    _gradient_rows(M1, y1, w, p1, eps1, reg, 0.0, F, np.int64(0), Mp)
    _gradient_rows(M2, y2, w, p2, eps2, reg, 0.0, F, n1, Mp)
    m1 = 0.0
    for a in range(n1):
        m1 += F[a]
    m2 = 0.0
    for b in range(n2):
        m2 += F[n1 + b]
    w[n1 + n2] = m1 / n1
    w[n1 + n2 + 1] = m2 / n2
    scale = 0.0
    for a in range(n1):
        for k in range(n2):
            scale = max(scale, abs(M1[a, k]))
    for b in range(n2):
        for k in range(n1):
            scale = max(scale, abs(M2[b, k]))
    scale += max(eps1, eps2)
    norm = _system(M1, M2, w, tau1, tau2, eps1, eps2, reg, F, J, p1, p2, True, bx1, bx2, Mp)
    for it in range(max_iter):
        iters += 1
        if norm <= 1e-15 * scale:
            break
        for r in range(size):
            d[r] = -F[r]
        if not lu_solve_inplace(J, d, piv, PIVOT_TOL):
            break
        big = 0.0
        for r in range(n1 + n2):
            big = max(big, abs(d[r]))
        t = 1.0 if big <= 5.0 else 5.0 / big
        merit = 0.0
        for r in range(size):
            merit += F[r] * F[r]
        ok = False
        new = 0.0
        for _ in range(40):
            for r in range(size):
                cand[r] = w[r] + t * d[r]
            # the Jacobian is formed with the residual: an accepted full step needs no second evaluation
            new = _system(M1, M2, cand, tau1, tau2, eps1, eps2, reg, Fc, Jc, p1, p2, True, bx1, bx2, Mp)
            mc = 0.0
            for r in range(size):
                mc += Fc[r] * Fc[r]
            if mc <= (1.0 - 1e-4 * t) * merit:
                ok = True
                break
            t *= 0.5
        if not ok:
            break
        w, cand = cand, w
        F, Fc = Fc, F
        J, Jc = Jc, J
        stalled = new >= 0.5 * norm and new <= 1e-12 * scale
        norm = new
        if stalled:
            break
    t1 = 0.0
    for a in range(n1):
        out1[a] = np.exp(w[a])
        t1 += out1[a]
    t2 = 0.0
    for b in range(n2):
        out2[b] = np.exp(w[n1 + b])
        t2 += out2[b]
    for a in range(n1):
        out1[a] /= t1
    for b in range(n2):
        out2[b] /= t2
    res, stat = certify_into(M1, M2, out1, out2, tau1, tau2, eps1, eps2, reg, p1, p2, g1, g2, r1, r2)
    finite = True
    for a in range(n1):
        finite = finite and np.isfinite(out1[a])
    for b in range(n2):
        finite = finite and np.isfinite(out2[b])
    if not finite:
        res = np.inf
        stat = np.inf
    return res, iters, stat


@njit(cache=True, error_model="numpy")
def solve_robust(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, max_iter, fp_iter, ws, out1, out2):
    """Newton after three fixed-point steps; if the certificate is missed, a long damped fixed point first.
    2x2 games with the negative entropy are first solved by the closed-form system of :mod:`._newton_2x2`
    (the general steps follow only when its answer misses the certificate).

    The answer goes to ``out1, out2``; returns ``(certificate, iterations, stationarity)``. A point counts as
    solved only when the certificate is below ``1e-10`` and the stationarity residual below
    ``STATIONARITY_TOL``.
    """
    n1, n2 = M1.shape
    it0 = 0
    if reg == 0 and n1 == 2 and n2 == 2:
        # the closed-form 2x2 system (same steps, no arrays in the loop), certified by the shared certificate
        it0 = solve_2x2(M1, M2, x1, x2, tau1, tau2, eps1, eps2, np.int64(40), np.int64(3), out1, out2)
        r, st = certify_into(M1, M2, out1, out2, tau1, tau2, eps1, eps2, reg, ws[0], ws[1], ws[14], ws[15],
                             ws[16], ws[17])
        if r < 1e-10 and st < STATIONARITY_TOL:
            return r, it0, st
    # budgets as run-time int64: literal 15, 3 would compile a second specialisation of solve_one
    r, it, st = solve_one(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, np.int64(15), np.int64(3), ws, out1,
                          out2)
    it += it0
    if r < 1e-10 and st < STATIONARITY_TOL:
        return r, it, st
    o1 = out1.copy()
    o2 = out2.copy()
    r2, it2, st2 = solve_one(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, max_iter, fp_iter, ws, out1, out2)
    if (r2 < 1e-10 and st2 < STATIONARITY_TOL) or r2 < r or not r < np.inf:
        return r2, it + it2, st2
    for a in range(n1):
        out1[a] = o1[a]
    for b in range(n2):
        out2[b] = o2[b]
    return r, it + it2, st


@njit(cache=True, error_model="numpy")
def solve_starts(M1, M2, S1, S2, tau1, tau2, eps1, eps2, reg, max_iter, fp_iter):
    """:func:`solve_robust` from each row of ``S1, S2`` (starting strategies); arrays of the answers."""
    S = S1.shape[0]
    n1, n2 = M1.shape
    X1 = np.empty((S, n1))
    X2 = np.empty((S, n2))
    res = np.empty(S)
    stat = np.empty(S)
    its = np.empty(S, dtype=np.int64)
    ws = workspace(n1, n2)
    for s in range(S):
        res[s], its[s], stat[s] = solve_robust(M1, M2, S1[s], S2[s], tau1, tau2, eps1, eps2, reg, max_iter,
                                               fp_iter, ws, X1[s], X2[s])
    return X1, X2, res, its, stat


#: games per parallel chunk of :func:`solve_batch` (one workspace each)
CHUNK = 256


@njit(cache=True, parallel=True, error_model="numpy")
def solve_batch(M1s, M2s, taus, epss, reg, max_iter, fp_iter):
    """Solve ``B`` games in parallel from the centroid; ``taus``/``epss`` have shape ``(B, 2)``."""
    B, n1, n2 = M1s.shape
    X1 = np.empty((B, n1))
    X2 = np.empty((B, n2))
    res = np.empty(B)
    stat = np.empty(B)
    its = np.empty(B, dtype=np.int64)
    x1 = np.full(n1, 1.0 / n1)
    x2 = np.full(n2, 1.0 / n2)
    n_chunks = (B + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        ws = workspace(n1, n2)
        for b in range(c * CHUNK, min(B, (c + 1) * CHUNK)):
            res[b], its[b], stat[b] = solve_robust(M1s[b], M2s[b], x1, x2, taus[b, 0], taus[b, 1], epss[b, 0],
                                                   epss[b, 1], reg, max_iter, fp_iter, ws, X1[b], X2[b])
    return X1, X2, res, its, stat
