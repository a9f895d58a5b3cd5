"""Numba kernels for Markov games: risk-adjusted continuation values and state-distribution propagation."""

from __future__ import annotations

import numpy as np
from numba import njit

from rqe.solvers.rqe._kernels import kl_risk_into

NONE, KL, L1 = 0, 1, 2


@njit(cache=True)
def continuation(next_state, next_prob, V, mode, tau_env):
    """``C[i, s, a1, a2] = rho_{P(.|s,a)}(V_i)`` with the environment risk ``mode`` (0 none, 1 KL, 2 L1).

    KL: ``-(1/tau) log sum_k p_k exp(-tau V(s'_k))``; L1 (penalty ``||p - P||_1 / tau``, adversary on the
    kernel's support): ``sum_k p_k min(V(s'_k), min_support V + 2/tau)``.
    """
    n_players = V.shape[0]
    S, n1, n2, K = next_state.shape
    C = np.zeros((n_players, S, n1, n2))
    values = np.empty(K)
    reference = np.empty(K)
    adversary = np.empty(K)
    for i in range(n_players):
        tau = tau_env[i]
        for s in range(S):
            for a in range(n1):
                for b in range(n2):
                    if mode == NONE or tau == 0.0:
                        total = 0.0
                        for k in range(K):
                            total += next_prob[s, a, b, k] * V[i, next_state[s, a, b, k]]
                        C[i, s, a, b] = total
                        continue
                    if mode == KL:
                        # the entropic risk of the next-state values: the RQE core's KL risk value
                        for k in range(K):
                            values[k] = V[i, next_state[s, a, b, k]]
                            reference[k] = next_prob[s, a, b, k]
                        C[i, s, a, b] = kl_risk_into(values, reference, tau, adversary)
                    else:
                        vmin = np.inf
                        for k in range(K):
                            if next_prob[s, a, b, k] > 0.0:
                                v = V[i, next_state[s, a, b, k]]
                                if v < vmin:
                                    vmin = v
                        total = 0.0
                        cap = vmin + 2.0 / tau
                        for k in range(K):
                            p = next_prob[s, a, b, k]
                            if p > 0.0:
                                total += p * min(V[i, next_state[s, a, b, k]], cap)
                        C[i, s, a, b] = total
    return C


@njit(cache=True)
def propagate(d, x1, x2, next_state, next_prob):
    """State distribution after one step from ``d`` when the players use ``x1[s]``, ``x2[s]``."""
    S, n1, n2, K = next_state.shape
    out = np.zeros(S)
    for s in range(S):
        if d[s] == 0.0:
            continue
        for a in range(n1):
            for b in range(n2):
                w = d[s] * x1[s, a] * x2[s, b]
                if w == 0.0:
                    continue
                for k in range(K):
                    out[next_state[s, a, b, k]] += w * next_prob[s, a, b, k]
    return out
