"""Partner memory: a pool of past partner policies and the trajectories they produced.

Population baselines (FCP, TrajeDi, MEP) train a best response against the pool; SRPO can use it as the
adversary's reference set (``docs/rqe-math.md`` section 8, the project's variants).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe.srpo._torch import torch

__all__ = ["PartnerMemory", "MemoryEntry"]


@dataclass
class MemoryEntry:
    """A frozen policy (actor) with a tag (``"pop3@update40"``) and an optional sample of its trajectories."""

    tag: str
    actor: Any
    trajectories: dict[str, Any] = field(default_factory=dict)


class PartnerMemory:
    """A bounded pool of frozen partner policies (oldest dropped first when ``capacity`` is reached).

    Examples
    --------
    >>> import torch
    >>> from rqe.srpo.networks import Actor
    >>> memory = PartnerMemory(capacity=2)
    >>> for k in range(3):
    ...     _ = memory.add(Actor(4, 2, generator=torch.Generator().manual_seed(k)), tag=f"p{k}")
    >>> " ".join(e.tag for e in memory)
    'p1 p2'
    >>> memory.sample(np.random.default_rng(0)).tag in {"p1", "p2"}
    True
    """

    def __init__(self, capacity: int = 64, trajectory_samples: int = 256):
        self.capacity = int(capacity)
        self.trajectory_samples = int(trajectory_samples)
        self.entries: list[MemoryEntry] = []

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def add(self, actor: Any, tag: str, obs: Any = None, actions: Any = None) -> MemoryEntry:
        """Store a frozen copy of ``actor``; keep up to ``trajectory_samples`` of its (obs, action) pairs."""
        frozen = copy.deepcopy(actor)
        for p in frozen.parameters():
            p.requires_grad_(False)
        trajectories: dict[str, Any] = {}
        if obs is not None:
            obs = obs.reshape(-1, obs.shape[-1])[: self.trajectory_samples].detach().clone()
            trajectories["obs"] = obs
            if actions is not None:
                trajectories["actions"] = actions.reshape(-1)[: self.trajectory_samples].detach().clone()
        entry = MemoryEntry(tag, frozen, trajectories)
        self.entries.append(entry)
        if len(self.entries) > self.capacity:
            self.entries.pop(0)
        return entry

    def sample(self, rng: np.random.Generator) -> MemoryEntry:
        """One entry drawn uniformly with the numpy generator ``rng``."""
        return self.entries[int(rng.integers(len(self.entries)))]

    def mixture_probs(self, obs: Any, mask: Any = None) -> Any:
        """Average action distribution of all stored policies at ``obs`` (a reference set for SRPO), each masked to
        the legal actions ``mask`` when given (:func:`rqe.srpo.ppo.mask_logits`)."""
        from rqe.srpo.ppo import mask_logits

        with torch.no_grad():
            return torch.stack([torch.softmax(mask_logits(e.actor(obs), mask), -1) for e in self.entries]).mean(0)

    # -- checkpointing
    def state_dict(self) -> dict[str, Any]:
        return {
            "capacity": self.capacity,
            "entries": [
                {"tag": e.tag, "spec": e.actor.spec(), "actor": e.actor.state_dict(), "trajectories": e.trajectories}
                for e in self.entries
            ],
        }

    def load_state_dict(self, state: dict[str, Any], device: Any = "cpu") -> None:
        from rqe.srpo.networks import Actor

        self.capacity = state["capacity"]
        self.entries = []
        for item in state["entries"]:
            actor = Actor(**item["spec"])
            actor.load_state_dict(item["actor"])
            actor = actor.to(device)
            for p in actor.parameters():
                p.requires_grad_(False)
            self.entries.append(MemoryEntry(item["tag"], actor, item["trajectories"]))
