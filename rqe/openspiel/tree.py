"""A flat, array-based copy of a small OpenSpiel game tree, used by the extensive-form solvers.

Nodes are stored in depth-first pre-order, so every parent precedes its children: a backward pass walks the
arrays in reverse and a forward pass in order (the Numba kernels of :mod:`rqe.openspiel._kernels` rely on
this). Behaviour strategies are flat vectors: infoset ``I`` owns the slots ``offsets[I] : offsets[I + 1]``,
one per legal action, in OpenSpiel's ``legal_actions()`` order.

Information sets are keyed by OpenSpiel's ``information_state_string`` (the key ``TabularPolicy`` uses), and
perfect recall is checked: every history of an infoset has the same own-action sequence before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rqe.errors import GameError, ProblemSizeError
from rqe.openspiel._pyspiel import pyspiel

__all__ = ["GameTree", "build_tree", "TERMINAL", "CHANCE", "DECISION"]

TERMINAL, CHANCE, DECISION = 0, 1, 2

#: default cap on the number of histories copied (leduc_poker has about 9.5e3)
MAX_NODES = 2_000_000


@dataclass(frozen=True)
class GameTree:
    """Arrays describing an extensive-form game with perfect recall.

    Attributes
    ----------
    game : pyspiel.Game
    n_players : int
    kind, player, infoset : int arrays over nodes (``infoset`` is -1 off decision nodes)
    first_edge, n_edges : int arrays over nodes; the edges of node ``h`` are ``first_edge[h] + k``
    edge_child : int array, the child node of each edge
    edge_prob : float array, chance probability of each chance edge (0 on decision edges)
    edge_slot : int array, the strategy slot of each decision edge (-1 on chance edges)
    returns : float array ``(n_nodes, n_players)``, utilities at terminal nodes (0 elsewhere)
    infoset_keys : tuple of str
    infoset_player, offsets : int arrays over infosets (``offsets`` has one extra entry)
    infoset_actions : tuple of tuples of OpenSpiel action ids
    infoset_parent : int array, the slot of the player's own last move before the infoset (-1 if none)
    infoset_action_names : tuple of tuples of str, OpenSpiel's names of the legal actions
    name : str, the game's name when ``game`` is None (a tree built without OpenSpiel, e.g. from an ``.efg`` file
        by :meth:`rqe.extensive.ExtensiveGame.tree`)
    """

    game: Any
    n_players: int
    kind: np.ndarray
    player: np.ndarray
    infoset: np.ndarray
    first_edge: np.ndarray
    n_edges: np.ndarray
    edge_child: np.ndarray
    edge_prob: np.ndarray
    edge_slot: np.ndarray
    returns: np.ndarray
    infoset_keys: tuple[str, ...]
    infoset_player: np.ndarray
    offsets: np.ndarray
    infoset_actions: tuple[tuple[int, ...], ...]
    infoset_parent: np.ndarray
    infoset_action_names: tuple[tuple[str, ...], ...] = ()
    name: str = ""

    @property
    def short_name(self) -> str:
        return self.game.get_type().short_name if self.game is not None else self.name

    @property
    def long_name(self) -> str:
        return self.game.get_type().long_name if self.game is not None else self.name

    @property
    def n_nodes(self) -> int:
        return int(self.kind.size)

    @property
    def n_infosets(self) -> int:
        return len(self.infoset_keys)

    @property
    def n_slots(self) -> int:
        return int(self.offsets[-1])

    @property
    def slot_infoset(self) -> np.ndarray:
        """The infoset owning each strategy slot."""
        return np.repeat(np.arange(self.n_infosets), np.diff(self.offsets))

    def uniform_strategy(self) -> np.ndarray:
        """The behaviour profile that plays uniformly at every infoset (flat vector over slots)."""
        sizes = np.diff(self.offsets)
        return np.repeat(1.0 / sizes, sizes)

    def infosets_of(self, player: int) -> np.ndarray:
        return np.flatnonzero(self.infoset_player == player)

    def __repr__(self) -> str:
        return (f"GameTree({self.short_name!r}: {self.n_nodes} nodes, "
                f"{self.n_infosets} infosets, {self.n_slots} actions)")


def build_tree(game: Any, max_nodes: int = MAX_NODES) -> GameTree:
    """Copy the full tree of a sequential OpenSpiel game into a :class:`GameTree`.

    >>> from rqe.openspiel import build_tree
    >>> build_tree("kuhn_poker")
    GameTree('kuhn_poker': 58 nodes, 12 infosets, 24 actions)
    """
    ps = pyspiel()
    from rqe.openspiel.convert import load_pyspiel_game

    game = load_pyspiel_game(game)
    gtype = game.get_type()
    if gtype.dynamics != ps.GameType.Dynamics.SEQUENTIAL:
        raise GameError(f"{gtype.short_name!r} has simultaneous moves; load it with "
                        "pyspiel.load_game_as_turn_based(...) first (or use from_pyspiel for one-shot games)")
    use_infostate = gtype.provides_information_state_string

    def expand(state: Any) -> tuple:
        if state.is_terminal():
            return ("terminal", np.array(state.returns(), dtype=np.float64))
        if state.is_chance_node():
            return ("chance", [(state.child(action), float(prob)) for action, prob in state.chance_outcomes()])
        if state.is_simultaneous_node():
            raise GameError(f"{gtype.short_name!r} has simultaneous nodes; use pyspiel.load_game_as_turn_based")
        p = state.current_player()
        key = state.information_state_string(p) if use_infostate else state.observation_string(p)
        actions = tuple(state.legal_actions())
        return ("decision", p, key, actions, lambda: tuple(state.action_to_string(p, a) for a in actions),
                [state.child(a) for a in actions])

    return walk_tree(game.new_initial_state(), game.num_players(), expand, name=gtype.short_name, game=game,
                     max_nodes=max_nodes)


def walk_tree(root: Any, n_players: int, expand: Any, *, name: str, game: Any = None,
              max_nodes: int = MAX_NODES) -> GameTree:
    """Copy a game tree into :class:`GameTree` arrays: iterative depth-first search in pre-order.

    The one walk behind OpenSpiel trees (:func:`build_tree`) and ``.efg`` trees
    (:meth:`rqe.extensive.ExtensiveGame.tree`). ``expand(state)`` describes a node as
    ``("terminal", returns)``, ``("chance", [(child, probability), ...])`` or
    ``("decision", player, infoset_key, actions, action_names, children)`` (``action_names`` a callable,
    evaluated once per infoset). Decision infosets are numbered in order of first appearance; perfect recall
    (every history of an infoset follows the same last own move of its player) is checked on the way.
    """
    kind: list[int] = []
    player: list[int] = []
    infoset: list[int] = []
    first_edge: list[int] = []
    n_edges: list[int] = []
    returns: list[Any] = []
    edge_child: list[int] = []
    edge_prob: list[float] = []
    edge_slot: list[int] = []
    keys: dict[Any, int] = {}
    infoset_player: list[int] = []
    infoset_actions: list[tuple[int, ...]] = []
    infoset_parent: list[int] = []
    infoset_action_names: list[tuple[str, ...]] = []
    offsets = [0]
    zero = np.zeros(n_players)

    # a node's edges are filled when the node is popped
    stack: list[tuple[Any, int, tuple[int, ...]]] = [(root, -1, tuple([-1] * n_players))]
    while stack:
        state, parent_edge, last_own = stack.pop()
        h = len(kind)
        if h >= max_nodes:
            raise ProblemSizeError(f"{name!r} has more than {max_nodes} histories; too large to copy")
        if parent_edge >= 0:
            edge_child[parent_edge] = h
        node = expand(state)
        if node[0] == "terminal":
            kind.append(TERMINAL); player.append(-1); infoset.append(-1)
            first_edge.append(len(edge_child)); n_edges.append(0)
            returns.append(node[1])
            continue
        returns.append(zero)
        children = []
        if node[0] == "chance":
            kind.append(CHANCE); player.append(-1); infoset.append(-1)
            first_edge.append(len(edge_child)); n_edges.append(len(node[1]))
            for child, prob in node[1]:
                edge_child.append(-1); edge_prob.append(prob); edge_slot.append(-1)
                children.append((child, len(edge_child) - 1, last_own))
            stack.extend(reversed(children))
            continue
        _, p, key, actions, action_names, child_states = node
        if key not in keys:
            keys[key] = len(infoset_player)
            infoset_player.append(p)
            infoset_actions.append(actions)
            infoset_parent.append(last_own[p])
            infoset_action_names.append(action_names())
            offsets.append(offsets[-1] + len(actions))
        I = keys[key]
        if infoset_actions[I] != actions:
            raise GameError(f"infoset {key!r} has different legal actions in different histories")
        if infoset_parent[I] != last_own[p]:
            raise GameError(f"{name!r} does not have perfect recall: player {p} reaches infoset {key!r} after "
                            "different moves of their own")
        kind.append(DECISION); player.append(p); infoset.append(I)
        first_edge.append(len(edge_child)); n_edges.append(len(actions))
        for k, child in enumerate(child_states):
            slot = offsets[I] + k
            edge_child.append(-1); edge_prob.append(0.0); edge_slot.append(slot)
            own = list(last_own)
            own[p] = slot
            children.append((child, len(edge_child) - 1, tuple(own)))
        stack.extend(reversed(children))

    def arr(values: list, dtype: Any) -> np.ndarray:
        a = np.array(values, dtype=dtype)
        a.setflags(write=False)
        return a

    return GameTree(
        game=game, n_players=n_players,
        kind=arr(kind, np.int64), player=arr(player, np.int64), infoset=arr(infoset, np.int64),
        first_edge=arr(first_edge, np.int64), n_edges=arr(n_edges, np.int64),
        edge_child=arr(edge_child, np.int64), edge_prob=arr(edge_prob, np.float64),
        edge_slot=arr(edge_slot, np.int64), returns=arr(np.array(returns).reshape(len(kind), n_players), np.float64),
        infoset_keys=tuple(keys), infoset_player=arr(infoset_player, np.int64), offsets=arr(offsets, np.int64),
        infoset_actions=tuple(infoset_actions), infoset_parent=arr(infoset_parent, np.int64),
        infoset_action_names=tuple(infoset_action_names), name=name,
    )
