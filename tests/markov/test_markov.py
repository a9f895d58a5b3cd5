"""Markov games: model checks, stage certificates, backward induction, value iteration, Q-learning, cliff walk."""

import numpy as np
import pytest

import rqe
from rqe.errors import GameError, ParameterError
from rqe.markov import (
    MarkovGame,
    cliff_occupancy,
    cliff_walk,
    evaluate_policy,
    rqe_q_learning,
    rqe_value_iteration,
    solve_markov_rqe,
    stage_games,
)
from rqe.markov._stage import stage_rqe_batch
from rqe.solvers.rqe._kernels import _adversary, _bregman, response_into


def _gap(M, x, q, tau, eps):
    """One player's certificate ``eps KL(x || softmax(M p_x / eps))`` from the core's pieces (the stage bound)."""
    M, x, q = (np.ascontiguousarray(a, dtype=np.float64) for a in (M, x, q))
    p = np.empty(M.shape[1])
    _adversary(M, x, q, float(tau), p)
    r = np.empty(M.shape[0])
    response_into(M @ p, float(eps), 0, r)
    return eps * _bregman(x, r, 0)


def random_markov_game(rng, S=4, n=(2, 3), horizon=5, discount=1.0):
    P = rng.dirichlet(np.ones(S), size=(S, *n))
    R = rng.normal(size=(2, S, *n))
    return MarkovGame.from_dense(R, P, horizon=horizon, discount=discount)


def test_model_validation_and_dense_round_trip(rng):
    mg = random_markov_game(rng)
    P = mg.dense_transitions()
    assert np.allclose(P.sum(-1), 1)
    again = MarkovGame.from_dense(mg.rewards, P, horizon=5)
    assert np.allclose(again.dense_transitions(), P)
    with pytest.raises(GameError, match="sum to 1"):
        MarkovGame(mg.rewards, mg.next_state, mg.next_prob * 0.5, horizon=3)
    with pytest.raises(GameError, match="discount"):
        MarkovGame(mg.rewards, mg.next_state, mg.next_prob, horizon=None, discount=1.0)


def test_stage_solver_with_tau_zero_is_the_logit_qre(rng):
    games = rng.normal(size=(20, 2, 3, 3))
    eps = 0.5
    u = np.full((20, 3), 1 / 3)
    x1, x2, _, cert, _ = stage_rqe_batch(games, np.zeros(2), np.full(2, eps), u, u, 1e-13, 20000, 0.5)
    compared = 0
    for b in range(20):
        qre = rqe.solve_qre(rqe.Game(games[b]), 1 / eps)
        if qre.converged and cert[b] < 1e-10:
            compared += 1
            assert np.allclose(x1[b], qre.strategies[0], atol=1e-8)
            assert np.allclose(x2[b], qre.strategies[1], atol=1e-8)
    assert compared >= 15


def _true_gap_2x2(M, x, q, tau, eps):
    """max_y U^{tau,eps}(y, q) - U^{tau,eps}(x, q) by a fine grid over y in the 2-simplex."""
    def U(y):
        c = M.T @ y
        z = -tau * c
        m = z.max()
        return -(m + np.log(q @ np.exp(z - m))) / tau - eps * np.sum(y * np.log(np.clip(y, 1e-300, None)))
    grid = np.linspace(0, 1, 20001)
    best = max(U(np.array([t, 1 - t])) for t in grid[::10])
    t0 = grid[::10][np.argmax([U(np.array([t, 1 - t])) for t in grid[::10]])]
    fine = np.clip(np.linspace(t0 - 1e-3, t0 + 1e-3, 2001), 0, 1)
    best = max(best, max(U(np.array([t, 1 - t])) for t in fine))
    return best - U(x)


def test_stage_certificate_bounds_the_true_gap(rng):
    tau, eps = np.array([1.0, 2.0]), np.array([0.5, 0.3])
    G = rng.normal(size=(6, 2, 2, 2))
    u = np.full((6, 2), 0.5)
    x1, x2, _, cert, _ = stage_rqe_batch(G, tau, eps, u, u, 1e-13, 20000, 0.5)
    for b in range(6):
        M1, M2 = G[b, 0], G[b, 1].T
        assert cert[b] < 1e-10
        assert _true_gap_2x2(M1, x1[b], x2[b], tau[0], eps[0]) < 1e-8
        # away from the RQE the certificate is an upper bound on the true gap, and not a trivial one
        for t in (0.05, 0.5, 0.9):
            y1 = np.array([t, 1 - t])
            bound = _gap(M1, y1, x2[b], tau[0], eps[0])
            gap = _true_gap_2x2(M1, y1, x2[b], tau[0], eps[0])
            assert bound >= gap - 1e-9
            assert gap >= 0
        assert _gap(M2, x2[b], x1[b], tau[1], eps[1]) < 1e-10


def test_backward_induction_certificates_and_values(rng):
    mg = random_markov_game(rng, horizon=6)
    r = solve_markov_rqe(mg, tau=0.5, epsilon=1.0)
    assert r.converged and r.max_certificate < 1e-10
    assert r.certificates.shape == (6, mg.n_states)
    # the stored values are the stage values of the stage games built from the next step's values
    for h in (0, 3, 5):
        G = stage_games(mg, r.values[h + 1], "kl", [0.5, 0.5])
        _, _, v, c, _ = stage_rqe_batch(G, np.full(2, 0.5), np.full(2, 1.0), r.policies[0][h], r.policies[1][h],
                                        1e-13, 1, 1e-12)
        assert np.allclose(v.T, r.values[h], atol=1e-9)
    eq = r.equilibria[0]
    assert eq.residual < 1e-10


def test_risk_neutral_backward_induction_value_is_the_expected_return(rng):
    mg = random_markov_game(rng, horizon=5)
    r = solve_markov_rqe(mg, tau=0.0, epsilon=0.7, env_risk="none")
    assert r.converged
    ev = evaluate_policy(mg, r.policies)
    assert np.allclose(ev["returns"], r.values[0] @ mg.initial, atol=1e-10)
    # environment risk lowers the values
    r_kl = solve_markov_rqe(mg, tau=0.0, epsilon=0.7, env_risk="kl", tau_env=2.0)
    r_l1 = solve_markov_rqe(mg, tau=0.0, epsilon=0.7, env_risk="l1", tau_env=2.0)
    assert np.all(r_kl.values[0] <= r.values[0] + 1e-9)
    assert np.all(r_l1.values[0] <= r.values[0] + 1e-9)


def test_value_iteration_reports_contraction_and_reaches_fixed_point(rng):
    mg = random_markov_game(rng, horizon=None, discount=0.7)
    r = rqe_value_iteration(mg, tau=0.5, epsilon=1.0, tol=1e-10)
    assert r.converged
    assert r.contraction_modulus is not None and 0 < r.contraction_modulus < 1
    assert r.contraction_holds
    G = stage_games(mg, r.values, "kl", [0.5, 0.5])
    _, _, v, _, _ = stage_rqe_batch(G, np.full(2, 0.5), np.full(2, 1.0), r.policies[0], r.policies[1], 1e-14,
                                    20000, 0.5)
    assert np.abs(v.T - r.values).max() < 1e-8
    # Q-learning with a generative model approaches the same values
    q = rqe_q_learning(mg, tau=0.5, epsilon=1.0, n_sweeps=300, n_samples=64, rng=np.random.default_rng(0))
    assert np.abs(q.values - r.values).max() < 0.25
    with pytest.raises(ParameterError, match="rng"):
        rqe_q_learning(mg, tau=0.5, epsilon=1.0)


def test_cliff_walk_dynamics():
    mg = cliff_walk(size=4, horizon=10)
    info = mg.info
    n_pos = info["n_positions"]
    P = mg.next_prob.sum(-1)
    assert np.allclose(P, 1)
    # agent 1 alone at a far cell moves as intended with probability 0.9
    s = 5 * n_pos + info["done"]  # agent 1 at cell (1, 1), agent 2 done
    dense = mg.dense_transitions()[s, 3, 0].reshape(n_pos, n_pos)  # agent 1 goes right
    assert dense[6, info["done"]] == pytest.approx(0.9)
    # near the other agent (Chebyshev distance 1) the success probability drops to 0.5
    s = 5 * n_pos + 6
    dense = mg.dense_transitions()[s, 0, 3].reshape(n_pos, n_pos)  # agent 1 up, agent 2 right
    assert dense[1, 7] == pytest.approx(0.25)
    # falling: a cliff cell gives -2 and sends the agent back to its start
    cliff = info["cliff"][0]
    s = cliff * n_pos + info["done"]
    assert mg.rewards[0, s].min() == -2
    dense = mg.dense_transitions()[s, 0, 0].reshape(n_pos, n_pos)
    assert dense[info["starts"][0], info["done"]] == pytest.approx(1.0)


def test_cliff_walk_small_rqe_and_fall_counts():
    mg = cliff_walk(size=3, horizon=20)
    r = solve_markov_rqe(mg, tau=1.0, epsilon=0.2)
    assert r.max_certificate < 1e-10
    ev = evaluate_policy(mg, r.policies)
    falls = cliff_occupancy(mg, ev["occupancy"])
    assert falls.shape == (2,) and np.all(falls >= 0)
    assert np.isclose(ev["occupancy"].sum(), 20)


def test_stage_solvers_agree_and_log_barrier_runs(rng):
    mg = random_markov_game(rng, horizon=4)
    a = solve_markov_rqe(mg, tau=0.5, epsilon=1.0, stage_solver="rqe")
    b = solve_markov_rqe(mg, tau=0.5, epsilon=1.0, stage_solver="fixed_point")
    assert a.converged and b.converged
    assert np.allclose(a.values, b.values, atol=1e-9)
    assert np.allclose(a.policies[0], b.policies[0], atol=1e-8)
    c = solve_markov_rqe(mg, tau=0.5, epsilon=1.0, regularizer="log_barrier")
    assert c.converged and c.parameters["regularizer"] == "log_barrier"
    with pytest.raises(ParameterError, match="fixed_point"):
        solve_markov_rqe(mg, tau=0.5, epsilon=1.0, stage_solver="fixed_point", regularizer="log_barrier")
