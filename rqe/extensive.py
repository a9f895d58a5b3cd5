r"""Extensive-form games as Gambit's ``.efg`` files describe them: a tree of chance, decision and terminal
nodes, information sets, and outcomes with exact payoffs.

An :class:`ExtensiveGame` is a value (frozen): ``nodes`` in pre-order (the root first, each node followed by
the subtrees of its children in order), ``infosets`` (a player's, or chance's, with action labels and, for
chance, exact probabilities) and ``outcomes`` (a label and exact payoffs, one per player). An outcome may sit
at any node; a player's payoff at a terminal node is the sum of the outcomes on the path from the root,
Gambit's convention (Gambit manual, "The extensive game (.efg) file format").

It is solved through rqe's game-tree arrays (:class:`rqe.openspiel.tree.GameTree`, built here without
OpenSpiel) and the reduced normal form (:mod:`rqe.openspiel.reduced`, which states the payoff formula):
:meth:`ExtensiveGame.solve` solves the reduced normal form, a strategic game as in ``docs/rqe-math.md``
section 1, with the matrix solvers and maps each equilibrium back to a realisation-equivalent behaviour
profile (Kuhn's theorem, which needs perfect recall; Kuhn 1953, *Extensive games and the problem of
information*). :meth:`ExtensiveGame.to_pyspiel` hands the same tree to OpenSpiel (``pyspiel.load_efg_game``)
for :func:`rqe.openspiel.solve_openspiel` and its evaluations.

Reading and writing ``.efg`` text is :mod:`rqe.io.efg`; :func:`rqe.io.read_efg` reads a file.

>>> from rqe.io import read_efg
>>> game = read_efg('''EFG 2 R "Matching pennies, in turn" { "1" "2" }
... p "" 1 1 "" { "H" "T" } 0
... p "" 2 1 "" { "h" "t" } 0
... t "" 1 "" { 1, -1 }
... t "" 2 "" { -1, 1 }
... p "" 2 1 "" { "h" "t" } 0
... t "" 2 "" { -1, 1 }
... t "" 1 "" { 1, -1 }''')
>>> game
ExtensiveGame('Matching pennies, in turn': 2 players, 7 nodes, 2 infosets, 2 outcomes)
>>> solution = game.solve("nash")
>>> solution.behaviours[0]
{'1': {'1': {'H': 0.5, 'T': 0.5}}, '2': {'1': {'h': 0.5, 't': 0.5}}}
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from rqe._validation import check_index
from rqe.errors import GameError, ParameterError

__all__ = ["ExtensiveGame", "Node", "Infoset", "Outcome", "ExtensiveSolution", "CHANCE"]

#: The "player" of chance infosets.
CHANCE = -1


@dataclass(frozen=True)
class Infoset:
    """An information set: its owner (a 0-based player, or :data:`CHANCE`), label and action labels.

    ``probabilities`` (chance infosets only) are exact fractions, non-negative and summing to one.
    """

    player: int
    label: str
    actions: tuple[str, ...]
    probabilities: tuple[Fraction, ...] | None = None


@dataclass(frozen=True)
class Outcome:
    """A labelled payoff vector (exact fractions, one per player), added to the payoffs of every terminal node
    below the node that carries it."""

    label: str
    payoffs: tuple[Fraction, ...]


@dataclass(frozen=True)
class Node:
    """A node: ``infoset`` indexes :attr:`ExtensiveGame.infosets` (-1 for a terminal node), ``outcome``
    indexes :attr:`ExtensiveGame.outcomes` (-1 for none), ``children`` are node indices, one per action."""

    label: str
    infoset: int
    outcome: int
    children: tuple[int, ...] = ()


def _exact(value: Any, what: str) -> Fraction:
    if isinstance(value, Fraction):
        if abs(value) > _FLOAT_MAX:
            raise GameError(f"{what} is outside the float64 range")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise GameError(f"{what} must be a real number, got {value!r}")
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        raise GameError(f"{what} must be finite, got {value!r}")
    exact = Fraction(int(value)) if isinstance(value, (int, np.integer)) else Fraction(float(value))
    if abs(exact) > _FLOAT_MAX:
        raise GameError(f"{what} is outside the float64 range")
    return exact


_FLOAT_MAX = Fraction(sys.float_info.max)


def _items(value: Any, what: str, kind: type | None = None) -> tuple:
    """A tuple from a list or tuple (a string is refused, not split into characters), each item of ``kind``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
        raise GameError(f"{what} must be a list or tuple, got {type(value).__name__}")
    items = tuple(value)
    if kind is not None:
        for k, item in enumerate(items):
            if not isinstance(item, kind):
                name = "string" if kind is str else kind.__name__
                raise GameError(f"{what}[{k}] must be {'an' if name[0] in 'AEIOU' else 'a'} {name}, "
                                f"got {type(item).__name__}")
    return items


def _index(value: Any, what: str) -> int:
    return check_index(value, what, error=GameError)


def _label(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise GameError(f"{what}'s label must be a string, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class ExtensiveGame:
    """A finite extensive-form game (module docstring). Validated on construction (:class:`GameError`)."""

    title: str
    player_names: tuple[str, ...]
    nodes: tuple[Node, ...]
    infosets: tuple[Infoset, ...]
    outcomes: tuple[Outcome, ...]
    comment: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "player_names", _items(self.player_names, "player_names", str))
        object.__setattr__(self, "nodes", tuple(
            Node(_label(node.label, f"node {k}"), _index(node.infoset, f"node {k}'s infoset"),
                 _index(node.outcome, f"node {k}'s outcome"),
                 tuple(_index(c, f"a child of node {k}") for c in _items(node.children, f"node {k}'s children")))
            for k, node in enumerate(_items(self.nodes, "nodes", Node))))
        object.__setattr__(self, "infosets", tuple(
            Infoset(_index(info.player, f"infoset {k}'s player"), _label(info.label, f"infoset {k}"),
                    _items(info.actions, f"infoset {k}'s actions", str),
                    None if info.probabilities is None else _items(info.probabilities, f"infoset {k}'s probabilities"))
            for k, info in enumerate(_items(self.infosets, "infosets", Infoset))))
        object.__setattr__(self, "outcomes", tuple(
            Outcome(_label(o.label, f"outcome {k}"), tuple(_exact(u, f"outcome {k} payoff")
                                                           for u in _items(o.payoffs, f"outcome {k}'s payoffs")))
            for k, o in enumerate(_items(self.outcomes, "outcomes", Outcome))))
        if not isinstance(self.title, str) or not isinstance(self.comment, str):
            raise GameError("the title and the comment must be strings")
        n = len(self.player_names)
        if n < 1 or not all(isinstance(p, str) for p in self.player_names):
            raise GameError("an extensive game needs at least one player named by a string, "
                            f"got {self.player_names}")
        if len(set(self.player_names)) != n:
            raise GameError(f"player names must be distinct, got {list(self.player_names)}")
        for k, o in enumerate(self.outcomes):
            if len(o.payoffs) != n:
                raise GameError(f"outcome {k} ({o.label!r}) has {len(o.payoffs)} payoffs for {n} players")
        fixed = []
        for k, info in enumerate(self.infosets):
            if not (info.player == CHANCE or 0 <= info.player < n):
                raise GameError(f"infoset {k} belongs to player {info.player}; "
                                f"expected -1 (chance) or 0..{n - 1}")
            if not info.actions:
                raise GameError(f"infoset {k} ({info.label!r}) has no actions")
            if info.player == CHANCE:
                if info.probabilities is None or len(info.probabilities) != len(info.actions):
                    raise GameError(f"chance infoset {k} needs one probability per action")
                probs = tuple(_exact(p, f"chance probability at infoset {k}") for p in info.probabilities)
                if any(p < 0 for p in probs) or sum(probs) != 1:
                    raise GameError(f"chance infoset {k} ({info.label!r}) has probabilities "
                                    f"{[str(p) for p in probs]}: they must be >= 0 and sum to exactly 1")
                info = Infoset(info.player, info.label, tuple(info.actions), probs)
            elif info.probabilities is not None:
                raise GameError(f"infoset {k} belongs to a player and cannot have chance probabilities")
            fixed.append(Infoset(info.player, info.label, tuple(info.actions), info.probabilities))
        object.__setattr__(self, "infosets", tuple(fixed))
        if not self.nodes:
            raise GameError("an extensive game needs at least one node")
        parents = [-1] * len(self.nodes)
        for k, node in enumerate(self.nodes):
            if not -1 <= node.outcome < len(self.outcomes):
                raise GameError(f"node {k} refers to outcome {node.outcome}, which does not exist")
            if node.infoset == -1:
                if node.children:
                    raise GameError(f"node {k} has children but no infoset")
                continue
            if not 0 <= node.infoset < len(self.infosets):
                raise GameError(f"node {k} refers to infoset {node.infoset}, which does not exist")
            if len(node.children) != len(self.infosets[node.infoset].actions):
                raise GameError(f"node {k} has {len(node.children)} children but its infoset has "
                                f"{len(self.infosets[node.infoset].actions)} actions")
            for child in node.children:
                if not 0 < child < len(self.nodes) or parents[child] != -1:
                    raise GameError(f"node {k} has child {child}, which is not a node of its own")
                parents[child] = k
        orphans = [k for k in range(1, len(self.nodes)) if parents[k] == -1]
        if orphans:
            raise GameError(f"nodes {orphans[:5]} are not reachable from the root (node 0)")
        # every node has one parent and node 0 none, but a cycle not through the root is still possible
        if len(self._preorder()) != len(self.nodes):
            raise GameError("the nodes do not form a tree rooted at node 0")

    # ------------------------------------------------------------------------------------------ structure
    @property
    def n_players(self) -> int:
        return len(self.player_names)

    def _preorder(self) -> list[int]:
        order, stack, seen = [], [0], set()
        while stack:
            k = stack.pop()
            if k in seen:
                break
            seen.add(k)
            order.append(k)
            stack.extend(reversed(self.nodes[k].children))
        return order

    def terminal_payoffs(self) -> dict[int, tuple[Fraction, ...]]:
        """Exact payoffs of every terminal node: the sum of the outcomes on its path (index -> payoffs)."""
        zero = tuple(Fraction(0) for _ in self.player_names)
        out: dict[int, tuple[Fraction, ...]] = {}
        stack = [(0, zero)]
        while stack:
            k, total = stack.pop()
            node = self.nodes[k]
            if node.outcome >= 0:
                total = tuple(a + b for a, b in zip(total, self.outcomes[node.outcome].payoffs))
            if not node.children:
                out[k] = total
            stack.extend((c, total) for c in node.children)
        return out

    def __repr__(self) -> str:
        n_infosets = sum(1 for i in self.infosets if i.player != CHANCE)
        return (f"ExtensiveGame({self.title!r}: {self.n_players} players, {len(self.nodes)} nodes, "
                f"{n_infosets} infosets, {len(self.outcomes)} outcomes)")

    def infoset_keys(self) -> list[str]:
        """A name for every infoset, distinct among its owner's: its label, or its number among them."""
        from rqe.io._text import distinct_labels

        keys = [""] * len(self.infosets)
        for player in {info.player for info in self.infosets}:
            mine = [k for k, info in enumerate(self.infosets) if info.player == player]
            for k, key in zip(mine, distinct_labels([self.infosets[k].label for k in mine])):
                keys[k] = key
        return keys

    # ------------------------------------------------------------------------------------------ trees
    def tree(self, max_nodes: int | None = None) -> Any:
        """The arrays of :class:`rqe.openspiel.tree.GameTree` for this game (no OpenSpiel needed).

        Decision infosets keep their order of first appearance in pre-order, and their actions the file order.
        Raises :class:`GameError` without perfect recall (a player's infoset reached after different own
        moves), which the reduced normal form and behaviour strategies need.
        """
        from rqe.io._text import distinct_labels
        from rqe.openspiel.tree import MAX_NODES, walk_tree

        payoffs = self.terminal_payoffs()
        keys = self.infoset_keys()

        def expand(k: int) -> tuple:
            node = self.nodes[k]
            if not node.children:
                try:
                    return ("terminal", np.array([float(u) for u in payoffs[k]]))
                except OverflowError:
                    raise GameError(f"the payoffs at terminal node {k} (a sum of outcomes) leave the float64 "
                                    "range") from None
            info = self.infosets[node.infoset]
            if info.player == CHANCE:
                return ("chance", [(child, float(prob)) for child, prob in zip(node.children, info.probabilities)])
            return ("decision", info.player, f"{self.player_names[info.player]}:{keys[node.infoset]}",
                    tuple(range(len(info.actions))), lambda: tuple(distinct_labels(list(info.actions))),
                    list(node.children))

        return walk_tree(0, self.n_players, expand, name=self.title or "efg game",
                         max_nodes=MAX_NODES if max_nodes is None else max_nodes)

    def reduced_normal_form(self, max_cells: int | None = None) -> Any:
        """The reduced normal form (:func:`rqe.openspiel.reduced_normal_form`) with the maps to behaviour
        strategies; its game's player names are this game's."""
        from rqe.openspiel.reduced import MAX_CELLS, ReducedNormalForm, reduced_normal_form

        rnf = reduced_normal_form(self.tree(), max_cells=MAX_CELLS if max_cells is None else max_cells)
        game = rnf.game.replace(player_names=self.player_names)
        return ReducedNormalForm(game, rnf.tree, rnf.plans, rnf.plan_slots)

    def behaviour(self, flat: Sequence[float], tree: Any = None) -> dict[str, dict[str, dict[str, float]]]:
        """A flat behaviour vector over :meth:`tree`'s slots, as ``{player: {infoset: {action: prob}}}``."""
        tree = self.tree() if tree is None else tree
        flat = np.asarray(flat, dtype=np.float64)
        if flat.shape != (tree.n_slots,):
            raise ParameterError(f"a behaviour profile of this game has {tree.n_slots} entries, "
                                 f"got shape {flat.shape}")
        out: dict[str, dict[str, dict[str, float]]] = {name: {} for name in self.player_names}
        for I, key in enumerate(tree.infoset_keys):
            name = self.player_names[int(tree.infoset_player[I])]
            label = key[len(name) + 1:]
            a, b = int(tree.offsets[I]), int(tree.offsets[I + 1])
            actions = tree.infoset_action_names[I]
            out[name][label] = {action: float(flat[s]) for action, s in zip(actions, range(a, b))}
        return out

    def solve(self, concept: str = "nash", *, via: str = "reduced", **params: Any) -> "ExtensiveSolution":
        """Equilibria as behaviour profiles of the tree.

        ``via="reduced"`` (default, no OpenSpiel needed) solves the reduced normal form: ``concept`` is
        ``"nash"`` (:func:`rqe.solve_nash`; ``method="lp"`` by default for two-player constant-sum games),
        ``"qre"`` (:func:`rqe.solve_qre`, needs ``lam``) or ``"rqe"`` (:func:`rqe.solve_rqe`, needs ``tau``
        and ``epsilon``); each mixed equilibrium maps to a realisation-equivalent behaviour profile
        (:meth:`rqe.openspiel.ReducedNormalForm.to_behaviour`). ``via="openspiel"`` hands the game to
        :func:`rqe.openspiel.solve_openspiel` (also ``"agent_qre"``, ``"agent_rqe"``) and maps its first
        equilibrium back onto this tree's slots (:meth:`openspiel_slots`). ``params`` go to the solver.
        """
        import rqe

        if via == "openspiel":
            from rqe.openspiel import solve_openspiel

            result = solve_openspiel(self.to_pyspiel(), concept, **params)
            tree = self.tree()
            flats: tuple[np.ndarray, ...] = ()
            if result.behaviour is not None:
                mapping = self.openspiel_slots(tree, result.tree)
                flats = (np.asarray(result.behaviour, dtype=np.float64)[mapping],)
            payoffs = tuple(np.asarray(eq.payoffs, dtype=np.float64) for eq in result.equilibria[:len(flats)])
            return ExtensiveSolution(self, concept, flats, tuple(self.behaviour(f, tree) for f in flats),
                                     payoffs, bool(result.converged), result.method, None, result)
        if via != "reduced":
            raise ParameterError(f"via must be 'reduced' or 'openspiel', got {via!r}")
        rnf = self.reduced_normal_form()
        matrix = rnf.game
        if concept == "nash":
            zero_sum = matrix.n_players == 2 and matrix.is_constant_sum()
            params.setdefault("method", "lp" if zero_sum else "auto")
            result = rqe.solve_nash(matrix, **params)
        elif concept == "qre":
            result = rqe.solve_qre(matrix, **params)
        elif concept == "rqe":
            result = rqe.solve_rqe(matrix, **params)
        else:
            raise ParameterError(f"unknown concept {concept!r}; expected 'nash', 'qre' or 'rqe'")
        flats = tuple(rnf.to_behaviour(eq.strategies) for eq in result.equilibria)
        return ExtensiveSolution(self, concept, flats, tuple(self.behaviour(f, rnf.tree) for f in flats),
                                 tuple(np.asarray(eq.payoffs, dtype=np.float64) for eq in result.equilibria),
                                 bool(result.converged), result.method, rnf, result)

    def openspiel_slots(self, tree: Any = None, openspiel_tree: Any = None) -> np.ndarray:
        """For each strategy slot of :meth:`tree`, the matching slot of OpenSpiel's tree of the same game
        (``build_tree(self.to_pyspiel())``), found by walking both from the root: decision edges by action
        label, chance edges by position: a profile over OpenSpiel's slots reads as ``theirs[mapping]`` here.
        """
        from rqe.openspiel.tree import DECISION, TERMINAL, build_tree

        ours = self.tree() if tree is None else tree
        theirs = build_tree(self.to_pyspiel()) if openspiel_tree is None else openspiel_tree
        mapping = np.full(ours.n_slots, -1, dtype=np.int64)
        stack = [(0, 0)]
        while stack:
            h, g = stack.pop()
            if ours.kind[h] != theirs.kind[g] or ours.n_edges[h] != theirs.n_edges[g]:
                raise GameError("OpenSpiel's tree of this game differs from rqe's")
            if ours.kind[h] == TERMINAL:
                continue
            our_edges = range(int(ours.first_edge[h]), int(ours.first_edge[h] + ours.n_edges[h]))
            their_edges = list(range(int(theirs.first_edge[g]), int(theirs.first_edge[g] + theirs.n_edges[g])))
            if ours.kind[h] != DECISION:
                stack.extend((int(ours.edge_child[e]), int(theirs.edge_child[f]))
                             for e, f in zip(our_edges, their_edges))
                continue
            I, J = int(ours.infoset[h]), int(theirs.infoset[g])
            by_name = {theirs.infoset_action_names[J][int(theirs.edge_slot[f]) - int(theirs.offsets[J])]: f
                       for f in their_edges}
            for e in our_edges:
                slot = int(ours.edge_slot[e])
                name = ours.infoset_action_names[I][slot - int(ours.offsets[I])].replace('"', "'")
                f = by_name.get(name)
                if f is None or mapping[slot] not in (-1, int(theirs.edge_slot[f])):
                    raise GameError(f"OpenSpiel's tree of this game differs from rqe's at action {name!r}")
                mapping[slot] = int(theirs.edge_slot[f])
                stack.append((int(ours.edge_child[e]), int(theirs.edge_child[f])))
        if ours.n_slots != theirs.n_slots or not np.array_equal(np.sort(mapping), np.arange(theirs.n_slots)):
            raise GameError("OpenSpiel's tree of this game has other information sets than rqe's")
        return mapping

    def exploitability(self, flat: Sequence[float]) -> float:
        """OpenSpiel's exploitability (NashConv / N, :func:`rqe.openspiel.exploitability`) of a behaviour
        profile over :meth:`tree`'s slots."""
        from rqe.openspiel.policy import exploitability
        from rqe.openspiel.tree import build_tree

        tree = self.tree()
        flat = np.asarray(flat, dtype=np.float64)
        if flat.shape != (tree.n_slots,):
            raise ParameterError(f"a behaviour profile of this game has {tree.n_slots} entries, "
                                 f"got shape {flat.shape}")
        if tree.n_infosets == 0:  # nobody moves, nobody can gain (OpenSpiel's policies need a decision)
            return 0.0
        theirs = build_tree(self.to_pyspiel())
        mapping = self.openspiel_slots(tree, theirs)
        mapped = np.empty(theirs.n_slots)
        mapped[mapping] = flat
        return float(exploitability(theirs, mapped))

    def to_pyspiel(self) -> Any:
        """The same game as an OpenSpiel game (``pyspiel.load_efg_game``; needs ``rqe[openspiel]``).

        OpenSpiel's reader takes outcomes at terminal nodes only, so outcomes on inner nodes are first added
        into the terminal payoffs (:meth:`with_terminal_outcomes`), which leaves every payoff unchanged. It
        also identifies actions by their labels and cannot read a double quote inside a string, so repeated
        action labels of an infoset get ``#k`` appended (as in :meth:`tree`), double quotes in labels become
        single quotes, and the comment is left out.
        """
        from rqe.io._text import distinct_labels
        from rqe.io.efg import write_efg_text
        from rqe.openspiel._pyspiel import pyspiel

        ps = pyspiel()
        plain = self.with_terminal_outcomes()

        def fix(text: str) -> str:
            return text.replace('"', "'")

        infosets = tuple(Infoset(i.player, fix(i.label), tuple(fix(a) for a in distinct_labels(list(i.actions))),
                                 i.probabilities)
                         for i in plain.infosets)
        plain = ExtensiveGame(fix(plain.title), tuple(distinct_labels([fix(p) for p in plain.player_names])),
                              tuple(Node(fix(n.label), n.infoset, n.outcome, n.children)
                                    for n in plain.nodes),
                              infosets, tuple(Outcome(fix(o.label), o.payoffs) for o in plain.outcomes))
        text = write_efg_text(plain)
        try:
            return ps.load_efg_game(text)
        except ps.SpielError as exc:
            reason = " ".join(str(exc).split())[:300]
            raise GameError(f"OpenSpiel cannot load {self.title!r}: {reason}") from None

    def with_terminal_outcomes(self) -> "ExtensiveGame":
        """The same game with one outcome per terminal node (the path sums) and none on inner nodes."""
        payoffs = self.terminal_payoffs()
        outcomes: list[Outcome] = []
        nodes = []
        for k, node in enumerate(self.nodes):
            if node.children:
                nodes.append(Node(node.label, node.infoset, -1, node.children))
            else:
                label = self.outcomes[node.outcome].label if node.outcome >= 0 else ""
                outcomes.append(Outcome(label, payoffs[k]))
                nodes.append(Node(node.label, -1, len(outcomes) - 1))
        return ExtensiveGame(self.title, self.player_names, tuple(nodes), self.infosets, tuple(outcomes),
                             self.comment)

    @classmethod
    def from_game(cls, game: Any) -> "ExtensiveGame":
        """A strategic-form :class:`rqe.Game` as a tree: players move in turn, each at one information set
        that hides the earlier moves (the usual embedding; its reduced normal form is ``game`` again)."""
        from rqe.game import Game

        if not isinstance(game, Game):
            raise GameError(f"expected an rqe.Game, got {type(game).__name__}")
        infosets = tuple(Infoset(i, "", tuple(game.action_names[i])) for i in range(game.n_players))
        nodes: list[Node | None] = []
        outcomes: list[Outcome] = []
        # iterative pre-order build: (depth, profile so far, index reserved for the node)
        stack: list[tuple[int, tuple[int, ...], int]] = [(0, (), 0)]
        nodes.append(None)
        while stack:
            depth, profile, index = stack.pop()
            if depth == game.n_players:
                payoffs = game.payoffs[(slice(None), *profile)]
                outcomes.append(Outcome("", tuple(Fraction(float(u)) for u in payoffs)))
                nodes[index] = Node("", -1, len(outcomes) - 1)
                continue
            children = []
            for a in range(game.shape[depth]):
                nodes.append(None)
                children.append(len(nodes) - 1)
            nodes[index] = Node("", depth, -1, tuple(children))
            stack.extend((depth + 1, (*profile, a), c) for a, c in reversed(list(enumerate(children))))
        # renumber into pre-order
        order = []
        todo = [0]
        while todo:
            k = todo.pop()
            order.append(k)
            todo.extend(reversed(nodes[k].children))
        new = {old: k for k, old in enumerate(order)}
        ordered = tuple(Node(n.label, n.infoset, n.outcome, tuple(new[c] for c in n.children))
                        for n in (nodes[old] for old in order))
        return cls(game.title, tuple(game.player_names), ordered, infosets, tuple(outcomes))


@dataclass(frozen=True)
class ExtensiveSolution:
    """Equilibria of an :class:`ExtensiveGame` as behaviour profiles.

    Attributes
    ----------
    flat : tuple of arrays over the tree's strategy slots (:meth:`ExtensiveGame.tree`)
    behaviours : the same as ``{player: {infoset: {action: probability}}}``
    payoffs : expected payoff of each player, per equilibrium
    reduced : the reduced normal form solved; ``solver_result`` the matrix solver's own result
    """

    game: ExtensiveGame = field(repr=False)
    concept: str
    flat: tuple[np.ndarray, ...] = field(repr=False)
    behaviours: tuple[dict[str, dict[str, dict[str, float]]], ...]
    payoffs: tuple[np.ndarray, ...]
    converged: bool
    method: str
    reduced: Any = field(repr=False, compare=False)
    solver_result: Any = field(repr=False, compare=False)
