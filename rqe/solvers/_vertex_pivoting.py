"""Jitted floating-point vertex enumeration of ``{z >= 0, M z <= 1}`` (``M > 0``) by pivoting over feasible bases.

The float twin of :mod:`rqe.solvers.exact_vertex_enumeration`: breadth-first search over the feasible bases of
the polytope from the basis of slacks (the vertex ``z = 0``), entering every nonbasic column and pivoting on the
row of minimum ratio [Avis & Fukuda 1992]. Each vertex found is recomputed from the original data (the square
system of its tight constraints, :func:`rqe.solvers._linalg.solve_inplace`), so pivoting error does not reach
the returned coordinates. The search is trusted only on a *nondegenerate* polytope whose slacks are all clearly
zero or clearly positive: a ratio-test tie, a basic variable at zero, a slack between ``tight`` and ``loose``
(relative), or a vertex that fails its own constraints raises a flag, and the caller then decides exactly.
On a nondegenerate polytope bases and vertices are in one-to-one correspondence, so the search visits each
vertex once. For ``m + n <= 62`` labels a basis is one bit mask.

Reference: D. Avis, K. Fukuda, *A pivoting algorithm for convex hulls and vertex enumeration of arrangements and
polyhedra*, Discrete Comput. Geom. 8 (1992); B. von Stengel (2007), Chapter 3 of *Algorithmic Game Theory*.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.typed import List

from rqe.solvers._linalg import pivot, solve_inplace

__all__ = ["pivoting_vertices", "MAX_VARIABLES"]

#: Largest number of variables plus constraints (bits of one basis mask).
MAX_VARIABLES = 62
#: Flags returned by :func:`pivoting_vertices`.
OK, DEGENERATE, AMBIGUOUS, LIMIT = 0, 1, 2, 3


@njit(cache=True)
def _vertex(M, basis, d, tight, loose, z, slack, work, rhs):
    """Recompute the vertex of ``basis`` from ``M``; return (zero-label mask, flag)."""
    k = M.shape[0]
    is_basic = np.zeros(d + k, dtype=np.bool_)
    for r in range(k):
        is_basic[basis[r]] = True
    cols = np.empty(d, dtype=np.int64)
    rows = np.empty(d, dtype=np.int64)
    nc = 0
    nr = 0
    for j in range(d):
        if is_basic[j]:
            cols[nc] = j
            nc += 1
    for r in range(k):
        if not is_basic[d + r]:
            rows[nr] = r
            nr += 1
    z[:] = 0.0
    if nc != nr:
        return 0, AMBIGUOUS
    if nc > 0:
        A = work[:nc, :nc]
        b = rhs[:nc]
        for a in range(nc):
            for c in range(nc):
                A[a, c] = M[rows[a], cols[c]]
            b[a] = 1.0
        if not solve_inplace(A, b, 1e-13):
            return 0, AMBIGUOUS
        for c in range(nc):
            z[cols[c]] = b[c]
    mask = 0
    flag = OK
    for j in range(d):
        if not is_basic[j]:
            mask |= 1 << j
        elif z[j] <= tight:
            return 0, DEGENERATE if z[j] >= -tight else AMBIGUOUS
        elif z[j] <= loose:
            flag = AMBIGUOUS
    for r in range(k):
        s = 1.0
        scale = 1.0
        for j in range(d):
            s -= M[r, j] * z[j]
            scale += abs(M[r, j] * z[j])
        slack[r] = s / scale
        if not is_basic[d + r]:
            mask |= 1 << (d + r)
            if abs(slack[r]) > tight:
                flag = AMBIGUOUS
        elif slack[r] <= tight:
            return 0, DEGENERATE if slack[r] >= -tight else AMBIGUOUS
        elif slack[r] <= loose:
            flag = AMBIGUOUS
    return mask, flag


@njit(cache=True)
def pivoting_vertices(M, tight, loose, max_vertices):
    """Vertices of ``{z >= 0, M z <= 1}`` and their zero-label masks; a flag says whether to trust them.

    Returns ``(vertices (v, d), masks (v,), flag)`` with ``flag`` one of ``OK``, ``DEGENERATE`` (a tie: the
    polytope is degenerate, or too close to it to tell), ``AMBIGUOUS`` (a slack floating point cannot decide)
    or ``LIMIT`` (more than ``max_vertices``). Mask bit ``j < d`` means ``z_j = 0``, bit ``d + r`` a tight row.
    """
    k, d = M.shape
    width = d + k + 1
    T0 = np.zeros((k, width))
    for r in range(k):
        for j in range(d):
            T0[r, j] = M[r, j]
        T0[r, d + r] = 1.0
        T0[r, width - 1] = 1.0
    basis0 = np.arange(d, d + k)
    tableaux = List()
    bases = List()
    tableaux.append(T0)
    bases.append(basis0)
    seen = set()
    key0 = 0
    for r in range(k):
        key0 |= 1 << basis0[r]
    seen.add(key0)
    cap = 64
    vertices = np.empty((cap, d))
    masks = np.empty(cap, dtype=np.int64)
    count = 0
    z = np.empty(d)
    slack = np.empty(k)
    work = np.empty((d, d))
    rhs = np.empty(d)
    head = 0
    while head < len(tableaux):
        T = tableaux[head]
        basis = bases[head]
        head += 1
        mask, flag = _vertex(M, basis, d, tight, loose, z, slack, work, rhs)
        if flag != OK:
            return vertices[:count].copy(), masks[:count].copy(), flag
        if count == cap:
            bigger = np.empty((2 * cap, d))
            bigger[:cap] = vertices
            vertices = bigger
            bigger_masks = np.empty(2 * cap, dtype=np.int64)
            bigger_masks[:cap] = masks
            masks = bigger_masks
            cap *= 2
        vertices[count] = z
        masks[count] = mask
        count += 1
        if count > max_vertices:
            return vertices[:count].copy(), masks[:count].copy(), LIMIT
        key = 0
        for r in range(k):
            key |= 1 << basis[r]
        for col in range(d + k):
            if (key >> col) & 1:
                continue
            best = np.inf
            row = -1
            for r in range(k):
                a = T[r, col]
                if a > 1e-12:
                    ratio = T[r, width - 1] / a
                    if ratio < best:
                        best = ratio
                        row = r
            if row < 0:  # unbounded direction: impossible for M > 0
                return vertices[:count].copy(), masks[:count].copy(), AMBIGUOUS
            for r in range(k):  # a second row attaining the minimum: a degenerate vertex next door
                a = T[r, col]
                if r != row and a > 1e-12 and T[r, width - 1] / a <= best + tight * (1.0 + best):
                    return vertices[:count].copy(), masks[:count].copy(), DEGENERATE
            new_key = (key & ~(1 << basis[row])) | (1 << col)
            if new_key in seen:
                continue
            seen.add(new_key)
            T_new = T.copy()
            pivot(T_new, row, col)
            basis_new = basis.copy()
            basis_new[row] = col
            tableaux.append(T_new)
            bases.append(basis_new)
    return vertices[:count].copy(), masks[:count].copy(), OK
