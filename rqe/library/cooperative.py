"""Collaborative, effort and free-riding games: a shared reward minus private costs.

All of these are built with :meth:`Game.from_shared_reward`, ``u_i(a) = R(a) - c_i(a_i)``, so ``game.costs``
is set and free-riding measures apply (``docs/rqe-math.md`` section 6).
"""

from __future__ import annotations


import numpy as np

from rqe._validation import check_profiles
from rqe.errors import ParameterError
from rqe.game import Game
from rqe.library._registry import register
from rqe.library._util import MAX_PROFILES, check_int, check_real, per_player_values

__all__ = ["collaborate_defect", "public_goods", "volunteers_dilemma", "minimum_effort", "team_production"]


def _check_size(n_actions: int, n_players: int, name: str) -> None:
    check_profiles(n_players * n_actions ** n_players, MAX_PROFILES, f"{name} with {n_players} players and {n_actions} actions each")


def _anyone(n_players: int, first: int = 0) -> np.ndarray:
    """Indicator, over binary profiles, that at least one player chose action ``first``."""
    grids = np.indices((2,) * n_players)
    return np.any(grids == first, axis=0).astype(float)


@register("cooperative")
def collaborate_defect(cost: float = 0.4, n_players: int = 2, reward: float = 1.0) -> Game:
    """The collaborate/defect game: actions C (collaborate) and D (defect).

    Shared reward ``R(a) = reward`` if at least one player collaborates, else 0; private costs
    ``c(C) = cost``, ``c(D) = 0``; ``u_i(a) = R(a) - c_i(a_i)``. With ``0 < cost < reward`` the pure Nash
    equilibria are the profiles with exactly one collaborator: the others free-ride. QZLM's Example 4.2
    (``docs/rqe-math.md`` section 6) uses ``cost = 0.4`` with ``eps = 0.2``: for small ``tau`` one symmetric
    and two free-riding RQE, merging into the symmetric one as ``tau`` grows.

    Reference: C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training Generalizable Collaborative Agents via
    Strategic Risk Aversion*, arXiv 2602.21515, 2026, Example 4.2.

    Examples
    --------
    >>> g = collaborate_defect()
    >>> g.payoffs[0].tolist()
    [[0.6, 0.6], [1.0, 0.0]]
    >>> [c.tolist() for c in g.costs]
    [[0.4, 0.0], [0.4, 0.0]]
    """
    cost = check_real(cost, "cost", nonnegative=True)
    reward = check_real(reward, "reward")
    N = check_int(n_players, "n_players", 1, maximum=20)
    _check_size(2, N, "collaborate_defect")
    R = reward * _anyone(N, first=0)
    return Game.from_shared_reward(R, [[cost, 0.0]] * N, title=f"Collaborate/defect (cost {cost:g})",
                                   action_names=[["C", "D"]] * N)


@register("cooperative")
def volunteers_dilemma(n_players: int = 3, benefit: float = 1.0, cost: float = 0.3) -> Game:
    """The volunteer's dilemma: everyone gets ``benefit`` if at least one player volunteers, at a private cost.

    Actions Volunteer and Ignore; ``u_i = benefit - cost`` when ``i`` volunteers, ``benefit`` when only others
    do, 0 when nobody does (``0 < cost < benefit``). The symmetric equilibrium has each player ignore with
    probability ``(cost / benefit) ** (1 / (N - 1))``, so the chance that nobody volunteers grows with ``N``.
    The collaborate/defect game is its instance with ``benefit = 1``.

    Reference: A. Diekmann, Volunteer's dilemma, *Journal of Conflict Resolution* 29(4), 605-610, 1985.

    Examples
    --------
    >>> volunteers_dilemma(n_players=2).payoffs[0].tolist()
    [[0.7, 0.7], [1.0, 0.0]]
    """
    benefit = check_real(benefit, "benefit", positive=True)
    cost = check_real(cost, "cost", nonnegative=True)
    N = check_int(n_players, "n_players", 1, maximum=20)
    _check_size(2, N, "volunteers_dilemma")
    R = benefit * _anyone(N, first=0)
    return Game.from_shared_reward(R, [[cost, 0.0]] * N, title=f"Volunteer's dilemma ({N} players)",
                                   action_names=[["Volunteer", "Ignore"]] * N)


@register("cooperative")
def public_goods(n_players: int = 3, multiplier: float = 1.6, endowment: float = 1.0) -> Game:
    """Linear public goods game with all-or-nothing contributions.

    Each player keeps its ``endowment`` or contributes it to a common pool that is multiplied by
    ``multiplier`` and shared equally: ``u_i = endowment - g_i + (multiplier / N) * sum_j g_j`` with
    ``g_j in {0, endowment}``. Written as a shared reward ``R = endowment + (multiplier / N) sum_j g_j``
    minus the private cost ``c(Contribute) = endowment``. When ``1 < multiplier < N`` keeping is dominant
    though everyone contributing is efficient.

    Reference: R. M. Isaac & J. Walker, Group size effects in public goods provision: the voluntary
    contributions mechanism, *Quarterly Journal of Economics* 103(1), 1988; J. Ledyard, Public goods: a
    survey of experimental research, *Handbook of Experimental Economics*, 1995.

    Examples
    --------
    >>> g = public_goods(n_players=2, multiplier=1.5)
    >>> g.payoffs[0].tolist()
    [[1.5, 0.75], [1.75, 1.0]]
    """
    N = check_int(n_players, "n_players", 1, maximum=20)
    multiplier = check_real(multiplier, "multiplier", nonnegative=True)
    endowment = check_real(endowment, "endowment", positive=True)
    _check_size(2, N, "public_goods")
    contributors = (np.indices((2,) * N) == 0).sum(axis=0)
    R = endowment + multiplier * endowment * contributors / N
    return Game.from_shared_reward(
        R, [[endowment, 0.0]] * N, title=f"Public goods ({N} players, multiplier {multiplier:g})",
        action_names=[["Contribute", "Keep"]] * N,
    )


@register("cooperative")
def minimum_effort(n_players: int = 2, n_levels: int = 7, a: float = 0.2, b: float = 0.1,
                   c: float = 0.6) -> Game:
    """Minimum-effort (weakest-link) coordination game.

    Efforts ``e_i in {1, ..., n_levels}``; ``u_i(e) = a * min_j e_j - b * e_i + c`` with ``a > b >= 0``.
    Every common effort level is a strict equilibrium, Pareto-ranked. Defaults are the dollar payoffs of
    Van Huyck, Battalio & Beil (1990), treatment A: ``$0.20 min - $0.10 own + $0.60`` with efforts 1..7.
    Written as shared reward ``a * min + c`` minus private cost ``b * e_i``.

    Reference: J. Van Huyck, R. Battalio, R. Beil, Tacit coordination games, strategic uncertainty, and
    coordination failure, *American Economic Review* 80(1), 234-248, 1990.

    Examples
    --------
    >>> g = minimum_effort()
    >>> round(float(g.pure_payoffs((6, 6))[0]), 12), round(float(g.pure_payoffs((0, 0))[0]), 12)
    (1.3, 0.7)
    """
    N = check_int(n_players, "n_players", 1, maximum=16)
    L = check_int(n_levels, "n_levels", 1)
    a, b, c = check_real(a, "a"), check_real(b, "b", nonnegative=True), check_real(c, "c")
    if not a > b:
        raise ParameterError(f"minimum_effort needs a > b so that coordinating on more effort pays, got a={a:g}, b={b:g}")
    _check_size(L, N, "minimum_effort")
    efforts = np.arange(1, L + 1, dtype=float)
    minimum = np.min(np.indices((L,) * N), axis=0) + 1.0
    R = a * minimum + c
    return Game.from_shared_reward(R, [b * efforts] * N, title=f"Minimum effort ({N} players, {L} levels)",
                                   action_names=[[str(k) for k in range(1, L + 1)]] * N)


@register("cooperative")
def team_production(n_players: int = 2, n_levels: int = 3, productivity: float = 1.0, exponent: float = 1.0,
                    cost: float | tuple = 0.6) -> Game:
    """Team production with private effort costs (moral hazard in teams).

    Efforts ``e_i in {0, 1/(L-1), ..., 1}`` (``L = n_levels``); shared output
    ``R(e) = productivity * (mean_j e_j) ** exponent``; private quadratic cost ``c_i(e_i) = cost_i * e_i**2``
    (``cost`` a number or one per player). With the defaults the marginal private benefit of effort
    (``productivity / N``) is below its social benefit, so effort is under-provided: the free-riding
    problem of team production. ``exponent > 1`` makes efforts complements.

    Reference: B. Holmström, Moral hazard in teams, *Bell Journal of Economics* 13(2), 324-340, 1982;
    A. Alchian & H. Demsetz, Production, information costs, and economic organization, *American Economic
    Review* 62(5), 1972.

    Examples
    --------
    >>> g = team_production()
    >>> np.round(g.payoffs[0], 12).tolist()
    [[0.0, 0.25, 0.5], [0.1, 0.35, 0.6], [-0.1, 0.15, 0.4]]
    """
    N = check_int(n_players, "n_players", 1, maximum=16)
    L = check_int(n_levels, "n_levels", 2)
    productivity = check_real(productivity, "productivity", nonnegative=True)
    exponent = check_real(exponent, "exponent", positive=True)
    costs = per_player_values(cost, N, "cost")
    _check_size(L, N, "team_production")
    levels = np.linspace(0.0, 1.0, L)
    mean_effort = levels[np.indices((L,) * N)].mean(axis=0)
    R = productivity * mean_effort ** exponent
    names = [f"{e:g}" for e in levels]
    return Game.from_shared_reward(R, [costs[i] * levels ** 2 for i in range(N)],
                                   title=f"Team production ({N} players, {L} effort levels)",
                                   action_names=[names] * N)


