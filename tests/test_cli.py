"""Tests for the ``rqe`` command line, called in-process through ``rqe.cli.main``."""

import json
from pathlib import Path

import numpy as np
import pytest

from rqe import cli, library
from rqe.io import read_game
from rqe.solvers import CONCEPTS

DATA = Path(__file__).parent / "data" / "nfg"


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fake_solvers(monkeypatch):
    """Route concepts to the stand-in solvers: nash -> pure enumeration, qre -> an unconverged result,
    rqe -> a module that does not exist, ce -> unchanged."""
    monkeypatch.setitem(CONCEPTS, "nash", ("tests.fake_solvers", "solve_pure"))
    monkeypatch.setitem(CONCEPTS, "qre", ("tests.fake_solvers", "solve_unconverged"))
    monkeypatch.setitem(CONCEPTS, "rqe", ("rqe.solvers._no_such_module", "solve_rqe"))
    monkeypatch.setitem(CONCEPTS, "ce", ("rqe.solvers._no_such_module_either", "solve_correlated"))
    monkeypatch.setitem(cli.DEFAULTS, "nash", {"method": "pure"})


def assert_user_error(code, out, err, fragment):
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("rqe: error: ")
    assert fragment in lines[0]


def test_games_lists_every_library_game(capsys):
    code, out, err = run(capsys, "games")
    assert code == 0 and err == ""
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert listed == library.names()


def test_games_describes_one(capsys):
    code, out, _ = run(capsys, "games", "collaborate_defect")
    assert code == 0
    assert out.startswith("collaborate_defect(cost=0.4, n_players=2, reward=1.0)")
    assert "Example 4.2" in out


def test_show_bimatrix(capsys):
    code, out, _ = run(capsys, "show", "prisoners_dilemma")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Prisoner's dilemma: 2 players, 2x2 actions"
    assert lines[2].split() == ["C", "3,", "3", "0,", "5"]
    assert lines[3].split() == ["D", "5,", "0", "1,", "1"]
    assert "properties: symmetric" in out


def test_show_three_players_and_costs(capsys):
    code, out, _ = run(capsys, "show", "collaborate_defect:n_players=3,cost=0.25")
    assert code == 0
    assert "D  D  D     0     0     0" in out
    assert "C  D  D  0.75     1     1" in out
    assert "private costs: 1: C=0.25, D=0" in out


def test_show_json_is_the_game(capsys):
    code, out, _ = run(capsys, "show", "minimum_effort:n_levels=3", "--json")
    assert code == 0
    from rqe.io import loads

    assert loads(json.dumps(json.loads(out)["game"]["file"])) == library.get("minimum_effort", n_levels=3)


def test_solve_table_and_json(capsys, fake_solvers):
    code, out, err = run(capsys, "solve", "stag_hunt")
    assert code == 0 and err == ""
    assert "method fake_pure, converged yes" in out
    assert "Stag=1.0000 Hare=0.0000" in out and "Stag=0.0000 Hare=1.0000" in out

    code, out, _ = run(capsys, "solve", "stag_hunt", "--json")
    assert code == 0
    whole = json.loads(out)
    assert set(whole) == {"schema", "command", "game", "results", "notes", "data"}
    assert whole["game"]["spec"] == "stag_hunt" and whole["command"] == "solve"
    (document,) = whole["results"]
    assert document["concept"] == "nash"
    assert document["method"] == "fake_pure" and document["converged"] is True
    assert document["parameters"] == {"method": "pure", "scale": 1.0}
    assert [eq["profile"] for eq in document["equilibria"]] == [[[1, 0], [1, 0]], [[0, 1], [0, 1]]]
    assert document["equilibria"][0]["strategies"] == {"1": {"Stag": 1, "Hare": 0}, "2": {"Stag": 1, "Hare": 0}}
    assert [eq["payoffs"] for eq in document["equilibria"]] == [{"1": 4, "2": 4}, {"1": 3, "2": 3}]
    assert [eq["welfare"] for eq in document["equilibria"]] == [8, 6]
    assert all(eq["residual"] == 0 for eq in document["equilibria"])


def test_solve_passes_options_and_reports_non_convergence(capsys, fake_solvers):
    code, out, _ = run(capsys, "solve", "matching_pennies", "--concept", "qre", "--lam", "2,3", "--json")
    assert code == 0
    document = json.loads(out)["results"][0]
    assert document["parameters"] == {"lam": [2.0, 3.0]}
    assert document["converged"] is False
    code, out, _ = run(capsys, "solve", "matching_pennies", "--concept", "qre")
    assert "converged NO" in out and "lam=5" in out  # the documented default lam = 1 / 0.2


def test_solve_unavailable_concept_exit_2(capsys, fake_solvers):
    code, out, err = run(capsys, "solve", "stag_hunt", "--concept", "rqe", "--tau", "2", "--epsilon", "0.2")
    assert_user_error(code, out, err, "concept 'rqe' is not available")
    assert "available now: nash, qre" in err


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["solve", "no_such_game"], "neither a game of the library nor an existing file"),
        (["solve", "stag"], "did you mean stag_hunt"),
        (["show", "stag_hunt:stag=big"], "must be float-valued"),
        (["show", "stag_hunt:tau=1"], "no parameter 'tau'"),
        (["show", "stag_hunt:stag=1"], "stag > hare > sucker"),
        (["show", "missing_file.nfg"], "no such game file"),
        (["solve", "stag_hunt", "--concept", "nash", "--tau", "1"], "--tau does not apply to concept 'nash'"),
        (["solve", "stag_hunt", "--concept", "bogus"], "invalid choice: 'bogus'"),
        (["solve", "stag_hunt", "--tau", "abc"], "expected a number or one number per player"),
        (["solve"], "the following arguments are required: game"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["compare", "stag_hunt", "--concepts", "nash,foo"], "unknown concept 'foo'"),
        (["convert", "stag_hunt", "out.txt"], "cannot tell the format"),
    ],
)
def test_user_errors_one_line_exit_2(capsys, monkeypatch, tmp_path, argv, fragment):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "EXTENSIONS", [])  # the openspiel bridge is absent in this test
    code, out, err = run(capsys, *argv)
    assert_user_error(code, out, err, fragment)


def test_malformed_file_error_names_line_and_column(capsys, tmp_path):
    bad = tmp_path / "bad.nfg"
    bad.write_text('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 4\n5 6 7 oops\n')
    code, out, err = run(capsys, "show", str(bad))
    assert_user_error(code, out, err, "line 3, column 7")


def test_solver_parameter_error_exit_2(capsys, fake_solvers):
    code, out, err = run(capsys, "solve", "stag_hunt", "--method", "lemke")
    assert_user_error(code, out, err, "unknown method 'lemke'")


def test_compare_side_by_side_with_free_riding(capsys, fake_solvers):
    code, out, err = run(capsys, "compare", "collaborate_defect")
    assert code == 0 and err == ""
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("concept"))
    assert header.split() == ["concept", "eq", "strategies", "payoffs", "welfare", "free-riding"]
    nash_rows = [line for line in lines if "C=1.0000 D=0.0000 | C=0.0000 D=1.0000" in line]
    assert nash_rows and nash_rows[0].split()[-1] == "0.4"  # |E c_1 - E c_2| = 0.4 at (C, D)
    assert "1.6" in nash_rows[0]  # welfare 0.6 + 1
    assert "qre (lam=5) [not converged]" in out
    assert "rqe: not available in this version of rqe" in out
    assert "ce: not available in this version of rqe" in out


def test_compare_json(capsys, fake_solvers):
    code, out, _ = run(capsys, "compare", "stag_hunt", "--json", "--concepts", "nash,rqe")
    document = json.loads(out)
    assert [r["concept"] for r in document["results"]] == ["nash"]
    assert document["notes"] == ["rqe: not available in this version of rqe"]


@pytest.mark.parametrize("path", sorted(DATA.glob("*.nfg")), ids=lambda p: p.name)
def test_convert_round_trip(capsys, tmp_path, path):
    original = read_game(path)
    as_json = tmp_path / "game.json"
    back = tmp_path / "back.nfg"
    outcome = tmp_path / "outcome.nfg"
    assert run(capsys, "convert", str(path), str(as_json), "--check")[0] == 0
    assert run(capsys, "convert", str(as_json), str(back), "--check")[0] == 0
    assert run(capsys, "convert", str(back), str(outcome), "--outcome-version", "--check")[0] == 0
    for target in (as_json, back, outcome):
        again = read_game(target)
        assert again == original
    assert original.n_players in (2, 3)


def test_convert_three_player_file(capsys, tmp_path):
    source = DATA / "three_player_2x2x2.nfg"
    target = tmp_path / "copy.nfg"
    code, out, _ = run(capsys, "convert", str(source), str(target))
    assert code == 0 and "3 players, 2x2x2" in out
    assert read_game(target) == read_game(source)
    assert np.array_equal(read_game(target).payoffs, read_game(source).payoffs)


def test_convert_library_game_keeps_costs_in_json(capsys, tmp_path):
    target = tmp_path / "cd.json"
    assert run(capsys, "convert", "collaborate_defect", str(target))[0] == 0
    assert read_game(target) == library.get("collaborate_defect")


def test_extensions_registered_and_missing_ones_skipped(capsys, monkeypatch):
    monkeypatch.setattr(cli, "EXTENSIONS", ["rqe.no_such_area.cli", "tests.fake_cli_extension", "rqe.plot_cli"])
    code, out, _ = run(capsys, "hello", "--name", "rqe")
    assert code == 0 and out == "hello rqe\n"


def test_extension_with_broken_import_is_not_hidden(monkeypatch):
    monkeypatch.setattr(cli, "EXTENSIONS", ["tests.fake_broken_extension"])
    with pytest.raises(ModuleNotFoundError, match="rqe_module_that_does_not_exist"):
        cli.main(["games"])


def test_help_version_and_no_command(capsys):
    assert run(capsys, "--version")[0] == 0
    code, out, _ = run(capsys)
    assert code == 2 and "COMMAND" in out
    assert run(capsys, "solve", "--help")[0] == 0


def test_correlated_results_show_the_joint_distribution(capsys, fake_solvers, monkeypatch):
    monkeypatch.setitem(CONCEPTS, "ce", ("tests.fake_solvers", "solve_joint"))
    code, out, _ = run(capsys, "solve", "collaborate_defect", "--concept", "ce", "--kind", "cce")
    assert code == 0
    assert "C  D       0.5000" in out and "D  C       0.5000" in out
    assert "payoffs: 0.8, 0.8   welfare: 1.6" in out and "E[cost]: 0.2, 0.2" in out
    code, out, _ = run(capsys, "solve", "collaborate_defect", "--concept", "ce", "--json")
    document = json.loads(out)["results"][0]
    assert document["equilibria"] == [] and document["parameters"] == {"kind": "ce"}
    assert document["correlated"]["distribution"] == [[0.0, 0.5], [0.5, 0.0]]
    assert document["correlated"]["welfare"] == pytest.approx(1.6)
    code, out, _ = run(capsys, "compare", "collaborate_defect", "--concepts", "ce")
    row = next(line for line in out.splitlines() if line.startswith("ce"))
    assert "(C,D)=0.5000 (D,C)=0.5000" in row and row.split()[-1] == "0"  # marginals equal: no free-riding


def test_solver_chatter_on_stdout_does_not_break_json(capfd, fake_solvers, monkeypatch):
    monkeypatch.setitem(CONCEPTS, "nash", ("tests.fake_solvers", "solve_noisy"))
    code = cli.main(["solve", "stag_hunt", "--json"])
    out, err = capfd.readouterr()
    assert code == 0
    assert json.loads(out)["results"][0]["method"] == "fake_pure"
    assert "banner on stdout" in err and "and a Python print" in err


# ------------------------------------------------------------------------------------------ real solvers
@pytest.mark.parametrize("concept,extra", [("nash", []), ("qre", ["--lam", "2"]),
                                           ("rqe", ["--tau", "1.5", "--epsilon", "0.5"])])
def test_real_solvers_json_is_consistent_with_the_game(capfd, concept, extra):
    game = library.get("collaborate_defect")
    code = cli.main(["solve", "collaborate_defect", "--concept", concept, "--json", *extra])
    out, _ = capfd.readouterr()
    assert code == 0
    document = json.loads(out)["results"][0]
    assert document["concept"] == concept and document["equilibria"]
    for eq in document["equilibria"]:
        x = [np.array(s) for s in eq["profile"]]
        np.testing.assert_allclose(list(eq["payoffs"].values()), game.expected_payoffs(x), atol=1e-9)
        assert eq["welfare"] == pytest.approx(sum(eq["payoffs"].values()))
    if concept == "nash":  # (C, D), (D, C) and the symmetric mixed equilibrium P(C) = 0.6
        mixed = sorted(round(eq["profile"][0][0], 6) for eq in document["equilibria"])
        assert mixed == [0.0, 0.6, 1.0]
        assert all(game.nash_gap([np.array(s) for s in eq["profile"]]) < 1e-9 for eq in document["equilibria"])
    if concept == "qre":  # symmetric logit QRE: x = 1 / (1 + exp(lam (x - 0.6))) with lam = 2
        x = document["equilibria"][0]["strategies"]["1"]["C"]
        assert x == pytest.approx(1 / (1 + np.exp(2 * (x - 0.6))), abs=1e-8)
    if concept == "rqe":
        assert document["parameters"]["tau"] in (1.5, [1.5, 1.5])
        assert document["parameters"]["epsilon"] in (0.5, [0.5, 0.5])


def test_openspiel_specs_are_delegated(capsys, monkeypatch):
    import sys
    import types

    bridge = types.ModuleType("rqe.openspiel.cli")
    seen = []

    def load_game_spec(spec):
        seen.append(spec)
        return library.get("matching_pennies")

    bridge.load_game_spec = load_game_spec
    bridge.register = lambda subparsers: None
    monkeypatch.setitem(sys.modules, "rqe.openspiel.cli", bridge)
    code, out, _ = run(capsys, "show", "openspiel:matrix_mp")
    assert code == 0 and seen == ["openspiel:matrix_mp"] and "Matching pennies" in out


def test_openspiel_specs_without_the_bridge(capsys, monkeypatch):
    import sys

    monkeypatch.setattr(cli, "EXTENSIONS", [])
    monkeypatch.setitem(sys.modules, "rqe.openspiel.cli", None)  # makes the import fail as if it were absent
    code, out, err = run(capsys, "show", "openspiel:matrix_pd")
    assert_user_error(code, out, err, "need the module rqe.openspiel.cli")


# ------------------------------------------------------------------------------------------ everyday use
def test_mistyped_names_get_did_you_mean(capsys):
    code, out, err = run(capsys, "solve", "stag_hunr")
    assert_user_error(code, out, err, "did you mean stag_hunt?")
    code, out, err = run(capsys, "games", "prisoners_dilema")
    assert_user_error(code, out, err, "did you mean prisoners_dilemma")


def test_wide_tables_are_truncated(capsys, tmp_path):
    from rqe import Game
    from rqe.io import write_game

    rng = np.random.default_rng(0)
    names = [f"a very long plan name number {k} of the column player" for k in range(60)]
    game = Game.from_bimatrix(rng.normal(size=(70, 60)), rng.normal(size=(70, 60)),
                              action_names=([f"row plan {k}" for k in range(70)], names))
    path = tmp_path / "wide.json"
    write_game(game, path)
    code, out, _ = run(capsys, "show", str(path))
    assert code == 0
    assert max(len(line) for line in out.splitlines()) < 400
    assert "showing 64 of 70 rows and 8 of 60 columns" in out
    code, out, _ = run(capsys, "show", str(path), "--max-cols", "3", "--max-rows", "2")
    lines = out.splitlines()
    # title, note, header + 2 rows; the column names shortened alike, so labelled #k with a legend; properties
    assert len(lines) == 2 + 3 + 4 + 1
    assert lines[2].split()[-3:] == ["#1", "#2", "#3"] and lines[6:9] == [f"  #{k + 1} = {names[k]}" for k in range(3)]


def test_openspiel_typo_is_one_line_without_the_game_list(capfd):
    pytest.importorskip("pyspiel")
    code = cli.main(["show", "openspiel:kuhn_pokr"])
    out, err = capfd.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "did you mean kuhn_poker" in err and "tic_tac_toe" not in err


def test_help_texts_show_no_sphinx_roles(capsys):
    import re

    from tests.docs_cli_reference import commands

    role = re.compile(r":(?:func|mod|class|meth|data|attr):`")
    for prog, parser in commands(cli.build_parser()).items():
        assert not role.search(parser.format_help()), prog


def test_solve_and_compare_list_every_rqe_with_its_free_riding(capsys):
    argv = ["collaborate_defect", "--tau", "0.1", "--epsilon", "0.2", "--n-starts", "8", "--seed", "0"]
    code, out, _ = run(capsys, "solve", *argv, "--concept", "rqe")
    assert code == 0 and "free-riding" in out.splitlines()[2] and "3 equilibria" in out
    rows = [line for line in out.splitlines() if "C=" in line and len(line.split()) == 9]   # an equilibrium's first row
    assert sorted(float(line.split()[-1]) for line in rows) == [0.0, pytest.approx(0.2692, abs=1e-4),
                                                                 pytest.approx(0.2692, abs=1e-4)]
    code, out, _ = run(capsys, "compare", *argv, "--concepts", "rqe")
    assert code == 0 and len([line for line in out.splitlines() if "C=" in line]) == 3


def test_verify_a_users_game(capsys, tmp_path):
    code, out, _ = run(capsys, "verify", "collaborate_defect", "--epsilon", "0.2", "--delta", "0.1")
    assert code == 0 and "tau > 246.181" in out and "verdict: holds" in out
    code, out, _ = run(capsys, "verify", "collaborate_defect", "--tau", "0.1", "--delta", "0.1")
    assert code == 0 and "3 found" in out and "not a test of the theorem" in out

    from rqe import Game
    from rqe.io import write_game

    asymmetric = tmp_path / "asym.json"
    write_game(Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.3, 0.0]]), asymmetric)
    code, out, err = run(capsys, "verify", str(asymmetric))
    assert_user_error(code, out, err, "needs both players to have the same costs")
    code, out, err = run(capsys, "verify", "stag_hunt")
    assert_user_error(code, out, err, "has no private costs")


def test_missing_matplotlib_is_reported_before_any_work(capsys, monkeypatch, tmp_path):
    import sys

    import rqe.analysis.figures as figures

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setattr(figures, "srpo_fig1", lambda *a, **k: pytest.fail("computed before the check"))
    code, out, err = run(capsys, "figure", "srpo-fig1", "--out", str(tmp_path))
    assert_user_error(code, out, err, "pip install 'rqe[plot]'")
    code, out, err = run(capsys, "plot", "payoff-table", "stag_hunt", "--out", str(tmp_path / "x.png"))
    assert_user_error(code, out, err, "pip install 'rqe[plot]'")


@pytest.mark.parametrize("argv,fragment", [
    (["verify", "collaborate_defect", "--class", "thm4.1"], "--class apply to the random ensembles"),
    (["verify", "--delta", "0.1"], "--delta need a GAME"),
])
def test_verify_options_of_the_other_mode_are_refused(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert_user_error(code, out, err, fragment)


@pytest.mark.parametrize("argv,fragment", [
    (["sovle", "stag_hunt"], "did you mean 'solve'?"),
    (["solve", "stag_hunt", "--concept", "qer"], "did you mean 'rqe' or 'qre'?"),
])
def test_mistyped_commands_and_choices_get_did_you_mean(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert_user_error(code, out, err, fragment)
