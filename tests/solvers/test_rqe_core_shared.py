"""The RQE core's shared closed forms (used by the solvers, the Markov games, the agent form, the QRE kernels and
rqe.risk) against NumPy references written from ``docs/rqe-math.md`` section 2."""

import numpy as np
import pytest

from rqe.risk import KL, LogBarrier, NegativeEntropy
from rqe.solvers.rqe._kernels import kl_risk_into, softmax_blocks


def _entropic(v, q, tau):
    """``-(1/tau) log sum_k q_k exp(-tau v_k)`` and ``p ∝ q exp(-tau v)`` (q normalised), by logsumexp."""
    z = np.log(q) - tau * v
    top = z.max()
    p = np.exp(z - top)
    return -(top + np.log(p.sum())) / tau, p / p.sum()


@pytest.mark.parametrize("tau", [0.3, 2.0, 40.0])
def test_kl_risk_value_and_adversary(tau):
    rng = np.random.default_rng(0)
    for _ in range(20):
        v = rng.uniform(-5, 5, 6)
        q = rng.dirichlet(np.ones(6))
        p = np.empty(6)
        value = kl_risk_into(v, q, tau, p)
        ref_value, ref_p = _entropic(v, q, tau)
        assert abs(value - ref_value) <= 1e-12 * np.ptp(v)
        np.testing.assert_allclose(p, ref_p, rtol=1e-12, atol=1e-300)
        # the minimum of <p, v> + KL(p || q) / tau is attained at p
        assert abs(value - (p @ v + np.sum(p * np.log(p / q)) / tau)) <= 1e-11
        # p may be v itself
        w = v.copy()
        assert kl_risk_into(w, q, tau, w) == value and np.array_equal(w, p)


def test_kl_risk_neutral_and_zero_reference():
    v = np.array([1.0, -2.0, 3.0])
    q = np.array([0.5, 0.0, 0.5])
    p = np.empty(3)
    assert kl_risk_into(v, q, 0.0, p) == 2.0 and np.array_equal(p, q)
    value = kl_risk_into(v, q, 1.0, p)
    assert p[1] == 0.0  # no mass where the reference has none, even on the lowest value
    assert abs(value - (-np.log(0.5 * np.exp(-1.0) + 0.5 * np.exp(-3.0)))) < 1e-14


def test_risk_module_closed_forms_use_normalised_reference():
    v = np.array([0.0, 1.0, 4.0])
    q = np.array([2.0, 1.0, 1.0])  # unnormalised: the risk value is that of q / sum q
    ref_value, ref_p = _entropic(v, q / q.sum(), 1.5)
    assert abs(KL().risk_value(v, q, 1.5) - ref_value) < 1e-13
    np.testing.assert_allclose(KL().adversary(v, q, 1.5), ref_p, rtol=1e-13)


def test_softmax_blocks_and_responses():
    rng = np.random.default_rng(1)
    offsets = np.array([0, 2, 5, 9], dtype=np.int64)
    y = rng.normal(scale=30, size=9)
    out = np.empty(9)
    softmax_blocks(y, offsets, out)
    for a, b in zip(offsets[:-1], offsets[1:]):
        e = np.exp(y[a:b] - y[a:b].max())
        np.testing.assert_allclose(out[a:b], e / e.sum(), rtol=1e-13, atol=1e-300)
    g = rng.normal(size=4)
    e = np.exp((g - g.max()) / 0.3)
    np.testing.assert_allclose(NegativeEntropy().response(g, 0.3), e / e.sum(), rtol=1e-13)
    # log-barrier response: y_a = eps / (lam - g_a) with sum y = 1 (the first-order condition on the simplex)
    y_lb = LogBarrier().response(g, 0.3)
    lam = g + 0.3 / y_lb
    assert abs(y_lb.sum() - 1.0) < 1e-14 and np.ptp(lam) < 1e-12


def test_bregman_gap_of_a_nan_point_is_infinite():
    x = np.array([np.nan, 0.5])
    r = np.array([0.5, 0.5])
    assert NegativeEntropy().bregman(x, r) == np.inf
    assert LogBarrier().bregman(x, r) == np.inf
    assert NegativeEntropy().bregman(r, r) == 0.0
