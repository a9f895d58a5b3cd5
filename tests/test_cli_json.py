"""Every ``--json`` of the ``rqe`` command prints one document that validates against ``rqe.cli_json.SCHEMA``,
with strategies keyed by the game's player and action names."""

import json
from pathlib import Path

import numpy as np
import pytest

from rqe import cli, library
from rqe.cli_json import SCHEMA, SCHEMA_ID, keys

jsonschema = pytest.importorskip("jsonschema")
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def run_json(capfd, *argv, status=0):
    code = cli.main([*argv, "--json"])
    out, err = capfd.readouterr()
    assert code == status, err
    document = json.loads(out)          # stdout is exactly one document
    errors = sorted(VALIDATOR.iter_errors(document), key=str)
    assert not errors, [e.message for e in errors[:3]]
    assert document["schema"] == SCHEMA_ID and document["command"] == argv[0]
    return document


def check_strategies(document, game):
    players = keys(game.player_names)
    assert document["game"]["players"] == players
    for result in document["results"]:
        for eq in result["equilibria"]:
            assert list(eq["strategies"]) == players
            for i, p in enumerate(players):
                assert list(eq["strategies"][p]) == keys(game.action_names[i])
                np.testing.assert_allclose(list(eq["strategies"][p].values()), eq["profile"][i])
            np.testing.assert_allclose(list(eq["payoffs"].values()),
                                       game.expected_payoffs([np.array(x) for x in eq["profile"]]),
                                       atol=1e-9 * (np.ptp(game.payoffs) or 1.0))


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_rejects_a_document_of_another_shape():
    assert not VALIDATOR.is_valid({"game": "stag_hunt", "equilibria": []})
    bad = {"schema": SCHEMA_ID, "command": "solve", "game": None, "notes": [], "data": {},
           "results": [{"concept": "nash", "method": "m", "converged": True, "parameters": {},
                        "equilibria": [{"strategies": [[1, 0], [1, 0]], "payoffs": [4, 4], "welfare": 8,
                                        "residual": 0, "free_riding": None}]}]}
    assert not VALIDATOR.is_valid(bad)   # strategies as bare lists, without action names


def test_games_and_show(capfd):
    document = run_json(capfd, "games")
    assert [g["name"] for g in document["data"]["games"]] == library.names()
    run_json(capfd, "games", "stag_hunt")
    document = run_json(capfd, "show", "collaborate_defect")
    from rqe.io import loads

    assert loads(json.dumps(document["game"]["file"])) == library.get("collaborate_defect")
    assert document["game"]["costs"] == {"1": {"C": 0.4, "D": 0.0}, "2": {"C": 0.4, "D": 0.0}}


@pytest.mark.parametrize("concept,extra", [("nash", []), ("qre", ["--lam", "2"]), ("ce", []),
                                           ("rqe", ["--tau", "0.1", "--epsilon", "0.2", "--n-starts", "8",
                                                    "--seed", "0"])])
def test_solve(capfd, concept, extra):
    game = library.get("collaborate_defect")
    document = run_json(capfd, "solve", "collaborate_defect", "--concept", concept, *extra)
    check_strategies(document, game)
    result = document["results"][0]
    if concept == "ce":
        assert "correlated" in result
        return
    for eq in result["equilibria"]:   # the free-riding degree beside each equilibrium
        costs = [float(np.dot(c, x)) for c, x in zip(game.costs, eq["profile"])]
        assert eq["free_riding"] == pytest.approx(max(costs) - min(costs), abs=1e-12 * np.ptp(game.costs[0]))
    if concept == "rqe":   # tau = 0.1 < 0.8288: the symmetric RQE and two free-riding ones
        degrees = sorted(eq["free_riding"] for eq in result["equilibria"])
        assert len(degrees) == 3 and degrees[0] < 1e-9 and degrees[1] > 0.2


def test_compare_and_convert(capfd, tmp_path):
    game = library.get("stag_hunt")
    document = run_json(capfd, "compare", "stag_hunt")
    assert [r["concept"] for r in document["results"]] == ["nash", "qre", "rqe", "ce"]
    check_strategies(document, game)
    document = run_json(capfd, "convert", "stag_hunt", str(tmp_path / "g.nfg"))
    assert document["data"]["output"] == str(tmp_path / "g.nfg") and (tmp_path / "g.nfg").exists()


def test_verify_on_a_game_and_on_ensembles(capfd, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = run_json(capfd, "verify", "collaborate_defect", "--epsilon", "0.2", "--delta", "0.1")
    assert document["data"]["holds"] is True and document["data"]["bound"] == pytest.approx(246.18071, rel=1e-6)
    check_strategies(document, library.get("collaborate_defect"))
    document = run_json(capfd, "verify", "--class", "thm4.1-quadratic", "--n", "2", "--backend", "serial",
                        "--no-progress")
    assert document["data"]["rows"][0]["class"] == "thm4.1-quadratic"
    assert list(tmp_path.iterdir()) == []          # no --out: no file written


def test_plot_and_figure(capfd, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "table.png"
    document = run_json(capfd, "plot", "payoff-table", "stag_hunt", "--out", str(out))
    assert document["data"]["files"] == [str(out)] and out.stat().st_size > 1000
    document = run_json(capfd, "figure", "srpo-fig1", "--out", str(tmp_path / "fig"), "--points", "5",
                        "--branch-points", "4")
    assert document["data"]["files"] and all(Path(p).exists() for p in document["data"]["files"])


def test_openspiel(capfd):
    pytest.importorskip("pyspiel")
    document = run_json(capfd, "openspiel", "matrix_sh")
    assert document["game"]["actions"] == {"1": ["Stag", "Hare"], "2": ["Stag", "Hare"]}
    assert len(document["results"][0]["equilibria"]) == 3
    document = run_json(capfd, "openspiel", "kuhn_poker", "--concept", "agent_qre", "--lam", "2")
    strategies = document["results"][0]["equilibria"][0]["strategies"]   # the behaviour the text output prints
    assert set(strategies) == {"player 0", "player 1"}
    for infosets in strategies.values():
        for probabilities in infosets.values():
            assert set(probabilities) == {"Pass", "Bet"} and sum(probabilities.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["rqe.cli_json", "rqe.analysis.cli", "rqe.analysis.free_riding", "rqe.plot_cli",
                                  "rqe.openspiel.cli", "rqe.game", "rqe._optional"])
def test_docstring_examples_of_the_command_line_modules(name):
    import doctest
    import importlib

    if name == "rqe.openspiel.cli":
        pytest.importorskip("pyspiel")
    if name == "rqe.plot_cli":
        pytest.importorskip("matplotlib")
    failures, _ = doctest.testmod(importlib.import_module(name),
                                  optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_solvers_take_a_pair_of_arrays_or_show_the_fix():
    import rqe
    from rqe.errors import GameError

    A, B = [[4, 0], [3, 3]], [[4, 3], [0, 3]]
    game = rqe.Game.from_bimatrix(A, B)
    assert len(rqe.solve_nash((A, B)).equilibria) == len(rqe.solve_nash(game).equilibria) == 3
    np.testing.assert_array_equal(rqe.solve_qre((A, B), 2.0).strategies[0], rqe.solve_qre(game, 2.0).strategies[0])
    np.testing.assert_array_equal(rqe.solve_rqe((np.array(A), np.array(B)), 1.0, 0.5).strategies[0],
                                  rqe.solve_rqe(game, 1.0, 0.5).strategies[0])
    for bad in (np.array(A), [A, [[1, 2, 3]]], "stag_hunt"):
        with pytest.raises(GameError, match=r"rqe\.Game\.from_bimatrix\(A, B\)"):
            rqe.solve_rqe(bad, 1.0, 0.5)
        with pytest.raises(GameError, match=r"rqe\.Game\.from_bimatrix\(A, B\)"):
            rqe.solve_nash(bad)


def test_every_command_with_json_is_covered_here():
    import argparse

    from tests.docs_cli_reference import commands

    with_json = {prog for prog, parser in commands(cli.build_parser()).items()
                 if any("--json" in a.option_strings for a in parser._actions if isinstance(a, argparse.Action))}
    covered = {"rqe games", "rqe show", "rqe solve", "rqe compare", "rqe convert", "rqe verify", "rqe figure",
               "rqe plot", "rqe openspiel"}
    assert with_json <= covered, f"add a schema test for {sorted(with_json - covered)}"
    assert {"rqe games", "rqe show", "rqe solve", "rqe compare", "rqe verify"} <= with_json


def test_verify_counterexample_and_replay(capfd, tmp_path):
    document = run_json(capfd, "verify", "--class", "false-j-decreasing", "--n", "2", "--backend", "serial",
                        "--no-progress", "--out", str(tmp_path), status=1)
    assert document["data"]["failed"] is True
    files = sorted(tmp_path.glob("counterexample-false-j-decreasing-*.json"))
    assert len(files) == 2 and (tmp_path / "verify.json").exists()
    document = run_json(capfd, "verify", "--replay", str(files[0]), status=1)
    assert document["data"]["holds"] is False


def test_the_documented_example_is_real_output(capfd):
    import re

    page = (Path(__file__).resolve().parents[1] / "docs" / "api" / "json.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", page, re.S).group(1))
    assert VALIDATOR.is_valid(example)
    actual = run_json(capfd, "solve", "stag_hunt")
    assert example["game"] == actual["game"]
    shown, real = example["results"][0], actual["results"][0]
    assert {k: v for k, v in real.items() if k != "equilibria"} == {k: v for k, v in shown.items()
                                                                   if k != "equilibria"}
    assert shown["equilibria"] == real["equilibria"][:1]     # "one of the three equilibria shown"
    assert len(real["equilibria"]) == 3
