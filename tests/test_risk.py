"""Penalties and regularisers (docs/rqe-math.md sections 2-3) against direct numerical optimisation."""

import numpy as np
import pytest
from scipy.optimize import minimize

from rqe.errors import ParameterError
from rqe.risk import (KL, LogBarrier, NegativeEntropy, PhiDivergence, ReverseKL, SeparableRegularizer,
                      get_penalty, get_regularizer)


def direct_adversary(penalty, v, q, tau):
    """argmin_p <v, p> + D(p, q) / tau over the simplex, by SLSQP on the definition of D."""
    def objective(p):
        p = np.maximum(p, 1e-300)
        return float(v @ p + penalty.divergence(p, q) / tau)

    res = minimize(objective, q.copy(), method="SLSQP", bounds=[(1e-12, 1)] * q.size,
                   constraints=[dict(type="eq", fun=lambda p: p.sum() - 1)], options=dict(ftol=1e-15, maxiter=500))
    return res.x, res.fun


@pytest.mark.parametrize("penalty", [KL(), ReverseKL(),
                                     PhiDivergence(lambda r: (r - 1) ** 2, lambda r: 2 * (r - 1),
                                                   lambda r: 2 + 0 * r, "chi2")])
@pytest.mark.parametrize("tau", [0.3, 2.0])
def test_adversary_and_risk_value_solve_the_inner_problem(penalty, tau):
    rng = np.random.default_rng(7)
    v, q = rng.uniform(-1, 1, 4), rng.dirichlet(np.ones(4))
    p = penalty.adversary(v, q, tau)
    p_ref, value_ref = direct_adversary(penalty, v, q, tau)
    assert np.abs(p - p_ref).max() < 1e-5
    assert penalty.risk_value(v, q, tau) == pytest.approx(value_ref, abs=1e-8)
    assert penalty.risk_value(v, q, tau) <= v @ q + 1e-12  # risk aversion never raises the value
    assert penalty.risk_value(v, q, 0.0) == pytest.approx(v @ q)


def test_kl_closed_form_entropic_risk():
    v, q, tau = np.array([2.0, -1.0, 0.5]), np.array([0.2, 0.3, 0.5]), 1.7
    assert KL().risk_value(v, q, tau) == pytest.approx(-np.log(q @ np.exp(-tau * v)) / tau, rel=1e-14)
    p = q * np.exp(-tau * v)
    np.testing.assert_allclose(KL().adversary(v, q, tau), p / p.sum(), rtol=1e-14)
    # large tau: the value approaches the worst case min v
    assert KL().risk_value(v, q, 1e4) == pytest.approx(v.min(), abs=1e-3)


@pytest.mark.parametrize("regularizer", [NegativeEntropy(), LogBarrier(),
                                         SeparableRegularizer(lambda x: x ** 2, lambda x: 2 * x, lambda x: 2 + 0 * x)])
def test_quantal_response_maximises(regularizer):
    # KKT certificate of argmax_y g.y - eps sum h(y_i) over the simplex (concave, so KKT is sufficient):
    # g_i - eps h'(y_i) equals one multiplier on the support and is <= it where y_i = 0. Deterministic,
    # unlike a numerical optimiser used as the reference (which cannot land on exact zeros).
    g, eps = np.array([1.0, 0.2, -0.5]), 0.4
    y = regularizer.response(g, eps)
    scale = np.ptp(g)
    assert y.min() >= 0 and abs(y.sum() - 1) < 1e-12
    support = y > 1e-12
    marginal = g[support] - eps * regularizer.dh(y[support])
    assert np.ptp(marginal) <= 1e-9 * scale
    if not support.all():
        assert np.all(g[~support] - eps * regularizer.dh(np.zeros(int((~support).sum()))) <= marginal.mean() + 1e-9 * scale)
    # and no point of a seeded sample of the simplex does better
    rng = np.random.default_rng(0)
    objective = lambda x: x @ g - eps * regularizer.value(x)
    samples = rng.dirichlet(np.ones(3), size=2000)
    assert objective(y) >= max(objective(x) for x in samples) - 1e-12 * scale


def test_names_and_errors():
    assert isinstance(get_penalty("reverse-kl"), ReverseKL)
    assert isinstance(get_regularizer("negative_entropy"), NegativeEntropy)
    with pytest.raises(ParameterError):
        get_penalty("tv")
    with pytest.raises(ParameterError):
        get_regularizer(3)
    with pytest.raises(ParameterError):
        PhiDivergence(None, None, None)
    with pytest.raises(ParameterError):
        LogBarrier().response(np.zeros(2), 0.0)
