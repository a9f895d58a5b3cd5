"""[QZLM] Figure 1: the curve data of both panels, and the PNG."""

import json

import numpy as np
import pytest

from rqe.analysis.figures import collaborate_defect, example_4_1_curve, pitchfork_branches, srpo_fig1
from rqe.analysis.quadratic import example_4_1_utility


def test_panel_i_curve_is_example_4_1():
    data = example_4_1_curve(epsilon=1.0, points=101)
    taus = data["taus"]
    assert taus[0] == 0.0 and taus[-1] < 2.0 == pytest.approx(data["tau_max"])
    np.testing.assert_allclose(data["utility"], example_4_1_utility(taus, 1.0), atol=1e-9)
    np.testing.assert_allclose(data["mean"], 1 / (3 - taus / 2), atol=1e-9)
    assert data["nash_utility"] == pytest.approx(-1 / 9)
    assert data["qre_utility"] == pytest.approx(-1 / 9 - 0.75)
    # rises to the welfare optimum at tau eps = 1, then falls; J keeps increasing
    assert taus[np.argmax(data["utility"])] == pytest.approx(1.0, abs=0.03)
    assert np.all(np.diff(data["reward"]) > 0)


def test_collaborate_defect_is_example_4_2():
    game = collaborate_defect()
    np.testing.assert_allclose(game.costs[0], [0.4, 0.0])
    np.testing.assert_allclose(game.payoffs[0], [[0.6, 0.6], [1.0, 0.0]])
    np.testing.assert_allclose(game.payoffs[1], [[0.6, 1.0], [0.6, 0.0]])
