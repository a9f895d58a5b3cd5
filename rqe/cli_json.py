"""The one JSON document that every ``rqe`` command prints with ``--json`` (on stdout), and its JSON Schema.

Every document has the same envelope::

    {"schema": "rqe-cli/1", "command": "solve", "game": {...} | null, "results": [...], "notes": [...],
     "data": {...}}

* ``game``: the game the command worked on: its spec, title, player names and action names (``show`` adds the
  payoffs, the private costs and ``file``, the game in rqe's JSON file format);
* ``results``: one entry per solution concept: ``concept``, ``method``, ``converged``, ``parameters`` and the
  ``equilibria``, each with its ``strategies`` keyed by player name and action name (and ``profile``, the same
  numbers as lists in game order), ``payoffs`` keyed by player name, ``welfare``, ``residual`` and
  ``free_riding`` (the free-riding degree, for games with private costs; ``null`` otherwise);
* ``notes``: one line each for what could not be computed (a concept not available, a solver error);
* ``data``: what only this command reports (the game list of ``games``, the report of ``verify``, the files
  written by ``figure`` and ``plot``).

Non-finite numbers are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"`` so the document is strict JSON.
:data:`SCHEMA` is the JSON Schema (draft 2020-12) that every document satisfies; the docs print it.

Examples
--------
>>> from rqe import library
>>> doc = envelope("show", game_info(library.get("stag_hunt"), "stag_hunt"))
>>> doc["schema"], doc["game"]["actions"]
('rqe-cli/1', {'1': ['Stag', 'Hare'], '2': ['Stag', 'Hare']})
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rqe._files import jsonable

__all__ = ["SCHEMA", "SCHEMA_ID", "envelope", "game_info", "equilibrium_entry", "jsonable", "dumps", "keys"]

SCHEMA_ID = "rqe-cli/1"

_NUMBER = {"oneOf": [{"type": "number"}, {"enum": ["inf", "-inf", "nan"]}]}
_DISTRIBUTION = {"type": "object", "additionalProperties": _NUMBER}

#: The JSON Schema of every ``--json`` document.
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "rqe command-line JSON output",
    "type": "object",
    "required": ["schema", "command", "game", "results", "notes", "data"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "command": {"type": "string", "description": "the sub-command, e.g. 'solve' or 'verify'"},
        "game": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/game"}]},
        "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
        "notes": {"type": "array", "items": {"type": "string"}},
        "data": {"type": "object", "description": "what only this command reports"},
    },
    "$defs": {
        "number": _NUMBER,
        "game": {
            "type": "object",
            "required": ["spec", "title", "players", "actions"],
            "properties": {
                "spec": {"type": "string", "description": "the GAME argument as given"},
                "title": {"type": "string"},
                "players": {"type": "array", "items": {"type": "string"}},
                "actions": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            "description": "player name -> action names"},
                "payoffs": {"type": "array", "description": "payoffs[i][a_1]...[a_n] (show only)"},
                "costs": {"oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": _DISTRIBUTION}]},
                "file": {"type": "object", "description": "the game in rqe's JSON file format (show only)"},
            },
        },
        "equilibrium": {
            "type": "object",
            "required": ["strategies", "payoffs", "welfare", "residual", "free_riding"],
            "properties": {
                "strategies": {
                    "type": "object",
                    "description": "player name -> action name -> probability; for extensive-form games "
                                   "(rqe openspiel) player -> information set -> action -> probability",
                    "additionalProperties": {"type": "object", "additionalProperties": {
                        "oneOf": [_NUMBER, _DISTRIBUTION]}},
                },
                "profile": {"type": "array", "items": {"type": "array", "items": _NUMBER},
                            "description": "the strategies as lists in game order"},
                "payoffs": _DISTRIBUTION,
                "welfare": _NUMBER,
                "residual": _NUMBER,
                "free_riding": {"oneOf": [{"type": "null"}, _NUMBER]},
            },
        },
        "result": {
            "type": "object",
            "required": ["concept", "method", "converged", "parameters", "equilibria"],
            "properties": {
                "concept": {"type": "string"},
                "method": {"type": "string"},
                "converged": {"type": "boolean"},
                "parameters": {"type": "object"},
                "equilibria": {"type": "array", "items": {"$ref": "#/$defs/equilibrium"}},
                "complete": {"type": ["boolean", "null"],
                             "description": "whether the list is proven to hold every equilibrium"},
                "correlated": {
                    "type": "object", "required": ["distribution", "payoffs", "welfare", "residual"],
                    "description": "a correlated equilibrium: a joint distribution over pure profiles",
                    "properties": {"distribution": {"type": "array"}, "payoffs": _DISTRIBUTION,
                                   "welfare": _NUMBER, "residual": _NUMBER,
                                   "free_riding": {"oneOf": [{"type": "null"}, _NUMBER]}},
                },
                "exploitability": {"oneOf": [{"type": "null"}, _NUMBER]},
            },
        },
    },
}


def keys(names: Sequence[str]) -> list[str]:
    """``names`` as distinct JSON keys: a repeated name gets ``#2``, ``#3``, ... appended."""
    seen: dict[str, int] = {}
    out = []
    for name in map(str, names):
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def game_info(game: Any, spec: str, *, full: bool = False) -> dict[str, Any]:
    """The ``game`` entry: spec, title, players and actions (with payoffs, costs and ``file`` when ``full``)."""
    players = keys(game.player_names)
    info: dict[str, Any] = {
        "spec": spec, "title": game.title or spec, "players": players,
        "actions": {p: list(map(str, names)) for p, names in zip(players, game.action_names)},
    }
    if full:
        from rqe.io import dumps as dump_game

        info["payoffs"] = jsonable(game.payoffs)
        info["costs"] = None if game.costs is None else {
            p: dict(zip(keys(names), jsonable(c))) for p, names, c in zip(players, game.action_names, game.costs)}
        info["file"] = json.loads(dump_game(game, "json"))
    return info


def equilibrium_entry(game: Any, strategies: Sequence[Any], payoffs: Sequence[float], residual: float,
                      free_riding: float | None) -> dict[str, Any]:
    """One ``equilibria`` item, strategies keyed by player and action names."""
    players = keys(game.player_names)
    profile = [np.asarray(x, dtype=float) for x in strategies]
    return {
        "strategies": {p: dict(zip(keys(names), jsonable(x)))
                       for p, names, x in zip(players, game.action_names, profile)},
        "profile": jsonable(profile),
        "payoffs": dict(zip(players, jsonable(np.asarray(payoffs, dtype=float)))),
        "welfare": jsonable(float(np.sum(payoffs))),
        "residual": jsonable(float(residual)),
        "free_riding": None if free_riding is None else jsonable(float(free_riding)),
    }


def envelope(command: str, game: dict[str, Any] | None = None, results: Sequence[dict[str, Any]] = (),
             notes: Sequence[str] = (), data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document of one command (see the module docstring)."""
    return {"schema": SCHEMA_ID, "command": command, "game": game, "results": list(results),
            "notes": [str(n) for n in notes], "data": jsonable(data or {})}


def dumps(document: dict[str, Any]) -> str:
    """``document`` as strict JSON text (``allow_nan=False``: non-finite numbers must already be strings)."""
    return json.dumps(jsonable(document), indent=1, allow_nan=False)
