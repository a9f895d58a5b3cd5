"""Every hyper-parameter of the SRPO layer in one dataclass, with its default, and two named presets.

``PRESETS["paper"]`` holds the settings of the paper's gridworld runs [QZLM App. D.2] as run by the authors' script
``gridworld/coop_ppo.py``: Adam with lr 6e-4 (eps 1e-8), 8 envs x 128 steps per rollout, 4 full-batch epochs,
clip 0.2, value loss ``0.5 (V - R)^2`` with weight 1, no value clipping, entropy bonus eps = 0.1, no advantage
normalisation, no gradient clipping, no learning-rate annealing, PyTorch's default (uniform) initialisation.
``PRESETS["tuned"]`` holds the settings of this package's earlier results (lr 1e-3, 32 envs x 50 steps, 4 epochs
of 4 minibatches, normalised advantages, gradient clipping 0.5, annealing, orthogonal initialisation, eps = 0.01).

``share_policy`` (None: shared when there are more than two seats) and ``adversary_seating`` (``"copy"``: SRPO's
adversary seat drawn per environment copy each rollout; ``"rollout"``: one seat for all copies) set the policy
sharing of ``docs/rqe-math.md`` section 8 (see :mod:`rqe.srpo.algorithms`).

Two choices are named rather than hidden:

* ``kl_direction``: ``"adversary||partner"`` is the paper's eq. 9, ``KL(phi_i || pi_{-i})``; ``"partner||adversary"``
  is ``KL(pi_{-i} || phi_i)``, what the authors' gridworld script computes. Both presets default to eq. 9.
* ``update_order``: ``"simultaneous"`` plays every rollout of an update first and then updates every learner against
  references snapshotted before anyone moved; ``"sequential"`` updates the learners of each rollout right after it
  (the authors' order: agent 0 and its adversary, then agent 1's adversary, whose KL reference is the already
  updated agent 0, then agent 1).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from rqe.errors import ParameterError

__all__ = ["TrainConfig", "ALGORITHMS", "PRESETS", "KL_DIRECTIONS", "UPDATE_ORDERS", "ADVERSARY_SEATINGS",
           "parse_method", "method_folder"]

#: Algorithms the trainer knows, each a configuration of the same loop (see :mod:`rqe.srpo.trainer`).
ALGORITHMS = ("ippo", "mappo", "selfplay", "srpo", "adversarial", "fcp", "trajedi", "mep")


#: The settings each preset gives to the fields left at ``None``.
PRESETS: dict[str, dict[str, Any]] = {
    "tuned": dict(lr=1e-3, adam_eps=1e-5, anneal_lr=True, n_envs=32, n_steps=50, n_epochs=4, n_minibatches=4,
                  clip_vloss=True, vf_coef=0.5, max_grad_norm=0.5, norm_adv=True, epsilon=0.01, init="orthogonal"),
    "paper": dict(lr=6e-4, adam_eps=1e-8, anneal_lr=False, n_envs=8, n_steps=128, n_epochs=4, n_minibatches=1,
                  clip_vloss=False, vf_coef=1.0, max_grad_norm=None, norm_adv=False, epsilon=0.1, init="uniform"),
}
KL_DIRECTIONS = ("adversary||partner", "partner||adversary")
UPDATE_ORDERS = ("simultaneous", "sequential")
ADVERSARY_SEATINGS = ("copy", "rollout")
PARTNER_SNAPSHOTS = ("all", "fcp")
_UNSET = object()


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (CleanRL style: one place, named after what they do).

    Fields marked *preset* default to ``None`` and take the value of ``PRESETS[preset]`` (``"tuned"`` unless
    ``preset="paper"``); a value given explicitly always wins. ``to_dict`` holds the resolved values.

    Budget: ``total_steps`` is the number of environment steps (transitions of one copy) the run may take, the
    same for every algorithm: an algorithm that plays several rollouts of ``n_envs * n_steps`` steps per update
    (SRPO one per agent-adversary pair, population methods one per member) gets proportionally fewer updates
    (see :func:`rqe.srpo.algorithms.schedule`). A rollout of any length ``n_steps`` starts from a reset; an
    episode cut by the end of the rollout is bootstrapped from the critic's value of the next observation.

    >>> cfg = TrainConfig(algo="srpo", env="collaborate_defect", total_steps=4096)
    >>> cfg.lr, cfg.n_envs, cfg.n_steps
    (0.001, 32, 50)
    >>> paper = TrainConfig(preset="paper")
    >>> paper.lr, paper.n_envs * paper.n_steps, paper.max_grad_norm, paper.norm_adv
    (0.0006, 1024, None, False)
    >>> TrainConfig.from_dict(cfg.to_dict()) == cfg
    True
    """

    algo: str = "ippo"
    env: str = "cooking"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    preset: str = "tuned"              # "tuned" or "paper": the values of the fields left at None
    seed: int = 0
    device: str = "auto"
    total_steps: int = 200_000         # environment steps of the whole run, the same budget for every algorithm
    n_envs: int | None = None          # preset: parallel environment copies per rollout
    n_steps: int | None = None         # preset: rollout length (any length; cut episodes are bootstrapped)
    # PPO
    lr: float | None = None            # preset: Adam learning rate
    adam_eps: float | None = None      # preset: Adam's epsilon
    anneal_lr: bool | None = None      # preset: linear learning-rate decay to 0
    gamma: float = 0.99
    gae_lambda: float = 0.95
    n_epochs: int | None = None        # preset: PPO epochs per update
    n_minibatches: int | None = None   # preset: minibatches per epoch (1 = full batch)
    clip_coef: float = 0.2
    clip_vloss: bool | None = None     # preset: clipped value loss
    vf_coef: float | None = None       # preset: weight of the value loss 0.5 (V - R)^2
    max_grad_norm: float | None | object = _UNSET   # preset: gradient-norm clipping (None: none)
    norm_adv: bool | None = None       # preset: normalise advantages per minibatch
    hidden: int = 64
    layers: int = 2
    init: str | None = None            # preset: "orthogonal" or "uniform" (PyTorch's default nn.Linear init)
    # bounded rationality and risk aversion (docs/rqe-math.md sections 3 and 8)
    epsilon: float | None = None       # preset: entropy bonus of the agents (eps)
    tau: float = 10.0                  # risk aversion: the adversary's KL penalty has weight 1/tau
    kl_direction: str = "adversary||partner"   # the paper's eq. 9; "partner||adversary": the authors' script
    update_order: str = "simultaneous"  # or "sequential" (the authors' order, see the module docstring)
    adversary_entropy: float = 0.0     # entropy bonus of SRPO adversaries
    adversary_reference: str = "partner"   # "partner" (current partner policy) or "memory" (partner pool)
    adversary_lr: float | None = None  # defaults to lr
    risk_critic: bool = False          # advantage-gap variant: E[A] - lam (E_partner[A] - E_adversary[A])
    risk_lambda: float = 0.5
    # policy sharing (docs/rqe-math.md section 8, N > 2 players; see rqe.srpo.algorithms)
    share_policy: bool | None = None   # ippo/mappo/srpo/adversarial: one policy for every seat; None: when N > 2
    adversary_seating: str = "copy"    # shared-policy SRPO: adversary seat drawn per env "copy" or per "rollout"
    # population methods (FCP, TrajeDi, MEP)
    population_size: int = 3
    population_fraction: float = 0.5   # share of the env-step budget spent training the population
    memory_every: int = 5              # add population members to the partner memory every K updates
    memory_capacity: int = 64
    diversity_coef: float = 0.05       # TrajeDi / MEP diversity bonus weight
    partner_runs: list[str] = field(default_factory=list)   # trained run folders (or "zoo:NAME") filling the memory
    partner_snapshots: str = "all"     # which snapshots of each partner run: "all", or "fcp" (first, middle, last)
    # bookkeeping
    checkpoint_every: int = 10
    eval_episodes: int = 64

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ParameterError(f"preset must be one of {sorted(PRESETS)}, got {self.preset!r}")
        for name, value in PRESETS[self.preset].items():
            current = getattr(self, name)
            if current is None or current is _UNSET:
                if name == "max_grad_norm" and current is None:
                    continue       # an explicit None: no clipping
                setattr(self, name, value)
        if self.algo not in ALGORITHMS:
            raise ParameterError(f"algo must be one of {ALGORITHMS}, got {self.algo!r}")
        if not isinstance(self.env_kwargs, dict):
            raise ParameterError(f"env_kwargs must be a dict of environment options, got {self.env_kwargs!r}")
        if not isinstance(self.partner_runs, (list, tuple)) or not all(isinstance(p, str) for p in self.partner_runs):
            raise ParameterError(f"partner_runs must be a list of run folders, got {self.partner_runs!r}")
        self.partner_runs = list(self.partner_runs)
        for name in ("total_steps", "n_envs", "n_steps", "n_epochs", "n_minibatches", "hidden", "layers",
                     "population_size", "memory_every", "checkpoint_every", "eval_episodes", "memory_capacity"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 1:
                raise ParameterError(f"{name} must be a positive integer, got {value!r}")
            setattr(self, name, int(value))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ParameterError(f"seed must be a non-negative integer, got {self.seed!r}")
        for name in ("lr", "tau", "clip_coef", "adam_eps"):
            if not _finite_number(getattr(self, name)) or not float(getattr(self, name)) > 0:
                raise ParameterError(f"{name} must be a positive number, got {getattr(self, name)!r}")
        for name in ("epsilon", "adversary_entropy", "diversity_coef", "vf_coef", "gamma", "gae_lambda"):
            if not _finite_number(getattr(self, name)) or float(getattr(self, name)) < 0:
                raise ParameterError(f"{name} must be a non-negative number, got {getattr(self, name)!r}")
        if self.max_grad_norm is not None and (not _finite_number(self.max_grad_norm) or not self.max_grad_norm > 0):
            raise ParameterError(f"max_grad_norm must be positive or None (no clipping), got {self.max_grad_norm!r}")
        if self.adversary_lr is not None and (not _finite_number(self.adversary_lr) or not self.adversary_lr > 0):
            raise ParameterError(f"adversary_lr must be positive or None, got {self.adversary_lr!r}")
        for name, allowed in (("kl_direction", KL_DIRECTIONS), ("update_order", UPDATE_ORDERS),
                              ("init", ("orthogonal", "uniform")), ("adversary_reference", ("partner", "memory")),
                              ("adversary_seating", ADVERSARY_SEATINGS),
                              ("partner_snapshots", PARTNER_SNAPSHOTS)):
            if getattr(self, name) not in allowed:
                raise ParameterError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")
        for name in ("anneal_lr", "clip_vloss", "norm_adv", "risk_critic"):
            if not isinstance(getattr(self, name), bool):
                raise ParameterError(f"{name} must be true or false, got {getattr(self, name)!r}")
        if self.share_policy is not None and not isinstance(self.share_policy, bool):
            raise ParameterError(f"share_policy must be true, false or None (shared when N > 2), "
                                 f"got {self.share_policy!r}")
        if not 0.0 <= self.risk_lambda <= 1.0:
            raise ParameterError(f"risk_lambda must lie in [0, 1], got {self.risk_lambda!r}")
        if not 0.0 < self.population_fraction < 1.0:
            raise ParameterError(f"population_fraction must lie in (0, 1), got {self.population_fraction!r}")
        if (self.n_envs * self.n_steps) % self.n_minibatches:
            raise ParameterError(
                f"n_envs * n_steps = {self.n_envs * self.n_steps} must be divisible by n_minibatches = {self.n_minibatches}"
            )

    @property
    def batch_steps(self) -> int:
        """Environment steps of one rollout, ``n_envs * n_steps``."""
        return self.n_envs * self.n_steps

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        if not isinstance(data, dict):
            raise ParameterError(f"a TrainConfig is read from a dict, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ParameterError(f"unknown TrainConfig fields {sorted(unknown)}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ParameterError(f"bad TrainConfig values: {exc}") from exc

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def differences(self, other: TrainConfig, ignore: tuple[str, ...] = ()) -> dict[str, tuple[Any, Any]]:
        """Fields whose values differ, ``{name: (self's, other's)}`` (``ignore``: names not compared).

        >>> TrainConfig(tau=1.0).differences(TrainConfig(tau=2.0))
        {'tau': (1.0, 2.0)}
        """
        mine, theirs = self.to_dict(), other.to_dict()
        return {k: (mine[k], theirs.get(k)) for k in mine if k not in ignore and mine[k] != theirs.get(k)}


def _finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(float(value))


def parse_method(spec: str) -> tuple[str, dict[str, float]]:
    """A study's method name: ``"srpo"`` -> ``("srpo", {})``; ``"srpo:tau=1,epsilon=0.01"`` -> the algorithm and
    the :class:`TrainConfig` overrides of that variant (``tau`` and ``epsilon`` only).

    >>> parse_method("srpo:tau=1,epsilon=0.01")
    ('srpo', {'tau': 1.0, 'epsilon': 0.01})
    """
    algo, _, rest = str(spec).partition(":")
    overrides: dict[str, float] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep or key not in ("tau", "epsilon"):
            raise ParameterError(f"method {spec!r}: variants set tau=... or epsilon=..., got {item!r}")
        try:
            overrides[key] = float(value)
        except ValueError:
            raise ParameterError(f"method {spec!r}: {key} must be a number, got {value!r}") from None
    return algo, overrides


def method_folder(spec: str) -> str:
    """The run folder name of a method name: ``"srpo:tau=1"`` -> ``"srpo_tau1"``.

    >>> method_folder("srpo:tau=1,epsilon=0.01")
    'srpo_tau1_epsilon0.01'
    """
    return str(spec).replace(":", "_").replace("=", "").replace(",", "_")
