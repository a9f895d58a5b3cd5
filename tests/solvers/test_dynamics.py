import numpy as np
import pytest

from rqe import Game
from rqe.errors import ParameterError, ProfileError
from rqe.solvers.correlated import incentive_matrix
from rqe.solvers.dynamics import _action_values, fictitious_play, regret_matching, replicator_dynamics


def test_action_values_kernel_matches_game():
    rng = np.random.default_rng(0)
    game = Game(rng.random((3, 2, 3, 4)))
    x = [rng.dirichlet(np.ones(n)) for n in game.shape]
    shape = np.array(game.shape)
    offsets = np.concatenate([[0], np.cumsum(shape)])
    out = np.empty(offsets[-1])
    _action_values(game.payoffs.reshape(3, -1), shape, offsets, np.concatenate(x), out)
    expected = np.concatenate(game.action_values(x))
    assert np.allclose(out, expected, atol=1e-14)


def test_fictitious_play_zero_sum_converges_and_trajectory_shape():
    rng = np.random.default_rng(1)
    game = Game.zero_sum(rng.normal(size=(3, 4)))
    r = fictitious_play(game, 4000, tol=0.05)
    assert [t.shape for t in r.trajectory] == [(4001, 3), (4001, 4)]
    assert np.allclose([t.sum(axis=1) for t in r.trajectory], 1.0)
    assert r.converged and r.equilibria[0].residual == r.gap
    # the gap shrinks along the run
    early = game.nash_gap([t[100] for t in r.trajectory])
    assert r.gap < early


def test_fictitious_play_potential_game_three_players():
    game = Game.identical_interest(np.random.default_rng(2).random((2, 3, 2)))
    r = fictitious_play(game, 500, tol=1e-2)
    assert r.converged


def test_regret_matching_sampled_joint_is_approximate_cce():
    rng = np.random.default_rng(3)
    game = Game(rng.random((2, 3, 3)))
    r = regret_matching(game, 20000, mode="sampled", rng=np.random.default_rng(4))
    G = incentive_matrix(game, "cce")
    assert (G @ r.joint.ravel()).max() < 0.02
    again = regret_matching(game, 20000, mode="sampled", rng=np.random.default_rng(4))
    assert np.array_equal(again.joint, r.joint)  # reproducible from the generator passed in


def test_regret_matching_expected_zero_sum():
    game = Game.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    r = regret_matching(game, 20000, init=([0.6, 0.2, 0.2], [0.2, 0.2, 0.6]))
    assert r.gap < 0.01 and r.joint is None


def test_replicator_stays_on_simplex_and_finds_strict_equilibrium():
    stag = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    r = replicator_dynamics(stag, 3000, dt=0.01, init=([0.8, 0.2], [0.8, 0.2]))
    assert np.allclose(r.final[0], [1, 0], atol=1e-6) and r.converged
    r = replicator_dynamics(stag, 3000, dt=0.01, init=([0.6, 0.4], [0.6, 0.4]))
    assert np.allclose(r.final[0], [0, 1], atol=1e-6)
    for t in r.trajectory:
        assert np.all(t >= 0) and np.allclose(t.sum(axis=1), 1.0)


def test_bad_input():
    game = Game(np.zeros((2, 2, 2)))
    with pytest.raises(ParameterError):
        fictitious_play(game, 0)
    with pytest.raises(ParameterError):
        regret_matching(game, 10, mode="fast")
    with pytest.raises(ParameterError):
        replicator_dynamics(game, 10, dt=-1.0)
    with pytest.raises(ProfileError):
        fictitious_play(game, 10, init=([0.5, 0.6], [1, 0]))
