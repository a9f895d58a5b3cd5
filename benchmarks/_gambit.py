"""pygambit across versions 16 and 17: a strategic game from payoff arrays and the profiles of a ``nash`` result.

Shared by the Gambit benchmarks and the tests that check rqe's Nash solvers against Gambit.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def strategic_game(gbt: Any, *payoffs: np.ndarray) -> Any:
    """A pygambit strategic game with one payoff array per player (pygambit 16 ``Game``, 17 ``StrategicGame``)."""
    return (getattr(gbt, "StrategicGame", None) or gbt.Game).from_arrays(*payoffs)


def gambit_profiles(result: Any, game: Any) -> list[tuple[np.ndarray, ...]]:
    """The equilibria of a pygambit ``nash`` result as tuples of float vectors, one per player."""
    profiles = []
    for eq in result.equilibria:
        try:  # pygambit 17: a profile iterates over its mixed strategies, each over (label, probability) pairs
            profiles.append(tuple(np.array([float(v) for _, v in mixed]) for mixed in list(eq)))
        except (TypeError, AttributeError):  # pygambit 16
            profiles.append(tuple(np.array([float(eq[p][s]) for s in p.strategies]) for p in game.players))
    return profiles
