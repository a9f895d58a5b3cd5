"""Gambit .efg files: reading, writing, exact chance and payoffs, information sets, and solving through the
reduced normal form and through OpenSpiel, on trees written for these tests (tests/data/efg)."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from rqe import Game
from rqe.errors import FileFormatError, GameError, ParameterError
from rqe.extensive import ExtensiveGame
from rqe.io import dumps, read_efg, read_game, write_game
from tests.efg_compare import tree_signature

DATA = Path(__file__).parent / "data" / "efg"
FILES = sorted(DATA.glob("*.efg"))
PERFECT_RECALL = [p for p in FILES if p.name != "absent_minded_driver.efg"]


def test_data_files_present():
    assert {p.name for p in FILES} >= {"kuhn_poker.efg", "signalling.efg", "imperfect_information.efg",
                                       "absent_minded_driver.efg"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_is_exact(path):
    game = read_efg(path)
    text = dumps(game, "efg")
    again = read_efg(text)
    assert again == game
    assert dumps(again, "efg") == text


def test_exact_chance_probabilities_and_stage_payoffs():
    game = read_efg(DATA / "signalling.efg")
    chance = [i for i in game.infosets if i.player == -1]
    assert chance[0].probabilities == (Fraction(1, 3), Fraction(2, 3))
    assert "1/3" in dumps(game, "efg") and "1.5" in dumps(game, "efg")
    payoffs = game.terminal_payoffs()
    # the strong sender's node carries a stage outcome (-1/10, 0), added below it
    F = Fraction
    assert set(payoffs.values()) == {(F(-1, 10), F(-1)), (F(19, 10), F(0)), (F(-1), F(1)), (F(3, 2), F(0))}
    tree = game.tree()
    assert sorted(tree.returns[tree.kind == 0, 0].tolist()) == sorted(float(u[0]) for u in payoffs.values())


def test_information_sets_and_labels():
    game = read_efg(DATA / "imperfect_information.efg")
    tree = game.tree()
    assert tree.n_infosets == 2 and tree.infoset_keys == ("Row:row", "Column:column")
    assert int((tree.infoset == 1).sum()) == 2  # both Column nodes share one infoset
    assert game.player_names == ("Row", "Column")


def test_imperfect_recall_reads_but_is_not_solved():
    game = read_efg(DATA / "absent_minded_driver.efg")
    assert read_efg(dumps(game, "efg")) == game
    with pytest.raises(GameError, match="perfect recall"):
        game.solve()


def test_kuhn_poker_value_is_minus_one_eighteenth():
    game = read_efg(DATA / "kuhn_poker.efg")
    solution = game.solve("nash")
    assert solution.converged and solution.reduced.game.shape == (27, 64)
    scale = 2.0  # payoff range of Kuhn poker is [-2, 2]
    assert abs(solution.payoffs[0][0] - (-1 / 18)) <= 1e-9 * scale
    behaviour = solution.behaviours[0]
    # a known property of every equilibrium: player 1 never bets holding Q first, player 2 always calls with K
    assert behaviour["Player 1"]["Q"]["bet"] == pytest.approx(0.0, abs=1e-9)
    assert behaviour["Player 2"]["K after bet"]["call"] == pytest.approx(1.0, abs=1e-9)


def test_read_game_gives_the_reduced_normal_form(tmp_path):
    game = read_game(DATA / "kuhn_poker.efg")
    assert isinstance(game, Game) and game.shape == (27, 64) and game.player_names == ("Player 1", "Player 2")
    write_game(read_efg(DATA / "kuhn_poker.efg"), tmp_path / "kuhn.nfg")
    assert read_game(tmp_path / "kuhn.nfg") == game


@pytest.mark.parametrize("shape", [(2, 3), (2, 2, 2)])
def test_strategic_game_as_a_tree(shape, tmp_path):
    rng = np.random.default_rng(7)
    game = Game(rng.integers(-5, 6, size=(len(shape), *shape)).astype(float) / 4, title="random")
    target = write_game(game, tmp_path / "game.efg")
    tree = read_efg(target)
    assert tree.tree().n_infosets == len(shape)
    np.testing.assert_array_equal(tree.reduced_normal_form().game.payoffs, game.payoffs)


def test_qre_through_the_reduced_normal_form():
    solution = read_efg(DATA / "signalling.efg").solve("qre", lam=2.0)
    assert solution.converged and len(solution.behaviours) == 1
    for infosets in solution.behaviours[0].values():
        for probabilities in infosets.values():
            assert sum(probabilities.values()) == pytest.approx(1.0, rel=1e-12)
            assert min(probabilities.values()) > 0


def test_constructor_validates():
    from rqe.extensive import Infoset, Node, Outcome

    good = dict(title="", player_names=("a",), infosets=(Infoset(-1, "", ("x", "y"), (Fraction(1, 2),) * 2),),
                outcomes=(Outcome("", (1,)),), nodes=(Node("", 0, -1, (1, 2)), Node("", -1, 0), Node("", -1, -1)))
    assert ExtensiveGame(**good).terminal_payoffs() == {1: (1,), 2: (0,)}
    bad_probs = dict(good, infosets=(Infoset(-1, "", ("x", "y"), (Fraction(1, 2), Fraction(1, 3))),))
    with pytest.raises(GameError, match="sum to exactly 1"):
        ExtensiveGame(**bad_probs)
    with pytest.raises(GameError, match="not a node of its own"):
        ExtensiveGame(**dict(good, nodes=(Node("", 0, -1, (1, 1)), Node("", -1, 0), Node("", -1, -1))))
    with pytest.raises(GameError, match="payoffs for 1 players"):
        ExtensiveGame(**dict(good, outcomes=(Outcome("", (1, 2)),)))
    with pytest.raises(GameError, match="finite"):
        ExtensiveGame(**dict(good, outcomes=(Outcome("", (float("nan"),)),)))
    with pytest.raises(GameError, match="float64 range"):
        ExtensiveGame(**dict(good, outcomes=(Outcome("", (10**400,)),)))


def test_terminal_sums_beyond_float_range_are_typed_errors():
    text = HEAD + 'p "" 1 1 "" { "l" } 1 "" { 1e308, 0 }\nt "" 2 "" { 1e308, 0 }'
    game = read_efg(text)  # each outcome is a float64; their sum is not
    with pytest.raises(GameError, match="float64 range"):
        game.tree()


HEAD = 'EFG 2 R "x" { "a" "b" }\n'


@pytest.mark.parametrize(
    "body,line,column,fragment",
    [
        ('p "" 3 1 "" { "l" } 0\nt "" 0', 2, 6, "player 3 does not exist"),
        ('p "" 1 1 0\nt "" 0', 2, 8, "used before it is described"),
        ('c "" 1 "" { "l" 1/2 "r" 1/3 } 0\nt "" 0\nt "" 0', 2, 6, "sum to 5/6"),
        ('c "" 1 "" { "l" -1 "r" 2 } 0\nt "" 0\nt "" 0', 2, 17, ">= 0"),
        ('t "" 0 "x" { 1 2 }', 2, 8, "null outcome"),
        ('p "" 1 1 "" { "l" "r" } 0\nt "" 0', 3, 7, "node 1 needs 1 more"),
        ('t "" 1 "" { 1 2 }\nt "" 0', 3, 1, "after the last node"),
        ('t "" 1 "" { 1 }', 2, 15, "payoff of player 2 in outcome 1"),
        ('p "" 1 1 "" { "l" "r" } 0\nt "" 0\np "" 1 1 "" { "l" } 0\nt "" 0', 4, 8, "described differently"),
        ('t "" 1 "" { 1e309 2 }', 2, 13, "outside the float64 range"),
        ('t "" 1 "" { 1 2 }\n', 2, 18, None),
    ],
)
def test_malformed_efg_gives_position(body, line, column, fragment):
    if fragment is None:  # a valid one-node game, for contrast
        assert read_efg(HEAD + body).terminal_payoffs() == {0: (1, 2)}
        return
    with pytest.raises(FileFormatError) as info:
        read_efg(HEAD + body)
    assert fragment in str(info.value)
    assert (info.value.line, info.value.column) == (line, column)


# ------------------------------------------------------------------------------------------ OpenSpiel
@pytest.mark.parametrize("path", PERFECT_RECALL, ids=lambda p: p.name)
def test_openspiel_reads_the_same_tree(path):
    pytest.importorskip("pyspiel")
    from rqe.openspiel import build_tree

    game = read_efg(path)
    assert tree_signature(build_tree(game.to_pyspiel())) == tree_signature(game.tree())


def test_kuhn_poker_matches_openspiel_kuhn_poker():
    pytest.importorskip("pyspiel")
    from rqe.openspiel import reduced_normal_form, solve_openspiel

    ours = read_efg(DATA / "kuhn_poker.efg")
    theirs = reduced_normal_form("kuhn_poker").game
    mine = ours.reduced_normal_form().game
    assert mine.shape == theirs.shape
    cells = lambda g: sorted(map(tuple, g.payoffs.reshape(2, -1).T.round(12).tolist()))  # noqa: E731
    assert cells(mine) == cells(theirs)  # the same strategic form up to the order of the plans
    bridged = solve_openspiel(ours.to_pyspiel(), "nash")
    assert bridged.exploitability <= 1e-9 * 2.0
    assert abs(float(bridged.equilibria[0].payoffs[0]) + 1 / 18) <= 1e-9 * 2.0


# ------------------------------------------------------------------------------------------ pygambit
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_gambit_reads_what_rqe_writes_and_back(path, tmp_path):
    gbt = pytest.importorskip("pygambit")
    game = read_efg(path)
    target = write_game(game, tmp_path / "game.efg")
    theirs = gbt.read_efg(str(target))
    assert theirs.title == game.title
    assert bool(theirs.is_perfect_recall) == (path in PERFECT_RECALL)
    back = read_efg(theirs.to_efg())
    assert back.terminal_payoffs() == game.terminal_payoffs() or \
        sorted(back.terminal_payoffs().values()) == sorted(game.terminal_payoffs().values())
    if path in PERFECT_RECALL:
        assert tree_signature(back.tree()) == tree_signature(game.tree())
        arrays = np.stack([np.asarray(a, dtype=object).astype(float) for a in theirs.to_arrays()])
        mine = game.reduced_normal_form().game.payoffs
        assert arrays.shape == mine.shape
        cells = lambda p: sorted(map(tuple, p.reshape(len(p), -1).T.round(12).tolist()))  # noqa: E731
        assert cells(arrays) == cells(mine)


def test_node_count_limit():
    from rqe.errors import ProblemSizeError

    text = 'EFG 2 R "" { "1" "2" }\np "" 1 1 "" { "a" "b" } 0\nt "" 1 "" { 1 2 }\nt "" 2 "" { 3 4 }'
    assert len(read_efg(text, max_payoffs=6).nodes) == 3
    with pytest.raises(ProblemSizeError, match="max_payoffs"):
        read_efg(text, max_payoffs=4)


def test_solutions_through_openspiel_and_through_the_reduced_normal_form_agree():
    pytest.importorskip("pyspiel")
    game = read_efg(DATA / "kuhn_poker.efg")
    ours = game.solve("nash")
    assert game.exploitability(ours.flat[0]) <= 1e-9 * 2.0  # OpenSpiel's evaluation of rqe's equilibrium
    bridged = game.solve("nash", via="openspiel")
    assert bridged.converged and set(bridged.behaviours[0]) == {"Player 1", "Player 2"}
    # OpenSpiel's equilibrium, mapped onto rqe's tree, has Kuhn's value in rqe's reduced normal form
    rnf = ours.reduced
    value = rnf.game.expected_payoffs(rnf.from_behaviour(bridged.flat[0]))[0]
    assert abs(value + 1 / 18) <= 1e-9 * 2.0
    assert game.exploitability(bridged.flat[0]) <= 1e-9 * 2.0
    with pytest.raises(ParameterError, match="via"):
        game.solve(via="gambit")
