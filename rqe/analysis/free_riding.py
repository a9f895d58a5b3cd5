"""Free-riding and solo-value measures for collaborative games.

Collaborative games have utilities ``u_i(a) = R(a) - c_i(a_i)`` with a shared reward ``R`` and private costs
``c_i`` (``docs/rqe-math.md`` section 6; build them with :meth:`rqe.Game.from_shared_reward`, which stores
``game.costs``).

* [QZLM] Definition 4.1: an equilibrium ``x`` of a symmetric two-player game has free-riding degree
  ``delta = |E_{x_1} c - E_{x_2} c|``: how unequally the two players bear the cost of the shared reward.
* For ``N`` players (and asymmetric costs) :func:`free_riding_degree` takes the largest pairwise gap
  ``max_{i,j} |E_{x_i} c_i - E_{x_j} c_j| = max_i E c_i - min_j E c_j``, which is Definition 4.1 when ``N = 2``.
* The *solo value* of player ``i`` is its expected utility when its partners are replaced by an idle partner
  (every partner plays a given action), a uniformly random partner, or the worst-case partner
  (``min_{a_{-i}} E_{x_i} u_i(., a_{-i})``, a pure joint action of the partners): how much of ``i``'s payoff
  survives without its training partners ([QZLM] Sec. 5 evaluation).

Examples
--------
>>> from rqe import Game
>>> game = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])   # collaborate / defect
>>> round(free_riding_degree(game, ([1, 0], [0, 1])), 12)       # one collaborates, the other free-rides
0.4
>>> solo_value(game, ([1, 0], [1, 0]), player=0, partner="worst")
0.6
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rqe._validation import positive_float
from rqe.errors import GameError, ParameterError
from rqe.game import Game, as_game, as_profile, product_distribution
from rqe.analysis.welfare import JointDistribution, _items
from rqe.results import Equilibrium

__all__ = ["expected_costs", "free_riding_degree", "max_free_riding", "free_riding_bound", "solo_value", "PARTNERS"]

PARTNERS = ("idle", "uniform", "worst")


def _costs(game: Game) -> tuple[np.ndarray, ...]:
    game = as_game(game)
    if game.costs is None:
        raise GameError(
            f"{game!r} has no private costs; free-riding is defined for collaborative games "
            "u_i = R - c_i built with Game.from_shared_reward(R, costs)"
        )
    return game.costs


def expected_costs(game: Game, profile: Any) -> np.ndarray:
    """``E_{x_i}[c_i]`` for every player (``game.costs`` must be set); marginals of a joint distribution.

    >>> from rqe import Game
    >>> g = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
    >>> expected_costs(g, ([0.5, 0.5], [1, 0])).tolist()
    [0.2, 0.4]
    """
    costs = _costs(game)
    if isinstance(profile, JointDistribution):          # a correlated profile: costs depend on the marginals
        x = profile.marginals()
    else:
        x = as_profile(profile.strategies if isinstance(profile, Equilibrium) else profile, game.shape)
    return np.array([float(c @ xi) for c, xi in zip(costs, x)])


def free_riding_degree(game: Game, profile: Any) -> float:
    """``max_{i,j} |E_{x_i} c_i - E_{x_j} c_j|`` ([QZLM] Def. 4.1 for two players)."""
    spent = expected_costs(game, profile)
    return float(spent.max() - spent.min())


def free_riding_bound(game: Game, epsilon: float, delta: float) -> float:
    """The risk aversion above which no RQE has free-riding degree above ``delta`` ([QZLM] Theorem 4.2).

    ``tau > 2 (eps log n + vbar) (c_max - c_min)^2 / (eps delta^2)`` with ``n = |A|``, ``v_min = min R - c_max``,
    ``v_max = max R - c_min``, ``vbar = v_max - v_min`` (``docs/rqe-math.md`` section 6); ``R`` is recovered as
    ``u_1(a) + c(a_1)``.

    The theorem is stated for a symmetric two-player collaborative game, whose players share one cost function.
    A game with per-player costs that differ, or whose payoffs are not symmetric, is refused with a
    :class:`~rqe.errors.GameError` naming the difference, rather than given a bound computed from one player's
    costs that the theorem does not provide.

    Examples
    --------
    >>> from rqe import Game
    >>> g = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
    >>> round(free_riding_bound(g, 0.2, 0.1), 6)      # 2 (0.2 log 2 + 1.4) 0.16 / (0.2 * 0.01)
    246.18071
    >>> free_riding_bound(Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.3, 0.0]]), 0.2, 0.1)
    Traceback (most recent call last):
    ...
    rqe.errors.GameError: Theorem 4.2 needs both players to have the same costs; player 1 has [0.4, 0], player 2 has [0.3, 0]
    """
    game = as_game(game)
    if game.costs is None or game.n_players != 2:
        raise GameError(f"Theorem 4.2 needs a two-player collaborative game with private costs, got {game!r}")
    epsilon, delta = positive_float(epsilon, "epsilon"), positive_float(delta, "delta")
    c1, c2 = (np.asarray(c, dtype=float) for c in game.costs)
    if c1.shape != c2.shape or not np.allclose(c1, c2, rtol=0.0, atol=1e-12 * max(1.0, np.abs(c1).max())):
        raise GameError("Theorem 4.2 needs both players to have the same costs; "
                        f"player 1 has [{', '.join(f'{v:g}' for v in c1)}], "
                        f"player 2 has [{', '.join(f'{v:g}' for v in c2)}]")
    if not game.is_symmetric():
        raise GameError("Theorem 4.2 needs a symmetric game (u_2(a, b) = u_1(b, a)); this one is not")
    R = game.payoffs[0] + c1[:, None]
    n = game.shape[0]
    v_min, v_max = R.min() - c1.max(), R.max() - c1.min()
    vbar = v_max - v_min
    return float(2 * (epsilon * np.log(n) + vbar) * (c1.max() - c1.min()) ** 2 / (epsilon * delta ** 2))


def max_free_riding(game: Game, equilibria: Any) -> float:
    """The largest free-riding degree over a set of equilibria (anything with ``.equilibria``, records or profiles).

    Returns ``0.0`` for an empty set.
    """
    items = _items(equilibria)
    return max((free_riding_degree(game, item) for item in items), default=0.0)


def solo_value(game: Game, profile: Any, player: int | None = None, partner: str = "idle",
               idle_action: Any = None) -> Any:
    """Expected utility of ``player`` (all players when ``None``) when its partners are replaced.

    Parameters
    ----------
    partner : {"idle", "uniform", "worst"}
        ``"idle"``: every partner ``j`` plays ``idle_action`` (an action index, or one per player); by default
        the cheapest action ``argmin c_j`` of a collaborative game. ``"uniform"``: partners mix uniformly.
        ``"worst"``: the pure joint partner action that minimises ``E_{x_i} u_i`` (the worst case over
        any, even correlated, partner behaviour, since the payoff is linear in the partners' distribution).

    Examples
    --------
    >>> from rqe import Game
    >>> g = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
    >>> solo_value(g, ([0, 1], [0, 1]), partner="idle").tolist()     # both defect, partners idle: R = 0
    [0.0, 0.0]
    >>> float(solo_value(g, ([1, 0], [0, 1]), player=0, partner="uniform"))
    0.6
    """
    if partner not in PARTNERS:
        raise ParameterError(f"partner must be one of {PARTNERS}, got {partner!r}")
    x = as_profile(profile.strategies if isinstance(profile, Equilibrium) else profile, game.shape)
    players = range(game.n_players) if player is None else [game._check_player(player)]
    if partner == "idle":
        if idle_action is None:
            if game.costs is None:
                raise ParameterError("idle_action is required for games without private costs (game.costs is None)")
            idle = [int(np.argmin(c)) for c in game.costs]
        else:
            idle = [int(idle_action)] * game.n_players if np.ndim(idle_action) == 0 else [int(a) for a in idle_action]
            if len(idle) != game.n_players:
                raise ParameterError(f"idle_action needs one action per player ({game.n_players}), got {idle_action!r}")
        for j, (a, n) in enumerate(zip(idle, game.shape)):
            if not 0 <= a < n:
                raise ParameterError(f"idle action {a} of player {j} is out of range 0..{n - 1}")
    values = []
    for i in players:
        own = x[i] @ game.payoff_matrix(i)                 # E_{x_i} u_i(., a_{-i}) for every joint a_{-i}
        others = game.others(i)
        if partner == "worst":
            values.append(float(own.min()))
            continue
        if partner == "uniform":
            vectors = [np.full(game.shape[j], 1.0 / game.shape[j]) for j in others]
        else:
            vectors = [np.eye(game.shape[j])[idle[j]] for j in others]
        values.append(float(own @ product_distribution(vectors)))
    return values[0] if player is not None else np.array(values)

