"""[QZLM] Figure 1: the curve data of both panels, and the PNG."""

import json

import numpy as np
import pytest

from rqe import library
from rqe.analysis.figures import example_4_1_curve, pitchfork_branches, srpo_fig1
from rqe.analysis.quadratic import example_4_1_utility


def test_panel_i_curve_is_example_4_1():
    data = example_4_1_curve(epsilon=1.0, points=101)
    taus = data["taus"]
    assert taus[0] == 0.0 and taus[-1] < 2.0 == pytest.approx(data["tau_max"])
    np.testing.assert_allclose(data["utility"], example_4_1_utility(taus, 1.0), atol=1e-9)
    np.testing.assert_allclose(data["mean"], 1 / (3 - taus / 2), atol=1e-9)
    assert data["nash_utility"] == pytest.approx(-1 / 9)
    assert data["qre_utility"] == pytest.approx(-1 / 9 - 0.75)
    np.testing.assert_allclose(data["utility_minus_noise"], data["utility"] + 0.75, atol=1e-12)
    assert data["utility_minus_noise"][0] == pytest.approx(data["nash_utility"])
    assert data["utility_minus_noise"].max() == pytest.approx(data["optimum_utility"], abs=1e-4)
    # rises to the welfare optimum at tau eps = 1, then falls; J keeps increasing
    assert taus[np.argmax(data["utility"])] == pytest.approx(1.0, abs=0.03)
    assert np.all(np.diff(data["reward"]) > 0)


def test_collaborate_defect_is_example_4_2():
    game = library.get("collaborate_defect")
    np.testing.assert_allclose(game.costs[0], [0.4, 0.0])
    np.testing.assert_allclose(game.payoffs[0], [[0.6, 0.6], [1.0, 0.0]])
    np.testing.assert_allclose(game.payoffs[1], [[0.6, 1.0], [0.6, 0.0]])


def _rqe_residual(game, x1, x2, tau, epsilon):
    """KL + entropy stationarity (docs/rqe-math.md section 4), computed here independently of the solver."""
    profile = (np.array([x1, 1 - x1]), np.array([x2, 1 - x2]))
    worst = 0.0
    for i in range(2):
        M = game.payoff_matrix(i)
        p = profile[1 - i] * np.exp(-tau * (M.T @ profile[i]))
        z = M @ (p / p.sum()) / epsilon
        x = np.exp(z - z.max())
        worst = max(worst, float(np.abs(x / x.sum() - profile[i]).max()))
    return worst


def test_panel_ii_pitchfork_and_png(tmp_path):
    pytest.importorskip("rqe.solvers.rqe")
    pytest.importorskip("matplotlib")
    taus = np.geomspace(0.05, 20.0, 14)
    data = {"utility": example_4_1_curve(points=40), "pitchfork": pitchfork_branches(taus, 0.2)}
    p = data["pitchfork"]
    game = library.get("collaborate_defect")
    # three RQE (symmetric + two free-riding) for small tau, one for large tau
    assert p["count"][0] == 3 and p["count"][-1] == 1
    assert np.all(np.diff(p["count"]) <= 0)
    split = int(np.argmax(p["count"] == 1))
    assert taus[split - 1] < p["bifurcation"] <= taus[split]
    assert 0.5 < p["bifurcation"] < 1.2
    for k, tau in enumerate(taus):
        assert np.isfinite(p["symmetric"][k])
        assert _rqe_residual(game, p["symmetric"][k], p["symmetric"][k], tau, 0.2) < 1e-8
        if p["count"][k] == 3:
            upper, lower = p["upper"][k], p["lower"][k]
            assert upper > p["symmetric"][k] > lower
            # the free-riding pair are mirror images: (upper, lower) and (lower, upper)
            assert _rqe_residual(game, upper, lower, tau, 0.2) < 1e-8
        else:
            assert np.isnan(p["upper"][k]) and np.isnan(p["lower"][k])
    # the branches merge: the gap closes as tau approaches the bifurcation
    gaps = (p["upper"] - p["lower"])[: split]
    assert np.all(np.diff(gaps) < 0)
    files = srpo_fig1(tmp_path, data=data)
    png, json_path = files
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    stored = json.loads(json_path.read_text())
    np.testing.assert_allclose(stored["utility"]["utility"], data["utility"]["utility"])
    assert stored["pitchfork"]["count"] == p["count"].tolist()


def test_figure_command(tmp_path):
    pytest.importorskip("rqe.solvers.rqe")
    pytest.importorskip("matplotlib")
    from rqe.cli import main

    assert main(["figure", "srpo-fig1", "--out", str(tmp_path), "--points", "30", "--branch-points", "6"]) == 0
    data = json.loads((tmp_path / "srpo-fig1.json").read_text())
    assert len(data["utility"]["taus"]) == 30 and len(data["pitchfork"]["taus"]) == 6
    assert data["pitchfork"]["count"][0] == 3 and data["pitchfork"]["count"][-1] == 1
    assert (tmp_path / "srpo-fig1.png").stat().st_size > 10_000
