"""Theorem checks on finite games (they need the RQE and Nash solvers)."""

import numpy as np
import pytest

pytest.importorskip("rqe.solvers.rqe")

from rqe import Game  # noqa: E402
from rqe.analysis.free_riding import free_riding_degree  # noqa: E402
from rqe.analysis.theorems import (  # noqa: E402
    check_theorem_4_2,
    check_tractable_monotone,
    compare_rqe_nash_welfare,
    random_symmetric_collaborative,
    solve_rqe_multistart,
    theorem_4_2_bound,
)
from rqe.analysis.verify import run_verification  # noqa: E402
from rqe.errors import GameError  # noqa: E402

COLLAB = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])


def _kl_entropy_residual(game, profile, tau, epsilon):
    """Stationarity of docs/rqe-math.md section 4 with KL + entropy: x = softmax(M p / eps), p ∝ x_-i exp(-tau M^T x)."""
    worst = 0.0
    for i in range(2):
        M = game.payoff_matrix(i)
        q = profile[1 - i]
        p = q * np.exp(-tau * (M.T @ profile[i]))
        p /= p.sum()
        z = M @ p / epsilon
        x = np.exp(z - z.max())
        worst = max(worst, float(np.abs(x / x.sum() - profile[i]).max()))
    return worst


def test_bound_formula():
    # v_min = 0 - 0.4, v_max = 1 - 0, vbar = 1.4; n = 2
    expected = 2 * (0.2 * np.log(2) + 1.4) * 0.4**2 / (0.2 * 0.1**2)
    assert theorem_4_2_bound(COLLAB, 0.2, 0.1) == pytest.approx(expected)
    with pytest.raises(GameError):
        theorem_4_2_bound(Game.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]]), 0.2, 0.1)


def test_free_riding_rqe_below_the_bound_and_none_above():
    below = check_theorem_4_2(COLLAB, 0.1, 0.2, 0.1, rng=np.random.default_rng(0))
    assert below.details["equilibria"] == 3 and not below.holds and below.margin < -0.1
    tau = 1.01 * theorem_4_2_bound(COLLAB, 0.2, 0.1)
    above = check_theorem_4_2(COLLAB, tau, 0.2, 0.1, rng=np.random.default_rng(0))
    assert above.holds and above.checks == 1 and above.margin > 0


def test_multistart_finds_the_three_collaborate_defect_rqe():
    result = solve_rqe_multistart(COLLAB, 0.1, 0.2, rng=np.random.default_rng(1))
    collaborate = sorted(float(eq.strategies[0][0]) for eq in result.equilibria)
    assert len(collaborate) == 3
    for eq in result.equilibria:
        assert _kl_entropy_residual(COLLAB, eq.strategies, 0.1, 0.2) < 1e-8
    degrees = sorted(free_riding_degree(COLLAB, eq) for eq in result.equilibria)
    assert degrees[0] == pytest.approx(0.0, abs=1e-9)
    assert degrees[1] == pytest.approx(degrees[2]) and degrees[1] > 0.2


def test_theorem_4_2_on_random_symmetric_collaborative_games():
    rng = np.random.default_rng(4)
    for n_actions in (2, 3):
        for _ in range(5):
            game = random_symmetric_collaborative(rng, n_actions)
            assert game.is_symmetric()
            c = game.costs[0]
            delta = 0.5 * (c.max() - c.min())
            result = check_theorem_4_2(game, 1.01 * theorem_4_2_bound(game, 0.3, delta), 0.3, delta, rng=rng)
            assert result.holds and result.inconclusive == 0


def test_verify_classes_on_finite_games(tmp_path):
    report = run_verification(["thm4.2-collab-2x2", "welfare-collab-3x3", "tractable-2x2"], n=6, seed=1,
                              backend="serial", progress=False, out=tmp_path)
    rows = {row["class"]: row for row in report.rows}
    assert rows["thm4.2-collab-2x2"]["counterexamples"] == 0 and rows["thm4.2-collab-2x2"]["passed"] >= 6
    assert rows["welfare-collab-3x3"]["summary"]["games"] == 6
    assert rows["tractable-2x2"]["verdict"] == "ok"
    assert not report.failed


def test_welfare_comparison_collaborate_defect():
    data = compare_rqe_nash_welfare(COLLAB, 5.0, 0.2, rng=np.random.default_rng(0))
    assert data["converged"] and data["nash_count"] == 3
    assert data["nash_worst"] == pytest.approx(1.2) and data["nash_best"] == pytest.approx(1.6)
    assert data["rqe_count"] == 1 and data["optimum"] == pytest.approx(1.6)


def test_tractable_monotone_closed_form():
    game = Game(np.random.default_rng(0).uniform(-1, 1, (2, 2, 2)))
    result = check_tractable_monotone(game, 2.0, 0.6, penalty="kl", regularizer="log_barrier")
    assert result.checks == result.passed == 6 and result.margin >= 0
    assert check_tractable_monotone(game, 1.0, 0.5, penalty="kl", regularizer="log_barrier").checks == 0
