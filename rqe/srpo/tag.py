"""Predator-prey Tag (PettingZoo MPE ``simple_tag``), vectorised in torch, and the ``mpe2`` reference behind it.

The scenario is MPE's ``simple_tag`` [LWTHAM17] as shipped by the ``mpe2`` package (PettingZoo's MPE successor).
The *collaborating team* are the predators (``adversary_*`` in ``simple_tag``): they are the seats an SRPO learner
and its partners occupy (``docs/rqe-math.md`` section 8; [QZLM Sec. 5]). The prey (``agent_*``) is part of the
environment: it acts with a fixed prey policy (default :class:`FleeingPrey`, a deterministic scripted runner).

Rules of one step (``mpe2`` ``_mpe_utils/core.py`` and ``simple_tag/simple_tag.py``; :class:`TagRules` holds
every constant):

1. Discrete action ``a`` of each agent (``0`` no-op, ``1`` -x, ``2`` +x, ``3`` -y, ``4`` +y) is a force
   ``u = accel * e_a`` (accel 3 for predators, 4 for prey).
2. Every pair of colliding entities (agents and the fixed obstacles) pushes the movable ones apart with the soft
   contact force ``f_ab = F * (p_a - p_b) / d_ab * k * log(1 + exp(-(d_ab - r_a - r_b) / k))``,
   ``F = 100``, ``k = 1e-3``.
3. Semi-implicit Euler with damping: ``p <- p + v dt``; ``v <- (1 - 0.25) v + (u + sum_b f_ab) dt`` (mass 1,
   ``dt = 0.1``), then the speed is clipped to ``max_speed`` (1.0 predators, 1.3 prey).
4. Rewards on the new positions: a predator and a prey *collide* when closer than the sum of their radii; every
   predator receives ``+10`` per colliding (prey, predator) pair (a shared team reward); a prey receives ``-10``
   per predator touching it minus ``sum_d bound(|p_d|)`` (``bound(x) = 0`` below 0.9, ``10 (x - 0.9)`` below 1,
   ``min(exp(2x - 2), 10)`` beyond).
5. Observation of agent ``i``: own velocity, own position, obstacles' positions relative to it, the other agents'
   relative positions (in agent order) and the prey's velocities (except its own).

Episodes last ``max_cycles`` steps; initial positions are uniform on ``[-1, 1]^2`` (agents) and
``[-0.9, 0.9]^2`` (obstacles), velocities zero. There are no private costs (``Step.costs`` is zero).

Default scenario: the paper's (the authors' Tag script: 2 predators, 1 prey, 2 obstacles, 100 steps), which
differs from ``mpe2``'s own default (3 predators, 25 steps); pass ``TagRules(num_adversaries=3, max_cycles=25)``
for the latter. The authors scale rewards by 0.1 (``reward_scale``) and use a fixed pretrained prey network,
which is not available; :class:`FleeingPrey` takes its place. Paper settings for SRPO on Tag: tau = 10,
eps = 0.01 (``docs/rqe-math.md`` section 8).

Classes:

* :class:`TagWorld`: the physics of ``n_envs`` copies with every agent's action given (predators and prey);
* :class:`Tag`: the SRPO environment (``reset``/``step``/``state`` as in :mod:`rqe.srpo.envs`): seats are the
  predators, the prey acts by its policy, copies reset automatically after ``max_cycles`` steps. With three
  predators (``num_adversaries=3``) the trainer shares one policy across them (SRPO: one adversary on a random
  predator seat per copy, ``docs/rqe-math.md`` section 8; :mod:`rqe.srpo.algorithms`), and cross-play and held-out
  evaluation (:mod:`rqe.srpo.evaluate`) mix the three seats;
* :class:`TagPreyParallelEnv`: ``mpe2``'s ``simple_tag`` as a PettingZoo ``ParallelEnv`` of the predators only
  (the prey driven by the same prey policy), which :func:`reference_tag` batches with
  :class:`rqe.srpo.envs.PettingZooEnv`: the reference the vectorised version is tested against;
* scripted policies (same call as rqe's actors: ``policy(obs) -> logits``): :class:`FleeingPrey`,
  :class:`GreedyPredator` (chases the nearest prey) and, from :mod:`rqe.srpo.networks`, ``FixedPolicy(5)``
  (uniformly random).

References: [LWTHAM17] R. Lowe, Y. Wu, A. Tamar, J. Harb, P. Abbeel, I. Mordatch, *Multi-Agent Actor-Critic for
Mixed Cooperative-Competitive Environments*, NeurIPS 2017. [QZLM] C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar,
*Training Generalizable Collaborative Agents via Strategic Risk Aversion*, arXiv 2602.21515, 2026.

>>> import torch
>>> env = Tag(n_envs=4)
>>> g = torch.Generator().manual_seed(0)
>>> env.reset(g).shape                     # (predators, copies, obs_dim)
torch.Size([2, 4, 14])
>>> step = env.step(torch.zeros(2, 4, dtype=torch.long), g)
>>> tuple(step.rewards.shape), bool(step.done.any())
((2, 4), False)
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from rqe._validation import positive_int
from rqe.errors import ParameterError
from rqe.srpo._torch import resolve_device, torch
from rqe.srpo.envs import PettingZooEnv, Step, _check_reset_noise
from rqe.srpo.networks import FixedPolicy, sample_actions
from rqe.srpo.ppo import gumbel_argmax

__all__ = ["TagRules", "TagWorld", "Tag", "TagPreyParallelEnv", "reference_tag", "FleeingPrey", "GreedyPredator",
           "tag_partners", "N_ACTIONS", "MOVES"]

#: Discrete actions of MPE: no-op, -x, +x, -y, +y (unit directions; multiplied by the agent's acceleration).
MOVES = ((0.0, 0.0), (-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0))
N_ACTIONS = len(MOVES)


@dataclass(frozen=True)
class TagRules:
    """Constants of ``simple_tag`` (``mpe2`` 1.1 values); the team sizes and horizon default to the paper's."""

    num_good: int = 1
    num_adversaries: int = 2
    num_obstacles: int = 2
    max_cycles: int = 100
    dt: float = 0.1
    damping: float = 0.25
    contact_force: float = 100.0
    contact_margin: float = 1e-3
    adversary_size: float = 0.075
    adversary_accel: float = 3.0
    adversary_max_speed: float = 1.0
    good_size: float = 0.05
    good_accel: float = 4.0
    good_max_speed: float = 1.3
    obstacle_size: float = 0.2
    catch_reward: float = 10.0
    reward_scale: float = 1.0

    def __post_init__(self) -> None:
        for name in ("num_good", "num_adversaries", "max_cycles"):
            positive_int(getattr(self, name), name)
        positive_int(self.num_obstacles, "num_obstacles", minimum=0)

    @property
    def n_agents(self) -> int:
        return self.num_adversaries + self.num_good

    def obs_dim(self, adversary: bool) -> int:
        """Length of an agent's observation: 4 + 2 obstacles + 2 (others) + 2 (prey velocities seen)."""
        seen_prey = self.num_good if adversary else self.num_good - 1
        return 4 + 2 * self.num_obstacles + 2 * (self.n_agents - 1) + 2 * seen_prey


class TagWorld:
    """``n_envs`` copies of the ``simple_tag`` physics; agents ``0..A-1`` are predators, ``A..A+G-1`` prey.

    State: ``pos`` and ``vel`` of shape ``(n_envs, n_agents, 2)`` and ``obstacles`` of shape
    ``(n_envs, num_obstacles, 2)`` in ``dtype`` (float64 reproduces ``mpe2``'s numpy arithmetic to rounding).

    >>> import torch
    >>> world = TagWorld(1, TagRules(num_obstacles=0), dtype=torch.float64)
    >>> world.set_state([[-0.5, 0.0], [0.0, 0.5], [0.5, 0.0]], [[0.0, 0.0]] * 3, [])
    >>> world.step(torch.tensor([[2], [0], [1]]))     # predator 0 pushes +x, predator 1 idles, the prey runs -x
    >>> world.vel[0, :, 0].round(decimals=3).tolist()   # x velocities: u dt = accel * dt
    [0.3, 0.0, -0.4]
    """

    def __init__(self, n_envs: int, rules: TagRules | None = None, device: Any = "cpu", dtype: Any = None):
        self.n_envs = positive_int(n_envs, "n_envs")
        self.rules = rules = rules or TagRules()
        self.device = resolve_device(device)
        self.dtype = dtype or torch.float32
        if self.dtype not in (torch.float32, torch.float64):
            raise ParameterError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
        A, G, L = rules.num_adversaries, rules.num_good, rules.num_obstacles
        self.n_agents = A + G
        kw = {"device": self.device, "dtype": self.dtype}
        adversary = torch.arange(self.n_agents, device=self.device) < A
        self.is_adversary = adversary
        self.sizes = torch.tensor([rules.adversary_size] * A + [rules.good_size] * G + [rules.obstacle_size] * L, **kw)
        self.accel = torch.tensor([rules.adversary_accel] * A + [rules.good_accel] * G, **kw)
        self.max_speed = torch.tensor([rules.adversary_max_speed] * A + [rules.good_max_speed] * G, **kw)
        self.moves = torch.tensor(MOVES, **kw)
        # other[i, j]: entity index (agents then obstacles) that is agent i's j-th "other" (every entity but i)
        n_ent = self.n_agents + L
        self._not_self = ~torch.eye(self.n_agents, n_ent, dtype=torch.bool, device=self.device)
        self.pos = torch.zeros(self.n_envs, self.n_agents, 2, **kw)
        self.vel = torch.zeros_like(self.pos)
        self.obstacles = torch.zeros(self.n_envs, L, 2, **kw)

    @property
    def reset_width(self) -> int:
        """Uniforms per copy that one :meth:`reset` takes: an x and a y per agent, then per obstacle."""
        return 2 * (self.n_agents + self.rules.num_obstacles)

    @property
    def reset_shape(self) -> tuple[int, ...]:
        """Shape per copy of the uniforms :meth:`reset` takes: ``(reset_width,)``."""
        return (self.reset_width,)

    def reset(self, generator: Any = None, uniforms: Any = None) -> None:
        """Uniform positions on ``[-1, 1]^2`` (agents) and ``[-0.9, 0.9]^2`` (obstacles), zero velocities.

        ``uniforms`` of shape ``(n_envs, reset_width)`` (agents' x, y in agent order, then the obstacles') give the
        positions; without them the positions are drawn from ``generator`` (agents, then obstacles).
        """
        B, N, L = self.n_envs, self.n_agents, self.rules.num_obstacles
        kw = {"device": self.device, "dtype": self.dtype}
        if uniforms is None:
            agents = torch.rand(B, N, 2, generator=generator, **kw)
            landmarks = torch.rand(B, L, 2, generator=generator, **kw)
        else:
            uniforms = _check_reset_noise(self, torch.as_tensor(uniforms, **kw))
            agents, landmarks = uniforms[:, :2 * N].reshape(B, N, 2), uniforms[:, 2 * N:].reshape(B, L, 2)
        self.pos = agents * 2.0 - 1.0
        self.vel = torch.zeros_like(self.pos)
        self.obstacles = (landmarks * 2.0 - 1.0) * 0.9

    def set_state(self, pos: Any, vel: Any, obstacles: Any) -> None:
        """Copy a state in (arrays of the shapes above), e.g. from ``mpe2``'s world for step-by-step checks."""
        kw = {"device": self.device, "dtype": self.dtype}
        self.pos = torch.as_tensor(np.asarray(pos), **kw).reshape(self.n_envs, self.n_agents, 2).clone()
        self.vel = torch.as_tensor(np.asarray(vel), **kw).reshape(self.n_envs, self.n_agents, 2).clone()
        self.obstacles = torch.as_tensor(np.asarray(obstacles), **kw).reshape(
            self.n_envs, self.rules.num_obstacles, 2).clone()

    def step(self, actions: Any) -> None:
        """Advance every copy one step; ``actions`` has shape ``(n_agents, n_envs)`` (all agents, prey included)."""
        rules = self.rules
        actions = torch.as_tensor(actions, device=self.device).long()
        if actions.shape != (self.n_agents, self.n_envs):
            raise ParameterError(f"actions must have shape {(self.n_agents, self.n_envs)}, got {tuple(actions.shape)}")
        if bool(((actions < 0) | (actions >= N_ACTIONS)).any()):
            raise ParameterError(f"Tag actions must lie in 0..{N_ACTIONS - 1}")
        force = self.moves[actions.t()] * self.accel[:, None]                     # (B, N, 2)
        entities = torch.cat([self.pos, self.obstacles], dim=1)                    # (B, E, 2)
        delta = self.pos[:, :, None, :] - entities[:, None, :, :]                  # (B, N, E, 2): p_i - p_e
        dist = torch.sqrt((delta * delta).sum(-1))
        dist_min = self.sizes[: self.n_agents, None] + self.sizes[None, :]
        k = rules.contact_margin
        penetration = torch.logaddexp(torch.zeros_like(dist), -(dist - dist_min) / k) * k
        safe = torch.where(self._not_self, dist, torch.ones_like(dist))
        pair = rules.contact_force * delta / safe[..., None] * penetration[..., None]
        force = force + torch.where(self._not_self[..., None], pair, torch.zeros_like(pair)).sum(2)
        self.pos = self.pos + self.vel * rules.dt
        vel = self.vel * (1 - rules.damping) + force * rules.dt
        speed = torch.sqrt(vel[..., 0] ** 2 + vel[..., 1] ** 2)
        over = speed > self.max_speed
        clipped = vel / torch.where(over, speed, torch.ones_like(speed))[..., None] * self.max_speed[:, None]
        self.vel = torch.where(over[..., None], clipped, vel)

    def observations(self) -> list[Any]:
        """Per agent, its observation of shape ``(n_envs, obs_dim)`` (layout in the module docstring)."""
        out = []
        A = self.rules.num_adversaries
        for i in range(self.n_agents):
            own = self.pos[:, i]
            parts = [self.vel[:, i], own, (self.obstacles - own[:, None]).flatten(1)]
            others = [j for j in range(self.n_agents) if j != i]
            parts.append((self.pos[:, others] - own[:, None]).flatten(1))
            prey = [j for j in others if j >= A]
            if prey:
                parts.append(self.vel[:, prey].flatten(1))
            out.append(torch.cat(parts, dim=1))
        return out

    def rewards(self) -> Any:
        """Rewards of every agent after a step, shape ``(n_agents, n_envs)`` (predators first)."""
        rules = self.rules
        A = rules.num_adversaries
        adv, prey = self.pos[:, :A], self.pos[:, A:]
        gap = adv[:, :, None, :] - prey[:, None, :, :]                            # (B, A, G, 2)
        caught = torch.sqrt((gap * gap).sum(-1)) < (rules.adversary_size + rules.good_size)
        team = rules.catch_reward * caught.sum((1, 2)).to(self.dtype)             # (B,)
        x = prey.abs()
        bound = torch.where(x < 0.9, torch.zeros_like(x),
                            torch.where(x < 1.0, (x - 0.9) * 10, torch.clamp(torch.exp(2 * x - 2), max=10.0)))
        prey_reward = -rules.catch_reward * caught.sum(1).to(self.dtype) - bound.sum(-1)   # (B, G)
        return torch.cat([team[None].expand(A, -1), prey_reward.t()], dim=0) * rules.reward_scale


class FleeingPrey(torch.nn.Module):
    """Scripted prey: runs away from the predators, pulled back towards the centre (deterministic).

    From the prey's observation it forms ``d = -sum_j r_j / |r_j|^2 - centre_pull * p`` (``r_j`` the predators'
    relative positions, ``p`` its own position) and takes the move whose direction has the largest inner product
    with ``d`` (ties to the lower action index). Returns logits ``0`` for that move and ``-1e9`` elsewhere.

    >>> import torch
    >>> prey = FleeingPrey(TagRules())
    >>> obs = torch.zeros(1, TagRules().obs_dim(adversary=False))
    >>> obs[0, 8:10] = torch.tensor([0.3, 0.0])   # first predator just right of the prey
    >>> obs[0, 10:12] = torch.tensor([0.4, 0.1])
    >>> int(prey(obs).argmax())                   # flee to -x
    1
    """

    def __init__(self, rules: TagRules | None = None, centre_pull: float = 1.0):
        super().__init__()
        self.rules = rules or TagRules()
        self.centre_pull = float(centre_pull)
        self.n_actions = N_ACTIONS
        start = 4 + 2 * self.rules.num_obstacles
        self._slice = slice(start, start + 2 * self.rules.num_adversaries)

    def forward(self, obs: Any) -> Any:
        rel = obs[..., self._slice].reshape(*obs.shape[:-1], -1, 2)
        away = -(rel / (rel * rel).sum(-1, keepdim=True).clamp_min(1e-6)).sum(-2)
        direction = away - self.centre_pull * obs[..., 2:4]
        return _best_move_logits(direction)


class GreedyPredator(torch.nn.Module):
    """Scripted predator: moves along the larger component of the direction to the nearest prey.

    Reads the prey's relative positions from a predator's observation. Returns logits ``0`` for the chosen move,
    ``-1e9`` elsewhere (same call as rqe's actors).

    >>> import torch
    >>> rules = TagRules()
    >>> obs = torch.zeros(1, rules.obs_dim(adversary=True))
    >>> obs[0, 10:12] = torch.tensor([0.0, -0.5])   # the prey is below
    >>> int(GreedyPredator(rules)(obs).argmax())
    3
    """

    def __init__(self, rules: TagRules | None = None):
        super().__init__()
        self.rules = rules = rules or TagRules()
        self.n_actions = N_ACTIONS
        start = 4 + 2 * rules.num_obstacles + 2 * (rules.num_adversaries - 1)
        self._slice = slice(start, start + 2 * rules.num_good)

    def forward(self, obs: Any) -> Any:
        rel = obs[..., self._slice].reshape(*obs.shape[:-1], -1, 2)
        nearest = (rel * rel).sum(-1).argmin(-1, keepdim=True)
        target = rel.gather(-2, nearest[..., None].expand(*nearest.shape, 2)).squeeze(-2)
        return _best_move_logits(target)


def _best_move_logits(direction: Any) -> Any:
    """Logits 0 for the move (of :data:`MOVES`, no-op excluded) most aligned with ``direction``, -1e9 elsewhere."""
    moves = torch.tensor(MOVES[1:], dtype=direction.dtype, device=direction.device)
    best = (direction @ moves.t()).argmax(-1) + 1
    logits = torch.full((*direction.shape[:-1], N_ACTIONS), -1e9, dtype=torch.float32, device=direction.device)
    return logits.scatter(-1, best[..., None], 0.0)


def _prey_policy(prey: Any, rules: TagRules) -> Any:
    if prey is None or prey == "flee":
        return FleeingPrey(rules)
    if prey == "random":
        return FixedPolicy(N_ACTIONS)
    if prey == "still":
        return FixedPolicy(N_ACTIONS, 0)
    if callable(prey):
        return prey
    raise ParameterError(f"prey must be 'flee', 'random', 'still' or a policy (obs -> logits), got {prey!r}")


class Tag:
    """``simple_tag`` for SRPO: the predators are the seats, ``n_envs`` copies stepped with tensor operations.

    * ``reset(generator) -> obs`` of shape ``(num_adversaries, n_envs, obs_dim)`` (float32);
    * ``step(actions, generator) -> Step``: ``actions`` of shape ``(num_adversaries, n_envs)``; the prey's
      actions are sampled from ``prey(prey_obs)`` with ``generator`` (Gumbel-max, as rqe's actors); rewards are
      the predators' (shared) rewards, costs are zero; after ``max_cycles`` steps every copy is reset and
      ``Step.obs`` is the first observation of the next episode;
    * noise from the caller instead of ``generator`` (how :mod:`rqe.srpo.trainer` and the batched
      :mod:`rqe.srpo.population` drive it, so that a run's numbers come from the run's generator only):
      ``reset(noise=u)`` with ``u`` of shape ``(n_envs, reset_width)`` (the start positions) and
      ``step(actions, noise=noise_from(u))`` with ``u`` of shape ``(n_envs, noise_width)``: per prey one uniform
      per action for its Gumbel-max sample, then the ``reset_width`` uniforms of the reset that follows the last
      step of an episode (unused on the other steps);
    * ``state()``: the predators' observations concatenated, shape ``(n_envs, num_adversaries * obs_dim)`` (what
      :class:`rqe.srpo.envs.PettingZooEnv` gives for the reference); ``last_prey_rewards`` keeps the prey's.

    ``prey``: ``"flee"`` (default, :class:`FleeingPrey`), ``"random"``, ``"still"`` or a policy. ``dtype`` of the
    physics: float32 (default, fast) or float64 (reproduces ``mpe2`` to rounding; used by the agreement tests).
    ``seed`` seeds the environment's own generator, used only when ``reset``/``step`` get no generator.

    >>> import torch
    >>> env = Tag(n_envs=3, rules=TagRules(max_cycles=2))
    >>> g = torch.Generator().manual_seed(1)
    >>> _ = env.reset(g)
    >>> tuple(bool(env.step(torch.zeros(2, 3, dtype=torch.long), g).done[0]) for _ in range(3))
    (False, True, False)
    """

    private_costs = False      # a shared catch reward only

    def __init__(self, n_envs: int = 64, device: Any = "cpu", rules: TagRules | None = None, prey: Any = "flee",
                 dtype: Any = None, seed: int = 0, **rule_overrides: Any):
        rules = rules or TagRules()
        if rule_overrides:
            try:
                rules = replace(rules, **rule_overrides)
            except TypeError as exc:
                raise ParameterError(f"unknown Tag rule in {sorted(rule_overrides)}: {exc}") from None
        self.rules = rules
        self.world = TagWorld(n_envs, rules, device, dtype)
        self.n_envs, self.device = self.world.n_envs, self.world.device
        self.n_agents = rules.num_adversaries
        self.n_actions = (N_ACTIONS,) * self.n_agents
        self.obs_dim = rules.obs_dim(adversary=True)
        self.state_dim = self.n_agents * self.obs_dim
        self.horizon = rules.max_cycles
        self.prey = _prey_policy(prey, rules)
        self._generator = torch.Generator(device=self.device).manual_seed(int(seed))
        self.t = 0
        self.last_prey_rewards = torch.zeros(rules.num_good, self.n_envs, device=self.device)
        self._obs: list[Any] = []

    def _observe(self) -> Any:
        self._obs = [o.float() for o in self.world.observations()]
        return torch.stack(self._obs[: self.n_agents])

    @property
    def reset_width(self) -> int:
        """Uniforms per copy that one reset takes (:meth:`TagWorld.reset`)."""
        return self.world.reset_width

    @property
    def reset_shape(self) -> tuple[int, ...]:
        """Shape per copy of the uniforms :meth:`reset` takes from a trainer (:attr:`TagWorld.reset_shape`)."""
        return self.world.reset_shape

    @property
    def noise_width(self) -> int:
        """Uniforms per copy that one step takes: the prey's action samples, then the reset after an episode."""
        return self.rules.num_good * N_ACTIONS + self.reset_width

    def noise_from(self, uniforms: Any) -> dict[str, Any]:
        """The noise of one :meth:`step` from uniforms of shape ``(n_envs, noise_width)`` (a trainer draws them)."""
        G = self.rules.num_good
        return {"prey": uniforms[:, :G * N_ACTIONS].reshape(self.n_envs, G, N_ACTIONS),
                "reset": uniforms[:, G * N_ACTIONS:]}

    def reset(self, generator: Any = None, noise: Any = None) -> Any:
        """Start new episodes, from ``noise`` (uniforms ``(n_envs, reset_width)``) or drawn from ``generator``."""
        if noise is None:
            self.world.reset(generator if generator is not None else self._generator)
        else:
            self.world.reset(uniforms=noise)
        self.t = 0
        return self._observe()

    def state(self) -> Any:
        return torch.cat(self._obs[: self.n_agents], dim=1)

    def prey_actions(self, generator: Any = None, uniforms: Any = None) -> Any:
        """Actions of the prey at the current state, shape ``(num_good, n_envs)``.

        Sampled with ``uniforms`` (shape ``(n_envs, num_good, N_ACTIONS)``) when given, else from ``generator``.
        """
        generator = generator if generator is not None else self._generator
        prey_obs = self._obs[self.n_agents:]
        with torch.no_grad():
            if uniforms is None:
                return torch.stack([sample_actions(self.prey(o), generator) for o in prey_obs])
            return torch.stack([gumbel_argmax(self.prey(o), uniforms[:, j]) for j, o in enumerate(prey_obs)])

    def step(self, actions: Any, generator: Any = None, noise: dict[str, Any] | None = None) -> Step:
        actions = torch.as_tensor(actions, device=self.device).long()
        if actions.shape != (self.n_agents, self.n_envs):
            raise ParameterError(f"actions must have shape {(self.n_agents, self.n_envs)}, got {tuple(actions.shape)}")
        prey = self.prey_actions(generator, None if noise is None else noise["prey"])
        self.world.step(torch.cat([actions, prey], dim=0))
        rewards = self.world.rewards().float()
        self.last_prey_rewards = rewards[self.n_agents:]
        self.t += 1
        done_now = self.t >= self.horizon
        if not done_now:
            obs = self._observe()
        else:
            obs = self.reset(generator) if noise is None else self.reset(noise=noise["reset"])
        done = torch.full((self.n_envs,), done_now, dtype=torch.bool, device=self.device)
        costs = torch.zeros(self.n_agents, self.n_envs, device=self.device)
        return Step(obs=obs, rewards=rewards[: self.n_agents], costs=costs, done=done)


# ---------------------------------------------------------------------------------------------- mpe2 reference
def _simple_tag() -> Any:
    from rqe._optional import require

    return require("mpe2.simple_tag_v3", "tag", "the Tag reference environment (mpe2's simple_tag)")


class TagPreyParallelEnv:
    """``mpe2``'s ``simple_tag`` as a PettingZoo ``ParallelEnv`` of the predators; the prey acts by ``prey``.

    The prey's observation (float32, as ``mpe2`` returns it) goes through the prey policy; a stochastic prey
    samples with a torch generator seeded by ``reset(seed=...)``. ``world`` is ``mpe2``'s world object (for
    copying states into :class:`TagWorld`).

    >>> env = TagPreyParallelEnv(TagRules(max_cycles=5))      # doctest: +SKIP
    >>> sorted(env.reset(seed=0)[0])                          # doctest: +SKIP
    ['adversary_0', 'adversary_1']
    """

    metadata = {"name": "rqe_tag_predators_v0", "render_modes": []}
    private_costs = False

    def __init__(self, rules: TagRules | None = None, prey: Any = "flee"):
        self.rules = rules = rules or TagRules()
        # mpe2's scenario takes only these; any other rule changed here would silently differ from Tag
        passed = {"num_good", "num_adversaries", "num_obstacles", "max_cycles", "reward_scale"}
        differ = [f.name for f in fields(TagRules) if f.name not in passed
                  and getattr(rules, f.name) != getattr(TagRules(), f.name)]
        if differ:
            raise ParameterError(f"mpe2's simple_tag cannot take the Tag rules {differ}; the reference uses its own "
                                 f"values (only {sorted(passed)} can change)")
        module = _simple_tag()
        self._inner = module.parallel_env(num_good=rules.num_good, num_adversaries=rules.num_adversaries,
                                          num_obstacles=rules.num_obstacles, max_cycles=rules.max_cycles,
                                          continuous_actions=False)
        self.world = self._inner.unwrapped.world
        self.max_cycles = rules.max_cycles
        names = list(self._inner.possible_agents)
        self.possible_agents = names[: rules.num_adversaries]
        self.prey_names = names[rules.num_adversaries:]
        self.agents = list(self.possible_agents)
        self.prey = _prey_policy(prey, rules)
        self._generator = torch.Generator()
        self._prey_obs: dict[str, Any] = {}
        self.last_prey_rewards: dict[str, float] = {}

    def observation_space(self, agent: str) -> Any:
        return self._inner.observation_space(agent)

    def action_space(self, agent: str) -> Any:
        return self._inner.action_space(agent)

    def reset(self, seed: int | None = None, options: Any = None) -> tuple[dict, dict]:
        if seed is not None:
            self._generator.manual_seed(int(seed))
        obs, infos = self._inner.reset(seed=seed, options=options)
        self.agents = list(self.possible_agents)
        self._prey_obs = {a: obs[a] for a in self.prey_names}
        return {a: obs[a] for a in self.possible_agents}, {a: infos.get(a, {}) for a in self.possible_agents}

    def step(self, actions: dict[str, int]) -> tuple[dict, dict, dict, dict, dict]:
        joint = {a: int(actions[a]) for a in self.possible_agents}
        with torch.no_grad():
            for a in self.prey_names:
                logits = self.prey(torch.as_tensor(np.asarray(self._prey_obs[a]))[None])
                joint[a] = int(sample_actions(logits, self._generator)[0])
        obs, rewards, terms, truncs, infos = self._inner.step(joint)
        self._prey_obs = {a: obs[a] for a in self.prey_names}
        self.last_prey_rewards = {a: float(rewards[a]) for a in self.prey_names}
        keep = self.possible_agents
        if all(terms.get(a, False) or truncs.get(a, False) for a in keep):
            self.agents = []
        scale = self.rules.reward_scale
        return ({a: obs[a] for a in keep}, {a: float(rewards[a]) * scale for a in keep},
                {a: terms[a] for a in keep}, {a: truncs[a] for a in keep}, {a: infos.get(a, {}) for a in keep})

    def world_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions, velocities, obstacle positions) of ``mpe2``'s world, float64 arrays."""
        agents = self.world.agents
        return (np.array([a.state.p_pos for a in agents]), np.array([a.state.p_vel for a in agents]),
                np.array([lm.state.p_pos for lm in self.world.landmarks]).reshape(-1, 2))


def reference_tag(n_envs: int = 8, rules: TagRules | None = None, prey: Any = "flee", seed: int = 0,
                  device: Any = "cpu") -> Any:
    """``n_envs`` copies of :class:`TagPreyParallelEnv` behind :class:`rqe.srpo.envs.PettingZooEnv` (slow path).

    Needs ``mpe2`` (``pip install 'rqe[tag]'``); same interface and shapes as :class:`Tag`.

    >>> env = reference_tag(2, TagRules(max_cycles=5))        # doctest: +SKIP
    >>> env.reset().shape                                      # doctest: +SKIP
    torch.Size([2, 2, 14])
    """
    rules = rules or TagRules()
    return PettingZooEnv(lambda: TagPreyParallelEnv(rules, prey), n_envs=n_envs, device=device, seed=seed)


def tag_partners(rules: TagRules | None = None) -> dict[str, Any]:
    """Scripted predator partners for held-out evaluation: ``greedy`` (nearest prey), ``random``, ``still``.

    >>> sorted(tag_partners())
    ['greedy', 'random', 'still']
    """
    rules = rules or TagRules()
    return {"greedy": GreedyPredator(rules), "random": FixedPolicy(N_ACTIONS), "still": FixedPolicy(N_ACTIONS, 0)}
