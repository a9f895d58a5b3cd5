import numpy as np
import pytest

from rqe import Game, solve_nash
from rqe.errors import ParameterError, ProblemSizeError
from rqe.solvers.global_newton import global_newton
from rqe.solvers.vertex_enumeration import vertex_enumeration
from tests.solvers.nash_helpers import gambit_profiles, key_set, strategic_game

SHAPES = [(2, 2), (3, 3), (4, 4), (2, 2, 2), (3, 3, 3), (2, 3, 4), (2, 2, 2, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_reaches_a_certified_equilibrium_on_random_games(shape):
    rng = np.random.default_rng(sum(shape) * 10 + len(shape))
    for seed in range(3):
        game = Game(rng.random((len(shape), *shape)))
        result = global_newton(game, seed=seed)
        assert result.converged and len(result.equilibria) == 1, (shape, seed, result.end_lambda)
        assert result.equilibria[0].residual <= 1e-9
        if len(shape) == 2:  # nondegenerate: every equilibrium is extreme, so vertex enumeration lists it
            assert key_set(e.strategies for e in result.equilibria) <= key_set(
                e.strategies for e in vertex_enumeration(game).equilibria)


def test_mismatching_pennies_for_three_players():
    u = np.zeros((3, 2, 2, 2))
    for a in np.ndindex(2, 2, 2):
        u[(0, *a)] = float(a[0] == a[1])
        u[(1, *a)] = float(a[1] != a[2])
        u[(2, *a)] = float(a[2] == a[0])
    r = solve_nash(Game(u), method="global_newton")
    assert r.converged and r.method == "global_newton"
    assert key_set(e.strategies for e in r.equilibria) == {(0.5,) * 6}


@pytest.mark.parametrize("scale,shift", [(1e-12, 0.0), (1e6, 0.0), (1.0, 1e12)])
def test_scale_free(scale, shift):
    rng = np.random.default_rng(5)
    game = Game(rng.integers(0, 10, size=(3, 3, 2, 2)).astype(float) + rng.random((3, 3, 2, 2)))
    base = global_newton(game, seed=1)
    moved = global_newton(Game(game.payoffs * scale + shift), seed=1)
    assert base.converged and moved.converged
    assert key_set(e.strategies for e in moved.equilibria) == key_set(e.strategies for e in base.equilibria)


def _integer_games():
    rng = np.random.default_rng(3)
    return [rng.integers(0, 10, size=(len(shape), *shape)) for shape in [(2, 2, 2), (3, 2, 2), (2, 2, 2, 2)]]


@pytest.mark.parametrize("index", range(3))
def test_equilibrium_is_one_of_pygambits_enumpoly(index):
    gbt = pytest.importorskip("pygambit")
    P = _integer_games()[index]
    theirs = strategic_game(gbt, *list(P))
    expected = key_set(gambit_profiles(gbt.nash.enumpoly_solve(theirs), theirs), 5)
    ours = global_newton(Game(P.astype(float)))
    assert ours.converged and key_set((e.strategies for e in ours.equilibria), 5) <= expected


def test_step_limit_and_bad_input():
    game = Game(np.random.default_rng(0).random((3, 2, 2, 2)))
    r = global_newton(game, max_steps=1)
    assert not r.converged and r.equilibria == () and r.iterations == 1
    with pytest.raises(ParameterError):
        global_newton(game, max_steps=0)
    with pytest.raises(ProblemSizeError):
        global_newton(game, max_size=10)
    with pytest.raises(ParameterError):
        solve_nash(game, method="global_newton", init_label=0)
