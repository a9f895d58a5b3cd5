"""Closed-form Newton for the 2x2 RQE with the KL penalty and the negative entropy (``docs/rqe-math.md``
section 4), in logit coordinates.

With two actions each, a strategy is one logit: ``x_1 = (s(u), s(-u))``, ``x_2 = (s(v), s(-v))``
(``s`` the logistic function). The KL adversary of section 2 is then ``p_1 = (s(z_1), s(-z_1))`` with
``z_1 = v - tau_1 (d_1 + E_1 s(u))``, and the regularised response ``softmax(M_1 p_1 / eps_1)`` has the logit
``(B_1 + E_1 s(z_1)) / eps_1``, where for player 1's matrix ``M`` (rows: its actions)::

    E = M00 - M01 - M10 + M11,   d = M10 - M11,   B = M01 - M11.

The stationarity system ``x_i = softmax(M_i p_i / eps_i)`` of section 4 is the pair of scalar equations
``G_1 = u - (B_1 + E_1 s(z_1)) / eps_1 = 0`` (and ``G_2`` with the roles swapped), with the 2x2 Jacobian::

    dG_1/du = 1 + tau_1 E_1^2 s'(z_1) s'(u) / eps_1,   dG_1/dv = -E_1 s'(z_1) / eps_1   (s' = s (1 - s)).

:func:`solve_2x2` runs the damped fixed point and the damped Newton of :func:`._newton_kernels.solve_one` on
this system (the same steps, in these coordinates), with no arrays in the loop. It does not certify: the
caller certifies the answer with :func:`._kernels.certify_into`, the shared certificate.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _logistic(z):
    """``(s(z), s(-z))`` with one exponential and without overflow."""
    e = np.exp(-abs(z))
    if z >= 0.0:
        return 1.0 / (1.0 + e), e / (1.0 + e)
    return e / (1.0 + e), 1.0 / (1.0 + e)


@njit(cache=True, error_model="numpy")
def _equation(u, v, E, d, B, tau, eps):
    """``(G, dG/du, dG/dv, s(u))`` of the player whose logit is ``u`` (the other's is ``v``)."""
    s, s_neg = _logistic(u)
    z = v - tau * (d + E * s)
    p, p_neg = _logistic(z)
    dp = p * p_neg
    G = u - (B + E * p) / eps
    return G, 1.0 + tau * E * E * dp * s * s_neg / eps, -E * dp / eps, s


@njit(cache=True, error_model="numpy")
def _coefficients(M):
    return M[0, 0] - M[0, 1] - M[1, 0] + M[1, 1], M[1, 0] - M[1, 1], M[0, 1] - M[1, 1]


@njit(cache=True, error_model="numpy")
def solve_2x2(M1, M2, x1, x2, tau1, tau2, eps1, eps2, max_iter, fp_iter, out1, out2):
    """Damped fixed point (``fp_iter`` steps at most), then damped Newton (``max_iter`` steps at most), from
    the strictly positive ``(x1, x2)``; the answer goes to ``out1, out2``. Returns the iterations spent.

    ``M1`` is player 1's 2x2 matrix, ``M2`` player 2's (its own actions as rows), as in :mod:`._kernels`.
    """
    E1, d1, B1 = _coefficients(M1)
    E2, d2, B2 = _coefficients(M2)
    u = np.log(x1[0] / x1[1])
    v = np.log(x2[0] / x2[1])
    iters = 0
    # damped fixed point: geometric mixing of the strategies is linear mixing of their logits
    for _ in range(fp_iter):
        iters += 1
        G1, _a, _b, s1 = _equation(u, v, E1, d1, B1, tau1, eps1)
        G2, _a, _b, s2 = _equation(v, u, E2, d2, B2, tau2, eps2)
        # the largest change of a probability, |R(x) - x|, as in the general fixed point
        if max(abs(_logistic(u - G1)[0] - s1), abs(_logistic(v - G2)[0] - s2)) < 1e-3:
            break
        u -= 0.5 * G1
        v -= 0.5 * G2
    scale = max(abs(E1) + abs(d1) + abs(B1), abs(E2) + abs(d2) + abs(B2)) / min(eps1, eps2) + 1.0
    G1, a, b, _s = _equation(u, v, E1, d1, B1, tau1, eps1)
    G2, dd, c, _s = _equation(v, u, E2, d2, B2, tau2, eps2)
    norm = max(abs(G1), abs(G2))
    for _ in range(max_iter):
        iters += 1
        if norm <= 1e-15 * scale or not np.isfinite(norm):
            break
        det = a * dd - b * c
        if det == 0.0 or not np.isfinite(det):
            break
        du = (b * G2 - dd * G1) / det
        dv = (c * G1 - a * G2) / det
        big = max(abs(du), abs(dv))
        t = 1.0 if big <= 5.0 else 5.0 / big
        merit = G1 * G1 + G2 * G2
        ok = False
        for _ in range(40):
            cu = u + t * du
            cv = v + t * dv
            H1, a2, b2, _s = _equation(cu, cv, E1, d1, B1, tau1, eps1)
            H2, dd2, c2, _s = _equation(cv, cu, E2, d2, B2, tau2, eps2)
            if H1 * H1 + H2 * H2 <= (1.0 - 1e-4 * t) * merit:
                ok = True
                break
            t *= 0.5
        if not ok:
            break
        u, v, G1, G2, a, b, c, dd = cu, cv, H1, H2, a2, b2, c2, dd2
        new = max(abs(G1), abs(G2))
        stalled = new >= 0.5 * norm and new <= 1e-12 * scale
        norm = new
        if stalled:
            break
    out1[0], out1[1] = _logistic(u)
    out2[0], out2[1] = _logistic(v)
    return iters
