"""Gambit's strategic-form ``.nfg`` format (version 1): reading and writing.

The format shared by Gambit and most game-theory software (McKelvey, McLennan & Turocy, *Gambit: Software
Tools for Game Theory*, https://www.gambit-project.org; described in the Gambit manual, "Game representation
formats"). A file starts with a header::

    NFG 1 R "title" { "Player 1" "Player 2" } { 3 2 }

The last brace lists either the number of strategies of each player (``{ 3 2 }``) or their names
(``{ { "U" "D" } { "L" "R" } }``). An optional quoted comment follows. Then comes one of two bodies:

* the *payoff version*: for every pure profile, the payoff of each player in turn, profiles enumerated with
  player 1's strategy changing fastest;
* the *outcome version* (what Gambit writes): a braced list of outcomes ``{ "label" u_1, u_2, ... }``
  followed by one outcome number per pure profile (same order; ``0`` is the null outcome, all payoffs zero).

Numbers may be integers, decimals or rationals such as ``3/2`` (parsed exactly and rounded once to the
nearest float64). Strings are double-quoted; ``\\"`` and ``\\\\`` escape a quote and a backslash.

Reading
    The header is checked before the body is read: a file declaring more than ``max_payoffs`` payoff
    entries (players x pure profiles) raises :class:`~rqe.errors.ProblemSizeError` without allocating. The
    body is converted in chunks of plain decimal numbers (a token-by-token scan takes over where a chunk holds
    rationals or an error, so messages keep their line and column). Empty labels become their 1-based number
    and repeated labels get ``#k`` appended (:func:`rqe.io._text.distinct_labels`; Gambit accepts repeats,
    rqe's names are distinct). The comment and outcome labels are not kept in a :class:`~rqe.game.Game`.

Writing
    The payoff version by default (the outcome version on request). When every strategy name is the
    default ``"1", "2", ...`` the header lists counts (``{ 3 2 }``) and no comment, the form that OpenSpiel's
    ``pyspiel.load_nfg_game`` reads as well as Gambit (OpenSpiel cannot read a double quote inside a string);
    otherwise it lists the names (Gambit only). Private
    ``costs`` cannot be represented in ``.nfg`` (the JSON format keeps them).

>>> from rqe import Game
>>> text = write_nfg(Game.zero_sum([[1, -1], [-1, 1]], title="Matching pennies"))
>>> print(text, end="")
NFG 1 R "Matching pennies" { "1" "2" } { 2 2 }
<BLANKLINE>
1 -1
-1 1
-1 1
1 -1
>>> read_nfg(text).payoffs[0].tolist()
[[1.0, -1.0], [-1.0, 1.0]]
"""

from __future__ import annotations

import math
import re
from typing import Iterator

import numpy as np

from rqe.errors import FileFormatError, GameError
from rqe.game import Game
from rqe.io._text import (
    MAX_PAYOFFS,
    Tokens,
    check_declared_size,
    distinct_labels,
    format_numbers,
    parse_number,
    quote,
    read_prologue,
    show,
)

__all__ = ["read_nfg", "write_nfg", "MAX_PLAYERS"]

#: Largest number of players (numpy arrays have at most 32 axes up to numpy 1.x, and payoffs have N + 1).
MAX_PLAYERS = 31

# Characters of a chunk that the bulk converter handles; anything else goes to the token-by-token scan.
_PLAIN = re.compile(r"[^0-9eE+\-./\s]")  # decimals and rationals p/q
_PLAIN_INTEGERS = re.compile(r"[^0-9\s]")
_CHUNK = 1 << 22  # characters per bulk chunk


# ---------------------------------------------------------------------------------------------- reading
def read_nfg(text: str, path: str | None = None, *, max_payoffs: float = MAX_PAYOFFS) -> Game:
    """The :class:`~rqe.game.Game` of the text of a ``.nfg`` file (module docstring).

    Raises :class:`~rqe.errors.FileFormatError` (with line and column) for malformed input and
    :class:`~rqe.errors.ProblemSizeError` when the header declares more than ``max_payoffs`` payoffs.
    """
    tokens = Tokens(text, path)
    title, player_labels, token = read_prologue(tokens, "NFG", "1")
    n_players = len(player_labels)
    if n_players > MAX_PLAYERS:
        raise tokens.error(f"the game has {n_players} players, more than the {MAX_PLAYERS} supported", token)

    tokens.expect("{", "'{' opening the strategy counts or names")
    counts: list[int] = []
    strategy_labels: list[list[str]] | None = None
    first = tokens.peek()
    if first is not None and first.kind == "{":
        strategy_labels = []
        while (token := tokens.next("'{' or '}'")).kind != "}":
            if token.kind != "{":
                raise tokens.error(f"expected '{{' opening a player's strategy names, found {show(token)}",
                                   token)
            names = []
            while (inner := tokens.next("a strategy name or '}'")).kind != "}":
                if inner.kind != "string":
                    raise tokens.error(f"expected a quoted strategy name, found {show(inner)}", inner)
                names.append(inner.text)
            if not names:
                raise tokens.error(f"player {len(strategy_labels) + 1} has an empty strategy list", inner)
            strategy_labels.append(names)
        counts = [len(names) for names in strategy_labels]
    else:
        while (peeked := tokens.peek()) is not None and peeked.kind != "}":
            count, _ = tokens.integer(f"the number of strategies of player {len(counts) + 1}", 1)
            counts.append(count)
        token = tokens.expect("}", "'}' closing the strategy counts")
    if len(counts) != n_players:
        raise tokens.error(f"{n_players} players are named but strategies are given for {len(counts)}", token)
    n_profiles = math.prod(counts)
    check_declared_size(n_players * n_profiles, max_payoffs,
                        f"{n_players} players with {' x '.join(map(str, counts))} strategies", path)

    peeked = tokens.peek()
    if peeked is not None and peeked.kind == "string":
        tokens.next("the comment")  # the optional comment; not kept in a Game

    peeked = tokens.peek()
    if peeked is not None and peeked.kind == "{":
        values, tokens = _read_outcome_body(tokens, n_players, n_profiles)
    else:
        values, tokens = _read_payoff_body(tokens, n_players, n_profiles)
    extra = tokens.peek()
    if extra is not None:
        raise tokens.error(f"unexpected {show(extra)} after the last payoff", extra)

    shape = tuple(counts)
    payoffs = np.stack([values[:, i].reshape(shape, order="F") for i in range(n_players)])
    action_names = None if strategy_labels is None else [distinct_labels(names) for names in strategy_labels]
    try:
        return Game(payoffs, title=title, player_names=distinct_labels(player_labels),
                    action_names=action_names)
    except GameError as exc:  # pragma: no cover - every value was checked above
        raise FileFormatError(str(exc), line=1, column=1, path=tokens.path) from None


def _chunks(tokens: Tokens) -> Iterator[tuple[str, int, int, int, int]]:
    """Yield ``(text, start, end, line, line_start)``: slices of the unread text, cut at whitespace."""
    text = tokens.text
    offset, line, line_start = tokens.position()
    n = len(text)
    while offset < n:
        end = min(offset + _CHUNK, n)
        if end < n:
            cut = max(text.rfind(space, offset, end) for space in " \n\t")
            end = cut + 1 if cut > offset else n
        yield text, offset, end, line, line_start
        newlines = text.count("\n", offset, end)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", offset, end) + 1
        offset = end


def _bulk(tokens: Tokens, needed: int, dtype: type,
          plain: re.Pattern) -> tuple[list[np.ndarray], int, Tokens]:
    """Convert whole chunks of plain numbers with numpy; stop at the first chunk that needs the slow scan.

    Returns the converted arrays, their total length and a tokenizer positioned at the unconverted rest.
    """
    parts: list[np.ndarray] = []
    total = 0
    for text, start, end, line, line_start in _chunks(tokens):
        chunk = text[start:end]
        words = chunk.split() if plain.search(chunk) is None else None
        array = None
        if words is not None and total + len(words) <= needed:
            array = _floats(words, "/" in chunk) if dtype is np.float64 else _integers(words)
        if array is None:
            return parts, total, Tokens(text, tokens.path, start, line, line_start)
        parts.append(array)
        total += array.size
    return parts, total, _at_end(tokens)


def _floats(words: list[str], rationals: bool) -> np.ndarray | None:
    """float64 values of decimal words and exact rationals ``p/q`` (each rounded once), or None when any word
    is not a finite number (the token scan then reports it with its position)."""
    try:
        if not rationals:
            values = np.array(words, dtype=np.float64)
        else:
            slashed = [k for k, w in enumerate(words) if "/" in w]
            values = np.array([w if "/" not in w else "0" for w in words], dtype=np.float64)
            values[slashed] = _rationals([words[k] for k in slashed])
    except (ValueError, OverflowError):
        return None
    return values if np.all(np.isfinite(values)) else None


_NOT_INTEGER = re.compile(r"[^0-9+\-]")


def _rationals(words: list[str]) -> np.ndarray | list[float]:
    """Values of words ``p/q``: each exact quotient rounded once (as :func:`~rqe.io._text.parse_number`)."""
    halves = " ".join(words).replace("/", " ").split()
    if len(halves) == 2 * len(words) and all(w.count("/") == 1 for w in words):
        numerators, denominators = halves[0::2], halves[1::2]
        # integers of at most 15 digits are exact in float64, and IEEE division rounds their quotient once
        short = max(len(n.lstrip("+-")) for n in numerators) <= 15 and max(map(len, denominators)) <= 15
        if short and _NOT_INTEGER.search("".join(numerators)) is None and \
                not any("+" in q or "-" in q for q in denominators):
            top = np.array(numerators, dtype=np.float64)
            bottom = np.array(denominators, dtype=np.float64)
            if np.all(bottom != 0):
                return top / bottom
    return [parse_number(w) for w in words]


def _integers(words: list[str]) -> np.ndarray | None:
    try:
        return np.array(words, dtype=np.int64)
    except (ValueError, OverflowError):
        return None


def _at_end(tokens: Tokens) -> Tokens:
    text = tokens.text
    line = text.count("\n") + 1
    return Tokens(text, tokens.path, len(text), line, text.rfind("\n") + 1)


def _read_payoff_body(tokens: Tokens, n_players: int, n_profiles: int) -> tuple[np.ndarray, Tokens]:
    needed = n_players * n_profiles
    parts, total, tokens = _bulk(tokens, needed, np.float64, _PLAIN)
    if total < needed:
        tail = []
        for k in range(total, needed):
            token = tokens.peek()
            if token is None:
                raise tokens.error(f"unexpected end of file: the payoff version needs {needed} payoffs "
                                   f"({n_profiles} profiles x {n_players} players), found {k}")
            if token.kind != "word":
                raise tokens.error(f"bad payoff of player {k % n_players + 1} in profile "
                                   f"{k // n_players + 1} of {n_profiles}: found {show(token)}", token)
            tail.append(tokens.number(f"payoff of player {k % n_players + 1} in profile "
                                      f"{k // n_players + 1} of {n_profiles}"))
        parts.append(np.array(tail, dtype=np.float64))
    values = np.concatenate(parts) if parts else np.empty(0)
    return values.reshape(n_profiles, n_players), tokens


def _outcome_pattern(n_players: int) -> re.Pattern:
    """Complete outcomes ``{ "label" u_1, u_2, ... }``, repeated: the shape of a well-formed outcome list."""
    word = r'[^\s{},"]+'
    one = r'\s*\{\s*"(?:[^"\\]|\\.)*"\s*' + word + (r"(?:\s*,?\s*" + word + ")") * (n_players - 1) + r"\s*\}"
    return re.compile(f"(?:{one})*", re.S)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SEPARATORS = str.maketrans("{},", "   ")


def _bulk_outcomes(tokens: Tokens, n_players: int) -> tuple[list[np.ndarray], Tokens]:
    """Convert runs of complete, plain outcomes chunk by chunk; the token scan takes over at any other text."""
    text = tokens.text
    offset, line, line_start = tokens.position()
    pattern = _outcome_pattern(n_players)
    parts: list[np.ndarray] = []
    while offset < len(text):
        end = pattern.match(text, offset, min(offset + _CHUNK, len(text))).end()
        if end == offset:
            break
        body = _STRING.sub(" ", text[offset:end])
        count = body.count("{")
        words = body.translate(_SEPARATORS).split()
        joined = " ".join(words)
        if _PLAIN.search(joined) is not None or len(words) != count * n_players:
            break
        array = _floats(words, "/" in joined)
        if array is None:
            break
        parts.append(array.reshape(count, n_players))
        newlines = text.count("\n", offset, end)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", offset, end) + 1
        offset = end
    return parts, Tokens(text, tokens.path, offset, line, line_start)


def _read_outcome_body(tokens: Tokens, n_players: int, n_profiles: int) -> tuple[np.ndarray, Tokens]:
    tokens.expect("{", "'{' opening the list of outcomes")
    parts, tokens = _bulk_outcomes(tokens, n_players)
    outcomes = [np.zeros((1, n_players)), *parts]  # outcome 0 is the null outcome
    n_outcomes = sum(len(p) for p in outcomes)
    while (token := tokens.next("'{' opening an outcome or '}'")).kind != "}":
        if token.kind != "{":
            raise tokens.error(f"expected '{{' opening an outcome, found {show(token)}", token)
        number = n_outcomes
        tokens.expect("string", f"the quoted label of outcome {number}")
        payoff = np.empty((1, n_players))
        for i in range(n_players):
            if i > 0:
                peeked = tokens.peek()
                if peeked is not None and peeked.kind == ",":
                    tokens.next("','")
            payoff[0, i] = tokens.number(f"the payoff of player {i + 1} in outcome {number}")
        tokens.expect("}", f"'}}' closing outcome {number} (it must have {n_players} payoffs)")
        outcomes.append(payoff)
        n_outcomes += 1
    table = np.concatenate(outcomes)
    parts, total, rest = _bulk(tokens, n_profiles, np.int64, _PLAIN_INTEGERS)
    indices = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    bad = np.flatnonzero(indices >= n_outcomes)
    if bad.size:
        # rescan from the start of the body for the position of the first bad number
        rescan = tokens
        for k in range(int(bad[0]) + 1):
            index, token = rescan.integer(f"the outcome number of profile {k + 1} of {n_profiles}", 0)
        raise tokens.error(f"outcome {index} does not exist; the file defines outcomes 1..{n_outcomes - 1}",
                           token)
    tokens = rest
    tail = []
    for k in range(total, n_profiles):
        index, token = tokens.integer(f"the outcome number of profile {k + 1} of {n_profiles}", 0)
        if index >= n_outcomes:
            raise tokens.error(f"outcome {index} does not exist; the file defines outcomes 1..{n_outcomes - 1}",
                               token)
        tail.append(index)
    if tail:
        indices = np.concatenate([indices, np.array(tail, dtype=np.int64)])
    return table[indices], tokens


# ---------------------------------------------------------------------------------------------- writing
def _default_names(game: Game) -> bool:
    return all(names == tuple(str(k + 1) for k in range(len(names))) for names in game.action_names)


def write_nfg(game: Game, outcome_version: bool = False) -> str:
    """The ``.nfg`` text of ``game`` (module docstring: counts form and no comment when names are default)."""
    players = "{ " + " ".join(quote(p) for p in game.player_names) + " }"
    if _default_names(game):
        lines = [f"NFG 1 R {quote(game.title)} {players} {{ {' '.join(map(str, game.shape))} }}", ""]
    else:
        strategies = "\n".join("{ " + " ".join(quote(a) for a in names) + " }" for names in game.action_names)
        lines = [f"NFG 1 R {quote(game.title)} {players}", "", "{ " + strategies, "}", '""', ""]
    n = game.n_players
    values = np.stack([game.payoffs[i].ravel(order="F") for i in range(n)], axis=1)
    words = format_numbers(values.ravel())
    rows = [" ".join(words[k: k + n]) for k in range(0, len(words), n)]
    if outcome_version:
        lines.append("{")
        lines.extend('{ "" ' + row.replace(" ", ", ") + " }" for row in rows)
        lines.append("}")
        lines.append(" ".join(str(k + 1) for k in range(len(rows))))
    else:
        lines.extend(rows)
    return "\n".join(lines) + "\n"
