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
  policy (``kl_direction`` selects the direction). Options: ``adversary_reference="memory"`` (the partner memory's
  mixture with the current partner as the KL reference) and ``risk_critic=True`` (the agent learns from
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

Policy sharing (``docs/rqe-math.md`` section 8, [QZLM Sec. 5]: "N > 2 players: one shared risk-averse policy and one
adversary whose seat is drawn at random each rollout"). With ``share_policy`` (by default: whenever ``N > 2``,
see :func:`policy_sharing`) IPPO and MAPPO train one learner ``shared`` on every seat (the parameter-sharing
baseline), and SRPO trains one ``shared`` policy and one ``adversary`` (initialised from it): in each copy of each
rollout the adversary takes one seat, drawn uniformly, and ``shared`` plays the other ``N - 1``
(:class:`PerCopy`). ``shared`` learns from its seats' own rewards; the adversary learns from minus the mean reward
of the seats it plays against, with the penalty ``(1/tau) KL(adversary || shared)`` towards the policy it replaces
(``shared``'s current one). ``adversary_seating="copy"`` (default) draws the seat for every environment copy
anew each rollout; ``"rollout"`` draws one seat for all copies of a rollout. Note: the authors' released code for
their other N-player benchmark (``gridworld/warehouse.py`` of ``crqu/srpo``, 4-robot RWARE with 3 shared seats and
one adversary) draws the seats per environment copy each rollout and penalises ``KL(adversary || shared)``;
section 8 names only the shared policy and a seat drawn each rollout, which both options satisfy (the paper's
Hanabi appendix could not be checked here), so rqe follows the released code by default. That code rewards the
adversary with minus its own seat's reward; rqe uses minus the mean reward of the seats it plays against (section 8: minus the agent's return), the same under a shared reward
(Hanabi, Tag).
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

__all__ = ["Assignment", "Match", "PerCopy", "Algorithm", "make_algorithm", "policy_sharing", "schedule"]


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
    copies: Any = None    # bool (n_envs,): learn only from these environment copies (None: all of them)


@dataclass
class PerCopy:
    """A seat whose policy differs between environment copies: copy ``e`` plays ``policies[choice[e]]``.

    ``choice`` is a long tensor ``(n_envs,)``; the trainer samples each copy's action from its own policy's logits
    (the same uniforms whichever policy it is), so an adversary can sit on a different seat in every copy.
    """

    policies: list[Any]
    choice: Any


@dataclass
class Match:
    """One rollout: the policy in each seat (a learner name or a frozen module) and what is learned from it."""

    name: str
    seats: list[Any]
    train: list[Assignment] = field(default_factory=list)
    kind: str = "train"       # "adversary", "partner", "population" or "train": what the hooks look at


class Algorithm:
    """Base class: one learner per seat trained by independent PPO (``ippo``; ``mappo`` with central critics), or
    with ``shared`` one learner ``shared`` in every seat (``selfplay``, and IPPO/MAPPO with policy sharing)."""

    #: Whether critics see the global state (MAPPO).
    central_critic = False

    def __init__(self, cfg: TrainConfig, n_agents: int, shared: bool = False):
        self.cfg = cfg
        self.n_agents = n_agents
        self.shared = shared          # one learner "shared" in every seat (policy sharing, section 8)

    def rollouts(self, update: int) -> int:
        """Rollouts played by update ``update`` (0-based)."""
        return 1

    def population_updates(self) -> int:
        return 0

    def build(self, trainer: Trainer) -> None:
        if self.shared:
            trainer.add_learner("shared")
            return
        for i in range(self.n_agents):
            trainer.add_learner(f"agent{i}", seat=i)

    def plan(self, trainer: Trainer) -> list[Match]:
        n = self.n_agents
        if self.shared:
            return [Match("team", ["shared"] * n, [Assignment("shared", i, (i,)) for i in range(n)])]
        return [Match("team", [f"agent{i}" for i in range(n)], [Assignment(f"agent{i}", i, (i,)) for i in range(n)])]

    def after_rollout(self, trainer: Trainer, match: Match, rollout: Any, metrics: dict[str, float]) -> None:
        """Called after each rollout of an update (before any learner moves)."""

    def after_update(self, trainer: Trainer) -> None:
        """Called once the update's learners have moved (``trainer.update`` not yet incremented)."""

    def policies(self, trainer: Trainer) -> list[Any]:
        if self.shared:
            return [trainer.learners["shared"].actor] * self.n_agents
        return [trainer.learners[f"agent{i}"].actor for i in range(self.n_agents)]


class CentralCritic(Algorithm):
    """MAPPO: IPPO whose critics see the global state beside the own observation."""

    central_critic = True


class SRPO(Algorithm):
    """Each agent trained against its own KL-bounded adversary in the partner's seat (``kl=False``: no KL); with
    ``shared``: one shared policy and one adversary on a random seat per copy (see the module docstring)."""

    def __init__(self, cfg: TrainConfig, n_agents: int, kl: bool = True, shared: bool = False):
        super().__init__(cfg, n_agents, shared)
        self.kl_coef = 1.0 / cfg.tau if kl else 0.0

    def rollouts(self, update: int) -> int:
        per_pair = 2 if self.cfg.risk_critic else 1
        return per_pair * (1 if self.shared else 2)

    def build(self, trainer: Trainer) -> None:
        cfg = self.cfg
        adv_lr = cfg.adversary_lr or cfg.lr
        critics = ("partner", "adversary") if cfg.risk_critic else ("v",)
        if not self.shared:
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
        if not self.shared:
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
        copies = trainer.env.n_envs
        drawn = (trainer.np_rng.integers(n, size=copies) if cfg.adversary_seating == "copy"
                 else np.full(copies, trainer.np_rng.integers(n)))
        seat = torch.as_tensor(drawn, dtype=torch.long, device=trainer.device)    # the adversary's seat per copy
        jobs = [Assignment("shared", k, (k,), weight=agent_weight, critic=agent_critic, copies=seat != k)
                for k in everyone if bool((seat != k).any())]
        jobs += [Assignment("adversary", k, tuple(j for j in everyone if j != k), sign=-1.0, copies=seat == k)
                 for k in everyone if bool((seat == k).any())]
        matches.append(Match("adversary", [PerCopy(["shared", "adversary"], (seat == k).long()) for k in everyone],
                             jobs, kind="adversary"))
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
        if not self.shared:
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


def policy_sharing(cfg: TrainConfig, n_agents: int, n_actions: tuple[int, ...] | None = None) -> bool:
    """Whether ``cfg.algo`` trains one policy shared by every seat (``docs/rqe-math.md`` section 8).

    ``selfplay`` always does; ``ippo``, ``mappo``, ``srpo`` and ``adversarial`` do when ``cfg.share_policy`` is
    True, or, with ``share_policy=None`` (the default), when there are more than two seats with equal action sets;
    population methods have their own seating (False). Sharing needs equal action sets, and SRPO with more than
    two seats needs sharing (:class:`rqe.errors.ParameterError` otherwise).

    >>> from rqe.srpo.config import TrainConfig
    >>> policy_sharing(TrainConfig(algo="ippo"), 2), policy_sharing(TrainConfig(algo="ippo"), 4)
    (False, True)
    >>> policy_sharing(TrainConfig(algo="srpo", share_policy=True), 2)
    True
    """
    algo = cfg.algo
    equal = n_actions is None or len(set(n_actions)) == 1
    if algo == "selfplay":
        return True
    if algo not in ("ippo", "mappo", "srpo", "adversarial"):
        return False
    if cfg.share_policy is None:
        shared = n_agents > 2 and (equal or algo in ("srpo", "adversarial"))
    else:
        shared = cfg.share_policy
    if shared and not equal:
        raise ParameterError(f"a policy shared by every seat needs equal action sets, got {tuple(n_actions)}")
    if algo in ("srpo", "adversarial") and n_agents > 2 and not shared:
        raise ParameterError(f"{algo} with {n_agents} players trains one shared policy and one adversary "
                             f"(docs/rqe-math.md section 8); share_policy=False is for two players")
    return shared


def make_algorithm(cfg: TrainConfig, n_agents: int, n_actions: tuple[int, ...] | None = None) -> Algorithm:
    """The :class:`Algorithm` object of ``cfg.algo`` for an environment with ``n_agents`` seats (action-set sizes
    ``n_actions``, when known; :func:`policy_sharing` decides whether the seats share one policy)."""
    algo = cfg.algo
    shared = policy_sharing(cfg, n_agents, n_actions)
    if algo in ("ippo", "selfplay"):
        return Algorithm(cfg, n_agents, shared)
    if algo == "mappo":
        return CentralCritic(cfg, n_agents, shared)
    if algo in ("srpo", "adversarial"):
        return SRPO(cfg, n_agents, kl=algo == "srpo", shared=shared)
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
