"""Compiled RQE evaluation for any number of players and every closed-form pair (``docs/rqe-math.md`` 1-4).

Player ``i``'s adversary ranges over the joint actions ``A_{-i}`` of the others (section 1's ``M_i``, columns
in C order of the other players in increasing index) and stays close to their product distribution
``q_i = x_{-i}``. The adversary (KL or reverse KL), the regularised response and the Bregman certificate
are those of :mod:`._kernels`; this module adds the joint distributions and the stationarity system of
section 4 in log coordinates ``x_i = exp(z_i)`` with multipliers ``lam_i``::

    F_i = M_i p_i - eps_i h'(x_i) - lam_i = 0,   sum_a x_ia = 1.

With the penalty sensitivities of :mod:`rqe.risk` (``s_k = q_k / phi''(p_k / q_k)``, ``S = sum s``: ``s = p``
for KL, ``s = p^2 / q`` for reverse KL; ``s = p`` at ``tau = 0``) its Jacobian blocks are

    dF_i/dz_i = (-tau_i (M_i diag(s) M_i^T - (M_i s)(M_i s)^T / S) - eps_i diag(h''(x_i))) diag(x_i),
    dF_i/dz_jc = sum_{k: k_j = c} M_i[:, k] p_k - (M_i s) p_k / S            (j != i),

the second because ``d q_k / d z_jc = q_k [k_j = c]`` and ``dp/dq = diag(p / q) - s (p / q)^T / S``.

Data layout (every kernel): ``Mf`` is the concatenation of the C-ordered ``M_i`` (``moff[i]`` where ``M_i``
starts), ``shape[i] = n_i``, ``off[i]`` where ``x_i`` starts in the flat strategy vector ``x``; penalty codes
``0`` KL, ``1`` reverse KL; regulariser codes ``0`` negative entropy, ``1`` log-barrier.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rqe.solvers.rqe._kernels import (_bregman, _reg_value, adversary_values, mat_vec, response_into,
                                      risk_value_from, values_into)


@njit(cache=True, error_model="numpy")
def n_others(shape, i):
    """``|A_{-i}|``, the number of joint actions of the players other than ``i``."""
    K = 1
    for j in range(shape.shape[0]):
        if j != i:
            K *= shape[j]
    return K


@njit(cache=True, error_model="numpy")
def matrix(Mf, moff, shape, i):
    """``M_i`` as a C-contiguous ``n_i x |A_{-i}|`` view of ``Mf``."""
    return Mf[moff[i]:moff[i + 1]].reshape((shape[i], n_others(shape, i)))


@njit(cache=True, error_model="numpy")
def joint_into(x, shape, off, i, q):
    """``q = x_{-i}``, the product distribution of the others' strategies (C order); returns its length."""
    K = 1
    q[0] = 1.0
    for j in range(shape.shape[0]):
        if j == i:
            continue
        nj = shape[j]
        # expand in place from the back: entry k of the old table becomes entries k*nj .. k*nj + nj - 1
        for k in range(K - 1, -1, -1):
            base = q[k]
            for c in range(nj - 1, -1, -1):
                q[k * nj + c] = base * x[off[j] + c]
        K *= nj
    return K


@njit(cache=True, error_model="numpy")
def _player(Mf, moff, shape, off, x, i, tau, pen, q, p):
    """Player ``i``'s ``M_i`` and joint ``q_i``, with its adversary written to ``p`` (both of length ``K_i``)."""
    M = matrix(Mf, moff, shape, i)
    K = joint_into(x, shape, off, i, q)
    values_into(M, x[off[i]:off[i + 1]], p[:K])
    adversary_values(p[:K], q[:K], tau, pen)
    return M, K


@njit(cache=True, error_model="numpy")
def responses_into(Mf, moff, shape, off, x, taus, epss, pen, reg, q, p, g, r):
    """``r_i = R_i(M_i p_i(x))`` for every player (flat, as ``x``); ``q, p, g`` are work buffers."""
    for i in range(shape.shape[0]):
        M, K = _player(Mf, moff, shape, off, x, i, taus[i], pen, q, p)
        mat_vec(M, p[:K], g[:shape[i]])
        response_into(g[:shape[i]], epss[i], reg, r[off[i]:off[i + 1]])


@njit(cache=True, error_model="numpy")
def certify_into(Mf, moff, shape, off, x, taus, epss, pen, reg, q, p, g, r):
    """``(certificate, stationarity)``: ``max_i eps_i D_nu(x_i, r_i)`` (the weak-duality bound of the section-4
    gap, :meth:`rqe.solvers.rqe.system.RQEModel.dual_certificate`) and ``max_i ||x_i - r_i||_1``."""
    responses_into(Mf, moff, shape, off, x, taus, epss, pen, reg, q, p, g, r)
    cert = 0.0
    stat = 0.0
    for i in range(shape.shape[0]):
        c = epss[i] * _bregman(x[off[i]:off[i + 1]], r[off[i]:off[i + 1]], reg)
        d = 0.0
        for a in range(off[i], off[i + 1]):
            d += abs(x[a] - r[a])
        if not np.isfinite(c) or not np.isfinite(d):
            return np.inf, np.inf
        cert = max(cert, c)
        stat = max(stat, d)
    return cert, stat


@njit(cache=True, error_model="numpy")
def certify(Mf, moff, shape, off, x, taus, epss, pen, reg):
    """:func:`certify_into` with its own buffers."""
    K = n_others(shape, 0)
    for i in range(shape.shape[0]):
        K = max(K, n_others(shape, i))
    return certify_into(Mf, moff, shape, off, x, taus, epss, pen, reg, np.empty(K), np.empty(K),
                        np.empty(x.shape[0]), np.empty(x.shape[0]))


@njit(cache=True, error_model="numpy")
def evaluate(Mf, moff, shape, off, x, taus, epss, pen, reg):
    """Adversaries (flat, player ``i``'s from ``poff[i]``), risk-adjusted values ``U_i^{tau,eps}(x)`` and
    expected payoffs ``U_i(x) = x_i^T M_i q_i``: ``(P, poff, values, payoffs)``."""
    N = shape.shape[0]
    poff = np.zeros(N + 1, np.int64)
    for i in range(N):
        poff[i + 1] = poff[i] + n_others(shape, i)
    P = np.empty(poff[N])
    q = np.empty(max(1, poff[N]))
    v = np.empty(max(1, poff[N]))
    values = np.empty(N)
    payoffs = np.empty(N)
    for i in range(N):
        M = matrix(Mf, moff, shape, i)
        xi = x[off[i]:off[i + 1]]
        K = joint_into(x, shape, off, i, q)
        values_into(M, xi, v[:K])
        values[i] = risk_value_from(v[:K], q[:K], taus[i], pen, P[poff[i]:poff[i + 1]]) - epss[i] * _reg_value(
            xi, reg)
        u = 0.0
        for k in range(K):
            u += v[k] * q[k]
        payoffs[i] = u
    return P, poff, values, payoffs
