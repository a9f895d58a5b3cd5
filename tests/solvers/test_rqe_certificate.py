"""Regression tests of the RQE certificate (``docs/rqe-math.md`` section 4) on hard, small-eps games.

The certificate ``max_i [max_y U_i^{tau,eps}(y, x_{-i}) - U_i^{tau,eps}(x_i, x_{-i})]`` must never report a
profile far from an RQE as converged. Here the best-response value is recomputed independently (a simplex
grid plus Nelder-Mead in logits from three starts, from the definitions alone), and for KL + negative
entropy the solver's residual must also be an upper bound of that independent gap (it is a dual bound).
"""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import logsumexp

from rqe import Game
from rqe.solvers.rqe import rqe_residual, solve_rqe, solve_rqe_batch

GRID = np.array([(a, b, 1.0 - a - b) for a in np.linspace(0, 1, 41) for b in np.linspace(0, 1, 41)
                 if a + b <= 1.0 + 1e-12])
GRID = np.maximum(GRID, 0.0)


def risk_averse_value(M, y, q, tau, eps):
    """``-(1/tau) log sum_k q_k exp(-tau (M^T y)_k) - eps sum_a y_a log y_a`` (``0 log 0 = 0``)."""
    v = M.T @ y
    with np.errstate(divide="ignore"):
        lq = np.log(q)
    val = -logsumexp(lq - tau * v) / tau
    yy = y[y > 0]
    return val - eps * float(np.sum(yy * np.log(yy)))


def grid_values(M, q, tau, eps):
    """``risk_averse_value`` at every point of ``GRID`` at once."""
    V = GRID @ M
    with np.errstate(divide="ignore"):
        lq = np.log(q)
        ent = np.where(GRID > 0, GRID * np.log(np.where(GRID > 0, GRID, 1.0)), 0.0).sum(axis=1)
    return -logsumexp(lq[None, :] - tau * V, axis=1) / tau - eps * ent


def independent_gap(game, xs, tau, eps):
    """The largest best-response gain of the two players, maximised without the solver's code."""
    gaps = []
    for i in range(2):
        M = game.payoff_matrix(i)
        q, x = np.asarray(xs[1 - i], float), np.asarray(xs[i], float)
        f_x = risk_averse_value(M, x, q, tau, eps)
        values = grid_values(M, q, tau, eps)
        best = float(values.max())
        n = M.shape[0]

        def neg(z):
            return -risk_averse_value(M, np.exp(z - logsumexp(z)), q, tau, eps)

        starts = [np.zeros(n), np.log(np.maximum(x, 1e-300)), np.log(GRID[np.argmax(values)] + 1e-300)]
        for z0 in starts:
            r = minimize(neg, z0, method="Nelder-Mead", options=dict(xatol=1e-10, fatol=1e-14, maxiter=2000))
            best = max(best, -r.fun)
        gaps.append(best - f_x)
    return max(gaps)


def _repro_game():
    return Game(np.random.default_rng(3).normal(size=(2, 3, 3)))


def test_reported_false_pass_profile_has_its_true_gap():
    game = _repro_game()
    xs = ([1.9e-170, 1e-50, 1.0], [3.5e-271, 1.0, 2.1e-292])
    true = independent_gap(game, [np.array(x) for x in xs], 1e3, 1e-3)
    assert true > 1.0
    res = rqe_residual(game, xs, 1e3, 1e-3)
    assert res >= true - 1e-9
    assert res == pytest.approx(true, rel=1e-6)


@pytest.mark.parametrize("scale, tau, eps", [(1.0, 1e3, 1e-3), (1e6, 1.0, 0.3)])
def test_hard_games_are_never_false_passes(scale, tau, eps):
    game = Game(np.random.default_rng(3).normal(size=(2, 3, 3)) * scale)
    for result in (solve_rqe(game, tau, eps),):
        true = independent_gap(game, list(result.strategies), tau, eps)
        assert result.residual >= true - 1e-9 * scale
        if result.converged:
            assert true < 1e-8 * scale
        else:
            assert result.residual >= 0  # reported, not NaN
    batch = solve_rqe_batch(game.payoffs[None], tau, eps, fallback=False)
    xs = [batch.strategies[0][0], batch.strategies[1][0]]
    true = independent_gap(game, xs, tau, eps)
    assert batch.residuals[0] >= true - 1e-9 * scale
    assert (not batch.converged[0]) or true < 1e-8 * scale


@pytest.mark.parametrize("tau", [0.1, 1.0, 10.0])
def test_small_eps_sweep_converged_means_small_true_gap(tau):
    eps = 1e-3
    stack = np.stack([np.random.default_rng(100 + seed).normal(size=(2, 3, 3)) for seed in range(30)])
    batch = solve_rqe_batch(stack, tau, eps, fallback=False)
    for b in range(stack.shape[0]):
        game = Game(stack[b])
        xs = [batch.strategies[0][b], batch.strategies[1][b]]
        true = independent_gap(game, xs, tau, eps)
        assert batch.residuals[b] >= true - 1e-9, (b, batch.residuals[b], true)
        if batch.converged[b]:
            assert true < 1e-8, (b, true)
        else:
            assert batch.residuals[b] >= 0  # reported, not NaN
    # the exact solver on a sixth of the games
    for b in range(0, stack.shape[0], 6):
        game = Game(stack[b])
        r = solve_rqe(game, tau, eps)
        true = independent_gap(game, list(r.strategies), tau, eps)
        assert r.residual >= true - 1e-9
        if r.converged:
            assert true < 1e-8, (b, true)
        else:
            assert r.residual >= 0  # reported, not NaN
