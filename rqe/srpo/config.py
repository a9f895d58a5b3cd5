"""Every hyper-parameter of the SRPO layer in one dataclass, with its default."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rqe.errors import ParameterError

__all__ = ["TrainConfig", "ALGORITHMS"]

#: Algorithms the trainer knows, each a configuration of the same loop (see :mod:`rqe.srpo.trainer`).
ALGORITHMS = ("ippo", "mappo", "selfplay", "srpo", "adversarial", "fcp", "trajedi", "mep")


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (CleanRL style: one place, named after what they do).

    Budget: ``total_steps`` is divided into updates of ``n_envs * n_steps`` transitions per rollout; an algorithm
    may play several rollouts per update (SRPO plays one per agent-adversary pair, population methods one per
    member), so its environment-step count per update is a multiple of that.

    >>> cfg = TrainConfig(algo="srpo", env="collaborate_defect", total_steps=4096)
    >>> cfg.n_updates
    2
    >>> TrainConfig.from_dict(cfg.to_dict()) == cfg
    True
    """

    algo: str = "ippo"
    env: str = "cooking"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    device: str = "auto"
    total_steps: int = 200_000
    n_envs: int = 32
    n_steps: int = 50                  # rollout length per update (a multiple of the episode horizon)
    # PPO
    lr: float = 3e-4
    anneal_lr: bool = True
    gamma: float = 0.99
    gae_lambda: float = 0.95
    n_epochs: int = 4
    n_minibatches: int = 4
    clip_coef: float = 0.2
    clip_vloss: bool = True
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    norm_adv: bool = True
    hidden: int = 64
    layers: int = 2
    # bounded rationality and risk aversion (docs/rqe-math.md sections 3 and 8)
    epsilon: float = 0.01              # entropy bonus of the agents (eps)
    tau: float = 10.0                  # risk aversion: the adversary's KL penalty has weight 1/tau
    adversary_entropy: float = 0.0     # entropy bonus of SRPO adversaries
    adversary_reference: str = "partner"   # "partner" (current partner policy) or "memory" (partner pool)
    adversary_lr: float | None = None  # defaults to lr
    risk_critic: bool = False          # advantage-gap variant: E[A] - lam (E_partner[A] - E_adversary[A])
    risk_lambda: float = 0.5
    # population methods (FCP, TrajeDi, MEP)
    population_size: int = 3
    population_fraction: float = 0.5   # share of updates spent training the population
    memory_every: int = 5              # add population members to the partner memory every K updates
    memory_capacity: int = 64
    diversity_coef: float = 0.05       # TrajeDi / MEP diversity bonus weight
    partner_runs: list[str] = field(default_factory=list)   # trained run folders filling the partner memory
    # bookkeeping
    checkpoint_every: int = 10
    eval_episodes: int = 64

    def __post_init__(self) -> None:
        if self.algo not in ALGORITHMS:
            raise ParameterError(f"algo must be one of {ALGORITHMS}, got {self.algo!r}")
        for name in ("total_steps", "n_envs", "n_steps", "n_epochs", "n_minibatches", "hidden", "layers",
                     "population_size", "memory_every", "checkpoint_every", "eval_episodes", "memory_capacity"):
            if int(getattr(self, name)) < 1:
                raise ParameterError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        for name in ("lr", "tau", "clip_coef"):
            if not float(getattr(self, name)) > 0:
                raise ParameterError(f"{name} must be positive, got {getattr(self, name)!r}")
        for name in ("epsilon", "adversary_entropy", "diversity_coef", "vf_coef"):
            if float(getattr(self, name)) < 0:
                raise ParameterError(f"{name} must be non-negative, got {getattr(self, name)!r}")
        if self.adversary_reference not in ("partner", "memory"):
            raise ParameterError(f"adversary_reference must be 'partner' or 'memory', got {self.adversary_reference!r}")
        if not 0.0 <= self.risk_lambda <= 1.0:
            raise ParameterError(f"risk_lambda must lie in [0, 1], got {self.risk_lambda!r}")
        if not 0.0 < self.population_fraction < 1.0:
            raise ParameterError(f"population_fraction must lie in (0, 1), got {self.population_fraction!r}")
        if (self.n_envs * self.n_steps) % self.n_minibatches:
            raise ParameterError(
                f"n_envs * n_steps = {self.n_envs * self.n_steps} must be divisible by n_minibatches = {self.n_minibatches}"
            )

    @property
    def n_updates(self) -> int:
        return max(1, self.total_steps // (self.n_envs * self.n_steps))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ParameterError(f"unknown TrainConfig fields {sorted(unknown)}")
        return cls(**data)

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)
