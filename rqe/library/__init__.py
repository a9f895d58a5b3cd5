"""A library of named games: classics, collaborative/effort/free-riding games, laboratory games, and seeded
random generators.

* :func:`names` lists them, :func:`get` builds one with keyword parameters, :func:`describe` explains one;
* :func:`from_spec` builds one from a command-line spec ``"name:param=value,..."``;
* :func:`lab_data` gives the observed laboratory play of the experimental games (``docs/rqe-math.md``
  section 9).

Every game's docstring cites its source.

Examples
--------
>>> from rqe import library
>>> game = library.get("collaborate_defect", cost=0.4)
>>> game.action_names[0]
('C', 'D')
>>> library.from_spec("selten_chmura:game=7").payoffs[1].tolist()
[[12.0, 22.0], [9.0, 8.0]]
"""

from __future__ import annotations

import inspect
from typing import Any

from rqe.game import Game
from rqe.library import classic, cooperative, experimental, generators  # noqa: F401  (registers the games)
from rqe.library._registry import REGISTRY, builder, check_params, parameters, parse_spec
from rqe.library.experimental import LabData, lab_data

__all__ = ["names", "get", "describe", "parameters", "from_spec", "parse_spec", "lab_data", "LabData",
           "categories"]

#: Category names in display order.
CATEGORIES = ("classic", "cooperative", "experimental", "random")


def names(category: str | None = None) -> list[str]:
    """Names of the library's games, grouped by category (classic, cooperative, experimental, random).

    Examples
    --------
    >>> "stag_hunt" in names() and "random_covariance" in names("random")
    True
    """
    if category is not None and category not in CATEGORIES:
        from rqe.errors import ParameterError

        raise ParameterError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    wanted = CATEGORIES if category is None else (category,)
    return [name for c in wanted for name, (cat, _) in REGISTRY.items() if cat == c]


def categories() -> dict[str, str]:
    """Map each game's name to its category."""
    return {name: cat for name, (cat, _) in REGISTRY.items()}


def get(name: str, **params: Any) -> Game:
    """Build the library game ``name`` with keyword parameters (see :func:`describe` for them).

    Examples
    --------
    >>> get("prisoners_dilemma", T=6).payoffs[0].tolist()
    [[3.0, 0.0], [6.0, 1.0]]
    """
    make = builder(name)
    check_params(name, params)
    return make(**params)


def from_spec(spec: str) -> Game:
    """Build a game from ``"name"`` or ``"name:param=value,..."`` (the command line's GAME argument).

    Examples
    --------
    >>> from_spec("collaborate_defect:cost=0.3,n_players=3").shape
    (2, 2, 2)
    """
    name, params = parse_spec(spec)
    return get(name, **params)


def summary(name: str, width: int = 90) -> str:
    """The first sentence of a game's docstring, shortened to ``width`` characters.

    Examples
    --------
    >>> summary("stag_hunt")
    'Stag hunt: actions Stag and Hare.'
    """
    doc = inspect.getdoc(builder(name)) or ""
    text = doc.split("\n\n")[0].replace("\n", " ").replace("``", "")
    end = text.find(". ")
    if end >= 0:
        text = text[: end + 1]
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def describe(name: str) -> str:
    """The documentation of a library game: what it is, its source and its parameters with defaults.

    Examples
    --------
    >>> print(describe("stag_hunt").splitlines()[0])
    stag_hunt(stag=4.0, hare=3.0, sucker=0.0)
    """
    make = builder(name)
    listing = ", ".join(f"{key}={value!r}" for key, value in parameters(name).items())
    doc = inspect.getdoc(make) or ""
    # Drop the doctest examples (they close every docstring): they are for the test suite, not the terminal.
    lines = doc.splitlines()
    examples = next((k for k, line in enumerate(lines) if line.startswith(">>>")), len(lines))
    text = "\n".join(lines[:examples]).strip()
    return f"{name}({listing})\n\n{text}"
