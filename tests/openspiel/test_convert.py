"""Conversion between rqe.Game and OpenSpiel matrix/tensor games: exact round trips, names kept."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

pyspiel = pytest.importorskip("pyspiel")

from rqe import Game  # noqa: E402
from rqe.errors import GameError, ParameterError  # noqa: E402
from rqe.openspiel import from_pyspiel, load_game_spec, to_pyspiel  # noqa: E402


def test_matrix_sh_matches_openspiel_utilities():
    ps_game = pyspiel.load_matrix_game("matrix_sh")
    g = from_pyspiel(ps_game)
    assert np.array_equal(g.payoffs[0], ps_game.row_utilities())
    assert np.array_equal(g.payoffs[1], ps_game.col_utilities())
    assert g.title == "Stag Hunt"
    assert g.action_names == (("Stag", "Hare"), ("Stag", "Hare"))
    # load_game("matrix_sh") gives the same game
    assert np.array_equal(from_pyspiel(pyspiel.load_game("matrix_sh")).payoffs, g.payoffs)


@pytest.mark.parametrize("name", ["matrix_rps", "matrix_pd", "matrix_bos", "matrix_shapleys_game"])
def test_round_trip_of_openspiel_games_is_exact(name):
    g = from_pyspiel(name)
    back = to_pyspiel(g)
    again = from_pyspiel(back)
    assert np.array_equal(again.payoffs, g.payoffs)
    assert again.action_names == g.action_names and again.title == g.title


@given(st.integers(2, 4), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_round_trip_random_games_bit_exact(n_players, n_a, n_b, seed):
    rng = np.random.default_rng(seed)
    shape = (n_a, n_b, 2, 3)[:n_players]
    payoffs = rng.normal(size=(n_players, *shape)) * 10.0 ** rng.integers(-8, 8)
    names = [[f"p{i}a{k}" for k in range(n)] for i, n in enumerate(shape)]
    g = Game(payoffs, title="Random game", action_names=names)
    ps_game = to_pyspiel(g)
    assert type(ps_game).__name__ == ("MatrixGame" if n_players == 2 else "TensorGame")
    back = from_pyspiel(ps_game)
    assert np.array_equal(back.payoffs, g.payoffs)  # bit for bit
    assert back.action_names == g.action_names and back.title == g.title


def test_tensor_game_three_players():
    rng = np.random.default_rng(3)
    u = rng.normal(size=(3, 2, 3, 2))
    ps_game = pyspiel.create_tensor_game("t", "Three", [["a", "b"], ["c", "d", "e"], ["f", "g"]],
                                         [list(u[i].ravel()) for i in range(3)])
    g = from_pyspiel(ps_game)
    assert np.array_equal(g.payoffs, u)
    assert g.action_names[1] == ("c", "d", "e")
    assert ps_game.player_utility(2, [1, 2, 0]) == g.payoffs[2, 1, 2, 0]


def test_sequential_game_is_refused_with_hint():
    with pytest.raises(GameError, match="reduced_normal_form"):
        from_pyspiel("kuhn_poker")


def test_load_game_spec():
    assert np.array_equal(load_game_spec("openspiel:matrix_pd").payoffs, from_pyspiel("matrix_pd").payoffs)
    assert load_game_spec("openspiel:kuhn_poker").shape == (27, 64)
    with pytest.raises(ParameterError, match="cannot load"):
        load_game_spec("openspiel:no_such_game")
