import numpy as np
import pytest

from rqe import Game
from rqe.errors import GameError
from rqe.solvers.nash import solve_nash
from rqe.solvers.security import security_strategies
from rqe.solvers.zero_sum_lp import solve_zero_sum
from tests.solvers.nash_helpers import nashpy_equilibria


@pytest.mark.parametrize("m,n", [(2, 2), (2, 5), (3, 3), (4, 4), (5, 3), (6, 6)])
def test_value_equals_peers(m, n):
    import nashpy

    rng = np.random.default_rng(m * n)
    for _ in range(3):
        A = rng.normal(size=(m, n))
        game = Game.zero_sum(A)
        result = solve_zero_sum(game)
        x, y = result.strategies
        assert game.nash_gap((x, y)) < 1e-9
        # nashpy: every equilibrium of a zero-sum game gives the value
        for sx, sy in nashpy_equilibria(game):
            assert abs(sx @ A @ sy - result.value) < 1e-9
        # nashpy's linear-program solver for zero-sum games
        px, py = nashpy.Game(A).linear_program()
        assert abs(px @ A @ py - result.value) < 1e-9
        # security values are the value and minus the value
        sec = security_strategies(game)
        assert np.allclose(sec.values, [result.value, -result.value], atol=1e-9)


def test_constant_sum_and_known_value():
    # the value of a constant-sum game shifts with the constant; equilibria do not
    A = np.array([[10.0, 0.0], [9.0, 10.0]])
    game = Game.from_bimatrix(A, 18.0 - A)
    r = solve_nash(game, method="lp")
    x, y = r.equilibria[0].strategies
    assert np.allclose(x, [1 / 11, 10 / 11]) and np.allclose(y, [10 / 11, 1 / 11])
    assert abs(r.details["value"] - 100 / 11) < 1e-12


def test_not_zero_sum_is_refused():
    with pytest.raises(GameError, match="zero-sum"):
        solve_zero_sum(Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]))


def test_security_n_player_against_brute_force():
    rng = np.random.default_rng(5)
    game = Game(rng.normal(size=(3, 2, 3, 2)))
    r = security_strategies(game)
    for i in range(3):
        M = game.payoff_matrix(i)
        assert abs((M.T @ r.strategies[i]).min() - r.values[i]) < 1e-9
        # no mixed strategy on a fine grid guarantees more
        if M.shape[0] == 2:
            grid = np.linspace(0, 1, 2001)
            best = max((M.T @ np.array([t, 1 - t])).min() for t in grid)
            assert best <= r.values[i] + 1e-9


@pytest.mark.parametrize("scale,shift", [(1e-12, 0.0), (1e9, 0.0), (1.0, 1e12)])
def test_zero_sum_and_security_at_extreme_scales(scale, shift):
    rps = np.array([[0.0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    game = Game.zero_sum(rps * scale + shift) if shift == 0 else Game.from_bimatrix(rps + shift, -rps + shift)
    r = solve_zero_sum(game)
    assert np.allclose(r.strategies[0], 1 / 3, atol=1e-9) and r.residual <= 1e-9
    assert abs(r.value - shift) <= 1e-9 * scale
    sec = security_strategies(game)
    assert np.allclose(sec.values, [shift, shift], atol=1e-9 * scale)
    assert sec.equilibria and sec.residual <= 1e-9 and sec.converged


def test_result_contract():
    game = Game.zero_sum([[1, -1], [-1, 1]])
    for r in (solve_zero_sum(game), security_strategies(game)):
        for name in ("equilibria", "converged", "method", "parameters", "residual", "iterations"):
            assert hasattr(r, name), (type(r).__name__, name)
        assert len(r.equilibria) == 1
