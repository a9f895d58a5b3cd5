"""Playing teams of policies with N seats: one seating, mixtures of two teams, held-out partners, solo values.

The measures are defined in :mod:`rqe.srpo.evaluate` (``docs/rqe-math.md`` sections 6 and 8; [QZLM Sec. 5]);
this module plays the episodes. :func:`evaluate_pair` plays one seating (one policy per seat, any number of
seats); :func:`seatings` lists the seat assignments of two runs in cross-play and :func:`mixed_team` plays them;
:func:`evaluate_against`, :func:`solo_values` and :func:`heldout_values` put one policy in one seat and a partner
in every other seat, over the seats.

Reference: [QZLM] C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training Generalizable Collaborative Agents via
Strategic Risk Aversion*, arXiv 2602.21515, 2026.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rqe.errors import ParameterError
from rqe.srpo._torch import make_generator, resolve_device, torch
from rqe.srpo.envs import make_env
from rqe.srpo.networks import FixedPolicy, sample_actions
from rqe.srpo.ppo import mask_logits

if TYPE_CHECKING:  # pragma: no cover
    from rqe.srpo.evaluate import Run

__all__ = ["PairResult", "evaluate_pair", "seatings", "mixed_team", "evaluate_against", "solo_values",
           "heldout_values", "SEATINGS"]

#: How cross-play seats two runs (see :mod:`rqe.srpo.evaluate` and :func:`seatings`).
SEATINGS = ("one", "all")


@dataclass
class PairResult:
    """Mean episode return and private cost of each seat, team return and free-riding degree of one seating.

    ``private_costs``: whether the environment has private costs; without them ``free_riding`` is None.
    """

    returns: np.ndarray
    costs: np.ndarray
    episodes: int
    private_costs: bool = True

    @property
    def team_return(self) -> float:
        return float(self.returns.mean())

    @property
    def free_riding(self) -> float | None:
        """``max_i E c_i - min_j E c_j`` over the seats (section 6), None without private costs."""
        return float(np.ptp(self.costs)) if self.private_costs else None


@torch.no_grad()
def evaluate_pair(policies: list[Any], env: str = "cooking", env_kwargs: dict[str, Any] | None = None,
                  episodes: int = 64, seed: int = 0, device: Any = "cpu") -> PairResult:
    """Play ``episodes`` episodes (in parallel, one per environment copy) with ``policies[k]`` in seat ``k`` (any
    number of seats).

    Each copy plays one episode: ``horizon`` steps, or, when the environment's ``horizon`` is None, until the copy's
    first ``done`` (at most ``max_episode_length`` steps; a copy still playing then is an error). Actions are
    sampled from the logits masked to ``legal_mask()`` when the environment has one.

    >>> from rqe.srpo.networks import FixedPolicy
    >>> r = evaluate_pair([FixedPolicy(2, 0), FixedPolicy(2, 1)], env="collaborate_defect", episodes=8)
    >>> r.returns.round(3).tolist(), round(r.free_riding, 3)
    ([0.6, 1.0], 0.4)
    """
    device = resolve_device(device)
    environment = make_env(env, episodes, device, **dict(env_kwargs or {}))
    if len(policies) != environment.n_agents:
        raise ParameterError(f"need one policy per seat ({environment.n_agents}), got {len(policies)}")
    generator = make_generator(seed, device)
    obs = environment.reset(generator)
    returns = torch.zeros(environment.n_agents, episodes, device=device)
    costs = torch.zeros_like(returns)
    horizon = environment.horizon
    masked = hasattr(environment, "legal_mask")
    if horizon is None:
        horizon = getattr(environment, "max_episode_length", None)
        if horizon is None:
            raise ParameterError(f"environment {env!r} has neither a horizon nor a max_episode_length to bound an "
                                 f"episode")
        playing = torch.ones(episodes, device=device)
    else:
        playing = None            # every copy ends exactly at the horizon
    for _ in range(horizon):
        legal = environment.legal_mask() if masked else None
        actions = []
        for k, p in enumerate(policies):
            logits = p(obs[k])
            actions.append(sample_actions(logits if legal is None else
                                          mask_logits(logits, legal[k, :, :logits.shape[-1]]), generator))
        step = environment.step(torch.stack(actions), generator)
        if playing is None:
            returns += step.rewards
            costs += step.costs
        else:
            returns += step.rewards * playing
            costs += step.costs * playing
            playing = playing * (~step.done).float()
        obs = step.obs
        if playing is not None and not bool(playing.any()):
            break
    if playing is not None and bool(playing.any()):
        raise ParameterError(f"{int(playing.sum())} of {episodes} episodes of {env!r} did not end within "
                             f"max_episode_length = {horizon} steps")
    return PairResult(returns.mean(1).cpu().numpy().astype(float), costs.mean(1).cpu().numpy().astype(float), episodes,
                      bool(getattr(environment, "private_costs", True)))


def seatings(n_seats: int, how: str = "one") -> list[tuple[int, ...]]:
    """The seat assignments of cross-play between two runs: tuples of ``n_seats`` entries, 0 where the row run
    sits and 1 where the column run does (module docstring). ``how="one"``: the row run in one seat, over the
    seats; ``"all"``: every assignment with both runs present.

    >>> seatings(3, "all")
    [(0, 0, 1), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0)]
    >>> seatings(2) == seatings(2, "all") == [(0, 1), (1, 0)]
    True
    """
    if how not in SEATINGS:
        raise ParameterError(f"seating must be one of {SEATINGS}, got {how!r}")
    if isinstance(n_seats, bool) or not isinstance(n_seats, (int, np.integer)) or n_seats < 2:
        raise ParameterError(f"cross-play needs at least two seats, got {n_seats!r}")
    if how == "one":
        return [tuple(0 if j == k else 1 for j in range(n_seats)) for k in range(n_seats)]
    return [s for s in itertools.product((0, 1), repeat=n_seats) if 0 < sum(s) < n_seats]


def _check_team(policies: list[Any], n_seats: int, what: str) -> None:
    if not isinstance(policies, (list, tuple)) or len(policies) != n_seats:
        raise ParameterError(f"{what} needs one policy per seat ({n_seats}), got "
                             f"{len(policies) if isinstance(policies, (list, tuple)) else type(policies).__name__}")


def mixed_team(row: list[Any], column: list[Any], env: str = "cooking", env_kwargs: dict[str, Any] | None = None,
               how: str = "one", episodes: int = 64, seed: int = 0, device: Any = "cpu") -> dict[str, Any]:
    """Cross-play of two teams ``row`` and ``column`` (one policy per seat each) over :func:`seatings` ``how``.

    Returns the mean team return, the mean free-riding degree (None without private costs), and the mean private
    cost paid per seat occupied by each team, ``costs = [row's, column's]``. Seating ``s`` (index ``m``) plays
    with seed ``seed + m``.

    >>> from rqe.srpo.networks import FixedPolicy
    >>> C, D = FixedPolicy(2, 0), FixedPolicy(2, 1)      # collaborate / defect, 3 players: R = 1 if anyone collaborates
    >>> r = mixed_team([C] * 3, [D] * 3, "collaborate_defect", {"n_players": 3}, episodes=4)
    >>> round(r["team"], 4), round(r["free_riding"], 4), [round(c, 4) for c in r["costs"]]   # one C with two D
    (0.8667, 0.4, [0.4, 0.0])
    """
    n = len(row)
    _check_team(column, n, "the column team")
    teams, team, free, cost = (row, column), [], [], ([], [])
    for m, seating in enumerate(seatings(n, how)):
        r = evaluate_pair([teams[who][k] for k, who in enumerate(seating)], env, env_kwargs, episodes, seed + m, device)
        team.append(r.team_return)
        free.append(r.free_riding)
        for side in (0, 1):
            cost[side].append(float(np.mean([r.costs[k] for k, who in enumerate(seating) if who == side])))
    return {"team": float(np.mean(team)), "free_riding": None if free[0] is None else float(np.mean(free)),
            "costs": [float(np.mean(cost[0])), float(np.mean(cost[1]))]}


def _n_seats(env: str, env_kwargs: dict[str, Any] | None, device: Any) -> int:
    return int(make_env(env, 1, resolve_device(device), **dict(env_kwargs or {})).n_agents)


def evaluate_against(policy: Any, partners: list[Any], env: str = "cooking", env_kwargs: dict | None = None,
                     episodes: int = 64, seed: int = 0, device: Any = "cpu") -> dict[str, float]:
    """Mean and std over held-out partners of ``policy``'s own return when it sits in one seat and the partner in
    every other seat, averaged over the ``N`` seats (partner ``j``, seat ``k``: seed ``seed + N j + k``)."""
    n = _n_seats(env, env_kwargs, device)
    own = []
    for j, partner in enumerate(partners):
        values = [evaluate_pair([policy if i == k else partner for i in range(n)], env, env_kwargs, episodes,
                                seed + n * j + k, device).returns[k] for k in range(n)]
        own.append(float(np.mean(values)))
    return {"mean": float(np.mean(own)), "std": float(np.std(own)), "per_partner": [float(x) for x in own]}


def _team_with(run: Run, partner: Any, episodes: int, seed: int, device: Any) -> float:
    """Mean over seats ``k`` of the return of ``run``'s seat-``k`` policy with ``partner`` in every other seat."""
    n = len(run.seats)
    return float(np.mean([evaluate_pair([run.seats[k] if i == k else partner for i in range(n)], run.env,
                                        run.env_kwargs, episodes, seed + k, device).returns[k] for k in range(n)]))


def solo_values(run: Run, episodes: int = 64, seed: int = 0, device: Any = "cpu") -> dict[str, float]:
    """Return of each seat's policy when every other seat is idle (last action always) or uniformly random,
    averaged over the seats."""
    n_actions = run.seats[0].n_actions
    partners = {"idle": FixedPolicy(n_actions, n_actions - 1), "random": FixedPolicy(n_actions, None)}
    return {name: _team_with(run, partner, episodes, seed, device) for name, partner in partners.items()}


def heldout_values(run: Run, partners: dict[str, Any] | None = None, episodes: int = 64, seed: int = 0,
                   device: Any = "cpu") -> dict[str, float]:
    """Return of ``run``'s policies with a held-out partner in every other seat, per partner (averaged over seats).

    ``partners`` defaults to the scripted partners of the run's environment (:func:`rqe.srpo.zoo_envs.partners`;
    an empty dict on an environment without them).
    """
    from rqe.srpo import zoo_envs

    if partners is None:
        partners = zoo_envs.partners(run.env, **run.env_kwargs) if zoo_envs.is_zoo_env(run.env) else {}
    return {name: _team_with(run, partner, episodes, seed + 101 * j, device)
            for j, (name, partner) in enumerate(sorted(partners.items()))}
