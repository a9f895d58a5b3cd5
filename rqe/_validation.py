"""Shared argument checks for solvers: per-player parameters and tolerances."""

from __future__ import annotations

from typing import Any

import numpy as np

from rqe.errors import ParameterError


def per_player(value: Any, n_players: int, name: str, *, minimum: float = 0.0, strict: bool = False,
               allow_inf: bool = False) -> np.ndarray:
    """Broadcast a scalar or per-player parameter to a float64 vector of length ``n_players`` and check it.

    ``strict=True`` requires ``value > minimum``, otherwise ``value >= minimum``. NaN is always refused;
    infinity only with ``allow_inf``.

    >>> per_player(0.5, 2, "tau").tolist()
    [0.5, 0.5]
    """
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number or one number per player, got {value!r}") from exc
    if array.ndim == 0:
        array = np.full(n_players, float(array))
    if array.shape != (n_players,):
        raise ParameterError(f"{name} must be a scalar or have one entry per player ({n_players}), got shape {array.shape}")
    for i, v in enumerate(array):
        if np.isnan(v) or (np.isinf(v) and not allow_inf):
            raise ParameterError(f"{name} must be finite for every player, got {name}[{i}] = {v}")
        if (strict and v <= minimum) or (not strict and v < minimum):
            op = ">" if strict else ">="
            raise ParameterError(f"{name} must be {op} {minimum:g} for every player, got {name}[{i}] = {v:g}")
    array.setflags(write=False)
    return array


def positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """Check an integer option such as ``max_iter``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def positive_float(value: Any, name: str) -> float:
    """Check a strictly positive finite float option such as ``tol``."""
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a positive number, got {value!r}") from exc
    if not np.isfinite(v) or v <= 0:
        raise ParameterError(f"{name} must be a positive finite number, got {value!r}")
    return v
