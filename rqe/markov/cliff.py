"""The two-agent cliff walk of [MPS Sec. 5] as a :class:`~rqe.markov.MarkovGame`.

A ``size x size`` grid (rows from the top). Agent 1 starts at the bottom-left corner, agent 2 one cell
above it; the goal is the bottom-right corner and the cells between start and goal on the bottom row are
the cliff. Actions: up, down, left, right. An agent's intended move succeeds with probability
``p_success`` (0.9), falling to ``p_near`` (0.5) when the two agents are within one cell of each other
(Chebyshev distance <= 1); otherwise it moves in one of the three other directions uniformly (moves off
the grid leave it in place). Rewards are per agent and depend on the agent's own cell: ``cliff_reward``
(-2) in a cliff cell, after which it is sent back to its start; ``goal_reward`` (1) on reaching the goal,
after which it leaves the grid for an absorbing "done" state; ``step_reward`` (0) elsewhere. Horizon 200.

The starting cells, the reset after a fall and the absorbing goal are this module's reading of the paper's
description; the agents interact only through the slip probability near each other.

>>> from rqe.markov import cliff_walk
>>> mg = cliff_walk()
>>> mg.n_states, mg.shape, mg.horizon
(1369, (4, 4), 200)
"""

from __future__ import annotations

import itertools

import numpy as np

from rqe.errors import ParameterError
from rqe.markov.model import MarkovGame

__all__ = ["cliff_walk", "ACTIONS"]

ACTIONS = ("up", "down", "left", "right")
_MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1))


def cliff_walk(size: int = 6, *, horizon: int | None = 200, discount: float = 1.0, p_success: float = 0.9,
               p_near: float = 0.5, cliff_reward: float = -2.0, goal_reward: float = 1.0,
               step_reward: float = 0.0) -> MarkovGame:
    """Build the two-agent cliff walk (module docstring). ``horizon=None`` with ``discount < 1`` gives the
    infinite-horizon version. ``info`` holds ``cliff``, ``goal``, ``starts``, ``n_positions`` and ``size``."""
    if not isinstance(size, int) or size < 3:
        raise ParameterError(f"size must be an integer >= 3, got {size!r}")
    for name, p in (("p_success", p_success), ("p_near", p_near)):
        if not 0 <= p <= 1:
            raise ParameterError(f"{name} must be a probability, got {p}")
    cells = size * size
    done = cells
    n_pos = cells + 1
    cell = lambda r, c: r * size + c  # noqa: E731
    starts = (cell(size - 1, 0), cell(size - 2, 0))
    goal = cell(size - 1, size - 1)
    cliff = frozenset(cell(size - 1, c) for c in range(1, size - 1))

    def move(pos: int, action: int, q: float, agent: int) -> dict[int, float]:
        if pos == done or pos == goal:
            return {done: 1.0}
        if pos in cliff:
            return {starts[agent]: 1.0}
        r, c = divmod(pos, size)
        out: dict[int, float] = {}
        for k, (dr, dc) in enumerate(_MOVES):
            p = q if k == action else (1.0 - q) / 3.0
            if p == 0.0:
                continue
            rr, cc = r + dr, c + dc
            target = cell(rr, cc) if 0 <= rr < size and 0 <= cc < size else pos
            out[target] = out.get(target, 0.0) + p
        return out

    def near(p1: int, p2: int) -> bool:
        if p1 >= cells or p2 >= cells:
            return False
        (r1, c1), (r2, c2) = divmod(p1, size), divmod(p2, size)
        return max(abs(r1 - r2), abs(c1 - c2)) <= 1

    S = n_pos * n_pos
    K = 16
    next_state = np.zeros((S, 4, 4, K), dtype=np.int64)
    next_prob = np.zeros((S, 4, 4, K))
    rewards = np.zeros((2, S, 4, 4))

    def own_reward(pos: int) -> float:
        if pos == goal:
            return goal_reward
        if pos in cliff:
            return cliff_reward
        return 0.0 if pos == done else step_reward

    for p1, p2 in itertools.product(range(n_pos), repeat=2):
        s = p1 * n_pos + p2
        rewards[0, s] = own_reward(p1)
        rewards[1, s] = own_reward(p2)
        q = p_near if near(p1, p2) else p_success
        for a1, a2 in itertools.product(range(4), repeat=2):
            joint = [(t1 * n_pos + t2, w1 * w2) for (t1, w1), (t2, w2) in
                     itertools.product(move(p1, a1, q, 0).items(), move(p2, a2, q, 1).items())]
            for k, (t, w) in enumerate(joint):
                next_state[s, a1, a2, k] = t
                next_prob[s, a1, a2, k] = w
            if len(joint) < K:
                next_state[s, a1, a2, len(joint):] = joint[0][0]
    initial = np.zeros(S)
    initial[starts[0] * n_pos + starts[1]] = 1.0
    names = tuple(f"({'done' if a == done else divmod(a, size)}, {'done' if b == done else divmod(b, size)})"
                  for a, b in itertools.product(range(n_pos), repeat=2))
    info = {"size": size, "n_positions": n_pos, "cliff": sorted(cliff), "goal": goal, "starts": starts,
            "done": done}
    return MarkovGame(rewards, next_state, next_prob, horizon=horizon, discount=discount, initial=initial,
                      state_names=names, info=info)


def cliff_occupancy(game: MarkovGame, occupancy: np.ndarray) -> np.ndarray:
    """Expected number of falls of each agent: its expected visits to cliff cells, from the state occupancy."""
    n_pos = game.info["n_positions"]
    occ = occupancy.reshape(n_pos, n_pos)
    cliff = game.info["cliff"]
    return np.array([occ[cliff, :].sum(), occ[:, cliff].sum()])
