"""Reading and writing games: Gambit's ``.nfg`` format and rqe's JSON format.

Gambit ``.nfg`` (strategic form, format version 1)
--------------------------------------------------
The format shared by Gambit and most game-theory software (McKelvey, McLennan & Turocy, *Gambit: Software
Tools for Game Theory*, https://www.gambit-project.org; file format described in the Gambit manual, section
"Game representation formats"). A file starts with a header::

    NFG 1 R "title" { "Player 1" "Player 2" } { 3 2 }

The last brace lists either the number of strategies of each player (``{ 3 2 }``) or their names
(``{ { "U" "D" } { "L" "R" } }``). An optional quoted comment follows. Then comes one of two bodies:

* the *payoff version*: for every pure profile, the payoff of each player in turn, profiles enumerated with
  player 1's strategy changing fastest;
* the *outcome version* (what Gambit 16 writes): a braced list of outcomes ``{ "label" u_1, u_2, ... }``
  followed by one outcome number per pure profile (same order; ``0`` is the null outcome, all payoffs zero).

Numbers may be integers, decimals or rationals such as ``3/2`` (parsed exactly with :class:`fractions.Fraction`
and rounded once to the nearest float64). Strings are double-quoted; ``\\"`` and ``\\\\`` escape a quote and a
backslash, as Gambit's writer escapes them (Gambit 16.7's own reader turns an escaped backslash into three,
so a title with a backslash does not survive a round trip through Gambit itself). Malformed input raises
:class:`~rqe.errors.FileFormatError` with the 1-based line and column.
The comment and outcome labels are not kept in a :class:`~rqe.game.Game`; private ``costs`` cannot be
represented in ``.nfg`` and are only kept by the JSON format.

rqe JSON format
---------------
One object::

    {
      "format": "rqe.game",          # optional marker
      "version": 1,                  # optional, must be 1 when present
      "title": "Stag hunt",          # optional, default ""
      "players": ["1", "2"],         # optional player names
      "actions": [["S", "H"], ["S", "H"]],   # optional action names, one list per player
      "payoffs": [[[4, 0], [3, 3]], [[4, 3], [0, 3]]],  # required: payoffs[i][a_1]...[a_N]
      "costs": [[0.4, 0.0], [0.4, 0.0]]                 # optional private action costs
    }

``payoffs`` is the nested list of ``Game.payoffs`` (utility of player ``i`` first); numbers may also be
strings holding rationals (``"3/2"``). Floats are written with Python's shortest round-trip representation, so
a JSON round trip is exact.

Example
-------
>>> from rqe.io import dumps, loads
>>> from rqe import Game
>>> game = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], title="Prisoner's dilemma",
...                           action_names=[["C", "D"], ["C", "D"]])
>>> text = dumps(game, "nfg")
>>> print(text.splitlines()[0])
NFG 1 R "Prisoner's dilemma" { "1" "2" }
>>> loads(text) == game
True
>>> loads(dumps(game, "json")) == game
True
"""

from __future__ import annotations

import json
import math
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from rqe.errors import FileFormatError, GameError, RQEError
from rqe.game import Game

__all__ = ["read_game", "write_game", "loads", "dumps", "FORMATS", "format_from_path", "parse_number"]

#: File formats understood, by name.
FORMATS = ("nfg", "json")
_EXTENSIONS = {".nfg": "nfg", ".json": "json"}

# Largest number of pure profiles a file may declare; bigger games would not fit in memory anyway and
# refusing early keeps a malformed header from triggering a huge allocation.
MAX_PROFILES = 50_000_000
#: Largest number of players (numpy arrays have at most 32 axes, and payoffs have N + 1).
MAX_PLAYERS = 31


# ---------------------------------------------------------------------------------------------- helpers
def format_from_path(path: str | os.PathLike[str]) -> str:
    """The format name (``"nfg"`` or ``"json"``) given by a file's extension.

    Examples
    --------
    >>> format_from_path("games/pd.nfg")
    'nfg'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise FileFormatError(
            f"cannot tell the format of {str(path)!r} from its extension {suffix!r}; "
            f"expected one of {', '.join(sorted(_EXTENSIONS))} (or pass format=...)"
        )
    return _EXTENSIONS[suffix]


def _check_format(fmt: str) -> str:
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise FileFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def parse_number(text: str) -> float:
    """Parse a Gambit number (integer, decimal or rational ``p/q``) to the nearest float64.

    Rationals are evaluated exactly and rounded once. Raises :class:`ValueError` for anything else,
    including zero denominators and values outside the float64 range.

    Examples
    --------
    >>> parse_number("3/2"), parse_number("-0.25"), parse_number("1/3") == 1 / 3
    (1.5, -0.25, True)
    """
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    if "/" in text:
        numerator, denominator = text.split("/")
        if "." in numerator or "e" in numerator.lower():
            raise ValueError(f"{text!r}: a rational needs an integer numerator")
        if int(denominator) == 0:
            raise ValueError(f"{text!r} has a zero denominator")
        try:
            value = float(Fraction(int(numerator), int(denominator)))
        except OverflowError:
            raise ValueError(f"{text!r} is outside the float64 range") from None
    else:
        value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is outside the float64 range")
    return value


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:/\d+)?")


def _format_number(value: float) -> str:
    """Shortest decimal text that reads back as exactly ``value`` (no exponent, which Gambit rejects)."""
    value = float(value)
    if value == 0.0:
        return "0"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = np.format_float_positional(value, unique=True, trim="-")
    return text


# ---------------------------------------------------------------------------------------------- tokens
class _Token(NamedTuple):
    kind: str  # "{", "}", ",", "string", "word" (numbers and bare words)
    text: str
    line: int
    column: int


class _Tokens:
    """A tokenizer for Gambit's files: braces, commas, quoted strings and bare words, with positions."""

    def __init__(self, text: str, path: str | None):
        self.path = path
        self.tokens = list(self._scan(text))
        self.position = 0
        # position just after the last character, for "unexpected end of file" messages
        lines = text.split("\n")
        self.end = (len(lines), len(lines[-1]) + 1)

    def error(self, message: str, token: _Token | None = None) -> FileFormatError:
        line, column = (token.line, token.column) if token is not None else self.end
        return FileFormatError(message, line=line, column=column, path=self.path)

    def _scan(self, text: str):
        line, column, k, n = 1, 1, 0, len(text)
        while k < n:
            ch = text[k]
            if ch == "\n":
                line, column, k = line + 1, 1, k + 1
                continue
            if ch.isspace():
                column, k = column + 1, k + 1
                continue
            if ch in "{},":
                yield _Token(ch, ch, line, column)
                column, k = column + 1, k + 1
                continue
            if ch == '"':
                start_line, start_column = line, column
                chars = []
                k, column = k + 1, column + 1
                while True:
                    if k >= n:
                        raise FileFormatError("unterminated string", line=start_line, column=start_column,
                                              path=self.path)
                    ch = text[k]
                    if ch == "\\" and k + 1 < n:
                        chars.append(text[k + 1])
                        if text[k + 1] == "\n":
                            line, column = line + 1, 1
                        else:
                            column += 2
                        k += 2
                        continue
                    if ch == '"':
                        k, column = k + 1, column + 1
                        break
                    chars.append(ch)
                    if ch == "\n":
                        line, column = line + 1, 1
                    else:
                        column += 1
                    k += 1
                yield _Token("string", "".join(chars), start_line, start_column)
                continue
            start, start_column = k, column
            while k < n and not text[k].isspace() and text[k] not in '{},"':
                k += 1
            column += k - start
            yield _Token("word", text[start:k], line, start_column)

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def next(self, what: str) -> _Token:
        token = self.peek()
        if token is None:
            raise self.error(f"unexpected end of file, expected {what}")
        self.position += 1
        return token

    def expect(self, kind: str, what: str) -> _Token:
        token = self.next(what)
        if token.kind != kind:
            raise self.error(f"expected {what}, found {_show(token)}", token)
        return token

    def expect_word(self, text: str) -> _Token:
        token = self.next(repr(text))
        if token.kind != "word" or token.text != text:
            raise self.error(f"expected {text!r}, found {_show(token)}", token)
        return token

    def number(self, what: str) -> float:
        token = self.next(what)
        if token.kind != "word":
            raise self.error(f"expected {what}, found {_show(token)}", token)
        try:
            return parse_number(token.text)
        except ValueError as exc:
            raise self.error(f"bad {what}: {exc}", token) from None

    def integer(self, what: str, minimum: int) -> tuple[int, _Token]:
        token = self.next(what)
        if token.kind != "word" or not re.fullmatch(r"\+?\d{1,18}", token.text):
            raise self.error(f"expected {what} (an integer >= {minimum}), found {_show(token)}", token)
        value = int(token.text)
        if value < minimum:
            raise self.error(f"{what} must be >= {minimum}, got {value}", token)
        return value, token


def _show(token: _Token) -> str:
    if token.kind == "string":
        return f"the string {_quote(token.text)}"
    return repr(token.text)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------------- .nfg reading
def _read_nfg(text: str, path: str | None = None) -> Game:
    tokens = _Tokens(text, path)
    tokens.expect_word("NFG")
    version = tokens.next("the format version 1")
    if version.kind != "word" or version.text != "1":
        raise tokens.error(f"unsupported .nfg version {_show(version)}; expected 1", version)
    kind = tokens.next("'R' or 'D'")
    if kind.kind != "word" or kind.text not in ("R", "D"):
        raise tokens.error(f"expected the number type 'R' or 'D', found {_show(kind)}", kind)
    title = tokens.expect("string", "the game's title (a quoted string)").text

    tokens.expect("{", "'{' opening the list of player names")
    player_tokens = []
    while (token := tokens.next("a player name or '}'")).kind != "}":
        if token.kind != "string":
            raise tokens.error(f"expected a quoted player name, found {_show(token)}", token)
        player_tokens.append(token)
    if not player_tokens:
        raise tokens.error("the game must have at least one player", token)
    n_players = len(player_tokens)

    tokens.expect("{", "'{' opening the strategy counts or names")
    counts: list[int] = []
    strategy_tokens: list[list[_Token]] | None = None
    first = tokens.peek()
    if first is not None and first.kind == "{":
        strategy_tokens = []
        while (token := tokens.next("'{' or '}'")).kind != "}":
            if token.kind != "{":
                raise tokens.error(f"expected '{{' opening a player's strategy names, found {_show(token)}", token)
            names = []
            while (inner := tokens.next("a strategy name or '}'")).kind != "}":
                if inner.kind != "string":
                    raise tokens.error(f"expected a quoted strategy name, found {_show(inner)}", inner)
                names.append(inner)
            if not names:
                raise tokens.error(f"player {len(strategy_tokens) + 1} has an empty strategy list", inner)
            strategy_tokens.append(names)
        counts = [len(names) for names in strategy_tokens]
    else:
        while (peeked := tokens.peek()) is not None and peeked.kind != "}":
            count, _ = tokens.integer(f"the number of strategies of player {len(counts) + 1}", 1)
            counts.append(count)
        token = tokens.expect("}", "'}' closing the strategy counts")
    if len(counts) != n_players:
        raise tokens.error(f"{n_players} players are named but strategies are given for {len(counts)}", token)
    player_names = _names([t.text for t in player_tokens], player_tokens, tokens, "player")
    action_names = None
    if strategy_tokens is not None:
        action_names = [
            _names([t.text for t in names], names, tokens, f"strategy of player {i + 1}")
            for i, names in enumerate(strategy_tokens)
        ]
    if n_players > MAX_PLAYERS:
        raise tokens.error(f"the game has {n_players} players, more than the {MAX_PLAYERS} supported", token)
    n_profiles = math.prod(counts)
    if n_profiles > MAX_PROFILES:
        raise tokens.error(f"the game has {n_profiles} pure profiles, more than the {MAX_PROFILES} supported", token)

    peeked = tokens.peek()
    if peeked is not None and peeked.kind == "string":
        tokens.next("the comment")  # the optional comment; not kept in a Game

    peeked = tokens.peek()
    if peeked is not None and peeked.kind == "{":
        values = _read_outcome_body(tokens, n_players, n_profiles)
    else:
        values = _read_payoff_body(tokens, n_players, n_profiles)
    extra = tokens.peek()
    if extra is not None:
        raise tokens.error(f"unexpected {_show(extra)} after the last payoff", extra)

    shape = tuple(counts)
    payoffs = np.stack([values[:, i].reshape(shape, order="F") for i in range(n_players)])
    try:
        return Game(payoffs, title=title, player_names=player_names, action_names=action_names)
    except GameError as exc:  # pragma: no cover - every value was checked above
        raise FileFormatError(str(exc), line=1, column=1, path=path) from None


def _names(names: list[str], name_tokens: list[_Token], tokens: _Tokens, what: str) -> list[str]:
    """Empty labels become their 1-based number (as Gambit displays them); duplicates are refused."""
    filled = [name if name != "" else str(k + 1) for k, name in enumerate(names)]
    seen: dict[str, int] = {}
    for k, name in enumerate(filled):
        if name in seen:
            raise tokens.error(f"duplicate {what} name {_quote(name)}", name_tokens[k])
        seen[name] = k
    return filled


def _read_payoff_body(tokens: _Tokens, n_players: int, n_profiles: int) -> np.ndarray:
    needed = n_players * n_profiles
    chunk = tokens.tokens[tokens.position: tokens.position + needed]
    values = np.empty(needed)
    for k, token in enumerate(chunk):
        try:
            if token.kind != "word":
                raise ValueError(f"found {_show(token)}")
            values[k] = parse_number(token.text)
        except ValueError as exc:
            raise tokens.error(f"bad payoff of player {k % n_players + 1} in profile {k // n_players + 1} "
                               f"of {n_profiles}: {exc}", token) from None
    tokens.position += len(chunk)
    if len(chunk) < needed:
        raise tokens.error(f"unexpected end of file: the payoff version needs {needed} payoffs "
                           f"({n_profiles} profiles x {n_players} players), found {len(chunk)}")
    return values.reshape(n_profiles, n_players)


def _read_outcome_body(tokens: _Tokens, n_players: int, n_profiles: int) -> np.ndarray:
    tokens.expect("{", "'{' opening the list of outcomes")
    outcomes = [np.zeros(n_players)]  # outcome 0 is the null outcome
    while (token := tokens.next("'{' opening an outcome or '}'")).kind != "}":
        if token.kind != "{":
            raise tokens.error(f"expected '{{' opening an outcome, found {_show(token)}", token)
        number = len(outcomes)
        tokens.expect("string", f"the quoted label of outcome {number}")
        payoff = np.empty(n_players)
        for i in range(n_players):
            if i > 0:
                peeked = tokens.peek()
                if peeked is not None and peeked.kind == ",":
                    tokens.next("','")
            payoff[i] = tokens.number(f"the payoff of player {i + 1} in outcome {number}")
        tokens.expect("}", f"'}}' closing outcome {number} (it must have {n_players} payoffs)")
        outcomes.append(payoff)
    table = np.stack(outcomes)
    values = np.empty((n_profiles, n_players))
    for k in range(n_profiles):
        index, token = tokens.integer(f"the outcome number of profile {k + 1} of {n_profiles}", 0)
        if index >= len(outcomes):
            raise tokens.error(f"outcome {index} does not exist; the file defines outcomes 1..{len(outcomes) - 1}",
                               token)
        values[k] = table[index]
    return values


# ---------------------------------------------------------------------------------------------- .nfg writing
def _write_nfg(game: Game, outcome_version: bool = False) -> str:
    lines = [
        f"NFG 1 R {_quote(game.title)} {{ " + " ".join(_quote(p) for p in game.player_names) + " }",
        "",
        "{ " + "\n".join("{ " + " ".join(_quote(a) for a in names) + " }" for names in game.action_names),
        "}",
        '""',
        "",
    ]
    n = game.n_players
    values = np.stack([game.payoffs[i].ravel(order="F") for i in range(n)], axis=1)
    if outcome_version:
        lines.append("{")
        for row in values:
            lines.append('{ "" ' + ", ".join(_format_number(v) for v in row) + " }")
        lines.append("}")
        lines.append(" ".join(str(k + 1) for k in range(len(values))))
    else:
        for row in values:
            lines.append(" ".join(_format_number(v) for v in row))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- JSON
def _json_position(text: str, key: str) -> tuple[int, int]:
    """Line and column of the first occurrence of ``"key"`` in ``text`` (1, 1 when absent)."""
    k = text.find(f'"{key}"')
    if k < 0:
        return 1, 1
    line = text.count("\n", 0, k) + 1
    column = k - (text.rfind("\n", 0, k) + 1) + 1
    return line, column


def _json_error(text: str, key: str, message: str, path: str | None) -> FileFormatError:
    line, column = _json_position(text, key)
    return FileFormatError(message, line=line, column=column, path=path)


def _json_numbers(value: Any, where: str) -> Any:
    """Convert nested lists of numbers or rational strings to nested lists of floats."""
    if isinstance(value, list):
        return [_json_numbers(v, f"{where}[{k}]") for k, v in enumerate(value)]
    if isinstance(value, bool):
        raise ValueError(f"{where} must be a number, got {json.dumps(value)}")
    if isinstance(value, (int, float)):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{where} must be finite, got {value}")
        return v
    if isinstance(value, str):
        try:
            return parse_number(value.strip())
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    raise ValueError(f"{where} must be a number or a list, got {json.dumps(value)[:40]}")


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def _read_json(text: str, path: str | None = None) -> Game:
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno, path=path) from None
    except (ValueError, RecursionError) as exc:
        line, column = 1, 1
        for constant in ("NaN", "Infinity"):
            if constant in str(exc) and constant in text:
                k = text.find(constant)
                line, column = text.count("\n", 0, k) + 1, k - (text.rfind("\n", 0, k) + 1) + 1
                if text[k - 1: k] == "-":
                    column -= 1
        raise FileFormatError(f"invalid JSON: {exc}", line=line, column=column, path=path) from None
    if not isinstance(document, dict):
        raise FileFormatError("a JSON game must be an object with a \"payoffs\" key", line=1, column=1, path=path)
    known = {"format", "version", "title", "players", "actions", "payoffs", "costs", "comment"}
    unknown = sorted(set(document) - known)
    if unknown:
        raise _json_error(text, unknown[0], f"unknown key {unknown[0]!r}; known keys: {', '.join(sorted(known))}",
                          path)
    if "format" in document and document["format"] != "rqe.game":
        raise _json_error(text, "format", f"\"format\" must be \"rqe.game\", got {document['format']!r}", path)
    if "version" in document and document["version"] != 1:
        raise _json_error(text, "version", f"unsupported version {document['version']!r}; expected 1", path)
    if "payoffs" not in document:
        raise FileFormatError("a JSON game needs a \"payoffs\" key", line=1, column=1, path=path)
    title = document.get("title", "")
    if not isinstance(title, str):
        raise _json_error(text, "title", f"\"title\" must be a string, got {json.dumps(title)}", path)
    try:
        payoffs = _json_numbers(document["payoffs"], "payoffs")
    except (ValueError, RecursionError) as exc:
        raise _json_error(text, "payoffs", str(exc), path) from None
    costs = None
    if document.get("costs") is not None:
        try:
            costs = _json_numbers(document["costs"], "costs")
        except (ValueError, RecursionError) as exc:
            raise _json_error(text, "costs", str(exc), path) from None
    kwargs: dict[str, Any] = {"title": title}
    for key, target in (("players", "player_names"), ("actions", "action_names")):
        if key in document:
            value = document[key]
            ok = isinstance(value, list) and (
                all(isinstance(v, str) for v in value) if key == "players"
                else all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value)
            )
            if not ok:
                shape = "a list of strings" if key == "players" else "a list of lists of strings"
                raise _json_error(text, key, f"\"{key}\" must be {shape}, got {json.dumps(value)[:60]}", path)
            kwargs[target] = value
    # Check the shape before building an array: ragged lists must not reach numpy.
    try:
        array = np.array(payoffs, dtype=np.float64)
    except (ValueError, TypeError):
        raise _json_error(text, "payoffs", "\"payoffs\" must be a rectangular nested list "
                          "of shape (N, n_1, ..., n_N)", path) from None
    try:
        return Game(array, costs=costs, **kwargs)
    except GameError as exc:
        key = "costs" if "costs" in str(exc) else "actions" if "action_names" in str(exc) else \
            "players" if "player_names" in str(exc) else "payoffs"
        raise _json_error(text, key, str(exc), path) from None


def _write_json(game: Game) -> str:
    document: dict[str, Any] = {
        "format": "rqe.game",
        "version": 1,
        "title": game.title,
        "players": list(game.player_names),
        "actions": [list(names) for names in game.action_names],
        "payoffs": game.payoffs.tolist(),
    }
    if game.costs is not None:
        document["costs"] = [c.tolist() for c in game.costs]
    return json.dumps(document, indent=1) + "\n"


# ---------------------------------------------------------------------------------------------- public API
def _detect(text: str, path: str | None) -> str:
    stripped = text.lstrip()
    if stripped.startswith("NFG"):
        return "nfg"
    if stripped.startswith("{"):
        return "json"
    line = text[: len(text) - len(stripped)].count("\n") + 1
    raise FileFormatError("cannot recognise the format: a game file starts with 'NFG' (Gambit) or '{' (JSON)",
                          line=line, column=1, path=path)


def loads(text: str | bytes, format: str | None = None, *, path: str | None = None) -> Game:
    """Parse a game from the text of a ``.nfg`` or JSON file.

    Parameters
    ----------
    text : str or bytes
        The file's contents (bytes are decoded as UTF-8).
    format : {"nfg", "json"}, optional
        Detected from the first non-blank character when omitted (``NFG`` or ``{``).
    path : str, optional
        Used in error messages only.

    Raises
    ------
    FileFormatError
        Malformed input, with the 1-based ``line`` and ``column`` where it was found.

    Examples
    --------
    >>> loads('NFG 1 R "" { "A" "B" } { 2 1 } 1 2 3/2 -4').payoffs.tolist()
    [[[1.0], [1.5]], [[2.0], [-4.0]]]
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            before = bytes(text)[: exc.start]
            line = before.count(b"\n") + 1
            column = exc.start - (before.rfind(b"\n") + 1) + 1
            raise FileFormatError(f"not UTF-8 text: {exc.reason}", line=line, column=column, path=path) from None
    if not isinstance(text, str):
        raise FileFormatError(f"expected the text of a game file, got {type(text).__name__}", path=path)
    if text.startswith("\ufeff"):
        text = text[1:]
    if format is None:
        format = _detect(text, path)
    fmt = _check_format(format)
    try:
        return _read_nfg(text, path) if fmt == "nfg" else _read_json(text, path)
    except FileFormatError:
        raise
    except RQEError as exc:  # pragma: no cover - a malformed file always yields FileFormatError
        raise FileFormatError(str(exc), line=1, column=1, path=path) from None
    except RecursionError:
        raise FileFormatError("input nested too deeply", line=1, column=1, path=path) from None


def dumps(game: Game, format: str = "nfg", *, outcome_version: bool = False) -> str:
    """The text of ``game`` in ``format`` (``"nfg"`` or ``"json"``).

    ``outcome_version=True`` writes the ``.nfg`` outcome version (one outcome per pure profile, as Gambit 16
    writes files); the default is the compact payoff version. Both read back to the same payoffs.

    Examples
    --------
    >>> from rqe import Game
    >>> print(dumps(Game.zero_sum([[1, -1], [-1, 1]], title="Matching pennies")), end="")
    NFG 1 R "Matching pennies" { "1" "2" }
    <BLANKLINE>
    { { "1" "2" }
    { "1" "2" }
    }
    ""
    <BLANKLINE>
    1 -1
    -1 1
    -1 1
    1 -1
    """
    if not isinstance(game, Game):
        raise GameError(f"expected a Game, got {type(game).__name__}")
    fmt = _check_format(format)
    return _write_nfg(game, outcome_version) if fmt == "nfg" else _write_json(game)


def read_game(source: str | os.PathLike[str], format: str | None = None) -> Game:
    """Read a game from a ``.nfg`` or ``.json`` file (or directly from its text).

    ``source`` is a path; the format comes from ``format`` or else the extension (content sniffing for other
    extensions). For convenience a string that is not an existing file and starts with ``NFG`` or ``{`` is
    parsed as the file's text.

    Examples
    --------
    >>> read_game('NFG 1 R "tiny" { "1" } { 2 } 0 1').payoffs.tolist()
    [[0.0, 1.0]]
    """
    if isinstance(source, str) and source.lstrip().startswith(("NFG", "{")) and not os.path.exists(source):
        return loads(source, format)
    path = Path(source)
    if not path.is_file():
        raise FileFormatError(f"no such game file: {str(path)!r}")
    if format is None and path.suffix.lower() in _EXTENSIONS:
        format = _EXTENSIONS[path.suffix.lower()]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read {str(path)!r}: {exc.strerror}") from None
    return loads(data, format, path=str(path))


def write_game(game: Game, path: str | os.PathLike[str], format: str | None = None, *,
               outcome_version: bool = False) -> Path:
    """Write ``game`` to ``path``; the format comes from ``format`` or else the extension (.nfg, .json).

    Returns the path written. ``.nfg`` keeps payoffs, player and action names and the title; JSON also keeps
    the private ``costs``.

    Examples
    --------
    >>> import tempfile, os
    >>> from rqe import Game
    >>> game = Game.identical_interest([[2, 0], [0, 1]], title="Hi-lo")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = write_game(game, os.path.join(folder, "hilo.nfg"))
    ...     read_game(target) == game
    True
    """
    fmt = _check_format(format) if format is not None else format_from_path(path)
    text = dumps(game, fmt, outcome_version=outcome_version)
    target = Path(path)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(f"cannot write {str(target)!r}: {exc.strerror}") from None
    return target
