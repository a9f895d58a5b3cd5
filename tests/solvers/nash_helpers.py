"""Reference implementations and peers' answers used by the Nash solver tests."""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction

import numpy as np

from benchmarks._gambit import gambit_profiles, strategic_game
from rqe import Game


def key_set(profiles, digits: int = 6) -> set[tuple[float, ...]]:
    """A set of rounded concatenated profiles, to compare equilibrium sets across implementations."""
    return {tuple(np.round(np.concatenate([np.asarray(x, float) for x in p]), digits) + 0.0) for p in profiles}


def random_game(rng: np.random.Generator, m: int, n: int, degenerate: bool) -> Game:
    if degenerate:
        return Game(rng.integers(0, 3, size=(2, m, n)).astype(float))
    return Game(rng.random((2, m, n)))


def nashpy_equilibria(game: Game):
    import nashpy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(nashpy.Game(game.payoffs[0], game.payoffs[1]).support_enumeration())


def quantecon_game(game: Game):
    from quantecon.game_theory import NormalFormGame, Player

    return NormalFormGame((Player(np.array(game.payoffs[0])), Player(np.array(game.payoffs[1].T))))


def brute_force_pure(game: Game) -> set[tuple[int, ...]]:
    """Pure equilibria by checking every profile and every deviation in Python."""
    found = set()
    for a in itertools.product(*(range(n) for n in game.shape)):
        stable = True
        for i in range(game.n_players):
            u = game.payoffs[(i, *a)]
            for b in range(game.shape[i]):
                dev = list(a)
                dev[i] = b
                if game.payoffs[(i, *dev)] > u:
                    stable = False
        if stable:
            found.add(a)
    return found


def _solve_exact(M, rhs):
    size = len(rhs)
    M = [row[:] + [r] for row, r in zip(M, rhs)]
    for col in range(size):
        piv = next((r for r in range(col, size) if M[r][col] != 0), None)
        if piv is None:
            return None
        M[col], M[piv] = M[piv], M[col]
        for r in range(size):
            if r != col and M[r][col] != 0:
                f = M[r][col] / M[col][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[col])]
    return [M[r][size] / M[r][r] for r in range(size)]


def exact_vertices(G, h):
    """All vertices of {z : G z <= h} by trying every square subsystem in rational arithmetic."""
    k, d = len(G), len(G[0])
    vertices = {}
    for rows in itertools.combinations(range(k), d):
        z = _solve_exact([G[r] for r in rows], [h[r] for r in rows])
        if z is None:
            continue
        slack = [h[r] - sum(G[r][c] * z[c] for c in range(d)) for r in range(k)]
        if min(slack) < 0:
            continue
        vertices[tuple(z)] = frozenset(r for r in range(k) if slack[r] == 0)
    return vertices


def exact_extreme_equilibria(game: Game) -> set[tuple[Fraction, ...]]:
    """All extreme equilibria of a small 2-player game, by brute-force exact vertex enumeration."""
    m, n = game.shape
    A = [[Fraction(float(v)) for v in row] for row in game.payoffs[0] - game.payoffs[0].min() + 1]
    B = [[Fraction(float(v)) for v in row] for row in game.payoffs[1] - game.payoffs[1].min() + 1]
    Gp = [[Fraction(-1 if c == r else 0) for c in range(m)] for r in range(m)] + \
         [[B[i][j] for i in range(m)] for j in range(n)]
    hp = [Fraction(0)] * m + [Fraction(1)] * n
    Gq = [A[i][:] for i in range(m)] + [[Fraction(-1 if c == r else 0) for c in range(n)] for r in range(n)]
    hq = [Fraction(1)] * m + [Fraction(0)] * n
    P, Q = exact_vertices(Gp, hp), exact_vertices(Gq, hq)
    out = set()
    for x, lx in P.items():
        for y, ly in Q.items():
            if sum(x) > 0 and sum(y) > 0 and len(lx | ly) == m + n:
                sx, sy = sum(x), sum(y)
                out.add(tuple(v / sx for v in x) + tuple(v / sy for v in y))
    return out


def gambit_game(A, B):
    """A pygambit strategic game with payoffs ``A`` and ``B``."""
    import pygambit as gbt

    return strategic_game(gbt, np.asarray(A), np.asarray(B))


def gambit_extreme_equilibria(A, B) -> set[tuple[float, ...]]:
    """pygambit's exact ``enummixed_solve`` on integer payoffs, as a rounded key set (see :func:`key_set`)."""
    import pygambit as gbt

    game = gambit_game(np.asarray(A, dtype=int), np.asarray(B, dtype=int))
    return key_set(gambit_profiles(gbt.nash.enummixed_solve(game, rational=True), game))


#: Von Stengel's 6x6 bimatrix game with 75 Nash equilibria: B. von Stengel, *New maximal numbers of equilibria
#: in bimatrix games*, Discrete Comput. Geom. 21 (1999) 557-568 (the game of his 1997 report). The row
#: player's payoffs as printed there; the column player's are the same matrix transposed with both players'
#: actions relabelled by ``VON_STENGEL_PERMUTATION`` (the construction is symmetric up to that relabelling).
VON_STENGEL_A = np.array([
    [9504, -660, 19976, -20526, 1776, -8976],
    [-111771, 31680, -130944, 168124, -8514, 52764],
    [397584, -113850, 451176, -586476, 29216, -178761],
    [171204, -45936, 208626, -263076, 14124, -84436],
    [1303104, -453420, 1227336, -1718376, 72336, -461736],
    [737154, -227040, 774576, -1039236, 48081, -300036],
], dtype=float)
VON_STENGEL_PERMUTATION = [4, 5, 2, 3, 0, 1]


def von_stengel_75() -> Game:
    p = VON_STENGEL_PERMUTATION
    return Game.from_bimatrix(VON_STENGEL_A, VON_STENGEL_A[p][:, p].T, title="von Stengel's 6x6 game, 75 equilibria")
