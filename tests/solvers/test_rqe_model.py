"""The RQE stationarity system: its Jacobian against finite differences, for every penalty/regulariser pair."""

import numpy as np
import pytest

from rqe import Game
from rqe.risk import PhiDivergence
from rqe.solvers.rqe.system import prepare as _prepare

HELLINGER = PhiDivergence(lambda r: (np.sqrt(r) - 1) ** 2, lambda r: 1 - 1 / np.sqrt(r), lambda r: 0.5 * r ** -1.5,
                          "hellinger")


@pytest.mark.parametrize("tau", [0.0, 0.7])
@pytest.mark.parametrize("penalty,regularizer", [("kl", "entropy"), ("kl", "log_barrier"),
                                                 ("reverse_kl", "entropy"), (HELLINGER, "log_barrier")])
def test_jacobian_matches_finite_differences(tau, penalty, regularizer):
    rng = np.random.default_rng(5)
    game = Game(rng.uniform(size=(3, 2, 3, 2)))
    model = _prepare(game, tau, 0.8, penalty, regularizer)
    # an unnormalised point: Newton iterates are not on the simplices
    w = np.concatenate([np.log(rng.dirichlet(np.ones(n)) * 1.3) for n in game.shape] + [rng.normal(size=3)])
    _, J = model.system(w)
    h = 1e-6
    numeric = np.empty_like(J)
    for k in range(w.size):
        e = np.zeros_like(w)
        e[k] = h
        numeric[:, k] = (model.system(w + e, False)[0] - model.system(w - e, False)[0]) / (2 * h)
    assert np.abs(J - numeric).max() < 1e-7
