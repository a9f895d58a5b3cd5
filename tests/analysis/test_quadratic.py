"""Quadratic aggregative games: Example 4.1 in closed form, the lemma's consequences, the domain, Theorem 4.1."""

import numpy as np
import pytest
from scipy.optimize import minimize

from rqe.analysis.quadratic import (
    QuadraticGame,
    example_4_1,
    example_4_1_mean,
    example_4_1_reward,
    example_4_1_utility,
)
from rqe.analysis.theorems import check_theorem_4_1
from rqe.errors import GameError, ParameterError


@pytest.mark.parametrize("abar", [1.0, 2.5, -0.7])
@pytest.mark.parametrize("epsilon", [0.05, 0.2, 1.0, 3.0])
def test_example_4_1_matches_closed_form(abar, epsilon):
    game = example_4_1(abar)
    for tau in np.linspace(0.0, 1.99 / epsilon, 9):
        eq = game.solve_rqe(tau, epsilon)
        assert eq.converged
        np.testing.assert_allclose(eq.covariances.ravel(), epsilon / 2, rtol=0, atol=1e-12)
        np.testing.assert_allclose(eq.means.ravel(), abar / (3 - tau * epsilon / 2), rtol=0, atol=1e-9)
        expected = -0.5 * abar**2 * (2 - tau * epsilon + (tau * epsilon / 2) ** 2) / (3 - tau * epsilon / 2) ** 2
        np.testing.assert_allclose(eq.expected_utilities, expected - 0.75 * epsilon, rtol=0, atol=1e-9)
        np.testing.assert_allclose(eq.expected_utilities, example_4_1_utility(tau, epsilon, abar), rtol=0, atol=1e-9)
        assert abs(eq.expected_reward - example_4_1_reward(tau, epsilon, abar)) < 1e-9
        assert abs(eq.means[0, 0] - example_4_1_mean(tau, epsilon, abar)) < 1e-9


def test_example_4_1_main_text_formula_is_not_the_lemma():
    # the main text's abar / (3 - tau eps) differs from the lemma's fixed point away from tau = 0
    eq = example_4_1().solve_rqe(1.0, 1.0)
    assert abs(eq.means[0, 0] - 1 / (3 - 1.0)) > 0.05
    assert abs(eq.means[0, 0] - 1 / (3 - 0.5)) < 1e-9


def test_example_4_1_domain():
    game = example_4_1()
    for epsilon in [0.1, 1.0, 4.0]:
        assert game.tau_max(epsilon) == pytest.approx(2 / epsilon, rel=1e-12)
        game.solve_rqe(2 / epsilon * (1 - 1e-6), epsilon)
        with pytest.raises(ParameterError, match="not positive definite"):
            game.solve_rqe(2 / epsilon * (1 + 1e-6), epsilon)
        assert game.in_domain(1.9 / epsilon, epsilon) and not game.in_domain(2.0 / epsilon * (1 + 1e-9), epsilon)
    with pytest.raises(ParameterError):
        example_4_1_mean(2.0, 1.0)


def test_example_4_1_utility_peaks_at_social_optimum():
    # d/dx of (x^2 - 2x + 2)/(3 - x)^2 is (4x - 2)/(3 - x)^3 with x = tau eps: the utility peaks at tau eps = 1,
    # where the effort 2 abar / 5 maximises the players' total utility; J = E[R] keeps increasing.
    taus = np.linspace(0.0, 1.99, 400)
    utilities = example_4_1_utility(taus, 1.0)
    assert taus[np.argmax(utilities)] == pytest.approx(1.0, abs=0.01)
    assert np.all(np.diff(example_4_1_reward(taus, 1.0)) > 0)
    assert example_4_1_mean(1.0, 1.0) == pytest.approx(0.4)


def _gauss_hermite_risk(f, mu, var, tau, nodes=80):
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    values = f(mu + np.sqrt(var) * x)
    return -np.log(np.sum(w * np.exp(-tau * values)) / np.sqrt(2 * np.pi)) / tau


def test_risk_adjusted_value_closed_form_matches_quadrature():
    game = example_4_1(1.0)
    m, S = np.array([[0.3], [0.45]]), np.array([[[0.4]], [[0.6]]])
    tau, epsilon = 0.7, 0.5
    value = game.risk_adjusted_value(0, [0.3], [[0.4]], m, S, tau, epsilon)

    def f(y):  # E over a_1 ~ N(0.3, 0.4) of u_1(a_1, y)
        return -0.5 * ((0.3 + y - 1.0) ** 2 + 0.4) - 0.5 * (0.3**2 + 0.4)

    entropy = 0.5 * np.log(2 * np.pi * np.e * 0.4)
    assert value == pytest.approx(_gauss_hermite_risk(f, 0.45, 0.6, tau) + epsilon * entropy, abs=1e-10)


def _best_gaussian_response(game, player, eq, tau, epsilon):
    n = game.dim
    iu = np.tril_indices(n)

    def unpack(z):
        L = np.zeros((n, n))
        L[iu] = z[n:]
        L[np.diag_indices(n)] = np.exp(L[np.diag_indices(n)])
        return z[:n], L @ L.T

    def objective(z):
        mean, cov = unpack(z)
        value = game.risk_adjusted_value(player, mean, cov, eq.means, eq.covariances, tau, epsilon)
        return -value if np.isfinite(value) else 1e10

    start = np.concatenate([eq.means[player] + 0.3, np.zeros(len(iu[0]))])
    best = minimize(objective, start, method="BFGS", options={"gtol": 1e-10})
    return -best.fun, unpack(best.x)


@pytest.mark.parametrize("case", ["example", "random3x2"])
def test_lemma_gives_the_best_gaussian_response(case):
    """At the Gaussian RQE no player gains by any other Gaussian strategy (checked by a numerical optimiser)."""
    if case == "example":
        game, tau, epsilon = example_4_1(1.0), 1.2, 1.0
    else:
        game = QuadraticGame.random(np.random.default_rng(3), n_players=3, dim=2)
        epsilon = 0.4
        tau = 0.6 * game.tau_max(epsilon)
    eq = game.solve_rqe(tau, epsilon)
    for i in range(game.n_players):
        at_eq = game.risk_adjusted_value(i, eq.means[i], eq.covariances[i], eq.means, eq.covariances, tau, epsilon)
        best, (mean, cov) = _best_gaussian_response(game, i, eq, tau, epsilon)
        assert best - at_eq < 1e-8
        np.testing.assert_allclose(mean, eq.means[i], atol=1e-4)
        np.testing.assert_allclose(cov, eq.covariances[i], atol=1e-4)


def test_tau_zero_is_the_nash_mean():
    game = QuadraticGame.random(np.random.default_rng(5), n_players=3, dim=2)
    eq = game.solve_rqe(0.0, 0.3)
    for i in range(3):
        others = eq.means.sum(axis=0) - eq.means[i]
        np.testing.assert_allclose(-game.own_curvature(i) @ eq.means[i], game.h + game.H @ others, atol=1e-9)
    small = game.solve_rqe(1e-7, 0.3)
    np.testing.assert_allclose(small.means, eq.means, atol=1e-5)


def test_expected_utilities_match_sampling():
    rng = np.random.default_rng(0)
    game = QuadraticGame.random(rng, n_players=3, dim=2)
    eq = game.solve_rqe(0.5 * game.tau_max(0.5), 0.5)
    samples = np.stack([rng.multivariate_normal(eq.means[i], eq.covariances[i], size=200_000) for i in range(3)],
                       axis=1)
    empirical = game.utilities(samples).mean(axis=0)
    np.testing.assert_allclose(empirical, eq.expected_utilities, atol=0.05 * (1 + np.abs(empirical).max()))
    assert game.reward(samples).mean() == pytest.approx(eq.expected_reward, abs=0.05 * (1 + abs(eq.expected_reward)))


def test_per_player_tau_and_linear_solve_agree():
    game = QuadraticGame.random(np.random.default_rng(11), n_players=3, dim=1)
    epsilon = [0.2, 0.5, 1.0]
    tau = [0.9 * game.tau_max(epsilon, player=i) for i in range(3)]
    eq = game.solve_rqe(tau, epsilon)
    assert eq.converged
    np.testing.assert_allclose(game.best_response_means(eq.means, tau, epsilon), eq.means, atol=1e-9)
    direct = game._solve_affine(game._linear_maps(np.array(tau), game.covariances(epsilon)))
    np.testing.assert_allclose(eq.means, direct, atol=1e-9)


def test_theorem_4_1_on_random_games():
    rng = np.random.default_rng(20261124)
    for _ in range(30):
        game = QuadraticGame.random(rng, n_players=int(rng.integers(2, 5)), dim=int(rng.integers(1, 4)))
        result = check_theorem_4_1(game, float(rng.uniform(0.05, 3.0)), n_taus=15)
        assert result.passed == result.checks == 14 and result.margin > 0


def test_invalid_games_are_refused():
    with pytest.raises(GameError, match="negative definite"):
        QuadraticGame([[1.0, 0.0], [0.0, -1.0]], [0, 0], [1, 1])
    with pytest.raises(GameError, match="symmetric"):
        QuadraticGame([[-1.0, 0.5], [0.0, -1.0]], [0, 0], [1, 1])
    with pytest.raises(GameError, match="length 2"):
        QuadraticGame(-np.eye(2), [0, 0, 0], [1, 1])
    with pytest.raises(GameError, match="rho"):
        QuadraticGame(-1.0, 0.0, [1, -1])
    with pytest.raises(ParameterError, match="epsilon"):
        example_4_1().solve_rqe(1.0, 0.0)
    with pytest.raises(ParameterError, match="tau"):
        example_4_1().solve_rqe(-1.0, 1.0)


def test_round_trip_dict():
    game = QuadraticGame.random(np.random.default_rng(1), 3, 2)
    again = QuadraticGame.from_dict(game.to_dict())
    assert np.array_equal(again.H, game.H) and np.array_equal(again.rho, game.rho)
