"""Pieces shared by Gambit's two text formats (``.nfg`` and ``.efg``): tokens, numbers, quoted strings,
labels, and the size guard that runs on a file's header before anything is allocated."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Iterator, NamedTuple

import numpy as np

from rqe.errors import FileFormatError, ProblemSizeError

__all__ = ["parse_number", "parse_fraction", "format_number", "quote", "Token", "Tokens", "distinct_labels",
           "check_declared_size", "MAX_PAYOFFS"]

#: Default for ``max_payoffs``: the most payoff entries (players x pure profiles, or players x nodes) a file
#: may declare, 1e8 (0.75 GiB as float64). Checked on the header, before the body is read.
MAX_PAYOFFS = 100_000_000

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:/\d+)?", re.ASCII)


# ---------------------------------------------------------------------------------------------- numbers
def _rational_parts(text: str) -> tuple[int, int] | None:
    """``(p, q)`` for a rational ``p/q`` (q != 0), None for an integer or decimal; ValueError for non-numbers."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    if "/" not in text:
        return None
    numerator, denominator = text.split("/")
    if "." in numerator or "e" in numerator.lower():
        raise ValueError(f"{text!r}: a rational needs an integer numerator")
    if int(denominator) == 0:
        raise ValueError(f"{text!r} has a zero denominator")
    return int(numerator), int(denominator)


def parse_fraction(text: str) -> Fraction:
    """The exact value (a :class:`~fractions.Fraction`) of a Gambit number: integer, decimal or ``p/q``.

    Raises :class:`ValueError` for anything else (including ``nan``, ``inf``, complex numbers and zero
    denominators).

    >>> parse_fraction("3/2"), parse_fraction("0.1"), parse_fraction("-2e-3")
    (Fraction(3, 2), Fraction(1, 10), Fraction(-1, 500))
    """
    parts = _rational_parts(text)
    if parts is not None:
        return Fraction(*parts)
    _, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > 100_000:  # Fraction would build a 10**exponent integer
        raise ValueError(f"{text!r} is outside the float64 range")
    return Fraction(text)


def parse_number(text: str) -> float:
    """Parse a Gambit number (integer, decimal or rational ``p/q``) to the nearest float64.

    Rationals are evaluated exactly and rounded once. Raises :class:`ValueError` for anything else,
    including zero denominators and values outside the float64 range.

    Examples
    --------
    >>> parse_number("3/2"), parse_number("-0.25"), parse_number("1/3") == 1 / 3
    (1.5, -0.25, True)
    """
    parts = _rational_parts(text)
    if parts is None:
        value = float(text)
    else:
        try:
            value = parts[0] / parts[1]  # int / int is correctly rounded (exact, rounded once)
        except OverflowError:
            raise ValueError(f"{text!r} is outside the float64 range") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is outside the float64 range")
    return value


def format_number(value: float) -> str:
    """Shortest decimal text that reads back as exactly ``value``, without an exponent (Gambit reads none).

    >>> format_number(2.0), format_number(0.1), format_number(1e-5), format_number(-3e16)
    ('2', '0.1', '0.00001', '-30000000000000000')
    """
    value = float(value)
    if value == 0.0:
        return "0"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = np.format_float_positional(value, unique=True, trim="-")
    return text


def format_numbers(values: np.ndarray) -> list[str]:
    """:func:`format_number` of every entry of a 1-D float array (fast path for integer-valued arrays)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size and np.all(np.abs(values) < 1e15) and np.array_equal(values, np.round(values)):
        return list(map(str, values.astype(np.int64).tolist()))
    words = list(map(repr, values.tolist()))  # shortest round-trip text; fix the few that are not plain
    plain = (np.abs(values) >= 1e-4) & (np.abs(values) < 1e16) & (values != np.round(values))
    for k in np.flatnonzero(~plain).tolist():
        words[k] = format_number(values[k])
    return words


# ---------------------------------------------------------------------------------------------- strings
def quote(text: str) -> str:
    """A Gambit string literal: double quotes, with ``\\`` and ``"`` escaped by a backslash."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_UNESCAPE = re.compile(r"\\(.)", re.S)


def distinct_labels(labels: list[str]) -> list[str]:
    """Labels made usable as rqe names: an empty label becomes its 1-based number (as Gambit displays it), and
    a repeated label gets ``#k`` appended (the k-th repeat), the rule of :mod:`rqe.openspiel.convert`.

    Gambit accepts repeated strategy and action labels; rqe's names must be distinct.

    >>> distinct_labels(["C", "", "C", "C"])
    ['C', '2', 'C#1', 'C#2']
    """
    filled = [label if label != "" else str(k + 1) for k, label in enumerate(labels)]
    taken = set(filled)
    seen: set[str] = set()
    out = []
    for label in filled:
        if label in seen:
            k = 1
            while f"{label}#{k}" in taken:
                k += 1
            label = f"{label}#{k}"
            taken.add(label)
        seen.add(label)
        out.append(label)
    return out


# ---------------------------------------------------------------------------------------------- tokens
class Token(NamedTuple):
    kind: str  # "{", "}", ",", "string", "word" (numbers and bare words)
    text: str
    line: int
    column: int
    offset: int  # index of the token's first character in the text


_SCAN = re.compile(r'(?P<space>\s+)|(?P<brace>[{},])|(?P<string>"(?:[^"\\]|\\.)*")|(?P<open>")'
                   r'|(?P<word>[^\s{},"]+)', re.S)


class Tokens:
    """A lazy tokenizer for Gambit's files (braces, commas, quoted strings, bare words) that knows positions.

    Tokens are produced on demand, so the header of a large file is read without scanning its body.
    """

    def __init__(self, text: str, path: str | None, offset: int = 0, line: int = 1, line_start: int = 0):
        self.text = text
        self.path = path
        self._offset = offset
        self._line = line
        self._line_start = line_start
        self._next: Token | None = None
        self._done = False

    # position just after the last character, for "unexpected end of file" messages
    @property
    def end(self) -> tuple[int, int]:
        text = self.text
        return text.count("\n") + 1, len(text) - (text.rfind("\n") + 1) + 1

    def error(self, message: str, token: Token | None = None) -> FileFormatError:
        line, column = (token.line, token.column) if token is not None else self.end
        return FileFormatError(message, line=line, column=column, path=self.path)

    def _scan(self) -> Token | None:
        text, n = self.text, len(self.text)
        while self._offset < n:
            match = _SCAN.match(text, self._offset)
            assert match is not None  # the pattern matches every character
            start, end = match.span()
            column = start - self._line_start + 1
            line = self._line
            kind = match.lastgroup
            if kind in ("space", "string"):
                newlines = text.count("\n", start, end)
                if newlines:
                    self._line += newlines
                    self._line_start = text.rfind("\n", start, end) + 1
            self._offset = end
            if kind == "space":
                continue
            if kind == "open":
                raise FileFormatError("unterminated string", line=line, column=column, path=self.path)
            if kind == "string":
                return Token("string", _UNESCAPE.sub(r"\1", text[start + 1: end - 1]), line, column, start)
            if kind == "brace":
                return Token(text[start], text[start], line, column, start)
            return Token("word", text[start:end], line, column, start)
        return None

    def peek(self) -> Token | None:
        if self._next is None and not self._done:
            self._next = self._scan()
            self._done = self._next is None
        return self._next

    def next(self, what: str) -> Token:
        token = self.peek()
        if token is None:
            raise self.error(f"unexpected end of file, expected {what}")
        self._next = None
        return token

    def position(self) -> tuple[int, int, int]:
        """``(offset, line, line_start)`` of the first character not yet consumed."""
        if self._next is not None:
            return self._next.offset, self._next.line, self._next.offset - self._next.column + 1
        return self._offset, self._line, self._line_start

    def expect(self, kind: str, what: str) -> Token:
        token = self.next(what)
        if token.kind != kind:
            raise self.error(f"expected {what}, found {show(token)}", token)
        return token

    def expect_word(self, text: str) -> Token:
        token = self.next(repr(text))
        if token.kind != "word" or token.text != text:
            raise self.error(f"expected {text!r}, found {show(token)}", token)
        return token

    def number(self, what: str) -> float:
        token = self.next(what)
        if token.kind != "word":
            raise self.error(f"expected {what}, found {show(token)}", token)
        try:
            return parse_number(token.text)
        except ValueError as exc:
            raise self.error(f"bad {what}: {exc}", token) from None

    def fraction(self, what: str) -> tuple[Fraction, Token]:
        token = self.next(what)
        if token.kind != "word":
            raise self.error(f"expected {what}, found {show(token)}", token)
        try:
            return parse_fraction(token.text), token
        except ValueError as exc:
            raise self.error(f"bad {what}: {exc}", token) from None

    def integer(self, what: str, minimum: int) -> tuple[int, Token]:
        token = self.next(what)
        if token.kind != "word" or not re.fullmatch(r"\+?\d{1,18}", token.text, re.ASCII):
            raise self.error(f"expected {what} (an integer >= {minimum}), found {show(token)}", token)
        value = int(token.text)
        if value < minimum:
            raise self.error(f"{what} must be >= {minimum}, got {value}", token)
        return value, token

    def __iter__(self) -> Iterator[Token]:
        while (token := self.peek()) is not None:
            self._next = None
            yield token


def read_prologue(tokens: Tokens, word: str, version: str) -> tuple[str, list[str], Token]:
    """The common start of ``.nfg`` and ``.efg`` files: ``WORD version R|D "title" { "player" ... }``.

    Returns the title, the player names and the closing ``}`` token (for error positions).
    """
    tokens.expect_word(word)
    found = tokens.next(f"the format version {version}")
    if found.kind != "word" or found.text != version:
        raise tokens.error(f"unsupported .{word.lower()} version {show(found)}; expected {version}", found)
    kind = tokens.next("'R' or 'D'")
    if kind.kind != "word" or kind.text not in ("R", "D"):
        raise tokens.error(f"expected the number type 'R' or 'D', found {show(kind)}", kind)
    title = tokens.expect("string", "the game's title (a quoted string)").text
    tokens.expect("{", "'{' opening the list of player names")
    players = []
    while (token := tokens.next("a player name or '}'")).kind != "}":
        if token.kind != "string":
            raise tokens.error(f"expected a quoted player name, found {show(token)}", token)
        players.append(token.text)
    if not players:
        raise tokens.error("the game must have at least one player", token)
    return title, players, token


def show(token: Token) -> str:
    if token.kind == "string":
        return f"the string {quote(token.text)}"
    return repr(token.text)


# ---------------------------------------------------------------------------------------------- size guard
def check_declared_size(n_payoffs: int, limit: float, what: str, path: str | None) -> None:
    """Refuse, before allocating, a file whose header declares more than ``limit`` payoff entries.

    Raises :class:`~rqe.errors.ProblemSizeError` naming the size and how to raise the limit.
    """
    if n_payoffs > limit:
        where = f"{path}: " if path else ""
        raise ProblemSizeError(
            f"{where}the file declares {what}: {_big(n_payoffs)} payoff entries "
            f"({_big(n_payoffs * 8 // 2**20)} MiB as float64), above the limit max_payoffs={limit:g}; "
            "pass a larger max_payoffs= to rqe.read_game / rqe.io.loads to read it anyway"
        )


def _big(n: int) -> str:
    return f"{n:.4g}" if n < 10**300 else f"about 1e{len(str(n)) - 1}"


def check_limit(limit: object) -> float:
    """Validate a ``max_payoffs`` argument: a positive number (``math.inf`` for no limit)."""
    from rqe.errors import ParameterError

    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0:
        raise ParameterError(f"max_payoffs must be a positive number, got {limit!r}")
    if isinstance(limit, float):
        return limit
    return math.inf if limit > 2**1000 else float(limit)
