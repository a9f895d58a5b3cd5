"""Vectorised multi-agent environments for the SRPO layer (``docs/rqe-math.md`` section 8).

A *vectorised* environment holds a batch of ``n_envs`` independent copies of a game as a few tensors and steps
all of them with tensor operations (no Python loop over copies). Every environment here shares one interface:

* ``reset(generator) -> obs`` and ``step(actions, generator) -> Step``; ``obs`` has shape
  ``(n_agents, n_envs, obs_dim)`` and ``actions`` shape ``(n_agents, n_envs)`` (integers);
* ``Step.rewards`` (utilities, shared reward minus private costs) and ``Step.costs`` (private costs paid)
  have shape ``(n_agents, n_envs)``; ``Step.done`` (shape ``(n_envs,)``) marks the last step of an episode,
  after which the copy is reset automatically and ``Step.obs`` is the first observation of the next episode;
* ``state()`` is the global state used by centralised critics, shape ``(n_envs, state_dim)``; an environment
  whose state is always seat 0's observation says so with ``state_is_seat0_observation = True`` (the trainers
  then read it from the observations instead of calling ``state()``);
* ``private_costs``: whether ``Step.costs`` can be non-zero (the free-riding measures of
  :mod:`rqe.srpo.evaluate` are reported only where it is true: the cooking gridworld and matrix games built with
  private costs, e.g. collaborate/defect; not Tag, Hanabi or Overcooked);
* optionally ``legal_mask()``, a bool tensor ``(n_agents, n_envs, n_actions)`` of the actions legal at the
  current observations (at least one per row; also ``Step.legal_mask``): the trainer and the evaluation then sample
  from logits masked to it (:func:`rqe.srpo.ppo.mask_logits`); ``horizon`` None means episodes end at different
  times (bounded by ``max_episode_length``).

Randomness comes only from the ``torch.Generator`` passed in, or from uniforms the caller draws: an environment
that takes its noise from the trainer (the cooking gridworld, matrix games, :class:`rqe.srpo.tag.Tag`) has
``noise_width`` (uniforms per copy that one step takes), ``noise_from(u)`` (the noise of a step from ``u`` of
shape ``(n_envs, noise_width)``, for ``step(actions, noise=...)``), ``reset_shape`` (the shape per copy of the
uniforms ``reset(noise=u)`` takes: ``()`` for the cooking start swap) and ``reset(noise=u)``; a population of runs
then draws all of them from its seeds' generators (:func:`rqe.srpo.trainer.reset_uniforms`). For the cooking
gridworld the draws of one step are also made by :meth:`CookingGridworld.draw_noise`, which is how the plain-Python
:class:`CookingGridworldReference` is checked to follow the very same rules step by step.

Environments:

* :class:`MatrixGameEnv`: a (repeated) normal-form game built from any :class:`rqe.Game`;
* :class:`CookingGridworld`: the cooperative cooking gridworld of the SRPO paper [QZLM Sec. 5, App. C];
* :class:`CookingGridworldReference`: the same rules written as a straightforward Python loop (for tests and the
  throughput benchmark);
* :class:`PettingZooEnv`: an adapter that batches PettingZoo ``ParallelEnv`` instances (slower: one Python call
  per copy and step) so users can bring their own environments.

Reference: [QZLM] C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training Generalizable Collaborative Agents via
Strategic Risk Aversion*, arXiv 2602.21515, 2026.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import dataclasses
from dataclasses import dataclass
from typing import Any
import warnings

import numpy as np

from rqe._validation import positive_int
from rqe.errors import ParameterError
from rqe.srpo._torch import resolve_device, torch
from rqe.srpo.shaping import EVENTS, reward_shaping

__all__ = [
    "Step",
    "MatrixGameEnv",
    "CookingGridworld",
    "CookingGridworldReference",
    "CookingParallelEnv",
    "CookingRules",
    "RULESETS",
    "cooking_rules",
    "PettingZooEnv",
    "make_env",
    "ENV_NAMES",
]


@dataclass
class Step:
    """What one vectorised step returns (see the module docstring for shapes).

    ``events`` (cooking gridworld): per-agent counts of this step, ``{"pickups": (n_agents, n_envs),
    "deliveries": (n_agents, n_envs)}``, used to measure who did the work; with reward shaping also the counts of
    :data:`rqe.srpo.shaping.EVENTS`. ``shaping``: the shaping bonus of each seat, ``(n_agents, n_envs)``, or None;
    it is not part of ``rewards`` (see :mod:`rqe.srpo.shaping`).
    """

    obs: Any
    rewards: Any
    costs: Any
    done: Any
    events: dict[str, Any] | None = None
    shaping: Any = None


# ---------------------------------------------------------------------------------------------- matrix games
def _reset_noise(noise: Any, swap: Any) -> Any:
    """``reset``'s uniforms from ``noise``, or from ``swap``, its deprecated name."""
    if swap is None:
        return noise
    if noise is not None:
        raise ParameterError("reset got both noise and swap (the old name of noise); pass noise only")
    warnings.warn("reset(swap=...) is deprecated; pass the same uniforms as reset(noise=...)", DeprecationWarning,
                  stacklevel=3)
    return swap


def _check_reset_noise(env: Any, noise: Any) -> Any:
    """``noise`` unchanged when it has shape ``(env.n_envs, *env.reset_shape)`` (or is ``None``); else an error."""
    if noise is None:
        return None
    shape = tuple(noise.shape) if hasattr(noise, "shape") else np.shape(noise)
    if shape != (env.n_envs, *env.reset_shape):
        raise ParameterError(f"reset noise must have shape {(env.n_envs, *env.reset_shape)}, got {shape}")
    return noise


class MatrixGameEnv:
    """A normal-form game played ``horizon`` times in a row, for ``n_envs`` copies at once.

    Player ``i`` receives ``u_i(a) = payoffs[i, a_1, ..., a_N]`` each round (``docs/rqe-math.md`` section 1).
    When the game was built with :meth:`rqe.Game.from_shared_reward` the private cost ``c_i(a_i)`` is reported
    in ``Step.costs`` (used by the free-riding measure of section 6); otherwise costs are zero.

    The observation is ``[1, onehot(a^{t-1}_1), ..., onehot(a^{t-1}_N)]`` (the previous joint action, zeros in
    the first round), so with ``horizon=1`` every observation is the same and a policy is one mixed strategy.

    Examples
    --------
    >>> import torch
    >>> from rqe import Game
    >>> game = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> env = MatrixGameEnv(game, n_envs=4)
    >>> obs = env.reset()
    >>> step = env.step(torch.tensor([[0, 1, 0, 1], [0, 0, 1, 1]]))
    >>> step.rewards[0].tolist()
    [3.0, 5.0, 0.0, 1.0]
    """

    def __init__(self, game: Any, n_envs: int = 64, horizon: int = 1, device: Any = "cpu"):
        self.game = game
        self.n_envs = positive_int(n_envs, "n_envs")
        self.horizon = positive_int(horizon, "horizon")
        self.device = resolve_device(device)
        self.n_agents = game.n_players
        self.n_actions = tuple(int(n) for n in game.shape)
        self.obs_dim = 1 + sum(self.n_actions)
        self.state_dim = self.obs_dim
        self.private_costs = game.costs is not None     # whether Step.costs can be non-zero (free-riding measures)
        self._payoffs = torch.tensor(np.array(game.payoffs), dtype=torch.float32, device=self.device)
        self._flat_payoffs = self._payoffs.reshape(self.n_agents, -1)
        strides = np.cumprod((1,) + self.n_actions[::-1])[:-1][::-1]
        self._strides = torch.as_tensor(strides.copy(), dtype=torch.long, device=self.device)
        if game.costs is None:
            self._costs = [torch.zeros(n, device=self.device) for n in self.n_actions]
        else:
            self._costs = [torch.tensor(np.array(c), dtype=torch.float32, device=self.device) for c in game.costs]
        self._offsets = np.concatenate([[1], 1 + np.cumsum(self.n_actions)[:-1]]).tolist()
        self.t = 0
        self._obs = torch.zeros(self.n_envs, self.obs_dim, device=self.device)

    #: Every seat observes the same vector, which is also the global state.
    state_is_seat0_observation = True

    def _observe(self, actions: Any | None) -> Any:
        obs = torch.zeros(self.n_envs, self.obs_dim, device=self.device)
        obs[:, 0] = 1.0
        if actions is not None:
            for i in range(self.n_agents):
                obs[torch.arange(self.n_envs, device=self.device), self._offsets[i] + actions[i]] = 1.0
        self._obs = obs
        return obs.unsqueeze(0).expand(self.n_agents, -1, -1)

    #: Uniforms per copy that one step consumes (none: the game is deterministic given the actions).
    noise_width = 0
    #: Shape per copy of the uniforms :meth:`reset` takes from a trainer (one, which a matrix game ignores).
    reset_shape: tuple[int, ...] = ()

    def noise_from(self, uniforms: Any) -> None:
        return None

    def reset(self, generator: Any = None, noise: Any = None, *, swap: Any = None) -> Any:
        """Start new games (nothing is random: ``generator`` and ``noise`` are accepted and unused)."""
        _check_reset_noise(self, _reset_noise(noise, swap))
        self.t = 0
        return self._observe(None)

    def state(self) -> Any:
        return self._obs

    def step(self, actions: Any, generator: Any = None, noise: Any = None) -> Step:
        actions = torch.as_tensor(actions, device=self.device).long()
        flat = (actions * self._strides[:, None]).sum(0)
        rewards = self._flat_payoffs[:, flat]
        costs = torch.stack([self._costs[i][actions[i]] for i in range(self.n_agents)])
        self.t += 1
        done_now = self.t >= self.horizon
        if done_now:
            obs = self.reset()
        else:
            obs = self._observe(actions)
        done = torch.full((self.n_envs,), done_now, dtype=torch.bool, device=self.device)
        return Step(obs=obs, rewards=rewards, costs=costs, done=done)


# ---------------------------------------------------------------------------------------------- cooking gridworld
#: Actions of the cooking gridworld: row/column displacement of up, down, left, right, stay.
MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1), (0, 0))
STAY = 4


@dataclass(frozen=True)
class CookingRules:
    """Parameters of the cooking gridworld [QZLM Sec. 5, App. D.2] (defaults are the paper's).

    ``starts`` are the two start cells (which agent takes which is drawn every episode); the paper and its
    authors' script start both agents top left, next to each other, at ``(1, 0)`` and ``(0, 1)``.
    ``pickup_when_blocked``: whether an agent whose move was blocked by its partner or by the pot still picks up an
    onion lying on its own cell in that turn. The paper's rule (``False``): a blocked move ends the turn.
    :data:`RULESETS` names the paper's rules (``"paper"``) and the earlier variant of this package (``"corner"``:
    starts ``(0, 0)`` / ``(4, 4)`` and pickups after blocked moves), kept for comparison.
    """

    size: int = 5
    pot: tuple[int, int] = (2, 2)
    onions: tuple[tuple[int, int], ...] = ((3, 4), (4, 3))
    starts: tuple[tuple[int, int], ...] = ((1, 0), (0, 1))
    pickup_when_blocked: bool = False
    respawn_prob: float = 0.2
    pickup_reward: float = 1.0
    delivery_reward: float = 10.0
    move_cost: float = 0.2
    collision_cost: float = 2.0
    horizon: int = 50

    def __post_init__(self) -> None:
        try:
            cells = [tuple(self.pot), *map(tuple, self.onions), *map(tuple, self.starts)]
            cells = [tuple(int(x) for x in c) for c in cells]
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"cells of the cooking gridworld are (row, column) pairs of integers ({exc})") from exc
        if len(self.starts) != 2:
            raise ParameterError(f"the cooking gridworld has two agents: starts needs two cells, got {self.starts!r}")
        for cell in cells:
            if len(cell) != 2 or not all(0 <= x < int(self.size) for x in cell):
                raise ParameterError(f"cell {cell!r} lies outside the {self.size} x {self.size} grid")
        if tuple(self.starts[0]) == tuple(self.starts[1]) or tuple(self.pot) in map(tuple, self.starts):
            raise ParameterError(f"start cells {self.starts!r} must differ from each other and from the pot")
        for name in ("respawn_prob", "pickup_reward", "delivery_reward", "move_cost", "collision_cost"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ParameterError(f"{name} must be a finite number, got {value!r}")
        if not 0.0 <= float(self.respawn_prob) <= 1.0:
            raise ParameterError(f"respawn_prob must lie in [0, 1], got {self.respawn_prob!r}")
        if not isinstance(self.pickup_when_blocked, bool):
            raise ParameterError(f"pickup_when_blocked must be true or false, got {self.pickup_when_blocked!r}")
        positive_int(self.horizon, "horizon")


#: Named rule sets of the cooking gridworld: the paper's (the default) and the earlier corner-start variant.
RULESETS = {
    "paper": CookingRules(),
    "corner": CookingRules(starts=((0, 0), (4, 4)), pickup_when_blocked=True),
}


def cooking_rules(rules: str | CookingRules | None = None, **changes: Any) -> CookingRules:
    """A :class:`CookingRules` from a :data:`RULESETS` name (default ``"paper"``) or an instance, with ``changes``.

    >>> cooking_rules().starts
    ((1, 0), (0, 1))
    >>> cooking_rules("corner", horizon=20).horizon
    20
    """
    if rules is None:
        rules = "paper"
    if isinstance(rules, str):
        if rules not in RULESETS:
            raise ParameterError(f"unknown cooking rule set {rules!r}; expected one of {sorted(RULESETS)}")
        rules = RULESETS[rules]
    if not isinstance(rules, CookingRules):
        raise ParameterError(f"rules must be a rule-set name or CookingRules, got {type(rules).__name__}")
    if changes:
        known = {f for f in CookingRules.__dataclass_fields__}
        unknown = set(changes) - known
        if unknown:
            raise ParameterError(f"unknown cooking gridworld options {sorted(unknown)}; known: {sorted(known)}")
        try:
            changes = {k: tuple(map(tuple, v)) if k in ("starts", "onions") else tuple(v) if k == "pot" else v
                       for k, v in changes.items()}
        except TypeError as exc:
            raise ParameterError(f"cells of the cooking gridworld are (row, column) pairs, got {changes}") from exc
        try:
            rules = dataclasses.replace(rules, **changes)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"bad cooking gridworld options {changes}: {exc}") from exc
    return rules


class CookingGridworld:
    """The cooperative cooking gridworld of SRPO [QZLM Sec. 5, App. C], vectorised over ``n_envs`` copies.

    Rules (shared with :class:`CookingGridworldReference`, which spells them out as a plain loop):

    * 5 x 5 grid, 2 agents, actions up / down / left / right / stay (:data:`MOVES`). Agents start top left,
      next to each other, at ``(1, 0)`` and ``(0, 1)``; which agent starts where is drawn at random
      (probability 1/2) every episode.
    * Each step the agents act one after the other in an order drawn at random. A move off the grid, into the pot
      at ``(2, 2)`` or into the cell the other agent occupies leaves the agent in place. Every action other than
      stay costs the mover ``0.2`` (private); bumping into the other agent costs the mover another ``2.0``.
    * An agent holding an onion that moves into the pot delivers it: ``+10`` shared reward. A move blocked by the
      pot or by the partner ends the agent's turn. Otherwise (after a move, a stay, or a move off the grid), an
      agent holding nothing on a cell with an onion (``(3, 4)`` or ``(4, 3)``) picks it up: ``+1`` shared reward,
      the onion disappears.
    * At the end of each step every missing onion reappears with probability ``0.2``.
    * Episodes last 50 steps; agent ``i`` receives the shared reward minus its own private costs.

    These are the rules of [QZLM App. D.2] and of the authors' script ``gridworld/coop_ppo.py``; ``rules``
    (a :class:`CookingRules`, or a :data:`RULESETS` name via :func:`cooking_rules`) selects variants.
    ``shaping`` (anything :func:`rqe.srpo.shaping.reward_shaping` takes) adds event counts to ``Step.events`` and
    a training bonus in ``Step.shaping``, leaving ``Step.rewards`` and ``Step.costs`` true (:mod:`rqe.srpo.shaping`).
    Note: the authors' script observes global, unnormalised coordinates ``[r_0, c_0, h_0, r_1, c_1, h_1, o_0,
    o_1]``; here each agent observes its own cell first, coordinates divided by 4 (same information).

    Observation of agent ``i`` (8 numbers): own row and column, partner's row and column (each divided by 4),
    own and partner's holding flags, and the two onion-present flags. The global state (for centralised
    critics) is agent 0's observation.

    Examples
    --------
    >>> import torch
    >>> env = CookingGridworld(n_envs=3)
    >>> g = torch.Generator().manual_seed(0)
    >>> env.reset(g).shape
    torch.Size([2, 3, 8])
    >>> step = env.step(torch.full((2, 3), 4), g)     # everybody stays: nothing happens, nothing is paid
    >>> step.rewards.abs().sum().item()
    0.0
    """

    n_agents = 2
    obs_dim = 8
    state_dim = 8
    private_costs = True
    #: The global state is agent 0's observation (:meth:`state`).
    state_is_seat0_observation = True

    def __init__(self, n_envs: int = 64, device: Any = "cpu", rules: CookingRules | str | None = None,
                 shaping: Any = None):
        self.n_envs = positive_int(n_envs, "n_envs")
        self.device = resolve_device(device)
        self.rules = rules = cooking_rules(rules)
        self.shaping = reward_shaping(shaping)
        if self.shaping is not None and len(rules.onions) != 2:
            raise ParameterError(f"reward shaping weighs onions 0 and 1; these rules have {len(rules.onions)} onions")
        self.horizon = rules.horizon
        self.n_actions = (len(MOVES),) * self.n_agents
        dev, size = self.device, rules.size
        # Lookup tables over flat cells c = row * size + col: where an action leads (walls and the pot leave
        # the agent in place), whether it bumps into the pot, and which onion (if any) lies on a cell.
        pot = rules.pot[0] * size + rules.pot[1]
        next_cell = np.zeros((size * size, len(MOVES)), dtype=np.int64)
        into_pot = np.zeros((size * size, len(MOVES)), dtype=bool)
        for c in range(size * size):
            r, q = divmod(c, size)
            for a, (dr, dq) in enumerate(MOVES):
                tr, tq = r + dr, q + dq
                target = tr * size + tq
                inside = 0 <= tr < size and 0 <= tq < size
                into_pot[c, a] = inside and target == pot
                next_cell[c, a] = target if inside and target != pot else c
        onion_at = np.full(size * size, -1, dtype=np.int64)
        for o, (r, q) in enumerate(rules.onions):
            onion_at[r * size + q] = o
        self._next_cell = torch.tensor(next_cell, device=dev)
        self._into_pot = torch.tensor(into_pot, device=dev)
        self._onion_at = torch.tensor(onion_at, device=dev)
        pot_side = np.zeros(size * size, dtype=bool)     # cells next to the pot: where deliveries are made from
        for c in range(size * size):
            pot_side[c] = abs(c // size - rules.pot[0]) + abs(c % size - rules.pot[1]) == 1
        self._pot_side = torch.tensor(pot_side, device=dev)
        if self.shaping is not None:
            self._shaping_weights = torch.tensor(self.shaping.weights, dtype=torch.float32, device=dev)
            seat_mask = [float(i in self.shaping.seats) for i in range(self.n_agents)]
            self._shaped_seats = torch.tensor(seat_mask, dtype=torch.float32, device=dev)
        self._starts = torch.tensor([r * size + q for r, q in rules.starts], dtype=torch.long, device=dev)
        self.cell = torch.zeros(self.n_envs, self.n_agents, dtype=torch.long, device=dev)
        self.holding = torch.zeros(self.n_envs, self.n_agents, dtype=torch.bool, device=dev)
        self.onion = torch.ones(self.n_envs, len(rules.onions), dtype=torch.bool, device=dev)
        self.t = 0

    @property
    def pos(self) -> Any:
        """(row, column) of each agent, shape ``(n_envs, 2, 2)`` (a view computed from the flat cells)."""
        return torch.stack([self.cell // self.rules.size, self.cell % self.rules.size], dim=-1)

    def place(self, env: int, cells: Any, holding: Any = (False, False), onion: Any = (True, True)) -> None:
        """Put copy ``env`` in a given state: ``cells`` are (row, column) pairs, one per agent (for tests and demos)."""
        size = self.rules.size
        self.cell[env] = torch.tensor([r * size + q for r, q in cells], device=self.device)
        self.holding[env] = torch.tensor(holding, device=self.device)
        self.onion[env] = torch.tensor(onion, device=self.device)

    # -- randomness of one step, drawn in one place so the reference implementation can reuse it
    @property
    def noise_width(self) -> int:
        """Uniforms per copy that one step consumes: agent order keys, onion respawns, start swap."""
        return self.n_agents + len(self.rules.onions) + 1

    #: Shape per copy of the uniforms :meth:`reset` takes: one, the start swap.
    reset_shape: tuple[int, ...] = ()

    def noise_from(self, uniforms: Any) -> dict[str, Any]:
        """The noise of one :meth:`step` from uniforms of shape ``(n_envs, noise_width)`` (a trainer draws them)."""
        n, m = self.n_agents, len(self.rules.onions)
        return {"order": uniforms[:, :n], "respawn": uniforms[:, n:n + m], "swap": uniforms[:, n + m]}

    def draw_noise(self, generator: Any) -> dict[str, Any]:
        """Uniform draws used by one :meth:`step`: agent order keys, onion respawns, start swap of the reset."""
        dev = self.device
        return {
            "order": torch.rand(self.n_envs, self.n_agents, generator=generator, device=dev),
            "respawn": torch.rand(self.n_envs, len(self.rules.onions), generator=generator, device=dev),
            "swap": torch.rand(self.n_envs, generator=generator, device=dev),
        }

    def reset(self, generator: Any = None, noise: Any = None, *, swap: Any = None) -> Any:
        """Start new episodes; ``noise`` (uniforms, shape ``(n_envs,)``) < 0.5 swaps the start cells, drawn from
        ``generator`` when not given. ``swap`` is the deprecated name of ``noise``."""
        swap = _check_reset_noise(self, _reset_noise(noise, swap))
        if swap is None:
            swap = torch.rand(self.n_envs, generator=generator, device=self.device)
        swapped = (swap < 0.5).long()
        self.cell = torch.stack([self._starts[swapped], self._starts[1 - swapped]], dim=1)
        self.holding = torch.zeros_like(self.holding)
        self.onion = torch.ones_like(self.onion)
        self.t = 0
        return self.observe()

    def observe(self) -> Any:
        size = self.rules.size
        rows = (self.cell // size).float() / (size - 1)
        cols = (self.cell % size).float() / (size - 1)
        hold = self.holding.float()
        onions = self.onion.float()
        per_agent = []
        for i in range(self.n_agents):
            j = 1 - i
            per_agent.append(torch.stack([rows[:, i], cols[:, i], rows[:, j], cols[:, j], hold[:, i], hold[:, j],
                                          onions[:, 0], onions[:, 1]], dim=1))
        return torch.stack(per_agent)                                    # (n_agents, B, 8)

    def state(self) -> Any:
        return self.observe()[0]

    def step(self, actions: Any, generator: Any = None, noise: dict[str, Any] | None = None) -> Step:
        rules = self.rules
        if noise is None:
            noise = self.draw_noise(generator)
        actions = torch.as_tensor(actions, device=self.device).long().t()   # (B, n_agents)
        order = noise["order"].argsort(dim=1)
        shared = torch.zeros(self.n_envs, 1, device=self.device)
        costs = torch.zeros(self.n_envs, self.n_agents, device=self.device)
        pickups = torch.zeros(self.n_envs, self.n_agents, device=self.device)
        deliveries = torch.zeros(self.n_envs, self.n_agents, device=self.device)
        for k in range(self.n_agents):                  # a loop over turns within a step, not over copies
            who = order[:, k:k + 1]                     # (B, 1): the agent moving now
            here = self.cell.gather(1, who)
            other = self.cell.gather(1, 1 - who)
            action = actions.gather(1, who)
            target = self._next_cell[here, action]
            moving = action != STAY
            collide = moving & (target == other)
            costs.scatter_add_(1, who, rules.move_cost * moving.float() + rules.collision_cost * collide.float())
            holding = self.holding.gather(1, who)
            bumped_pot = self._into_pot[here, action]
            deliver = bumped_pot & holding
            holding = holding & ~deliver
            here = torch.where(collide, here, target)
            self.cell.scatter_(1, who, here)
            onion_index = self._onion_at[here]
            slot = onion_index.clamp(min=0)
            present = self.onion.gather(1, slot) & (onion_index >= 0)
            pick = present & ~holding
            if not rules.pickup_when_blocked:
                pick = pick & ~(collide | bumped_pot)
            self.onion.scatter_(1, slot, self.onion.gather(1, slot) & ~pick)
            self.holding.scatter_(1, who, holding | pick)
            shared += rules.delivery_reward * deliver.float() + rules.pickup_reward * pick.float()
            pickups.scatter_add_(1, who, pick.float())
            deliveries.scatter_add_(1, who, deliver.float())
        self.onion |= noise["respawn"] < rules.respawn_prob
        self.t += 1
        costs = costs.t().contiguous()
        rewards = shared.t() - costs
        events = {"pickups": pickups.t(), "deliveries": deliveries.t()}
        bonus = None
        if self.shaping is not None:
            bonus = self._shape(actions, pickups, deliveries, events)
        done_now = self.t >= self.horizon
        obs = self.reset(noise=noise["swap"]) if done_now else self.observe()
        done = torch.full((self.n_envs,), done_now, dtype=torch.bool, device=self.device)
        return Step(obs=obs, rewards=rewards, costs=costs, done=done, events=events, shaping=bonus)

    def _shape(self, actions: Any, pickups: Any, deliveries: Any, events: dict[str, Any]) -> Any:
        """Count the shaping events of the step just played into ``events`` and return the bonus ``(N, B)``.

        Called before the reset at an episode's end. An agent moves once per step and picks up after its move, so
        the onion it picked (if any) is the one on the cell where it ends the step.
        """
        onion_here = self._onion_at[self.cell]                          # (B, N), -1 off the onion cells
        counts = torch.stack([pickups * (onion_here == 0), pickups * (onion_here == 1), deliveries,
                              self._pot_side[self.cell].float(), (actions != STAY).float()])   # (E, B, N)
        for name, count in zip(EVENTS, counts):
            events[name] = count.t()
        bonus = torch.einsum("e,ebn->nb", self._shaping_weights, counts)
        return bonus * self._shaped_seats[:, None]


class CookingGridworldReference:
    """The cooking gridworld rules of :class:`CookingGridworld` as a straightforward Python loop.

    One copy at a time, plain Python integers and lists: the readable statement of the rules, used to check the
    vectorised version step by step (same random draws via ``noise``) and as the baseline of the throughput
    benchmark. Same interface, numpy arrays instead of tensors.

    >>> env = CookingGridworldReference(n_envs=2)
    >>> env.reset(np.random.default_rng(0)).shape
    (2, 2, 8)
    """

    n_agents = 2
    obs_dim = 8
    state_dim = 8

    def __init__(self, n_envs: int = 1, rules: CookingRules | str | None = None):
        self.n_envs = positive_int(n_envs, "n_envs")
        self.rules = cooking_rules(rules)
        self.horizon = self.rules.horizon
        self.n_actions = (len(MOVES),) * self.n_agents
        self.envs: list[dict[str, Any]] = [self._fresh(False) for _ in range(self.n_envs)]
        self.t = 0

    def _fresh(self, swapped: bool) -> dict[str, Any]:
        starts = [list(s) for s in self.rules.starts]
        if swapped:
            starts = starts[::-1]
        return {"pos": starts, "holding": [False, False], "onion": [True] * len(self.rules.onions)}

    def draw_noise(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {
            "order": rng.random((self.n_envs, self.n_agents)),
            "respawn": rng.random((self.n_envs, len(self.rules.onions))),
            "swap": rng.random(self.n_envs),
        }

    #: Shape per copy of the uniforms :meth:`reset` takes: one, the start swap.
    reset_shape: tuple[int, ...] = ()

    def reset(self, rng: np.random.Generator | None = None, noise: Any = None, *, swap: Any = None) -> np.ndarray:
        """Start new episodes; ``noise`` (shape ``(n_envs,)``) < 0.5 swaps the start cells, drawn from ``rng`` when
        not given. ``swap`` is the deprecated name of ``noise``."""
        swap = _check_reset_noise(self, _reset_noise(noise, swap))
        if swap is None:
            swap = (rng or np.random.default_rng()).random(self.n_envs)
        self.envs = [self._fresh(bool(swap[e] < 0.5)) for e in range(self.n_envs)]
        self.t = 0
        return self.observe()

    def observe(self) -> np.ndarray:
        scale = self.rules.size - 1
        obs = np.zeros((self.n_agents, self.n_envs, 8), dtype=np.float32)
        for e, env in enumerate(self.envs):
            for i in range(2):
                j = 1 - i
                obs[i, e] = [env["pos"][i][0] / scale, env["pos"][i][1] / scale,
                             env["pos"][j][0] / scale, env["pos"][j][1] / scale,
                             float(env["holding"][i]), float(env["holding"][j]),
                             float(env["onion"][0]), float(env["onion"][1])]
        return obs

    def step(self, actions: Any, rng: np.random.Generator | None = None, noise: dict[str, Any] | None = None) -> Step:
        rules = self.rules
        if noise is None:
            noise = self.draw_noise(rng or np.random.default_rng())
        noise = {k: np.asarray(v) for k, v in noise.items()}
        actions = np.asarray(actions)
        rewards = np.zeros((self.n_agents, self.n_envs))
        costs = np.zeros((self.n_agents, self.n_envs))
        for e, env in enumerate(self.envs):
            shared = 0.0
            keys = noise["order"][e]
            order = sorted(range(self.n_agents), key=lambda i: (keys[i], i))
            for who in order:
                action = int(actions[who, e])
                row, col = env["pos"][who]
                d_row, d_col = MOVES[action]
                target = [row + d_row, col + d_col]
                moving = action != STAY
                inside = 0 <= target[0] < rules.size and 0 <= target[1] < rules.size
                into_pot = tuple(target) == tuple(rules.pot)
                occupied = any(env["pos"][j] == target for j in range(self.n_agents) if j != who)
                if moving:
                    costs[who, e] += rules.move_cost
                    if inside and occupied:
                        costs[who, e] += rules.collision_cost
                if into_pot and env["holding"][who]:
                    shared += rules.delivery_reward
                    env["holding"][who] = False
                if moving and inside and not into_pot and not occupied:
                    env["pos"][who] = target
                blocked = moving and inside and (into_pot or occupied)
                if blocked and not rules.pickup_when_blocked:
                    continue            # the paper's rule: a move blocked by the pot or the partner ends the turn
                for o, cell in enumerate(rules.onions):
                    if tuple(env["pos"][who]) == tuple(cell) and env["onion"][o] and not env["holding"][who]:
                        env["holding"][who] = True
                        env["onion"][o] = False
                        shared += rules.pickup_reward
            for o in range(len(rules.onions)):
                if not env["onion"][o] and noise["respawn"][e, o] < rules.respawn_prob:
                    env["onion"][o] = True
            for i in range(self.n_agents):
                rewards[i, e] = shared - costs[i, e]
        self.t += 1
        done_now = self.t >= self.horizon
        obs = self.reset(noise=noise["swap"]) if done_now else self.observe()
        return Step(obs=obs, rewards=rewards, costs=costs, done=np.full(self.n_envs, done_now))


class CookingParallelEnv:
    """The cooking gridworld as a PettingZoo ``ParallelEnv`` (one copy; plain-Python rules).

    Shows how to plug a PettingZoo environment into the trainer through :class:`PettingZooEnv`; the private cost
    paid in a step is reported in ``infos[agent]["private_cost"]``.

    >>> env = CookingParallelEnv()
    >>> obs, infos = env.reset(seed=0)
    >>> sorted(obs)
    ['agent_0', 'agent_1']
    """

    metadata = {"name": "rqe_cooking_v0", "render_modes": []}

    def __init__(self, rules: CookingRules | None = None):
        from rqe._optional import require

        spaces = require("gymnasium.spaces", "srpo", "PettingZoo environments")
        self._inner = CookingGridworldReference(1, rules)
        self.possible_agents = ["agent_0", "agent_1"]
        self.agents = list(self.possible_agents)
        self._obs_space = spaces.Box(0.0, 1.0, shape=(8,), dtype=np.float32)
        self._act_space = spaces.Discrete(len(MOVES))
        self._rng = np.random.default_rng()

    def observation_space(self, agent: str) -> Any:
        return self._obs_space

    def action_space(self, agent: str) -> Any:
        return self._act_space

    def reset(self, seed: int | None = None, options: Any = None) -> tuple[dict, dict]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.agents = list(self.possible_agents)
        obs = self._inner.reset(self._rng)
        return {a: obs[i, 0] for i, a in enumerate(self.agents)}, {a: {} for a in self.agents}

    def step(self, actions: dict[str, int]) -> tuple[dict, dict, dict, dict, dict]:
        joint = np.array([[actions[a]] for a in self.possible_agents])
        t_before = self._inner.t
        step = self._inner.step(joint, self._rng)
        truncated = t_before + 1 >= self._inner.horizon
        obs = {a: step.obs[i, 0] for i, a in enumerate(self.possible_agents)}
        rewards = {a: float(step.rewards[i, 0]) for i, a in enumerate(self.possible_agents)}
        infos = {a: {"private_cost": float(step.costs[i, 0])} for i, a in enumerate(self.possible_agents)}
        terms = {a: False for a in self.possible_agents}
        truncs = {a: truncated for a in self.possible_agents}
        if truncated:
            self.agents = []
        return obs, rewards, terms, truncs, infos


class PettingZooEnv:
    """Batch ``n_envs`` PettingZoo ``ParallelEnv`` instances behind the vectorised interface (slower path).

    ``factory()`` builds one environment with discrete action spaces and box observation spaces. Each step is a
    Python call per copy, so this is much slower than the tensor environments: use it to bring your own
    environment, and write a tensor version when speed matters. A copy whose agents are all terminated or
    truncated is reset at once (``Step.done`` is then true for it). The private cost of a step is read from
    ``infos[agent]["private_cost"]`` when present (else 0). The global state is the concatenation of all agents'
    observations.

    >>> env = PettingZooEnv(CookingParallelEnv, n_envs=2, seed=0)
    >>> env.reset().shape
    torch.Size([2, 2, 8])
    """

    def __init__(self, factory: Callable[[], Any], n_envs: int = 8, device: Any = "cpu", seed: int = 0):
        self.n_envs = positive_int(n_envs, "n_envs")
        self.device = resolve_device(device)
        self.envs = [factory() for _ in range(self.n_envs)]
        first = self.envs[0]
        self.agent_names = list(first.possible_agents)
        self.n_agents = len(self.agent_names)
        self.n_actions = tuple(int(first.action_space(a).n) for a in self.agent_names)
        dims = [int(np.prod(first.observation_space(a).shape)) for a in self.agent_names]
        if len(set(dims)) != 1:
            raise ParameterError(f"all agents must observe vectors of the same size, got sizes {dims}")
        self.obs_dim = dims[0]
        self.state_dim = self.obs_dim * self.n_agents
        self.horizon = int(getattr(first, "max_cycles", 0) or 0) or None
        # an environment class may say it has no private costs (then free-riding is not measured on it)
        self.private_costs = bool(getattr(first, "private_costs", True))
        self._seed_rng = np.random.default_rng(seed)
        self._obs = np.zeros((self.n_agents, self.n_envs, self.obs_dim), dtype=np.float32)

    def _store(self, e: int, obs: dict[str, Any]) -> None:
        for i, a in enumerate(self.agent_names):
            self._obs[i, e] = np.asarray(obs[a], dtype=np.float32).ravel()

    def reset(self, generator: Any = None) -> Any:
        for e, env in enumerate(self.envs):
            obs, _ = env.reset(seed=int(self._seed_rng.integers(2**31)))
            self._store(e, obs)
        return torch.as_tensor(self._obs.copy(), device=self.device)

    def state(self) -> Any:
        return torch.as_tensor(self._obs.transpose(1, 0, 2).reshape(self.n_envs, -1).copy(), device=self.device)

    def step(self, actions: Any, generator: Any = None, noise: Any = None) -> Step:
        actions = np.asarray(torch.as_tensor(actions).cpu())
        rewards = np.zeros((self.n_agents, self.n_envs), dtype=np.float32)
        costs = np.zeros((self.n_agents, self.n_envs), dtype=np.float32)
        done = np.zeros(self.n_envs, dtype=bool)
        for e, env in enumerate(self.envs):
            joint = {a: int(actions[i, e]) for i, a in enumerate(self.agent_names)}
            obs, rew, terms, truncs, infos = env.step(joint)
            for i, a in enumerate(self.agent_names):
                rewards[i, e] = rew.get(a, 0.0)
                costs[i, e] = infos.get(a, {}).get("private_cost", 0.0)
            if all(terms.get(a, False) or truncs.get(a, False) for a in self.agent_names):
                done[e] = True
                obs, _ = env.reset(seed=int(self._seed_rng.integers(2**31)))
            self._store(e, obs)
        to = lambda x: torch.as_tensor(x, device=self.device)  # noqa: E731
        return Step(obs=to(self._obs.copy()), rewards=to(rewards), costs=to(costs), done=to(done))


# ---------------------------------------------------------------------------------------------- registry
ENV_NAMES = ("cooking", "collaborate_defect", "matrix")


def make_env(name: str, n_envs: int, device: Any = "cpu", **kwargs: Any) -> Any:
    """Build an environment by name: ``"cooking"``, ``"collaborate_defect"``, or ``"matrix"`` (``game=...``).

    ``"matrix"`` takes ``game`` (an :class:`rqe.Game`, or a name for ``rqe.library.get``) and ``horizon``;
    ``"cooking"`` takes ``rules`` (a :data:`RULESETS` name, default ``"paper"``), any :class:`CookingRules`
    field (e.g. ``pickup_when_blocked=True``) and ``shaping`` (:mod:`rqe.srpo.shaping`). Bad options raise
    :class:`rqe.errors.ParameterError`.

    >>> make_env("collaborate_defect", 8).n_actions
    (2, 2)
    """
    try:
        return _make_env(name, n_envs, device, **kwargs)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ParameterError) or type(exc).__module__.startswith("rqe"):
            raise
        raise ParameterError(f"bad options for environment {name!r}: {exc}") from exc


def _make_env(name: str, n_envs: int, device: Any = "cpu", **kwargs: Any) -> Any:
    if name == "cooking":
        kwargs = dict(kwargs)
        shaping = kwargs.pop("shaping", None)
        return CookingGridworld(n_envs=n_envs, device=device, rules=cooking_rules(kwargs.pop("rules", None), **kwargs),
                                shaping=shaping)
    if name == "collaborate_defect":
        horizon = int(kwargs.pop("horizon", 1))
        from rqe import library

        return MatrixGameEnv(library.get("collaborate_defect", **kwargs), n_envs=n_envs, horizon=horizon, device=device)
    if name == "matrix":
        game = kwargs.pop("game", None)
        if game is None:
            raise ParameterError("env 'matrix' needs game=<rqe.Game or library name>")
        if isinstance(game, str):
            import rqe

            game = rqe.library.get(game, **kwargs.pop("game_params", {}))
        return MatrixGameEnv(game, n_envs=n_envs, horizon=int(kwargs.pop("horizon", 1)), device=device)
    from rqe.srpo import zoo_envs

    if zoo_envs.is_zoo_env(name):   # Tag, Hanabi, Overcooked from their packages (rqe.srpo.zoo_envs)
        return zoo_envs.make(name, n_envs, device, **kwargs)
    raise ParameterError(f"unknown environment {name!r}; expected one of {ENV_NAMES + zoo_envs.ENV_NAMES}")
