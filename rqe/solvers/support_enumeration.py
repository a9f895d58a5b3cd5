"""Support enumeration for two-player games, jitted, with degeneracy detection and an exact rational mode.

For supports ``I`` of the row player and ``J`` of the column player with ``|I| = |J| = k``, a Nash equilibrium
with these supports solves the indifference systems (``docs/rqe-math.md`` section 1, ``A = M_1``, ``B`` the
column player's utilities indexed [row, column])

    sum_{j in J} A[i, j] y_j = v  (i in I),   sum_{j in J} y_j = 1,
    sum_{i in I} B[i, j] x_i = u  (j in J),   sum_{i in I} x_i = 1,

with ``x, y >= 0`` and no action outside the supports doing better. In a *nondegenerate* game (no mixed
strategy with support size ``k`` has more than ``k`` pure best responses) every equilibrium has supports of
equal size and nonsingular systems, so the enumeration finds all of them [vS07].

Degeneracy is detected, not assumed: while solving every system the kernel checks whether the solution is
a mixed strategy with more pure best responses than its support size (a witness of degeneracy), and counts
singular systems. Equilibria are returned only when certified (Nash gap at most ``tol``); on a degenerate game
the result says so (``degenerate=True``, a :class:`DegenerateGameWarning`) and ``complete`` is False: use
vertex enumeration for all extreme equilibria.

``exact=True`` repeats the enumeration in rational arithmetic (``fractions.Fraction`` of the float payoffs,
which are exact binary rationals) for small games: equilibria have Nash gap exactly 0 and degeneracy is
decided exactly.

References
----------
[vS07] B. von Stengel, *Equilibrium computation for two-player games in strategic and extensive form*,
Chapter 3 of *Algorithmic Game Theory*, Cambridge University Press (2007).
D. Avis, G. Rosenberg, R. Savani, B. von Stengel, *Enumeration of Nash equilibria for two-player games*,
Economic Theory 42 (2010).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

import numpy as np
from numba import njit

from rqe.game import Game
from rqe.results import Equilibrium, make_equilibrium
from rqe.solvers._common import (
    GAP_TOL, certify, check_game, check_size, check_tol, n_equal_support_pairs, size_limit, sort_equilibria,
)
from rqe.solvers._linalg import next_combination, solve_inplace
from rqe.solvers._scale import check_finite, normalise

__all__ = ["support_enumeration", "SupportEnumerationResult", "DegenerateGameWarning"]

#: Default limit on the number of support pairs (float mode): about a minute of work.
MAX_PAIRS = 5e7
#: Default limit on the number of support pairs in exact mode.
MAX_PAIRS_EXACT = 5e3


class DegenerateGameWarning(UserWarning):
    """Support enumeration met a degenerate game: the equilibria returned may not be all of them."""


@dataclass(frozen=True)
class SupportEnumerationResult:
    """What :func:`support_enumeration` found (``residual``: the largest relative gap; ``iterations``: pairs).

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        The certified equilibria (Nash gap at most ``tol``; exactly 0 in exact mode).
    degenerate : bool
        True when a witness of degeneracy was found (a mixed strategy with more pure best responses than its
        support size).
    singular_systems : int
        Number of support pairs whose indifference system is (numerically) singular.
    complete : bool
        True when the game was found nondegenerate with no singular system and the count is odd (as it must be
        in a nondegenerate game): then the list is all equilibria.
    """

    equilibria: tuple[Equilibrium, ...]
    degenerate: bool
    singular_systems: int
    complete: bool
    exact: bool
    pairs: int
    rejected: int
    method: str = "support_enumeration"
    converged: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def residual(self) -> float:
        return max((e.residual for e in self.equilibria), default=0.0)

    @property
    def iterations(self) -> int:
        return self.pairs


@njit(cache=True)
def _indifference(P, rows, cols, transpose, M, z):
    """Fill and solve the (k+1) system making the owner of ``P`` indifferent over ``rows``.

    Without ``transpose``: unknowns ``y`` on ``cols`` and ``v`` with ``P[rows, cols] y = v``, ``sum y = 1``.
    With ``transpose``: unknowns ``x`` on ``rows`` and ``u`` with ``P[rows, cols]^T x = u``, ``sum x = 1``.
    """
    k = rows.shape[0]
    for a in range(k):
        for b in range(k):
            if transpose:
                M[a, b] = P[rows[b], cols[a]]
            else:
                M[a, b] = P[rows[a], cols[b]]
        M[a, k] = -1.0
        M[k, a] = 1.0
        z[a] = 0.0
    M[k, k] = 0.0
    z[k] = 1.0


@njit(cache=True)
def _support_enumeration_kernel(A, B, tol_prob, tol_payoff, rel_singular):
    m, n = A.shape
    kmax = min(m, n)
    cap = 16
    out = np.empty((cap, m + n))
    count = 0
    singular = 0
    witnesses = 0
    M = np.empty((kmax + 1, kmax + 1))
    z = np.empty(kmax + 1)
    y = np.zeros(n)
    x = np.zeros(m)
    row_vals = np.empty(m)
    col_vals = np.empty(n)
    for k in range(1, kmax + 1):
        Msub = M[: k + 1, : k + 1]
        zsub = z[: k + 1]
        I = np.arange(k)
        while True:
            J = np.arange(k)
            while True:
                # column player's mixture y on J making the row player indifferent on I
                _indifference(A, I, J, False, Msub, zsub)
                ok_y = solve_inplace(Msub, zsub, rel_singular)
                valid_y = False
                br_y = False
                v = 0.0
                if ok_y:
                    y[:] = 0.0
                    valid_y = True
                    for b in range(k):
                        y[J[b]] = zsub[b]
                        if zsub[b] < -tol_prob:
                            valid_y = False
                    v = zsub[k]
                    if valid_y:
                        best = -np.inf
                        for r in range(m):
                            s = 0.0
                            for b in range(k):
                                s += A[r, J[b]] * y[J[b]]
                            row_vals[r] = s
                            if s > best:
                                best = s
                        br_y = best <= v + tol_payoff
                        n_best = 0
                        for r in range(m):
                            if row_vals[r] >= best - tol_payoff:
                                n_best += 1
                        n_supp = 0
                        for b in range(k):
                            if y[J[b]] > tol_prob:
                                n_supp += 1
                        if n_best > n_supp:
                            witnesses += 1
                else:
                    singular += 1
                # row player's mixture x on I making the column player indifferent on J
                _indifference(B, I, J, True, Msub, zsub)
                ok_x = solve_inplace(Msub, zsub, rel_singular)
                valid_x = False
                br_x = False
                if ok_x:
                    x[:] = 0.0
                    valid_x = True
                    for a in range(k):
                        x[I[a]] = zsub[a]
                        if zsub[a] < -tol_prob:
                            valid_x = False
                    u = zsub[k]
                    if valid_x:
                        best = -np.inf
                        for c in range(n):
                            s = 0.0
                            for a in range(k):
                                s += B[I[a], c] * x[I[a]]
                            col_vals[c] = s
                            if s > best:
                                best = s
                        br_x = best <= u + tol_payoff
                        n_best = 0
                        for c in range(n):
                            if col_vals[c] >= best - tol_payoff:
                                n_best += 1
                        n_supp = 0
                        for a in range(k):
                            if x[I[a]] > tol_prob:
                                n_supp += 1
                        if n_best > n_supp:
                            witnesses += 1
                else:
                    singular += 1
                if valid_x and valid_y and br_x and br_y:
                    if count == cap:
                        bigger = np.empty((2 * cap, m + n))
                        bigger[:cap] = out
                        out = bigger
                        cap *= 2
                    out[count, :m] = x
                    out[count, m:] = y
                    count += 1
                if not next_combination(J, n):
                    break
            if not next_combination(I, m):
                break
    return out[:count].copy(), singular, witnesses


# ---------------------------------------------------------------------------------------------- exact mode
def _solve_fraction(M: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    size = len(rhs)
    M = [row[:] for row in M]
    rhs = rhs[:]
    for col in range(size):
        piv = next((r for r in range(col, size) if M[r][col] != 0), None)
        if piv is None:
            return None
        if piv != col:
            M[col], M[piv] = M[piv], M[col]
            rhs[col], rhs[piv] = rhs[piv], rhs[col]
        inv = 1 / M[col][col]
        for r in range(col + 1, size):
            f = M[r][col] * inv
            if f:
                row_r, row_c = M[r], M[col]
                for c in range(col + 1, size):
                    row_r[c] -= f * row_c[c]
                rhs[r] -= f * rhs[col]
    out = [Fraction(0)] * size
    for r in range(size - 1, -1, -1):
        acc = rhs[r] - sum(M[r][c] * out[c] for c in range(r + 1, size))
        out[r] = acc / M[r][r]
    return out


def _exact_side(P: list[list[Fraction]], I: tuple[int, ...], J: tuple[int, ...], transpose: bool,
                n_other: int):
    """Solve one indifference system exactly; return (ok, strategy, value, is_best_response, witness)."""
    k = len(I)
    if transpose:
        M = [[P[I[b]][J[a]] for b in range(k)] + [Fraction(-1)] for a in range(k)]
    else:
        M = [[P[I[a]][J[b]] for b in range(k)] + [Fraction(-1)] for a in range(k)]
    M.append([Fraction(1)] * k + [Fraction(0)])
    sol = _solve_fraction(M, [Fraction(0)] * k + [Fraction(1)])
    if sol is None:
        return False, None, None, False, False
    weights, value = sol[:k], sol[k]
    if any(w < 0 for w in weights):
        return True, None, value, False, False
    support = J if not transpose else I
    strategy = [Fraction(0)] * n_other
    for s, w in zip(support, weights):
        strategy[s] = w
    if transpose:  # x on rows; values of the columns
        values = [sum(P[r][c] * strategy[r] for r in I) for c in range(len(P[0]))]
    else:  # y on columns; values of the rows
        values = [sum(P[r][c] * strategy[c] for c in J) for r in range(len(P))]
    best = max(values)
    witness = sum(1 for val in values if val == best) > sum(1 for w in weights if w > 0)
    return True, strategy, value, best <= value, witness


def _exact_enumeration(A: np.ndarray, B: np.ndarray):
    m, n = A.shape
    Af = [[Fraction(float(v)) for v in row] for row in A]
    Bf = [[Fraction(float(v)) for v in row] for row in B]
    found: list[tuple[list[Fraction], list[Fraction]]] = []
    singular = witnesses = 0
    for k in range(1, min(m, n) + 1):
        for I in combinations(range(m), k):
            for J in combinations(range(n), k):
                ok_y, y, _, br_y, wit_y = _exact_side(Af, I, J, False, n)
                ok_x, x, _, br_x, wit_x = _exact_side(Bf, I, J, True, m)
                singular += (not ok_y) + (not ok_x)
                witnesses += wit_y + wit_x
                if x is not None and y is not None and br_x and br_y and (x, y) not in found:
                    found.append((x, y))
    return found, singular, witnesses


def exact_nash_gap(A: np.ndarray, B: np.ndarray, x: list[Fraction], y: list[Fraction]) -> Fraction:
    """The Nash gap of ``(x, y)`` computed in rational arithmetic."""
    Af = [[Fraction(float(v)) for v in row] for row in A]
    Bf = [[Fraction(float(v)) for v in row] for row in B]
    rows = [sum(a * w for a, w in zip(row, y)) for row in Af]
    cols = [sum(Bf[r][c] * x[r] for r in range(len(x))) for c in range(len(y))]
    u1 = sum(r * w for r, w in zip(rows, x))
    u2 = sum(c * w for c, w in zip(cols, y))
    return max(max(rows) - u1, max(cols) - u2)


# ---------------------------------------------------------------------------------------------- wrapper
def support_enumeration(game: Game, *, exact: bool = False, tol: float = GAP_TOL, warn: bool = True,
                        max_size: float | None = None) -> SupportEnumerationResult:
    """All Nash equilibria of a nondegenerate two-player game by support enumeration.

    Parameters
    ----------
    game : Game
        A two-player game.
    exact : bool
        Enumerate in rational arithmetic (small games only; Nash gaps are exactly 0).
    tol : float
        Largest relative Nash gap (gap over each player's payoff range) of a returned equilibrium (float mode;
        the enumeration runs on the payoffs normalised per player onto ``[0, 1]``).
    warn : bool
        Emit a :class:`DegenerateGameWarning` when the game is found degenerate.
    max_size : float, optional
        Limit on the number of support pairs ``C(m + n, m) - 1``, checked before any work
        (default ``5e7``, exact mode ``5e3``).

    Returns
    -------
    SupportEnumerationResult

    Examples
    --------
    >>> from rqe import Game
    >>> bos = Game.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    >>> result = support_enumeration(bos)
    >>> len(result.equilibria), result.degenerate, result.complete
    (3, False, True)
    >>> [e.strategies[0].round(3).tolist() for e in result.equilibria]
    [[1.0, 0.0], [0.6, 0.4], [0.0, 1.0]]
    >>> support_enumeration(bos, exact=True).equilibria[1].extra["exact"][0]
    (Fraction(3, 5), Fraction(2, 5))
    """
    game = check_game(game, players=2, method="support_enumeration")
    tol = check_tol(tol)
    m, n = game.shape
    pairs = n_equal_support_pairs(m, n)
    limit = (MAX_PAIRS_EXACT if exact else MAX_PAIRS) if max_size is None else size_limit(max_size)
    check_size(float(pairs), limit, "support pairs", "support_enumeration" + (" (exact)" if exact else ""))
    A, B = np.ascontiguousarray(game.payoffs[0]), np.ascontiguousarray(game.payoffs[1])
    scaled = normalise(game)
    if exact:
        found, singular, witnesses = _exact_enumeration(A, B)
        equilibria = []
        for x, y in found:
            gap = exact_nash_gap(A, B, x, y)
            if gap != 0:  # pragma: no cover - an exact solution of the systems is an exact equilibrium
                continue
            equilibria.append(make_equilibrium(game, [np.array([float(v) for v in x]), np.array([float(v) for v in y])],
                                               0.0, exact=(tuple(x), tuple(y))))
        rejected = len(found) - len(equilibria)
    else:
        # on the normalised payoffs (entries in [0, 1]) the payoff tolerance is relative to each player's range
        An, Bn = np.ascontiguousarray(scaled.payoffs[0]), np.ascontiguousarray(scaled.payoffs[1])
        candidates, singular, witnesses = _support_enumeration_kernel(An, Bn, 1e-10, 1e-9, 1e-12)
        check_finite(candidates, "support_enumeration")
        equilibria, rejected = certify(game, ((c[:m], c[m:]) for c in candidates), tol, scaled=scaled)
    degenerate = witnesses > 0
    if degenerate and warn:
        warnings.warn(
            f"the game {game!r} is degenerate (a mixed strategy has more pure best responses than its support "
            f"size); support enumeration returns only the {len(equilibria)} equilibria it certified, which may "
            f"not be all: use method='vertex_enumeration' for all extreme equilibria",
            DegenerateGameWarning, stacklevel=2,
        )
    # a nondegenerate game has an odd number of equilibria (a corollary of Lemke-Howson [vS07]): an even count
    # means one was lost
    odd = len(equilibria) % 2 == 1
    return SupportEnumerationResult(
        equilibria=sort_equilibria(equilibria), degenerate=degenerate, singular_systems=int(singular),
        complete=not degenerate and singular == 0 and odd, exact=bool(exact), pairs=int(pairs), rejected=int(rejected),
        parameters={"exact": bool(exact), "tol": 0.0 if exact else tol},
    )
