r"""Batched 2-player stage-game RQE (KL risk, entropy regulariser) with a duality certificate.

For stage payoffs ``M_1 = G[0]`` (rows: own actions) and ``M_2 = G[1]^T``, the RQE fixed point of
``docs/rqe-math.md`` section 4 is ``x_i = softmax(M_i p_i / eps_i)``, ``p_i ∝ x_{-i} ⊙ exp(-tau_i M_i^T x_i)``.
It is computed by damped iteration in log space, the step halved whenever 50 iterations bring no progress. Certificate per player (an *upper bound* on the RQE gap of
section 4): with ``p_x`` the KL adversary of ``x_i``,

.. math:: g_i = \max_y [y^T M_i p_x - \epsilon_i \nu(y)] - [x_i^T M_i p_x - \epsilon_i \nu(x_i)] \;\ge\;
          \max_y U_i^{\tau,\epsilon}(y, x_{-i}) - U_i^{\tau,\epsilon}(x_i, x_{-i}),

because ``max_y U^{tau,eps}(y) <= max_y [y^T M p_x + KL(p_x||x_{-i})/tau - eps nu(y)]`` (weak duality of the
inner minimisation) and the bracket at ``y = x_i`` is exactly ``U^{tau,eps}(x_i)``. ``g_i = 0`` exactly at an
RQE. ``max_y [y^T c - eps nu(y)] = eps log sum exp(c/eps)`` for the negative entropy ``nu``, so ``g_i = eps_i
KL(x_i || softmax(M_i p_x / eps_i))``. Adversary, response, risk value and bound are the RQE core's
(:mod:`rqe.solvers.rqe._kernels`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rqe.solvers.rqe._kernels import _risk_value, certify_into, responses_into

#: regulariser code of the RQE core for the negative entropy (a run-time int64 argument, as every other caller
#: passes it: a literal would compile second specialisations of the core)
ENTROPY = np.int64(0)


@njit(cache=True, error_model="numpy")
def stage_rqe_batch(G, taus, eps, x1_init, x2_init, tol, max_iter, damping):
    """Solve the stage RQE of every game ``G[b]`` (shape ``(B, 2, n1, n2)``).

    Returns ``x1 (B, n1)``, ``x2 (B, n2)``, risk-adjusted values ``(B, 2)``, certificate ``(B,)`` and
    iterations ``(B,)``.
    """
    B, _, n1, n2 = G.shape
    X1 = np.empty((B, n1))
    X2 = np.empty((B, n2))
    values = np.empty((B, 2))
    cert = np.empty(B)
    iters = np.zeros(B, dtype=np.int64)
    p1, p2, g1, g2 = np.empty(n2), np.empty(n1), np.empty(n1), np.empty(n2)
    b1, b2 = np.empty(n1), np.empty(n2)
    for b in range(B):
        M1 = np.ascontiguousarray(G[b, 0])
        M2 = np.ascontiguousarray(G[b, 1].T)
        x1 = x1_init[b].copy()
        x2 = x2_init[b].copy()
        rate = damping
        best_step = np.inf
        stalled = 0
        for it in range(max_iter):
            responses_into(M1, M2, x1, x2, taus[0], taus[1], eps[0], eps[1], ENTROPY, p1, p2, g1, g2, b1, b2)
            step = max(np.abs(b1 - x1).max(), np.abs(b2 - x2).max())
            iters[b] = it + 1
            if step < tol:
                x1 = b1.copy()
                x2 = b2.copy()
                break
            # shrink the step when the iteration stops making progress (cycling outside the tractable region)
            if step < 0.9 * best_step:
                best_step = step
                stalled = 0
            else:
                stalled += 1
                if stalled >= 50 and rate > 0.005:
                    rate *= 0.5
                    stalled = 0
            # geometric (log-space) damping keeps iterates in the simplex interior
            x1 = np.exp((1.0 - rate) * np.log(x1) + rate * np.log(b1))
            x1 /= x1.sum()
            x2 = np.exp((1.0 - rate) * np.log(x2) + rate * np.log(b2))
            x2 /= x2.sum()
        X1[b] = x1
        X2[b] = x2
        values[b, 0] = _risk_value(M1, x1, x2, taus[0], p1)
        values[b, 1] = _risk_value(M2, x2, x1, taus[1], p2)
        # the bound above, max_i eps_i KL(x_i || softmax(M_i p_x / eps_i)): the core's certificate
        cert[b] = certify_into(M1, M2, x1, x2, taus[0], taus[1], eps[0], eps[1], ENTROPY, p1, p2, g1, g2, b1, b2)[0]
    return X1, X2, values, cert, iters


@njit(cache=True, error_model="numpy")
def stage_values_batch(G, X1, X2, taus):
    """Risk-adjusted values ``U_i^tau(x)`` (section 2) of the profiles ``(X1[b], X2[b])`` in games ``G[b]``."""
    B, _, n1, n2 = G.shape
    values = np.empty((B, 2))
    p1, p2 = np.empty(n2), np.empty(n1)
    for b in range(B):
        M1 = np.ascontiguousarray(G[b, 0])
        M2 = np.ascontiguousarray(G[b, 1].T)
        values[b, 0] = _risk_value(M1, X1[b], X2[b], taus[0], p1)
        values[b, 1] = _risk_value(M2, X2[b], X1[b], taus[1], p2)
    return values
