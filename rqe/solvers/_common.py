"""Helpers shared by the Nash and correlated solvers: size guards, input checks, certification.

Every solver certifies what it returns: the *relative* Nash gap of each profile (the Nash gap of the game with
each player's payoffs mapped affinely onto ``[0, 1]``, :mod:`rqe.solvers._scale`; ``docs/rqe-math.md``
section 1) is computed in float64 and only profiles below the tolerance are kept. Expected payoffs are
reported on the original game.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import math
from math import comb
from typing import Any

import numpy as np

from rqe._validation import positive_float
from rqe.errors import GameError, ParameterError, ProblemSizeError
from rqe.game import Game, Profile, as_game
from rqe.results import Equilibrium, make_equilibrium
from rqe.solvers._scale import ScaledGame, normalise

#: Default tolerance on the relative Nash gap (gap over each player's payoff range) of every equilibrium.
GAP_TOL = 1e-9


def check_game(game: Any, *, players: int | None = None, method: str = "") -> Game:
    """Check that ``game`` is a :class:`~rqe.game.Game` (with ``players`` players when given)."""
    game = as_game(game)  # a Game, or a pair of payoff matrices (A, B); else an error showing the fix
    if players is not None and game.n_players != players:
        what = f"method {method!r}" if method else "this method"
        raise GameError(f"{what} needs a {players}-player game, got {game.n_players} players (shape {game.shape})")
    return game


def size_limit(value: Any, name: str = "max_size") -> float:
    """A size limit: a positive number (``inf`` for none); :class:`ParameterError` for anything else."""
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise ParameterError(f"{name} must be a positive number, got {value!r}")
    try:
        limit = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name} must be a positive number (inf for no limit), got {value!r:.40}") from None
    if not limit > 0:
        raise ParameterError(f"{name} must be a positive number (inf for no limit), got {value!r:.40}")
    return limit


def check_size(estimate: float, limit: Any, what: str, method: str) -> None:
    """Raise :class:`ProblemSizeError` when ``estimate`` exceeds ``limit`` (checked by :func:`size_limit`);
    call before allocating."""
    limit = size_limit(limit)
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
            scaled: ScaledGame | None = None, **extra: Any) -> tuple[list[Equilibrium], int]:
    """Keep the distinct profiles whose relative Nash gap is at most ``tol``.

    ``scaled`` is ``normalise(game)`` when the caller has it already. Returns the equilibria (with their relative
    gap as residual, payoffs on ``game``) and the number of candidates rejected.
    """
    if scaled is None:
        scaled = normalise(game)
    if game.n_players == 2:
        return _certify_bimatrix(game, scaled, profiles, tol, atol_same, **extra)
    normalised_game = scaled.normalised_game
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
        gap = normalised_game.nash_gap(strategies)
        if not np.isfinite(gap) or gap > tol:
            rejected += 1
            continue
        kept.append(make_equilibrium(game, strategies, gap, **extra))
    return kept, rejected


def _certify_bimatrix(game: Game, scaled: ScaledGame, profiles: Iterable[Sequence[np.ndarray]], tol: float,
                      atol_same: float, **extra: Any) -> tuple[list[Equilibrium], int]:
    A, B = game.payoffs[0], game.payoffs[1]
    An, Bn = scaled.payoffs[0], scaled.payoffs[1]
    m, n = A.shape
    xs, ys = [], []
    rejected = 0
    for x, y in profiles:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.shape != (m,) or y.shape != (n,):
            rejected += 1
            continue
        xs.append(x)
        ys.append(y)
    if not xs:
        return [], rejected
    # all candidates at once: clip, normalise, relative gaps on the normalised game
    X = np.clip(np.array(xs), 0.0, None)
    Y = np.clip(np.array(ys), 0.0, None)
    sx, sy = X.sum(axis=1), Y.sum(axis=1)
    valid = np.isfinite(sx) & np.isfinite(sy) & (sx > 0) & (sy > 0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        X /= np.where(valid, sx, 1.0)[:, None]
        Y /= np.where(valid, sy, 1.0)[:, None]
        row_values = Y @ An.T
        col_values = X @ Bn
        gaps = np.maximum(np.maximum(row_values.max(axis=1) - (X * row_values).sum(axis=1),
                                     col_values.max(axis=1) - (Y * col_values).sum(axis=1)), 0.0)
    ok = valid & np.isfinite(gaps) & (gaps <= tol)
    kept: list[Equilibrium] = []
    kept_flat: list[np.ndarray] = []
    for c in range(len(xs)):
        if not ok[c]:
            rejected += 1
            continue
        flat = np.concatenate([X[c], Y[c]])
        if kept_flat and (np.abs(np.array(kept_flat) - flat).max(axis=1) <= atol_same).any():
            continue
        kept_flat.append(flat)
        x, y = X[c], Y[c]
        payoffs = np.array([x @ A @ y, x @ B @ y])
        payoffs.setflags(write=False)
        kept.append(Equilibrium(trusted_profile((x, y)), payoffs, float(gaps[c]), dict(extra)))
    return kept, rejected


def _same(a: Sequence[np.ndarray], b: Sequence[np.ndarray], atol: float) -> bool:
    return all(np.allclose(x, y, rtol=0.0, atol=atol) for x, y in zip(a, b))


def sort_equilibria(equilibria: Iterable[Equilibrium]) -> tuple[Equilibrium, ...]:
    """A canonical order: lexicographic on the concatenated strategies (rounded), largest first."""
    return tuple(sorted(equilibria, key=lambda e: tuple(-np.round(np.concatenate(e.strategies), 9))))
