"""Tests of rqe.solvers.qre: the logit QRE, its principal branch, estimation and batches."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rqe
from rqe.errors import ConvergenceError, GameError, ParameterError
from rqe.solvers.qre import (QREFit, QREPath, QREResult, fit_qre, qre_path, qre_residual, solve_qre,
                             solve_qre_batch)

DATA = Path(__file__).parent / "data" / "gambit_qre.json"


def random_game(rng: np.random.Generator, shape: tuple[int, ...], low: float = 0.0, high: float = 1.0) -> rqe.Game:
    return rqe.Game(rng.uniform(low, high, size=(len(shape), *shape)))


def independent_residual(payoffs: np.ndarray, profile, lam) -> float:
    """max |x - softmax(lam v(x))| computed with einsum, independently of rqe.Game.action_values."""
    n = payoffs.shape[0]
    lam = np.broadcast_to(np.asarray(lam, dtype=float), (n,))
    letters = "abcdefgh"[:n]
    worst = 0.0
    for i in range(n):
        others = [letters[j] for j in range(n) if j != i]
        spec = f"{letters}," + ",".join(others) + f"->{letters[i]}"
        v = np.einsum(spec, payoffs[i], *[profile[j] for j in range(n) if j != i])
        e = np.exp(lam[i] * v - (lam[i] * v).max())
        worst = max(worst, float(np.abs(profile[i] - e / e.sum()).max()))
    return worst


# --------------------------------------------------------------------------------------------- basics
@pytest.mark.parametrize("shape", [(2, 2), (3, 5), (2, 3, 4), (2, 2, 2, 2)])
def test_lam_zero_is_uniform(rng, shape):
    game = random_game(rng, shape)
    for method in ("auto", "path", "newton", "fixed_point"):
        res = solve_qre(game, 0.0, method=method)
        assert res.converged and res.residual == 0.0
        for x, n in zip(res.strategies, shape):
            np.testing.assert_allclose(x, np.full(n, 1.0 / n), rtol=0, atol=1e-15)
    path = qre_path(game, lam_max=1.0)
    assert path.lam[0] == 0.0
    np.testing.assert_allclose(path.probabilities[0], np.concatenate([np.full(n, 1.0 / n) for n in shape]))


def test_result_protocol(rng):
    game = random_game(rng, (3, 3))
    res = solve_qre(game, 2.5)
    assert isinstance(res, QREResult)
    assert res.method == "path" and res.converged and res.iterations > 0
    assert res.parameters["lam"] == [2.5, 2.5]
    (eq,) = res.equilibria
    assert eq.strategies is res.strategies and eq.residual == res.residual
    np.testing.assert_allclose(eq.payoffs, game.expected_payoffs(res.strategies))
    with pytest.raises(AttributeError):
        res.residual = 0.0  # frozen


@pytest.mark.parametrize("shape", [(2, 2), (4, 3), (3, 3, 3), (2, 3, 2, 2)])
@pytest.mark.parametrize("lam", [0.3, 3.0, 30.0])
def test_residual_certificate(rng, shape, lam):
    game = random_game(rng, shape, -5, 5)
    res = solve_qre(game, lam)
    assert res.converged
    assert res.residual < 1e-10
    assert res.residual == pytest.approx(qre_residual(game, res.strategies, lam), abs=1e-15)
    assert independent_residual(game.payoffs, res.strategies, lam) < 1e-10


def test_methods_agree_where_the_qre_is_unique(rng):
    game = random_game(rng, (3, 4))
    lam = 0.5  # payoff range <= 1: lam * range < 1 makes the logit response map a contraction
    ref = solve_qre(game, lam, method="path")
    for method in ("newton", "fixed_point"):
        res = solve_qre(game, lam, method=method)
        assert res.method == method and res.converged
        assert ref.strategies.allclose(res.strategies, atol=1e-11)


def test_newton_from_init_finds_the_nearby_qre():
    # stag hunt: at lam = 4 there are three QRE; the principal one is near (hare, hare)
    stag = rqe.Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    principal = solve_qre(stag, 4.0)
    assert principal.strategies[0][1] > 0.9
    near_stag = solve_qre(stag, 4.0, init=[[0.99, 0.01], [0.99, 0.01]], method="newton")
    assert near_stag.converged and near_stag.strategies[0][0] > 0.9
    assert near_stag.residual < 1e-10
    # symmetric QRE: p = 1 / (1 + exp(-lam (4 p - 3)))
    p = near_stag.strategies[0][0]
    assert p == pytest.approx(1 / (1 + np.exp(-4.0 * (4 * p - 3))), abs=1e-12)
    # at lam = 2 only the principal QRE exists: Newton from near stag must fail, and says so
    failed = solve_qre(stag, 2.0, init=[[0.99, 0.01], [0.99, 0.01]], method="newton")
    assert not failed.converged and failed.residual > 1e-3
    # "auto" falls back to the principal branch
    auto = solve_qre(stag, 2.0, init=[[0.99, 0.01], [0.99, 0.01]])
    assert auto.converged and auto.method == "path" and auto.strategies.allclose(solve_qre(stag, 2.0).strategies)


def test_per_player_lam(rng):
    game = random_game(rng, (3, 2, 2))
    lam = [0.0, 2.0, 7.0]
    res = solve_qre(game, lam)
    assert res.converged and independent_residual(game.payoffs, res.strategies, lam) < 1e-10
    np.testing.assert_allclose(res.strategies[0], np.full(3, 1 / 3), atol=1e-15)  # lam_0 = 0 plays uniformly
    assert res.lam.tolist() == lam


def test_not_converged_reports_residual_and_can_raise(rng):
    game = random_game(rng, (4, 4), 0, 10)
    res = solve_qre(game, 5.0, method="fixed_point", max_iter=3)
    assert not res.converged and res.residual > 1e-12
    assert res.residual == pytest.approx(qre_residual(game, res.strategies, 5.0))
    with pytest.raises(ConvergenceError) as info:
        solve_qre(game, 5.0, method="fixed_point", max_iter=3, raise_on_failure=True)
    assert info.value.residual == pytest.approx(res.residual)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), [1.0, -2.0], [1.0, 2.0, 3.0], "x"])
def test_bad_lam_raises(bad):
    game = rqe.Game.zero_sum([[1, -1], [-1, 1]])
    with pytest.raises(ParameterError):
        solve_qre(game, bad)


def test_bad_options_raise():
    game = rqe.Game.zero_sum([[1, -1], [-1, 1]])
    with pytest.raises(ParameterError):
        solve_qre(game, 1.0, method="simplex")
    with pytest.raises(ParameterError):
        solve_qre(game, 1.0, tol=0.0)
    with pytest.raises(ParameterError):
        solve_qre(game, 1.0, tol=float("nan"))
    with pytest.raises(ParameterError):
        solve_qre(game, 1.0, method="fixed_point", damping=1.5)
    with pytest.raises(ParameterError):
        qre_path(game, lam_max=-1.0)
    with pytest.raises(ParameterError):
        qre_path(game, max_accel=0.5)
    with pytest.raises(GameError):
        solve_qre(np.zeros((2, 2, 2)), 1.0)


# --------------------------------------------------------------------------------------------- the branch
@pytest.mark.parametrize("shape", [(2, 2), (5, 5), (8, 6), (3, 3, 3), (4, 3, 2), (2, 2, 2, 2), (3, 2, 3, 2)])
def test_path_ends_at_a_nash_equilibrium(shape):
    rng = np.random.default_rng(sum(shape) * 7919 + len(shape))
    for _ in range(3):
        game = random_game(rng, shape, -3, 7)
        path = qre_path(game)
        assert isinstance(path, QREPath) and path.method == "path"
        assert path.converged, path
        assert path.nash_gap < 1e-8
        assert game.nash_gap(path.nash) == path.nash_gap
        assert path.equilibria[0].strategies is path.nash
        # the branch approaches the end point: the Nash gap goes to 0 along it
        gaps = np.array([game.nash_gap(p) for p in path.profiles])
        np.testing.assert_allclose(gaps, path.gaps, atol=1e-9)
        assert gaps[-1] < 0.01 * gaps.max()
        assert gaps[-1] <= 1e-4 * (game.payoffs.max() - game.payoffs.min())
        # and it ends close to the polished equilibrium
        last = path.profiles[-1]
        assert max(np.abs(a - b).max() for a, b in zip(last, path.nash)) < 0.05


def test_path_points_are_qre(rng):
    game = random_game(rng, (3, 3, 2))
    path = qre_path(game)
    for lam, profile in list(zip(path.lam, path.profiles))[:: max(1, len(path) // 10)]:
        assert qre_residual(game, profile, lam) < 1e-8


def test_path_with_lam_max_stops_there(rng):
    game = random_game(rng, (4, 4))
    path = qre_path(game, lam_max=3.0)
    assert path.lam[-1] == pytest.approx(3.0, abs=1e-14)
    assert np.all(path.lam[:-1] < 3.0 + 1e-12)
    end = path.profiles[-1]
    assert end.allclose(solve_qre(game, 3.0).strategies, atol=1e-10)


def test_path_passes_turning_points():
    # a 2x2 game whose principal branch bends back in lam (an S-shaped branch near lam = 86)
    game = rqe.Game([[[3.575, 5.8], [2.288, 8.396]], [[3.683, 3.588], [3.269, 3.262]]])
    path = qre_path(game)
    assert np.any(np.diff(path.lam) < 0), "the branch should turn back in lam"
    assert path.converged
    assert path.nash.allclose([[1, 0], [1, 0]], atol=0)
    # solve_qre returns the first crossing of the branch with lam; after the fold the branch has moved on
    before = solve_qre(game, 80.0)
    assert before.converged and before.strategies[0][1] > 0.9
    after = solve_qre(game, 150.0)
    assert after.converged and after.strategies[0][0] > 0.9


def test_pure_and_mixed_ends():
    pd = rqe.Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    path = qre_path(pd)
    assert path.nash.allclose([[0, 1], [0, 1]], atol=0) and path.nash_gap == 0.0
    # matching pennies: the whole branch is the mixed equilibrium
    mp = rqe.Game.zero_sum([[2, -1], [-1, 1]])
    path = qre_path(mp)
    assert path.converged
    assert path.nash.allclose([[0.4, 0.6], [0.4, 0.6]], atol=1e-14)
    # stag hunt: the principal branch selects the risk-dominant equilibrium (hare)
    stag = rqe.Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    assert qre_path(stag).nash.allclose([[0, 1], [0, 1]], atol=0)


# --------------------------------------------------------------------------------------------- Gambit
def _gambit_cases():
    return json.loads(DATA.read_text())["cases"]


def test_gambit_reference_data_present():
    cases = _gambit_cases()
    assert len(cases) >= 30
    assert {len(c["shape"]) for c in cases} >= {2, 3, 4}
    # some games have a principal branch that turns back in lam, with reference points past the turn
    folds = [c for c in cases if "fold_lam" in c]
    assert len(folds) >= 3 and all(max(q["lam"] for q in c["qre"]) > c["fold_lam"] for c in folds)


@pytest.mark.parametrize("index", range(len(json.loads(DATA.read_text())["cases"])))
def test_agrees_with_gambit(index):
    case = _gambit_cases()[index]
    game = rqe.Game(case["payoffs"])
    for point in case["qre"]:
        res = solve_qre(game, point["lam"])
        assert res.converged
        for ours, theirs in zip(res.strategies, point["strategies"]):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    path = qre_path(game)
    assert path.converged and path.nash_gap < 1e-8
    # Gambit stops at regret <= 1e-8 * payoff range, so its end point is near, not at, the equilibrium
    for ours, theirs in zip(path.nash, case["nash"]):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4)
    if "fit" in case:
        fit = fit_qre(game, case["fit"]["counts"])
        assert fit.lam == pytest.approx(case["fit"]["lam"], rel=1e-6)
        assert fit.log_likelihood == pytest.approx(case["fit"]["log_like"], rel=1e-9)
        for ours, theirs in zip(fit.strategies, case["fit"]["strategies"]):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


# --------------------------------------------------------------------------------------------- estimation
def test_fit_recovers_lam_from_exact_frequencies(rng):
    game = random_game(rng, (3, 3), 0, 5)
    truth = solve_qre(game, 1.7).strategies
    fit = fit_qre(game, [1000 * x for x in truth])
    assert isinstance(fit, QREFit) and fit.converged and fit.method == "mle"
    assert fit.lam == pytest.approx(1.7, rel=1e-7)
    assert fit.se > 0
    assert fit.strategies.allclose(truth, atol=1e-8)
    # frequencies alone carry no sample size: no standard error unless n_observations is given
    freq = fit_qre(game, list(truth))
    assert freq.lam == pytest.approx(1.7, rel=1e-7) and np.isnan(freq.se)
    scaled = fit_qre(game, list(truth), n_observations=1000)
    assert scaled.se == pytest.approx(fit.se, rel=1e-4)


def test_fit_recovers_lam_from_sampled_data():
    rng = np.random.default_rng(7)
    game = random_game(rng, (3, 2, 2), 0, 4)
    lam = 2.0
    truth = solve_qre(game, lam).strategies
    estimates, errors = [], []
    for _ in range(8):
        counts = [rng.multinomial(4000, x) for x in truth]
        fit = fit_qre(game, counts)
        estimates.append(fit.lam)
        errors.append(fit.se)
    estimates = np.array(estimates)
    z = (estimates - lam) / np.array(errors)
    assert np.all(np.abs(z) < 4.5)
    # the standard error describes the spread of the estimates
    assert 0.3 < np.std(estimates) / np.mean(errors) < 3.0


def test_fit_per_player():
    rng = np.random.default_rng(3)
    game = random_game(rng, (3, 3), 0, 4)
    lam = np.array([0.8, 3.0])
    truth = solve_qre(game, lam).strategies
    fit = fit_qre(game, [10_000 * x for x in truth], per_player=True)
    np.testing.assert_allclose(fit.lam, lam, rtol=1e-4)
    assert np.all(fit.se > 0)


def test_fit_rejects_bad_data():
    game = rqe.Game.zero_sum([[1, -1], [-1, 1]])
    with pytest.raises(ParameterError):
        fit_qre(game, [[1, 2]])
    with pytest.raises(ParameterError):
        fit_qre(game, [[1, -2], [1, 1]])
    with pytest.raises(ParameterError):
        fit_qre(game, [[1, 2, 3], [1, 1]])
    with pytest.raises(ParameterError):
        fit_qre(game, [[0, 0], [1, 1]])


# --------------------------------------------------------------------------------------------- batches
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 2)])
def test_batch_matches_single_solves(rng, shape):
    stack = rng.uniform(-1, 1, size=(12, len(shape), *shape))
    lam = rng.uniform(0, 8, size=12)
    out = solve_qre_batch(stack, lam)
    assert len(out) == 12 and out.converged.all() and np.all(out.residual < 1e-10)
    for b in range(12):
        single = solve_qre(rqe.Game(stack[b]), lam[b])
        assert out.profile(b).allclose(single.strategies, atol=1e-10)
        assert independent_residual(stack[b], out.profile(b), lam[b]) < 1e-10


def test_batch_lam_shapes(rng):
    stack = rng.uniform(size=(4, 2, 2, 3))
    per_player = np.array([[1.0, 2.0]] * 4)
    out = solve_qre_batch(stack, per_player)
    assert out.lam.shape == (4, 2)
    assert out.profile(1).allclose(solve_qre(rqe.Game(stack[1]), [1.0, 2.0]).strategies, atol=1e-10)
    with pytest.raises(ParameterError):
        solve_qre_batch(stack, [1.0, 2.0, 3.0])
    with pytest.raises(ParameterError):
        solve_qre_batch(stack, -1.0)
    with pytest.raises(GameError):
        solve_qre_batch(stack[0], 1.0)


# --------------------------------------------------------------------------------------------- invariances
small_games = st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(0, 2**32 - 1))


@settings(max_examples=25)
@given(small_games, st.floats(0.1, 6.0))
def test_relabelling_actions_permutes_the_qre(spec, lam):
    n1, n2, seed = spec
    rng = np.random.default_rng(seed)
    game = random_game(rng, (n1, n2))
    order = rng.permutation(n2)
    base = solve_qre(game, lam)
    permuted = solve_qre(game.permute_actions(1, order), lam)
    np.testing.assert_allclose(permuted.strategies[1], base.strategies[1][order], atol=1e-9)
    np.testing.assert_allclose(permuted.strategies[0], base.strategies[0], atol=1e-9)


@settings(max_examples=25)
@given(small_games, st.floats(0.1, 6.0), st.floats(-50, 50))
def test_adding_constants_leaves_the_qre_unchanged(spec, lam, constant):
    n1, n2, seed = spec
    rng = np.random.default_rng(seed)
    game = random_game(rng, (n1, n2))
    payoffs = game.payoffs.copy()
    payoffs[0] += constant
    # adding any function of the opponent's action to a player's payoffs changes no logit response
    payoffs[1] += rng.uniform(-3, 3, size=(n1, 1))
    shifted = solve_qre(rqe.Game(payoffs), lam)
    assert shifted.strategies.allclose(solve_qre(game, lam).strategies, atol=1e-9)


@settings(max_examples=25)
@given(small_games, st.floats(0.1, 4.0), st.floats(0.2, 5.0))
def test_scaling_payoffs_by_c_equals_scaling_lam_by_c(spec, lam, c):
    n1, n2, seed = spec
    rng = np.random.default_rng(seed)
    game = random_game(rng, (n1, n2))
    scaled = solve_qre(rqe.Game(c * game.payoffs), lam)
    assert scaled.strategies.allclose(solve_qre(game, lam * c).strategies, atol=1e-9)
