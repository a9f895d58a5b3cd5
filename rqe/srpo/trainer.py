"""One PPO trainer for every algorithm of the SRPO layer (``docs/rqe-math.md`` section 8).

The loop reads top to bottom like CleanRL's PPO: ask the algorithm (:mod:`rqe.srpo.algorithms`) for the matches
of this update, play them, compute GAE advantages, run clipped-PPO epochs on each learner (:mod:`rqe.srpo.ppo`),
log, checkpoint. What differs between algorithms is only the *plan*: which policy sits in which seat and which
learner is trained on which seat with which reward; see :mod:`rqe.srpo.algorithms` for the algorithms.

Budget: ``total_steps`` environment steps for every algorithm (:func:`rqe.srpo.algorithms.schedule`). A rollout
of ``n_steps`` starts from a reset and may end inside an episode, which is then bootstrapped from the critic.
Randomness: one torch generator per run. On an environment that takes its noise from the trainer (the cooking
gridworld, matrix games, Tag: it has ``noise_width``, ``noise_from(u)``, ``reset_shape`` and ``reset(noise=u)``) each
rollout draws the uniforms of its starting reset (:func:`reset_uniforms`: the cooking start swaps, Tag's start
positions) and then all its other uniforms (action sampling and environment noise) in one call, so a population of
runs can draw exactly the same numbers; other environments draw from the run's generator themselves.

Seats: each seat of a match holds a learner, a frozen policy, or a :class:`~rqe.srpo.algorithms.PerCopy` mixture
whose policy differs between environment copies (SRPO with a shared policy puts its adversary on one seat per
copy, ``docs/rqe-math.md`` section 8); an :class:`~rqe.srpo.algorithms.Assignment` with ``copies`` learns only
from the copies where its learner sat in its seat (GAE is computed per copy first, so nothing crosses copies).

Legal actions: on an environment with ``legal_mask()`` (Hanabi, :mod:`rqe.srpo.hanabi`) every policy, learner or
frozen partner, samples from its logits masked to the legal actions (:func:`rqe.srpo.ppo.mask_logits`); the masks
are stored with the rollout, so the PPO update, its entropy bonus, the adversary's KL reference and the diversity
bonuses are computed under the same masked distributions. Environments without ``legal_mask`` are untouched.

Reward shaping (:mod:`rqe.srpo.shaping`): on an environment whose steps report ``Step.shaping`` (the cooking
gridworld built with ``shaping=...``) the rollout keeps that bonus beside the true rewards, and only the advantages
use ``rewards + shaping``; the logged returns and costs are the true ones.

Resuming from a checkpoint restores networks, optimisers, the partner memory and the states of the torch and numpy
generators, so a resumed run reproduces the uninterrupted one bit for bit on CPU; the checkpoint's configuration
must equal the resuming run's. Every file goes through :mod:`rqe._files` (atomic replace), so a kill leaves the
previous version of each file whole.

Example
-------
>>> from rqe.srpo import TrainConfig, Trainer
>>> cfg = TrainConfig(algo="srpo", env="collaborate_defect", total_steps=1024, n_envs=64, n_steps=4,
...                   n_minibatches=2, device="cpu")
>>> trainer = Trainer(cfg)
>>> metrics = trainer.train(progress=False)
>>> trainer.update, trainer.env_steps
(2, 1024)
"""

from __future__ import annotations

import csv
import math
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rqe._files import atomic_write, make_folder, write_bytes, write_text
from rqe.errors import FileFormatError, ParameterError
from rqe.srpo._torch import make_generator, resolve_device, rollout_threads, torch
from rqe.srpo.algorithms import Assignment, Match, PerCopy, make_algorithm, schedule
from rqe.srpo.config import TrainConfig
from rqe.srpo.envs import make_env
from rqe.srpo.memory import PartnerMemory
from rqe.srpo.networks import Actor, Critic, sample_actions
from rqe.srpo.ppo import gae, gumbel_argmax, mask_logits, ppo_loss

__all__ = ["Trainer", "Learner", "Match", "Assignment", "train", "load_checkpoint_file", "save_torch"]

LEARNER_METRICS = ("pg_loss", "v_loss", "entropy", "kl_ref", "approx_kl", "clipfrac")


class Learner:
    """An actor with one or more critics and one optimiser (Adam), plus its loss coefficients."""

    def __init__(self, name: str, obs_dim: int, n_actions: int, critic_dim: int, critic_keys: tuple[str, ...],
                 cfg: TrainConfig, generator: Any, device: Any, lr: float, ent_coef: float,
                 kl_coef: float = 0.0, critic_input: str = "obs"):
        self.name = name
        self.actor = Actor(obs_dim, n_actions, cfg.hidden, cfg.layers, generator, cfg.init).to(device)
        self.critics = torch.nn.ModuleDict(
            {k: Critic(critic_dim, cfg.hidden, cfg.layers, generator, cfg.init) for k in critic_keys}).to(device)
        self.adam_eps = cfg.adam_eps
        self.base_lr = lr
        self.ent_coef = ent_coef
        self.kl_coef = kl_coef
        self.critic_input = critic_input
        self.kl_reference: Callable[..., Any] | None = None   # (obs, mask) -> reference action probabilities
        self.critic_index = {k: j for j, k in enumerate(critic_keys)}
        self._make_optimizer()

    def _make_optimizer(self) -> None:
        params = list(self.actor.parameters()) + list(self.critics.parameters())
        self.optimizer = torch.optim.Adam(params, lr=self.base_lr, eps=self.adam_eps)

    def state_dict(self) -> dict[str, Any]:
        return {"actor": self.actor.state_dict(), "critics": self.critics.state_dict(),
                "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.actor.load_state_dict(state["actor"])
        self.critics.load_state_dict(state["critics"])
        self.optimizer.load_state_dict(state["optimizer"])


@dataclass
class Rollout:
    obs: Any          # (T, N, B, obs_dim)
    states: Any       # (T, B, state_dim); None when no critic reads the global state
    actions: Any      # (T, N, B)
    logp: Any         # (T, N, B)
    rewards: Any      # (T, N, B)
    costs: Any        # (T, N, B)
    dones: Any        # (T, B)
    next_obs: Any     # (N, B, obs_dim)
    next_state: Any   # (B, state_dim)
    masks: Any = None  # (T, N, B, max n_actions) legal actions, on environments with legal_mask()
    shaping: Any = None  # (T, N, B) reward-shaping bonus, on environments that report Step.shaping

    def training_rewards(self) -> Any:
        """What learners learn from: the true rewards plus the shaping bonus, if any (:mod:`rqe.srpo.shaping`)."""
        return self.rewards if self.shaping is None else self.rewards + self.shaping

    def episode_means(self) -> tuple[Any, Any]:
        """Mean return and mean private cost per *complete* episode of each seat (shape (N,) each).

        Steps after the last episode end of a copy (an episode cut by the end of the rollout) are left out; a
        rollout without any complete episode falls back to the per-step means times the rollout length.
        """
        done = self.dones.float()                                   # (T, B)
        complete = torch.flip(torch.cummax(torch.flip(done, [0]), 0).values, [0])   # 1 up to the last done
        episodes = done.sum()
        if float(episodes) == 0:
            T = done.shape[0]
            return self.rewards.mean((0, 2)) * T, self.costs.mean((0, 2)) * T
        ret = (self.rewards * complete[:, None]).sum((0, 2)) / episodes
        cost = (self.costs * complete[:, None]).sum((0, 2)) / episodes
        return ret, cost


class Trainer:
    """Train one configuration (``TrainConfig``); optionally log and checkpoint into ``out_dir``.

    See the module docstring for the loop and :mod:`rqe.srpo.algorithms` for the algorithms.
    """

    def __init__(self, config: TrainConfig, out_dir: str | Path | None = None, env: Any = None):
        if not isinstance(config, TrainConfig):
            raise ParameterError(f"config must be a TrainConfig, got {type(config).__name__}")
        self.cfg = cfg = config
        self.device = resolve_device(cfg.device)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.generator = make_generator(cfg.seed, self.device)
        self.np_rng = np.random.default_rng(cfg.seed)
        self.env = env if env is not None else make_env(cfg.env, cfg.n_envs, self.device, **dict(cfg.env_kwargs))
        if self.env.n_envs != cfg.n_envs:
            raise ParameterError(f"the environment holds {self.env.n_envs} copies but n_envs = {cfg.n_envs}")
        self.n_agents = self.env.n_agents
        if len(set(self.env.n_actions)) != 1 and cfg.algo not in ("ippo", "mappo"):
            raise ParameterError(f"algorithm {cfg.algo!r} shares policies across seats and needs equal action sets, "
                                 f"got {self.env.n_actions}")
        self.algorithm = make_algorithm(cfg, self.n_agents, tuple(self.env.n_actions))
        self.n_updates = schedule(cfg, self.n_agents)
        self.memory = PartnerMemory(cfg.memory_capacity)
        self.learners: dict[str, Learner] = {}
        self.update = 0
        self.elapsed = 0.0
        self.env_steps = 0
        self._init_generator = torch.Generator().manual_seed(cfg.seed + 1_000_003)
        self.algorithm.build(self)

    # ------------------------------------------------------------------ construction (used by the algorithms)
    def add_learner(self, name: str, seat: int = 0, ent_coef: float | None = None, kl_coef: float = 0.0,
                    critic_keys: tuple[str, ...] = ("v",), lr: float | None = None,
                    copy_from: str | None = None) -> Learner:
        """Create learner ``name`` (actor for ``seat``'s actions, critics ``critic_keys``); initial weights come
        from the run's initialisation generator in creation order; ``copy_from`` copies another learner's actor."""
        cfg, env = self.cfg, self.env
        central = self.algorithm.central_critic
        critic_dim = env.state_dim + env.obs_dim if central else env.obs_dim
        learner = Learner(name, env.obs_dim, env.n_actions[seat], critic_dim, critic_keys, cfg, self._init_generator,
                          self.device, lr or cfg.lr, cfg.epsilon if ent_coef is None else ent_coef, kl_coef,
                          "state" if central else "obs")
        if copy_from is not None:
            learner.actor.load_state_dict(self.learners[copy_from].actor.state_dict())
        self.learners[name] = learner
        return learner

    def load_partner_runs(self, runs: list[str]) -> None:
        """Fill the partner memory from run folders (the snapshots ``cfg.partner_snapshots`` selects,
        :func:`rqe.srpo.memory.partner_files`) and scripted zoo partners named ``"zoo:NAME"``
        (:func:`rqe.srpo.memory.zoo_partner`, cooking gridworld only)."""
        from rqe.srpo.memory import partner_files, zoo_partner
        from rqe.srpo.networks import load_actor

        for name in runs:
            if name.startswith("zoo:"):
                if self.cfg.env != "cooking":
                    raise ParameterError(f"zoo partner {name!r} plays the cooking gridworld, not {self.cfg.env!r}")
                source = {"zoo": name[4:], "env_kwargs": dict(self.cfg.env_kwargs)}
                self.memory.add(zoo_partner(**source).to(self.device), tag=name, source=source)
                continue
            run = Path(name)
            for file in partner_files(run, self.cfg.partner_snapshots):
                data = load_policies_file(file, self.device)
                seats = data["seats"]
                distinct = seats[:1] if all(torch.equal(seats[0]["state"][k], s["state"][k])
                                            for s in seats for k in seats[0]["state"]) else seats
                for k, seat in enumerate(distinct):
                    actor = load_actor(seat["spec"], seat["state"], self.device)
                    self.memory.add(actor, tag=f"{run.name}/{file.stem}/seat{k}")

    def reference(self, partner: str) -> Callable[[Any], Any]:
        """KL reference of an adversary: the partner's current policy, or the memory mixture with it (each masked
        to the legal actions ``mask`` when given)."""

        def reference(obs: Any, mask: Any = None) -> Any:
            with torch.no_grad():
                probs = torch.softmax(mask_logits(self.learners[partner].actor(obs), mask), -1)
                if self.cfg.adversary_reference == "memory" and len(self.memory):
                    k = len(self.memory)
                    probs = (probs + k * self.memory.mixture_probs(obs, mask)) / (k + 1)
            return probs

        return reference

    @property
    def n_population_updates(self) -> int:
        return self.algorithm.population_updates()

    def plan(self) -> list[Match]:
        """The rollouts of the current update and the learning assignments on each."""
        return self.algorithm.plan(self)

    # ------------------------------------------------------------------ rollouts and advantages
    def _policy(self, seat_policy: Any) -> Any:
        """The callable ``obs -> logits`` of a seat: a learner's actor, a frozen module, or a :class:`PerCopy`
        mixture (each copy's row of logits from its own policy)."""
        if isinstance(seat_policy, PerCopy):
            first = int(seat_policy.choice[0])
            if bool((seat_policy.choice == first).all()):      # one policy in every copy: no mixing needed
                return self._policy(seat_policy.policies[first])
            members = [self._policy(p) for p in seat_policy.policies]
            choice = seat_policy.choice[:, None]

            def per_copy(obs: Any) -> Any:
                logits = members[0](obs)
                for j, member in enumerate(members[1:], 1):
                    logits = torch.where(choice == j, member(obs), logits)
                return logits

            return per_copy
        return self.learners[seat_policy].actor if isinstance(seat_policy, str) else seat_policy

    @torch.no_grad()
    def rollout(self, match: Match) -> Rollout:
        """Play ``n_steps`` steps of ``match`` on every copy, starting from a reset."""
        cfg, env, n = self.cfg, self.env, self.n_agents
        T, B, dev = cfg.n_steps, env.n_envs, self.device
        obs = torch.zeros(T, n, B, env.obs_dim, device=dev)
        needs_state = any(lr.critic_input == "state" for lr in self.learners.values())   # a centralised critic
        seat0_state = getattr(env, "state_is_seat0_observation", False)
        states = torch.zeros(T, B, env.state_dim, device=dev) if needs_state and not seat0_state else None
        actions = torch.zeros(T, n, B, dtype=torch.long, device=dev)
        logp = torch.zeros(T, n, B, device=dev)
        rewards = torch.zeros(T, n, B, device=dev)
        costs = torch.zeros(T, n, B, device=dev)
        dones = torch.zeros(T, B, dtype=torch.bool, device=dev)
        shaping = None
        policies = [self._policy(p) for p in match.seats]
        width = env.noise_width if takes_trainer_noise(env) else None
        a_max = max(env.n_actions)
        masked = hasattr(env, "legal_mask")
        masks = torch.zeros(T, n, B, a_max, dtype=torch.bool, device=dev) if masked else None
        if width is not None:   # all of this rollout's randomness in two draws (see the module docstring)
            current = env.reset(noise=reset_uniforms(env, B, self.generator, dev))
            uniforms = torch.rand(T, B, n * a_max + width, generator=self.generator, device=dev)
        else:
            current = env.reset(self.generator)
        legal = env.legal_mask() if masked else None
        for t in range(T):
            obs[t] = current
            if states is not None:
                states[t] = env.state()
            if masked:
                masks[t] = legal
            for k, policy in enumerate(policies):
                logits = policy(current[k])
                if masked:
                    logits = mask_logits(logits, legal[k, :, :logits.shape[-1]])
                if width is not None:
                    a = gumbel_argmax(logits, uniforms[t, :, k * a_max:k * a_max + logits.shape[-1]])
                else:
                    a = sample_actions(logits, self.generator)
                actions[t, k] = a
                logp[t, k] = torch.log_softmax(logits, -1).gather(-1, a[:, None])[:, 0]
            if width is not None:
                step = env.step(actions[t], noise=env.noise_from(uniforms[t, :, n * a_max:]))
            else:
                step = env.step(actions[t], self.generator)
            rewards[t], costs[t], dones[t] = step.rewards, step.costs, step.done
            if getattr(step, "shaping", None) is not None:
                if shaping is None:
                    shaping = torch.zeros(T, n, B, device=dev)
                shaping[t] = step.shaping
            current = step.obs
            if masked:
                legal = getattr(step, "legal_mask", None)
                legal = env.legal_mask() if legal is None else legal
        self.env_steps += T * B
        if states is None and needs_state:          # the state is seat 0's observation
            states, next_state = obs[:, 0], current[0]
        else:
            next_state = env.state() if needs_state else None
        return Rollout(obs, states, actions, logp, rewards, costs, dones, current, next_state, masks, shaping)

    def _critic_input(self, learner: Learner, obs: Any, states: Any) -> Any:
        return torch.cat([states, obs], -1) if learner.critic_input == "state" else obs

    @torch.no_grad()
    def advantages(self, rollout: Rollout, job: Assignment) -> dict[str, Any]:
        """GAE(gamma, lambda) advantages and returns of ``job`` on ``rollout`` (:func:`rqe.srpo.ppo.gae`)."""
        cfg = self.cfg
        learner = self.learners[job.learner]
        critic = learner.critics[job.critic]
        obs = rollout.obs[:, job.seat]
        crit_in = self._critic_input(learner, obs, rollout.states)
        values = critic(crit_in)
        next_value = critic(self._critic_input(learner, rollout.next_obs[job.seat], rollout.next_state))
        reward = job.sign * rollout.training_rewards()[:, list(job.reward_seats)].mean(1)
        mask = None
        if rollout.masks is not None:
            mask = rollout.masks[:, job.seat, :, :learner.actor.n_actions]
        if job.bonus is not None:
            extra = (job.bonus(obs, rollout.actions[:, job.seat]) if mask is None
                     else job.bonus(obs, rollout.actions[:, job.seat], mask))
            reward = reward + extra
        adv = gae(reward, values, next_value, rollout.dones, cfg.gamma, cfg.gae_lambda)
        keep = job.copies        # per-copy seating: only the copies where this learner sat in job.seat
        flat = lambda x: (x if keep is None else x[:, keep]).reshape(-1, *x.shape[2:])  # noqa: E731
        batch = {
            "obs": flat(obs), "crit_in": flat(crit_in), "actions": flat(rollout.actions[:, job.seat]),
            "logp": flat(rollout.logp[:, job.seat]), "adv": flat(adv), "returns": flat(adv + values),
            "values": flat(values),
        }
        n = batch["adv"].shape[0]
        batch["weight"] = torch.full((n,), job.weight, device=self.device)
        batch["critic"] = torch.full((n,), learner.critic_index[job.critic], dtype=torch.long, device=self.device)
        if mask is not None:
            batch["mask"] = flat(mask)
        return batch

    # ------------------------------------------------------------------ PPO
    def ppo_update(self, learner: Learner, batch: dict[str, Any]) -> dict[str, float]:
        """Clipped PPO epochs on ``batch`` (weighted samples), entropy bonus and optional KL to a reference."""
        cfg = self.cfg
        n = batch["adv"].shape[0]
        minibatch = max(1, n // cfg.n_minibatches)
        sums: dict[str, float] = dict.fromkeys(LEARNER_METRICS, 0.0)
        count = 0
        params = [p for g in learner.optimizer.param_groups for p in g["params"]]
        for _ in range(cfg.n_epochs):
            order = (torch.randperm(n, generator=self.generator, device=self.device) if cfg.n_minibatches > 1
                     else torch.arange(n, device=self.device))
            for start in range(0, n, minibatch):
                idx = order[start:start + minibatch]
                all_values = torch.stack([c(batch["crit_in"][idx]) for c in learner.critics.values()], -1)
                new_v = all_values.gather(-1, batch["critic"][idx][:, None])[:, 0]
                loss, stats = ppo_loss(
                    learner.actor(batch["obs"][idx]), batch["actions"][idx], batch["logp"][idx], batch["adv"][idx],
                    batch["weight"][idx], new_v, batch["values"][idx], batch["returns"][idx],
                    clip_coef=cfg.clip_coef, vf_coef=cfg.vf_coef, ent_coef=learner.ent_coef, norm_adv=cfg.norm_adv,
                    clip_vloss=cfg.clip_vloss, ref_probs=batch["ref_probs"][idx] if "ref_probs" in batch else None,
                    kl_coef=learner.kl_coef, kl_direction=cfg.kl_direction,
                    mask=batch["mask"][idx] if "mask" in batch else None)
                learner.optimizer.zero_grad()
                loss.backward()
                if cfg.max_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
                learner.optimizer.step()
                for key, value in stats.items():
                    sums[key] += float(value)
                count += 1
        return {k: v / max(count, 1) for k, v in sums.items()}

    def _set_learning_rates(self) -> float:
        frac = 1.0 - self.update / self.n_updates if self.cfg.anneal_lr else 1.0
        for learner in self.learners.values():
            for group in learner.optimizer.param_groups:
                group["lr"] = frac * learner.base_lr
        return frac

    def _update_learners(self, batches: dict[str, list[dict[str, Any]]], metrics: dict[str, float]) -> None:
        merged = {name: {k: torch.cat([b[k] for b in parts]) for k in parts[0]} for name, parts in batches.items()}
        for name, batch in merged.items():  # references are snapshotted before anyone moves
            learner = self.learners[name]
            if learner.kl_coef > 0 and learner.kl_reference is not None:
                batch["ref_probs"] = (learner.kl_reference(batch["obs"]) if "mask" not in batch
                                      else learner.kl_reference(batch["obs"], batch["mask"]))
        for name, batch in merged.items():
            for key, value in self.ppo_update(self.learners[name], batch).items():
                metrics[f"{name}/{key}"] = value

    def train_update(self) -> dict[str, float]:
        """Play this update's rollouts and update the learners (all at once, or after each rollout)."""
        cfg = self.cfg
        frac = self._set_learning_rates()
        metrics: dict[str, float] = {"update": self.update + 1, "lr": frac * cfg.lr}
        sequential = cfg.update_order == "sequential"
        batches: dict[str, list[dict[str, Any]]] = {}
        for m, match in enumerate(self.plan()):
            with rollout_threads(self.env.n_envs, self.device):
                rollout = self.rollout(match)
            if m == 0:
                ret, cost = rollout.episode_means()
                for k in range(self.n_agents):
                    metrics[f"return_seat{k}"] = float(ret[k])
                    metrics[f"cost_seat{k}"] = float(cost[k])
            self.algorithm.after_rollout(self, match, rollout, metrics)
            for job in match.train:
                batches.setdefault(job.learner, []).append(self.advantages(rollout, job))
            if sequential:
                self._update_learners(batches, metrics)
                batches = {}
        self._update_learners(batches, metrics)
        self.algorithm.after_update(self)
        self.update += 1
        metrics["env_steps"] = self.env_steps
        return metrics

    @torch.no_grad()
    def risk_gap(self, rollout: Rollout, match: Match) -> float:
        """Mean gap ``V_partner - V_adversary`` of the agent's two critics on ``rollout``."""
        job = match.train[0]
        learner = self.learners[job.learner]
        crit_in = self._critic_input(learner, rollout.obs[:, job.seat], rollout.states)
        return float((learner.critics["partner"](crit_in) - learner.critics["adversary"](crit_in)).mean())

    # ------------------------------------------------------------------ results
    def policies(self) -> list[Any]:
        """The trained policy of each seat (what evaluation and cross-play use)."""
        return self.algorithm.policies(self)

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
        self.memory.load_state_dict(state["memory"], self.device)
        self.generator.set_state(state["torch_generator"])
        self.np_rng.bit_generator.state = state["numpy_generator"]

    def save_checkpoint(self, path: str | Path) -> None:
        save_torch(self.state_dict(), path)

    def load_checkpoint(self, path: str | Path) -> None:
        """Restore a checkpoint written by :meth:`save_checkpoint`, after checking that it is whole and that its
        configuration equals this run's (``device`` and ``checkpoint_every`` may differ)."""
        state = load_checkpoint_file(path, self.device)
        try:
            saved = TrainConfig.from_dict(dict(state["config"]))
        except (KeyError, TypeError, ParameterError) as exc:
            raise FileFormatError(f"checkpoint holds no valid configuration ({exc})", path=str(path)) from exc
        differ = saved.differences(self.cfg, ignore=("device", "checkpoint_every"))
        if differ:
            listed = ", ".join(f"{k}: {a!r} in the checkpoint, {b!r} now" for k, a, b in
                               ((k, *v) for k, v in differ.items()))
            raise ParameterError(f"cannot resume {path}: the configuration differs ({listed}); "
                                 f"train into a new folder or resume with the checkpoint's settings")
        try:
            self.load_state_dict(state)
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise FileFormatError(f"checkpoint does not fit this run ({exc})", path=str(path)) from exc

    def export_policies(self, path: str | Path) -> None:
        """Save the per-seat policies with what is needed to rebuild them (see :func:`rqe.srpo.evaluate.load_run`)."""
        save_torch({
            "algo": self.cfg.algo, "seed": self.cfg.seed, "env": self.cfg.env, "env_kwargs": dict(self.cfg.env_kwargs),
            "seats": [{"spec": a.spec(), "state": a.state_dict()} for a in self.policies()],
        }, path)

    # ------------------------------------------------------------------ the loop
    def train(self, progress: bool = True, resume: bool = False,
              callback: Callable[[Trainer, dict[str, float]], None] | None = None) -> list[dict[str, float]]:
        """Run the remaining updates; with ``out_dir``: metrics CSV, checkpoints every K updates, final policies.

        ``metrics.csv`` is rewritten (atomically) at every checkpoint, so it always matches the checkpoint on disk.
        ``resume=True`` needs ``out_dir/checkpoint.pt`` (:class:`rqe.errors.ParameterError` otherwise).
        """
        cfg = self.cfg
        out = self.out_dir
        names = self.metric_names()
        ckpt = out / "checkpoint.pt" if out else None
        rows: list[dict[str, Any]] = []
        if resume and out is None:
            raise ParameterError("resume=True needs an output folder holding checkpoint.pt")
        if out:
            if resume:
                if not ckpt.is_file():
                    raise ParameterError(f"cannot resume: {ckpt} does not exist (train without --resume first)")
                self.load_checkpoint(ckpt)
            make_folder(out)
            write_text(out / "config.json", json.dumps(cfg.to_dict(), indent=2, default=str))
            rows = self._previous_rows(out / "metrics.csv") if resume else []
            make_folder(out / "snapshots")
            snapshot = out / "snapshots" / f"policies_{self.update:05d}.pt"
            if self.update == 0 or not _loads(snapshot, self.device):
                self.export_policies(snapshot)       # missing or unreadable: rewritten from the restored state
            _write_csv(out / "metrics.csv", names, rows)
        history: list[dict[str, float]] = []
        bar = _progress(self.n_updates, self.update, f"{cfg.algo} seed {cfg.seed}") if progress else None
        while self.update < self.n_updates:
            start = time.perf_counter()
            metrics = self.train_update()
            self.elapsed += time.perf_counter() - start
            metrics["time_s"] = self.elapsed
            history.append(metrics)
            rows.append(metrics)
            if out and (self.update % cfg.checkpoint_every == 0 or self.update == self.n_updates):
                self.save_checkpoint(ckpt)
                self.export_policies(out / "snapshots" / f"policies_{self.update:05d}.pt")
                _write_csv(out / "metrics.csv", names, rows)
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

    def _previous_rows(self, path: Path) -> list[dict[str, str]]:
        """The metric rows up to the restored update (a resumed run continues after them)."""
        if not path.is_file() or self.update == 0:
            return []
        try:
            with open(path, newline="") as fh:
                return [r for r in csv.DictReader(fh) if r.get("update") and int(float(r["update"])) <= self.update]
        except (OSError, ValueError, csv.Error) as exc:
            raise FileFormatError(f"cannot read the metrics of the run being resumed ({exc})", path=str(path)) from exc


#: What an environment that takes its noise from the trainer has (the module docstring, :mod:`rqe.srpo.envs`).
TRAINER_NOISE = ("noise_width", "noise_from", "reset_shape")


def takes_trainer_noise(env: Any) -> bool:
    """Whether ``env`` takes its noise from the trainer: it has ``noise_width``, and then it must also have
    ``noise_from`` and ``reset_shape`` (:data:`TRAINER_NOISE`; a ``ParameterError`` names what it lacks)."""
    if getattr(env, "noise_width", None) is None:
        return False
    missing = [name for name in TRAINER_NOISE if not hasattr(env, name)]
    if missing:
        raise ParameterError(f"{type(env).__name__} has noise_width but not {', '.join(missing)}: an environment "
                             f"that takes its noise from the trainer needs all of {', '.join(TRAINER_NOISE)} and "
                             f"reset(noise=u) (rqe.srpo.envs)")
    return True


def reset_uniforms(env: Any, n_copies: int, generator: Any, device: Any) -> Any:
    """The uniforms that start a rollout of ``n_copies`` on an environment that takes its noise from the trainer,
    for ``env.reset(noise=...)``: shape ``(n_copies, *env.reset_shape)`` (the cooking gridworld's start swaps,
    ``()`` per copy, which matrix games ignore; Tag's start positions, ``(reset_width,)`` per copy)."""
    return torch.rand((n_copies, *env.reset_shape), generator=generator, device=device)


def save_torch(obj: Any, path: str | Path) -> None:
    """``torch.save`` into :func:`rqe._files.atomic_write` (the old file stays whole until the new one is complete)."""
    with atomic_write(path, "wb") as handle:
        torch.save(obj, handle)


def _read_torch(path: str | Path, device: Any, what: str) -> Any:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            return torch.load(io.BytesIO(fh.read()), map_location=device, weights_only=False)
    except FileNotFoundError as exc:
        raise FileFormatError(f"{what} not found", path=str(path)) from exc
    except OSError as exc:
        raise FileFormatError(f"cannot read {what}: {exc.strerror or exc}", path=str(path)) from exc
    except Exception as exc:  # torch raises many types for a truncated or foreign file
        raise FileFormatError(f"{what} is corrupt or not a torch file ({type(exc).__name__}: {exc})",
                              path=str(path)) from exc


def load_checkpoint_file(path: str | Path, device: Any = "cpu") -> dict[str, Any]:
    """Read a checkpoint, checking that it is whole and has the expected entries (:class:`FileFormatError`)."""
    state = _read_torch(path, device, "checkpoint")
    needed = ("config", "update", "env_steps", "elapsed", "learners", "memory", "torch_generator", "numpy_generator")
    if not isinstance(state, dict) or any(k not in state for k in needed):
        raise FileFormatError(f"not a training checkpoint (expected the entries {needed})", path=str(path))
    return state


def load_policies_file(path: str | Path, device: Any = "cpu") -> dict[str, Any]:
    """Read a ``policies.pt`` / snapshot file written by :meth:`Trainer.export_policies`, checking its entries."""
    data = _read_torch(path, device, "policies file")
    ok = isinstance(data, dict) and isinstance(data.get("seats"), list) and data["seats"] and all(
        isinstance(s, dict) and "spec" in s and "state" in s for s in data["seats"])
    if not ok:
        raise FileFormatError("not a policies file (expected 'seats' with 'spec' and 'state' each)", path=str(path))
    return data


def _loads(path: Path, device: Any) -> bool:
    try:
        load_policies_file(path, device)
        return True
    except FileFormatError:
        return False


def _write_csv(path: Path, names: list[str], rows: list[dict[str, Any]]) -> None:
    """``metrics.csv`` and, when TensorBoard is installed, the same rows as TensorBoard scalars beside it
    (``tensorboard/``; ``tensorboard --logdir OUT``). Both are rewritten whole, atomically, at every checkpoint,
    so they always match the checkpoint on disk."""
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    write_tensorboard(path.parent / "tensorboard", names, rows)


def write_tensorboard(folder: Path, names: list[str], rows: list[dict[str, Any]]) -> Path | None:
    """Write ``rows`` (one dict per update, with ``update``) as TensorBoard scalars into one event file in
    ``folder``, replacing the previous one atomically; None (nothing written) without the tensorboard package."""
    import importlib.util
    import tempfile

    if importlib.util.find_spec("tensorboard") is None:
        return None
    from torch.utils.tensorboard import SummaryWriter

    make_folder(folder)
    target = folder / "events.out.tfevents.rqe"
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        writer = SummaryWriter(log_dir=scratch)
        for row in rows:
            step = int(float(row.get("update", 0)))
            for name in names:
                try:   # rows read back from metrics.csv on resume hold strings
                    value = float(row.get(name))
                except (TypeError, ValueError):
                    continue
                if name != "update" and math.isfinite(value):
                    writer.add_scalar(name, value, step)
        writer.close()
        (event,) = Path(scratch).glob("events.out.tfevents.*")
        write_bytes(target, event.read_bytes())
    return target


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
