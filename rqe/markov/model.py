"""A small two-player Markov game model with a sparse transition kernel (``docs/rqe-math.md`` section 7).

``rewards[i, s, a_1, a_2]`` is player ``i``'s utility at state ``s`` under the joint action ``(a_1, a_2)``
(higher is better). Transitions are stored sparsely: from ``(s, a_1, a_2)`` the game moves to
``next_state[s, a_1, a_2, k]`` with probability ``next_prob[s, a_1, a_2, k]`` (padding entries have
probability 0). Either a finite ``horizon`` (with ``discount``, default 1) or ``discount < 1`` for the
infinite-horizon problem.

>>> import numpy as np
>>> from rqe.markov import MarkovGame
>>> P = np.zeros((1, 2, 2, 1)); P[..., 0] = 1.0            # one state, stays put
>>> R = np.stack([np.array([[[1.0, 0.0], [0.0, 1.0]]])] * 2)
>>> mg = MarkovGame.from_dense(R, P, horizon=3)
>>> mg.n_states, mg.shape, mg.horizon
(1, (2, 2), 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe.errors import GameError

__all__ = ["MarkovGame"]


@dataclass(frozen=True)
class MarkovGame:
    """Two-player finite Markov game: states, joint actions, sparse transition kernel, rewards, horizon.

    Attributes
    ----------
    rewards : array ``(2, S, n_1, n_2)``
    next_state : int array ``(S, n_1, n_2, K)``
    next_prob : float array ``(S, n_1, n_2, K)``, rows summing to one
    horizon : int or None
    discount : float
    initial : array ``(S,)``, the initial state distribution
    state_names : tuple of str
    info : dict, free-form metadata (e.g. the grid of a grid world)
    """

    rewards: np.ndarray
    next_state: np.ndarray
    next_prob: np.ndarray
    horizon: int | None = None
    discount: float = 1.0
    initial: np.ndarray | None = None
    state_names: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        R = np.asarray(self.rewards, dtype=np.float64)
        ns = np.asarray(self.next_state, dtype=np.int64)
        npb = np.asarray(self.next_prob, dtype=np.float64)
        if R.ndim != 4 or R.shape[0] != 2:
            raise GameError(f"rewards must have shape (2, S, n_1, n_2), got {R.shape}")
        S = R.shape[1]
        if ns.shape != npb.shape or ns.shape[:3] != R.shape[1:]:
            raise GameError(f"next_state {ns.shape} and next_prob {npb.shape} must have shape (S, n_1, n_2, K) = "
                            f"{R.shape[1:]} + (K,)")
        if not np.all(np.isfinite(R)):
            raise GameError("rewards must be finite")
        if np.any(npb < 0) or not np.allclose(npb.sum(axis=-1), 1.0, atol=1e-10):
            raise GameError("next_prob must be non-negative and sum to 1 over the last axis")
        if np.any((ns < 0) | (ns >= S)):
            raise GameError(f"next_state entries must be in 0..{S - 1}")
        if self.horizon is None and not 0 <= self.discount < 1:
            raise GameError(f"an infinite-horizon game needs discount in [0, 1), got {self.discount}")
        if self.horizon is not None and (int(self.horizon) < 1):
            raise GameError(f"horizon must be a positive integer, got {self.horizon}")
        if not 0 <= self.discount <= 1:
            raise GameError(f"discount must be in [0, 1], got {self.discount}")
        init = np.full(S, 1.0 / S) if self.initial is None else np.asarray(self.initial, dtype=np.float64)
        if init.shape != (S,) or np.any(init < 0) or abs(init.sum() - 1) > 1e-10:
            raise GameError(f"initial must be a probability vector over the {S} states")
        for name, value in (("rewards", R), ("next_state", ns), ("next_prob", npb), ("initial", init)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        names = tuple(self.state_names) if self.state_names else tuple(str(s) for s in range(S))
        if len(names) != S:
            raise GameError(f"state_names must have {S} entries, got {len(names)}")
        object.__setattr__(self, "state_names", names)

    @classmethod
    def from_dense(cls, rewards: Any, transitions: Any, **kwargs: Any) -> MarkovGame:
        """Build from a dense kernel ``transitions[s, a_1, a_2, s']``."""
        P = np.asarray(transitions, dtype=np.float64)
        if P.ndim != 4:
            raise GameError(f"transitions must have shape (S, n_1, n_2, S), got {P.shape}")
        K = max(1, int((P > 0).sum(axis=-1).max()))
        order = np.argsort(-P, axis=-1, kind="stable")[..., :K]
        probs = np.take_along_axis(P, order, axis=-1)
        return cls(rewards, order, probs, **kwargs)

    @property
    def n_states(self) -> int:
        return int(self.rewards.shape[1])

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.rewards.shape[2]), int(self.rewards.shape[3])

    def dense_transitions(self) -> np.ndarray:
        """The dense kernel ``P[s, a_1, a_2, s']`` (allocates ``S^2 n_1 n_2`` floats)."""
        S, (n1, n2) = self.n_states, self.shape
        P = np.zeros((S, n1, n2, S))
        idx = np.indices(self.next_state.shape[:3])
        for k in range(self.next_state.shape[-1]):
            np.add.at(P, (idx[0], idx[1], idx[2], self.next_state[..., k]), self.next_prob[..., k])
        return P

    def __repr__(self) -> str:
        time = f"horizon={self.horizon}" if self.horizon is not None else f"discount={self.discount}"
        return f"MarkovGame({self.n_states} states, actions={self.shape}, {time})"
