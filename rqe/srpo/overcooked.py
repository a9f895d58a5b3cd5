"""Overcooked-AI layouts (``cramped_room``, ``asymmetric_advantages``, ...) for SRPO, through rqe's PettingZoo adapter.

The two-cook kitchen of [CSH+19] as the ``overcooked-ai`` package implements it (``overcooked_ai_py.mdp.
overcooked_mdp.OvercookedGridworld``), so results can be compared with the zero-shot-coordination literature.
:class:`OvercookedParallelEnv` is one kitchen as a PettingZoo ``ParallelEnv``; :func:`overcooked_env` batches
``n_envs`` of them with :class:`rqe.srpo.envs.PettingZooEnv` (one Python call per copy and step).

* Actions (``overcooked_ai_py.mdp.actions.Action.ALL_ACTIONS``): ``0`` north, ``1`` south, ``2`` east, ``3`` west,
  ``4`` stay, ``5`` interact. Moving into a counter turns the cook to face it.
* Reward (shared by both cooks): the soups delivered in the step, 20 each (the layout's recipe value), plus
  ``reward_shaping`` times the sum of both cooks' shaped rewards (onion into pot 3, dish pickup 3, soup pickup 5;
  0 by default, as in evaluation). No private costs.
* Observation of cook ``i``: ``lossless_state_encoding`` (a ``width x height x 26`` grid of 0/1 and count
  features from ``i``'s perspective), flattened to a float32 vector (520 numbers in ``cramped_room``). The global
  state is both cooks' observations concatenated.
* Episodes start at the layout's start state (deterministic) and last ``horizon`` steps (400, the literature's
  standard), after which the copy is reset.

Dependency: ``pip install 'rqe[overcooked]'`` (``overcooked-ai`` 1.1 imports the old ``gym`` package at import;
its rendering needs ``pygame``, which shares its import name with the ``pygame-ce`` that ``mpe2`` uses: beside
``mpe2``, ``pip install gym==0.26.2`` and then ``pip install --no-deps overcooked-ai==1.1.0``, which is all this
adapter uses and what ``make install`` does).

Scripted partners: ``random`` (uniform over the 6 actions) and ``stay`` (:func:`overcooked_partners`); a planning
partner (``overcooked-ai``'s greedy human model) needs its motion planner and is not wrapped here.

Reference: [CSH+19] M. Carroll, R. Shah, M. K. Ho, T. L. Griffiths, S. A. Seshia, P. Abbeel, A. Dragan, *On the
Utility of Learning about Humans for Human-AI Coordination*, NeurIPS 2019.

>>> env = overcooked_env("cramped_room", n_envs=2)            # doctest: +SKIP
>>> env.reset().shape                                         # doctest: +SKIP
torch.Size([2, 2, 520])
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np

from rqe._validation import check_real, positive_int
from rqe.errors import MissingDependencyError, ParameterError
from rqe.srpo.envs import PettingZooEnv
from rqe.srpo.networks import FixedPolicy

__all__ = ["OvercookedParallelEnv", "overcooked_env", "overcooked_partners", "LAYOUTS", "N_ACTIONS", "STAY",
           "INTERACT"]

#: Layouts exposed by name (any layout file shipped with overcooked-ai also works).
LAYOUTS = ("cramped_room", "asymmetric_advantages")
N_ACTIONS = 6
STAY = 4
INTERACT = 5


def _overcooked() -> tuple[Any, Any]:
    """The package's MDP and action modules, or :class:`MissingDependencyError` naming the extra."""
    try:
        # overcooked-ai imports the retired ``gym`` at import, which prints a banner to stderr: keep it quiet
        with contextlib.redirect_stderr(io.StringIO()):
            from overcooked_ai_py.mdp import actions, overcooked_mdp
    except ImportError as exc:
        raise MissingDependencyError(
            f"'overcooked_ai_py' is needed for the Overcooked environments but could not be imported ({exc}); "
            "install it with: pip install 'rqe[overcooked]'") from exc
    return overcooked_mdp, actions


class OvercookedParallelEnv:
    """One Overcooked-AI kitchen as a PettingZoo ``ParallelEnv`` with agents ``agent_0`` and ``agent_1``.

    See the module docstring for actions, rewards and observations. ``infos[agent]`` carries the package's
    ``sparse_reward`` and ``shaped_reward`` of that cook in the step, and ``private_cost`` 0. ``kitchen`` is the
    package's ``OvercookedState``.
    """

    metadata = {"name": "rqe_overcooked_v0", "render_modes": []}
    private_costs = False

    def __init__(self, layout: str = "cramped_room", horizon: int = 400, reward_shaping: float = 0.0):
        mdp_module, actions = _overcooked()
        from rqe._optional import require

        spaces = require("gymnasium.spaces", "srpo", "PettingZoo environments")
        try:
            self.mdp = mdp_module.OvercookedGridworld.from_layout_name(str(layout))
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise ParameterError(f"unknown Overcooked layout {layout!r} ({exc}); try one of {LAYOUTS}") from None
        self.layout = str(layout)
        self.max_cycles = positive_int(horizon, "horizon")
        self.reward_shaping = check_real(reward_shaping, "reward_shaping", nonnegative=True)
        self._actions = actions.Action.ALL_ACTIONS
        self.possible_agents = ["agent_0", "agent_1"]
        self.agents = list(self.possible_agents)
        self.kitchen = self.mdp.get_standard_start_state()
        self.t = 0
        dim = int(np.prod(self.mdp.lossless_state_encoding(self.kitchen)[0].shape))
        self._obs_space = spaces.Box(0.0, np.inf, shape=(dim,), dtype=np.float32)
        self._act_space = spaces.Discrete(N_ACTIONS)

    def observation_space(self, agent: str) -> Any:
        return self._obs_space

    def action_space(self, agent: str) -> Any:
        return self._act_space

    def _observe(self) -> dict[str, np.ndarray]:
        grids = self.mdp.lossless_state_encoding(self.kitchen)
        return {a: np.asarray(grids[i], dtype=np.float32).ravel() for i, a in enumerate(self.possible_agents)}

    def reset(self, seed: int | None = None, options: Any = None) -> tuple[dict, dict]:
        self.kitchen = self.mdp.get_standard_start_state()
        self.t = 0
        self.agents = list(self.possible_agents)
        return self._observe(), {a: {} for a in self.possible_agents}

    def step(self, actions: dict[str, int]) -> tuple[dict, dict, dict, dict, dict]:
        joint = []
        for a in self.possible_agents:
            move = int(actions[a])
            if not 0 <= move < N_ACTIONS:
                raise ParameterError(f"Overcooked actions lie in 0..{N_ACTIONS - 1}, got {move} for {a}")
            joint.append(self._actions[move])
        self.kitchen, info = self.mdp.get_state_transition(self.kitchen, joint)
        sparse = [float(r) for r in info["sparse_reward_by_agent"]]
        shaped = [float(r) for r in info["shaped_reward_by_agent"]]
        team = sum(sparse) + self.reward_shaping * sum(shaped)
        self.t += 1
        truncated = self.t >= self.max_cycles
        if truncated:
            self.agents = []
        names = self.possible_agents
        infos = {a: {"sparse_reward": sparse[i], "shaped_reward": shaped[i], "private_cost": 0.0}
                 for i, a in enumerate(names)}
        return (self._observe(), {a: team for a in names}, {a: False for a in names},
                {a: truncated for a in names}, infos)


def overcooked_env(layout: str = "cramped_room", n_envs: int = 8, device: Any = "cpu", horizon: int = 400,
                   reward_shaping: float = 0.0, seed: int = 0) -> PettingZooEnv:
    """``n_envs`` kitchens of ``layout`` behind :class:`rqe.srpo.envs.PettingZooEnv` (rqe's vectorised interface).

    >>> env = overcooked_env("cramped_room", n_envs=2, horizon=5)     # doctest: +SKIP
    >>> env.n_agents, env.n_actions, env.horizon                      # doctest: +SKIP
    (2, (6, 6), 5)
    """
    OvercookedParallelEnv(layout, horizon, reward_shaping)      # validate once, with a readable error
    return PettingZooEnv(lambda: OvercookedParallelEnv(layout, horizon, reward_shaping), n_envs=n_envs,
                         device=device, seed=seed)


def overcooked_partners() -> dict[str, Any]:
    """Scripted partners for held-out evaluation: ``random`` (uniform) and ``stay`` (never moves).

    >>> sorted(overcooked_partners())
    ['random', 'stay']
    """
    return {"random": FixedPolicy(N_ACTIONS), "stay": FixedPolicy(N_ACTIONS, STAY)}
