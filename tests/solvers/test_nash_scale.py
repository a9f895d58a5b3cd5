"""Scale-free and degenerate-game numerics of the Nash solvers (issue: answers must not depend on payoff units).

References are independent of the code under test: ``exact_extreme_equilibria`` in ``nash_helpers`` (every square
subsystem in rational arithmetic) and pygambit's exact ``enummixed_solve`` where pygambit is installed.
"""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rqe import Game, solve_nash
from rqe.errors import ProblemSizeError
from rqe.solvers.lemke_howson import lemke_howson_all
from rqe.solvers.support_enumeration import support_enumeration
from rqe.solvers.vertex_enumeration import vertex_enumeration
from tests.solvers.nash_helpers import (
    exact_extreme_equilibria, gambit_extreme_equilibria, gambit_profiles, key_set, strategic_game, von_stengel_75,
)

VARIANTS = {
    "x1e3": lambda P: P * 1e3,
    "x1e6": lambda P: P * 1e6,
    "x1e-12": lambda P: P * 1e-12,
    "+1e12": lambda P: P + 1e12,
}


def _reference(game: Game) -> set:
    return {tuple(round(float(v), 6) + 0.0 for v in eq) for eq in exact_extreme_equilibria(game)}


def _keys(result) -> set:
    return key_set(e.strategies for e in result.equilibria)


def _integer_games(seed: int, count: int, m: int = 3, n: int = 3):
    rng = np.random.default_rng(seed)
    return [rng.integers(-5, 6, size=(2, m, n)).astype(float) for _ in range(count)]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_scaled_integer_games_give_the_equilibria_of_the_unscaled_game(variant):
    for P in _integer_games(5, 30):
        expected = _reference(Game(P))
        result = solve_nash(Game(VARIANTS[variant](P)))
        assert _keys(result) == expected, P.tolist()
        assert result.complete
        assert all(e.residual <= 1e-9 for e in result.equilibria)


def test_scaled_integer_games_equal_pygambit_enummixed():
    pytest.importorskip("pygambit")
    for P in _integer_games(6, 10):
        expected = gambit_extreme_equilibria(P[0], P[1])
        for variant in VARIANTS.values():
            assert _keys(solve_nash(Game(variant(P)))) == expected, P.tolist()


def test_payoffs_report_the_original_game():
    P = _integer_games(7, 1)[0]
    base = solve_nash(Game(P))
    shifted = solve_nash(Game(P * 1e6 + 1e12))
    for e, f in zip(base.equilibria, shifted.equilibria):
        assert np.allclose(f.payoffs, e.payoffs * 1e6 + 1e12, rtol=1e-12)


def test_nashpy_game_with_a_large_penalty():
    # from Nashpy's tests: the middle row against each pure column (the column player is then indifferent)
    A = np.array([[-1, -1, -1], [0, 0, 0], [-1, -1, -10000]], dtype=float)
    result = solve_nash(Game.from_bimatrix(A, A))
    assert result.complete and result.degenerate
    assert _keys(result) == {(0.0, 1.0, 0.0, 1.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0, 1.0, 0.0),
                             (0.0, 1.0, 0.0, 0.0, 0.0, 1.0)}


@pytest.mark.parametrize("factor", [1e-300, 1e-12, 1.0, 1e200, 1e307])
def test_prisoners_dilemma_at_extreme_scales(factor):
    pd = Game.from_bimatrix(np.array([[3.0, 0], [5, 1]]) * factor, np.array([[3.0, 5], [0, 1]]) * factor)
    for method in ("vertex_enumeration", "support_enumeration", "lemke_howson", "pure"):
        result = solve_nash(pd, method=method)
        assert _keys(result) == {(0.0, 1.0, 0.0, 1.0)}, method


def test_largest_finite_payoffs_do_not_overflow():
    big = np.finfo(float).max
    game = Game.from_bimatrix([[big, -big], [-big, big]], [[-big, big], [big, -big]])  # matching pennies
    for method in ("vertex_enumeration", "support_enumeration", "lemke_howson"):
        result = solve_nash(game, method=method)
        assert _keys(result) == {(0.5, 0.5, 0.5, 0.5)}, method


@pytest.mark.parametrize("shift", [0.0, 1e12])
def test_support_enumeration_and_lemke_howson_on_shifted_games(shift):
    for P in _integer_games(8, 10):
        expected = _reference(Game(P))
        moved = Game(P + shift)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            supports = support_enumeration(moved)
        assert _keys(supports) <= expected and (supports.equilibria or not supports.complete)
        if supports.complete:
            assert _keys(supports) == expected
        paths = lemke_howson_all(moved)
        assert paths.equilibria and _keys(paths) <= expected


def test_logit_end_point_on_a_shifted_game():
    pytest.importorskip("rqe.solvers.qre")
    game = Game.from_bimatrix(np.array([[3.0, 0], [0, 2]]) + 1e12, np.array([[2.0, 0], [0, 3]]) + 1e12)
    result = solve_nash(game, method="logit")
    assert len(result.equilibria) == 1 and result.equilibria[0].residual <= 1e-9
    assert _keys(result) <= _reference(Game.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]]))


def test_von_stengel_75_equilibria():
    game = von_stengel_75()
    result = solve_nash(game)
    assert result.method == "vertex_enumeration" and result.complete and not result.degenerate
    assert len(result.equilibria) == 75
    assert all(e.residual <= 1e-9 for e in result.equilibria)
    # an independent count: exact support enumeration (the game is nondegenerate)
    supports = support_enumeration(game, exact=True)
    assert not supports.degenerate and _keys(supports) == _keys(result)


def test_von_stengel_75_equals_pygambit():
    pytest.importorskip("pygambit")
    game = von_stengel_75()
    assert _keys(solve_nash(game)) == gambit_extreme_equilibria(game.payoffs[0], game.payoffs[1])


@pytest.mark.parametrize("n", range(1, 7))
def test_coordination_game_has_2_to_the_n_minus_1_equilibria(n):
    game = Game.from_bimatrix(np.eye(n), np.eye(n))
    result = solve_nash(game)
    assert result.complete and len(result.equilibria) == 2 ** n - 1
    # each equilibrium: both players uniform on the same non-empty subset
    for e in result.equilibria:
        x, y = e.strategies
        assert np.allclose(x, y) and np.allclose(x[x > 0], 1 / np.count_nonzero(x > 1e-12))


def test_exact_option_and_float_only_option():
    P = _integer_games(9, 1)[0]
    game = Game(P)
    exact = vertex_enumeration(game, exact=True)
    assert exact.exact and exact.complete and _keys(exact) == _reference(game)
    floating = vertex_enumeration(von_stengel_75(), exact=False)
    # floating point alone cannot decide some constraints of this game: it says so instead of claiming all
    assert not floating.exact and (floating.complete == (floating.doubt is None))
    assert floating.complete is False or len(floating.equilibria) == 75
    with pytest.raises(ProblemSizeError, match="max_bases"):
        vertex_enumeration(Game(np.zeros((2, 6, 6))), exact=True, max_bases=5)


def test_exact_basis_limit_falls_back_to_an_incomplete_float_answer():
    game = Game(np.zeros((2, 5, 5)))  # everything is a tie: very many feasible bases
    with pytest.warns(RuntimeWarning, match="max_bases"):
        result = vertex_enumeration(game, max_bases=10)
    assert not result.complete and not result.exact and len(result.equilibria) > 0


_entries = st.integers(-3, 3)


@settings(max_examples=25, deadline=None)
@given(data=st.data(), m=st.integers(1, 3), n=st.integers(1, 3),
       scale=st.sampled_from([1e-12, 1e-3, 0.7, 3.0, 1e6]), shift=st.sampled_from([0.0, -5.0, 1e3]))
def test_hypothesis_affine_invariance_and_relabelling(data, m, n, scale, shift):
    A = np.array(data.draw(st.lists(_entries, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    B = np.array(data.draw(st.lists(_entries, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    game = Game.from_bimatrix(A, B)
    expected = _reference(game)
    # a positive affine map of one player's payoffs (the other's unchanged) leaves the equilibria unchanged;
    # the shift is in units of the scale so that the map stays representable in floating point
    moved = solve_nash(Game.from_bimatrix(A * scale + shift * scale, B))
    assert _keys(moved) == expected and moved.complete
    # relabelling actions and swapping the players relabels the equilibria
    rows = data.draw(st.permutations(range(m)))
    cols = data.draw(st.permutations(range(n)))
    relabelled = game.permute_actions(0, rows).permute_actions(1, cols).permute_players([1, 0])
    back = set()
    for e in solve_nash(relabelled).equilibria:
        y, x = e.strategies  # after the swap, player 0 is the old column player
        back.add(tuple(np.round(np.concatenate([x[np.argsort(rows)], y[np.argsort(cols)]]), 6) + 0.0))
    assert back == expected


@settings(max_examples=15, deadline=None)
@given(data=st.data(), m=st.integers(2, 4), n=st.integers(2, 4))
def test_hypothesis_random_integer_games_equal_pygambit(data, m, n):
    pytest.importorskip("pygambit")
    A = np.array(data.draw(st.lists(_entries, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    B = np.array(data.draw(st.lists(_entries, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    result = solve_nash(Game.from_bimatrix(A * 1e-6, B + 1e9))
    assert result.complete and _keys(result) == gambit_extreme_equilibria(A, B)


def test_cli_solves_a_game_with_payoffs_of_1e250(tmp_path):
    # the process used to die in Qhull (exit 139) on payoffs of 1e200 and above
    path = tmp_path / "big.nfg"
    path.write_text('NFG 1 R "big" { "1" "2" } { 2 2 }\n3e250 3e250 0 5e250 5e250 0 1e250 1e250\n')
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "rqe", "solve", str(path), "--json"], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["results"][0]
    assert [e["profile"] for e in result["equilibria"]] == [[[1.0, 0.0], [1.0, 0.0]]]
    assert list(result["equilibria"][0]["payoffs"].values()) == [3e250, 3e250]


def _gambit_catalogue_games(two_players: bool = True):
    """The two-player (or 3+-player) games of the catalogue shipped with pygambit (read at test time, never
    copied here)."""
    gbt = pytest.importorskip("pygambit")
    root = Path(gbt.__file__).resolve().parent / "catalog_data"
    games = []
    for path in sorted(root.rglob("*.nfg")) + sorted(root.rglob("*.efg")):
        try:
            game = gbt.read_nfg(str(path)) if path.suffix == ".nfg" else gbt.read_efg(str(path))
            if (len(game.players) == 2) == two_players:
                games.append((path.name, [np.array(a, dtype=object) for a in game.to_arrays()]))
        except Exception:  # a file this pygambit cannot read or reduce: not a test of rqe
            continue
    if not games:
        pytest.skip("this pygambit has no readable catalogue")
    return gbt, games


def test_default_solver_equals_pygambit_enummixed_on_gambits_catalogue():
    gbt, games = _gambit_catalogue_games()
    for name, arrays in games:
        A, B = (np.array(a, dtype=float) for a in arrays)
        result = solve_nash(Game(np.stack([A, B])))
        theirs_game = strategic_game(gbt, *arrays)
        theirs = gambit_profiles(gbt.nash.enummixed_solve(theirs_game, rational=True), theirs_game)
        ours = [np.concatenate(e.strategies) for e in result.equilibria]
        assert len(ours) == len(theirs), name
        for profile in theirs:
            assert any(np.abs(x - np.concatenate(profile)).max() <= 1e-7 for x in ours), name
        assert result.complete, name


def test_global_newton_on_the_n_player_games_of_gambits_catalogue():
    _, games = _gambit_catalogue_games(two_players=False)
    for name, arrays in games:
        result = solve_nash(Game(np.stack([np.array(a, dtype=float) for a in arrays])), method="global_newton")
        assert result.converged and result.equilibria[0].residual <= 1e-9, name
