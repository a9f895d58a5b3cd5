"""Fuzzing rqe's three file readers (.nfg, .efg, JSON): whatever the bytes, the answer is a valid game or an
``rqe.errors`` exception, never another exception type.

Two harnesses:

* a seeded corpus of mutated files (:func:`mutants`): every test file under ``tests/data`` plus two JSON games,
  each mutated by a few random edits (insert, delete, replace or duplicate a span, swap lines, truncate, flip
  a byte, replace a number by an extreme one); at least 500 files, the same ones on every machine;
* hypothesis properties over random token soups of each format (bounded example counts, no deadline).

A file that reads must also survive a write and a read back unchanged, and an extensive game either gives its
reduced normal form or an rqe error (imperfect recall, size).
"""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rqe import Game
from rqe.errors import RQEError
from rqe.extensive import ExtensiveGame
from rqe.io import dumps, loads, read_efg

DATA = Path(__file__).parent / "data"
N_MUTANTS = 1000
NUMBERS = ["0", "-1", "1/0", "3/7", "1e308", "1e309", "-1e400", "9" * 400, "1.5.2", "NaN", "Infinity", "1+2j",
           "99999999999999999999", "2147483648", "-0", ".", "1e", "0x10"]
PIECES = ["{", "}", ",", '"', '""', " ", "\n", "\\", "0", "1", "2", "-", "/", "p", "c", "t", "NFG", "EFG", "R",
          '"a"', "{ }", "[", "]", ":", "null", "true", "\ud800", "\u00e9", "\x00"]


def corpus() -> list[tuple[str, bytes]]:
    files = sorted(DATA.rglob("*.nfg")) + sorted(DATA.rglob("*.efg"))
    texts = [(p.name, p.read_bytes()) for p in files]
    texts.append(("costs.json", dumps(Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0], [0.4, 0]],
                                                              title="shared"), "json").encode()))
    rng = np.random.default_rng(3)
    texts.append(("three.json", dumps(Game(rng.integers(-3, 4, size=(3, 2, 3, 2)).astype(float) / 3,
                                           action_names=[["a", "b"], ["x", "y", "z"], ["u", "v"]]), "json").encode()))
    return texts


def _mutate(data: bytes, rng: np.random.Generator) -> bytes:
    text = data.decode("utf-8")
    for _ in range(int(rng.integers(1, 5))):
        n = len(text)
        k = int(rng.integers(0, n + 1))
        width = int(rng.integers(1, 12))
        op = int(rng.integers(0, 8))
        if op == 0:  # insert a piece
            text = text[:k] + str(rng.choice(PIECES)) + text[k:]
        elif op == 1:  # delete a span
            text = text[:k] + text[k + width:]
        elif op == 2:  # replace a span by a piece
            text = text[:k] + str(rng.choice(PIECES)) + text[k + width:]
        elif op == 3:  # duplicate a span
            text = text[:k] + text[k: k + width] + text[k:]
        elif op == 4:  # swap two lines
            lines = text.split("\n")
            i, j = rng.integers(0, len(lines), size=2)
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 5:  # truncate
            text = text[:k]
        elif op == 6:  # replace a number by an extreme one
            words = text.split(" ")
            numeric = [i for i, w in enumerate(words) if w.strip().lstrip("-").replace("/", "").replace(".", "").isdigit()]
            if numeric:
                words[int(rng.choice(numeric))] = str(rng.choice(NUMBERS))
                text = " ".join(words)
        else:  # flip a byte (may break UTF-8)
            raw = bytearray(text.encode("utf-8", "surrogatepass"))
            if raw:
                raw[min(k, len(raw) - 1)] ^= 1 << int(rng.integers(0, 8))
            return bytes(raw)
    return text.encode("utf-8", "surrogatepass")


def mutants(count: int = N_MUTANTS, seed: int = 20261201) -> list[tuple[str, bytes]]:
    """``count`` mutated files, deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    files = corpus()
    out = []
    for k in range(count):
        name, data = files[k % len(files)]
        out.append((f"{name}#{k}", _mutate(data, rng)))
    return out


def check_one(data: bytes | str) -> str:
    """Read ``data`` as rqe does; return ``"valid"`` or the rqe error's type name, and raise anything else."""
    try:
        game = loads(data)
    except RQEError as exc:
        return type(exc).__name__
    assert isinstance(game, Game) and np.all(np.isfinite(game.payoffs))
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if text.lstrip("\ufeff \t\r\n").startswith("EFG"):
        tree = read_efg(text)
        assert isinstance(tree, ExtensiveGame)
        assert read_efg(dumps(tree, "efg")) == tree
    else:
        fmt = "json" if text.lstrip("\ufeff \t\r\n").startswith("{") else "nfg"
        try:
            again = loads(dumps(game, fmt))
        except RQEError as exc:  # a title or name that no file can hold (a lone surrogate) is refused, typed
            assert "surrogate" in str(exc) or "not valid" in str(exc)
        else:
            assert np.array_equal(again.payoffs, game.payoffs)
    return "valid"


def test_mutated_files_give_a_game_or_an_rqe_error():
    files = mutants()
    assert len(files) >= 500
    outcomes = Counter()
    for name, data in files:
        try:
            outcomes[check_one(data)] += 1
        except AssertionError:
            raise
        except Exception as exc:  # pragma: no cover - the failure this harness looks for
            pytest.fail(f"{name}: {type(exc).__name__}: {exc}")
    print("mutated files:", dict(outcomes))
    # the mutations must exercise both sides: some files stay valid, most are broken
    assert outcomes["valid"] >= 20 and sum(outcomes.values()) - outcomes["valid"] >= 200


_EFG_TOKENS = ['EFG 2 R "g" { "a" "b" }', "p", "c", "t", '""', '"x"', "0", "1", "2", "3", "1/2", "-1", "{", "}",
               ",", '"l" 1/2 "r" 1/2', "\n"]
_NFG_TOKENS = ['NFG 1 R "g" { "a" "b" }', "{ 2 2 }", "{ 1 2 }", "{", "}", ",", '""', '"x"', "0", "1", "2",
               "-3/4", "1e5", "\n"]
_JSON_TOKENS = ['{"payoffs": ', "[", "]", ",", "1", "-2.5", '"3/2"', "1e400", "}", '"title": "t"', ":",
                '"costs"', "null", '"players"']


@pytest.mark.parametrize("tokens", [_EFG_TOKENS, _NFG_TOKENS, _JSON_TOKENS], ids=["efg", "nfg", "json"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_token_soup_gives_a_game_or_an_rqe_error(tokens, data):
    head = data.draw(st.sampled_from(tokens[:1]))
    body = data.draw(st.lists(st.sampled_from(tokens), max_size=40))
    check_one(head + " " + " ".join(body))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_give_a_game_or_an_rqe_error(data):
    check_one(data)
