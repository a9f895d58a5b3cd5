"""Tests for rqe.io: Gambit .nfg and JSON reading/writing, round trips, errors with positions, fuzzing."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rqe import Game
from rqe.errors import FileFormatError, ProblemSizeError, RQEError
from rqe.io import dumps, loads, parse_number, read_game, write_game

DATA = Path(__file__).parent / "data" / "nfg"
NFG_FILES = sorted(DATA.glob("*.nfg"))


def test_data_files_present():
    assert len(NFG_FILES) >= 5


def test_outcome_version_selten_chmura_game1():
    game = read_game(DATA / "selten_chmura_game1.nfg")
    assert game.title == "Selten and Chmura (2008), game 1"
    assert game.player_names == ("Row", "Column")
    assert game.action_names == (("U", "D"), ("L", "R"))
    np.testing.assert_array_equal(game.payoffs[0], [[10, 0], [9, 10]])
    np.testing.assert_array_equal(game.payoffs[1], [[8, 18], [9, 8]])
    assert game.is_constant_sum()


def test_three_player_outcome_version_with_null_outcome():
    game = read_game(DATA / "three_player_2x2x2.nfg")
    assert game.shape == (2, 2, 2)
    # profile (V, V, V): every player pays the cost 3/10 and gets the benefit 1
    np.testing.assert_array_equal(game.pure_payoffs((0, 0, 0)), [0.7, 0.7, 0.7])
    # player 1 ignores, the others volunteer
    np.testing.assert_array_equal(game.pure_payoffs((1, 0, 0)), [1.0, 0.7, 0.7])
    np.testing.assert_array_equal(game.pure_payoffs((0, 1, 1)), [0.7, 1.0, 1.0])
    # outcome 0 (the null outcome) gives zero to everyone
    np.testing.assert_array_equal(game.pure_payoffs((1, 1, 1)), [0, 0, 0])
    assert game.is_symmetric()


def test_payoff_version_order_player_one_fastest():
    game = read_game(DATA / "three_player_payoff_version.nfg")
    assert game.shape == (3, 2, 2)
    assert game.action_names == (("1", "2", "3"), ("1", "2"), ("1", "2"))
    # first line: profiles (1,1,1), (2,1,1), (3,1,1); second line starts with (1,2,1)
    np.testing.assert_array_equal(game.pure_payoffs((0, 0, 0)), [1, 0, 2])
    np.testing.assert_array_equal(game.pure_payoffs((1, 0, 0)), [0, 1, 1])
    np.testing.assert_array_equal(game.pure_payoffs((2, 0, 0)), [-1, 2, 0])
    np.testing.assert_array_equal(game.pure_payoffs((0, 1, 0)), [2, 2, 0])
    np.testing.assert_array_equal(game.pure_payoffs((2, 1, 1)), [4, 1, 0])


def test_rationals_are_parsed_exactly():
    game = read_game(DATA / "rational_payoffs.nfg")
    assert game.payoffs[0, 0, 0] == 1.5
    assert game.payoffs[1, 0, 0] == float(Fraction(-1, 3))
    assert game.payoffs[0, 2, 0] == float(Fraction(1, 7))
    assert game.payoffs[1, 1, 1] == -0.125
    assert game.payoffs[0, 2, 1] == float(Fraction(1, 3))


def test_parse_number_exact_rounding():
    # 1/3 is rounded once from the exact rational, not computed as 1.0 / 3.0 from rounded parts
    assert parse_number("1/3") == float(Fraction(1, 3))
    big = "123456789012345678901234567890/7"
    assert parse_number(big) == float(Fraction(123456789012345678901234567890, 7))
    for bad in ["1/0", "1.5/2", "abc", "1e999", "", "3/", "/2"]:
        with pytest.raises(ValueError):
            parse_number(bad)


def test_escaped_strings_and_comment():
    game = read_game(DATA / "escaped_strings.nfg")
    assert game.title == 'A "quoted" title with a \\ backslash'
    assert game.player_names == ('Ann "A"', "Bob")
    assert game.action_names[1] == ('left "L"', "right")
    np.testing.assert_array_equal(game.payoffs[0], [[1, -1], [-1, 1]])


@pytest.mark.parametrize("path", NFG_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt,outcome_version", [("nfg", False), ("nfg", True), ("json", False)])
def test_round_trip_keeps_payoffs_names_title(path, fmt, outcome_version, tmp_path):
    game = read_game(path)
    target = write_game(game, tmp_path / f"copy.{fmt}", outcome_version=outcome_version)
    again = read_game(target)
    assert again == game
    assert np.array_equal(again.payoffs, game.payoffs)
    assert again.title == game.title and again.player_names == game.player_names
    assert again.action_names == game.action_names


def test_json_keeps_costs_and_nfg_drops_them():
    game = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]], title="C/D")
    again = loads(dumps(game, "json"))
    assert again == game and again.costs is not None
    from_nfg = loads(dumps(game, "nfg"))
    assert from_nfg.costs is None and np.array_equal(from_nfg.payoffs, game.payoffs)


@settings(max_examples=40)
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    data=st.data(),
)
def test_round_trip_random_floats_is_exact(shape, data):
    n = len(shape)
    size = n * int(np.prod(shape))
    values = data.draw(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=size,
                                max_size=size))
    game = Game(np.array(values).reshape((n, *shape)), title=data.draw(st.text(max_size=8)))
    for fmt in ("nfg", "json"):
        again = loads(dumps(game, fmt))
        assert np.array_equal(again.payoffs, game.payoffs)
        assert again.title == game.title
    assert np.array_equal(loads(dumps(game, "nfg", outcome_version=True)).payoffs, game.payoffs)


def test_json_rational_strings_and_defaults():
    game = loads('{"payoffs": [[[1, "3/2"]], [["-1/4", 0]]]}')
    assert game.shape == (1, 2)
    assert game.payoffs[0, 0, 1] == 1.5 and game.payoffs[1, 0, 0] == -0.25
    assert game.title == "" and game.player_names == ("1", "2")


def test_read_game_accepts_text():
    game = read_game('NFG 1 R "t" { "a" "b" } { 1 1 } 2 3')
    assert game.pure_payoffs((0, 0)).tolist() == [2.0, 3.0]


@pytest.mark.parametrize(
    "text,line,column,fragment",
    [
        ('NFG 1 R "x" { "a" } { 2 } 1', 1, 28, "needs 2 payoffs"),
        ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 4 5 6 7 8 9', 2, 17, "after the last payoff"),
        ("NFG 2 R", 1, 5, "unsupported .nfg version"),
        ('NFG 1 R "x" { "a" } { 2 }\n1 1/0', 2, 3, "zero denominator"),
        ('NFG 1 R "x" { "a" } { 2 }\n1 abc', 2, 3, "bad payoff"),
        ('NFG 1 R "x" { "a" "b" } { 2 }', 1, 29, "strategies are given for 1"),
        ('NFG 1 R "x" { } { }', 1, 15, "at least one player"),
        ('NFG 1 R "x" { "a" } { 0 }', 1, 23, "must be >= 1"),
        ('NFG 1 R "x" { "a } { 2 }', 1, 15, "unterminated string"),
        ('NFG 1 R "x" { "a" } { 2 }\n{ { "" 1 } }\n1 2', 3, 3, "outcome 2 does not exist"),
        ('NFG 1 R "x" { "a" "b" } { 1 1 }\n{ { "" 1 } }\n1', 2, 10, "payoff of player 2 in outcome 1, found '}'"),
        ('NFG 1 R "x" { "a" } { 1 }\n1e400', 2, 1, "float64 range"),
        ('NFG 1 X', 1, 7, "'R' or 'D'"),
        ("{\n \"payoffs\": [[1, 2], [3]]\n}", 2, 2, "rectangular"),
        ('{"payoffs": [[[1, NaN]]]}', 1, 19, "NaN"),
        ('{"payoffs": [[[1, -Infinity]]]}', 1, 19, "Infinity"),
        ('{"payoffs": [[[1, 2]]], "title": 3}', 1, 25, "must be a string"),
        ('{"payoffs": [[[1, 2]]], "extra": 3}', 1, 25, "unknown key"),
        ('{"payoffs": [[1, 2]]', 1, 21, "invalid JSON"),
        ('{"payoffs": [1, 2]}', 1, 2, "shape (N, n_1, ..., n_N)"),
        ('{"payoffs": [[[1, true]]]}', 1, 2, "must be a number"),
        ('{"payoffs": [[[1, 2]], [[3, 4]]], "costs": [[1], [1]]}', 1, 35, "costs[1] must have 2 entries"),
        ("\n\n  hello", 3, 1, "cannot recognise"),
    ],
)
def test_malformed_input_gives_position(text, line, column, fragment):
    with pytest.raises(FileFormatError) as info:
        loads(text)
    assert fragment in str(info.value)
    assert (info.value.line, info.value.column) == (line, column)
    assert f"line {line}, column {column}" in str(info.value)


def test_too_many_profiles_refused_before_allocation():
    with pytest.raises(ProblemSizeError, match="100000 x 100000 x 100000"):
        loads('NFG 1 R "x" { "a" "b" "c" } { 100000 100000 100000 } 1')


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(FileFormatError, match="no such game file"):
        read_game(tmp_path / "missing.nfg")
    with pytest.raises(FileFormatError, match="extension"):
        write_game(Game.zero_sum([[1]]), tmp_path / "game.txt")


def test_non_utf8_bytes_position():
    with pytest.raises(FileFormatError) as info:
        loads(b'NFG 1 R "\xff" { "a" } { 1 } 1')
    assert (info.value.line, info.value.column) == (1, 10)


def _valid_texts():
    return [p.read_text() for p in NFG_FILES] + [
        dumps(Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0], [0.4, 0]]), "json")
    ]


@settings(max_examples=150)
@given(st.binary(max_size=200))
def test_fuzz_random_bytes_only_file_format_errors(data):
    try:
        game = loads(data)
    except FileFormatError:
        return
    assert isinstance(game, Game)


@settings(max_examples=200)
@given(
    index=st.integers(0, 5),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3), st.sampled_from(
        list('{}," \n\\/.-0123456789eNFGRD') + ["1/0", "NaN", "1e999", '"', "{ }", "0", "9999999"])), max_size=6),
)
def test_fuzz_mutations_only_file_format_errors(index, edits):
    texts = _valid_texts()
    text = texts[index % len(texts)]
    for position, kind, piece in edits:
        k = position % (len(text) + 1)
        if kind == 0:  # insert
            text = text[:k] + piece + text[k:]
        elif kind == 1:  # delete a few characters
            text = text[:k] + text[k + len(piece):]
        elif kind == 2:  # replace
            text = text[:k] + piece + text[k + len(piece):]
        else:  # truncate
            text = text[:k]
    try:
        game = loads(text)
    except FileFormatError as exc:
        assert exc.line is not None and exc.column is not None
        return
    assert isinstance(game, Game)
    assert np.all(np.isfinite(game.payoffs))


def test_errors_are_rqe_errors():
    with pytest.raises(RQEError):
        loads("NFG")


def test_bulk_rationals_are_exact_quotients_rounded_once():
    words = ["1/3", "-2/7", "123456789012345/7", "1234567890123456789/3", "-0/5", "0.1", "7", "-1e-3"]
    game = loads('NFG 1 R "" { "1" "2" } { 2 2 }\n' + " ".join(words) + "\n")
    expected = [float(Fraction(w)) for w in words]
    assert game.payoffs.transpose(0, 2, 1).reshape(2, 4).T.ravel().tolist() == expected
    # 16-digit numerators are not exact in float64: they must not take the one-division fast path
    words = ["9007199254740993/3", "1/3", "5/7", "2/3"]
    game = loads('NFG 1 R "" { "1" "2" } { 2 1 }\n' + " ".join(words) + "\n")
    assert game.payoffs.transpose(0, 2, 1).reshape(2, 2).T.ravel().tolist() == [float(Fraction(w)) for w in words]


def test_errors_after_the_first_chunk_keep_their_position():
    from rqe.io import nfg

    n = nfg._CHUNK // 4 + 10  # payoffs of ~4 characters: the body spans two chunks
    body = "\n".join(["1 -2"] * (n - 1) + ["3 4x"])
    with pytest.raises(FileFormatError) as info:
        loads('NFG 1 R "" { "1" "2" } { %d 1 }\n' % n + body)
    assert (info.value.line, info.value.column) == (n + 1, 3) and "4x" in str(info.value)
    good = loads('NFG 1 R "" { "1" "2" } { %d 1 }\n' % n + body.replace("4x", "4/3"))
    assert good.payoffs[1, -1, 0] == 4 / 3 and good.payoffs[0, 0, 0] == 1
