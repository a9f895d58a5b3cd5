"""Games given as arrays: the one place where the public solvers turn their ``game`` argument into a Game.

``as_game(game)`` returns an :class:`rqe.Game` unchanged and turns a pair ``(A, B)`` of equal-shape matrices (row
player's and column player's payoffs, as nashpy and QuantEcon take them) into ``Game.from_bimatrix(A, B)``.
Anything else is a :class:`~rqe.errors.GameError` that shows the one-line fix.

Examples
--------
>>> as_game(([[4, 0], [3, 3]], [[4, 3], [0, 3]])).shape
(2, 2)
>>> as_game([[4, 0], [3, 3]])
Traceback (most recent call last):
...
rqe.errors.GameError: expected an rqe.Game or a pair of payoff matrices (A, B), got list; build the game with rqe.Game.from_bimatrix(A, B) (A: row player's payoffs, B: column player's), rqe.Game.zero_sum(A) or rqe.Game(payoffs)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rqe.errors import GameError
from rqe.game import Game

__all__ = ["as_game"]

_FIX = ("build the game with rqe.Game.from_bimatrix(A, B) (A: row player's payoffs, B: column player's), "
        "rqe.Game.zero_sum(A) or rqe.Game(payoffs)")


def as_game(game: Any) -> Game:
    """``game`` as a :class:`rqe.Game`: a Game itself, or a pair of equal-shape payoff matrices ``(A, B)``."""
    if isinstance(game, Game):
        return game
    if isinstance(game, (tuple, list)) and len(game) == 2 and not isinstance(game[0], (int, float)):
        try:
            A, B = (np.asarray(m) for m in game)
        except (TypeError, ValueError):  # ragged nested lists
            A = B = None
        if A is not None and A.ndim == 2 and A.shape == B.shape and A.dtype != object:
            return Game.from_bimatrix(A, B)
    raise GameError(f"expected an rqe.Game or a pair of payoff matrices (A, B), got {type(game).__name__}; {_FIX}")
