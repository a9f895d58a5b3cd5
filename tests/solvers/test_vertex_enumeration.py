import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

from rqe import Game
from rqe.errors import GameError, ProblemSizeError
from rqe.solvers.support_enumeration import support_enumeration
from rqe.solvers.vertex_enumeration import max_vertices, polytope_vertices, vertex_enumeration
from tests.solvers.nash_helpers import exact_extreme_equilibria, key_set, quantecon_game, random_game


@pytest.mark.parametrize("m,n", [(2, 2), (2, 4), (3, 3), (4, 3), (4, 4), (5, 5), (6, 6), (8, 8)])
def test_nondegenerate_equal_support_enumeration(m, n):
    rng = np.random.default_rng(31 * m + n)
    for _ in range(3):
        game = random_game(rng, m, n, degenerate=False)
        result = vertex_enumeration(game)
        assert result.complete and not result.degenerate
        assert all(e.residual < 1e-9 for e in result.equilibria)
        assert key_set(e.strategies for e in result.equilibria) == key_set(
            e.strategies for e in support_enumeration(game, exact=m * n <= 16).equilibria)


@pytest.mark.parametrize("m,n", [(2, 2), (2, 3), (3, 2), (3, 3), (3, 4), (4, 4)])
@pytest.mark.parametrize("seed", range(5))
def test_degenerate_equal_exact_brute_force(m, n, seed):
    rng = np.random.default_rng(100 * seed + 10 * m + n)
    game = random_game(rng, m, n, degenerate=True)
    result = vertex_enumeration(game)
    assert result.complete
    assert all(e.residual < 1e-9 for e in result.equilibria)
    expected = {tuple(round(float(v), 6) + 0.0 for v in eq) for eq in exact_extreme_equilibria(game)}
    assert key_set(e.strategies for e in result.equilibria) == expected
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        supp = support_enumeration(game)
    assert key_set(e.strategies for e in supp.equilibria) <= expected


def test_degenerate_known_games():
    # a continuum of equilibria: the column player is indifferent everywhere
    g = Game.from_bimatrix([[1, 0], [0, 1]], [[1, 1], [1, 1]])
    r = vertex_enumeration(g)
    assert r.degenerate and len(r.equilibria) == 4
    # von Stengel's degenerate 3x2 example: a segment of equilibria with endpoints found as vertices
    g = Game.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    found = key_set([e.strategies for e in vertex_enumeration(g).equilibria], digits=6)
    assert (1.0, 0.0, 0.0, 1.0, 0.0) in found and (1.0, 0.0, 0.0, round(2 / 3, 6), round(1 / 3, 6)) in found


def test_all_zero_game_has_all_pure_profiles_as_extreme_equilibria():
    r = vertex_enumeration(Game(np.zeros((2, 3, 2))))
    assert len(r.equilibria) == 6 and r.degenerate


def test_one_action_players():
    g = Game(np.random.default_rng(0).random((2, 1, 4)))
    r = vertex_enumeration(g)
    assert len(r.equilibria) == 1 and r.equilibria[0].strategies[1].argmax() == g.payoffs[1, 0].argmax()


def test_polytope_vertices_square():
    G = np.vstack([-np.eye(2), np.eye(2)])
    h = np.array([0.0, 0.0, 1.0, 1.0])
    V, tight, ambiguous = polytope_vertices(G, h, np.array([0.5, 0.5]))
    assert key_set([[v] for v in V]) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    assert tight.sum(axis=1).tolist() == [2, 2, 2, 2] and not ambiguous


def test_size_guard_and_bad_input():
    assert max_vertices(3, 6) == 8  # the cube
    with pytest.raises(ProblemSizeError, match="vertices"):
        vertex_enumeration(Game(np.zeros((2, 30, 30))))
    with pytest.raises(GameError):
        vertex_enumeration(Game(np.zeros((3, 2, 2, 2))))


def test_equal_quantecon_vertex_enumeration():
    from quantecon.game_theory import vertex_enumeration as qe_vertex_enumeration

    for m, n in [(2, 2), (3, 3), (4, 5), (6, 6), (8, 8)]:
        rng = np.random.default_rng(m * n)
        for _ in range(3):
            game = random_game(rng, m, n, degenerate=False)
            assert key_set(e.strategies for e in vertex_enumeration(game).equilibria) == key_set(
                qe_vertex_enumeration(quantecon_game(game)))


@given(data=st.data(), m=st.integers(1, 3), n=st.integers(1, 3))
def test_hypothesis_small_integer_games_equal_exact_brute_force(data, m, n):
    entries = st.integers(-2, 2)
    A = np.array(data.draw(st.lists(entries, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    B = np.array(data.draw(st.lists(entries, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    game = Game.from_bimatrix(A, B)
    result = vertex_enumeration(game)
    expected = {tuple(round(float(v), 6) + 0.0 for v in eq) for eq in exact_extreme_equilibria(game)}
    assert key_set(e.strategies for e in result.equilibria) == expected
    assert result.complete and all(e.residual < 1e-9 for e in result.equilibria)
    # relabelling the row player's actions relabels the equilibria
    order = data.draw(st.permutations(range(m)))
    moved = vertex_enumeration(game.permute_actions(0, order))
    assert key_set((np.asarray(e.strategies[0])[np.argsort(order)], e.strategies[1]) for e in moved.equilibria) \
        == expected


def test_10x10_game_where_nashpy_misses_two_equilibria():
    # the benchmark's 10x10 game: support enumeration, vertex enumeration (and QuantEcon) find 21 equilibria,
    # nashpy 0.0.43's support enumeration returns 19 of them
    rng = np.random.default_rng(2010)
    game = Game(rng.random((2, 10, 10)))
    vertices = vertex_enumeration(game)
    supports = support_enumeration(game)
    assert len(vertices.equilibria) == len(supports.equilibria) == 21
    assert key_set(e.strategies for e in vertices.equilibria) == key_set(e.strategies for e in supports.equilibria)
    assert max(e.residual for e in vertices.equilibria) < 1e-12
