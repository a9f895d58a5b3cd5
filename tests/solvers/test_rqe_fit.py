"""fit_rqe: maximum-likelihood (tau_i, eps_i) from observed play (docs/rqe-math.md section 9)."""

import numpy as np
import pytest

from rqe.errors import ParameterError
from rqe.solvers.rqe import fit_rqe, solve_rqe
from tests.solvers.lab_games import LAB_GAMES, lab_game


def _observed(name):
    u, l = LAB_GAMES[name]["observed"]
    return [u, 1 - u], [l, 1 - l]


@pytest.mark.parametrize("name", sorted(LAB_GAMES))
def test_lab_play_is_fitted_inside_the_tractable_region(name):
    fit = fit_rqe(lab_game(name), _observed(name), penalty="kl", regularizer="log_barrier", tractable=True)
    assert fit.converged
    assert fit.kl_divergence < 1e-8
    assert fit.tractable.tractable and fit.tractable.margin >= -1e-9
    assert np.prod(fit.tau * fit.epsilon) >= 1 - 1e-9
    # the reported prediction is a certified RQE at the fitted parameters
    check = solve_rqe(lab_game(name), fit.tau, fit.epsilon, regularizer="log_barrier")
    assert check.strategies.allclose(fit.predicted, atol=1e-9)
    assert abs(fit.predicted[0][0] - LAB_GAMES[name]["observed"][0]) < 1e-4


def test_recovers_shared_parameters_from_synthetic_play():
    game = lab_game("sc4")
    truth = solve_rqe(game, tau=0.3, epsilon=1.5, regularizer="entropy")
    counts = [1000 * x for x in truth.strategies]
    fit = fit_rqe(game, counts, regularizer="entropy", shared=True, starts=[(0.1, 1.0), (1.0, 3.0)])
    assert fit.kl_divergence < 1e-10
    assert fit.tau[0] == pytest.approx(0.3, rel=1e-3) and fit.epsilon[0] == pytest.approx(1.5, rel=1e-3)
    assert fit.tau[0] == fit.tau[1]


def test_fit_bad_inputs():
    game = lab_game("sc2")
    with pytest.raises(ParameterError):
        fit_rqe(game, ([0.5, 0.5],))
    with pytest.raises(ParameterError):
        fit_rqe(game, ([0.5, 0.5, 0.0], [0.5, 0.5]))
    with pytest.raises(ParameterError):
        fit_rqe(game, ([-1.0, 2.0], [0.5, 0.5]))
    with pytest.raises(ParameterError):
        fit_rqe(game, _observed("sc2"), regularizer="entropy", tractable=True)
