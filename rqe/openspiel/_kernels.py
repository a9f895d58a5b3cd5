"""Numba kernels over the flat game trees of :mod:`rqe.openspiel.tree` (no OpenSpiel import here).

Nodes are in pre-order (parents first). ``kind``: 0 terminal, 1 chance, 2 decision. Only the tree walk is
written here: the KL adversary and entropic risk value at a node are the RQE core's
(:func:`rqe.solvers.rqe._kernels.kl_risk_into`), as is the softmax response per infoset
(:func:`rqe.solvers.rqe._kernels.softmax_blocks`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rqe.solvers.rqe._kernels import kl_risk_into


@njit(cache=True)
def player_pass(kind, player, infoset, first_edge, n_edges, edge_child, edge_prob, edge_slot, returns,
                sigma, i, tau):
    """Risk-adjusted values of player ``i`` and the infoset action values ``Q`` for ``i``'s slots.

    Backward: ``V(z) = u_i(z)``; chance and own nodes take expectations; at a node of another player the
    value is the entropic risk ``-(1/tau) log sum_a sigma(a) exp(-tau V(ha))`` (expectation when tau = 0),
    whose KL adversary is ``p(a) ∝ sigma(a) exp(-tau V(ha))``.
    Forward: ``w(h)`` = chance reach times adversary reach of the other players' moves (own moves count 1).
    ``Q[slot of (I, a)] = sum_{h in I} w(h) V(ha) / sum_{h in I} w(h)``.
    Returns ``(V, Q, den)`` where ``den[I]`` is ``sum_{h in I} w(h)`` for ``i``'s infosets.
    """
    n_nodes = kind.size
    n_slots = sigma.size
    V = np.zeros(n_nodes)
    edge_w = np.zeros(edge_child.size)
    width = 1
    for h in range(n_nodes):
        width = max(width, n_edges[h])
    values = np.empty(width)
    reference = np.empty(width)
    for h in range(n_nodes - 1, -1, -1):
        k = kind[h]
        e0 = first_edge[h]
        ne = n_edges[h]
        if k == 0:
            V[h] = returns[h, i]
        elif k == 1:
            total = 0.0
            for e in range(e0, e0 + ne):
                edge_w[e] = edge_prob[e]
                total += edge_prob[e] * V[edge_child[e]]
            V[h] = total
        elif player[h] == i or tau == 0.0:
            total = 0.0
            for e in range(e0, e0 + ne):
                s = sigma[edge_slot[e]]
                edge_w[e] = s
                total += s * V[edge_child[e]]
            V[h] = total
        else:
            # the other players' move: the core's KL adversary of the child values under sigma(.|I)
            for e in range(e0, e0 + ne):
                values[e - e0] = V[edge_child[e]]
                reference[e - e0] = sigma[edge_slot[e]]
            V[h] = kl_risk_into(values[:ne], reference[:ne], tau, edge_w[e0:e0 + ne])
    reach = np.zeros(n_nodes)
    reach[0] = 1.0
    num = np.zeros(n_slots)
    den = np.zeros(n_slots)
    for h in range(n_nodes):
        if kind[h] == 0:
            continue
        e0 = first_edge[h]
        ne = n_edges[h]
        own = kind[h] == 2 and player[h] == i
        for e in range(e0, e0 + ne):
            c = edge_child[e]
            if own:
                reach[c] = reach[h]
                num[edge_slot[e]] += reach[h] * V[c]
                den[edge_slot[e]] += reach[h]
            else:
                reach[c] = reach[h] * edge_w[e]
    Q = np.zeros(n_slots)
    for s in range(n_slots):
        if den[s] > 0.0:
            Q[s] = num[s] / den[s]
    return V, Q, den


@njit(cache=True)
def all_q_values(kind, player, infoset, first_edge, n_edges, edge_child, edge_prob, edge_slot, returns,
                 sigma, slot_player, taus):
    """``Q`` for every slot (each from its owner's pass) and the root value of every player."""
    n_players = taus.size
    Q = np.zeros(sigma.size)
    reached = np.zeros(sigma.size)
    root = np.zeros(n_players)
    for i in range(n_players):
        V, Qi, den = player_pass(kind, player, infoset, first_edge, n_edges, edge_child, edge_prob, edge_slot,
                                 returns, sigma, i, taus[i])
        root[i] = V[0]
        for s in range(sigma.size):
            if slot_player[s] == i:
                Q[s] = Qi[s]
                reached[s] = den[s]
    return Q, root, reached
