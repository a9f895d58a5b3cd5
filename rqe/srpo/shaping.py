"""Event-based reward shaping for the cooking gridworld: how behaviour-preferring partners are trained.

ZSC-Eval (Wang et al., 2024), following HSP (Yu et al., 2023), builds evaluation partners with *behaviour-preferring
rewards*: a partner is trained on

    r_w(s, a) = r(s, a) + sum_e w_e n_e(s, a),

the task reward plus weighted counts ``n_e`` of events ``e`` in the step, while its teammate in training is rewarded
with the task reward alone. Different weight vectors ``w`` give partners with different habits that still play the
game. Events of :class:`rqe.srpo.envs.CookingGridworld`, counted per agent and step (:data:`EVENTS`):

* ``onion0`` / ``onion1``: the agent picked up onion 0 (at ``(3, 4)``) / onion 1 (at ``(4, 3)``);
* ``delivery``: the agent delivered an onion into the pot;
* ``pot_side``: the agent ends the step on a cell next to the pot (the four cells from which a delivery is made);
* ``move``: the agent chose an action other than stay.

**The reported rewards stay true.** With ``CookingGridworld(shaping=...)`` (``make_env("cooking", n,
shaping=...)``, ``TrainConfig(env_kwargs={"shaping": ...})``) a step reports ``Step.rewards`` and ``Step.costs``
exactly as without shaping, the event counts in ``Step.events`` and the bonus ``sum_e w_e n_e`` separately in
``Step.shaping`` (shape ``(n_agents, n_envs)``, zero for the seats not shaped). Only the learners' advantages use
``rewards + shaping`` (:meth:`rqe.srpo.trainer.Trainer.advantages` and the batched
:class:`rqe.srpo.population.PopulationTrainer`); the logged returns, :func:`rqe.srpo.zoo.heldout_play` and
:func:`rqe.srpo.evaluate.evaluate_pair` read ``Step.rewards`` alone, so a shaped partner is always scored by the
true team reward. A job's reward is the mean training reward of its ``reward_seats`` (times its sign), so an SRPO
adversary of a shaped seat minimises that seat's shaped reward.

:data:`SHAPINGS` names the four behaviour-preferring partners of the held-out zoo (:func:`rqe.srpo.zoo.shaped_partners`).

>>> import torch
>>> from rqe.srpo.envs import CookingGridworld
>>> env = CookingGridworld(n_envs=1, shaping={"move": -1.0, "pot_side": -2.0})
>>> _ = env.reset(torch.Generator().manual_seed(0))
>>> env.place(0, [(1, 1), (4, 4)])
>>> step = env.step(torch.tensor([[3], [4]]), torch.Generator().manual_seed(0))   # seat 0 moves right to (1, 2)
>>> moves, pot_side = step.events["move"], step.events["pot_side"]
>>> moves[:, 0].tolist(), pot_side[:, 0].tolist()
([1.0, 0.0], [1.0, 0.0])
>>> step.shaping[:, 0].tolist()          # seat 0 shaped: -1 (move) - 2 (pot side); seat 1 not shaped
[-3.0, 0.0]
>>> step.rewards[:, 0].tolist()          # the true rewards: seat 0 paid its move cost 0.2
[-0.20000000298023224, 0.0]
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

from rqe.errors import ParameterError

__all__ = ["RewardShaping", "EVENTS", "SHAPINGS", "reward_shaping"]

#: Events of the cooking gridworld that shaping weights, in the order of :meth:`RewardShaping.weights`.
EVENTS = ("onion0", "onion1", "delivery", "pot_side", "move")


@dataclass(frozen=True)
class RewardShaping:
    """Weights ``w_e`` of the events :data:`EVENTS` and the ``seats`` whose training reward they shape.

    The bonus of seat ``i`` in a step is ``sum_e w_e n_e`` with ``n_e`` its count of event ``e`` in that step (0
    or 1), when ``i`` is in ``seats``, else 0. ``seats=()`` shapes nobody: the environment then only counts the
    events (how :func:`rqe.srpo.zoo.heldout_play` measures behaviour). Default ``seats=(0,)``: the biased partner
    in seat 0 and a teammate learning from the true reward in seat 1, as in ZSC-Eval; ``(0, 1)`` shapes both
    (self-play with one shared shaped reward).

    >>> RewardShaping(onion0=5.0, onion1=-10.0).weights
    (5.0, -10.0, 0.0, 0.0, 0.0)
    >>> RewardShaping(move=float("nan"))
    Traceback (most recent call last):
    ...
    rqe.errors.ParameterError: shaping weight move must be a finite number, got nan
    """

    onion0: float = 0.0
    onion1: float = 0.0
    delivery: float = 0.0
    pot_side: float = 0.0
    move: float = 0.0
    seats: tuple[int, ...] = (0,)

    def __post_init__(self) -> None:
        for name in EVENTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParameterError(f"shaping weight {name} must be a finite number, got {value!r}")
            object.__setattr__(self, name, float(value))
        try:
            seats = tuple(self.seats)
        except TypeError:
            raise ParameterError(f"shaping seats must be a list of seats 0 and/or 1, got {self.seats!r}") from None
        if any(isinstance(s, bool) or s not in (0, 1) for s in seats) or len(set(seats)) != len(seats):
            raise ParameterError(f"shaping seats must be distinct seats 0 and/or 1, got {self.seats!r}")
        object.__setattr__(self, "seats", tuple(int(s) for s in seats))

    @property
    def weights(self) -> tuple[float, ...]:
        """The weights in the order of :data:`EVENTS`."""
        return tuple(getattr(self, e) for e in EVENTS)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, accepted back by :func:`reward_shaping` (what a ``TrainConfig`` stores).

        >>> reward_shaping(SHAPINGS["moves_little"].to_dict()) == SHAPINGS["moves_little"]
        True
        """
        data: dict[str, Any] = {e: getattr(self, e) for e in EVENTS}
        data["seats"] = list(self.seats)
        return data


#: The behaviour-preferring partners of the held-out zoo (:func:`rqe.srpo.zoo.train_shaped_partners`).
#: For scale: a pickup earns 1 and a delivery 10 shared reward, a move costs its mover 0.2.
SHAPINGS: dict[str, RewardShaping] = {
    "prefers_onion0": RewardShaping(onion0=5.0, onion1=-10.0),   # onion 1 worth about nothing to it
    "prefers_onion1": RewardShaping(onion0=-10.0, onion1=5.0),
    "avoids_pot_side": RewardShaping(pot_side=-0.25),           # stronger weights made self-play idle (v1, v2)
    "moves_little": RewardShaping(move=-0.1),                   # a move costs it 0.3 instead of 0.2
}


def reward_shaping(value: Any) -> RewardShaping | None:
    """A :class:`RewardShaping` from None (no shaping), a :data:`SHAPINGS` name, a dict of weights (and
    ``seats``), the same dict as JSON text (``rqe train ... --env-arg 'shaping={"move": -1}'``) or an instance;
    anything else, or an unknown key, raises :class:`rqe.errors.ParameterError`.

    >>> reward_shaping({"onion0": 2, "seats": [0, 1]})
    RewardShaping(onion0=2.0, onion1=0.0, delivery=0.0, pot_side=0.0, move=0.0, seats=(0, 1))
    >>> reward_shaping("prefers_onion1").onion1
    5.0
    >>> reward_shaping({"onoin0": 1})
    Traceback (most recent call last):
    ...
    rqe.errors.ParameterError: unknown shaping keys ['onoin0']; known: ['delivery', 'move', ...]
    """
    if value is None or isinstance(value, RewardShaping):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ParameterError(f"shaping {value!r} is not valid JSON ({exc})") from None
    if isinstance(value, str):
        if value not in SHAPINGS:
            raise ParameterError(f"unknown shaping {value!r}; expected one of {sorted(SHAPINGS)} or a dict of weights")
        return SHAPINGS[value]
    if not isinstance(value, dict):
        raise ParameterError(f"shaping must be a name, a dict of event weights or RewardShaping, "
                             f"got {type(value).__name__}")
    known = {f.name for f in dataclasses.fields(RewardShaping)}
    unknown = set(value) - known
    if unknown:
        raise ParameterError(f"unknown shaping keys {sorted(map(str, unknown))}; known: {sorted(known)}")
    return RewardShaping(**value)
