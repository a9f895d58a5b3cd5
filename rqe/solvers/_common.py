"""Helpers shared by the Nash and correlated solvers: size guards, input checks, certification.

Every solver certifies what it returns: the Nash gap of each profile is computed in float64 from the game's
payoffs (``Game.nash_gap``; ``docs/rqe-math.md`` section 1) and only profiles below the tolerance are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import math
from math import comb
from typing import Any

import numpy as np

from rqe._coerce import as_game
from rqe._validation import positive_float
from rqe.errors import GameError, ParameterError, ProblemSizeError
from rqe.game import Game, Profile
from rqe.results import Equilibrium, make_equilibrium

#: Default tolerance on the Nash gap of every returned equilibrium.
GAP_TOL = 1e-9


def check_game(game: Any, *, players: int | None = None, method: str = "") -> Game:
    """Check that ``game`` is a :class:`~rqe.game.Game` (with ``players`` players when given)."""
    game = as_game(game)  # a Game, or a pair of payoff matrices (A, B); else an error showing the fix
    if players is not None and game.n_players != players:
        what = f"method {method!r}" if method else "this method"
        raise GameError(f"{what} needs a {players}-player game, got {game.n_players} players (shape {game.shape})")
    return game


def check_size(estimate: float, limit: float, what: str, method: str) -> None:
    """Raise :class:`ProblemSizeError` when ``estimate`` exceeds ``limit``; call before allocating."""
    if estimate > limit:
        raise ProblemSizeError(
            f"{method}: the problem needs about {estimate:.3g} {what}, above the limit {limit:.3g}; "
            f"pass a larger max_size= to try anyway, or use another method"
        )


def check_tol(tol: Any, name: str = "tol") -> float:
    """:func:`rqe._validation.positive_float` with a fast path for the common case (solvers call it per solve)."""
    if type(tol) is float and 0.0 < tol < math.inf:
        return tol
    return positive_float(tol, name)


def n_equal_support_pairs(m: int, n: int) -> int:
    """Number of support pairs ``(I, J)`` with ``|I| = |J| >= 1``: ``C(m + n, m) - 1`` (Vandermonde)."""
    return comb(m + n, m) - 1


def normalised(x: np.ndarray) -> np.ndarray:
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, None)
    total = x.sum()
    if not np.isfinite(total) or total <= 0:
        raise ValueError("cannot normalise a vector without positive mass")
    return x / total


def trusted_profile(vectors: Sequence[np.ndarray]) -> Profile:
    """A :class:`Profile` from vectors already clipped and normalised here (skips re-validation)."""
    out = []
    for x in vectors:
        x = np.array(x, dtype=np.float64)
        x.setflags(write=False)
        out.append(x)
    return tuple.__new__(Profile, out)


def bimatrix_gap(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Nash gap and payoffs of ``(x, y)`` in the bimatrix game ``(A, B)`` (same formula as ``Game.nash_gap``)."""
    Ay = A @ y
    xB = x @ B
    u = np.array([x @ Ay, xB @ y])
    gap = max(Ay.max() - u[0], xB.max() - u[1], 0.0)
    return float(gap), u


def certify(game: Game, profiles: Iterable[Sequence[np.ndarray]], tol: float, atol_same: float = 1e-7,
            **extra: Any) -> tuple[list[Equilibrium], int]:
    """Keep the distinct profiles whose Nash gap is at most ``tol``.

    Returns the equilibria (with their gap as residual) and the number of candidates rejected.
    """
    if game.n_players == 2:
        return _certify_bimatrix(game, profiles, tol, atol_same, **extra)
    kept: list[Equilibrium] = []
    rejected = 0
    for profile in profiles:
        try:
            strategies = [normalised(x) for x in profile]
        except ValueError:
            rejected += 1
            continue
        if any(_same(strategies, e.strategies, atol_same) for e in kept):
            continue
        gap = game.nash_gap(strategies)
        if not np.isfinite(gap) or gap > tol:
            rejected += 1
            continue
        kept.append(make_equilibrium(game, strategies, gap, **extra))
    return kept, rejected


def _certify_bimatrix(game: Game, profiles: Iterable[Sequence[np.ndarray]], tol: float, atol_same: float,
                      **extra: Any) -> tuple[list[Equilibrium], int]:
    A, B = game.payoffs[0], game.payoffs[1]
    kept: list[Equilibrium] = []
    kept_flat = np.empty((0, A.shape[0] + A.shape[1]))
    rejected = 0
    for x, y in profiles:
        x = np.clip(np.asarray(x, dtype=np.float64), 0.0, None)
        y = np.clip(np.asarray(y, dtype=np.float64), 0.0, None)
        sx, sy = x.sum(), y.sum()
        if not (np.isfinite(sx) and np.isfinite(sy)) or sx <= 0 or sy <= 0 or x.shape != (A.shape[0],) \
                or y.shape != (A.shape[1],):
            rejected += 1
            continue
        x, y = x / sx, y / sy
        flat = np.concatenate([x, y])
        if len(kept) and (np.abs(kept_flat - flat).max(axis=1) <= atol_same).any():
            continue
        gap, payoffs = bimatrix_gap(A, B, x, y)
        if not np.isfinite(gap) or gap > tol:
            rejected += 1
            continue
        payoffs.setflags(write=False)
        kept_flat = np.vstack([kept_flat, flat])
        kept.append(Equilibrium(trusted_profile((x, y)), payoffs, gap, dict(extra)))
    return kept, rejected


def _same(a: Sequence[np.ndarray], b: Sequence[np.ndarray], atol: float) -> bool:
    return all(np.allclose(x, y, rtol=0.0, atol=atol) for x, y in zip(a, b))


def sort_equilibria(equilibria: Iterable[Equilibrium]) -> tuple[Equilibrium, ...]:
    """A canonical order: lexicographic on the concatenated strategies (rounded), largest first."""
    return tuple(sorted(equilibria, key=lambda e: tuple(-np.round(np.concatenate(e.strategies), 9))))
