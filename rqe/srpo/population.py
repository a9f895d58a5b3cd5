"""Train S seeds of one configuration together, in one process, with batched networks.

Every learner of every seed lives in one set of weight tensors of shape ``(S, ...)`` per layer (:class:`StackedMLP`,
batched matrix products ``torch.baddbmm``); the environment holds ``S * B`` copies, seed ``k`` playing copies
``k B .. (k + 1) B - 1``. Each seed keeps its own torch generator, seeded as a single run's, and draws the same
numbers in the same order (:mod:`rqe.srpo.trainer`: per rollout, the reset swaps then all uniforms in one call; per
epoch a minibatch permutation when there are several minibatches), so seed ``k`` of a population follows the single
run with seed ``k``: same initial weights, same actions and environment noise while the weights agree, the same
PPO mathematics (:mod:`rqe.srpo.ppo`) with per-seed losses, per-seed gradient clipping and Adam (element-wise, so
one Adam over stacked weights is S independent Adams).

Equality with single runs is up to floating-point summation order: a batched product ``baddbmm`` may round
differently from ``nn.Linear``'s ``addmm`` in the last bit (``tests/srpo/test_population.py`` checks the weights of
seed ``k`` against the single run to 1e-4 of each tensor's largest entry, and the logged returns, i.e. the sampled
actions, exactly, on CPU).

The output is one folder per seed, each with the files of a single run (``checkpoint.pt``, ``snapshots/``,
``metrics.csv``, ``policies.pt``); a seed's folder can be resumed or evaluated like any single run, and a
population resumes from its seeds' checkpoints (all at the same update).

Supported: ``ippo``, ``mappo``, ``selfplay``, ``srpo`` and ``adversarial`` with two players and the options
``adversary_reference="partner"`` and ``risk_critic=False``, on environments that take their noise from the trainer
(the cooking gridworld and matrix games). Reward shaping (``env_kwargs={"shaping": ...}``, :mod:`rqe.srpo.shaping`)
passes through: the bonus is kept apart from the true rewards and learned from as in a single run. Other
configurations raise :class:`rqe.errors.ParameterError`; train them seed by seed.

>>> from rqe.srpo import TrainConfig
>>> cfg = TrainConfig(algo="srpo", env="collaborate_defect", total_steps=512, n_envs=32, n_steps=4, device="cpu")
>>> population = PopulationTrainer(cfg, seeds=[0, 1, 2])
>>> history = population.train(progress=False)
>>> population.update, len(history[-1])
(2, 3)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rqe.errors import ParameterError
from rqe.srpo._torch import resolve_device, torch
from rqe.srpo.config import TrainConfig
from rqe.srpo.envs import make_env
from rqe.srpo.ppo import gae, gumbel_argmax, ppo_loss
from rqe._files import make_folder
from rqe.srpo.trainer import LEARNER_METRICS, Trainer, _write_csv

__all__ = ["StackedMLP", "PopulationTrainer", "parse_seeds", "BATCHED_ALGORITHMS"]

BATCHED_ALGORITHMS = ("ippo", "mappo", "selfplay", "srpo", "adversarial")
nn = torch.nn


class StackedMLP(nn.Module):
    """S tanh MLPs of the same shape as one module: weight ``(S, out, in)`` and bias ``(S, 1, out)`` per layer.

    Built from S ``nn.Sequential`` MLPs (:func:`rqe.srpo.networks._mlp`); input ``(S, N, in)``, output ``(S, N, out)``.

    >>> import torch
    >>> from rqe.srpo.networks import Actor
    >>> actors = [Actor(8, 5, generator=torch.Generator().manual_seed(s)) for s in range(3)]
    >>> stacked = StackedMLP([a.net for a in actors])
    >>> x = torch.randn(3, 4, 8)
    >>> bool(torch.allclose(stacked(x)[1], actors[1](x[1]), atol=1e-6))
    True
    """

    def __init__(self, modules: Sequence[Any]):
        super().__init__()
        layers = [[m for m in seq if isinstance(m, nn.Linear)] for seq in modules]
        depth = len(layers[0])
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.stack([ls[i].weight.detach() for ls in layers]).clone()) for i in range(depth)])
        self.biases = nn.ParameterList(
            [nn.Parameter(torch.stack([ls[i].bias.detach() for ls in layers]).unsqueeze(1).clone())
             for i in range(depth)])

    def forward(self, x: Any) -> Any:
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b, x, w.transpose(1, 2))
            if i < last:
                x = torch.tanh(x)
        return x

    def ordered(self) -> list[Any]:
        """Parameters in the order of ``nn.Sequential.parameters()`` (weight, bias per layer)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def load_from(self, modules: Sequence[Any]) -> None:
        fresh = StackedMLP(modules)
        with torch.no_grad():
            for mine, theirs in zip(self.ordered(), fresh.ordered()):
                mine.copy_(theirs)

    def seed_state(self, k: int, template: Any) -> dict[str, Any]:
        """Seed ``k``'s weights as the ``state_dict`` of the ``nn.Sequential`` ``template``."""
        names = list(template.state_dict())
        values = [p.detach()[k] if j % 2 == 0 else p.detach()[k, 0] for j, p in enumerate(self.ordered())]
        return {name: value.clone() for name, value in zip(names, values)}


class _StackedLearner:
    """One learner of every seed: stacked actor and critic, one Adam over both (= S independent Adams)."""

    def __init__(self, name: str, learners: list[Any], cfg: TrainConfig):
        first = learners[0]
        self.name = name
        self.actor = StackedMLP([lr.actor.net for lr in learners])
        self.critic = StackedMLP([lr.critics["v"].net for lr in learners])
        self.base_lr, self.ent_coef, self.kl_coef = first.base_lr, first.ent_coef, first.kl_coef
        self.critic_input = first.critic_input
        self.params = self.actor.ordered() + self.critic.ordered()
        self.optimizer = torch.optim.Adam(self.params, lr=self.base_lr, eps=cfg.adam_eps)

    def value(self, x: Any) -> Any:
        return self.critic(x).squeeze(-1)

    # -- moving state between the population and its seeds' single-run learners (for checkpoints)
    def to_seeds(self, learners: list[Any]) -> None:
        for k, learner in enumerate(learners):
            learner.actor.net.load_state_dict(self.actor.seed_state(k, learner.actor.net))
            learner.critics["v"].net.load_state_dict(self.critic.seed_state(k, learner.critics["v"].net))
            state = learner.optimizer.state_dict()
            group = self.optimizer.param_groups[0]
            state["param_groups"][0]["lr"] = group["lr"]
            state["state"] = {}
            for j, p in enumerate(self.params):
                if p in self.optimizer.state:
                    s = self.optimizer.state[p]
                    # even positions are weights (S, out, in), odd ones biases (S, 1, out)
                    pick = (lambda t: t[k].clone()) if j % 2 == 0 else (lambda t: t[k, 0].clone())
                    state["state"][j] = {"step": s["step"].clone(), "exp_avg": pick(s["exp_avg"]),
                                         "exp_avg_sq": pick(s["exp_avg_sq"])}
            learner.optimizer.load_state_dict(state)

    def from_seeds(self, learners: list[Any]) -> None:
        self.actor.load_from([lr.actor.net for lr in learners])
        self.critic.load_from([lr.critics["v"].net for lr in learners])
        states = [lr.optimizer.state_dict() for lr in learners]
        self.optimizer.state.clear()
        if not states[0]["state"]:
            return
        for j, p in enumerate(self.params):
            per_seed = [st["state"][j] for st in states]
            shape = lambda t: t.reshape(p.shape[1:])  # noqa: E731
            self.optimizer.state[p] = {
                "step": per_seed[0]["step"].clone(),
                "exp_avg": torch.stack([shape(s["exp_avg"]) for s in per_seed]).to(p.device),
                "exp_avg_sq": torch.stack([shape(s["exp_avg_sq"]) for s in per_seed]).to(p.device)}


def parse_seeds(text: str | Sequence[Any]) -> list[int]:
    """Seeds from ``"0-15"``, ``"0,3,5"``, ``"0 1 2"`` or a list of such items (ranges include both ends).

    >>> parse_seeds("0-3"), parse_seeds(["1", "4-5"]), parse_seeds("2,7")
    ([0, 1, 2, 3], [1, 4, 5], [2, 7])
    """
    items = text.replace(",", " ").split() if isinstance(text, str) else [str(t) for t in text]
    seeds: list[int] = []
    for item in items:
        for part in item.replace(",", " ").split():
            try:
                if "-" in part.lstrip("-"):
                    lo, hi = part.split("-", 1)
                    lo_i, hi_i = int(lo), int(hi)
                    if hi_i < lo_i:
                        raise ValueError
                    seeds.extend(range(lo_i, hi_i + 1))
                else:
                    seeds.append(int(part))
            except ValueError as exc:
                raise ParameterError(f"seeds are integers or ranges like 0-15, got {part!r}") from exc
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise ParameterError(f"seeds must be distinct non-negative integers, got {seeds}")
    return seeds


class PopulationTrainer:
    """Train ``seeds`` of ``config`` together (see the module docstring); ``out_dir/<algo>-seed<k>`` per seed."""

    def __init__(self, config: TrainConfig, seeds: Sequence[int], out_dir: str | Path | None = None):
        cfg = config
        if cfg.algo not in BATCHED_ALGORITHMS:
            raise ParameterError(f"the batched backend trains {BATCHED_ALGORITHMS}, not {cfg.algo!r}; "
                                 f"train {cfg.algo} seed by seed (--backend serial or process)")
        if cfg.risk_critic or cfg.adversary_reference != "partner":
            raise ParameterError("the batched backend does not support risk_critic or adversary_reference='memory'")
        self.seeds = parse_seeds(list(map(str, seeds)))
        self.cfg = cfg
        self.device = resolve_device(cfg.device)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.runs = [Trainer(cfg.replace(seed=s),
                             None if self.out_dir is None else self.out_dir / f"{cfg.algo}-seed{s}")
                     for s in self.seeds]
        first = self.runs[0]
        if first.n_agents != 2:
            raise ParameterError(f"the batched backend trains two-player games, got {first.n_agents} players")
        if hasattr(first.env, "legal_mask"):
            raise ParameterError(f"environment {cfg.env!r} has legal-action masks, which the batched backend does not "
                                 f"apply; train its seeds one by one (--backend serial or process)")
        if getattr(first.env, "noise_width", None) is None:
            raise ParameterError(f"environment {cfg.env!r} draws its own noise; the batched backend needs one that "
                                 f"takes it from the trainer (cooking, collaborate_defect, matrix)")
        self.S, self.B = len(self.seeds), cfg.n_envs
        self.env = make_env(cfg.env, self.S * self.B, self.device, **dict(cfg.env_kwargs))
        self.n_agents = 2
        self.n_updates = first.n_updates
        self.learners = {name: _StackedLearner(name, [r.learners[name] for r in self.runs], cfg)
                         for name in first.learners}
        self.update = 0
        self.env_steps = 0
        self.elapsed = 0.0

    @property
    def generators(self) -> list[Any]:
        return [r.generator for r in self.runs]

    # ------------------------------------------------------------------ rollouts
    @torch.no_grad()
    def rollout(self, match: Any) -> dict[str, Any]:
        """Play ``match`` on all ``S x B`` copies; tensors shaped ``(T, N, S, B, ...)``."""
        cfg, env, n, S, B = self.cfg, self.env, self.n_agents, self.S, self.B
        T, dev = cfg.n_steps, self.device
        a_max = max(env.n_actions)
        width = n * a_max + env.noise_width
        swaps, draws = [], []
        for g in self.generators:               # each seed draws what its single run draws, in the same order
            swaps.append(torch.rand(B, generator=g, device=dev))
            draws.append(torch.rand(T, B, width, generator=g, device=dev))
        uniforms = torch.stack(draws, 1)                                  # (T, S, B, width)
        current = env.reset(swap=torch.cat(swaps)).reshape(n, S, B, -1)
        obs = torch.zeros(T, n, S, B, env.obs_dim, device=dev)
        states = torch.zeros(T, S, B, env.state_dim, device=dev)
        actions = torch.zeros(T, n, S, B, dtype=torch.long, device=dev)
        logp = torch.zeros(T, n, S, B, device=dev)
        rewards = torch.zeros(T, n, S, B, device=dev)
        costs = torch.zeros(T, n, S, B, device=dev)
        dones = torch.zeros(T, S, B, dtype=torch.bool, device=dev)
        policies = [self.learners[name].actor for name in match.seats]
        shaping = None
        for t in range(T):
            obs[t] = current
            states[t] = env.state().reshape(S, B, -1)
            for k, policy in enumerate(policies):
                logits = policy(current[k])                               # (S, B, A)
                a = gumbel_argmax(logits, uniforms[t, :, :, k * a_max:k * a_max + logits.shape[-1]])
                actions[t, k] = a
                logp[t, k] = torch.log_softmax(logits, -1).gather(-1, a[..., None])[..., 0]
            noise = env.noise_from(uniforms[t, :, :, n * a_max:].reshape(S * B, -1))
            step = env.step(actions[t].reshape(n, S * B), noise=noise)
            rewards[t] = step.rewards.reshape(n, S, B)
            if step.shaping is not None:     # reward shaping: kept apart, learned from (rqe.srpo.shaping)
                shaping = torch.zeros(T, n, S, B, device=dev) if shaping is None else shaping
                shaping[t] = step.shaping.reshape(n, S, B)
            costs[t] = step.costs.reshape(n, S, B)
            dones[t] = step.done.reshape(S, B)
            current = step.obs.reshape(n, S, B, -1)
        self.env_steps += T * B
        return {"obs": obs, "states": states, "actions": actions, "logp": logp, "rewards": rewards, "costs": costs,
                "dones": dones, "next_obs": current, "next_state": env.state().reshape(S, B, -1), "shaping": shaping}

    def _critic_input(self, learner: _StackedLearner, obs: Any, states: Any) -> Any:
        return torch.cat([states, obs], -1) if learner.critic_input == "state" else obs

    @torch.no_grad()
    def advantages(self, rollout: dict[str, Any], job: Any) -> dict[str, Any]:
        """Per-seed GAE; samples ordered as in a single run (time-major), shaped ``(S, T * B, ...)``."""
        cfg = self.cfg
        learner = self.learners[job.learner]
        obs = rollout["obs"][:, job.seat]                                 # (T, S, B, d)
        T, S, B = obs.shape[:3]
        crit_in = self._critic_input(learner, obs, rollout["states"])
        values = learner.value(crit_in.transpose(0, 1).reshape(S, T * B, -1)).reshape(S, T, B).transpose(0, 1)
        next_in = self._critic_input(learner, rollout["next_obs"][job.seat], rollout["next_state"])
        next_value = learner.value(next_in)                               # (S, B)
        rewards = rollout["rewards"] if rollout["shaping"] is None else rollout["rewards"] + rollout["shaping"]
        reward = job.sign * rewards[:, list(job.reward_seats)].mean(1)
        adv = gae(reward, values, next_value, rollout["dones"], cfg.gamma, cfg.gae_lambda)
        seed_major = lambda x: x.transpose(0, 1).reshape(S, T * B, *x.shape[3:])  # noqa: E731
        return {"obs": seed_major(obs), "crit_in": seed_major(crit_in),
                "actions": seed_major(rollout["actions"][:, job.seat]), "logp": seed_major(rollout["logp"][:, job.seat]),
                "adv": seed_major(adv), "returns": seed_major(adv + values), "values": seed_major(values),
                "weight": torch.full((S, T * B), job.weight, device=self.device)}

    # ------------------------------------------------------------------ PPO
    def ppo_update(self, learner: _StackedLearner, batch: dict[str, Any]) -> dict[str, Any]:
        cfg = self.cfg
        S, n = batch["adv"].shape
        minibatch = max(1, n // cfg.n_minibatches)
        sums = {k: torch.zeros(S, device=self.device) for k in LEARNER_METRICS}
        count = 0
        for _ in range(cfg.n_epochs):
            if cfg.n_minibatches > 1:
                order = torch.stack([torch.randperm(n, generator=g, device=self.device) for g in self.generators])
            else:
                order = torch.arange(n, device=self.device).expand(S, n)
            for start in range(0, n, minibatch):
                idx = order[:, start:start + minibatch]
                take = lambda x: x.gather(1, idx.reshape(*idx.shape, *([1] * (x.dim() - 2))).expand(  # noqa: E731
                    *idx.shape, *x.shape[2:]))
                loss, stats = ppo_loss(
                    learner.actor(take(batch["obs"])), take(batch["actions"]), take(batch["logp"]),
                    take(batch["adv"]), take(batch["weight"]), learner.value(take(batch["crit_in"])),
                    take(batch["values"]), take(batch["returns"]), clip_coef=cfg.clip_coef, vf_coef=cfg.vf_coef,
                    ent_coef=learner.ent_coef, norm_adv=cfg.norm_adv, clip_vloss=cfg.clip_vloss,
                    ref_probs=take(batch["ref_probs"]) if "ref_probs" in batch else None, kl_coef=learner.kl_coef,
                    kl_direction=cfg.kl_direction)
                learner.optimizer.zero_grad()
                loss.sum().backward()             # seeds do not share weights: each gets its own loss's gradient
                if cfg.max_grad_norm is not None:
                    _clip_per_seed(learner.params, cfg.max_grad_norm)
                learner.optimizer.step()
                for key, value in stats.items():
                    sums[key] += value
                count += 1
        return {k: v / max(count, 1) for k, v in sums.items()}

    def _update_learners(self, batches: dict[str, list[dict[str, Any]]], metrics: dict[str, Any]) -> None:
        merged = {name: {k: torch.cat([b[k] for b in parts], 1) for k in parts[0]} for name, parts in batches.items()}
        for name, batch in merged.items():            # references snapshotted before anyone moves
            learner = self.learners[name]
            partner = _kl_partner(name)
            if learner.kl_coef > 0 and partner is not None:
                with torch.no_grad():
                    batch["ref_probs"] = torch.softmax(self.learners[partner].actor(batch["obs"]), -1)
        for name, batch in merged.items():
            for key, value in self.ppo_update(self.learners[name], batch).items():
                metrics[f"{name}/{key}"] = value

    def train_update(self) -> list[dict[str, float]]:
        """One update of every seed; returns one metrics row per seed."""
        cfg = self.cfg
        frac = 1.0 - self.update / self.n_updates if cfg.anneal_lr else 1.0
        for learner in self.learners.values():
            for group in learner.optimizer.param_groups:
                group["lr"] = frac * learner.base_lr
        metrics: dict[str, Any] = {}
        batches: dict[str, list[dict[str, Any]]] = {}
        for m, match in enumerate(self.runs[0].algorithm.plan(self.runs[0])):
            rollout = self.rollout(match)
            if m == 0:
                metrics.update(_episode_means(rollout))
            for job in match.train:
                batches.setdefault(job.learner, []).append(self.advantages(rollout, job))
            if cfg.update_order == "sequential":
                self._update_learners(batches, metrics)
                batches = {}
        self._update_learners(batches, metrics)
        self.update += 1
        for run in self.runs:
            run.update, run.env_steps = self.update, self.env_steps
        rows = []
        for k in range(self.S):
            row = {"update": self.update, "lr": frac * cfg.lr, "env_steps": self.env_steps}
            row.update({key: float(value[k]) for key, value in metrics.items()})
            rows.append(row)
        return rows

    # ------------------------------------------------------------------ state of the seeds
    def sync_to_seeds(self) -> None:
        """Copy weights and optimiser states into each seed's single-run :class:`Trainer` (for its files)."""
        for name, learner in self.learners.items():
            learner.to_seeds([r.learners[name] for r in self.runs])
        for run in self.runs:
            run.elapsed = self.elapsed

    def _resume(self) -> list[list[dict[str, Any]]]:
        updates = set()
        rows = []
        for run in self.runs:
            ckpt = run.out_dir / "checkpoint.pt"
            if not ckpt.is_file():
                raise ParameterError(f"cannot resume: {ckpt} does not exist (train without --resume first)")
            run.load_checkpoint(ckpt)
            updates.add(run.update)
            rows.append(run._previous_rows(run.out_dir / "metrics.csv"))
        if len(updates) != 1:
            raise ParameterError(f"cannot resume the population: its seeds' checkpoints are at different updates "
                                 f"{sorted(updates)}; resume them one by one")
        self.update = updates.pop()
        self.env_steps = self.runs[0].env_steps
        self.elapsed = self.runs[0].elapsed
        for name, learner in self.learners.items():
            learner.from_seeds([r.learners[name] for r in self.runs])
        return rows

    def _save(self, rows: list[list[dict[str, Any]]], names: list[str], final: bool = False) -> None:
        self.sync_to_seeds()
        for run, seed_rows in zip(self.runs, rows):
            run.save_checkpoint(run.out_dir / "checkpoint.pt")
            run.export_policies(run.out_dir / "snapshots" / f"policies_{self.update:05d}.pt")
            _write_csv(run.out_dir / "metrics.csv", names, seed_rows)
            if final:
                run.export_policies(run.out_dir / "policies.pt")

    def train(self, progress: bool = True, resume: bool = False,
              callback: Any = None) -> list[list[dict[str, float]]]:
        """Run the remaining updates of every seed; with ``out_dir`` each seed's folder gets a single run's files.

        ``callback(population, rows)`` is called after every update (``rows``: one metrics dict per seed).
        """
        import json

        from rqe._files import write_text

        names = self.runs[0].metric_names()
        rows: list[list[dict[str, Any]]] = [[] for _ in self.runs]
        if resume and self.out_dir is None:
            raise ParameterError("resume=True needs an output folder")
        if self.out_dir is not None:
            if resume:
                rows = self._resume()
            for run in self.runs:
                make_folder(run.out_dir / "snapshots")
                write_text(run.out_dir / "config.json", json.dumps(run.cfg.to_dict(), indent=2, default=str))
            if self.update == 0:
                self.sync_to_seeds()
                for run in self.runs:
                    run.export_policies(run.out_dir / "snapshots" / "policies_00000.pt")
                    _write_csv(run.out_dir / "metrics.csv", names, [])
        history: list[list[dict[str, float]]] = []
        from rqe.srpo.trainer import _progress

        bar = _progress(self.n_updates, self.update, f"{self.cfg.algo} x {self.S} seeds") if progress else None
        while self.update < self.n_updates:
            start = time.perf_counter()
            seed_rows = self.train_update()
            self.elapsed += time.perf_counter() - start
            for k, row in enumerate(seed_rows):
                row["time_s"] = self.elapsed
                rows[k].append(row)
            history.append(seed_rows)
            last = self.update == self.n_updates
            if self.out_dir is not None and (self.update % self.cfg.checkpoint_every == 0 or last):
                self._save(rows, names, final=last)
            if bar is not None:
                bar.update(1)
            if callback is not None:
                callback(self, seed_rows)
        if bar is not None:
            bar.close()
        self.sync_to_seeds()
        if self.out_dir is not None and self.update == self.n_updates:
            for run in self.runs:
                run.export_policies(run.out_dir / "policies.pt")
        return history


def _kl_partner(name: str) -> str | None:
    """The KL reference of a two-player SRPO adversary: ``adversary{i}`` is pulled towards ``agent{1 - i}``."""
    if name.startswith("adversary") and name[-1] in "01":
        return f"agent{1 - int(name[-1])}"
    return None


def _clip_per_seed(params: list[Any], max_norm: float) -> None:
    """``clip_grad_norm_`` for each seed separately (the norm over that seed's slices of every parameter)."""
    grads = [p.grad for p in params if p.grad is not None]
    S = grads[0].shape[0]
    norm = torch.sqrt(sum((g.reshape(S, -1).double() ** 2).sum(1) for g in grads)).to(grads[0].dtype)
    coef = (max_norm / (norm + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.reshape(S, *([1] * (g.dim() - 1))))


def _episode_means(rollout: dict[str, Any]) -> dict[str, Any]:
    """Per seed, the mean return and private cost per complete episode of each seat (as a single run logs them)."""
    done = rollout["dones"].float()                                      # (T, S, B)
    complete = torch.flip(torch.cummax(torch.flip(done, [0]), 0).values, [0])
    episodes = done.sum((0, 2))                                          # (S,)
    T = done.shape[0]
    out = {}
    for key, name in (("rewards", "return"), ("costs", "cost")):
        values = rollout[key]                                            # (T, N, S, B)
        full = (values * complete[:, None]).sum((0, 3)) / episodes.clamp(min=1.0)      # (N, S)
        fallback = values.mean((0, 3)) * T
        per = torch.where(episodes[None] > 0, full, fallback)
        for k in range(per.shape[0]):
            out[f"{name}_seat{k}"] = per[k]
    return out
