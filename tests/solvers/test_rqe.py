"""Acceptance tests of the RQE solver (``docs/rqe-math.md`` sections 2-4, 6, 9)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, linprog, minimize, minimize_scalar

from rqe import Game, solve_qre
from rqe.errors import ConvergenceError, GameError, ParameterError, ProfileError
from rqe.game import product_distribution
from rqe.solvers.rqe import (
    is_tractable, rqe_branches, rqe_residual, solve_rqe, solve_rqe_batch,
)
from tests.solvers.lab_games import LAB_GAMES, lab_game


# ----------------------------------------------------------------------------------------------- references
def entropic_risk(v, q, tau):
    """-(1/tau) log E_q exp(-tau v) (the KL closed form of section 2), tau = 0 -> E_q v."""
    if tau == 0:
        return float(q @ v)
    shift = v.min()
    return float(shift - np.log(q @ np.exp(-tau * (v - shift))) / tau)


def reg_value(y, regularizer):
    if regularizer == "entropy":
        return float(np.sum(y * np.log(y)))
    return float(-np.sum(np.log(y)))


def objective(game, i, y, xs, tau, eps, regularizer):
    """U_i^{tau,eps}(y, x_{-i}) written directly from the definitions."""
    M = game.payoff_matrix(i)
    q = product_distribution([xs[j] for j in range(game.n_players) if j != i])
    return entropic_risk(M.T @ y, q, tau[i]) - eps[i] * reg_value(y, regularizer)


def reference_2x2(game, tau, eps, regularizer):
    """A slow direct RQE of a 2x2 game: each player's concave best response by scipy's bounded scalar
    maximiser, and the equilibrium as the root of a -> BR_1(BR_2(a)) - a by Brent's method."""

    def br(i, other):
        xs = [None, None]
        xs[1 - i] = np.array([other, 1 - other])

        def neg(a):
            return -objective(game, i, np.array([a, 1 - a]), xs, tau, eps, regularizer)

        return minimize_scalar(neg, bounds=(1e-12, 1 - 1e-12), method="bounded",
                               options=dict(xatol=1e-13, maxiter=500)).x

    a = brentq(lambda a: br(0, br(1, a)) - a, 1e-12, 1 - 1e-12, xtol=1e-13)
    return np.array([a, 1 - a]), np.array([br(1, a), 1 - br(1, a)])


def scipy_best_response_gain(game, i, xs, tau, eps, regularizer="entropy"):
    """max_y U_i(y, x_{-i}) - U_i(x_i, x_{-i}) by SLSQP on softmax coordinates (independent of the solver)."""
    n = game.shape[i]

    def neg(theta):
        y = np.exp(theta - theta.max())
        y /= y.sum()
        return -objective(game, i, y, xs, tau, eps, regularizer)

    start = np.log(xs[i])
    best = minimize(neg, start, method="BFGS", options=dict(gtol=1e-11)).fun
    return -best - objective(game, i, xs[i], xs, tau, eps, regularizer)


def logit_qre_reference(game, lam):
    """Logit QRE by damped fixed-point iteration on x_i = softmax(lam M_i x_{-i}) (small lam: a contraction)."""
    xs = [np.full(n, 1.0 / n) for n in game.shape]
    for _ in range(20000):
        new = []
        for i in range(game.n_players):
            q = product_distribution([xs[j] for j in range(game.n_players) if j != i])
            g = lam[i] * game.payoff_matrix(i) @ q
            e = np.exp(g - g.max())
            new.append(0.5 * xs[i] + 0.5 * e / e.sum())
        done = max(np.abs(a - b).max() for a, b in zip(new, xs)) < 1e-15
        xs = new
        if done:
            break
    return xs


def security_strategy(M):
    """max_x min_k (M^T x)_k by linprog."""
    n, m = M.shape
    c = np.zeros(n + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((m, 1))])
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(m), A_eq=np.hstack([np.ones((1, n)), [[0.0]]]), b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)])
    return res.x[:n]


def collaborate_defect():
    return Game.from_shared_reward([[1.0, 1.0], [1.0, 0.0]], [[0.4, 0.0], [0.4, 0.0]], title="collaborate/defect")


# ----------------------------------------------------------------------------------------------- limits
@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (2, 3, 2)])
def test_tau_zero_is_logit_qre(shape, rng):
    game = Game(rng.uniform(-1, 1, size=(len(shape), *shape)))
    eps = 2.0
    result = solve_rqe(game, tau=0.0, epsilon=eps)
    assert result.converged and result.residual < 1e-10
    qre = solve_qre(game, lam=1 / eps)
    assert qre.converged
    for x, y, z in zip(result.strategies, qre.strategies, logit_qre_reference(game, [1 / eps] * game.n_players)):
        np.testing.assert_allclose(x, y, atol=1e-10)
        np.testing.assert_allclose(x, z, atol=1e-10)
    # and the limit tau -> 0 is continuous
    near = solve_rqe(game, tau=1e-7, epsilon=eps)
    for x, y in zip(near.strategies, qre.strategies):
        np.testing.assert_allclose(x, y, atol=1e-6)


def test_tau_and_eps_to_zero_approach_nash():
    game = lab_game("ghp4")
    R1, R2 = np.array(LAB_GAMES["ghp4"]["R1"], float), np.array(LAB_GAMES["ghp4"]["R2"], float)
    # the unique (mixed) Nash equilibrium from the indifference conditions
    a = (R2[1, 1] - R2[1, 0]) / (R2[0, 0] - R2[1, 0] - R2[0, 1] + R2[1, 1])
    b = (R1[1, 1] - R1[0, 1]) / (R1[0, 0] - R1[0, 1] - R1[1, 0] + R1[1, 1])
    gaps = []
    for scale in (1e-1, 1e-2, 1e-3):
        r = solve_rqe(game, tau=scale * 1e-2, epsilon=scale * 10)
        assert r.converged
        gaps.append(max(abs(r.strategies[0][0] - a), abs(r.strategies[1][0] - b)))
    assert gaps[-1] < 1e-3
    assert gaps[0] > gaps[1] > gaps[2]
    assert game.nash_gap(r.strategies) < 0.5


def test_small_eps_large_tau_approaches_security_strategies():
    game = Game.from_bimatrix([[3.0, 0.0], [1.0, 2.0]], [[1.0, 3.0], [2.0, 0.0]])
    targets = [security_strategy(game.payoff_matrix(i)) for i in range(2)]
    errors = []
    for tau, eps in ((10.0, 1e-1), (100.0, 1e-2), (1000.0, 1e-3)):
        r = solve_rqe(game, tau=tau, epsilon=eps)
        assert r.converged, r
        errors.append(max(np.abs(x - t).max() for x, t in zip(r.strategies, targets)))
    assert errors[-1] < 5e-3
    assert errors[0] > errors[-1]


# ----------------------------------------------------------------------------------------------- certificates
@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (2, 2, 2), (3, 2, 2), (2, 2, 2, 2)])
@pytest.mark.parametrize("tau,eps", [(0.5, 0.5), (2.0, 1.0), (0.1, 0.2)])
def test_converged_means_certified(shape, tau, eps, rng):
    game = Game(rng.uniform(-1, 1, size=(len(shape), *shape)))
    r = solve_rqe(game, tau=tau, epsilon=eps)
    assert r.converged, r
    assert r.residual < 1e-10
    tau_v, eps_v = [tau] * game.n_players, [eps] * game.n_players
    for i in range(game.n_players):
        gain = scipy_best_response_gain(game, i, list(r.strategies), tau_v, eps_v)
        assert gain < 1e-9
        # the reported values are the risk-adjusted utilities
        assert r.values[i] == pytest.approx(objective(game, i, r.strategies[i], list(r.strategies), tau_v, eps_v,
                                                      "entropy"), abs=1e-10)
    # adversaries: p_i ∝ x_{-i} exp(-tau M_i^T x_i)
    for i in range(game.n_players):
        q = product_distribution([r.strategies[j] for j in range(game.n_players) if j != i])
        p = q * np.exp(-tau * game.payoff_matrix(i).T @ r.strategies[i])
        np.testing.assert_allclose(r.adversaries[i], p / p.sum(), atol=1e-12)


def test_residual_detects_non_equilibria():
    game = lab_game("sc3")
    r = solve_rqe(game, tau=0.5, epsilon=1.0)
    assert rqe_residual(game, r.strategies, 0.5, 1.0) < 1e-10
    off = ([0.5, 0.5], [0.5, 0.5])
    gains = [scipy_best_response_gain(game, i, [np.array(x) for x in off], [0.5, 0.5], [1.0, 1.0]) for i in (0, 1)]
    assert rqe_residual(game, off, 0.5, 1.0) == pytest.approx(max(gains), rel=1e-6)


def test_non_convergence_is_reported_not_hidden():
    game = lab_game("ghp4")
    # one continuation step cannot reach tau: the answer must say so, with its certificate
    r = solve_rqe(game, tau=0.05, epsilon=5.0, method="continuation", max_iter=1)
    assert not r.converged and r.residual > 1e-10
    assert r.residual == pytest.approx(rqe_residual(game, r.strategies, 0.05, 5.0), rel=1e-9)
    with pytest.raises(ConvergenceError) as info:
        solve_rqe(game, tau=0.05, epsilon=5.0, method="continuation", max_iter=1, raise_on_failure=True)
    assert info.value.residual == pytest.approx(r.residual)
    ok = solve_rqe(game, tau=0.05, epsilon=5.0, method="extragradient", max_iter=1)
    assert ok.converged == (ok.residual < 1e-10)


# ----------------------------------------------------------------------------------------------- slow reference
def _param_sets(name):
    spec = LAB_GAMES[name]
    payoffs = np.array([spec["R1"], spec["R2"]], float)
    spread = float(payoffs.max() - payoffs.min())
    return [
        (tuple(spec["mps"]["tau"]), tuple(spec["mps"]["epsilon"])),
        ((1.0 / spread, 1.0 / spread), (0.5 * spread, 0.5 * spread)),
        ((0.2 / spread, 3.0 / spread), (0.3 * spread, 0.2 * spread)),
    ]


@pytest.mark.parametrize("name", sorted(LAB_GAMES))
@pytest.mark.parametrize("regularizer", ["entropy", "log_barrier"])
def test_agrees_with_direct_reference_on_lab_games(name, regularizer):
    game = lab_game(name)
    for tau, eps in _param_sets(name):
        r = solve_rqe(game, tau=tau, epsilon=eps, regularizer=regularizer)
        assert r.converged, (name, tau, eps, r)
        x_ref, y_ref = reference_2x2(game, tau, eps, regularizer)
        assert np.abs(r.strategies[0] - x_ref).max() < 1e-6, (name, tau, eps)
        assert np.abs(r.strategies[1] - y_ref).max() < 1e-6, (name, tau, eps)


def test_methods_agree():
    game = lab_game("sc6")
    answers = [solve_rqe(game, tau=(0.3, 0.6), epsilon=(0.8, 1.2), method=m)
               for m in ("fixed_point", "extragradient", "continuation")]
    for r in answers:
        assert r.converged
        assert answers[0].strategies.allclose(r.strategies, atol=1e-10)
    r3 = solve_rqe(Game(np.random.default_rng(3).uniform(size=(3, 2, 3, 2))), 0.4, 0.7, method="continuation")
    r3b = solve_rqe(Game(np.random.default_rng(3).uniform(size=(3, 2, 3, 2))), 0.4, 0.7, method="extragradient")
    assert r3.converged and r3b.converged and r3.strategies.allclose(r3b.strategies, atol=1e-9)


def test_reverse_kl_and_generic_hooks_agree_with_direct_optimisation():
    from rqe.risk import KL, PhiDivergence, SeparableRegularizer
    game = lab_game("sc5")
    r = solve_rqe(game, tau=(0.5, 0.3), epsilon=(1.0, 2.0), penalty="reverse_kl")
    assert r.converged
    # the hooks reproduce the built-ins
    kl_hook = PhiDivergence(lambda t: t * np.log(t), lambda t: np.log(t) + 1, lambda t: 1 / t, "kl-hook")
    ent_hook = SeparableRegularizer(lambda x: x * np.log(x), lambda x: np.log(x) + 1, lambda x: 1 / x, "ent")
    a = solve_rqe(game, tau=(0.5, 0.3), epsilon=(1.0, 2.0))
    b = solve_rqe(game, tau=(0.5, 0.3), epsilon=(1.0, 2.0), penalty=kl_hook, regularizer=ent_hook)
    assert b.converged and a.strategies.allclose(b.strategies, atol=1e-9)
    # reverse KL best responses: adversary by direct minimisation of <v,p> + KL(q||p)/tau
    for i in range(2):
        q = r.strategies[1 - i]
        M = game.payoff_matrix(i)

        def risk(y, i=i, q=q, M=M):
            v = M.T @ y
            tau = (0.5, 0.3)[i]
            inner = minimize_scalar(lambda s: s * v[0] + (1 - s) * v[1]
                                    + (q[0] * np.log(q[0] / s) + q[1] * np.log(q[1] / (1 - s))) / tau,
                                    bounds=(1e-12, 1 - 1e-12), method="bounded", options=dict(xatol=1e-14))
            return inner.fun - (1.0, 2.0)[i] * np.sum(y * np.log(y))

        best = minimize_scalar(lambda a: -risk(np.array([a, 1 - a])), bounds=(1e-9, 1 - 1e-9), method="bounded",
                               options=dict(xatol=1e-12))
        assert abs(best.x - r.strategies[i][0]) < 1e-6


# ----------------------------------------------------------------------------------------------- free riding
def test_collaborate_defect_pitchfork():
    game = collaborate_defect()
    branches = rqe_branches(game, [0.1, 0.4, 0.7, 1.0, 1.5], epsilon=0.2, n_starts=8)
    counts = [len(e) for e in branches.equilibria]
    assert counts == [3, 3, 3, 1, 1]
    assert len(branches.bifurcations) == 1
    threshold = branches.bifurcations[0].tau
    assert 0.7 < threshold < 1.0
    lo, hi = branches.bifurcations[0].interval
    assert hi - lo < 1e-6
    for eqs in branches.equilibria[:3]:
        symmetric = [e for e in eqs if np.allclose(e[0], e[1], atol=1e-8)]
        free_riding = [e for e in eqs if not np.allclose(e[0], e[1], atol=1e-8)]
        assert len(symmetric) == 1 and len(free_riding) == 2
        a, b = free_riding
        assert np.allclose(a[0], b[1], atol=1e-8) and np.allclose(a[1], b[0], atol=1e-8)
    # solve_rqe with all starts agrees on both sides of the reported threshold
    below = solve_rqe(game, tau=threshold - 0.02, epsilon=0.2, n_starts=12, rng=0)
    above = solve_rqe(game, tau=threshold + 0.02, epsilon=0.2, n_starts=12, rng=0)
    assert len(below.equilibria) == 3 and len(above.equilibria) == 1
    assert all(e.residual < 1e-10 for e in below.equilibria)
    # every branch point is certified and the branches are followed across the grid
    assert branches.converged
    assert sorted(len(b["taus"]) for b in branches.branches) == [3, 3, 5]
    # the symmetric RQE moves towards collaboration as risk aversion grows ([QZLM] section 4.2)
    sym = [next(e for e in eqs if np.allclose(e[0], e[1], atol=1e-8))[0][0] for eqs in branches.equilibria]
    assert np.all(np.diff(sym) > 0)


@pytest.mark.parametrize("tau,count", [(0.1, 3), (0.8, 3), (0.86, 1), (2.0, 1)])
def test_default_call_lists_every_rqe_of_collaborate_defect(tau, count):
    """By default solve_rqe lists every RQE it finds: three for tau below the pitchfork (0.8288 at eps 0.2),
    one above; the principal (from the centroid) is the symmetric one, each one certified independently."""
    game = collaborate_defect()
    r = solve_rqe(game, tau=tau, epsilon=0.2)
    assert r.converged and len(r.equilibria) == count
    assert not r.complete and "not proven complete" in r.completeness
    assert np.allclose(r.strategies[0], r.strategies[1], atol=1e-8)
    assert r.equilibria[0].strategies.allclose(r.strategies, atol=0)
    for e in r.equilibria:
        assert rqe_residual(game, e.strategies, tau, 0.2) < 1e-10
    if count == 3:
        a, b = r.equilibria[1].strategies, r.equilibria[2].strategies
        assert np.allclose(a[0], b[1], atol=1e-8) and not np.allclose(a[0], a[1], atol=1e-3)


def test_completeness_is_claimed_only_under_the_closed_form_criterion():
    game = lab_game("sc1")
    proven = solve_rqe(game, tau=(0.1, 100), epsilon=(0.21, 0.555), regularizer="log_barrier")
    assert proven.converged and proven.complete and len(proven.equilibria) == 1
    unproven = solve_rqe(game, tau=(0.1, 1.0), epsilon=(0.21, 0.555), regularizer="log_barrier")
    assert unproven.converged and not unproven.complete


@pytest.mark.parametrize("penalty,regularizer", [("kl", "entropy"), ("kl", "log_barrier"),
                                                 ("reverse_kl", "entropy"), ("reverse_kl", "log_barrier")])
def test_duality_certificate_bounds_the_best_response_gap(penalty, regularizer):
    """The one-evaluation certificate eps_i D_nu(x_i, R_i) is an upper bound of the best-response gap computed
    by direct maximisation (scipy), at arbitrary profiles, and zero at the solution."""
    from rqe.solvers.rqe.system import prepare as _prepare
    rng = np.random.default_rng(7)
    game = Game(rng.uniform(-1, 1, size=(2, 2, 3)))
    tau, eps = (0.7, 0.3), (0.5, 0.9)
    model = _prepare(game, tau, eps, penalty, regularizer)
    for _ in range(5):
        xs = [rng.dirichlet(np.ones(n)) for n in game.shape]
        bound, _ = model.dual_certificate(xs)
        exact = model.certificate(xs)[0]
        assert bound >= exact - 1e-12 * (1 + exact)
        if penalty == "kl":
            gains = [scipy_best_response_gain(game, i, xs, tau, eps, regularizer) for i in (0, 1)]
            assert bound >= max(gains) - 1e-9
    r = solve_rqe(game, tau, eps, penalty, regularizer)
    assert r.converged and model.dual_certificate(list(r.strategies))[0] < 1e-10


# ----------------------------------------------------------------------------------------------- invariances
small_games = st.tuples(st.integers(2, 3), st.integers(2, 3)).flatmap(
    lambda s: st.lists(st.integers(-3, 3), min_size=2 * s[0] * s[1], max_size=2 * s[0] * s[1]).map(
        lambda v: np.array(v, float).reshape(2, *s)))


@settings(max_examples=15, deadline=None)
@given(small_games, st.floats(0.05, 1.0), st.floats(1.0, 3.0), st.data())
def test_relabelling_permutes_the_rqe(payoffs, tau, eps, data):
    game = Game(payoffs)
    r = solve_rqe(game, tau=tau, epsilon=eps)
    assert r.converged
    order = data.draw(st.permutations(range(game.shape[0])))
    relabelled = solve_rqe(game.permute_actions(0, order), tau=tau, epsilon=eps)
    assert relabelled.converged
    np.testing.assert_allclose(relabelled.strategies[0], r.strategies[0][list(order)], atol=1e-8)
    np.testing.assert_allclose(relabelled.strategies[1], r.strategies[1], atol=1e-8)
    swapped = solve_rqe(game.permute_players([1, 0]), tau=tau, epsilon=eps)
    assert swapped.converged
    np.testing.assert_allclose(swapped.strategies[0], r.strategies[1], atol=1e-8)
    np.testing.assert_allclose(swapped.strategies[1], r.strategies[0], atol=1e-8)


@settings(max_examples=15, deadline=None)
@given(small_games, st.floats(0.05, 1.0), st.floats(1.0, 3.0), st.floats(-50, 50), st.integers(0, 1))
def test_adding_a_constant_leaves_the_rqe_unchanged(payoffs, tau, eps, shift, player):
    game = Game(payoffs)
    shifted = payoffs.copy()
    shifted[player] += shift
    a = solve_rqe(game, tau=tau, epsilon=eps)
    b = solve_rqe(Game(shifted), tau=tau, epsilon=eps)
    assert a.converged and b.converged
    assert a.strategies.allclose(b.strategies, atol=1e-8)
    assert b.values[player] == pytest.approx(a.values[player] + shift, abs=1e-8)


def test_three_player_relabelling(rng):
    game = Game(rng.uniform(-1, 1, size=(3, 2, 3, 2)))
    r = solve_rqe(game, tau=0.7, epsilon=0.8)
    p = solve_rqe(game.permute_players([2, 0, 1]), tau=0.7, epsilon=0.8)
    assert r.converged and p.converged
    for k, old in enumerate([2, 0, 1]):
        np.testing.assert_allclose(p.strategies[k], r.strategies[old], atol=1e-9)


# ----------------------------------------------------------------------------------------------- tractability
def test_tractability_closed_form_and_weaker_margin():
    game = lab_game("sc1")
    t = is_tractable(game, tau=(0.1, 100), epsilon=(0.21, 0.555), penalty="kl", regularizer="log_barrier")
    assert t.tractable and t.criterion == "eps1*tau1*eps2*tau2 >= 1"
    assert t.margin == pytest.approx(0.21 * 0.1 * 0.555 * 100 - 1)
    assert t.weaker_margin == pytest.approx(16 * 0.21 * 0.1 * 0.555 * 100 - 1)
    low = is_tractable(game, tau=(0.1, 0.1), epsilon=(1.0, 1.0), penalty="reverse_kl", regularizer="entropy")
    assert not low.tractable and low.margin < 0 and low.weaker_margin < 0


def test_tractability_numerical_check():
    game = lab_game("sc2")
    strong = is_tractable(game, tau=1.0, epsilon=50.0, samples=64)
    weak = is_tractable(game, tau=5.0, epsilon=0.01, samples=64)
    # KL + entropy: the auxiliary game is never monotone on the whole simplex (coupling unbounded at the
    # boundary), so it is never reported tractable; the interior-sampled margin still orders the cases
    assert not strong.tractable and strong.criterion.startswith("not monotone: KL + negative entropy")
    assert weak.margin < strong.margin
    assert not weak.tractable
    mid = is_tractable(game, tau=1.0, epsilon=50.0, penalty="reverse_kl", regularizer="log_barrier", samples=64)
    assert mid.criterion == "sampled monotonicity" and np.isfinite(mid.margin)
    three = is_tractable(Game(np.random.default_rng(0).uniform(size=(3, 2, 2, 2))), tau=0.5, epsilon=5.0,
                         regularizer="log_barrier", samples=16)
    assert three.criterion == "sampled monotonicity" and np.isfinite(three.margin)
    # risk-neutral and strongly regularised: monotone
    neutral = is_tractable(game, tau=0.0, epsilon=100.0, samples=32)
    assert neutral.tractable and neutral.margin > 0


# ----------------------------------------------------------------------------------------------- batch
@pytest.mark.parametrize("shape,regularizer", [((2, 2), "entropy"), ((3, 3), "entropy"), ((2, 3), "log_barrier")])
def test_batch_matches_single_solves(shape, regularizer, rng):
    stack = rng.uniform(-1, 1, size=(40, 2, *shape))
    out = solve_rqe_batch(stack, tau=(0.5, 0.8), epsilon=(0.4, 0.6), regularizer=regularizer)
    assert out.all_converged and out.residuals.max() < 1e-10
    for b in range(0, 40, 8):
        single = solve_rqe(Game(stack[b]), tau=(0.5, 0.8), epsilon=(0.4, 0.6), regularizer=regularizer)
        np.testing.assert_allclose(out.strategies[0][b], single.strategies[0], atol=1e-9)
        np.testing.assert_allclose(out.strategies[1][b], single.strategies[1], atol=1e-9)


def test_batch_per_game_parameters(rng):
    stack = rng.uniform(-1, 1, size=(6, 2, 2, 2))
    taus = rng.uniform(0.1, 1.0, size=(6, 2))
    out = solve_rqe_batch(stack, tau=taus, epsilon=0.5)
    for b in range(6):
        single = solve_rqe(Game(stack[b]), tau=taus[b], epsilon=0.5)
        np.testing.assert_allclose(out.strategies[0][b], single.strategies[0], atol=1e-9)


# ----------------------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("kwargs,error", [
    (dict(tau=-0.1, epsilon=1.0), ParameterError),
    (dict(tau=0.1, epsilon=0.0), ParameterError),
    (dict(tau=0.1, epsilon=float("nan")), ParameterError),
    (dict(tau=[0.1, 0.2, 0.3], epsilon=1.0), ParameterError),
    (dict(tau=float("inf"), epsilon=1.0), ParameterError),
    (dict(tau=0.1, epsilon=1.0, penalty="hellinger"), ParameterError),
    (dict(tau=0.1, epsilon=1.0, regularizer="tsallis"), ParameterError),
    (dict(tau=0.1, epsilon=1.0, method="magic"), ParameterError),
    (dict(tau=0.1, epsilon=1.0, n_starts=0), ParameterError),
    (dict(tau=0.1, epsilon=1.0, tol=-1.0), ParameterError),
    (dict(tau=0.1, epsilon=1.0, init=([1.0], [0.5, 0.5])), ProfileError),
    (dict(tau=0.1, epsilon=1.0, rng="seed"), ParameterError),
])
def test_bad_inputs(kwargs, error):
    with pytest.raises(error):
        solve_rqe(lab_game("sc1"), **kwargs)


def test_bad_game_and_batch_inputs():
    with pytest.raises(GameError):
        solve_rqe([[1, 0], [0, 1]], 0.1, 1.0)
    with pytest.raises(GameError):
        solve_rqe_batch(np.zeros((3, 3, 2, 2)), 0.1, 1.0)
    from rqe.risk import PhiDivergence
    chi2 = PhiDivergence(lambda r: (r - 1) ** 2, lambda r: 2 * (r - 1), lambda r: 2 + 0 * r, "chi2")
    with pytest.raises(ParameterError):  # no closed form: solve_rqe with the hook, not the batch kernels
        solve_rqe_batch(np.zeros((3, 2, 2, 2)), 0.1, 1.0, penalty=chi2)
    with pytest.raises(ParameterError):
        solve_rqe_batch(np.zeros((3, 2, 2, 2)), np.ones((2, 2)), 1.0)
    with pytest.raises(ParameterError):
        rqe_branches(lab_game("sc1"), [1.0, 0.5], 0.2)


def test_result_is_frozen_and_reports_parameters():
    r = solve_rqe(lab_game("sc4"), tau=0.5, epsilon=1.0)
    with pytest.raises(Exception):
        r.residual = 0.0
    assert r.parameters["tau"] == [0.5, 0.5] and r.parameters["penalty"] == "kl"
    assert len(r.equilibria) == 1 and r.equilibria[0].extra["values"][0] == pytest.approx(r.values[0])
    assert r.adversaries[0].shape == (2,) and not r.adversaries[0].flags.writeable
    assert math.isfinite(r.tractable.margin)


def test_sampled_monotonicity_matches_the_2x2_analytic_bound():
    """For 2x2 games with (KL, log-barrier) the auxiliary game's symmetrised Jacobian on the tangent spaces is
    positive semi-definite exactly when 64 eps1 tau1 eps2 tau2 >= 1 (worst case at the centroid, with the best
    weight per player-adversary pair): the sampled check must switch there."""
    from rqe.solvers.rqe.system import prepare as _prepare
    from rqe.solvers.rqe.tractability import _sampled_monotonicity
    game = Game.from_bimatrix([[3.0, 0.0], [1.0, 2.0]], [[1.0, 3.0], [2.0, 0.0]])
    verdicts = {}
    for factor in (0.8, 1.25):
        e = np.sqrt(factor / 64)
        model = _prepare(game, (1.0, 1.0), (e, e), "kl", "log_barrier")
        verdicts[factor] = _sampled_monotonicity(model, 200, np.random.default_rng(0)).tractable
    assert verdicts == {0.8: False, 1.25: True}


def _random_cases(count, seed):
    rng = np.random.default_rng(seed)
    for k in range(count):
        shape = tuple(int(n) for n in rng.integers(2, 4, size=rng.integers(2, 4)))
        payoffs = rng.uniform(-1, 1, size=(len(shape), *shape))
        tau = float(np.exp(rng.uniform(np.log(0.01), np.log(20))))
        eps = float(np.exp(rng.uniform(np.log(0.01), np.log(2))))
        yield payoffs, tau, eps, ["kl", "reverse_kl"][k % 2], ["entropy", "log_barrier"][(k // 2) % 2]


@pytest.mark.parametrize("case", list(_random_cases(8, 11)), ids=lambda c: f"{c[0].shape}-{c[3]}-{c[4]}")
def test_random_games_over_wide_parameter_ranges(case):
    payoffs, tau, eps, penalty, regularizer = case
    r = solve_rqe(Game(payoffs), tau, eps, penalty=penalty, regularizer=regularizer)
    assert r.converged and r.residual < 1e-10


@pytest.mark.slow
def test_random_games_stress():
    failures = []
    for payoffs, tau, eps, penalty, regularizer in _random_cases(150, 11):
        r = solve_rqe(Game(payoffs), tau, eps, penalty=penalty, regularizer=regularizer)
        if not (r.converged and r.residual < 1e-10):
            failures.append((payoffs.shape, tau, eps, penalty, regularizer, r.residual))
    assert failures == []


def test_every_rqe_result_follows_the_shared_contract():
    from rqe.results import SolverResult
    game = collaborate_defect()
    results = [solve_rqe(game, 0.1, 0.2), rqe_branches(game, [0.1, 2.0], 0.2, n_starts=4, refine=2),
               solve_rqe_batch(np.stack([game.payoffs] * 3), 0.1, 0.2)]
    for r in results:
        assert isinstance(r, SolverResult)
        assert isinstance(r.residual, float) and r.residual < 1e-10 and r.converged is not False
    batch = results[2]
    assert len(batch.equilibria) == 3 and batch.equilibria[0].residual == batch.residuals[0]


def test_problems_are_values():
    """No hidden state: the problem is frozen, the model cannot be mutated, a deformation is a new model."""
    from rqe.solvers.rqe import RQEProblem
    from rqe.solvers.rqe.system import RQEModel
    problem = RQEProblem.create(collaborate_defect(), 0.3, 0.2)
    model = RQEModel(problem)
    with pytest.raises(Exception):
        problem.tau = np.ones(2)
    with pytest.raises(AttributeError):
        model.base_tau = np.ones(2)
    with pytest.raises(ValueError):
        problem.tau[0] = 1.0
    for i in range(2):
        np.testing.assert_array_equal(problem.base_M[i], problem.game.payoff_matrix(i))
    three = RQEProblem.create(Game(np.random.default_rng(0).uniform(size=(3, 2, 3, 2))), 0.3, 0.2)
    for i in range(3):
        np.testing.assert_array_equal(three.base_M[i], three.game.payoff_matrix(i))
    half = model.deformed(0.5, 0.0)
    assert np.all(half.tau == 0) and np.all(model.tau == 0.3) and half.M[0][0, 0] == 0.5 * model.M[0][0, 0]


def test_batch_iterations_follow_the_shared_contract():
    """``iterations`` is an int (the work over every game), as everywhere; the per-game counts stay available."""
    stack = np.stack([collaborate_defect().payoffs, lab_game("sc1").payoffs, collaborate_defect().payoffs])
    batch = solve_rqe_batch(stack, 0.1, 0.2)
    assert type(batch.iterations) is int
    assert batch.iterations_per_game.shape == (3,) and np.all(batch.iterations_per_game >= 1)
    assert batch.iterations == int(batch.iterations_per_game.sum())
    assert batch.iterations_per_game[0] == batch.iterations_per_game[2]


def test_closed_form_2x2_newton_agrees_with_the_general_newton(rng):
    """The two-logit Newton of ``_newton_2x2`` and the general log-coordinate Newton reach the same RQE from the
    centroid, on strongly regularised games (eps >= 2 against payoffs in [-1, 1]) where the multistart finds a
    single RQE; each answer is certified by the shared certificate."""
    from rqe.solvers.rqe import _newton_2x2, _newton_kernels
    from rqe.solvers.rqe._kernels import certify
    for _ in range(10):
        M1, M2 = rng.uniform(-1, 1, size=(2, 2, 2))
        M1.setflags(write=False)
        M2.setflags(write=False)
        tau, eps = rng.uniform(0.1, 1.0, size=2), rng.uniform(2.0, 4.0, size=2)
        start = np.full(2, 0.5)
        closed = (np.empty(2), np.empty(2))
        _newton_2x2.solve_2x2(M1, M2, start, start, tau[0], tau[1], eps[0], eps[1], np.int64(40), np.int64(3),
                              *closed)
        general = (np.empty(2), np.empty(2))
        cert, _, stat = _newton_kernels.solve_one(M1, M2, start, start, tau[0], tau[1], eps[0], eps[1], np.int64(0),
                                                  np.int64(60), np.int64(200), _newton_kernels.workspace(2, 2),
                                                  *general)
        assert cert < 1e-10 and stat < 1e-6
        assert certify(M1, M2, *closed, tau[0], tau[1], eps[0], eps[1], np.int64(0))[0] < 1e-10
        np.testing.assert_allclose(closed[0], general[0], atol=1e-9)
        np.testing.assert_allclose(closed[1], general[1], atol=1e-9)
        assert len(solve_rqe(Game(np.stack([M1, M2.T])), tau, eps).equilibria) == 1
