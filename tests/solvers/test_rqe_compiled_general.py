"""The general compiled RQE path (any N, KL or reverse KL, entropy or log-barrier) against the NumPy reference.

The reference is independent of the kernels: the penalty objects of :mod:`rqe.risk`, the NumPy stationarity
system of :mod:`rqe.solvers.rqe.system`, the best-response gap of :func:`rqe_residual`, and ``solve_rqe`` with
a user-supplied penalty hook (a subclass of the built-in class, which stays on the NumPy path). Tolerances are
relative to the payoff range.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rqe import Game, solve_rqe, solve_rqe_batch
from rqe.errors import GameError, ParameterError
from rqe.risk import KL, LogBarrier, NegativeEntropy, PhiDivergence, ReverseKL
from rqe.solvers.rqe import _kernels, _kernels_nplayer, _newton_nplayer
from rqe.solvers.rqe.compiled_nplayer import pack
from rqe.solvers.rqe.solve import rqe_residual
from rqe.solvers.rqe.system import prepare

PAIRS = [("kl", "entropy"), ("kl", "log_barrier"), ("reverse_kl", "entropy"), ("reverse_kl", "log_barrier")]
SHAPES = [(2, 2), (3, 3), (2, 3), (2, 2, 2), (3, 3, 3), (2, 3, 2)]
PEN = {"kl": 0, "reverse_kl": 1}
REG = {"entropy": 0, "log_barrier": 1}


class HookKL(KL):
    """A user-supplied penalty hook with the KL formulas: solve_rqe keeps it on the NumPy path."""


class HookReverseKL(ReverseKL):
    """A user-supplied reverse-KL hook (NumPy path)."""


HOOKS = {"kl": HookKL, "reverse_kl": HookReverseKL}


def _game(shape, seed, low=-1.0, high=1.0):
    return Game(np.random.default_rng(seed).uniform(low, high, size=(len(shape), *shape)))


def _general(shape, penalty):
    """The cases the general kernels serve (2-player KL keeps its own kernels)."""
    return len(shape) > 2 or penalty == "reverse_kl"


CASES = [(s, p, r) for s in SHAPES for p, r in PAIRS if _general(s, p)]


@pytest.mark.parametrize("tau", [0.0, 0.3, 2.0, 40.0])
def test_reverse_kl_adversary_and_risk_value_match_risk_module(tau):
    rng = np.random.default_rng(3)
    for _ in range(20):
        m = int(rng.integers(1, 7))
        v = rng.uniform(-3, 3, size=m)
        q = rng.dirichlet(np.ones(m))
        for pen, ref in ((0, KL()), (1, ReverseKL())):
            p = np.empty(m)
            value = _kernels.risk_value_from(v, q, tau, pen, p)
            assert np.abs(p - ref.adversary(v, q, tau)).max() < 1e-12
            assert abs(value - ref.risk_value(v, q, tau)) < 1e-11 * (1 + np.abs(v).max())


def test_reverse_kl_adversary_off_support():
    v = np.array([0.3, -2.0, 1.0])
    q = np.array([0.6, 0.0, 0.4])
    p = v.copy()
    _kernels.reverse_kl_adversary_values(p, q, 1.5)
    assert p[1] == 0.0
    assert np.abs(p - ReverseKL().adversary(v, q, 1.5)).max() < 1e-12


@pytest.mark.parametrize("shape", [(2, 2), (2, 3, 2), (3, 3, 3)])
@pytest.mark.parametrize("penalty,regularizer", PAIRS)
@pytest.mark.parametrize("tau", [0.0, 0.8])
def test_compiled_system_certificate_and_values_match_numpy(shape, penalty, regularizer, tau):
    rng = np.random.default_rng(11)
    game = _game(shape, 4)
    model = prepare(game, tau, 0.7, penalty, regularizer)
    Mf, moff, shp, off = pack(model.problem.base_M, shape)
    taus, epss = model.problem.tau, model.problem.epsilon
    pen, reg = PEN[penalty], REG[regularizer]
    # an unnormalised point (Newton iterates are off the simplices)
    w = np.concatenate([np.log(rng.dirichlet(np.ones(n)) * 1.3) for n in shape] + [rng.normal(size=len(shape))])
    F_ref, J_ref = model.system(w)
    ws = _newton_nplayer.workspace(shp)
    F, J = np.empty_like(F_ref), np.empty_like(J_ref)
    K = max(ws[9].size, 1)
    nx = off[-1]
    _newton_nplayer._system(Mf, moff, shp, off, w, taus, epss, pen, reg, F, J, True, np.empty(nx), np.empty(K),
                            np.empty(K), np.empty(K), np.empty(nx), np.empty(nx))
    assert np.abs(F - F_ref).max() < 1e-12
    assert np.abs(J - J_ref).max() < 1e-11
    xs = [rng.dirichlet(np.ones(n)) for n in shape]
    x = np.concatenate(xs)
    cert, stat = _kernels_nplayer.certify(Mf, moff, shp, off, x, taus, epss, pen, reg)
    cert_ref, stat_ref = model.dual_certificate(xs)
    assert abs(cert - cert_ref) < 1e-12 * (1 + cert_ref) and abs(stat - stat_ref) < 1e-12
    P, poff, values, payoffs = _kernels_nplayer.evaluate(Mf, moff, shp, off, x, taus, epss, pen, reg)
    assert np.abs(values - model.values(xs)).max() < 1e-12
    assert np.abs(payoffs - game.expected_payoffs(xs)).max() < 1e-12
    for i, p_ref in enumerate(model.adversaries(xs)):
        assert np.abs(P[poff[i]:poff[i + 1]] - p_ref).max() < 1e-12


@pytest.mark.parametrize("shape,penalty,regularizer", CASES)
def test_compiled_solve_matches_numpy_path(shape, penalty, regularizer):
    for seed in range(2):
        game = _game(shape, 100 + seed, -2.0, 3.0)
        span = float(np.ptp(game.payoffs))
        tau, eps = 0.4, 0.6 * span
        compiled = solve_rqe(game, tau, eps, penalty, regularizer)
        reference = solve_rqe(game, tau, eps, HOOKS[penalty](), regularizer)
        assert compiled.converged and reference.converged
        assert "fixed_point" in compiled.method
        assert compiled.residual < 1e-10
        # the independent certificate (NumPy best-response gap) at the compiled answer
        assert rqe_residual(game, compiled.strategies, tau, eps, penalty, regularizer) < 1e-10 * span
        for a, b in zip(compiled.strategies, reference.strategies):
            assert np.abs(a - b).max() < 1e-7
        assert np.abs(np.asarray(compiled.values) - np.asarray(reference.values)).max() < 1e-9 * span
        for a, b in zip(compiled.adversaries, reference.adversaries):
            assert np.abs(a - b).max() < 1e-7


def test_user_hooks_stay_on_numpy_path():
    game = _game((2, 2, 2), 7)
    assert not prepare(game, 0.5, 0.5, HookReverseKL(), "entropy").problem.compiled_general
    assert not prepare(game, 0.5, 0.5, "kl", type("Hook", (NegativeEntropy,), {})()).problem.compiled_general
    assert prepare(game, 0.5, 0.5, "reverse_kl", LogBarrier()).problem.compiled_general
    assert not prepare(_game((2, 2), 7), 0.5, 0.5, "kl", "entropy").problem.compiled_general


@pytest.mark.parametrize("shape,penalty,regularizer", CASES + [((2, 2), "kl", "entropy"), ((3, 2), "kl", "log_barrier")])
def test_batch_equals_per_game_solve(shape, penalty, regularizer):
    rng = np.random.default_rng(21)
    stack = rng.uniform(-1, 1, size=(12, len(shape), *shape))
    taus = rng.uniform(0.1, 1.0, size=(12, len(shape)))
    out = solve_rqe_batch(stack, taus, 0.5, penalty, regularizer)
    assert out.all_converged and out.residual < 1e-10 and out.n_fallback == 0
    assert len(out.strategies) == len(shape)
    for b in range(12):
        game = Game(stack[b])
        single = solve_rqe(game, taus[b], 0.5, penalty, regularizer)
        for X, x in zip(out.strategies, single.strategies):
            assert np.abs(X[b] - x).max() < 1e-9
        assert np.abs(out.equilibria[b].payoffs - game.expected_payoffs(single.strategies)).max() < 1e-9


def test_batch_bad_inputs_raise_typed_errors():
    stack = np.zeros((4, 3, 2, 2, 2))
    with pytest.raises(GameError, match="shape"):
        solve_rqe_batch(np.zeros((4, 3, 2, 2)), 0.5, 0.5)
    with pytest.raises(GameError, match="finite"):
        solve_rqe_batch(np.full((4, 3, 2, 2, 2), np.nan), 0.5, 0.5)
    with pytest.raises(GameError, match="at least one action"):
        solve_rqe_batch(np.zeros((4, 3, 2, 0, 2)), 0.5, 0.5)
    with pytest.raises(ParameterError, match="penalty"):
        solve_rqe_batch(stack, 0.5, 0.5, penalty="chi2")
    hellinger = PhiDivergence(lambda r: (np.sqrt(r) - 1) ** 2, lambda r: 1 - 1 / np.sqrt(r),
                              lambda r: 0.5 * r ** -1.5)
    with pytest.raises(ParameterError, match="penalty"):
        solve_rqe_batch(stack, 0.5, 0.5, penalty=hellinger)
    with pytest.raises(ParameterError, match="tau"):
        solve_rqe_batch(stack, np.full((4, 2), 0.5), 0.5)
    with pytest.raises(ParameterError, match="epsilon"):
        solve_rqe_batch(stack, 0.5, [0.5, 0.5, -1.0], penalty="reverse_kl")


settings_fast = settings(max_examples=10, deadline=None, derandomize=True)


@settings_fast
@given(seed=st.integers(0, 2**31), scale=st.floats(0.2, 5.0), shift=st.floats(-10, 10),
       case=st.sampled_from([((2, 2), "reverse_kl", "entropy"), ((3, 2), "reverse_kl", "log_barrier"),
                             ((2, 2, 2), "kl", "entropy"), ((2, 2, 2), "reverse_kl", "log_barrier")]))
def test_positive_affine_payoff_change(seed, scale, shift, case):
    """Payoffs ``a u + b`` at ``(tau, eps)`` have the RQE of ``u`` at ``(a tau, eps / a)`` (section 2-3)."""
    shape, penalty, regularizer = case
    game = _game(shape, seed)
    moved = Game(scale * game.payoffs + shift)
    a = solve_rqe(moved, 0.5, scale * 1.0, penalty, regularizer, n_starts=1)
    b = solve_rqe(game, 0.5 * scale, 1.0, penalty, regularizer, n_starts=1)
    assert a.converged and b.converged
    for x, y in zip(a.strategies, b.strategies):
        assert np.abs(x - y).max() < 1e-8


@settings_fast
@given(seed=st.integers(0, 2**31), data=st.data(),
       case=st.sampled_from([((3, 2), "reverse_kl", "entropy"), ((2, 3, 2), "kl", "log_barrier"),
                             ((3, 3, 3), "reverse_kl", "entropy")]))
def test_action_relabelling(seed, data, case):
    """Permuting a player's actions permutes its RQE strategy (and leaves the others' unchanged)."""
    shape, penalty, regularizer = case
    game = _game(shape, seed)
    perms = [np.array(data.draw(st.permutations(range(n)))) for n in shape]
    payoffs = game.payoffs
    for i, perm in enumerate(perms):
        payoffs = np.take(payoffs, perm, axis=i + 1)
    a = solve_rqe(game, 0.5, 1.0, penalty, regularizer, n_starts=1)
    b = solve_rqe(Game(payoffs), 0.5, 1.0, penalty, regularizer, n_starts=1)
    assert a.converged and b.converged
    for x, y, perm in zip(a.strategies, b.strategies, perms):
        assert np.abs(x[perm] - y).max() < 1e-8


def test_adaptive_damping_retry_certifies_a_hard_game():
    """3x3x3, reverse KL, eps = 0.01: the plain long fixed point (step 1/2) + Newton misses the certificate; the
    retry with the adaptive step (as the NumPy path's damped fixed point) certifies it, with no continuation."""
    stack = np.random.default_rng(1).uniform(-1, 1, size=(1, 3, 3, 3, 3))
    game = Game(stack[0])
    Mf, moff, shp, off = pack([m[None] for m in prepare(game, 1.0, 0.01, "reverse_kl").problem.base_M], (3, 3, 3))
    x0 = np.full(9, 1.0 / 3)
    ws = _newton_nplayer.workspace(shp)
    out = np.empty(9)
    taus, epss = np.full(3, 1.0), np.full(3, 0.01)
    plain = _newton_nplayer.solve_one(Mf[0], moff, shp, off, x0, taus, epss, 1, 0, 60, 500, 1e-3, False, ws, out)
    assert not plain[0] < 1e-10
    result = solve_rqe(game, 1.0, 0.01, "reverse_kl")
    assert result.converged and "continuation" not in result.method
    assert rqe_residual(game, result.strategies, 1.0, 0.01, "reverse_kl") < 1e-10 * float(np.ptp(stack))
