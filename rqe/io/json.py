"""rqe's JSON game format: reading and writing.

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
strings holding rationals (``"3/2"``). Integers beyond the float64 range (``10**400``), ``NaN`` and
``Infinity`` are refused with :class:`~rqe.errors.FileFormatError`, as are strings that are not numbers
(``"1+2j"``: complex payoffs have no meaning here). Floats are written with Python's shortest round-trip
representation, so a JSON round trip is exact.

>>> from rqe import Game
>>> game = Game.from_shared_reward([[1, 0], [0, 1]], [[0.5, 0], [0.5, 0]], title="Costly coordination")
>>> read_json(write_json(game)) == game
True
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from rqe.errors import FileFormatError, GameError
from rqe.game import Game
from rqe.io._text import parse_number

__all__ = ["read_json", "write_json"]


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
        try:
            v = float(value)
        except OverflowError:
            raise ValueError(f"{where} is an integer outside the float64 range ({len(str(abs(value)))} digits)") from None
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


def _unencodable(value: Any) -> bool:
    """True for strings (or lists of them) holding lone surrogates, which no file can store as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    return isinstance(value, list) and any(_unencodable(v) for v in value)


def read_json(text: str, path: str | None = None) -> Game:
    """The :class:`~rqe.game.Game` of the text of a JSON game file (module docstring).

    Raises :class:`~rqe.errors.FileFormatError` with the line and column of the offending key.
    """
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
    for key in ("title", "players", "actions"):
        if _unencodable(document.get(key)):
            raise _json_error(text, key, f"\"{key}\" holds a lone surrogate (an unpaired \\ud800-\\udfff escape), "
                              "which is not text", path)
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


def write_json(game: Game) -> str:
    """The JSON text of ``game`` (module docstring); exact for every float."""
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
    # ensure_ascii=False: text that is not valid UTF-8 (a lone surrogate) fails in the writer, never silently
    # escaped into a file that the reader refuses
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"

