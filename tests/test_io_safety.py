"""rqe.io under hostile conditions: size limits read from headers, huge integers, unencodable titles, and
writers that never damage an existing file (full disk, read-only folder, converting a file onto itself)."""

import errno
import tracemalloc
from pathlib import Path

import pytest

import rqe._files
from rqe import Game
from rqe.cli import main
from rqe.errors import FileFormatError, OutputError, ParameterError, ProblemSizeError
from rqe.io import loads, read_game, write_game

# 25 players with 2 strategies each: 2**25 profiles x 25 payoffs = 6.25 GiB as float64
TWENTY_FIVE_PLAYERS = ('NFG 1 R "big" { ' + " ".join(f'"{k}"' for k in range(25)) + " }\n"
                       "{ " + " ".join(["2"] * 25) + " }\n\n1 2 3\n")


def test_header_size_checked_before_any_allocation():
    tracemalloc.start()
    try:
        with pytest.raises(ProblemSizeError) as info:
            loads(TWENTY_FIVE_PLAYERS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert "25 players" in message and "8.389e+08 payoff entries" in message and "max_payoffs" in message
    assert peak < 2**20  # nothing near the 6.25 GiB the header asks for


def test_size_limit_can_be_raised():
    text = 'NFG 1 R "" { "1" "2" } { 3 3 }\n\n' + " ".join(map(str, range(18))) + "\n"
    with pytest.raises(ProblemSizeError, match="18 payoff entries"):
        loads(text, max_payoffs=17)
    assert loads(text, max_payoffs=18).shape == (3, 3)
    # a raised limit still reads nothing that is not there: the body is short, and says so
    with pytest.raises(FileFormatError, match="needs 838860800 payoffs"):
        loads(TWENTY_FIVE_PLAYERS, max_payoffs=1e9)
    for bad in (0, -1, "x", True, float("nan")):
        with pytest.raises(ParameterError, match="max_payoffs"):
            loads(text, max_payoffs=bad)


def test_huge_strategy_counts_do_not_overflow_the_message():
    text = 'NFG 1 R "" { ' + '"p" ' * 31 + "} { " + "999999999999999999 " * 31 + "}"
    with pytest.raises(ProblemSizeError, match="about 1e"):
        loads(text)


@pytest.mark.parametrize("value", ["1" + "0" * 400, "-" + "9" * 400])
def test_json_integers_beyond_float_range(value):
    text = '{"payoffs": [[[1, %s]]]}' % value
    with pytest.raises(FileFormatError, match="outside the float64 range"):
        loads(text)


@pytest.mark.parametrize("payoff", ['"1+2j"', '"2j"', '"(1+0j)"', '"nan"', '"inf"'])
def test_complex_and_special_strings_refused(payoff):
    with pytest.raises(FileFormatError, match="not a number"):
        loads('{"payoffs": [[[1, %s]]]}' % payoff)


def test_json_lone_surrogate_title_refused_on_read():
    with pytest.raises(FileFormatError, match="lone surrogate"):
        loads('{"title": "bad \\ud800", "payoffs": [[[1, 2]]]}')


def _fail(exc):
    def raiser(*args, **kwargs):
        raise exc
    return raiser


def _files(folder):
    return sorted(p.name for p in Path(folder).iterdir())


@pytest.mark.parametrize("fmt", ["nfg", "json"])
def test_full_disk_leaves_the_old_file_intact(tmp_path, monkeypatch, fmt):
    target = tmp_path / f"game.{fmt}"
    old = Game.zero_sum([[1, -1], [-1, 1]], title="old")
    write_game(old, target)
    before = target.read_bytes()
    monkeypatch.setattr(rqe._files.os, "fsync", _fail(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OutputError, match="No space left"):
        write_game(Game.zero_sum([[2, -2], [-2, 2]], title="new"), target)
    assert target.read_bytes() == before
    assert _files(tmp_path) == [target.name]


def test_read_only_folder_gives_output_error(tmp_path, monkeypatch):
    monkeypatch.setattr(rqe._files.tempfile, "mkstemp", _fail(PermissionError(errno.EACCES, "Permission denied")))
    with pytest.raises(OutputError, match="Permission denied"):
        write_game(Game.zero_sum([[1]]), tmp_path / "game.nfg")
    assert _files(tmp_path) == []


@pytest.mark.parametrize("fmt", ["nfg", "json"])
def test_lone_surrogate_title_gives_output_error_and_no_file(tmp_path, fmt):
    game = Game.zero_sum([[1, -1], [-1, 1]], title="bad \ud800 title")
    target = tmp_path / f"game.{fmt}"
    with pytest.raises(OutputError, match="not valid utf-8"):
        write_game(game, target)
    assert _files(tmp_path) == []
    target.write_text("keep me")
    with pytest.raises(OutputError):
        write_game(game, target)
    assert target.read_text() == "keep me"


def test_cli_convert_onto_itself_on_a_full_disk(tmp_path, monkeypatch, capsys):
    target = tmp_path / "g.nfg"
    write_game(Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], title="PD"), target)
    before = target.read_bytes()
    monkeypatch.setattr(rqe._files.os, "fsync", _fail(OSError(errno.ENOSPC, "No space left on device")))
    assert main(["convert", str(target), str(target), "--outcome-version"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rqe: error:") and err.count("\n") == 1 and "No space left" in err
    assert target.read_bytes() == before
    assert _files(tmp_path) == ["g.nfg"]
    monkeypatch.undo()
    assert main(["convert", str(target), str(target), "--outcome-version", "--check"]) == 0
    assert read_game(target) == read_game(before.decode())


@pytest.mark.parametrize("text,fragment", [
    ('{"payoffs": [[[1, %s]]]}' % ("1" + "0" * 400), "outside the float64 range"),
    (TWENTY_FIVE_PLAYERS, "max_payoffs"),
    ('{"title": "\\ud800", "payoffs": [[[1, 2]]]}', "lone surrogate"),
])
def test_cli_show_gives_one_error_line(tmp_path, capsys, text, fragment):
    target = tmp_path / ("game.json" if text.startswith("{") else "game.nfg")
    target.write_text(text)
    assert main(["show", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rqe: error:") and err.count("\n") == 1 and fragment in err
