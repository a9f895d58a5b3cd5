import numpy as np
import pytest
from hypothesis import given, strategies as st

from rqe import Game
from rqe.errors import GameError, ProblemSizeError
from rqe.solvers.nash import solve_nash
from rqe.solvers.nash_pure import pure_nash_profiles
from tests.solvers.nash_helpers import brute_force_pure


@pytest.mark.parametrize("shape", [(3, 2, 2, 2), (3, 3, 2, 4), (4, 2, 3, 2, 2), (4, 3, 3, 3, 3)])
@pytest.mark.parametrize("seed", range(6))
def test_pure_equilibria_equal_brute_force(shape, seed):
    rng = np.random.default_rng(seed)
    # small integer payoffs: many ties, many equilibria (weak ones included)
    payoffs = rng.integers(0, 3, size=shape).astype(float) if seed % 2 else rng.random(shape)
    game = Game(payoffs)
    found = {tuple(int(a) for a in row) for row in pure_nash_profiles(game)}
    assert found == brute_force_pure(game)
    result = solve_nash(game, method="pure")
    assert len(result.equilibria) == len(found)
    assert all(e.residual == 0.0 for e in result.equilibria)


def test_known_games():
    pd = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    assert pure_nash_profiles(pd).tolist() == [[1, 1]]
    mp = Game.zero_sum([[1, -1], [-1, 1]])
    assert pure_nash_profiles(mp).shape == (0, 2)
    assert solve_nash(mp, method="pure").equilibria == ()


def test_one_player_game():
    game = Game([[1.0, 3.0, 3.0]])
    assert pure_nash_profiles(game).tolist() == [[1], [2]]


def test_size_guard_before_allocation():
    game = Game(np.zeros((3, 4, 4, 4)))
    with pytest.raises(ProblemSizeError, match="64"):
        pure_nash_profiles(game, max_size=10)


def test_bad_input():
    with pytest.raises(GameError):
        pure_nash_profiles(np.zeros((2, 2, 2)))
    with pytest.raises(GameError, match="finite"):
        Game(np.array([[[np.nan, 0], [0, 0]], [[0, 0], [0, 0]]]))
    with pytest.raises(ValueError):
        pure_nash_profiles(Game(np.zeros((2, 2, 2))), atol=-1)


@given(seed=st.integers(0, 2**31), n_players=st.integers(2, 4), scale=st.floats(0.1, 10), shift=st.floats(-5, 5))
def test_invariant_to_relabelling_and_affine_transformations(seed, n_players, scale, shift):
    rng = np.random.default_rng(seed)
    shape = tuple(int(k) for k in rng.integers(1, 4, size=n_players))
    game = Game(rng.integers(0, 3, size=(n_players, *shape)).astype(float))
    base = {tuple(r) for r in pure_nash_profiles(game).tolist()}
    # positive affine transformation of one player's payoffs
    payoffs = game.payoffs.copy()
    payoffs[0] = scale * payoffs[0] + shift
    assert {tuple(r) for r in pure_nash_profiles(Game(payoffs), atol=1e-9).tolist()} == base
    # permuting player 0's actions permutes the equilibria
    order = rng.permutation(shape[0])
    inverse = np.argsort(order)
    moved = {tuple(r) for r in pure_nash_profiles(game.permute_actions(0, order)).tolist()}
    assert moved == {(int(inverse[a[0]]), *a[1:]) for a in base}
    # permuting players permutes the coordinates
    perm = [int(k) for k in rng.permutation(n_players)]
    swapped = {tuple(r) for r in pure_nash_profiles(game.permute_players(perm)).tolist()}
    assert swapped == {tuple(a[perm[k]] for k in range(n_players)) for a in base}
