"""All pure-strategy Nash equilibria of an n-player game, by a vectorised best-response test.

A pure profile ``a`` is a Nash equilibrium when no player gains by a unilateral deviation
(``docs/rqe-math.md`` section 1):

    u_i(a_i, a_{-i}) >= max_{b in A_i} u_i(b, a_{-i})    for every player i.

For each player the maximum over its own axis of the payoff tensor is one ``numpy.max`` call, so the test
runs over all ``n_1 * ... * n_N`` profiles at once (no Python loop over profiles). With ``atol=0`` the test
is exact in floating point: a profile is kept only when its Nash gap is exactly zero.

Reference: J. Nash, *Non-cooperative games*, Annals of Mathematics 54 (1951).
"""

from __future__ import annotations

import numpy as np

from rqe.errors import ParameterError
from rqe.game import Game
from rqe.solvers._common import check_game, check_size
from rqe.solvers._scale import normalised_payoffs

__all__ = ["pure_nash_equilibria", "pure_nash_profiles"]

#: Largest payoff tensor (entries ``N * n_1 * ... * n_N``) accepted by default.
MAX_ENTRIES = 5e8


def pure_nash_profiles(game: Game, atol: float = 0.0, max_size: float = MAX_ENTRIES) -> np.ndarray:
    """The pure Nash equilibria as an integer array of shape ``(k, N)`` (one action index per player), in C order.

    Parameters
    ----------
    game : Game
        Any finite game with ``N >= 1`` players.
    atol : float
        A deviation gain up to ``atol`` times the deviating player's payoff range is tolerated (``0``: exact
        test, which is invariant under positive affine maps of each player's payoffs as it is).
    max_size : float
        Limit on the boolean work array (``n_1 * ... * n_N`` entries), checked before allocating it.

    Examples
    --------
    >>> from rqe import Game
    >>> pd = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> pure_nash_profiles(pd).tolist()
    [[1, 1]]
    """
    game = check_game(game)
    atol = float(atol)
    if not np.isfinite(atol) or atol < 0:
        raise ParameterError(f"atol must be a finite number >= 0, got {atol!r}")
    check_size(float(game.n_profiles), max_size, "pure profiles", "pure")
    # an exact comparison is scale-free as it is; a tolerance is applied to the normalised payoffs
    payoffs = game.payoffs if atol == 0.0 else normalised_payoffs(game.payoffs)[0]
    stable = np.ones(game.shape, dtype=bool)
    for i in range(game.n_players):
        best = payoffs[i].max(axis=i, keepdims=True)
        stable &= payoffs[i] >= best - atol
    return np.argwhere(stable)


def pure_nash_equilibria(game: Game, atol: float = 0.0, max_size: float = MAX_ENTRIES) -> list[tuple[np.ndarray, ...]]:
    """The pure Nash equilibria as mixed profiles (tuples of one-hot vectors), in C order of the profiles.

    Examples
    --------
    >>> from rqe import Game
    >>> stag = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> for profile in pure_nash_equilibria(stag):
    ...     print(tuple(int(x.argmax()) for x in profile))
    (0, 0)
    (1, 1)
    """
    profiles = pure_nash_profiles(game, atol=atol, max_size=max_size)
    out = []
    for row in profiles:
        vectors = []
        for n, a in zip(game.shape, row):
            e = np.zeros(n)
            e[a] = 1.0
            vectors.append(e)
        out.append(tuple(vectors))
    return out

