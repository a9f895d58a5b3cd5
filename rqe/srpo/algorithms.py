"""Each algorithm of the SRPO layer as a small object that builds its learners and plans its matches.

The trainer (:mod:`rqe.srpo.trainer`) runs one PPO loop for all of them; an algorithm only says

* which learners exist (:meth:`Algorithm.build`),
* which rollouts an update plays and who learns what from each (:meth:`Algorithm.plan`, a list of :class:`Match`),
* how many rollouts an update plays (:meth:`Algorithm.rollouts`), from which :func:`schedule` turns the
  environment-step budget ``total_steps`` into a number of updates, the same budget for every algorithm;
* what to remember after a rollout or an update (partner memories), and which policy sits in each seat at the end.

Algorithms (``TrainConfig.algo``), [QZLM] = Qu, Zhang, Lanzetti, Mazumdar, arXiv 2602.21515 (2026):

* ``ippo``: one learner per seat, independent PPO with entropy bonus ``epsilon``.
* ``mappo``: IPPO with centralised critics (critic input = global state and own observation).
* ``selfplay``: one learner with shared weights in every seat.
* ``srpo`` [QZLM Sec. 5, App. C-D]: per agent ``i`` an adversary ``phi_i`` initialised from the agent. The agent is
  trained (entropy bonus ``epsilon``) on rollouts where ``phi_i`` sits in the partner's seat; the adversary is
  trained on minus the agent's reward with a penalty ``(1/tau) KL(phi_i || pi_{-i})`` towards the partner's current
  policy (``kl_direction`` selects the direction). With ``N > 2`` players: one shared policy and one adversary on a
  seat drawn at random each update. Options: ``adversary_reference="memory"`` (the partner memory's mixture with
  the current partner as the KL reference) and ``risk_critic=True`` (the agent learns from
  ``(1 - lam) E_partner[A] + lam E_adversary[A]`` with a partner critic and a risk critic).
* ``adversarial``: SRPO without the KL penalty (pure worst-case partner ablation).
* ``fcp`` (Fictitious Co-Play), ``mep`` (Maximum-Entropy Population), ``trajedi`` (trajectory diversity): a
  population of ``population_size`` self-play learners is trained with a share ``population_fraction`` of the
  budget (MEP with the population-entropy bonus ``-alpha log mean_j pi_j(a|s)``, TrajeDi with the per-step
  Jensen-Shannon bonus ``alpha (log pi_k(a|s) - log mean_j pi_j(a|s))``), its checkpoints filling the partner
  memory; then one agent learns a best response to partners drawn from the memory, in random seats. With
  ``partner_runs`` the population phase is skipped and the memory holds those runs' snapshots (``partner_snapshots``
  selects them: all, or FCP's first, middle and final, :func:`rqe.srpo.memory.partner_files`) and scripted zoo
  partners named ``"zoo:NAME"``; ``partner_runs=["zoo:greedy"]`` trains a best response to that one partner. The
  batched backend trains this case (:mod:`rqe.srpo.population_fcp`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from rqe.errors import ParameterError
from rqe.srpo._torch import torch
from rqe.srpo.ppo import mask_logits

if TYPE_CHECKING:  # pragma: no cover
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.trainer import Trainer

__all__ = ["Assignment", "Match", "Algorithm", "make_algorithm", "schedule"]


@dataclass
class Assignment:
    """Train ``learner`` on what seat ``seat`` did, with reward ``sign * mean(rewards[reward_seats])``."""

    learner: str
    seat: int
    reward_seats: tuple[int, ...]
    sign: float = 1.0
    weight: float = 1.0
    critic: str = "v"
    bonus: Callable[..., Any] | None = None   # (obs, actions[, legal mask]) -> extra reward, shape (T, B)


@dataclass
class Match:
    """One rollout: the policy in each seat (a learner name or a frozen module) and what is learned from it."""

    name: str
    seats: list[Any]
    train: list[Assignment] = field(default_factory=list)
    kind: str = "train"       # "adversary", "partner", "population" or "train": what the hooks look at


class Algorithm:
    """Base class: one learner per seat trained by independent PPO (``ippo``; ``mappo`` with central critics)."""

    #: Whether critics see the global state (MAPPO).
    central_critic = False

    def __init__(self, cfg: TrainConfig, n_agents: int):
        self.cfg = cfg
        self.n_agents = n_agents

    def rollouts(self, update: int) -> int:
        """Rollouts played by update ``update`` (0-based)."""
        return 1

    def population_updates(self) -> int:
        return 0

    def build(self, trainer: Trainer) -> None:
        for i in range(self.n_agents):
            trainer.add_learner(f"agent{i}", seat=i)

    def plan(self, trainer: Trainer) -> list[Match]:
        n = self.n_agents
        return [Match("team", [f"agent{i}" for i in range(n)], [Assignment(f"agent{i}", i, (i,)) for i in range(n)])]

    def after_rollout(self, trainer: Trainer, match: Match, rollout: Any, metrics: dict[str, float]) -> None:
        """Called after each rollout of an update (before any learner moves)."""

    def after_update(self, trainer: Trainer) -> None:
        """Called once the update's learners have moved (``trainer.update`` not yet incremented)."""

    def policies(self, trainer: Trainer) -> list[Any]:
        return [trainer.learners[f"agent{i}"].actor for i in range(self.n_agents)]


class CentralCritic(Algorithm):
    """MAPPO: IPPO whose critics see the global state beside the own observation."""

    central_critic = True


class SelfPlay(Algorithm):
    """One learner with shared weights in every seat."""

    def build(self, trainer: Trainer) -> None:
        trainer.add_learner("shared")

    def plan(self, trainer: Trainer) -> list[Match]:
        n = self.n_agents
        return [Match("team", ["shared"] * n, [Assignment("shared", i, (i,)) for i in range(n)])]

    def policies(self, trainer: Trainer) -> list[Any]:
        return [trainer.learners["shared"].actor] * self.n_agents


class SRPO(Algorithm):
    """Each agent trained against its own KL-bounded adversary in the partner's seat (``kl=False``: no KL)."""

    def __init__(self, cfg: TrainConfig, n_agents: int, kl: bool = True):
        super().__init__(cfg, n_agents)
        self.kl_coef = 1.0 / cfg.tau if kl else 0.0

    def rollouts(self, update: int) -> int:
        per_pair = 2 if self.cfg.risk_critic else 1
        return per_pair * (2 if self.n_agents == 2 else 1)

    def build(self, trainer: Trainer) -> None:
        cfg = self.cfg
        adv_lr = cfg.adversary_lr or cfg.lr
        critics = ("partner", "adversary") if cfg.risk_critic else ("v",)
        if self.n_agents == 2:
            for i in range(2):
                trainer.add_learner(f"agent{i}", seat=i, critic_keys=critics)
            for i in range(2):
                adv = trainer.add_learner(f"adversary{i}", seat=1 - i, ent_coef=cfg.adversary_entropy,
                                          kl_coef=self.kl_coef, lr=adv_lr, copy_from=f"agent{i}")
                adv.kl_reference = trainer.reference(f"agent{1 - i}")
        else:
            trainer.add_learner("shared", critic_keys=critics)
            adv = trainer.add_learner("adversary", ent_coef=cfg.adversary_entropy, kl_coef=self.kl_coef, lr=adv_lr,
                                      copy_from="shared")
            adv.kl_reference = trainer.reference("shared")

    def plan(self, trainer: Trainer) -> list[Match]:
        cfg, n = self.cfg, self.n_agents
        risk = cfg.risk_critic
        agent_critic = "adversary" if risk else "v"
        agent_weight = cfg.risk_lambda if risk else 1.0
        matches = []
        if n == 2:
            for i in range(2):
                seats = [f"agent{i}", f"adversary{i}"] if i == 0 else [f"adversary{i}", f"agent{i}"]
                matches.append(Match(f"adversary{i}", seats, [
                    Assignment(f"agent{i}", i, (i,), weight=agent_weight, critic=agent_critic),
                    Assignment(f"adversary{i}", 1 - i, (i,), sign=-1.0)], kind="adversary"))
            if risk:
                for i in range(2):
                    matches.append(Match(f"partner{i}", ["agent0", "agent1"], [
                        Assignment(f"agent{i}", i, (i,), weight=1.0 - cfg.risk_lambda, critic="partner")],
                        kind="partner"))
            return matches
        everyone = tuple(range(n))
        seat = int(trainer.np_rng.integers(n))
        others = tuple(k for k in everyone if k != seat)
        seats = ["shared"] * n
        seats[seat] = "adversary"
        matches.append(Match("adversary", seats,
                             [Assignment("shared", k, (k,), weight=agent_weight, critic=agent_critic)
                              for k in others] + [Assignment("adversary", seat, others, sign=-1.0)],
                             kind="adversary"))
        if risk:
            matches.append(Match("partner", ["shared"] * n, [
                Assignment("shared", k, (k,), weight=1.0 - cfg.risk_lambda, critic="partner") for k in everyone],
                kind="partner"))
        return matches

    def after_rollout(self, trainer: Trainer, match: Match, rollout: Any, metrics: dict[str, float]) -> None:
        if match.kind == "partner":
            metrics["risk_gap"] = trainer.risk_gap(rollout, match)

    def after_update(self, trainer: Trainer) -> None:
        if self.cfg.adversary_reference == "memory" and (trainer.update + 1) % self.cfg.memory_every == 0:
            for name in [n for n in trainer.learners if n.startswith("agent") or n == "shared"]:
                trainer.memory.add(trainer.learners[name].actor, tag=f"{name}@{trainer.update + 1}")

    def policies(self, trainer: Trainer) -> list[Any]:
        if self.n_agents == 2:
            return [trainer.learners[f"agent{i}"].actor for i in range(2)]
        return [trainer.learners["shared"].actor] * self.n_agents


class Population(Algorithm):
    """FCP / MEP / TrajeDi: a population phase, then a best response to partners drawn from the memory."""

    def __init__(self, cfg: TrainConfig, n_agents: int, diversity: str | None = None):
        super().__init__(cfg, n_agents)
        self.diversity = diversity        # None (FCP), "mep" or "trajedi"

    def population_updates(self) -> int:
        cfg = self.cfg
        if cfg.partner_runs:
            return 0
        share = cfg.population_fraction * cfg.total_steps / (cfg.batch_steps * cfg.population_size)
        return max(1, int(round(share)))

    def rollouts(self, update: int) -> int:
        return self.cfg.population_size if update < self.population_updates() else 1

    def build(self, trainer: Trainer) -> None:
        cfg = self.cfg
        if cfg.partner_runs:
            trainer.add_learner("agent")
            trainer.load_partner_runs(cfg.partner_runs)
            return
        for k in range(cfg.population_size):
            trainer.add_learner(f"pop{k}")
        trainer.add_learner("agent")
        for k in range(cfg.population_size):
            trainer.memory.add(trainer.learners[f"pop{k}"].actor, tag=f"pop{k}@init")

    def plan(self, trainer: Trainer) -> list[Match]:
        n = self.n_agents
        if trainer.update < self.population_updates():
            return [Match(f"pop{k}", [f"pop{k}"] * n,
                          [Assignment(f"pop{k}", i, (i,), bonus=self._bonus(trainer, k)) for i in range(n)],
                          kind="population") for k in range(self.cfg.population_size)]
        entry = trainer.memory.sample(trainer.np_rng)
        seat = int(trainer.np_rng.integers(n))
        seats: list[Any] = [entry.actor] * n
        seats[seat] = "agent"
        return [Match(f"br:{entry.tag}", seats, [Assignment("agent", seat, (seat,))])]

    def _bonus(self, trainer: Trainer, member: int) -> Callable[[Any, Any], Any] | None:
        if self.diversity is None:
            return None
        alpha, size, mep = self.cfg.diversity_coef, self.cfg.population_size, self.diversity == "mep"

        def bonus(obs: Any, actions: Any, mask: Any = None) -> Any:
            with torch.no_grad():
                logps = torch.stack([
                    torch.log_softmax(mask_logits(trainer.learners[f"pop{j}"].actor(obs), mask), -1)
                    .gather(-1, actions[..., None])[..., 0] for j in range(size)])
                log_mix = torch.logsumexp(logps, 0) - np.log(size)
                return alpha * (-log_mix if mep else logps[member] - log_mix)

        return bonus

    def after_rollout(self, trainer: Trainer, match: Match, rollout: Any, metrics: dict[str, float]) -> None:
        if match.kind != "population":
            return
        u = trainer.update + 1
        if u % self.cfg.memory_every == 0 or u == self.population_updates():
            name = match.seats[0]
            trainer.memory.add(trainer.learners[name].actor, tag=f"{name}@{u}", obs=rollout.obs[:, 0],
                               actions=rollout.actions[:, 0])

    def policies(self, trainer: Trainer) -> list[Any]:
        return [trainer.learners["agent"].actor] * self.n_agents


def make_algorithm(cfg: TrainConfig, n_agents: int) -> Algorithm:
    """The :class:`Algorithm` object of ``cfg.algo`` for an environment with ``n_agents`` seats."""
    algo = cfg.algo
    if algo == "ippo":
        return Algorithm(cfg, n_agents)
    if algo == "mappo":
        return CentralCritic(cfg, n_agents)
    if algo == "selfplay":
        return SelfPlay(cfg, n_agents)
    if algo in ("srpo", "adversarial"):
        return SRPO(cfg, n_agents, kl=algo == "srpo")
    if algo in ("fcp", "mep", "trajedi"):
        return Population(cfg, n_agents, diversity=None if algo == "fcp" else algo)
    raise ParameterError(f"unknown algorithm {algo!r}")


def schedule(cfg: TrainConfig, n_agents: int = 2) -> int:
    """Number of updates that spends the environment-step budget ``cfg.total_steps`` (at least one).

    Every algorithm gets the same budget: an update of ``r`` rollouts costs ``r * n_envs * n_steps`` env steps.

    >>> from rqe.srpo.config import TrainConfig
    >>> cfg = dict(env="collaborate_defect", total_steps=4096, n_envs=32, n_steps=4)
    >>> schedule(TrainConfig(algo="ippo", **cfg)), schedule(TrainConfig(algo="srpo", **cfg))
    (32, 16)
    """
    algorithm = make_algorithm(cfg, n_agents)
    pop = algorithm.population_updates()
    spent = sum(algorithm.rollouts(u) for u in range(pop)) * cfg.batch_steps
    rest = max(0, cfg.total_steps - spent) // (algorithm.rollouts(pop) * cfg.batch_steps)
    return max(1, pop + rest)
