"""`rqe solve openspiel:...` (foundation CLI delegating the spec) and the `rqe openspiel` command."""

import json

import pytest

pytest.importorskip("pyspiel")

from rqe.cli import main  # noqa: E402


def test_solve_openspiel_matrix_game(capsys):
    assert main(["solve", "openspiel:matrix_pd", "--concept", "nash", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["equilibria"][0]["profile"] == [[0.0, 1.0], [0.0, 1.0]]  # both defect


def test_solve_kuhn_qre_via_reduced_normal_form(capsys):
    assert main(["solve", "openspiel:kuhn_poker", "--concept", "qre", "--lam", "5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["converged"] is True
    payoffs = list(result["equilibria"][0]["payoffs"].values())
    assert abs(payoffs[0] + payoffs[1]) < 1e-12 and -0.1 < payoffs[0] < 0.1


def test_openspiel_command_agent_qre(capsys):
    assert main(["openspiel", "kuhn_poker", "--concept", "agent_qre", "--lam", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["converged"] is True and result["equilibria"][0]["residual"] < 1e-10
    assert 0 < result["exploitability"] < 0.2


def test_openspiel_command_nash_text(capsys):
    assert main(["openspiel", "openspiel:kuhn_poker", "--concept", "nash"]) == 0
    out = capsys.readouterr().out
    assert "exploitability (OpenSpiel)" in out and "player 0 at '0'" in out


def test_unknown_game_is_a_user_error(capsys):
    assert main(["solve", "openspiel:no_such_game", "--concept", "nash"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rqe: error:") and "no game 'no_such_game'" in err and err.count("\n") == 1
