"""Welfare of equilibria, price of anarchy and price of stability.

For a profile ``x`` with expected utilities ``U_i(x)`` (``docs/rqe-math.md`` section 1):

* utilitarian welfare ``W(x) = sum_i U_i(x)``; egalitarian welfare ``W_E(x) = min_i U_i(x)``;
* over a set ``E`` of equilibria (Nash, QRE, RQE, correlated: anything with ``.equilibria``), with ``OPT`` the
  optimal welfare, the price of anarchy ``PoA = OPT / min_{x in E} W(x)`` and the price of stability
  ``PoS = OPT / max_{x in E} W(x)`` (Koutsoupias & Papadimitriou 1999; Anshelevich et al. 2004). Both need
  positive welfare; :func:`welfare_gaps` gives the additive versions ``OPT - W`` that always exist.

``OPT`` is the maximum over pure profiles. For utilitarian welfare that is also the maximum over mixed and
correlated profiles (``W`` is linear in the joint distribution); for egalitarian welfare it is the best
*pure* profile, which a mixed or correlated profile can beat.

[QZLM] (Sec. 4) compares the welfare of RQE with that of the worst and best Nash equilibria in collaborative
games; :func:`welfare_summary` gives that comparison for any set of results.

Examples
--------
>>> from rqe import Game, Profile
>>> stag = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
>>> equilibria = [Profile.pure((2, 2), (0, 0)), Profile.pure((2, 2), (1, 1))]
>>> price_of_anarchy(stag, equilibria), price_of_stability(stag, equilibria)
(1.3333333333333333, 1.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from rqe.errors import ParameterError
from rqe.game import Game, as_game, as_profile
from rqe.results import Equilibrium

__all__ = [
    "WELFARE_KINDS",
    "welfare",
    "equilibrium_payoffs",
    "optimal_welfare",
    "price_of_anarchy",
    "price_of_stability",
    "welfare_gaps",
    "welfare_summary",
    "JointDistribution",
]

WELFARE_KINDS = ("utilitarian", "egalitarian")


def _aggregate(payoffs: np.ndarray, kind: str) -> float:
    if kind == "utilitarian":
        return float(np.sum(payoffs))
    if kind == "egalitarian":
        return float(np.min(payoffs))
    raise ParameterError(f"welfare kind must be one of {WELFARE_KINDS}, got {kind!r}")


def welfare(game: Game, profile: Any, kind: str = "utilitarian") -> float:
    """Utilitarian ``sum_i U_i(x)`` or egalitarian ``min_i U_i(x)`` welfare of a profile or an Equilibrium.

    >>> from rqe import Game
    >>> pd = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> welfare(pd, ([1, 0], [0, 1])), welfare(pd, ([1, 0], [0, 1]), kind="egalitarian")
    (5.0, 0.0)
    """
    return _aggregate(equilibrium_payoffs(game, [profile])[0], kind)


class JointDistribution:
    """A correlated profile: a joint distribution ``p[a_1, ..., a_N]`` (what a CE / CCE result holds)."""

    __slots__ = ("distribution",)

    def __init__(self, distribution: Any):
        self.distribution = np.asarray(distribution, dtype=np.float64)

    def payoffs(self, game: Game) -> np.ndarray:
        if self.distribution.shape != game.shape:
            raise ParameterError(f"joint distribution of shape {self.distribution.shape} for a game of shape {game.shape}")
        return np.array([float(np.sum(game.payoffs[i] * self.distribution)) for i in range(game.n_players)])

    def marginals(self) -> list[np.ndarray]:
        axes = range(self.distribution.ndim)
        return [self.distribution.sum(axis=tuple(a for a in axes if a != i)) for i in axes]


def _is_profile(value: Any) -> bool:
    """One vector per player (lists or arrays), as opposed to a collection of profiles."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)) or not len(value):
        return False
    try:
        return all(np.ndim(x) == 1 for x in value)
    except ValueError:  # ragged
        return False


def _items(equilibria: Any) -> list[Any]:
    """Flatten results (``.equilibria``, or ``.distribution`` for correlated equilibria), Equilibrium records,
    profiles and sequences of them."""
    if hasattr(equilibria, "equilibria"):
        items = list(equilibria.equilibria)
        if not items and getattr(equilibria, "distribution", None) is not None:
            items = [JointDistribution(equilibria.distribution)]
        return items
    if isinstance(equilibria, JointDistribution):
        return [equilibria]
    if isinstance(equilibria, Equilibrium):
        return [equilibria]
    if isinstance(equilibria, np.ndarray) and equilibria.dtype != object:
        return [equilibria]
    if _is_profile(equilibria):
        return [equilibria]                 # one profile: one vector per player
    if isinstance(equilibria, (str, bytes, dict)) or not isinstance(equilibria, Iterable):
        raise ParameterError(f"equilibria must be a solver result, Equilibrium records or profiles, got "
                             f"{type(equilibria).__name__}")
    items: list[Any] = []
    for item in equilibria:
        if hasattr(item, "equilibria") or isinstance(item, JointDistribution):
            items.extend(_items(item))
        elif isinstance(item, Equilibrium):
            items.append(item)
        elif _is_profile(item):
            items.append(item)          # a profile: one vector per player
        else:
            items.extend(_items(item))
    return items


def equilibrium_payoffs(game: Game, equilibria: Any) -> np.ndarray:
    """Expected utilities ``U_i(x)`` of every equilibrium, shape ``(K, N)``.

    ``equilibria`` may be a result object with ``.equilibria`` (or with ``.distribution``, a correlated
    equilibrium, whose utilities are ``E_p[u_i]``), an :class:`~rqe.results.Equilibrium`, a profile, a
    :class:`JointDistribution`, or a sequence of any of these. Utilities are recomputed from ``game`` (risk-neutral expected utilities), so
    records from different solvers are compared on the same scale.
    """
    game = as_game(game)
    items = _items(equilibria)
    rows = []
    for item in items:
        if isinstance(item, JointDistribution):
            rows.append(item.payoffs(game))
            continue
        profile = item.strategies if isinstance(item, Equilibrium) else item
        rows.append(game.expected_payoffs(as_profile(profile, game.shape)))
    return np.array(rows, dtype=np.float64).reshape(len(rows), game.n_players)


def optimal_welfare(game: Game, kind: str = "utilitarian") -> float:
    """The best welfare over pure profiles: ``max_a sum_i u_i(a)`` or ``max_a min_i u_i(a)``.

    >>> from rqe import Game
    >>> optimal_welfare(Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
    6.0
    """
    per_profile = game.payoffs.sum(axis=0) if kind == "utilitarian" else (
        game.payoffs.min(axis=0) if kind == "egalitarian" else None)
    if per_profile is None:
        raise ParameterError(f"welfare kind must be one of {WELFARE_KINDS}, got {kind!r}")
    return float(per_profile.max())


def _welfare_values(game: Game, equilibria: Any, kind: str) -> np.ndarray:
    payoffs = equilibrium_payoffs(game, equilibria)
    if payoffs.shape[0] == 0:
        raise ParameterError("the set of equilibria is empty; the price of anarchy/stability is undefined")
    return np.array([_aggregate(p, kind) for p in payoffs])


def _ratio(optimum: float, value: float, what: str) -> float:
    if optimum <= 0 or value <= 0:
        raise ParameterError(
            f"the {what} needs positive welfare, got optimum {optimum:.6g} and equilibrium welfare {value:.6g}; "
            f"shift the payoffs or use welfare_gaps"
        )
    return optimum / value


def price_of_anarchy(game: Game, equilibria: Any, kind: str = "utilitarian") -> float:
    """``OPT / min_{x in E} W(x)`` (>= 1 when ``E`` holds equilibria and welfare is positive)."""
    values = _welfare_values(game, equilibria, kind)
    return _ratio(optimal_welfare(game, kind), float(values.min()), "price of anarchy")


def price_of_stability(game: Game, equilibria: Any, kind: str = "utilitarian") -> float:
    """``OPT / max_{x in E} W(x)``."""
    values = _welfare_values(game, equilibria, kind)
    return _ratio(optimal_welfare(game, kind), float(values.max()), "price of stability")


def welfare_gaps(game: Game, equilibria: Any, kind: str = "utilitarian") -> tuple[float, float]:
    """Additive ``(OPT - worst W, OPT - best W)`` over the set; defined for any sign of the payoffs.

    >>> from rqe import Game, Profile
    >>> stag = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> welfare_gaps(stag, [Profile.pure((2, 2), (1, 1))])
    (2.0, 2.0)
    """
    values = _welfare_values(game, equilibria, kind)
    optimum = optimal_welfare(game, kind)
    return optimum - float(values.min()), optimum - float(values.max())


def welfare_summary(game: Game, results: dict[str, Any], kind: str = "utilitarian") -> dict[str, dict[str, float]]:
    """Worst, best and count of welfare per concept, with the optimum.

    ``results`` maps a concept name (``"nash"``, ``"rqe"``, ...) to anything accepted by
    :func:`equilibrium_payoffs`. Returns ``{name: {"worst", "best", "count"}, "optimum": {"value"}}``.

    >>> from rqe import Game, Profile
    >>> stag = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> welfare_summary(stag, {"nash": [Profile.pure((2, 2), (0, 0)), Profile.pure((2, 2), (1, 1))]})["nash"]
    {'worst': 6.0, 'best': 8.0, 'count': 2}
    """
    out: dict[str, dict[str, float]] = {}
    for name, equilibria in results.items():
        values = _welfare_values(game, equilibria, kind)
        out[name] = {"worst": float(values.min()), "best": float(values.max()), "count": int(values.size)}
    out["optimum"] = {"value": optimal_welfare(game, kind)}
    return out

