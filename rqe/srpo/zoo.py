"""Held-out partners for the cooking gridworld, and the measures of how a trained agent works with them.

Training never sees these partners. Each is a torch module mapping an agent's own observation (the 8 numbers of
:class:`rqe.srpo.envs.CookingGridworld`: own row and column, partner's row and column, each divided by 4, own and
partner's holding flags, the two onion flags) to action logits, so it plugs into any seat:

* ``greedy``: fetches the nearest available onion (or waits on the nearest onion cell) and carries it to the pot by
  the shortest path, never stepping into the pot or its partner's cell unless delivering;
* ``onion0`` / ``onion1``: one-onion specialists, greedy for onion ``(3, 4)`` (resp. ``(4, 3)``) only;
* ``noisy_greedy@p``: the greedy action with probability ``1 - p``, a uniformly random action otherwise;
* ``lazy``: always stays (pays nothing, does nothing);
* ``random``: uniformly random actions;
* trained behaviour-preferring partners (ZSC-Eval's recipe, :mod:`rqe.srpo.shaping`): ``prefers_onion0``,
  ``prefers_onion1``, ``avoids_pot_side``, ``moves_little``, each trained with its events weighted by
  :data:`rqe.srpo.shaping.SHAPINGS` (:func:`train_shaped_partners`: self-play shaped in both seats, or ZSC-Eval's
  IPPO pairing with a teammate learning from the true reward), then loaded by :func:`shaped_partners`.

:func:`partner_zoo` builds the default zoo; :func:`heldout_play` measures, over both seat arrangements, the team
return (mean of the two seats' episode returns, the quantity of the cross-play tables), the trained agent's own
deliveries and pickups per episode, the partner's, their counts of the shaping events (onion 0 and onion 1 pickups,
steps ending next to the pot, moves), and the free-riding degree ``|E c_agent - E c_partner|`` (gap in
private costs per episode, ``docs/rqe-math.md`` section 6). The ZSC-Eval protocol (Wang et al., 2024) is the model:
diverse held-out partners, and per-partner scores rather than one average.

Examples
--------
>>> import torch
>>> zoo = partner_zoo()
>>> sorted(zoo)[:4]
['greedy', 'lazy', 'noisy_greedy@0.1', 'noisy_greedy@0.3']
>>> r = heldout_play(zoo["greedy"], zoo["greedy"], episodes=4)
>>> r["team_return"] > 40 and r["own_deliveries"] > 0
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rqe.errors import ParameterError
from rqe.srpo._torch import make_generator, resolve_device, torch
from rqe.srpo.envs import MOVES, STAY, CookingGridworld, cooking_rules
from rqe.srpo.networks import FixedPolicy, sample_actions
from rqe.srpo.shaping import SHAPINGS, RewardShaping

__all__ = ["ScriptedCook", "partner_zoo", "heldout_play", "NOISE_LEVELS", "SHAPED_KINDS", "train_shaped_partners",
           "shaped_partners"]

#: The trained behaviour-preferring partners (names of :data:`rqe.srpo.shaping.SHAPINGS`).
SHAPED_KINDS = tuple(SHAPINGS)
#: Shaping events counted by :func:`heldout_play` (deliveries are counted there already).
_COUNTED = ("onion0", "onion1", "pot_side", "move")

NOISE_LEVELS = (0.1, 0.3, 0.5)


class ScriptedCook(torch.nn.Module):
    """A scripted cooking-gridworld partner (see the module docstring); ``onions`` restricts which onions it fetches.

    ``noise``: probability of a uniformly random action instead of the scripted one.

    >>> import torch
    >>> cook = ScriptedCook()
    >>> obs = torch.tensor([[1 / 4, 0.0, 0.0, 1 / 4, 0.0, 0.0, 1.0, 1.0]])   # at (1, 0), partner at (0, 1)
    >>> int(cook(obs).argmax())   # down, towards the onions
    1
    """

    def __init__(self, onions: tuple[int, ...] = (0, 1), noise: float = 0.0, rules: Any = None):
        super().__init__()
        self.rules = cooking_rules(rules)
        if not 0.0 <= float(noise) <= 1.0:
            raise ParameterError(f"noise must lie in [0, 1], got {noise!r}")
        if not onions or any(o not in range(len(self.rules.onions)) for o in onions):
            raise ParameterError(f"onions must be indices of the gridworld's onions, got {onions!r}")
        self.onions, self.noise = tuple(onions), float(noise)
        self.n_actions = len(MOVES)

    def forward(self, obs: Any) -> Any:
        scale = self.rules.size - 1
        cells = torch.round(obs[..., :4] * scale).long()
        row, col, prow, pcol = cells.unbind(-1)
        holding = obs[..., 4] > 0.5
        available = obs[..., 6:6 + len(self.rules.onions)] > 0.5
        pot_r, pot_c = self.rules.pot
        onion_r = torch.tensor([r for r, _ in self.rules.onions], device=obs.device)
        onion_c = torch.tensor([c for _, c in self.rules.onions], device=obs.device)
        mine = torch.zeros(len(self.rules.onions), dtype=torch.bool, device=obs.device)
        mine[list(self.onions)] = True
        dist = (row[..., None] - onion_r).abs() + (col[..., None] - onion_c).abs()
        big = 10_000
        # nearest of its onions that is present; if none is present, the nearest of its onion cells (wait there)
        present = available & mine
        choice = torch.where(present.any(-1), torch.where(present, dist, big).argmin(-1),
                             torch.where(mine, dist, big).argmin(-1))
        target_r = torch.where(holding, torch.full_like(row, pot_r), onion_r[choice])
        target_c = torch.where(holding, torch.full_like(col, pot_c), onion_c[choice])
        action = torch.full_like(row, STAY)
        chosen = torch.zeros_like(holding)
        for axis, (delta, moves) in enumerate(((target_r - row, (0, 1)), (target_c - col, (2, 3)))):
            want = delta != 0
            move = torch.where(delta < 0, moves[0], moves[1])
            d_r = torch.tensor([m[0] for m in MOVES], device=obs.device)[move]
            d_c = torch.tensor([m[1] for m in MOVES], device=obs.device)[move]
            next_r, next_c = row + d_r, col + d_c
            into_pot = (next_r == pot_r) & (next_c == pot_c)
            into_partner = (next_r == prow) & (next_c == pcol)
            ok = want & ~into_partner & (~into_pot | holding) & ~chosen
            action = torch.where(ok, move, action)
            chosen = chosen | ok
        probs = torch.nn.functional.one_hot(action, self.n_actions).float()
        probs = (1.0 - self.noise) * probs + self.noise / self.n_actions
        return torch.log(probs.clamp(min=1e-12))


def partner_zoo(noise_levels: tuple[float, ...] = NOISE_LEVELS, rules: Any = None) -> dict[str, Any]:
    """The default held-out partners: greedy, one-onion specialists, noisy-greedy at ``noise_levels``, lazy, random."""
    zoo: dict[str, Any] = {"greedy": ScriptedCook(rules=rules), "onion0": ScriptedCook((0,), rules=rules),
                           "onion1": ScriptedCook((1,), rules=rules)}
    for p in noise_levels:
        zoo[f"noisy_greedy@{p:g}"] = ScriptedCook(noise=p, rules=rules)
    zoo["lazy"] = FixedPolicy(len(MOVES), action=STAY)
    zoo["random"] = FixedPolicy(len(MOVES), action=None)
    return zoo


@torch.no_grad()
def heldout_play(agent: Any, partner: Any, episodes: int = 64, seed: int = 0, env_kwargs: dict | None = None,
                 device: Any = "cpu", agent_seats: tuple[int, ...] = (0, 1)) -> dict[str, float]:
    """Play ``agent`` with ``partner`` on the cooking gridworld, the episodes split evenly over ``agent_seats``.

    An agent trained for one seat only (IPPO's, SRPO's agent ``i``) is evaluated in its own seat
    (``agent_seats=(i,)``); a shared policy in both.

    Returns per-episode means: ``team_return`` (mean of the two seats' returns), ``agent_return``,
    ``own_deliveries``, ``partner_deliveries``, ``own_pickups``, ``partner_pickups``, ``free_riding`` (``|E c_agent -
    E c_partner|``), ``work_share`` (the agent's share of all deliveries; 0.5 when nobody delivers) and, for the
    events ``e`` of :mod:`rqe.srpo.shaping` (``onion0``, ``onion1``, ``pot_side``, ``move``), ``own_e`` and
    ``partner_e``. A ``shaping`` entry of ``env_kwargs`` is ignored: play is scored by the true rewards.
    """
    seats = tuple(agent_seats)
    if not seats or any(k not in (0, 1) for k in seats):
        raise ParameterError(f"agent_seats must list seats 0 and/or 1, got {agent_seats!r}")
    if episodes < len(seats) or episodes % len(seats):
        raise ParameterError(f"episodes must be a positive multiple of len(agent_seats), got {episodes!r}")
    device = resolve_device(device)
    rules = {k: v for k, v in dict(env_kwargs or {}).items() if k != "shaping"}
    env = CookingGridworld(n_envs=episodes, device=device, rules=cooking_rules(**rules),
                           shaping=RewardShaping(seats=()))        # counts the events, shapes nobody
    generator = make_generator(seed, device)
    obs = env.reset(generator)
    agent_seat = torch.tensor(seats, device=device).repeat_interleave(episodes // len(seats))
    columns = torch.arange(episodes, device=device)
    totals = {k: torch.zeros(2, episodes, device=device)
              for k in ("returns", "costs", "pickups", "deliveries", *_COUNTED)}
    for _ in range(env.horizon):
        a_agent = [sample_actions(agent(obs[k]), generator) for k in range(2)]
        a_partner = [sample_actions(partner(obs[k]), generator) for k in range(2)]
        actions = torch.stack([torch.where(agent_seat == k, a_agent[k], a_partner[k]) for k in range(2)])
        step = env.step(actions, generator)
        totals["returns"] += step.rewards
        totals["costs"] += step.costs
        totals["pickups"] += step.events["pickups"]
        totals["deliveries"] += step.events["deliveries"]
        for name in _COUNTED:
            totals[name] += step.events[name]
        obs = step.obs
    own = {k: v[agent_seat, columns] for k, v in totals.items()}
    other = {k: v[1 - agent_seat, columns] for k, v in totals.items()}
    all_deliveries = own["deliveries"] + other["deliveries"]
    share = torch.where(all_deliveries > 0, own["deliveries"] / all_deliveries.clamp(min=1), torch.full_like(
        all_deliveries, 0.5))
    return {"team_return": float(totals["returns"].mean()), "agent_return": float(own["returns"].mean()),
            "own_deliveries": float(own["deliveries"].mean()), "partner_deliveries": float(other["deliveries"].mean()),
            "own_pickups": float(own["pickups"].mean()), "partner_pickups": float(other["pickups"].mean()),
            "free_riding": float((own["costs"].mean() - other["costs"].mean()).abs()),
            "work_share": float(share.mean()),
            **{f"own_{e}": float(own[e].mean()) for e in _COUNTED},
            **{f"partner_{e}": float(other[e].mean()) for e in _COUNTED}}


def _shaped_config(kind: str, total_steps: int, algo: str, preset: str, device: str, overrides: dict) -> Any:
    from rqe.srpo.config import TrainConfig

    if kind not in SHAPINGS:
        raise ParameterError(f"unknown behaviour-preferring partner {kind!r}; expected one of {SHAPED_KINDS}")
    shaping = SHAPINGS[kind]
    if algo == "selfplay":       # one shared policy: shape both seats
        shaping = RewardShaping(**{**shaping.to_dict(), "seats": (0, 1)})
    return TrainConfig(algo=algo, env="cooking", env_kwargs={"shaping": shaping.to_dict()}, preset=preset,
                       total_steps=total_steps, device=device, **overrides)


def train_shaped_partners(run_root: str | Path, total_steps: int, seeds: Sequence[int] = (0, 1),
                          kinds: Sequence[str] = SHAPED_KINDS, algo: str = "selfplay", preset: str = "paper",
                          device: str = "cpu", progress: bool = False, **overrides: Any) -> dict[str, Path]:
    """Train the behaviour-preferring partners ``kinds`` into ``run_root/<kind>/<algo>-seed<k>`` (resumed if there).

    Each kind is one batched population over ``seeds`` (:class:`rqe.srpo.population.PopulationTrainer`) of
    ``TrainConfig(algo, preset=preset, total_steps=total_steps, env_kwargs={"shaping": SHAPINGS[kind]})``, so the
    configuration (weights included) is written into every run's ``config.json``. ``algo="selfplay"`` (default):
    one shared policy learns from the shaped reward in both seats; ``"ippo"`` (ZSC-Eval's and HSP's pairing): seat 0
    learns from the shaped reward, seat 1 from the true reward. In this gridworld the shaped IPPO seat often learns
    to leave the work to its teammate (free-riding), which no self-play policy can do, so self-play is the default
    (both recipes measured: ``examples/srpo_shaped_partners.py``, ``examples/results/shaped_partners*.json``).
    Penalties large against the move cost make a self-play learner idle before it finds a delivery; the weights of
    :data:`rqe.srpo.shaping.SHAPINGS` are the ones measured last.
    ``overrides``: other :class:`rqe.srpo.TrainConfig` fields. A kind whose runs all hold a
    checkpoint is resumed (a finished one is left as it is). Returns ``{kind: folder}``.

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> folders = train_shaped_partners(root, 256, seeds=[0], kinds=["moves_little"], n_steps=32)  # one update
    >>> sorted(p.name for p in folders["moves_little"].iterdir())
    ['selfplay-seed0']
    >>> partner = shaped_partners(root)["moves_little"]       # the shaped seat's policy: obs -> logits
    >>> tuple(partner(torch.zeros(3, 8)).shape)
    (3, 5)
    """
    from rqe.srpo.population import PopulationTrainer

    folders = {}
    for kind in kinds:
        cfg = _shaped_config(kind, total_steps, algo, preset, device, dict(overrides))
        folder = Path(run_root) / kind
        population = PopulationTrainer(cfg, list(seeds), folder)
        resume = all((run.out_dir / "checkpoint.pt").is_file() for run in population.runs)
        population.train(progress=progress, resume=resume)
        folders[kind] = folder
    return folders


def shaped_partners(run_root: str | Path, seeds: Sequence[int] | None = None, device: Any = "cpu") -> dict[str, Any]:
    """The trained behaviour-preferring partners under ``run_root`` (written by :func:`train_shaped_partners`).

    Per kind folder found (in the order of :data:`SHAPED_KINDS`), the policy of a shaped seat of each run. With
    ``seeds=None`` the run with the lowest seed, keyed by the kind (``{"prefers_onion0": module, ...}``); with a
    list of seeds, keys ``"<kind>:seed<k>"``. A run whose configuration is not a shaped cooking run raises
    :class:`rqe.errors.ParameterError`.

    An example that trains and loads is in :func:`train_shaped_partners`; a folder without runs:

    >>> import tempfile
    >>> shaped_partners(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    rqe.errors.ParameterError: no trained behaviour-preferring partners under ... (train them with train_shaped_partners)
    """
    from rqe.srpo.evaluate import load_run
    from rqe.srpo.shaping import reward_shaping

    root = Path(run_root)
    out: dict[str, Any] = {}
    for kind in SHAPED_KINDS:
        runs = sorted((root / kind).glob("*-seed*/policies.pt")) if (root / kind).is_dir() else []
        by_seed = {}
        for file in runs:
            run = load_run(file, device)
            shaping = reward_shaping(run.env_kwargs.get("shaping")) if run.env == "cooking" else None
            if shaping is None or not shaping.seats:
                raise ParameterError(f"{file} is not a shaped cooking-gridworld run (env {run.env!r}, "
                                     f"env_kwargs {run.env_kwargs})")
            by_seed[run.seed] = run.seats[shaping.seats[0]]
        if not by_seed:
            continue
        if seeds is None:
            out[kind] = by_seed[min(by_seed)]
            continue
        for seed in seeds:
            if seed not in by_seed:
                raise ParameterError(f"no trained {kind} partner with seed {seed} under {root / kind} "
                                     f"(seeds there: {sorted(by_seed)})")
            out[f"{kind}:seed{seed}"] = by_seed[seed]
    if not out:
        raise ParameterError(f"no trained behaviour-preferring partners under {root} "
                             f"(train them with train_shaped_partners)")
    return out
