"""Grid and ensemble sweeps give the same numbers serially and in a process pool."""

import numpy as np
import pytest

from rqe.analysis.free_riding import max_free_riding
from rqe.analysis.quadratic import QuadraticGame
from rqe.analysis.sweeps import ensemble_sweep, grid_sweep, parallel_map


def _largest_free_riding(game, result):
    return max_free_riding(game, result)


def _tau_max(game):
    return game.tau_max(0.5)


def test_grid_sweep_free_riding_over_tau_and_epsilon():
    pytest.importorskip("rqe.solvers.rqe")
    import rqe

    game = rqe.library.get("collaborate_defect")
    taus, epsilons = [0.1, 5.0, 300.0], [0.2, 1.0]
    serial = grid_sweep(game, taus, epsilons, _largest_free_riding, backend="serial", n_starts=6, rng=0)
    pooled = grid_sweep(game, taus, epsilons, _largest_free_riding, backend="local", workers=2, n_starts=6, rng=0)
    assert serial.shape == (3, 2) and serial.dtype == np.float64
    np.testing.assert_allclose(serial, pooled, atol=1e-12)
    # free-riding RQE at small tau and eps = 0.2 (Example 4.2), none once tau is large
    assert serial[0, 0] > 0.2 and serial[2, 0] < 1e-9


def test_ensemble_sweep_is_backend_independent():
    serial = ensemble_sweep(QuadraticGame.random, _tau_max, 6, seed=3, backend="serial")
    pooled = ensemble_sweep(QuadraticGame.random, _tau_max, 6, seed=3, backend="local", workers=2)
    assert serial == pooled and len(set(serial)) == 6


def test_bad_backend_and_workers():
    with pytest.raises(Exception, match="backend"):
        parallel_map(abs, [1], backend="cluster")
    with pytest.raises(Exception, match="workers"):
        parallel_map(abs, [1], workers=0)
