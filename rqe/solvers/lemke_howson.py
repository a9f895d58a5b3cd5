"""The Lemke-Howson algorithm for two-player games, jitted, from every initial label.

Complementary pivoting on the tableaux of the best-response polytopes [LH64; vS07]: with each player's payoffs
normalised onto ``[0, 1]`` and shifted to ``[1, 2]`` (positive; a positive affine map, so the same equilibria
and, on nondegenerate games, pivot for pivot the same path; tolerances are then relative to the payoff
range), the system ``B^T x + s = 1`` (tableau of player 0's variables, one row per column action) and
``r + A y = 1`` (tableau of player 1's variables, one row per row action). Dropping the initial label ``k``
(``0 <= k < m`` a row action, ``m <= k < m + n`` a column action ``k - m``) from the artificial equilibrium
``(0, 0)`` and pivoting alternately in the two tableaux until the label is picked up again ends at a Nash
equilibrium. Ties in the ratio test are broken lexicographically [vS07], which is the standard way
to make the path well defined on degenerate games.

The tableau layout, label convention and lexicographic rule are those of QuantEcon's ``lemke_howson``, so for
each initial label the two implementations follow the same path; here one jitted call runs all labels and
returns the Nash gap of each end point, and :func:`lemke_howson_all` returns the distinct certified equilibria.

References
----------
[LH64] C. Lemke, J. Howson, *Equilibrium points of bimatrix games*, SIAM J. Appl. Math. 12 (1964).
[vS07] B. von Stengel, *Equilibrium computation for two-player games in strategic and extensive form*,
Chapter 3 of *Algorithmic Game Theory* (2007).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from rqe.errors import ParameterError
from rqe.game import Game, Profile
from rqe.results import Equilibrium
from rqe.solvers._common import (
    GAP_TOL, check_game, check_size, check_tol, size_limit, sort_equilibria,
)
from rqe._validation import positive_int
from rqe.solvers._linalg import pivot
from rqe.solvers._scale import normalise_into

__all__ = ["lemke_howson", "lemke_howson_all", "LemkeHowsonResult"]

#: Default limit on the number of tableau entries ``(m + n) * (m + n + 1)``.
MAX_TABLEAU = 5e7
TOL_PIVOT = 1e-10
TOL_RATIO = 1e-15


@dataclass(frozen=True)
class LemkeHowsonResult:
    """End points of the Lemke-Howson paths from the requested initial labels.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        The distinct end points whose relative Nash gap (gap over each player's payoff range) is at most ``tol``.
    labels : tuple of int
        The initial labels run.
    profiles : tuple of tuple of numpy.ndarray
        The end point of each label's path (same order as ``labels``).
    gaps : tuple of float
        The relative Nash gap of each end point.
    iterations : tuple of int
        Pivots performed for each label.
    label_converged : tuple of bool
        Whether each path ended (picked up its label) within ``max_iter`` pivots.
    converged : bool
        Every path ended and every end point has Nash gap at most ``tol``.
    """

    equilibria: tuple[Equilibrium, ...]
    labels: tuple[int, ...]
    profiles: tuple[tuple[np.ndarray, np.ndarray], ...]
    gaps: tuple[float, ...]
    iterations: tuple[int, ...]
    label_converged: tuple[bool, ...]
    converged: bool
    method: str = "lemke_howson"
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def residual(self) -> float:
        """The largest relative Nash gap of the end points."""
        return max(self.gaps)


@njit(cache=True)
def _init_tableaux(A, B, T0, T1, basis0, basis1):
    """T0 (n x (m+n+1)): columns 0..m-1 are x, m..m+n-1 slacks s; T1 (m x (m+n+1)): 0..m-1 slacks r, m.. y.

    ``A`` and ``B`` are normalised onto ``[0, 1]``; the tableaux hold ``A + 1`` and ``B + 1`` (positive).
    """
    m, n = A.shape
    shift_a = 1.0
    shift_b = 1.0
    for j in range(n):
        for i in range(m):
            T0[j, i] = B[i, j] + shift_b
        for c in range(n):
            T0[j, m + c] = 1.0 if c == j else 0.0
        T0[j, m + n] = 1.0
        basis0[j] = m + j
    for i in range(m):
        for c in range(m):
            T1[i, c] = 1.0 if c == i else 0.0
        for j in range(n):
            T1[i, m + j] = A[i, j] + shift_a
        T1[i, m + n] = 1.0
        basis1[i] = i


@njit(cache=True)
def _min_ratio(T, pivot, test_col, argmins, n_candidates):
    ratio_min = np.inf
    n_argmins = 0
    for k in range(n_candidates):
        i = argmins[k]
        if T[i, pivot] <= TOL_PIVOT:
            continue
        ratio = T[i, test_col] / T[i, pivot]
        if ratio > ratio_min + TOL_RATIO:
            continue
        elif ratio < ratio_min - TOL_RATIO:
            ratio_min = ratio
            n_argmins = 1
        else:
            n_argmins += 1
        argmins[n_argmins - 1] = i
    return n_argmins


@njit(cache=True)
def _lex_min_ratio(T, pivot, slack_start, argmins):
    """Row leaving the basis when column ``pivot`` enters: min ratio, ties broken lexicographically."""
    nrows = T.shape[0]
    for i in range(nrows):
        argmins[i] = i
    n_argmins = _min_ratio(T, pivot, T.shape[1] - 1, argmins, nrows)
    if n_argmins == 1:
        return argmins[0]
    if n_argmins == 0:
        return -1
    for j in range(slack_start, slack_start + nrows):
        if j == pivot:
            continue
        n_argmins = _min_ratio(T, pivot, j, argmins, n_argmins)
        if n_argmins == 1:
            return argmins[0]
    return argmins[0]


@njit(cache=True)
def _run_label(T0, T1, basis0, basis1, label, max_iter, argmins):
    m = T1.shape[0]
    n = T0.shape[0]
    player = 0  # the tableau in which the entering column is pivoted first
    for k in range(n):
        if basis0[k] == label:
            player = 1
    entering = label
    iters = 0
    while iters < max_iter:
        if player == 0:
            row = _lex_min_ratio(T0, entering, m, argmins)
            if row < 0:
                return False, iters
            pivot(T0, row, entering)
            leaving = basis0[row]
            basis0[row] = entering
        else:
            row = _lex_min_ratio(T1, entering, 0, argmins)
            if row < 0:
                return False, iters
            pivot(T1, row, entering)
            leaving = basis1[row]
            basis1[row] = entering
        iters += 1
        entering = leaving
        player = 1 - player
        if entering == label:
            return True, iters
    return False, iters


@njit(cache=True)
def _extract(T0, T1, basis0, basis1, x, y):
    m = T1.shape[0]
    n = T0.shape[0]
    x[:] = 0.0
    y[:] = 0.0
    for k in range(n):
        b = basis0[k]
        if b < m:
            x[b] = T0[k, m + n]
    for k in range(m):
        b = basis1[k]
        if b >= m:
            y[b - m] = T1[k, m + n]
    sx = x.sum()
    sy = y.sum()
    if sx > 0:
        x /= sx
    if sy > 0:
        y /= sy


@njit(cache=True)
def _utilities(A, B, x, y, payoffs):
    """Expected utilities of (x, y) in the game (A, B), written to ``payoffs``."""
    m, n = A.shape
    u0 = 0.0
    u1 = 0.0
    for i in range(m):
        for j in range(n):
            w = x[i] * y[j]
            u0 += A[i, j] * w
            u1 += B[i, j] * w
    payoffs[0] = u0
    payoffs[1] = u1


@njit(cache=True)
def _gap(A, B, x, y, payoffs):
    """Nash gap of (x, y); the expected utilities are written to ``payoffs``."""
    m, n = A.shape
    best_r = -np.inf
    u0 = 0.0
    for i in range(m):
        s = 0.0
        for j in range(n):
            s += A[i, j] * y[j]
        u0 += s * x[i]
        if s > best_r:
            best_r = s
    best_c = -np.inf
    u1 = 0.0
    for j in range(n):
        s = 0.0
        for i in range(m):
            s += B[i, j] * x[i]
        u1 += s * y[j]
        if s > best_c:
            best_c = s
    payoffs[0] = u0
    payoffs[1] = u1
    return max(best_r - u0, best_c - u1, 0.0)


@njit(cache=True)
def _distinct_certified(points, gaps, tol, atol):
    """Indices of the first occurrence of each distinct end point with gap <= tol (max-norm distance > atol)."""
    keep = np.empty(points.shape[0], dtype=np.int64)
    count = 0
    for t in range(points.shape[0]):
        if not gaps[t] <= tol:
            continue
        new = True
        for s in range(count):
            dist = 0.0
            for c in range(points.shape[1]):
                d = abs(points[t, c] - points[keep[s], c])
                if d > dist:
                    dist = d
            if dist <= atol:
                new = False
                break
        if new:
            keep[count] = t
            count += 1
    return keep[:count].copy()


@njit(cache=True)
def _workspace(A_raw, B_raw):
    """The payoffs normalised per player onto ``[0, 1]`` and the tableau buffers of :func:`_init_tableaux`,
    :func:`_run_label` (and its ratio-test candidates) for an ``m x n`` game."""
    m, n = A_raw.shape
    A = np.empty((m, n))
    B = np.empty((m, n))
    normalise_into(A_raw, A)
    normalise_into(B_raw, B)
    T0 = np.empty((n, m + n + 1))
    T1 = np.empty((m, m + n + 1))
    basis0 = np.empty(n, dtype=np.int64)
    basis1 = np.empty(m, dtype=np.int64)
    argmins = np.empty(max(m, n), dtype=np.int64)
    return A, B, T0, T1, basis0, basis1, argmins


@njit(cache=True)
def _lemke_howson_labels(A_raw, B_raw, labels, max_iter, tol):
    """Run the path of every label in ``labels`` on the payoffs normalised per player onto ``[0, 1]``.

    Returns the end points (L, m+n), their relative gaps and expected utilities in the original game (L, 2),
    converged flags, iterations and the indices of the distinct end points with relative gap <= tol.
    """
    m, n = A_raw.shape
    A, B, T0, T1, basis0, basis1, argmins = _workspace(A_raw, B_raw)
    scratch = np.zeros(2)
    L = labels.shape[0]
    out = np.zeros((L, m + n))
    gaps = np.empty(L)
    payoffs = np.zeros((L, 2))
    converged = np.zeros(L, dtype=np.bool_)
    iterations = np.zeros(L, dtype=np.int64)
    x = np.empty(m)
    y = np.empty(n)
    for t in range(L):
        _init_tableaux(A, B, T0, T1, basis0, basis1)
        ok, iters = _run_label(T0, T1, basis0, basis1, labels[t], max_iter, argmins)
        _extract(T0, T1, basis0, basis1, x, y)
        out[t, :m] = x
        out[t, m:] = y
        converged[t] = ok
        iterations[t] = iters
        if ok and x.sum() > 0 and y.sum() > 0:
            gaps[t] = _gap(A, B, x, y, scratch)
            _utilities(A_raw, B_raw, x, y, payoffs[t])
        else:
            gaps[t] = np.inf
    return out, gaps, payoffs, converged, iterations, _distinct_certified(out, gaps, tol, 1e-7)


@njit(cache=True)
def _lemke_howson_one(A_raw, B_raw, label, max_iter):
    """One path, packed in one vector: ``[x (m), y (n), relative gap, u_0, u_1, pivots, ended]``."""
    m, n = A_raw.shape
    A, B, T0, T1, basis0, basis1, argmins = _workspace(A_raw, B_raw)
    packed = np.zeros(m + n + 5)
    x = packed[:m]
    y = packed[m:m + n]
    _init_tableaux(A, B, T0, T1, basis0, basis1)
    ok, iters = _run_label(T0, T1, basis0, basis1, label, max_iter, argmins)
    _extract(T0, T1, basis0, basis1, x, y)
    scratch = np.zeros(2)
    if ok and x.sum() > 0 and y.sum() > 0:
        packed[m + n] = _gap(A, B, x, y, scratch)
        _utilities(A_raw, B_raw, x, y, scratch)
        packed[m + n + 1] = scratch[0]
        packed[m + n + 2] = scratch[1]
    else:
        packed[m + n] = np.inf
    packed[m + n + 3] = iters
    packed[m + n + 4] = 1.0 if ok else 0.0
    return packed


def lemke_howson_all(game: Game, init_labels: Sequence[int] | None = None, *, max_iter: int = 10**6,
                     tol: float = GAP_TOL, max_size: float = MAX_TABLEAU) -> LemkeHowsonResult:
    """Lemke-Howson from every initial label (or the given ones); the distinct equilibria reached.

    Parameters
    ----------
    game : Game
        A two-player game with ``m`` and ``n`` actions.
    init_labels : sequence of int, optional
        Labels in ``0 .. m + n - 1`` (``k < m``: row action ``k``; ``k >= m``: column action ``k - m``).
        Default: all ``m + n`` labels.
    max_iter : int
        Pivot limit per path.
    tol : float
        Largest relative Nash gap of a returned equilibrium.
    max_size : float
        Limit on the tableau entries ``(m + n) * (m + n + 1)``, checked before allocating.

    Examples
    --------
    The game of von Stengel (2007), Fig. 3.3 (3 x 2) has three equilibria; the five paths reach two of them
    (the third, ``((4/5, 1/5, 0), (2/3, 1/3))``, is not the end of any path from the artificial equilibrium):

    >>> from rqe import Game
    >>> g = Game.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    >>> r = lemke_howson_all(g)
    >>> len(r.equilibria), r.converged
    (2, True)
    >>> [x.round(4).tolist() for x in r.profiles[1]]
    [[0.0, 0.3333, 0.6667], [0.3333, 0.6667]]
    """
    game = check_game(game, players=2, method="lemke_howson")
    tol = check_tol(tol)
    max_iter = positive_int(max_iter, "max_iter")
    m, n = game.shape
    labels = _check_labels(init_labels, m + n)
    check_size(float((m + n) * (m + n + 1)), max_size, "tableau entries", "lemke_howson")
    payoffs_ab = game.payoffs  # C-contiguous, so payoffs_ab[0] and payoffs_ab[1] are contiguous views
    out, gaps, payoffs, converged, iterations, distinct = _lemke_howson_labels(
        payoffs_ab[0], payoffs_ab[1], labels, max_iter, tol)
    out.setflags(write=False)
    payoffs.setflags(write=False)
    profiles = tuple([(row[:m], row[m:]) for row in out])
    equilibria = tuple([Equilibrium(tuple.__new__(Profile, profiles[t]), payoffs[t], float(gaps[t]))
                        for t in distinct.tolist()])
    if len(equilibria) > 1:
        equilibria = sort_equilibria(equilibria)
    label_tuple = tuple(labels.tolist())
    gap_list = gaps.tolist()
    converged_list = converged.tolist()
    return LemkeHowsonResult(equilibria, label_tuple, profiles, tuple(gap_list), tuple(iterations.tolist()),
                             tuple(converged_list), all(converged_list) and max(gap_list) <= tol,
                             "lemke_howson", {"init_labels": label_tuple, "max_iter": max_iter, "tol": tol})


def _check_labels(init_labels: Any, total: int) -> np.ndarray:
    if init_labels is None:
        return np.arange(total, dtype=np.int64)
    if type(init_labels) is list and len(init_labels) == 1 and type(init_labels[0]) is int \
            and 0 <= init_labels[0] < total:  # one label (lemke_howson), cheaply
        return np.array(init_labels, dtype=np.int64)
    labels = []
    for k in init_labels if isinstance(init_labels, (list, tuple, np.ndarray, range)) else [init_labels]:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or not 0 <= k < total:
            raise ParameterError(f"init_labels must be integers in 0..{total - 1} (m + n = {total}), got {init_labels!r}")
        labels.append(int(k))
    if not labels:
        raise ParameterError(f"init_labels must not be empty; give labels in 0..{total - 1}")
    return np.array(labels, dtype=np.int64)


def lemke_howson(game: Game, init_label: int = 0, *, max_iter: int = 10**6, tol: float = GAP_TOL,
                 max_size: float = MAX_TABLEAU) -> LemkeHowsonResult:
    """One Lemke-Howson path, from initial label ``init_label`` (see :func:`lemke_howson_all`).

    The wrapper is kept thin (one jitted call returning one packed vector): this is the method to call in a loop.

    >>> from rqe import Game
    >>> g = Game.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    >>> r = lemke_howson(g, init_label=1)
    >>> [x.round(4).tolist() for x in r.equilibria[0].strategies], r.iterations
    ([[0.0, 0.3333, 0.6667], [0.3333, 0.6667]], (4,))
    """
    if type(game) is not Game or game.n_players != 2:
        check_game(game, players=2, method="lemke_howson")
    tol = check_tol(tol)
    if type(max_iter) is not int or max_iter < 1:
        max_iter = positive_int(max_iter, "max_iter")
    m, n = game.shape
    if type(init_label) is not int or not 0 <= init_label < m + n:
        init_label = int(_check_labels([init_label], m + n)[0])
    if (m + n) * (m + n + 1) > size_limit(max_size):
        check_size(float((m + n) * (m + n + 1)), max_size, "tableau entries", "lemke_howson")
    payoffs_ab = game.payoffs
    packed = _lemke_howson_one(payoffs_ab[0], payoffs_ab[1], init_label, max_iter)
    packed.setflags(write=False)
    gap = float(packed[m + n])
    ended = bool(packed[m + n + 4])
    profile = (packed[:m], packed[m:m + n])
    equilibria = (Equilibrium(tuple.__new__(Profile, profile), packed[m + n + 1:m + n + 3], gap),) \
        if gap <= tol else ()
    return LemkeHowsonResult(equilibria, (init_label,), (profile,), (gap,), (int(packed[m + n + 3]),), (ended,),
                             ended and gap <= tol, "lemke_howson",
                             {"init_labels": (init_label,), "max_iter": max_iter, "tol": tol})
