"""Partner memory: a pool of past partner policies and the trajectories they produced.

Population baselines (FCP, TrajeDi, MEP) train a best response against the pool; SRPO can use it as the
adversary's reference set (``docs/rqe-math.md`` section 8, the project's variants).

A pool can be filled from trained run folders (``TrainConfig.partner_runs``, :func:`partner_files` picks which of a
run's snapshots) and from scripted partners of the held-out zoo (``"zoo:greedy"``, :func:`zoo_partner`), which is how
a best response to one fixed partner is trained (FCP with a pool of one). A scripted entry is checkpointed by its
name (``MemoryEntry.source``), not by weights.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rqe.errors import ParameterError
from rqe.srpo._torch import torch

__all__ = ["PartnerMemory", "MemoryEntry", "partner_files", "zoo_partner"]


@dataclass
class MemoryEntry:
    """A frozen policy (actor) with a tag (``"pop3@update40"``) and an optional sample of its trajectories."""

    tag: str
    actor: Any
    trajectories: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None    # {"zoo": name, "env_kwargs": {...}} for a scripted zoo partner


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

    def add(self, actor: Any, tag: str, obs: Any = None, actions: Any = None,
            source: dict[str, Any] | None = None) -> MemoryEntry:
        """Store a frozen copy of ``actor``; keep up to ``trajectory_samples`` of its (obs, action) pairs.

        ``source``: how to rebuild a policy that has no weights to save (:func:`zoo_partner`'s arguments)."""
        frozen = copy.deepcopy(actor)
        for p in frozen.parameters():
            p.requires_grad_(False)
        trajectories: dict[str, Any] = {}
        if obs is not None:
            obs = obs.reshape(-1, obs.shape[-1])[: self.trajectory_samples].detach().clone()
            trajectories["obs"] = obs
            if actions is not None:
                trajectories["actions"] = actions.reshape(-1)[: self.trajectory_samples].detach().clone()
        entry = MemoryEntry(tag, frozen, trajectories, source)
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
                {"tag": e.tag, "source": e.source, "trajectories": e.trajectories} if e.source is not None else
                {"tag": e.tag, "spec": e.actor.spec(), "actor": e.actor.state_dict(), "trajectories": e.trajectories}
                for e in self.entries
            ],
        }

    def load_state_dict(self, state: dict[str, Any], device: Any = "cpu") -> None:
        from rqe.srpo.networks import Actor

        self.capacity = state["capacity"]
        self.entries = []
        for item in state["entries"]:
            source = item.get("source")
            if source is not None:
                actor = zoo_partner(**source)
            else:
                actor = Actor(**item["spec"])
                actor.load_state_dict(item["actor"])
            actor = actor.to(device)
            for p in actor.parameters():
                p.requires_grad_(False)
            self.entries.append(MemoryEntry(item["tag"], actor, item["trajectories"], source))


def zoo_partner(zoo: str, env_kwargs: dict[str, Any] | None = None) -> Any:
    """The scripted partner ``zoo`` of :func:`rqe.srpo.zoo.partner_zoo` for the cooking gridworld with options
    ``env_kwargs`` (its rules), e.g. ``zoo_partner("greedy")``.

    >>> zoo_partner("onion0").onions
    (0,)
    """
    from rqe.srpo.envs import cooking_rules
    from rqe.srpo.zoo import partner_zoo

    zoo_partners = partner_zoo(rules=cooking_rules(**dict(env_kwargs or {})))
    if zoo not in zoo_partners:
        raise ParameterError(f"unknown zoo partner {zoo!r}; the zoo holds {sorted(zoo_partners)}")
    return zoo_partners[zoo]


def partner_files(run: str | Path, snapshots: str = "all") -> list[Path]:
    """The policy files of a trained run folder that fill a partner memory.

    ``snapshots="all"``: every ``snapshots/policies_*.pt`` (in update order) and the final ``policies.pt``.
    ``"fcp"``: the three checkpoints of Fictitious Co-Play (Strouse, McKee, Botvinick, Hughes, Everett, NeurIPS 2021):
    the first snapshot (update 0, the initial weights), the snapshot whose update is nearest half the run's last
    snapshot (the earlier one on a tie) and the final ``policies.pt``. The FCP paper takes as middle checkpoint the
    one whose reward is about half the final reward; this picks it by update instead (half the training, a choice
    that does not depend on the logged returns). Repeated files (a run with fewer than three snapshots) count once.
    """
    run = Path(run)
    found = [(int(f.stem.rsplit("_", 1)[1]), f) for f in (run / "snapshots").glob("policies_*.pt")
             if f.stem.rsplit("_", 1)[1].isdigit()]
    ordered = [f for _, f in sorted(found)]
    final = run / "policies.pt"
    if snapshots == "all":
        files = ordered + [final]
        files = [f for f in files if f.exists()]
        if not files:
            raise ParameterError(f"partner run {run} has no policies.pt or snapshots (train it first)")
        return files
    if snapshots != "fcp":
        raise ParameterError(f"partner_snapshots must be 'all' or 'fcp', got {snapshots!r}")
    if not final.exists() or not ordered:
        raise ParameterError(f"partner run {run} needs snapshots/ and the final policies.pt for FCP's checkpoints "
                             f"(train it to the end first)")
    half = max(u for u, _ in found) / 2
    middle = min(sorted(found), key=lambda item: abs(item[0] - half))[1]
    picked: list[Path] = []
    for f in (ordered[0], middle, final):
        if f not in picked:
            picked.append(f)
    return picked
