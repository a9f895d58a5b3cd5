r"""The reduced normal form of a small sequential game, and the maps between its mixed strategies and
behaviour strategies.

A *reduced pure strategy* (a plan) of player ``i`` picks one action at every infoset of ``i`` that the
plan's own earlier choices do not exclude (infosets cut off by an own earlier move get no choice, which
merges the pure strategies that differ only there). Its payoff to player ``j`` against plans
``a_1..a_N`` is

.. math:: u_j(a) = \sum_{z \text{ terminal}} P_{chance}(z)\, u_j(z) \prod_k [\text{plan } a_k
          \text{ takes every move of } k \text{ on the path to } z].

Kuhn's theorem (perfect recall) maps a mixed profile ``x_i`` to a realisation-equivalent behaviour profile
``sigma(a|I) = r_i(I, a) / r_i(parent(I))`` with realisation weights ``r_i(s) = sum_{plans containing s}
x_i(plan)`` (uniform where ``r_i(parent(I)) = 0``); conversely the plan probabilities
``prod_{s in plan} sigma(s)`` give a mixed strategy with the same outcome distribution.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from rqe.errors import ProblemSizeError, ProfileError
from rqe.game import Game, Profile
from rqe.openspiel.tree import DECISION, TERMINAL, GameTree, build_tree

__all__ = ["ReducedNormalForm", "reduced_normal_form"]

#: refuse reduced normal forms with more payoff cells than this (per player)
MAX_CELLS = 5_000_000


@dataclass(frozen=True)
class ReducedNormalForm:
    """A sequential game's reduced normal form with the maps back to behaviour strategies.

    Attributes
    ----------
    game : rqe.Game
        The reduced normal form; action names list the moves of each plan (``"infoset:action"``).
    tree : GameTree
    plans : tuple (per player) of tuples of slot tuples
        The slots (infoset actions) each reduced pure strategy takes.
    plan_slots : tuple of bool arrays ``(n_plans_i, n_slots)``
    """

    game: Game
    tree: GameTree
    plans: tuple[tuple[tuple[int, ...], ...], ...]
    plan_slots: tuple[np.ndarray, ...]

    def to_behaviour(self, profile: Any) -> np.ndarray:
        """Realisation-equivalent behaviour profile (flat over the tree's slots) of a mixed profile."""
        x = Profile(profile, shape=self.game.shape)
        tree = self.tree
        sigma = tree.uniform_strategy().copy()
        for i, (xi, B) in enumerate(zip(x, self.plan_slots)):
            realisation = xi @ B  # r_i(s)
            for I in tree.infosets_of(i):
                a, b = tree.offsets[I], tree.offsets[I + 1]
                parent = tree.infoset_parent[I]
                total = 1.0 if parent < 0 else realisation[parent]
                if total > 1e-15:
                    sigma[a:b] = realisation[a:b] / total
        return sigma

    def from_behaviour(self, behaviour: np.ndarray) -> Profile:
        """Mixed profile on the plans with the same outcome distribution as ``behaviour``."""
        behaviour = np.asarray(behaviour, dtype=np.float64)
        if behaviour.shape != (self.tree.n_slots,):
            raise ProfileError(f"behaviour must have {self.tree.n_slots} entries, got shape {behaviour.shape}")
        out = []
        for plans in self.plans:
            out.append(np.array([np.prod(behaviour[list(p)]) if p else 1.0 for p in plans]))
        return Profile(out, shape=self.game.shape, atol=1e-6)

    def __repr__(self) -> str:
        return f"ReducedNormalForm({self.tree.short_name!r}, shape={self.game.shape})"


def _player_plans(tree: GameTree, player: int) -> list[tuple[int, ...]]:
    children: dict[int, list[int]] = {}
    for I in tree.infosets_of(player):
        children.setdefault(int(tree.infoset_parent[I]), []).append(int(I))

    def plans(parent: int) -> list[tuple[int, ...]]:
        blocks = []
        for I in children.get(parent, []):
            options = []
            for s in range(tree.offsets[I], tree.offsets[I + 1]):
                options.extend((s, *rest) for rest in plans(s))
            blocks.append(options)
        return [tuple(sorted(itertools.chain.from_iterable(combo))) for combo in itertools.product(*blocks)]

    def count(parent: int) -> int:
        total = 1
        for I in children.get(parent, []):
            total *= sum(count(s) for s in range(tree.offsets[I], tree.offsets[I + 1]))
        return total

    n = count(-1)
    if n > MAX_CELLS:
        raise ProblemSizeError(f"player {player} has {n} reduced pure strategies (limit {MAX_CELLS})")
    return plans(-1)


def reduced_normal_form(game: Any, max_cells: int = MAX_CELLS) -> ReducedNormalForm:
    """The reduced normal form of a sequential OpenSpiel game with perfect recall (module docstring).

    Parameters
    ----------
    game : str, pyspiel.Game or GameTree
    max_cells : int
        Refuse (ProblemSizeError, before allocating) when the product of the plan counts exceeds this.

    Examples
    --------
    >>> from rqe.openspiel import reduced_normal_form
    >>> rnf = reduced_normal_form("kuhn_poker")
    >>> rnf.game.shape
    (27, 64)
    >>> round(float(rnf.game.expected_payoffs(rnf.from_behaviour(rnf.tree.uniform_strategy()))[0]), 4)
    0.125
    """
    tree = game if isinstance(game, GameTree) else build_tree(game)
    n_players = tree.n_players
    plans = [_player_plans(tree, i) for i in range(n_players)]
    shape = tuple(len(p) for p in plans)
    cells = int(np.prod(shape, dtype=np.float64))
    if cells > max_cells:
        raise ProblemSizeError(f"the reduced normal form has shape {shape} ({cells} cells > max_cells={max_cells})")
    plan_slots = []
    for p in plans:
        B = np.zeros((len(p), tree.n_slots), dtype=bool)
        for k, plan in enumerate(p):
            B[k, list(plan)] = True
        plan_slots.append(B)

    # last own slot of every player on the path to each node, and the chance reach
    n = tree.n_nodes
    last = np.full((n, n_players), -1, dtype=np.int64)
    chance = np.zeros(n)
    chance[0] = 1.0
    for h in range(n):
        if tree.kind[h] == TERMINAL:
            continue
        for e in range(tree.first_edge[h], tree.first_edge[h] + tree.n_edges[h]):
            c = tree.edge_child[e]
            last[c] = last[h]
            if tree.kind[h] == DECISION:
                last[c, tree.player[h]] = tree.edge_slot[e]
                chance[c] = chance[h]
            else:
                chance[c] = chance[h] * tree.edge_prob[e]
    terminals = np.flatnonzero(tree.kind == TERMINAL)
    consistent = []
    for i, B in enumerate(plan_slots):
        sl = last[terminals, i]
        C = np.ones((B.shape[0], terminals.size))
        has = sl >= 0
        C[:, has] = B[:, sl[has]]
        consistent.append(C)
    letters = "abcdefghijklmnopqrstuvwxy"[:n_players]
    spec = ",".join(f"{l}z" for l in letters) + ",z->" + letters
    payoffs = np.stack([
        np.einsum(spec, *consistent, chance[terminals] * tree.returns[terminals, j], optimize=True)
        for j in range(n_players)
    ])
    slot_infoset = tree.slot_infoset
    names = []
    for i, p in enumerate(plans):
        row = []
        for plan in p:
            parts = []
            for s in plan:
                I = int(slot_infoset[s])
                parts.append(f"{tree.infoset_keys[I]}:{tree.infoset_action_names[I][s - tree.offsets[I]]}")
            row.append(" ".join(parts) if parts else "(no move)")
        names.append(row)
    title = f"{tree.long_name} (reduced normal form)"
    rgame = Game(payoffs, title=title, action_names=names)
    return ReducedNormalForm(rgame, tree, tuple(tuple(p) for p in plans), tuple(plan_slots))
