"""``rqe plot``: each kind draws what the solvers compute (checked by the figure's data) and writes a file."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import rqe
from rqe.cli import main
from rqe.errors import GameError
from rqe.plot_cli import KINDS, _risk_averse, figure


def test_response_curves_cross_at_the_equilibria():
    game = rqe.library.get("stag_hunt")
    fig = figure("response-curves", game, lam=2.0, tau=1.0, epsilon=0.5)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    qre_row = lines["QRE lam=2: row"]
    qre = rqe.solve_qre(game, 2.0).strategies
    # the row player's logit response at the column player's QRE probability is the row player's QRE probability
    np.testing.assert_allclose(np.interp(qre[1][0], qre_row.get_xdata(), qre_row.get_ydata()), qre[0][0], atol=2e-3)
    rqe_eq = rqe.solve_rqe(game, 1.0, 0.5).strategies
    M = game.payoff_matrix(0)
    assert abs(_risk_averse(M, rqe_eq[1][0], 1.0, 0.5, "kl", "entropy") - rqe_eq[0][0]) < 1e-6


def test_branches_and_free_riding_show_the_pitchfork():
    game = rqe.library.get("collaborate_defect")
    fig = figure("rqe-branches", game, epsilon=0.2, tau_min=0.1, tau_max=5.0, points=8)
    assert len(fig.axes[0].get_lines()) >= 3 + 1          # three branches and the bifurcation line
    fig = figure("free-riding", game, epsilon=0.2, tau_min=0.1, tau_max=5.0, points=8)
    degrees = fig.axes[0].get_lines()[0].get_ydata()
    assert degrees[0] > 0.2 and degrees[-1] < 1e-6


def test_welfare_bars_match_the_solvers():
    game = rqe.library.get("stag_hunt")
    fig = figure("welfare", game)
    heights = [p.get_height() for p in fig.axes[0].patches]
    nash = sorted(e.welfare for e in rqe.solve_nash(game).equilibria)
    assert sorted(heights[:len(nash)]) == pytest.approx(nash)


def test_every_kind_writes_a_file(tmp_path, capsys):
    jobs = {"payoff-table": "stag_hunt", "qre-path": "stag_hunt", "phase-diagram": "stag_hunt",
            "dynamics": "rock_paper_scissors"}
    for kind, game in jobs.items():
        out = tmp_path / f"{kind}.png"
        extra = ["--points", "4", "--regularizer", "log_barrier"] if kind == "phase-diagram" else []
        assert main(["plot", kind, game, "--out", str(out), *extra]) == 0
        assert out.read_bytes().startswith(b"\x89PNG")
    assert set(jobs) <= set(KINDS)


def test_errors_name_the_problem():
    with pytest.raises(GameError, match="no private costs"):
        figure("free-riding", rqe.library.get("stag_hunt"), points=3)
    with pytest.raises(GameError, match="3 actions"):
        figure("dynamics", rqe.library.get("stag_hunt"))
    assert main(["plot", "response-curves", "rock_paper_scissors", "--out", "x.png"]) == 2
