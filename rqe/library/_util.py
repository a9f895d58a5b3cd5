"""Argument checks shared by the library's game builders."""

from __future__ import annotations

from typing import Any

import numpy as np

from rqe._validation import MAX_PROFILES, check_int, check_real, check_shape  # noqa: F401 (re-exported)
from rqe.errors import ParameterError


def per_player_values(value: Any, n_players: int, name: str) -> np.ndarray:
    """A scalar or one non-negative finite value per player."""
    array = None
    if not isinstance(value, (str, bytes, bool)) and value is not None:
        try:
            array = np.atleast_1d(np.asarray(value, dtype=float))
        except (TypeError, ValueError, OverflowError):
            array = None
    if array is None or array.ndim != 1 or array.size not in (1, n_players):
        raise ParameterError(f"{name} must be a number or one number per player ({n_players}), got {value!r}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ParameterError(f"{name} must be finite and >= 0, got {value!r}")
    return np.broadcast_to(array, (n_players,)).astype(float)
