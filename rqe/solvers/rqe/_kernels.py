"""Compiled core of the 2-player RQE with the KL penalty (``docs/rqe-math.md`` sections 2-4).

Each operation is written once here and used by every algorithm that needs it (:mod:`._newton_kernels`, the
batch solver, the Markov stage games and environment risk, the OpenSpiel agent form, the logit QRE kernels,
and the closed forms of :mod:`rqe.risk`): the KL adversary ``p ∝ q ⊙ exp(-tau v)`` with its risk value
(:func:`kl_risk_into`; for a matrix game ``v = M_i^T x_i``, :func:`_adversary`, the KL best response of
section 2), the regularised response ``R_i(g) = argmax_y <y, g> - eps_i nu(y)`` (softmax for the negative
entropy, a 1-D Newton root for the log-barrier; :func:`softmax_blocks` block by block), and the certificate
``max_i eps_i D_nu(x_i, R_i(M_i p_i(x)))`` with the fixed-point residual.

Regulariser codes: ``0`` negative entropy ``sum x log x``, ``1`` log-barrier ``-sum log x``. ``M_i`` is player
``i``'s matrix (its actions x the other's actions).
"""

from __future__ import annotations

import numpy as np
from numba import njit

@njit(cache=True, error_model="numpy")
def _dh(x, reg):
    if reg == 0:
        return np.log(x) + 1.0
    return -1.0 / x


@njit(cache=True, error_model="numpy")
def _d2h(x, reg):
    if reg == 0:
        return 1.0 / x
    return 1.0 / (x * x)


@njit(cache=True, error_model="numpy")
def mat_vec(M, p, out):
    """``out = M p`` (the payoff of each action against the adversary ``p``)."""
    n, m = M.shape
    for a in range(n):
        s = 0.0
        for k in range(m):
            s += M[a, k] * p[k]
        out[a] = s


@njit(cache=True, error_model="numpy")
def kl_risk_into(v, q, tau, p):
    """The KL adversary of the values ``v`` under the reference ``q``, written to ``p``, and the risk value.

    ``p ∝ q exp(-tau v)`` over ``q > 0`` (``p = q / sum q`` when ``tau = 0``), the minimiser of
    ``<p, v> + KL(p || q) / tau``, and the minimum ``U^tau(v, q) = -(1/tau) log sum_k q_k exp(-tau v_k)``
    (``sum_k q_k v_k`` when ``tau = 0``), section 2. The exponent is shifted by ``min v`` over ``q > 0``, so the
    largest weight is ``q_k`` itself (no underflow to 0/0). ``p`` may be ``v`` itself.
    """
    m = v.shape[0]
    vmin = np.inf
    mean = 0.0
    for k in range(m):
        mean += q[k] * v[k]
        if v[k] < vmin and q[k] > 0.0:
            vmin = v[k]
    total = 0.0
    for k in range(m):
        # exp(-0) = 1 exactly: the minimising column needs no exponential
        e = (q[k] if v[k] == vmin else q[k] * np.exp(-tau * (v[k] - vmin))) if q[k] > 0.0 else 0.0
        p[k] = e
        total += e
    for k in range(m):
        p[k] /= total
    if tau == 0.0:
        return mean
    return vmin - np.log(total) / tau


@njit(cache=True, error_model="numpy")
def _adversary(M, x, q, tau, p):
    """``p ∝ q exp(-tau M^T x)`` (:func:`kl_risk_into` of the values ``M^T x``); returns the risk value."""
    values_into(M, x, p)
    return kl_risk_into(p, q, tau, p)


@njit(cache=True, error_model="numpy")
def values_into(M, x, v):
    """``v = M^T x`` (the value of each of the others' joint actions to the player playing ``x``)."""
    n, m = M.shape
    for k in range(m):
        s = 0.0
        for a in range(n):
            s += M[a, k] * x[a]
        v[k] = s


@njit(cache=True, error_model="numpy")
def _normalise(p):
    """``p /= sum p`` (the sum in index order)."""
    total = 0.0
    for k in range(p.shape[0]):
        total += p[k]
    for k in range(p.shape[0]):
        p[k] /= total


@njit(cache=True, error_model="numpy")
def _support_min(v, q):
    """``min_k v_k`` over ``q_k > 0`` (the shift that keeps the adversaries' exponents and roots well scaled)."""
    vmin = np.inf
    for k in range(v.shape[0]):
        if v[k] < vmin and q[k] > 0.0:
            vmin = v[k]
    return vmin


@njit(cache=True, error_model="numpy")
def kl_adversary_values(p, q, tau):
    """The KL adversary in place: ``p`` holds ``v`` on entry and ``p ∝ q exp(-tau (v - min v))`` on exit.

    Returns ``min v`` over ``q > 0`` (section 2's closed form, :func:`kl_risk_into`; ``p = q / sum q`` at
    ``tau = 0``).
    """
    vmin = _support_min(p, q)
    kl_risk_into(p, q, tau, p)
    return vmin


@njit(cache=True, error_model="numpy")
def reverse_kl_adversary_values(p, q, tau):
    """The reverse-KL adversary in place: ``p`` holds ``v`` on entry, ``p_k = q_k / (tau (w_k + mu))`` on exit.

    ``docs/rqe-math.md`` section 2: ``argmin_p <v, p> + KL(q || p) / tau`` with ``w = v - min_{q > 0} v``
    and ``mu > 0`` the root of ``sum_k p_k = 1``; ``f(mu) = sum_k q_k / (tau (w_k + mu)) - 1`` is convex and
    decreasing, so Newton from ``max_k q_k / tau - w_k`` (where ``f >= 0``) rises monotonically to it.
    Returns ``min v`` over ``q > 0``; ``p = q / sum q`` at ``tau = 0``.
    """
    m = p.shape[0]
    vmin = _support_min(p, q)
    if tau == 0.0:
        for k in range(m):
            p[k] = q[k]
        _normalise(p)
        return vmin
    mu = -np.inf
    for k in range(m):
        p[k] -= vmin
        if q[k] > 0.0 and q[k] / tau - p[k] > mu:
            mu = q[k] / tau - p[k]
    for _ in range(200):
        f = -1.0
        fp = 0.0
        for k in range(m):
            if q[k] > 0.0:
                d = p[k] + mu
                f += q[k] / (tau * d)
                fp -= q[k] / (tau * d * d)
        step = -f / fp
        mu += step
        if not abs(step) > 1e-16 * mu:
            break
    for k in range(m):
        p[k] = q[k] / (tau * (p[k] + mu)) if q[k] > 0.0 else 0.0
    _normalise(p)
    return vmin


@njit(cache=True, error_model="numpy")
def adversary_values(p, q, tau, pen):
    """The adversary of penalty ``pen`` (``0`` KL, ``1`` reverse KL) in place, ``p`` holding ``v`` on entry."""
    if pen == 0:
        return kl_adversary_values(p, q, tau)
    return reverse_kl_adversary_values(p, q, tau)


@njit(cache=True, error_model="numpy")
def risk_value_from(v, q, tau, pen, p):
    """``U^tau(v, q) = min_p <v, p> + D(p, q) / tau`` for penalty ``pen`` (section 2); the adversary into ``p``.

    KL: ``-(1/tau) log sum_k q_k exp(-tau v_k)``; reverse KL: ``<v, p> + (1/tau) sum_k q_k log(q_k / p_k)``;
    ``<v, q> / sum q`` at ``tau = 0``.
    """
    if pen == 0:
        return kl_risk_into(v, q, tau, p)
    m = v.shape[0]
    for k in range(m):
        p[k] = v[k]
    vmin = adversary_values(p, q, tau, pen)
    if tau == 0.0:
        val = 0.0
        for k in range(m):
            val += q[k] * v[k]
        return val
    total = 0.0
    for k in range(m):
        if q[k] > 0.0:
            total += p[k] * (v[k] - vmin) + q[k] * np.log(q[k] / p[k]) / tau
    return vmin + total


@njit(cache=True, error_model="numpy")
def response_into(g, eps, reg, y):
    """``y = R(g) = argmax_y <y, g> - eps nu(y)`` on the simplex (softmax, or the log-barrier root)."""
    n = g.shape[0]
    # max(g) as a loop (NaN propagates, as ndarray.max): the array-method overload costs a compile of its own
    gmax = g[0]
    for a in range(n):
        if np.isnan(g[a]):
            gmax = g[a]
            break
        if g[a] > gmax:
            gmax = g[a]
    if reg == 0:
        total = 0.0
        for a in range(n):
            y[a] = 1.0 if g[a] == gmax else np.exp((g[a] - gmax) / eps)
            total += y[a]
        for a in range(n):
            y[a] /= total
        return
    lam = eps
    for _ in range(200):
        f = -1.0
        fp = 0.0
        for a in range(n):
            dd = lam + gmax - g[a]
            f += eps / dd
            fp -= eps / (dd * dd)
        step = -f / fp
        lam += step
        if abs(step) <= 1e-16 * lam:
            break
    total = 0.0
    for a in range(n):
        y[a] = eps / (lam + gmax - g[a])
        total += y[a]
    for a in range(n):
        y[a] /= total


@njit(cache=True, error_model="numpy")
def softmax_blocks(y, offsets, out):
    """``out[a:b] = softmax(y[a:b])`` on every block ``a, b = offsets[I], offsets[I + 1]``: the entropy response
    :func:`response_into` with ``eps = 1`` (one block per information set of a behaviour strategy)."""
    for block in range(offsets.shape[0] - 1):
        a = offsets[block]
        b = offsets[block + 1]
        response_into(y[a:b], 1.0, np.int64(0), out[a:b])


@njit(cache=True, error_model="numpy")
def responses_into(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, p1, p2, g1, g2, r1, r2):
    """The regularised responses ``r_i = R_i(M_i p_i(x))`` of both players to their adversaries at ``(x1, x2)``.

    ``p1, p2, g1, g2`` are work buffers (adversaries and ``M_i p_i``), ``r1, r2`` the outputs.
    """
    _adversary(M1, x1, x2, tau1, p1)
    _adversary(M2, x2, x1, tau2, p2)
    mat_vec(M1, p1, g1)
    mat_vec(M2, p2, g2)
    response_into(g1, eps1, reg, r1)
    response_into(g2, eps2, reg, r2)


@njit(cache=True, error_model="numpy")
def _bregman(x, r, reg):
    """``D_nu(x, r) = sum_a h(x_a) - h(r_a) - h'(r_a) (x_a - r_a)`` on the simplex, as a sum of terms ``>= 0``.

    Entropy: ``KL(x || r)``; log-barrier: ``sum_a x_a / r_a - 1 - log(x_a / r_a)`` (Itakura-Saito).
    """
    total = 0.0
    for a in range(x.shape[0]):
        if r[a] <= 0.0:
            if x[a] > 0.0:
                return np.inf
            continue
        if reg == 0:
            if x[a] > 0.0:
                total += x[a] * np.log(x[a] / r[a]) - x[a] + r[a]
            elif x[a] != x[a]:
                return np.inf
            else:
                total += r[a]
        else:
            u = x[a] / r[a]
            total += u - 1.0 - np.log(u)
    if total != total:  # NaN (a NaN strategy or response): no certificate, never a zero gap
        return np.inf
    return total if total > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def certify_into(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, p1, p2, g1, g2, r1, r2):
    """``(certificate, stationarity)`` at ``(x1, x2)``: the duality bound and ``max_i ||x_i - R_i||_1``.

    The certificate is ``max_i eps_i D_nu(x_i, R_i(M_i p_i(x)))``, an upper bound of the section-4 gap
    ``max_y U_i(y, x_j) - U_i(x_i, x_j)`` (:meth:`rqe.solvers.rqe.system.RQEModel.dual_certificate`), zero
    exactly at an RQE. ``p1 .. r2`` are work buffers as in :func:`responses_into`.
    """
    n1, n2 = M1.shape
    responses_into(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, p1, p2, g1, g2, r1, r2)
    d1 = 0.0
    for a in range(n1):
        d1 += abs(x1[a] - r1[a])
    d2 = 0.0
    for b in range(n2):
        d2 += abs(x2[b] - r2[b])
    c1 = eps1 * _bregman(x1, r1, reg)
    c2 = eps2 * _bregman(x2, r2, reg)
    cert = c1 if c1 > c2 else c2
    stat = d1 if d1 > d2 else d2
    if not np.isfinite(cert):
        cert = np.inf
    if not np.isfinite(stat):
        stat = np.inf
    return cert, stat


@njit(cache=True, error_model="numpy")
def certify(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg):
    """:func:`certify_into` with its own buffers."""
    n1, n2 = M1.shape
    return certify_into(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg, np.empty(n2), np.empty(n1), np.empty(n1),
                        np.empty(n2), np.empty(n1), np.empty(n2))


@njit(cache=True, error_model="numpy")
def _risk_value(M, x, q, tau, p):
    """``U^tau(M^T x, q) = min_p x^T M p + KL(p || q) / tau = -(1/tau) log sum_k q_k exp(-tau v_k)``; fills ``p``."""
    return _adversary(M, x, q, tau, p)


@njit(cache=True, error_model="numpy")
def _reg_value(x, reg):
    total = 0.0
    for a in range(x.shape[0]):
        if reg == 0:
            if x[a] > 0.0:
                total += x[a] * np.log(x[a])
        else:
            total -= np.log(x[a])
    return total


@njit(cache=True, error_model="numpy")
def evaluate(M1, M2, x1, x2, tau1, tau2, eps1, eps2, reg):
    """Adversaries, risk-adjusted values ``U_i^{tau,eps}(x)`` and expected payoffs ``U_i(x)`` at ``(x1, x2)``."""
    n1, n2 = M1.shape
    p1 = np.empty(n2)
    p2 = np.empty(n1)
    values = np.empty(2)
    payoffs = np.empty(2)
    # the risk values straight from the adversary (already compiled for the solve; no wrapper to compile)
    values[0] = _adversary(M1, x1, x2, tau1, p1) - eps1 * _reg_value(x1, reg)
    values[1] = _adversary(M2, x2, x1, tau2, p2) - eps2 * _reg_value(x2, reg)
    u1 = 0.0
    u2 = 0.0
    for a in range(n1):
        for b in range(n2):
            u1 += x1[a] * M1[a, b] * x2[b]
    for b in range(n2):
        for a in range(n1):
            u2 += x2[b] * M2[b, a] * x1[a]
    payoffs[0] = u1
    payoffs[1] = u2
    return p1, p2, values, payoffs
