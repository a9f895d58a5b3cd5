import itertools

import numpy as np
import pytest

from rqe import Game
from rqe.errors import ParameterError, ProblemSizeError
from rqe.solvers.correlated import incentive_matrix, solve_correlated
from rqe.solvers.nash import solve_nash

pytest.importorskip("cvxpy")


def brute_force_violation(game: Game, p: np.ndarray, kind: str) -> float:
    """Largest incentive-constraint left-hand side, by explicit loops over players, actions and deviations."""
    worst = -np.inf
    for i, n_i in enumerate(game.shape):
        recommended = range(n_i) if kind == "ce" else [None]
        for a in recommended:
            for b in range(n_i):
                total = 0.0
                for prof in itertools.product(*(range(n) for n in game.shape)):
                    if a is not None and prof[i] != a:
                        continue
                    dev = list(prof)
                    dev[i] = b
                    total += p[prof] * (game.payoffs[(i, *dev)] - game.payoffs[(i, *prof)])
                worst = max(worst, total)
    return worst


@pytest.mark.parametrize("shape", [(2, 2, 2), (2, 3, 3), (2, 4, 5), (2, 6, 6), (3, 2, 2, 2), (3, 2, 3, 2)])
def test_incentive_constraints_and_welfare_dominates_nash(shape):
    rng = np.random.default_rng(sum(shape) * len(shape))
    for _ in range(2):
        game = Game(rng.integers(-3, 6, size=shape).astype(float) if _ else rng.random(shape))
        ce = solve_correlated(game, kind="ce")
        cce = solve_correlated(game, kind="cce")
        for r, kind in ((ce, "ce"), (cce, "cce")):
            assert r.converged
            assert np.all(r.distribution >= 0) and abs(r.distribution.sum() - 1) < 1e-12
            assert brute_force_violation(game, r.distribution, kind) <= 1e-9
            assert r.incentive_violation <= 1e-9
            expected = np.array([(game.payoffs[i] * r.distribution).sum() for i in range(game.n_players)])
            assert np.allclose(r.payoffs, expected) and abs(r.welfare - expected.sum()) < 1e-12
        assert cce.welfare >= ce.welfare - 1e-9  # every CE is a CCE
        nash = solve_nash(game)  # 2 players: all extreme equilibria; N players: pure ones
        for e in nash.equilibria:
            assert ce.welfare >= e.welfare - 1e-9


def test_egalitarian_weights_and_custom_objectives():
    import cvxpy as cp

    chicken = Game.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    egal = solve_correlated(chicken, objective="egalitarian")
    assert abs(min(egal.payoffs) - 5.25) < 1e-7 and egal.objective == "egalitarian"
    # weights: maximise the probability of (Dare, Chicken)
    weights = np.array([[0, 0], [1, 0]])
    r = solve_correlated(chicken, objective=weights)
    assert abs(r.distribution[1, 0] - 1.0) < 1e-9
    # a callable: maximise player 1's expected utility
    def row_player(p, game):
        return game.payoffs[0].ravel() @ p

    r = solve_correlated(chicken, objective=row_player)
    assert abs(r.payoffs[0] - 7.0) < 1e-7 and r.objective == "row_player"
    # a concave non-linear objective (entropy): the answer must still satisfy the constraints
    r = solve_correlated(chicken, objective=lambda p, game: cp.sum(cp.entr(p)), solver="CLARABEL")
    assert brute_force_violation(chicken, r.distribution, "ce") <= 1e-7


def test_known_chicken_ce():
    chicken = Game.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    r = solve_correlated(chicken)
    assert np.allclose(r.distribution, [[0.5, 0.25], [0.25, 0.0]], atol=1e-9)
    assert abs(r.welfare - 10.5) < 1e-9


def test_incentive_matrix_rows():
    game = Game(np.random.default_rng(0).random((3, 2, 3, 4)))
    assert incentive_matrix(game, "ce").shape == (2 * 1 + 3 * 2 + 4 * 3, 24)
    assert incentive_matrix(game, "cce").shape == (2 + 3 + 4, 24)


def test_bad_input():
    game = Game(np.zeros((2, 2, 2)))
    with pytest.raises(ParameterError, match="kind"):
        solve_correlated(game, kind="nash")
    with pytest.raises(ParameterError, match="objective"):
        solve_correlated(game, objective="utilitarianism")
    with pytest.raises(ParameterError, match="shape"):
        solve_correlated(game, objective=np.ones(3))
    with pytest.raises(ProblemSizeError, match="constraint coefficients"):
        solve_correlated(game, max_size=1)


@pytest.mark.parametrize("scale,shift", [(1e-12, 0.0), (1e9, 0.0), (1.0, 1e12)])
def test_correlated_at_extreme_scales(scale, shift):
    pytest.importorskip("cvxpy")
    chicken = np.array([[[6.0, 2], [7, 0]], [[6.0, 7], [2, 0]]])
    base = solve_correlated(Game(chicken))
    moved = solve_correlated(Game(chicken * scale + shift))
    assert np.allclose(moved.distribution, base.distribution, atol=1e-6)
    assert moved.equilibria[0].residual <= 1e-7
    assert np.isclose(moved.welfare, base.welfare * scale + 2 * shift, rtol=1e-9)


def test_correlated_result_contract():
    pytest.importorskip("cvxpy")
    r = solve_correlated(Game.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]]))
    for name in ("equilibria", "converged", "method", "parameters", "residual", "iterations"):
        assert hasattr(r, name), name
    (e,) = r.equilibria
    assert np.allclose(e.strategies[0], r.distribution.sum(axis=1)) and np.allclose(e.payoffs, r.payoffs)
    assert e.extra["distribution"] is r.distribution
