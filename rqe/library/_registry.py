"""The registry behind :mod:`rqe.library`: names, parameter parsing and ``name:param=value`` specs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from rqe.errors import GameError, ParameterError

#: name -> (category, builder)
REGISTRY: dict[str, tuple[str, Callable[..., Any]]] = {}


def register(category: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator adding a game builder to the library under its function name."""

    def decorate(builder: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[builder.__name__] = (category, builder)
        return builder

    return decorate


def builder(name: str) -> Callable[..., Any]:
    if not isinstance(name, str):
        raise GameError(f"a library game's name must be a string, got {type(name).__name__}; see rqe.library.names()")
    if name not in REGISTRY:
        close = [n for n in REGISTRY if name.replace("-", "_").lower() in n]
        hint = f"; did you mean {', '.join(close)}?" if close else "; see rqe.library.names()"
        raise GameError(f"unknown game {name!r}{hint}")
    return REGISTRY[name][1]


def parameters(name: str) -> dict[str, Any]:
    """The keyword parameters of a library game with their defaults."""
    signature = inspect.signature(builder(name))
    return {p.name: p.default for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY or
            p.kind is p.POSITIONAL_OR_KEYWORD}


def check_params(name: str, params: dict[str, Any]) -> None:
    known = parameters(name)
    unknown = sorted(set(params) - set(known))
    if unknown:
        listing = ", ".join(known) if known else "none"
        raise ParameterError(f"game {name!r} has no parameter {unknown[0]!r}; its parameters: {listing}")


def _convert(text: str, default: Any, key: str, name: str) -> Any:
    text = text.strip()
    try:
        if isinstance(default, bool):
            if text.lower() in ("1", "true", "yes"):
                return True
            if text.lower() in ("0", "false", "no"):
                return False
            raise ValueError(text)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, tuple) or "x" in text.lower() and all(p.strip().isdigit() for p in text.lower().split("x")):
            return tuple(int(p) for p in text.lower().split("x"))
        if text.lower() == "none":
            return None
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text
    except ValueError:
        kind = type(default).__name__
        raise ParameterError(f"parameter {key!r} of game {name!r} must be {kind}-valued "
                             f"(default {default!r}), got {text!r}") from None


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name:param=value,..."`` into the game's name and its typed parameters.

    Values are converted to the type of the parameter's default (``int``, ``float``, ``bool``); shapes are
    written ``3x3x2``.

    Examples
    --------
    >>> parse_spec("prisoners_dilemma:T=6,S=-1")
    ('prisoners_dilemma', {'T': 6.0, 'S': -1.0})
    >>> parse_spec("random_uniform:shape=3x2,seed=7")
    ('random_uniform', {'shape': (3, 2), 'seed': 7})
    """
    name, _, rest = spec.partition(":")
    name = name.strip()
    known = parameters(name)
    params: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"bad game parameter {item!r} in {spec!r}; expected name:param=value,...")
        if key not in known:
            listing = ", ".join(known) if known else "none"
            raise ParameterError(f"game {name!r} has no parameter {key!r}; its parameters: {listing}")
        params[key] = _convert(value, known[key], key, name)
    return name, params
