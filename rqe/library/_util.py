"""Argument checks shared by the library's game builders."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rqe.errors import ParameterError

#: Largest number of pure profiles a library game may have (keeps a typo from allocating gigabytes).
MAX_PROFILES = 10_000_000


def check_real(value: Any, name: str, positive: bool = False, nonnegative: bool = False) -> float:
    """A finite real number (strictly positive or non-negative when asked)."""
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    if positive and v <= 0:
        raise ParameterError(f"{name} must be > 0, got {v:g}")
    if nonnegative and v < 0:
        raise ParameterError(f"{name} must be >= 0, got {v:g}")
    return v


def check_int(value: Any, name: str, minimum: int, maximum: int | None = None) -> int:
    """An integer in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ParameterError(f"{name} must be an integer {bound}, got {value}")
    return int(value)


def check_shape(shape: Sequence[int]) -> tuple[int, ...]:
    """A game shape ``(n_1, ..., n_N)`` with every ``n_i >= 1`` and a bounded number of profiles."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ParameterError(f"shape must be a sequence of action counts, got {shape!r}") from None
    if not shape:
        raise ParameterError("shape must have at least one player")
    if len(shape) > 16:
        raise ParameterError(f"shape must have at most 16 players, got {len(shape)}")
    out = tuple(check_int(n, f"shape[{i}]", 1) for i, n in enumerate(shape))
    if math.prod(out) > MAX_PROFILES:
        raise ParameterError(f"shape {out} has {math.prod(out)} pure profiles; at most {MAX_PROFILES} are allowed")
    return out


def per_player_values(value: Any, n_players: int, name: str) -> np.ndarray:
    """A scalar or one non-negative finite value per player."""
    array = np.atleast_1d(np.asarray(value, dtype=float)) if not isinstance(value, str) else None
    if array is None or array.ndim != 1 or array.size not in (1, n_players):
        raise ParameterError(f"{name} must be a number or one number per player ({n_players}), got {value!r}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ParameterError(f"{name} must be finite and >= 0, got {value!r}")
    return np.broadcast_to(array, (n_players,)).astype(float)
