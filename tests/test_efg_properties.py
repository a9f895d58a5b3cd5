"""Properties of random extensive games (hypothesis draws a seed, a seeded builder draws the tree): the .efg
round trip is exact, OpenSpiel's reading of rqe's file is the same tree, and pygambit agrees on perfect recall
and on the reduced strategic form."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rqe.errors import GameError
from rqe.extensive import CHANCE, ExtensiveGame, Infoset, Node, Outcome
from rqe.io import dumps, read_efg
from tests.efg_compare import tree_signature


def random_game(seed: int) -> ExtensiveGame:
    """A random tree: up to 3 players, chance nodes with exact probabilities, shared infosets, stage outcomes."""
    rng = np.random.default_rng(seed)
    n_players = int(rng.integers(1, 4))
    infosets: list[Infoset] = []
    outcomes: list[Outcome] = []
    nodes: list[Node | None] = []

    def payoff() -> Fraction:
        return Fraction(int(rng.integers(-6, 7)), int(rng.choice([1, 2, 3])))

    def outcome(terminal: bool) -> int:
        if outcomes and rng.random() < 0.2:
            return int(rng.integers(0, len(outcomes)))
        if not terminal and rng.random() < 0.7:
            return -1
        if terminal and rng.random() < 0.1:
            return -1
        outcomes.append(Outcome(str(rng.choice(["", "o", "win"])), tuple(payoff() for _ in range(n_players))))
        return len(outcomes) - 1

    def infoset(n_actions: int) -> int:
        if rng.random() < 0.25:
            # a fresh chance infoset every time: pygambit 17 counts a chance infoset met twice on one path as
            # imperfect recall, rqe does not (chance has no strategy to recall with)
            weights = rng.integers(0, 4, size=n_actions)
            weights[int(rng.integers(0, n_actions))] += 1
            probs = tuple(Fraction(int(w), int(weights.sum())) for w in weights)
            label = f"nature{len(infosets)}" if rng.random() < 0.5 else ""  # pygambit 17: labels unique per player
            infosets.append(Infoset(CHANCE, label, tuple(f"c{k}" for k in range(n_actions)), probs))
            return len(infosets) - 1
        player = int(rng.integers(0, n_players))
        same = [k for k, i in enumerate(infosets) if i.player == player and len(i.actions) == n_actions]
        if same and rng.random() < 0.5:
            return int(rng.choice(same))
        actions = tuple(str(a) for a in rng.choice(["a", "b", "c", "a"], size=n_actions))
        infosets.append(Infoset(player, f"I{len(infosets)}" if rng.random() < 0.5 else "", actions))
        return len(infosets) - 1

    def build(depth: int) -> int:
        index = len(nodes)
        nodes.append(None)
        if depth >= 4 or (depth > 0 and rng.random() < 0.35):
            nodes[index] = Node("", -1, outcome(True))
            return index
        info = infoset(int(rng.integers(1, 4)))
        here = outcome(False)
        children = tuple(build(depth + 1) for _ in infosets[info].actions)
        nodes[index] = Node(f"n{index}" if rng.random() < 0.3 else "", info, here, children)
        return index

    build(0)
    names = tuple(f"P{i + 1}" for i in range(n_players))
    return ExtensiveGame("random tree", names, tuple(nodes), tuple(infosets), tuple(outcomes))


def _perfect_recall(game):
    try:
        return game.tree()
    except GameError as exc:
        assert "perfect recall" in str(exc)
        return None


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_round_trip_is_exact(seed):
    game = random_game(seed)
    assert read_efg(dumps(game, "efg")) == game


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_openspiel_reads_the_same_tree(seed):
    pytest.importorskip("pyspiel")
    from rqe.openspiel import build_tree

    game = random_game(seed)
    tree = _perfect_recall(game)
    if tree is not None:
        assert tree_signature(build_tree(game.to_pyspiel())) == tree_signature(tree)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_pygambit_agrees_on_recall_and_strategic_form(tmp_path_factory, seed):
    gbt = pytest.importorskip("pygambit")
    game = random_game(seed)
    path = tmp_path_factory.mktemp("efg") / "game.efg"
    path.write_text(dumps(game, "efg"))
    theirs = gbt.read_efg(str(path))
    tree = _perfect_recall(game)
    assert bool(theirs.is_perfect_recall) == (tree is not None)
    if tree is None:
        return
    mine = game.reduced_normal_form().game.payoffs
    arrays = np.stack([np.asarray(a, dtype=object).astype(float) for a in theirs.to_arrays()])
    assert arrays.shape == mine.shape
    cells = lambda p: sorted(map(tuple, p.reshape(len(p), -1).T.round(12).tolist()))  # noqa: E731
    assert cells(arrays) == cells(mine)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_openspiel_values_a_random_behaviour_profile_as_rqe_does(seed):
    pytest.importorskip("pyspiel")
    from rqe.openspiel import build_tree, expected_returns

    game = random_game(seed)
    tree = _perfect_recall(game)
    if tree is None or tree.n_infosets == 0:  # OpenSpiel's policy tools need at least one decision
        return
    rng = np.random.default_rng(seed)
    flat = rng.random(tree.n_slots) + 0.05
    for I in range(tree.n_infosets):
        a, b = tree.offsets[I], tree.offsets[I + 1]
        flat[a:b] /= flat[a:b].sum()
    rnf = game.reduced_normal_form()
    ours = rnf.game.expected_payoffs(rnf.from_behaviour(flat))
    theirs_tree = build_tree(game.to_pyspiel())
    mapped = np.empty(theirs_tree.n_slots)
    mapped[game.openspiel_slots(tree, theirs_tree)] = flat
    theirs = expected_returns(theirs_tree, mapped)
    scale = max(1.0, float(np.abs(tree.returns).max()))
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-12 * scale)
