"""The one validation layer: every argument check that turns a bad value into a typed error naming it.

Used by the API (``Game``, ``Profile``, the solvers, the library), the file readers and the CLI, so that a bad
value gives the same :class:`~rqe.errors.ParameterError` (or :class:`~rqe.errors.GameError`) wherever it is
passed, never a raw ``TypeError``, ``OverflowError`` or ``ZeroDivisionError``.

>>> check_real(2, "cost")
2.0
>>> check_int(3, "n_players", 1)
3
>>> check_int(2.5, "n_players", 1)
Traceback (most recent call last):
...
rqe.errors.ParameterError: n_players must be an integer >= 1, got 2.5
"""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from rqe.errors import GameError, ParameterError

#: Largest number of payoff entries (players x pure profiles) a generated game may have unless the caller
#: raises the limit: keeps a typo from allocating gigabytes (1e7 entries are 80 MB of float64 payoffs).
MAX_PROFILES = 10_000_000

#: Most players a generated game may have (2 actions each already make 32 x 2**32 payoff entries).
MAX_PLAYERS = 32

#: Most starting points a multistart may be asked for.
MAX_STARTS = 100_000


def _float(value: Any, name: str, expected: str) -> float:
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise ParameterError(f"{name} must be {expected}, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise ParameterError(f"{name} must be {expected} within float range, got an integer of "
                             f"{len(str(abs(int(value))))} digits") from None
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be {expected}, got {_short(value)}") from None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_real(value: Any, name: str, positive: bool = False, nonnegative: bool = False) -> float:
    """A finite real number (strictly positive or non-negative when asked)."""
    v = _float(value, name, "a number")
    if not math.isfinite(v):
        raise ParameterError(f"{name} must be finite, got {value!r}")
    if positive and v <= 0:
        raise ParameterError(f"{name} must be > 0, got {v:g}")
    if nonnegative and v < 0:
        raise ParameterError(f"{name} must be >= 0, got {v:g}")
    return v


def check_int(value: Any, name: str, minimum: int, maximum: int | None = None) -> int:
    """An integer in ``[minimum, maximum]`` (bools and floats refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {_short(value)}")
    if value < minimum or (maximum is not None and value > maximum):
        # a technical cap (int64 counters) is only named when it is the bound that was broken
        named = maximum is not None and (maximum < 2 ** 53 or value > maximum)
        bound = f"between {minimum} and {maximum}" if named else f">= {minimum}"
        shown = value if abs(value) < 10 ** 30 else f"an integer of {len(str(abs(int(value))))} digits"
        raise ParameterError(f"{name} must be an integer {bound}, got {shown}")
    return int(value)


def check_index(value: Any, name: str, size: int | None = None, error: type = ParameterError,
                where: str = "") -> int:
    """An integer index (bools and floats refused), ``0 <= value < size`` when ``size`` is given; messages
    read ``"{name} {value}{where} is out of range ..."``."""
    if isinstance(value, bool):
        raise error(f"{name}{where} must be an integer index, got {value!r}")
    try:
        index = operator.index(value)
    except TypeError:
        raise error(f"{name}{where} must be an integer index, got {_short(value)}") from None
    if size is not None and not 0 <= index < size:
        raise error(f"{name} {index if abs(index) < 10 ** 30 else '(huge)'}{where} is out of range 0..{size - 1}")
    return index


def check_shape(shape: Any, max_profiles: float = MAX_PROFILES) -> tuple[int, ...]:
    """A game shape ``(n_1, ..., n_N)`` with every ``n_i >= 1`` and at most ``max_profiles`` pure profiles."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    if isinstance(shape, (str, bytes)):
        raise ParameterError(f"shape must be a sequence of action counts, got {shape!r}")
    try:
        shape = tuple(shape)
    except TypeError:
        raise ParameterError(f"shape must be a sequence of action counts, got {_short(shape)}") from None
    if not shape:
        raise ParameterError("shape must have at least one player")
    if len(shape) > MAX_PLAYERS:
        raise ParameterError(f"shape must have at most {MAX_PLAYERS} players, got {len(shape)}")
    out = tuple(check_int(n, f"shape[{i}]", 1) for i, n in enumerate(shape))
    check_profiles(len(out) * math.prod(out), max_profiles, f"shape {out if max(out) < 10 ** 12 else '(huge)'}")
    return out


def check_profiles(n_profiles: int, max_profiles: float, what: str) -> None:
    """Raise :class:`~rqe.errors.ProblemSizeError` before building a game with too many payoff entries
    (``n_profiles`` counts players x pure profiles)."""
    from rqe.errors import ProblemSizeError

    if n_profiles > max_profiles:
        count = f"{n_profiles:.3g}" if n_profiles < 1e300 else f"about 10^{len(str(int(n_profiles))) - 1}"
        raise ProblemSizeError(f"{what} needs {count} payoff entries (players x pure profiles), above the limit "
                               f"of {max_profiles:.3g}")


def as_generator(rng: Any, name: str = "rng") -> np.random.Generator:
    """A :class:`numpy.random.Generator` from a Generator, a non-negative integer seed or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise ParameterError(f"{name} must be a numpy.random.Generator or a non-negative integer seed, "
                             f"got {_short(rng)}")
    return np.random.default_rng(int(rng))


def per_player(value: Any, n_players: int, name: str, *, minimum: float = 0.0, strict: bool = False,
               allow_inf: bool = False) -> np.ndarray:
    """Broadcast a scalar or per-player parameter to a float64 vector of length ``n_players`` and check it.

    ``strict=True`` requires ``value > minimum``, otherwise ``value >= minimum``. NaN is always refused;
    infinity only with ``allow_inf``.

    >>> per_player(0.5, 2, "tau").tolist()
    [0.5, 0.5]
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise ParameterError(f"{name} must be a number or one number per player, got {value!r}")
    try:
        # a Python number (the common case) skips NumPy's conversion and the complex check
        array = np.full(n_players, float(value)) if type(value) in (float, int) else np.array(value, dtype=np.float64)
    except OverflowError:
        raise ParameterError(f"{name} must be within float range, got {_short(value)}") from None
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number or one number per player, got {_short(value)}") from exc
    if type(value) not in (float, int) and np.iscomplexobj(np.asarray(value)):
        raise ParameterError(f"{name} must be real, got {_short(value)}")
    if array.ndim == 0:
        array = np.full(n_players, float(array))
    if array.shape != (n_players,):
        raise ParameterError(f"{name} must be a scalar or have one entry per player ({n_players}), got shape {array.shape}")
    for i, v in enumerate(array.tolist()):
        if math.isnan(v) or (math.isinf(v) and not allow_inf):
            raise ParameterError(f"{name} must be finite for every player, got {name}[{i}] = {v}")
        if (strict and v <= minimum) or (not strict and v < minimum):
            op = ">" if strict else ">="
            raise ParameterError(f"{name} must be {op} {minimum:g} for every player, got {name}[{i}] = {v:g}")
    array.setflags(write=False)
    return array


def positive_int(value: Any, name: str, minimum: int = 1, maximum: int = 2 ** 53) -> int:
    """Check an integer option such as ``max_iter`` (see :func:`check_int`); by default at most ``2**53``, so
    that it fits the compiled kernels' int64 counters."""
    return check_int(value, name, minimum, maximum)


def positive_float(value: Any, name: str) -> float:
    """Check a strictly positive finite float option such as ``tol``."""
    v = _float(value, name, "a positive number")
    if not np.isfinite(v) or v <= 0:
        raise ParameterError(f"{name} must be a positive finite number, got {value!r}")
    return v


def real_array(values: Any, name: str, ndim: int | None = None, error: type = GameError) -> np.ndarray:
    """``values`` as a finite float64 array (of ``ndim`` dimensions when given), or ``error`` naming the problem:
    not numbers, ragged, complex (numpy would silently drop the imaginary part), beyond float range, non-finite.

    >>> real_array([[1, 2], [3, 4]], "A", ndim=2).shape
    (2, 2)
    """
    if isinstance(values, (str, bytes, dict)) or values is None:
        raise error(f"{name} must be an array of real numbers, got {type(values).__name__}")
    try:
        with warnings.catch_warnings():
            # numpy drops imaginary parts with a ComplexWarning: make that an error, never a silent answer
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            array = np.array(values, dtype=np.float64)
    except np.exceptions.ComplexWarning:
        raise error(f"{name} must be real; complex entries would lose their imaginary part") from None
    except OverflowError:
        raise error(f"{name} must be an array of real numbers within float range "
                        f"(|x| < 1.8e308); it holds an integer too large for float64") from None
    except (TypeError, ValueError) as exc:
        raise error(f"{name} must be an array of real numbers: {exc}") from exc
    if ndim is not None and array.ndim != ndim:
        raise error(f"{name} must be {ndim}-dimensional, got an array of shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(k) for k in np.argwhere(bad)[0])
        raise error(f"{name} must be finite, got {array[where]} at index {where}")
    return array
