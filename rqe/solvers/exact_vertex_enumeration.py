"""Exact vertex enumeration of the best-response polytopes, in integer arithmetic, for the hard cases.

The floating-point vertex enumeration (:mod:`rqe.solvers.vertex_enumeration`) cannot decide whether a
constraint is tight when its slack is of the order of rounding. This module decides it exactly, as Gambit's
``enummixed`` and lrs [Avis 2000] do: each player's payoffs are read as rationals normalised onto ``[0, 1]``
(:func:`rational_payoffs`), shifted to ``[1, 2]`` and made integers by their common denominator, and the polytope

    {z in R^d : z >= 0,  M z <= c 1}        (M > 0 integer, c > 0)

is explored by *breadth-first search over its feasible bases* with fraction-free (Bareiss) integer pivoting:
every entry of the tableau is a minor of ``[M | I | L 1]`` divided exactly by the previous pivot, so no
rational arithmetic is needed and nothing is rounded. From each feasible basis every nonbasic column is
tried as entering variable and *every* row attaining the minimum ratio is pivoted on, so degenerate vertices
(several bases) are passed through; the graph of feasible bases of a polytope is connected, so the search
visits every vertex [Avis & Fukuda 1992]. A vertex's labels are the variables that are zero there (nonbasic,
or basic at value zero), decided exactly.

Pairs of vertices whose labels cover ``{0, ..., m + n - 1}`` are the extreme Nash equilibria (normalised),
degenerate games included [vS07]. The cost is that of the number of feasible bases, which for degenerate
games can be much larger than the number of vertices: a limit ``max_bases`` stops the search (and the caller
then reports the enumeration as incomplete).

References
----------
D. Avis, K. Fukuda, *A pivoting algorithm for convex hulls and vertex enumeration of arrangements and
polyhedra*, Discrete Comput. Geom. 8 (1992). D. Avis, *lrs: a revised implementation of the reverse search
vertex enumeration algorithm* (2000). E. Bareiss, *Sylvester's identity and multistep integer-preserving
Gaussian elimination*, Math. Comp. 22 (1968). [vS07] B. von Stengel, *Equilibrium computation for two-player
games in strategic and extensive form*, Chapter 3 of *Algorithmic Game Theory* (2007).
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from math import gcd

import numpy as np

from rqe.solvers._scale import normalised_payoffs

__all__ = ["exact_extreme_equilibria", "exact_polytope_vertices", "rational_payoffs", "integer_matrix",
           "BasisLimitError"]


class BasisLimitError(Exception):
    """The search met more than ``max_bases`` feasible bases (internal; callers turn it into a verdict)."""


def rational_payoffs(values: np.ndarray, max_denominator: int = 10**6) -> tuple[list[list[Fraction]], bool]:
    """One player's payoffs as rationals with the same best responses, normalised onto ``[0, 1]``.

    A binary float is an exact rational, but a game typed as decimals (``3e-12``) or scaled in floating point
    (``A * 1e-12``) is only *near* the rational game its author meant, and a degenerate tie of that game may
    be broken by rounding. So when every normalised entry ``(u - lo) / span`` lies within ``1e-12`` of a
    multiple of ``1 / D`` for one common ``D <= max_denominator`` (true of integer games with a range up to
    ``max_denominator``, however scaled or shifted), those fractions are used (``snapped=True``); otherwise the
    floats themselves, read exactly, shifted and scaled in rational arithmetic. Real-valued payoffs do not
    snap: for ``k`` entries strictly inside ``(0, 1)`` the chance is of order ``(2e-12 D)^k`` summed over ``D``.

    >>> rows, snapped = rational_payoffs(np.array([[3.0, 0.0], [5.0, 1.0]]) * 1e-12)
    >>> [[str(v) for v in row] for row in rows], snapped
    ([['3/5', '0'], ['1', '1/5']], True)
    """
    exact = [[Fraction(float(v)) for v in row] for row in values]
    lo = min(min(row) for row in exact)
    span = max(max(row) for row in exact) - lo
    if span == 0:
        return [[Fraction(0)] * len(row) for row in exact], False
    approx = normalised_payoffs(np.asarray(values, dtype=float)[None])[0][0]
    snapped = [[Fraction(float(v)).limit_denominator(max_denominator) for v in row] for row in approx]
    common = 1
    for row in snapped:
        for f in row:
            common = common * f.denominator // gcd(common, f.denominator)
    if common <= max_denominator and all(abs(float(f) - v) <= 1e-12 for row, frow in zip(approx, snapped)
                                         for f, v in zip(frow, row)):
        return snapped, True
    return [[(v - lo) / span for v in row] for row in exact], False


def integer_matrix(rows: list[list[Fraction]]) -> list[list[int]]:
    """``L * rows`` with ``L`` the least common denominator, divided by the gcd of the entries.

    >>> integer_matrix([[Fraction(1, 2), Fraction(3)], [Fraction(1, 4), Fraction(1)]])
    [[2, 12], [1, 4]]
    """
    denominator = 1
    for row in rows:
        for v in row:
            denominator = denominator * v.denominator // gcd(denominator, v.denominator)
    out = [[int(v * denominator) for v in row] for row in rows]
    common = 0
    for row in out:
        for v in row:
            common = gcd(common, v)
    common = common or 1
    return [[v // common for v in row] for row in out]


def exact_polytope_vertices(M: list[list[int]], rhs: int, max_bases: int = 200_000):
    """All vertices of ``{z >= 0, M z <= rhs}`` (``M`` integer ``k x d``, positive, ``rhs > 0``) and their zeros.

    Returns a dict mapping each vertex (a tuple of :class:`~fractions.Fraction`) to a bit mask of the variables
    that are zero there: bit ``j < d`` for ``z_j = 0``, bit ``d + r`` for the slack of row ``r``.

    >>> vertices = exact_polytope_vertices([[1, 1]], 1)
    >>> sorted((tuple(map(str, z)), bin(mask)) for z, mask in vertices.items())
    [(('0', '0'), '0b11'), (('0', '1'), '0b101'), (('1', '0'), '0b110')]
    """
    k, d = len(M), len(M[0])
    width = d + k + 1
    tableau = [list(M[r]) + [1 if c == r else 0 for c in range(k)] + [rhs] for r in range(k)]
    basis = tuple(range(d, d + k))
    start = (tableau, basis, 1)
    seen = {frozenset(basis)}
    queue = deque([start])
    vertices: dict[tuple[Fraction, ...], int] = {}
    while queue:
        tableau, basis, det = queue.popleft()
        _record_vertex(tableau, basis, det, d, vertices)
        in_basis = set(basis)
        for col in range(d + k):
            if col in in_basis:
                continue
            rows = _min_ratio_rows(tableau, col, width - 1)
            for row in rows:
                new_basis = basis[:row] + (col,) + basis[row + 1:]
                key = frozenset(new_basis)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > max_bases:
                    raise BasisLimitError(f"more than {max_bases} feasible bases")
                queue.append((_pivot(tableau, row, col, det), new_basis, tableau[row][col]))
    return vertices


def _min_ratio_rows(tableau: list[list[int]], col: int, rhs_col: int) -> list[int]:
    best_num, best_den = None, None
    rows: list[int] = []
    for r, row in enumerate(tableau):
        a = row[col]
        if a <= 0:
            continue
        b = row[rhs_col]
        if best_num is None or b * best_den < best_num * a:
            best_num, best_den, rows = b, a, [r]
        elif b * best_den == best_num * a:
            rows.append(r)
    return rows


def _pivot(tableau: list[list[int]], row: int, col: int, det: int) -> list[list[int]]:
    """Bareiss step: ``T'[i] = (T[i] * p - T[i][col] * T[row]) / det`` (exact), row ``row`` kept; ``p > 0``."""
    pivot_row = tableau[row]
    p = pivot_row[col]
    out = []
    for i, current in enumerate(tableau):
        if i == row:
            out.append(list(pivot_row))
            continue
        f = current[col]
        if f == 0:
            out.append([v * p // det for v in current])
        else:
            out.append([(v * p - f * w) // det for v, w in zip(current, pivot_row)])
    return out


def _record_vertex(tableau, basis, det, d, vertices) -> None:
    z = [Fraction(0)] * d
    zero_mask = 0
    basic = set(basis)
    for var in range(d + len(basis)):
        if var not in basic:
            zero_mask |= 1 << var
    for r, var in enumerate(basis):
        value = tableau[r][-1]
        if value == 0:
            zero_mask |= 1 << var
        elif var < d:
            z[var] = Fraction(value, det)
    vertices.setdefault(tuple(z), zero_mask)


def exact_extreme_equilibria(A: np.ndarray, B: np.ndarray, max_bases: int = 200_000):
    """All extreme Nash equilibria of the bimatrix game ``(A, B)`` (floats, read by :func:`rational_payoffs`).

    Returns ``(equilibria, degenerate, snapped)``: a list of ``(x, y)`` tuples of :class:`~fractions.Fraction`,
    whether some vertex has more labels than its dimension, and whether the payoffs were snapped to simple
    fractions. Raises :class:`BasisLimitError` past ``max_bases`` feasible bases in either polytope.

    >>> eq, degenerate, snapped = exact_extreme_equilibria(np.array([[3.0, 0], [0, 2]]), np.array([[2.0, 0], [0, 3]]))
    >>> [tuple(map(str, x + y)) for x, y in eq], degenerate
    ([('1', '0', '1', '0'), ('3/5', '2/5', '2/5', '3/5'), ('0', '1', '0', '1')], False)
    """
    m, n = A.shape
    Ar, snapped_a = rational_payoffs(A)
    Br, snapped_b = rational_payoffs(B)
    # entries in [1, 2] (normalised + 1): positive, same best responses
    Ap = integer_matrix([[v + 1 for v in row] for row in Ar])
    Bp = integer_matrix([[v + 1 for v in row] for row in Br])
    Bt = [[Bp[i][j] for i in range(m)] for j in range(n)]
    # P: x >= 0, B^T x <= 1 (x_i is bit i -> label i; the slack of column j is bit m + j -> label m + j)
    P = exact_polytope_vertices(Bt, _rhs(Bt), max_bases)
    # Q: y >= 0, A y <= 1 (y_j is bit j -> label m + j; the slack of row i is bit n + i -> label i)
    Q = exact_polytope_vertices(Ap, _rhs(Ap), max_bases)
    degenerate = any(bin(mask).count("1") > m for mask in P.values()) or \
        any(bin(mask).count("1") > n for mask in Q.values())
    full = (1 << (m + n)) - 1
    q_labels = []
    for y, mask in Q.items():
        if any(y):
            q_labels.append((y, ((mask & ((1 << n) - 1)) << m) | (mask >> n)))
    found = []
    for x, mask in P.items():
        if not any(x):
            continue
        for y, labels in q_labels:
            if mask | labels == full:
                sx, sy = sum(x), sum(y)
                found.append((tuple(v / sx for v in x), tuple(v / sy for v in y)))
    found.sort(key=lambda e: tuple(-v for v in e[0] + e[1]))
    return found, degenerate, snapped_a and snapped_b


def _rhs(M: list[list[int]]) -> int:
    # any positive right-hand side gives the same polytope up to scale; the largest entry keeps vertices near 1
    return max(max(row) for row in M)
