"""One PPO trainer for every algorithm of the SRPO layer (``docs/rqe-math.md`` section 8).

The loop reads top to bottom like CleanRL's PPO: plan the rollouts of this update, play them, compute GAE
advantages, run clipped-PPO epochs on each learner, log, checkpoint. What differs between algorithms is only the
*plan*: which policy sits in which seat and which learner is trained on which seat with which reward.

Algorithms (``TrainConfig.algo``):

* ``ippo``: one learner per seat, independent PPO with entropy bonus ``epsilon``.
* ``mappo``: IPPO with centralised critics (critic input = global state and own observation).
* ``selfplay``: one learner with shared weights in every seat.
* ``srpo`` [QZLM Sec. 5, App. C]: per agent ``i`` an adversary ``phi_i`` initialised from the agent. The agent is
  trained (entropy bonus ``epsilon``) on rollouts where ``phi_i`` sits in the partner's seat; the adversary is
  trained on minus the agent's reward with a penalty ``(1/tau) KL(phi_i || pi_{-i})`` towards the partner's
  *current* policy (snapshotted before the update so both sides move simultaneously). With ``N > 2`` players:
  one shared policy and one adversary on a seat drawn at random each update. Options:
  ``adversary_reference="memory"`` uses the average of the partner memory (and the current partner) as the KL
  reference; ``risk_critic=True`` trains the agent on ``(1 - lam) E_partner[A] + lam E_adversary[A]``, i.e.
  ``E[A] - lam (E_partner[A] - E_adversary[A])`` with a partner critic and a risk (adversary) critic, and logs
  the value gap ``V_partner - V_adversary``.
* ``adversarial``: SRPO without the KL penalty (pure worst-case partner ablation).
* ``fcp`` (Fictitious Co-Play): ``population_size`` self-play learners are trained for a share
  ``population_fraction`` of the updates, with checkpoints (from the random initialisation on) stored in the
  partner memory; then one agent learns a best response to partners drawn from the memory, in random seats.
  With ``partner_runs`` (run folders, e.g. self-play seeds trained as parallel jobs) the population phase is
  skipped and the memory holds those runs' snapshots (``snapshots/policies_*.pt``, written at every checkpoint
  and at the start) and final policies.
* ``mep`` (Maximum-Entropy Population): as FCP, the population being trained with the population-entropy bonus
  ``-alpha log mean_j pi_j(a|s)``.
* ``trajedi`` (trajectory diversity): as FCP, with the per-step Jensen-Shannon bonus
  ``alpha (log pi_k(a|s) - log mean_j pi_j(a|s))`` (the local, per-step form of TrajeDi's trajectory JSD).

Resuming from a checkpoint restores networks, optimisers, the partner memory and the states of the torch and numpy
generators, so a resumed run reproduces the uninterrupted one bit for bit on CPU.

Example
-------
>>> from rqe.srpo import TrainConfig, Trainer
>>> cfg = TrainConfig(algo="srpo", env="collaborate_defect", total_steps=512, n_envs=64, n_steps=4,
...                   n_minibatches=2, device="cpu")
>>> trainer = Trainer(cfg)
>>> metrics = trainer.train(progress=False)
>>> trainer.update
2
"""

from __future__ import annotations

import copy
import csv
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rqe.errors import ParameterError
from rqe.srpo._torch import make_generator, resolve_device, torch
from rqe.srpo.config import TrainConfig
from rqe.srpo.envs import make_env
from rqe.srpo.memory import PartnerMemory
from rqe.srpo.networks import Actor, Critic, sample_actions

__all__ = ["Trainer", "Learner", "Match", "Assignment", "train"]

LEARNER_METRICS = ("pg_loss", "v_loss", "entropy", "kl_ref", "approx_kl", "clipfrac")


class Learner:
    """An actor with one or more critics and one optimiser (Adam), plus its loss coefficients."""

    def __init__(self, name: str, obs_dim: int, n_actions: int, critic_dim: int, critic_keys: tuple[str, ...],
                 cfg: TrainConfig, generator: Any, device: Any, lr: float, ent_coef: float,
                 kl_coef: float = 0.0, critic_input: str = "obs"):
        self.name = name
        self.actor = Actor(obs_dim, n_actions, cfg.hidden, cfg.layers, generator).to(device)
        self.critics = torch.nn.ModuleDict(
            {k: Critic(critic_dim, cfg.hidden, cfg.layers, generator) for k in critic_keys}).to(device)
        self.base_lr = lr
        self.ent_coef = ent_coef
        self.kl_coef = kl_coef
        self.critic_input = critic_input
        self.kl_reference: Callable[[Any], Any] | None = None   # obs -> reference action probabilities
        self.critic_index = {k: j for j, k in enumerate(critic_keys)}
        self._make_optimizer()

    def _make_optimizer(self) -> None:
        params = list(self.actor.parameters()) + list(self.critics.parameters())
        self.optimizer = torch.optim.Adam(params, lr=self.base_lr, eps=1e-5)

    def state_dict(self) -> dict[str, Any]:
        return {"actor": self.actor.state_dict(), "critics": self.critics.state_dict(),
                "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.actor.load_state_dict(state["actor"])
        self.critics.load_state_dict(state["critics"])
        self.optimizer.load_state_dict(state["optimizer"])


@dataclass
class Assignment:
    """Train ``learner`` on what seat ``seat`` did, with reward ``sign * mean(rewards[reward_seats])``."""

    learner: str
    seat: int
    reward_seats: tuple[int, ...]
    sign: float = 1.0
    weight: float = 1.0
    critic: str = "v"
    bonus: Callable[[Any, Any], Any] | None = None   # (obs, actions) -> extra reward, shape (T, B)


@dataclass
class Match:
    """One rollout: the policy in each seat (a learner name or a frozen module) and what is learned from it."""

    name: str
    seats: list[Any]
    train: list[Assignment] = field(default_factory=list)


@dataclass
class Rollout:
    obs: Any          # (T, N, B, obs_dim)
    states: Any       # (T, B, state_dim)
    actions: Any      # (T, N, B)
    logp: Any         # (T, N, B)
    rewards: Any      # (T, N, B)
    costs: Any        # (T, N, B)
    dones: Any        # (T, B)
    next_obs: Any     # (N, B, obs_dim)
    next_state: Any   # (B, state_dim)

    def episode_means(self) -> tuple[Any, Any]:
        """Mean return and mean private cost per episode of each seat (shape (N,) each)."""
        episodes = self.dones.float().sum(0).clamp(min=1.0)        # (B,)
        ret = (self.rewards.sum(0) / episodes).mean(-1)
        cost = (self.costs.sum(0) / episodes).mean(-1)
        return ret, cost


class Trainer:
    """Train one configuration (``TrainConfig``); optionally log and checkpoint into ``out_dir``.

    See the module docstring for the algorithms and an example.
    """

    def __init__(self, config: TrainConfig, out_dir: str | Path | None = None, env: Any = None):
        self.cfg = cfg = config
        self.device = resolve_device(cfg.device)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.generator = make_generator(cfg.seed, self.device)
        self.np_rng = np.random.default_rng(cfg.seed)
        self.env = env if env is not None else make_env(cfg.env, cfg.n_envs, self.device, **dict(cfg.env_kwargs))
        horizon = getattr(self.env, "horizon", None)
        if horizon and cfg.n_steps % horizon:
            raise ParameterError(
                f"n_steps = {cfg.n_steps} must be a multiple of the episode length {horizon} (rollouts start with a reset)")
        self.n_agents = self.env.n_agents
        if len(set(self.env.n_actions)) != 1 and cfg.algo not in ("ippo", "mappo"):
            raise ParameterError(f"algorithm {cfg.algo!r} shares policies across seats and needs equal action sets, "
                                 f"got {self.env.n_actions}")
        self.memory = PartnerMemory(cfg.memory_capacity)
        self.learners: dict[str, Learner] = {}
        self.update = 0
        self.elapsed = 0.0
        self.env_steps = 0
        self._init_generator = torch.Generator().manual_seed(cfg.seed + 1_000_003)
        self._build()

    # ------------------------------------------------------------------ construction
    def _learner(self, name: str, seat: int = 0, ent_coef: float | None = None, kl_coef: float = 0.0,
                 critic_keys: tuple[str, ...] = ("v",), lr: float | None = None, copy_from: str | None = None) -> Learner:
        cfg, env = self.cfg, self.env
        central = cfg.algo == "mappo"
        critic_dim = env.state_dim + env.obs_dim if central else env.obs_dim
        learner = Learner(name, env.obs_dim, env.n_actions[seat], critic_dim, critic_keys, cfg, self._init_generator,
                          self.device, lr or cfg.lr, cfg.epsilon if ent_coef is None else ent_coef, kl_coef,
                          "state" if central else "obs")
        if copy_from is not None:
            learner.actor.load_state_dict(self.learners[copy_from].actor.state_dict())
        self.learners[name] = learner
        return learner

    def _build(self) -> None:
        cfg, n = self.cfg, self.n_agents
        algo = cfg.algo
        if algo in ("ippo", "mappo"):
            for i in range(n):
                self._learner(f"agent{i}", seat=i)
        elif algo == "selfplay":
            self._learner("shared")
        elif algo in ("srpo", "adversarial"):
            kl = 0.0 if algo == "adversarial" else 1.0 / cfg.tau
            adv_lr = cfg.adversary_lr or cfg.lr
            critics = ("partner", "adversary") if cfg.risk_critic else ("v",)
            if n == 2:
                for i in range(2):
                    self._learner(f"agent{i}", seat=i, critic_keys=critics)
                for i in range(2):
                    adv = self._learner(f"adversary{i}", seat=1 - i, ent_coef=cfg.adversary_entropy, kl_coef=kl,
                                        lr=adv_lr, copy_from=f"agent{i}")
                    adv.kl_reference = self._reference(f"agent{1 - i}")
            else:
                self._learner("shared", critic_keys=critics)
                adv = self._learner("adversary", ent_coef=cfg.adversary_entropy, kl_coef=kl, lr=adv_lr,
                                    copy_from="shared")
                adv.kl_reference = self._reference("shared")
        elif cfg.partner_runs:  # population methods on a population trained elsewhere (e.g. parallel jobs)
            self._learner("agent")
            self._load_partner_runs(cfg.partner_runs)
        else:  # population methods
            for k in range(cfg.population_size):
                self._learner(f"pop{k}")
            self._learner("agent")
            for k in range(cfg.population_size):
                self.memory.add(self.learners[f"pop{k}"].actor, tag=f"pop{k}@init")

    def _load_partner_runs(self, runs: list[str]) -> None:
        """Fill the partner memory with every snapshot (and the final policies) of the given run folders."""
        from rqe.srpo.networks import load_actor

        for run in map(Path, runs):
            files = sorted((run / "snapshots").glob("policies_*.pt")) + [run / "policies.pt"]
            files = [f for f in files if f.exists()]
            if not files:
                raise ParameterError(f"partner run {run} has no policies.pt or snapshots (train it first)")
            for file in files:
                data = torch.load(file, map_location=self.device, weights_only=False)
                seats = data["seats"]
                distinct = seats[:1] if all(torch.equal(seats[0]["state"][k], s["state"][k])
                                            for s in seats for k in seats[0]["state"]) else seats
                for k, seat in enumerate(distinct):
                    actor = load_actor(seat["spec"], seat["state"], self.device)
                    self.memory.add(actor, tag=f"{run.name}/{file.stem}/seat{k}")

    def _reference(self, partner: str) -> Callable[[Any], Any]:
        """KL reference of an adversary: the partner's current policy, or the memory mixture with it."""

        def reference(obs: Any) -> Any:
            with torch.no_grad():
                probs = torch.softmax(self.learners[partner].actor(obs), -1)
                if self.cfg.adversary_reference == "memory" and len(self.memory):
                    k = len(self.memory)
                    probs = (probs + k * self.memory.mixture_probs(obs)) / (k + 1)
            return probs

        return reference

    @property
    def n_population_updates(self) -> int:
        if self.cfg.partner_runs:
            return 0
        return max(1, int(round(self.cfg.population_fraction * self.cfg.n_updates)))

    # ------------------------------------------------------------------ the plan of one update
    def plan(self) -> list[Match]:
        """The rollouts of the current update and the learning assignments on each."""
        cfg, n, algo = self.cfg, self.n_agents, self.cfg.algo
        everyone = tuple(range(n))
        if algo in ("ippo", "mappo"):
            return [Match("team", [f"agent{i}" for i in range(n)],
                          [Assignment(f"agent{i}", i, (i,)) for i in range(n)])]
        if algo == "selfplay":
            return [Match("team", ["shared"] * n, [Assignment("shared", i, (i,)) for i in range(n)])]
        if algo in ("srpo", "adversarial"):
            risk = cfg.risk_critic
            agent_critic = "adversary" if risk else "v"
            agent_weight = cfg.risk_lambda if risk else 1.0
            matches = []
            if n == 2:
                for i in range(2):
                    seats = [f"agent{i}", f"adversary{i}"] if i == 0 else [f"adversary{i}", f"agent{i}"]
                    matches.append(Match(f"adversary{i}", seats, [
                        Assignment(f"agent{i}", i, (i,), weight=agent_weight, critic=agent_critic),
                        Assignment(f"adversary{i}", 1 - i, (i,), sign=-1.0)]))
                if risk:
                    for i in range(2):
                        matches.append(Match(f"partner{i}", ["agent0", "agent1"], [
                            Assignment(f"agent{i}", i, (i,), weight=1.0 - cfg.risk_lambda, critic="partner")]))
            else:
                seat = int(self.np_rng.integers(n))
                others = tuple(k for k in everyone if k != seat)
                seats = ["shared"] * n
                seats[seat] = "adversary"
                matches.append(Match("adversary", seats,
                                     [Assignment("shared", k, (k,), weight=agent_weight, critic=agent_critic)
                                      for k in others] + [Assignment("adversary", seat, others, sign=-1.0)]))
                if risk:
                    matches.append(Match("partner", ["shared"] * n, [
                        Assignment("shared", k, (k,), weight=1.0 - cfg.risk_lambda, critic="partner")
                        for k in everyone]))
            return matches
        # population methods
        if self.update < self.n_population_updates:
            bonus = None if algo == "fcp" else self._diversity_bonus
            return [Match(f"pop{k}", [f"pop{k}"] * n,
                          [Assignment(f"pop{k}", i, (i,), bonus=None if bonus is None else bonus(k))
                           for i in range(n)]) for k in range(cfg.population_size)]
        entry = self.memory.sample(self.np_rng)
        seat = int(self.np_rng.integers(n))
        seats: list[Any] = [entry.actor] * n
        seats[seat] = "agent"
        return [Match(f"br:{entry.tag}", seats, [Assignment("agent", seat, (seat,))])]

    def _diversity_bonus(self, member: int) -> Callable[[Any, Any], Any]:
        alpha, mep = self.cfg.diversity_coef, self.cfg.algo == "mep"

        def bonus(obs: Any, actions: Any) -> Any:
            with torch.no_grad():
                logps = torch.stack([
                    torch.log_softmax(self.learners[f"pop{j}"].actor(obs), -1).gather(-1, actions[..., None])[..., 0]
                    for j in range(self.cfg.population_size)])
                log_mix = torch.logsumexp(logps, 0) - np.log(self.cfg.population_size)
                return alpha * (-log_mix if mep else logps[member] - log_mix)

        return bonus

    # ------------------------------------------------------------------ rollouts and advantages
    def _policy(self, seat_policy: Any) -> Any:
        return self.learners[seat_policy].actor if isinstance(seat_policy, str) else seat_policy

    @torch.no_grad()
    def rollout(self, match: Match) -> Rollout:
        cfg, env, n = self.cfg, self.env, self.n_agents
        T, B, dev = cfg.n_steps, env.n_envs, self.device
        obs = torch.zeros(T, n, B, env.obs_dim, device=dev)
        states = torch.zeros(T, B, env.state_dim, device=dev)
        actions = torch.zeros(T, n, B, dtype=torch.long, device=dev)
        logp = torch.zeros(T, n, B, device=dev)
        rewards = torch.zeros(T, n, B, device=dev)
        costs = torch.zeros(T, n, B, device=dev)
        dones = torch.zeros(T, B, dtype=torch.bool, device=dev)
        policies = [self._policy(p) for p in match.seats]
        current = env.reset(self.generator)
        for t in range(T):
            obs[t] = current
            states[t] = env.state()
            for k, policy in enumerate(policies):
                logits = policy(current[k])
                a = sample_actions(logits, self.generator)
                actions[t, k] = a
                logp[t, k] = torch.log_softmax(logits, -1).gather(-1, a[:, None])[:, 0]
            step = env.step(actions[t], self.generator)
            rewards[t], costs[t], dones[t] = step.rewards, step.costs, step.done
            current = step.obs
        self.env_steps += T * B
        return Rollout(obs, states, actions, logp, rewards, costs, dones, current, env.state())

    def _critic_input(self, learner: Learner, obs: Any, states: Any) -> Any:
        return torch.cat([states, obs], -1) if learner.critic_input == "state" else obs

    @torch.no_grad()
    def advantages(self, rollout: Rollout, job: Assignment) -> dict[str, Any]:
        """GAE(gamma, lambda) advantages and returns of ``job`` on ``rollout`` (CleanRL's recursion)."""
        cfg = self.cfg
        learner = self.learners[job.learner]
        critic = learner.critics[job.critic]
        obs = rollout.obs[:, job.seat]
        crit_in = self._critic_input(learner, obs, rollout.states)
        values = critic(crit_in)
        next_value = critic(self._critic_input(learner, rollout.next_obs[job.seat], rollout.next_state))
        reward = job.sign * rollout.rewards[:, list(job.reward_seats)].mean(1)
        if job.bonus is not None:
            reward = reward + job.bonus(obs, rollout.actions[:, job.seat])
        T = reward.shape[0]
        adv = torch.zeros_like(reward)
        last = torch.zeros_like(reward[0])
        for t in reversed(range(T)):
            nonterminal = 1.0 - rollout.dones[t].float()
            next_v = next_value if t == T - 1 else values[t + 1]
            delta = reward[t] + cfg.gamma * next_v * nonterminal - values[t]
            last = delta + cfg.gamma * cfg.gae_lambda * nonterminal * last
            adv[t] = last
        flat = lambda x: x.reshape(T * x.shape[1], *x.shape[2:])  # noqa: E731
        n = adv.numel()
        return {
            "obs": flat(obs), "crit_in": flat(crit_in), "actions": flat(rollout.actions[:, job.seat]),
            "logp": flat(rollout.logp[:, job.seat]), "adv": flat(adv), "returns": flat(adv + values),
            "values": flat(values), "weight": torch.full((n,), job.weight, device=self.device),
            "critic": torch.full((n,), learner.critic_index[job.critic], dtype=torch.long, device=self.device),
        }

    # ------------------------------------------------------------------ PPO
    def ppo_update(self, learner: Learner, batch: dict[str, Any]) -> dict[str, float]:
        """Clipped PPO epochs on ``batch`` (weighted samples), entropy bonus and optional KL to a reference."""
        cfg = self.cfg
        n = batch["adv"].shape[0]
        minibatch = max(1, n // cfg.n_minibatches)
        sums = dict.fromkeys(LEARNER_METRICS, 0.0)
        count = 0
        for _ in range(cfg.n_epochs):
            order = torch.randperm(n, generator=self.generator, device=self.device)
            for start in range(0, n, minibatch):
                idx = order[start:start + minibatch]
                logits = learner.actor(batch["obs"][idx])
                log_all = torch.log_softmax(logits, -1)
                probs = log_all.exp()
                new_logp = log_all.gather(-1, batch["actions"][idx][:, None])[:, 0]
                entropy = -(probs * log_all).sum(-1).mean()
                log_ratio = new_logp - batch["logp"][idx]
                ratio = log_ratio.exp()
                adv = batch["adv"][idx]
                if cfg.norm_adv and adv.numel() > 1:
                    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                w = batch["weight"][idx]
                pg_loss = (w * torch.max(-adv * ratio, -adv * ratio.clamp(1 - cfg.clip_coef, 1 + cfg.clip_coef))
                           ).sum() / w.sum().clamp(min=1e-12)
                all_values = torch.stack([c(batch["crit_in"][idx]) for c in learner.critics.values()], -1)
                new_v = all_values.gather(-1, batch["critic"][idx][:, None])[:, 0]
                if cfg.clip_vloss:
                    clipped = batch["values"][idx] + (new_v - batch["values"][idx]).clamp(-cfg.clip_coef, cfg.clip_coef)
                    v_loss = 0.5 * torch.max((new_v - batch["returns"][idx]) ** 2,
                                             (clipped - batch["returns"][idx]) ** 2).mean()
                else:
                    v_loss = 0.5 * ((new_v - batch["returns"][idx]) ** 2).mean()
                loss = pg_loss - learner.ent_coef * entropy + cfg.vf_coef * v_loss
                kl_ref = torch.zeros(())
                if "ref_probs" in batch:
                    ref = batch["ref_probs"][idx].clamp(min=1e-12)
                    kl_ref = (probs * (log_all - ref.log())).sum(-1).mean()
                    loss = loss + learner.kl_coef * kl_ref
                learner.optimizer.zero_grad()
                loss.backward()
                params = [p for g in learner.optimizer.param_groups for p in g["params"]]
                torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
                learner.optimizer.step()
                with torch.no_grad():
                    sums["pg_loss"] += float(pg_loss)
                    sums["v_loss"] += float(v_loss)
                    sums["entropy"] += float(entropy)
                    sums["kl_ref"] += float(kl_ref)
                    sums["approx_kl"] += float(((ratio - 1) - log_ratio).mean())
                    sums["clipfrac"] += float(((ratio - 1.0).abs() > cfg.clip_coef).float().mean())
                count += 1
        return {k: v / max(count, 1) for k, v in sums.items()}

    def train_update(self) -> dict[str, float]:
        """Play this update's rollouts, then update every learner that has data (simultaneously)."""
        cfg = self.cfg
        frac = 1.0 - self.update / cfg.n_updates if cfg.anneal_lr else 1.0
        for learner in self.learners.values():
            for group in learner.optimizer.param_groups:
                group["lr"] = frac * learner.base_lr
        matches = self.plan()
        batches: dict[str, list[dict[str, Any]]] = {}
        metrics: dict[str, float] = {"update": self.update + 1, "lr": frac * cfg.lr}
        for m, match in enumerate(matches):
            rollout = self.rollout(match)
            if m == 0:
                ret, cost = rollout.episode_means()
                for k in range(self.n_agents):
                    metrics[f"return_seat{k}"] = float(ret[k])
                    metrics[f"cost_seat{k}"] = float(cost[k])
            if match.name.startswith("partner") and cfg.risk_critic:
                metrics["risk_gap"] = self._risk_gap(rollout, match)
            for job in match.train:
                batches.setdefault(job.learner, []).append(self.advantages(rollout, job))
            if cfg.algo in ("fcp", "mep", "trajedi") and match.name.startswith("pop"):
                self._remember(match, rollout)
        merged = {name: {k: torch.cat([b[k] for b in parts]) for k in parts[0]} for name, parts in batches.items()}
        for name, batch in merged.items():  # references are snapshotted before anyone moves: simultaneous updates
            learner = self.learners[name]
            if learner.kl_coef > 0 and learner.kl_reference is not None:
                batch["ref_probs"] = learner.kl_reference(batch["obs"])
        for name, batch in merged.items():
            for key, value in self.ppo_update(self.learners[name], batch).items():
                metrics[f"{name}/{key}"] = value
        if cfg.algo in ("srpo", "adversarial") and cfg.adversary_reference == "memory" and \
                (self.update + 1) % cfg.memory_every == 0:
            for name in [n for n in self.learners if n.startswith("agent") or n == "shared"]:
                self.memory.add(self.learners[name].actor, tag=f"{name}@{self.update + 1}")
        self.update += 1
        metrics["env_steps"] = self.env_steps
        return metrics

    def _remember(self, match: Match, rollout: Rollout) -> None:
        u = self.update + 1
        if u % self.cfg.memory_every == 0 or u == self.n_population_updates:
            name = match.seats[0]
            self.memory.add(self.learners[name].actor, tag=f"{name}@{u}", obs=rollout.obs[:, 0],
                            actions=rollout.actions[:, 0])

    @torch.no_grad()
    def _risk_gap(self, rollout: Rollout, match: Match) -> float:
        job = match.train[0]
        learner = self.learners[job.learner]
        crit_in = self._critic_input(learner, rollout.obs[:, job.seat], rollout.states)
        return float((learner.critics["partner"](crit_in) - learner.critics["adversary"](crit_in)).mean())

    # ------------------------------------------------------------------ results
    def policies(self) -> list[Any]:
        """The trained policy of each seat (what evaluation and cross-play use)."""
        algo, n = self.cfg.algo, self.n_agents
        if algo in ("ippo", "mappo") or (algo in ("srpo", "adversarial") and n == 2):
            return [self.learners[f"agent{i}"].actor for i in range(n)]
        if algo in ("selfplay", "srpo", "adversarial"):
            return [self.learners["shared"].actor] * n
        return [self.learners["agent"].actor] * n

    def metric_names(self) -> list[str]:
        names = ["update", "env_steps", "time_s", "lr"]
        names += [f"{kind}_seat{k}" for kind in ("return", "cost") for k in range(self.n_agents)]
        if self.cfg.risk_critic:
            names.append("risk_gap")
        names += [f"{name}/{m}" for name in self.learners for m in LEARNER_METRICS]
        return names

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        return {
            "config": self.cfg.to_dict(),
            "update": self.update,
            "env_steps": self.env_steps,
            "elapsed": self.elapsed,
            "learners": {name: learner.state_dict() for name, learner in self.learners.items()},
            "memory": self.memory.state_dict(),
            "torch_generator": self.generator.get_state(),
            "numpy_generator": self.np_rng.bit_generator.state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.update = int(state["update"])
        self.env_steps = int(state["env_steps"])
        self.elapsed = float(state["elapsed"])
        for name, learner_state in state["learners"].items():
            self.learners[name].load_state_dict(learner_state)
        self.memory.load_state_dict(state["memory"])
        self.generator.set_state(state["torch_generator"])
        self.np_rng.bit_generator.state = state["numpy_generator"]

    def save_checkpoint(self, path: str | Path) -> None:
        path = Path(path)
        tmp = path.with_suffix(".tmp")
        torch.save(self.state_dict(), tmp)
        tmp.replace(path)

    def load_checkpoint(self, path: str | Path) -> None:
        self.load_state_dict(torch.load(path, map_location=self.device, weights_only=False))

    def export_policies(self, path: str | Path) -> None:
        """Save the per-seat policies with what is needed to rebuild them (see :func:`rqe.srpo.evaluate.load_run`)."""
        torch.save({
            "algo": self.cfg.algo, "seed": self.cfg.seed, "env": self.cfg.env, "env_kwargs": dict(self.cfg.env_kwargs),
            "seats": [{"spec": a.spec(), "state": a.state_dict()} for a in self.policies()],
        }, path)

    # ------------------------------------------------------------------ the loop
    def train(self, progress: bool = True, resume: bool = False,
              callback: Callable[[Trainer, dict[str, float]], None] | None = None) -> list[dict[str, float]]:
        """Run the remaining updates; with ``out_dir``: metrics CSV, checkpoints every K updates, final policies."""
        cfg = self.cfg
        out = self.out_dir
        names = self.metric_names()
        ckpt = out / "checkpoint.pt" if out else None
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2, default=str))
            if resume and ckpt.exists():
                self.load_checkpoint(ckpt)
            self._prepare_csv(out / "metrics.csv", names)
            if self.update == 0:
                (out / "snapshots").mkdir(exist_ok=True)
                self.export_policies(out / "snapshots" / "policies_00000.pt")
        history: list[dict[str, float]] = []
        bar = _progress(cfg.n_updates, self.update, f"{cfg.algo} seed {cfg.seed}") if progress else None
        while self.update < cfg.n_updates:
            start = time.perf_counter()
            metrics = self.train_update()
            self.elapsed += time.perf_counter() - start
            metrics["time_s"] = self.elapsed
            history.append(metrics)
            if out:
                with open(out / "metrics.csv", "a", newline="") as fh:
                    csv.DictWriter(fh, fieldnames=names, extrasaction="ignore").writerow(metrics)
                if self.update % cfg.checkpoint_every == 0 or self.update == cfg.n_updates:
                    self.save_checkpoint(ckpt)
                    (out / "snapshots").mkdir(exist_ok=True)
                    self.export_policies(out / "snapshots" / f"policies_{self.update:05d}.pt")
            if bar is not None:
                bar.update(1)
                bar.set_postfix(ret=f"{metrics.get('return_seat0', float('nan')):.3g}")
            if callback is not None:
                callback(self, metrics)
        if bar is not None:
            bar.close()
        if out:
            self.export_policies(out / "policies.pt")
        return history

    def _prepare_csv(self, path: Path, names: list[str]) -> None:
        """Write the header, or keep only the rows up to the restored update (a resumed run appends after them)."""
        rows: list[dict[str, str]] = []
        if path.exists() and self.update > 0:
            with open(path, newline="") as fh:
                rows = [r for r in csv.DictReader(fh) if r.get("update") and int(float(r["update"])) <= self.update]
        with open(path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=names, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)


def _progress(total: int, initial: int, desc: str) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm ships with the srpo extra
        return None
    return tqdm(total=total, initial=initial, desc=desc, leave=False, dynamic_ncols=True)


def train(config: TrainConfig, out_dir: str | Path | None = None, progress: bool = False,
          resume: bool = False) -> Trainer:
    """Build a :class:`Trainer` for ``config``, run it to the end and return it (used by parallel jobs).

    >>> trainer = train(TrainConfig(algo="ippo", env="collaborate_defect", total_steps=256, n_envs=32, n_steps=4,
    ...                             device="cpu"))
    >>> len(trainer.policies())
    2
    """
    trainer = Trainer(config, out_dir)
    trainer.train(progress=progress, resume=resume)
    return trainer
