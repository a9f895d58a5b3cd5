"""Per-player payoff normalisation: the Nash solvers work on payoffs in ``[0, 1]``, whatever the game's scale.

Nash equilibria are invariant under a positive affine map of each player's utilities,
``u_i -> (u_i - lo_i) / span_i`` with ``lo_i = min_a u_i(a)`` and ``span_i = max_a u_i(a) - lo_i``
(``docs/rqe-math.md`` section 1: only comparisons of one player's own utilities enter the best responses).
Solving on the normalised payoffs makes every tolerance relative to each player's payoff range, so a game
multiplied by ``1e-12`` or ``1e6``, or shifted by ``1e12``, has the same equilibria and the same verdicts as
the original. The *relative Nash gap* of a profile is the Nash gap of the normalised game,

    gap_rel(x) = max_i (max_a (M_i x_{-i})_a - U_i(x)) / span_i,

the certificate every Nash solver reports (a player with ``span_i = 0`` is indifferent and contributes 0).

Payoffs near the largest float (``|u| ~ 1e308``) have a range that overflows; they are halved first (an exact
operation), which is again a positive affine map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from rqe.errors import ConvergenceError
from rqe.game import Game

__all__ = ["ScaledGame", "normalise", "normalised_payoffs", "normalise_into", "check_finite"]


@dataclass(frozen=True)
class ScaledGame:
    """A game with its normalised twin.

    Attributes
    ----------
    game : Game
        The original game (expected payoffs are reported on it).
    payoffs : numpy.ndarray
        ``(u_i - lo_i) / span_i``, shape ``(N, n_1, ..., n_N)``, entries in ``[0, 1]``, read-only.
    low, span : numpy.ndarray
        ``lo_i`` and ``span_i`` of each player (in the units of ``factor * u``).
    factor : float
        ``1.0``, or ``0.5`` when the payoffs were halved to keep ``span`` finite.
    """

    game: Game
    payoffs: np.ndarray
    low: np.ndarray
    span: np.ndarray
    factor: float

    @property
    def normalised_game(self) -> Game:
        """The normalised game as a :class:`~rqe.game.Game` (built on demand)."""
        return Game(self.payoffs, title=self.game.title, player_names=self.game.player_names,
                    action_names=self.game.action_names)

    def to_original(self, player: int, value: float) -> float:
        """Undo the normalisation of one utility value of ``player``."""
        return float((self.low[player] + self.span[player] * value) / self.factor)


def normalised_payoffs(payoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``(normalised, low, span, factor)`` for a payoff array ``payoffs[i, a_1, ..., a_N]`` (see module doc).

    >>> P, low, span, factor = normalised_payoffs(np.array([[[3.0, 0], [5, 1]], [[3, 5], [0, 1]]]) * 1e-300)
    >>> P[0].round(12).tolist(), factor
    ([[0.6, 0.0], [1.0, 0.2]], 1.0)
    """
    n = payoffs.shape[0]
    flat = payoffs.reshape(n, -1)
    factor = 1.0
    low, high = flat.min(axis=1), flat.max(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        span = high - low
    if not np.isfinite(span).all():
        factor = 0.5
        flat = flat * 0.5
        low, high = low * 0.5, high * 0.5
        span = high - low
    safe = np.where(span > 0, span, 1.0)
    out = ((flat - low[:, None]) / safe[:, None]).reshape(payoffs.shape)
    # rounding can leave 1 + ulp or -0.0; clip so that the normalised range is exactly [0, 1]
    np.clip(out, 0.0, 1.0, out=out)
    check_finite(out, "normalised payoffs")
    out.setflags(write=False)
    return out, low, span, factor


def normalise(game: Game) -> ScaledGame:
    """The :class:`ScaledGame` of ``game``.

    >>> from rqe import Game
    >>> s = normalise(Game.from_bimatrix([[1e12, 1e12 + 2], [1e12 + 1, 1e12]], [[0, 4], [2, 0]]))
    >>> s.payoffs[0].tolist(), s.span.tolist()
    ([[0.0, 1.0], [0.5, 0.0]], [2.0, 4.0])
    """
    payoffs, low, span, factor = normalised_payoffs(game.payoffs)
    return ScaledGame(game, payoffs, low, span, factor)


def check_finite(values: np.ndarray, what: str) -> None:
    """Raise :class:`~rqe.errors.ConvergenceError` when an intermediate array holds a non-finite number."""
    if not np.isfinite(values).all():
        raise ConvergenceError(f"{what}: a non-finite number appeared in floating point (the game's payoffs "
                               f"are finite, so this is an overflow); rescale the game's payoffs")


@njit(cache=True)
def normalise_into(P, out):
    """Jitted :func:`normalised_payoffs` for one matrix: ``out = (P - min P) / (max P - min P)`` (0 if constant).

    For the jitted kernels, which normalise inside one compiled call instead of paying numpy's per-call cost.
    """
    lo = P.min()
    hi = P.max()
    span = hi - lo
    factor = 1.0
    if not np.isfinite(span):
        factor = 0.5
        lo *= 0.5
        span = hi * 0.5 - lo
    if span <= 0.0:
        out[:, :] = 0.0
        return
    for i in range(P.shape[0]):
        for j in range(P.shape[1]):
            out[i, j] = min(max((P[i, j] * factor - lo) / span, 0.0), 1.0)
