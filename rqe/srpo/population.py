"""Train S seeds of one configuration together, in one process, with batched networks.

Every learner of every seed lives in one set of weight tensors of shape ``(S, ...)`` per layer (:class:`StackedMLP`
of :mod:`rqe.srpo.stacked`, batched matrix products ``torch.baddbmm``); the environment holds ``S * B`` copies, seed ``k`` playing copies
``k B .. (k + 1) B - 1``. Each seed keeps its own torch generator, seeded as a single run's, and draws the same
numbers in the same order (:mod:`rqe.srpo.trainer`: per rollout, the reset swaps then all uniforms in one call; per
epoch a minibatch permutation when there are several minibatches), so seed ``k`` of a population follows the single
run with seed ``k``: same initial weights, same actions and environment noise while the weights agree, the same
PPO mathematics (:mod:`rqe.srpo.ppo`) with per-seed losses, per-seed gradient clipping and Adam (element-wise, so
one Adam over stacked weights is S independent Adams).

Equality with single runs is up to floating-point summation order: a batched product ``baddbmm`` may round
differently from ``nn.Linear``'s ``addmm`` in the last bit, and the rollout computes the elementwise parts of
Gumbel sampling and the log-probabilities over the whole rollout at once instead of step by step (the same
operations on the same numbers; a vectorised and a scalar loop of torch may differ in the last bit)
(``tests/srpo/test_population.py`` checks the weights of seed ``k`` against the single run to 1e-3 of each tensor's
largest entry, and the logged returns, i.e. the sampled actions, exactly, on CPU). Throughput:
``benchmarks/bench_srpo_population.py``.

The output is one folder per seed, each with the files of a single run (``checkpoint.pt``, ``snapshots/``,
``metrics.csv``, ``policies.pt``); a seed's folder can be resumed or evaluated like any single run, and a
population resumes from its seeds' checkpoints (all at the same update).

Supported: ``ippo``, ``mappo``, ``selfplay``, ``srpo`` and ``adversarial`` with two players and the options
``adversary_reference="partner"`` and ``risk_critic=False``, on environments that take their noise from the trainer
(the cooking gridworld, matrix games and Tag with two predators); and ``fcp`` with ``partner_runs`` (a fixed pool:
trained runs' snapshots or scripted zoo partners), whose seeds each draw their own partner every update
(:mod:`rqe.srpo.population_fcp`; :func:`make_population` picks the class). Other configurations raise
:class:`rqe.errors.ParameterError`; train them seed by seed. Reward shaping (``env_kwargs={"shaping": ...}``,
:mod:`rqe.srpo.shaping`) passes through: the bonus is kept apart from the true rewards and learned from as in a
single run.

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
from rqe.srpo._torch import resolve_device, rollout_threads, torch
from rqe.srpo.config import TrainConfig
from rqe.srpo.envs import make_env
from rqe.srpo.ppo import gae, ppo_loss
from rqe._files import make_folder
from rqe.srpo.stacked import StackedLearner, StackedMLP, clip_per_seed, stacked_forward
from rqe.srpo.trainer import LEARNER_METRICS, Trainer, _write_csv, reset_uniforms, takes_trainer_noise

__all__ = ["StackedMLP", "PopulationTrainer", "make_population", "parse_seeds", "BATCHED_ALGORITHMS"]

BATCHED_ALGORITHMS = ("ippo", "mappo", "selfplay", "srpo", "adversarial")


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

    #: The algorithms this class trains (:class:`rqe.srpo.population_fcp.FCPPopulationTrainer` adds ``fcp``).
    algorithms = BATCHED_ALGORITHMS

    def __init__(self, config: TrainConfig, seeds: Sequence[int], out_dir: str | Path | None = None):
        cfg = config
        if cfg.algo not in self.algorithms:
            raise ParameterError(f"the batched backend trains {BATCHED_ALGORITHMS} and fcp with partner_runs "
                                 f"(make_population), not {cfg.algo!r} here; train {cfg.algo} seed by seed "
                                 f"(--backend serial or process)")
        if cfg.risk_critic or cfg.adversary_reference != "partner":
            raise ParameterError("the batched backend does not support risk_critic or adversary_reference='memory'")
        self.seeds = parse_seeds(list(map(str, seeds)))
        self.cfg = cfg
        self.device = resolve_device(cfg.device)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.runs = self._make_runs()
        first = self.runs[0]
        if first.n_agents != 2:
            raise ParameterError(f"the batched backend trains two-player games, got {first.n_agents} players")
        if first.algorithm.shared and cfg.algo != "selfplay":
            raise ParameterError("the batched backend does not train share_policy=True; train its seeds one by one")
        if hasattr(first.env, "legal_mask"):
            raise ParameterError(f"environment {cfg.env!r} has legal-action masks, which the batched backend does not "
                                 f"apply; train its seeds one by one (--backend serial or process)")
        if not takes_trainer_noise(first.env):
            raise ParameterError(f"environment {cfg.env!r} draws its own noise; the batched backend needs one that "
                                 f"takes it from the trainer (cooking, collaborate_defect, matrix, tag)")
        self.S, self.B = len(self.runs), cfg.n_envs
        self.env = make_env(cfg.env, self.S * self.B, self.device, **dict(cfg.env_kwargs))
        self.n_agents = 2
        self.n_updates = first.n_updates
        self.learners = {name: StackedLearner(name, [r.learners[name] for r in self.runs], cfg.adam_eps)
                         for name in first.learners}
        self.needs_state = any(lr.critic_input == "state" for lr in self.learners.values())
        self.update = 0
        self.env_steps = 0
        self.elapsed = 0.0

    def _make_runs(self) -> list[Trainer]:
        """One single-run :class:`Trainer` per seed (its folder ``out_dir/<algo>-seed<k>``)."""
        cfg, out = self.cfg, self.out_dir
        return [Trainer(cfg.replace(seed=s), None if out is None else out / f"{cfg.algo}-seed{s}") for s in self.seeds]

    @property
    def generators(self) -> list[Any]:
        return [r.generator for r in self.runs]

    # ------------------------------------------------------------------ rollouts
    @torch.no_grad()
    def rollout(self, match: Any) -> dict[str, Any]:
        """Play ``match`` on all ``S x B`` copies with each seed's single-run uniforms; tensors ``(T, N, S, B, ...)``.

        Computed once per rollout, not per step: the ``log(-log u)`` of :func:`rqe.srpo.ppo.gumbel_argmax`, the
        environment noise and (from the stored logits) the log-probabilities. Seats with actors of one shape run as
        one stacked network (weights concatenated per rollout). The global state is kept for centralised critics only.
        """
        cfg, env, n, S, B = self.cfg, self.env, self.n_agents, self.S, self.B
        T, dev = cfg.n_steps, self.device
        a_max = max(env.n_actions)
        width = n * a_max + env.noise_width
        swaps, draws = [], []
        for g in self.generators:               # each seed draws what its single run draws, in the same order
            swaps.append(reset_uniforms(env, B, g, dev))
            draws.append(torch.rand(T, B, width, generator=g, device=dev))
        uniforms = torch.stack(draws, 1)                                  # (T, S, B, width)
        log_neg_log = torch.log(-torch.log(uniforms[..., :n * a_max].clamp(1e-20, 1.0)))
        log_neg_log = log_neg_log.reshape(T, S, B, n, a_max).permute(0, 3, 1, 2, 4).contiguous()  # (T, n, S, B, a)
        noise_u = uniforms[..., n * a_max:].reshape(T, S * B, -1)
        current = env.reset(noise=torch.cat(swaps)).reshape(n, S, B, -1)
        obs = torch.empty(T, n, S, B, env.obs_dim, device=dev)
        seat0_state = getattr(env, "state_is_seat0_observation", False)
        states = (torch.empty(T, S, B, env.state_dim, device=dev) if self.needs_state and not seat0_state else None)
        actions = torch.empty(T, n, S, B, dtype=torch.long, device=dev)
        rewards = torch.empty(T, n, S, B, device=dev)
        costs = torch.empty(T, n, S, B, device=dev)
        dones = torch.empty(T, S, B, dtype=torch.bool, device=dev)
        actors = [self.learners[name].actor for name in match.seats]
        n_actions = [actor.shape_key()[-1][0] for actor in actors]
        fused = len({actor.shape_key() for actor in actors}) == 1
        if fused:
            weights = [torch.cat([actor.weights[i] for actor in actors]) for i in range(len(actors[0].weights))]
            biases = [torch.cat([actor.biases[i] for actor in actors]) for i in range(len(actors[0].biases))]
            logits = torch.empty(T, n, S, B, n_actions[0], device=dev)
        else:
            logits = [torch.empty(T, S, B, a, device=dev) for a in n_actions]
        shaping = None
        for t in range(T):
            obs[t] = current
            if states is not None:
                states[t] = env.state().reshape(S, B, -1)
            if fused:
                logits[t] = stacked_forward(weights, biases, current.reshape(n * S, B, -1)).reshape(n, S, B, -1)
                torch.argmax(logits[t] - log_neg_log[t, ..., :n_actions[0]], -1, out=actions[t])
            else:
                for k, actor in enumerate(actors):
                    logits[k][t] = actor(current[k])                      # (S, B, A_k)
                    torch.argmax(logits[k][t] - log_neg_log[t, k, ..., :n_actions[k]], -1, out=actions[t, k])
            step = env.step(actions[t].reshape(n, S * B), noise=env.noise_from(noise_u[t]))
            rewards[t] = step.rewards.reshape(n, S, B)
            if step.shaping is not None:     # reward shaping: kept apart, learned from (rqe.srpo.shaping)
                shaping = torch.zeros(T, n, S, B, device=dev) if shaping is None else shaping
                shaping[t] = step.shaping.reshape(n, S, B)
            costs[t] = step.costs.reshape(n, S, B)
            dones[t] = step.done.reshape(S, B)
            current = step.obs.reshape(n, S, B, -1)
        if fused:
            logp = torch.log_softmax(logits, -1).gather(-1, actions[..., None])[..., 0]
        else:
            logp = torch.stack([torch.log_softmax(lg, -1).gather(-1, actions[:, k, ..., None])[..., 0]
                                for k, lg in enumerate(logits)], 1)
        if states is None and self.needs_state:
            states, next_state = obs[:, 0], current[0]
        else:
            next_state = env.state().reshape(S, B, -1) if self.needs_state else None
        self.env_steps += T * B
        return {"obs": obs, "states": states, "actions": actions, "logp": logp, "rewards": rewards, "costs": costs,
                "dones": dones, "next_obs": current, "next_state": next_state,
                "shaping": shaping}

    def _critic_input(self, learner: StackedLearner, obs: Any, states: Any) -> Any:
        return torch.cat([states, obs], -1) if learner.critic_input == "state" else obs

    @torch.no_grad()
    def advantages(self, rollout: dict[str, Any], job: Any) -> dict[str, Any]:
        """Per-seed GAE; samples ordered as in a single run (time-major), shaped ``(S, T * B, ...)``."""
        cfg = self.cfg
        learner = self.learners[job.learner]
        obs = rollout["obs"][:, job.seat]                                 # (T, S, B, d)
        T, S, B = obs.shape[:3]
        crit_in = self._critic_input(learner, obs, rollout["states"])
        # with one full batch the first epoch's critic pass is this one (same weights, same input): its graph is
        # kept and reused there (PopulationTrainer.ppo_update), the same numbers without a second forward pass
        keep_graph = cfg.n_minibatches == 1
        with torch.set_grad_enabled(keep_graph):
            v_graph = learner.value(crit_in.transpose(0, 1).reshape(S, T * B, -1))
        values = v_graph.detach().reshape(S, T, B).transpose(0, 1)
        next_in = self._critic_input(learner, rollout["next_obs"][job.seat], rollout["next_state"])
        next_value = learner.value(next_in)                               # (S, B)
        rewards = rollout["rewards"] if rollout["shaping"] is None else rollout["rewards"] + rollout["shaping"]
        reward = job.sign * rewards[:, list(job.reward_seats)].mean(1)
        adv = gae(reward, values, next_value, rollout["dones"], cfg.gamma, cfg.gae_lambda)
        seed_major = lambda x: x.transpose(0, 1).reshape(S, T * B, *x.shape[3:])  # noqa: E731
        return {"obs": seed_major(obs), "crit_in": seed_major(crit_in),
                "actions": seed_major(rollout["actions"][:, job.seat]), "logp": seed_major(rollout["logp"][:, job.seat]),
                "adv": seed_major(adv), "returns": seed_major(adv + values), "values": seed_major(values),
                "weight": torch.full((S, T * B), job.weight, device=self.device),
                **({"v_graph": v_graph} if keep_graph else {})}

    # ------------------------------------------------------------------ PPO
    def ppo_update(self, learner: StackedLearner, batch: dict[str, Any]) -> dict[str, Any]:
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
                if minibatch == n:                # the full batch in its order: the samples themselves, no copy
                    take = lambda x: x  # noqa: E731
                else:
                    take = lambda x: x.gather(1, idx.reshape(*idx.shape, *([1] * (x.dim() - 2))).expand(  # noqa: E731
                        *idx.shape, *x.shape[2:]))
                v_graph = batch.pop("v_graph", None)      # first epoch of a full batch: the critic pass of GAE
                loss, stats = ppo_loss(
                    learner.actor(take(batch["obs"])), take(batch["actions"]), take(batch["logp"]),
                    take(batch["adv"]), take(batch["weight"]),
                    v_graph if v_graph is not None else learner.value(take(batch["crit_in"])),
                    take(batch["values"]), take(batch["returns"]), clip_coef=cfg.clip_coef, vf_coef=cfg.vf_coef,
                    ent_coef=learner.ent_coef, norm_adv=cfg.norm_adv, clip_vloss=cfg.clip_vloss,
                    ref_probs=take(batch["ref_probs"]) if "ref_probs" in batch else None, kl_coef=learner.kl_coef,
                    kl_direction=cfg.kl_direction)
                learner.optimizer.zero_grad()
                loss.sum().backward()             # seeds do not share weights: each gets its own loss's gradient
                if cfg.max_grad_norm is not None:
                    clip_per_seed(learner.params, cfg.max_grad_norm)
                learner.optimizer.step()
                for key, value in stats.items():
                    sums[key] += value
                count += 1
        return {k: v / max(count, 1) for k, v in sums.items()}

    def _update_learners(self, batches: dict[str, list[dict[str, Any]]], metrics: dict[str, Any]) -> None:
        # a learner trained on several parts recomputes its first critic pass on the merged batch (no v_graph)
        merged = {name: parts[0] if len(parts) == 1 else
                  {k: torch.cat([b[k] for b in parts], 1) for k in parts[0] if k != "v_graph"}
                  for name, parts in batches.items()}
        for name, batch in merged.items():            # references snapshotted before anyone moves
            learner = self.learners[name]
            partner = _kl_partner(name)
            if learner.kl_coef > 0 and partner is not None:
                with torch.no_grad():
                    batch["ref_probs"] = torch.softmax(self.learners[partner].actor(batch["obs"]), -1)
        for name, batch in merged.items():
            for key, value in self.ppo_update(self.learners[name], batch).items():
                metrics[f"{name}/{key}"] = value

    def plan(self) -> list[Any]:
        """This update's matches: the same for every seed (seed 0's plan; these algorithms draw nothing to plan)."""
        return self.runs[0].algorithm.plan(self.runs[0])

    def train_update(self) -> list[dict[str, float]]:
        """One update of every seed; returns one metrics row per seed."""
        cfg = self.cfg
        frac = 1.0 - self.update / self.n_updates if cfg.anneal_lr else 1.0
        for learner in self.learners.values():
            for group in learner.optimizer.param_groups:
                group["lr"] = frac * learner.base_lr
        metrics: dict[str, Any] = {}
        batches: dict[str, list[dict[str, Any]]] = {}
        for m, match in enumerate(self.plan()):
            with rollout_threads(self.S * self.B, self.device):
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
        keys = list(metrics)
        per_seed = torch.stack([metrics[key].double() for key in keys], 1).tolist()   # one transfer, (S, metrics)
        return [{"update": self.update, "lr": frac * cfg.lr, "env_steps": self.env_steps, **dict(zip(keys, values))}
                for values in per_seed]

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


def make_population(config: TrainConfig, seeds: Sequence[int], out_dir: str | Path | None = None,
                    **options: Any) -> PopulationTrainer:
    """The batched trainer of ``config``: :class:`PopulationTrainer`, or for ``fcp`` (with ``partner_runs``)
    :class:`rqe.srpo.population_fcp.FCPPopulationTrainer` (``options``: its ``pools``), whose seeds each draw their
    own partners."""
    if config.algo == "fcp":
        from rqe.srpo.population_fcp import FCPPopulationTrainer

        return FCPPopulationTrainer(config, seeds, out_dir, **options)
    if options:
        raise ParameterError(f"options {sorted(options)} apply to fcp only")
    return PopulationTrainer(config, seeds, out_dir)


def _kl_partner(name: str) -> str | None:
    """The KL reference of a two-player SRPO adversary: ``adversary{i}`` is pulled towards ``agent{1 - i}``."""
    if name.startswith("adversary") and name[-1] in "01":
        return f"agent{1 - int(name[-1])}"
    return None


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
