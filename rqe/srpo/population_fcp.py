"""Fictitious Co-Play with a fixed partner pool, S seeds trained together (the batched backend's ``fcp``).

FCP (Strouse, McKee, Botvinick, Hughes, Everett, NeurIPS 2021) trains one agent as a best response to a pool of
frozen partners: in :mod:`rqe.srpo.algorithms` (``Population`` with ``partner_runs``) every update draws one
entry of the partner memory and a seat for the agent, with the run's numpy generator, and plays one rollout with the
entry in the other seat. :class:`FCPPopulationTrainer` runs S such seeds at once on the machinery of
:class:`rqe.srpo.population.PopulationTrainer`:

* each seed keeps its own single-run :class:`rqe.srpo.trainer.Trainer` (its partner memory, its numpy generator),
  whose algorithm plans its update exactly as the single run does: seed ``k`` draws its own entry and seat;
* the agent's weights are stacked over seeds (:class:`rqe.srpo.population.StackedMLP`); per step one batched forward
  pass gives every seed's agent its own seat's observation, one pass gives every seed's partner the other one: the
  S drawn partners stacked into one :class:`StackedMLP` when they are all networks of one shape (the pool of
  self-play snapshots), else each distinct partner module evaluated on the rows of its seeds (scripted partners);
* the agent learns from its own seat's rewards, as in the single run (the rollout is reordered per seed so that the
  agent's seat comes first, then :meth:`PopulationTrainer.advantages` applies);
* ``pools={name: partner_runs, ...}`` trains every pool with every seed in the one population (members in the order
  pool by pool, seed by seed; folders ``out_dir/<name>/fcp-seed<k>``): best responses to several partners at once.

The pool (``TrainConfig.partner_runs``) holds trained run folders, ``partner_snapshots`` choosing their snapshots
(``"fcp"``: the first, middle and final checkpoints, :func:`rqe.srpo.memory.partner_files`), and scripted partners of
the held-out zoo named ``"zoo:NAME"``: with one of them the run is a best response to that fixed partner, the
denominator of ZSC-Eval's best-response-normalised score (``examples/srpo_cooking_study.py``). Seed ``k`` equals the
single run with seed ``k`` as in :mod:`rqe.srpo.population` (same sampled actions, weights to float rounding;
``tests/srpo/test_population_fcp.py``).

>>> from rqe.srpo import TrainConfig
>>> cfg = TrainConfig(algo="fcp", env="cooking", partner_runs=["zoo:greedy", "zoo:lazy"], total_steps=2 * 400,
...                   n_envs=8, n_steps=50, device="cpu")
>>> population = FCPPopulationTrainer(cfg, seeds=[0, 1])
>>> history = population.train(progress=False)
>>> last = history[-1]
>>> population.update, sorted(last[0])[:2]
(2, ['agent/approx_kl', 'agent/clipfrac'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rqe.errors import ParameterError
from rqe.srpo._torch import torch
from rqe.srpo.algorithms import Assignment
from rqe.srpo.config import TrainConfig
from rqe.srpo.networks import Actor
from rqe.srpo.population import PopulationTrainer, StackedMLP
from rqe.srpo.ppo import gumbel_argmax
from rqe.srpo.trainer import Trainer, reset_uniforms

__all__ = ["FCPPopulationTrainer", "PoolMatch"]


@dataclass
class PoolMatch:
    """One FCP rollout of every seed: seed ``k``'s agent in seat ``agent_seat[k]``, ``partners[k]`` in the other.

    ``train`` is stated in the agent's view (seat 0 = the agent's own seat;
    :meth:`FCPPopulationTrainer.advantages`).
    """

    name: str
    agent_seat: Any                     # (S,) long
    partners: list[Any]
    tags: list[str]
    keys: list[Any]                     # seeds with equal keys have the same partner (one scripted zoo partner)
    train: list[Assignment] = field(default_factory=lambda: [Assignment("agent", 0, (0,))])
    kind: str = "train"


class FCPPopulationTrainer(PopulationTrainer):
    """Train ``seeds`` of an ``fcp`` configuration with ``partner_runs`` together (see the module docstring)."""

    algorithms = ("fcp",)

    def __init__(self, config: TrainConfig, seeds: Sequence[int], out_dir: str | Path | None = None,
                 pools: dict[str, list[str]] | None = None):
        if pools is not None and (not isinstance(pools, dict) or not pools or not all(pools.values())):
            raise ParameterError(f"pools maps names to non-empty partner_runs lists, got {pools!r}")
        if config.algo != "fcp" or not (config.partner_runs or pools):
            raise ParameterError("the batched backend trains fcp only with partner_runs (a fixed pool of trained run "
                                 "folders or zoo:NAME partners); train FCP with a population phase seed by seed "
                                 "(--backend serial or process)")
        self.pools = dict(pools) if pools is not None else None
        super().__init__(config, seeds, out_dir)

    def _make_runs(self) -> list[Trainer]:
        """Per seed one run; with ``pools``, one run per pool and seed (``out_dir/<pool name>/fcp-seed<k>``), each
        with ``partner_runs`` = that pool (the single run it equals)."""
        if self.pools is None:
            return super()._make_runs()
        cfg, out = self.cfg, self.out_dir
        return [Trainer(cfg.replace(seed=s, partner_runs=list(pool)),
                        None if out is None else out / name / f"fcp-seed{s}")
                for name, pool in self.pools.items() for s in self.seeds]

    def plan(self) -> list[PoolMatch]:
        """Each seed's own plan (its memory entry and seat, drawn with its numpy generator), as one match."""
        seats, partners, tags, keys = [], [], [], []
        for run in self.runs:
            (match,) = run.algorithm.plan(run)
            seat = match.seats.index("agent")
            seats.append(seat)
            partners.append(match.seats[1 - seat])
            tags.append(match.name)
            source = next((e.source for e in run.memory if e.actor is partners[-1]), None)
            keys.append(repr(sorted(source.items())) if source is not None else id(partners[-1]))
        return [PoolMatch("pool", torch.tensor(seats, device=self.device), partners, tags, keys)]

    @torch.no_grad()
    def rollout(self, match: PoolMatch) -> dict[str, Any]:
        """Play ``match`` on all ``S x B`` copies; tensors shaped ``(T, N, S, B, ...)`` in the real seat order, plus
        ``agent_seat`` (S,). Each seed draws its uniforms as its single run does (:meth:`PopulationTrainer.rollout`)."""
        cfg, env, n, S, B = self.cfg, self.env, self.n_agents, self.S, self.B
        T, dev = cfg.n_steps, self.device
        a_max = max(env.n_actions)
        width = n * a_max + env.noise_width
        swaps, draws = [], []
        for g in self.generators:
            swaps.append(reset_uniforms(env, B, g, dev))
            draws.append(torch.rand(T, B, width, generator=g, device=dev))
        uniforms = torch.stack(draws, 1)                                  # (T, S, B, width)
        current = env.reset(noise=torch.cat(swaps)).reshape(n, S, B, -1)
        obs = torch.zeros(T, n, S, B, env.obs_dim, device=dev)
        states = torch.zeros(T, S, B, env.state_dim, device=dev)
        actions = torch.zeros(T, n, S, B, dtype=torch.long, device=dev)
        logp = torch.zeros(T, n, S, B, device=dev)
        rewards = torch.zeros(T, n, S, B, device=dev)
        costs = torch.zeros(T, n, S, B, device=dev)
        dones = torch.zeros(T, S, B, dtype=torch.bool, device=dev)
        agent = self.learners["agent"].actor
        partner = _partner_forward(match.partners, match.keys, S)
        shaping = None                                                    # reward shaping, kept apart when present
        seat, members = match.agent_seat, torch.arange(S, device=dev)
        agent_here = [(seat == k)[:, None, None] for k in range(n)]
        for t in range(T):
            obs[t] = current
            states[t] = env.state().reshape(S, B, -1)
            own = agent(current[seat, members])                           # (S, B, A): each seed's agent, own seat
            other = partner(current[1 - seat, members])
            for k in range(n):
                logits = torch.where(agent_here[k], own, other)
                a = gumbel_argmax(logits, uniforms[t, :, :, k * a_max:k * a_max + logits.shape[-1]])
                actions[t, k] = a
                logp[t, k] = torch.log_softmax(logits, -1).gather(-1, a[..., None])[..., 0]
            noise = env.noise_from(uniforms[t, :, :, n * a_max:].reshape(S * B, -1))
            step = env.step(actions[t].reshape(n, S * B), noise=noise)
            rewards[t] = step.rewards.reshape(n, S, B)
            if getattr(step, "shaping", None) is not None:
                shaping = torch.zeros(T, n, S, B, device=dev) if shaping is None else shaping
                shaping[t] = step.shaping.reshape(n, S, B)
            costs[t] = step.costs.reshape(n, S, B)
            dones[t] = step.done.reshape(S, B)
            current = step.obs.reshape(n, S, B, -1)
        self.env_steps += T * B
        return {"obs": obs, "states": states, "actions": actions, "logp": logp, "rewards": rewards, "costs": costs,
                "dones": dones, "next_obs": current, "next_state": env.state().reshape(S, B, -1), "agent_seat": seat,
                "shaping": shaping}

    @torch.no_grad()
    def advantages(self, rollout: dict[str, Any], job: Assignment) -> dict[str, Any]:
        """GAE of the agent's seat: the rollout's seats reordered per seed (the agent's first), then the shared
        :meth:`PopulationTrainer.advantages` with ``job`` in the agent's view (seat 0, its own reward)."""
        seat = rollout["agent_seat"]
        order = torch.stack([seat, 1 - seat])                             # view position -> real seat, (2, S)
        view = dict(rollout)
        for key in ("obs", "actions", "logp", "rewards", "costs", "shaping"):
            x = rollout[key]                                              # (T, N, S, B, ...)
            if x is None:
                continue
            index = order.reshape(1, 2, -1, *([1] * (x.dim() - 3))).expand(x.shape[0], 2, *x.shape[2:])
            view[key] = x.gather(1, index)
        x = rollout["next_obs"]                                           # (N, S, B, d)
        view["next_obs"] = x.gather(0, order.reshape(2, -1, 1, 1).expand_as(x))
        return super().advantages(view, job)


def _partner_forward(partners: list[Any], keys: list[Any], S: int) -> Any:
    """One callable giving seed ``k``'s partner logits on rows ``k`` of an ``(S, B, obs_dim)`` input: one stacked
    network when every partner is a network of one shape, else one call of each distinct partner (``keys``) on the
    rows of its seeds (a scripted partner acts on each row alone, so this is what each single run computes)."""
    if all(isinstance(p, Actor) for p in partners) and len({tuple(sorted(p.spec().items())) for p in partners}) == 1:
        return StackedMLP([p.net for p in partners])
    groups: dict[Any, tuple[Any, list[int]]] = {}
    for k, (p, key) in enumerate(zip(partners, keys)):
        groups.setdefault(key, (p, []))[1].append(k)

    def forward(obs: Any) -> Any:
        out = None
        for module, rows in groups.values():
            logits = module(obs[rows])
            if out is None:
                out = logits.new_empty(S, *logits.shape[1:])
            out[rows] = logits
        return out

    return forward
