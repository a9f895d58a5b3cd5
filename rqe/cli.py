"""The ``rqe`` command line: list, show, solve, compare and convert games.

Presentation only: games come from :mod:`rqe.library` or :mod:`rqe.io`, equilibria from the solvers through
:func:`rqe.solvers.get_solver`. ``GAME`` arguments are a library name with optional parameters
(``collaborate_defect:cost=0.3,n_players=3``), a ``.nfg`` / ``.json`` file, or an ``openspiel:...`` spec
(handled by :mod:`rqe.openspiel.cli`).

User errors print one line ``rqe: error: ...`` and exit with status 2.

Other parts of rqe add commands through modules listed in :data:`EXTENSIONS`; each exposes
``register(subparsers)``, which adds argparse sub-commands whose ``func(args)`` returns the exit status.

Examples
--------
>>> from rqe.cli import main
>>> main(["games", "--category", "experimental"])
name           category      description
selten_chmura  experimental  One of the 12 two-by-two games of Selten & Chmura's experiment (game = 1..12).
ghp2003        experimental  Goeree, Holt & Palfrey's (2003) generalised matching pennies game 4.
0
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from rqe.errors import GameError, NotAvailableError, ParameterError, RQEError
from rqe.game import Game

__all__ = ["main", "build_parser", "load_game", "plain_text", "EXTENSIONS", "CONCEPTS", "DEFAULTS"]

#: Modules that add sub-commands with ``register(subparsers)``; skipped when the module is not present.
EXTENSIONS = ["rqe.analysis.cli", "rqe.srpo.cli", "rqe.srpo.lm.cli", "rqe.openspiel.cli", "rqe.plot_cli"]

#: Concepts of ``rqe solve --concept``, in display order.
CONCEPTS = ("nash", "qre", "rqe", "ce")

#: Parameters used when the command line does not give them (``lam = 1 / epsilon``, as in the RQE limit
#: tau -> 0 of ``docs/rqe-math.md`` section 3).
DEFAULTS: dict[str, dict[str, Any]] = {
    "nash": {},
    "qre": {"lam": 5.0},
    "rqe": {"tau": 2.0, "epsilon": 0.2},
    "ce": {},
}

# command-line option -> solver keyword, and the concepts it applies to
_OPTIONS: dict[str, tuple[str, ...]] = {
    "tau": ("rqe",),
    "epsilon": ("rqe",),
    "lam": ("qre",),
    "method": ("nash", "qre", "rqe"),
    "penalty": ("rqe",),
    "regularizer": ("rqe",),
    "kind": ("ce",),
    "objective": ("ce",),
    "n_starts": ("rqe",),
    "seed": ("rqe",),
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"rqe: error: {_with_suggestion(message)}\n")


def _with_suggestion(message: str) -> str:
    """argparse's ``invalid choice: 'sovle' (choose from ...)`` with ``; did you mean 'solve'?`` added."""
    import difflib

    match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if not match:
        return message
    choices = re.findall(r"'([^']*)'", match.group(2)) or [c.strip() for c in match.group(2).split(",")]
    close = difflib.get_close_matches(match.group(1), choices, n=2, cutoff=0.6)
    return message + (f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "")


# ------------------------------------------------------------------------------------------ games
def load_game(spec: str) -> Game:
    """The game named by a command-line ``GAME`` argument.

    * ``openspiel:...``: delegated to ``rqe.openspiel.cli.load_game_spec``;
    * an existing file (or one ending in ``.nfg`` / ``.json``): read with :func:`rqe.io.read_game`;
    * otherwise a library spec ``name`` or ``name:param=value,...`` (:func:`rqe.library.from_spec`).

    Examples
    --------
    >>> load_game("stag_hunt:stag=5").payoffs[0].tolist()
    [[5.0, 0.0], [3.0, 3.0]]
    """
    if spec.startswith("openspiel:"):
        bridge = _import_optional("rqe.openspiel.cli", "OpenSpiel games ('openspiel:...' specs)")
        return bridge.load_game_spec(spec)
    if os.path.isfile(spec) or spec.lower().endswith((".nfg", ".efg", ".json")):
        from rqe.io import read_game

        return read_game(spec)
    from rqe import library

    name = spec.partition(":")[0].strip()
    if name not in library.names():
        raise GameError(f"{spec!r} is neither a game of the library nor an existing file{_suggest(name)}")
    return library.from_spec(spec)


def _suggest(name: str) -> str:
    """``"; did you mean a, b?"`` with the library names closest to ``name`` (typos and substrings)."""
    import difflib

    from rqe import library

    names = library.names()
    key = name.replace("-", "_").lower()
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    close += [n for n in names if key and key in n and n not in close]
    return f"; did you mean {', '.join(close[:4])}?" if close else "; list the library with `rqe games`"


def _import_optional(module: str, what: str):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module == exc.name or module.startswith(exc.name + ".")):
            raise NotAvailableError(f"{what} need the module {module}, which is not part of this version of rqe") \
                from None
        raise


# ------------------------------------------------------------------------------------------ formatting
_ROLE = re.compile(r":(?:py:)?[a-z]+:`~?\.?([^`]+)`")


def plain_text(doc: str | None) -> str:
    """A docstring as ``--help`` prints it: Sphinx roles (``:func:`rqe.plot```) reduced to their target's name.

    Examples
    --------
    >>> plain_text("Draws with :mod:`rqe.plot` and :func:`~rqe.openspiel.solve_openspiel`.")
    'Draws with rqe.plot and solve_openspiel.'
    """

    def name(match: re.Match) -> str:
        return match.group(0).split("`")[1].lstrip("~.").rsplit(".", 1)[-1] if "~" in match.group(0) \
            else match.group(1)

    return _ROLE.sub(name, doc or "")


def _fmt(value: float, digits: int = 6) -> str:
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool] | None = None) -> str:
    """An aligned plain-text table; numeric columns (``right``) are right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for k, c in enumerate(row):
            widths[k] = max(widths[k], len(c))
    right = right or [False] * len(headers)

    def line(row: Sequence[str]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(list(headers)), *(line(row) for row in cells)])


def _strategy(game: Game, player: int, x: np.ndarray) -> str:
    return " ".join(f"{name}={p:.4f}" for name, p in zip(game.action_names[player], x))


def _expected_costs(game: Game, strategies: Sequence[np.ndarray]) -> np.ndarray | None:
    if game.costs is None:
        return None
    return np.array([float(c @ x) for c, x in zip(game.costs, strategies)])


def _fmt_degree(value: float | None) -> str:
    # differences of expected costs below 1e-12 are rounding noise of equal strategies
    return "" if value is None else _fmt(0.0 if abs(value) < 1e-12 else value, 4)


def free_riding_degree(game: Game, strategies: Sequence[np.ndarray]) -> float | None:
    """The free-riding degree ``max_i E_{x_i}[c_i] - min_i E_{x_i}[c_i]`` of
    :func:`rqe.analysis.free_riding.free_riding_degree` (QZLM Definition 4.1 for two players,
    ``docs/rqe-math.md`` section 6), or ``None`` for a game without private costs.

    Examples
    --------
    >>> from rqe import library
    >>> free_riding_degree(library.get("collaborate_defect"), [np.array([1.0, 0.0]), np.array([0.0, 1.0])])
    0.4
    """
    if game.costs is None:
        return None
    from rqe.analysis.free_riding import free_riding_degree as degree

    return degree(game, [np.asarray(x, dtype=float) for x in strategies])


# ------------------------------------------------------------------------------------------ solving
def _number_or_list(text: str) -> float | list[float]:
    """``"2"`` -> 2.0, ``"2,3"`` -> [2.0, 3.0] (one value per player)."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or one number per player (a,b,...), got {text!r}")
    return values[0] if len(values) == 1 else values


def _solver_options(concept: str, args: argparse.Namespace, strict: bool = True) -> dict[str, Any]:
    """Keyword arguments for the solver of ``concept``: defaults, then the options the user gave."""
    options = dict(DEFAULTS[concept])
    for option, concepts in _OPTIONS.items():
        value = getattr(args, option, None)
        if value is None:
            continue
        if concept not in concepts:
            if strict:
                flag = "--" + option.replace("_", "-")
                raise ParameterError(f"option {flag} does not apply to concept {concept!r} "
                                     f"(it applies to {', '.join(concepts)})")
            continue
        options[option] = value
    if concept == "rqe" and "seed" in options:
        options["rng"] = np.random.default_rng(options.pop("seed"))
    return options


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send anything written to file descriptor 1 (e.g. an LP library's banner printed from C) to stderr,
    so that stdout carries only rqe's own output (``--json`` stays parseable)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no real stdout (embedded use): Python level only
        with contextlib.redirect_stdout(sys.stderr):
            yield
        return
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        try:
            sys.stdout.flush()
        except (OSError, ValueError):  # pragma: no cover
            pass
        os.dup2(saved, 1)
        os.close(saved)


def _solve(game: Game, concept: str, options: dict[str, Any]):
    from rqe.solvers import get_solver

    solver = get_solver(concept)
    with _stdout_to_stderr():
        return solver(game, **options)


def _result_document(game: Game, concept: str, options: dict[str, Any], result: Any) -> dict[str, Any]:
    """One ``results`` entry of the JSON document (:mod:`rqe.cli_json`), free-riding degree beside each."""
    from rqe.cli_json import equilibrium_entry, jsonable

    parameters = dict(getattr(result, "parameters", None) or {})
    for key, value in options.items():
        if key != "rng":
            parameters.setdefault(key, value)
    equilibria = []
    for eq in result.equilibria:
        strategies = [np.asarray(x, dtype=float) for x in eq.strategies]
        equilibria.append(equilibrium_entry(game, strategies, eq.payoffs, eq.residual,
                                            free_riding_degree(game, strategies)))
    document = {
        "concept": concept,
        "method": str(result.method),
        "converged": bool(result.converged),
        "parameters": jsonable(parameters),
        "equilibria": equilibria,
        "complete": getattr(result, "complete", None) if isinstance(getattr(result, "complete", None), bool)
        else None,
    }
    distribution = getattr(result, "distribution", None)
    if distribution is not None:
        # A correlated equilibrium is a joint distribution, not a profile of independent strategies.
        from rqe.cli_json import keys

        distribution = np.asarray(distribution, dtype=float)
        document["correlated"] = {
            "distribution": jsonable(distribution),
            "payoffs": dict(zip(keys(game.player_names), jsonable(np.asarray(result.payoffs, dtype=float)))),
            "welfare": jsonable(float(result.welfare)),
            "residual": jsonable(float(getattr(result, "incentive_violation", float("nan")))),
            "free_riding": free_riding_degree(game, _marginals(distribution)),
        }
    return document


def _payoff_list(entry: dict[str, Any]) -> list[float]:
    return [float(v) for v in entry["payoffs"].values()]


def _marginals(distribution: np.ndarray) -> list[np.ndarray]:
    axes = range(distribution.ndim)
    return [distribution.sum(axis=tuple(j for j in axes if j != i)) for i in axes]


def _support(game: Game, distribution: np.ndarray, atol: float = 1e-9) -> str:
    cells = []
    for profile in np.ndindex(*distribution.shape):
        if distribution[profile] > atol:
            names = ",".join(game.action_names[i][a] for i, a in enumerate(profile))
            cells.append(f"({names})={distribution[profile]:.4f}")
    return " ".join(cells)


def _print_result(game: Game, spec: str, document: dict[str, Any]) -> None:
    concept = document["concept"]
    parameters = ", ".join(f"{k}={_short(v)}" for k, v in document["parameters"].items())
    print(f"{concept} on {game.title or spec}: method {document['method']}, "
          f"converged {'yes' if document['converged'] else 'NO'}")
    if parameters:
        print(f"parameters: {parameters}")
    correlated = document.get("correlated")
    if correlated is not None:
        distribution = np.asarray(correlated["distribution"])
        rows = [[*(game.action_names[i][a] for i, a in enumerate(profile)), f"{distribution[profile]:.4f}"]
                for profile in np.ndindex(*distribution.shape) if distribution[profile] > 1e-9]
        print(_table([*game.player_names, "probability"], rows, [False] * game.n_players + [True]))
        costs = _expected_costs(game, _marginals(distribution))
        print("payoffs: " + ", ".join(_fmt(v) for v in _payoff_list(correlated))
              + f"   welfare: {_fmt(correlated['welfare'])}   incentive violation: {float(correlated['residual']):.1e}"
              + ("" if costs is None else "   E[cost]: " + ", ".join(_fmt(c) for c in costs)))
        return
    equilibria = document["equilibria"]
    if not equilibria:
        print("no equilibrium found")
        return
    has_costs = game.costs is not None
    rows = []
    for k, eq in enumerate(equilibria, start=1):
        strategies = [np.asarray(x, dtype=float) for x in eq["profile"]]
        costs = _expected_costs(game, strategies)
        payoffs = _payoff_list(eq)
        for i, x in enumerate(strategies):
            row = [str(k) if i == 0 else "", game.player_names[i], _strategy(game, i, x), _fmt(payoffs[i])]
            if has_costs:
                row.append(_fmt(costs[i]))
            row += [_fmt(eq["welfare"]) if i == 0 else "", f"{float(eq['residual']):.1e}" if i == 0 else ""]
            if has_costs:
                row.append(_fmt_degree(eq["free_riding"]) if i == 0 else "")
            rows.append(row)
    headers = ["eq", "player", "strategy", "payoff"] + (["E[cost]"] if has_costs else []) + \
        ["welfare", "residual"] + (["free-riding"] if has_costs else [])
    right = [True, False, False, True] + ([True] if has_costs else []) + [True, True] + ([True] if has_costs else [])
    print(_table(headers, rows, right))
    if len(equilibria) > 1 or document.get("complete") is not None:
        found = f"{len(equilibria)} equilibri{'um' if len(equilibria) == 1 else 'a'}"
        proven = {True: "the list is complete", False: "other equilibria may exist", None: ""}[document.get("complete")]
        print(found + (f"; {proven}" if proven else ""))


def _short(value: Any) -> str:
    if isinstance(value, float):
        return _fmt(value)
    if isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


# ------------------------------------------------------------------------------------------ commands
def _emit(document: dict[str, Any]) -> None:
    from rqe.cli_json import dumps

    print(dumps(document))


def _cmd_games(args: argparse.Namespace) -> int:
    from rqe import library

    categories = library.categories()
    if args.name:
        if args.name not in library.names():
            raise GameError(f"the library has no game {args.name!r}{_suggest(args.name)}")
        if args.json:
            from rqe.cli_json import envelope

            _emit(envelope("games", data={"games": [{"name": args.name, "category": categories[args.name],
                                                      "description": library.describe(args.name)}]}))
            return 0
        print(library.describe(args.name))
        return 0
    names = library.names(args.category)
    if args.json:
        from rqe.cli_json import envelope

        _emit(envelope("games", data={"games": [{"name": n, "category": categories[n],
                                                  "description": library.summary(n)} for n in names]}))
        return 0
    rows = [[name, categories[name], library.summary(name)] for name in names]
    print(_table(["name", "category", "description"], rows))
    return 0


def _labels(names: Sequence[str], width: int) -> tuple[list[str], list[str]]:
    """Action names shortened to ``width`` characters (keeping both ends), and a legend of the full names when
    shortening would make two of them look alike (then the labels are ``#1``, ``#2``, ...)."""
    short = [n if len(n) <= width else n[:(width - 3) // 2] + "..." + n[len(n) - (width - 3 + 1) // 2:]
             for n in map(str, names)]
    if len(set(short)) == len(short):
        return short, []
    labels = [f"#{k}" for k in range(1, len(names) + 1)]
    return labels, [f"  {label} = {name}" for label, name in zip(labels, names)]


def _cmd_show(args: argparse.Namespace) -> int:
    game = load_game(args.game)
    if args.json:
        from rqe.cli_json import envelope, game_info

        _emit(envelope("show", game_info(game, args.game, full=True)))
        return 0
    shape = "x".join(map(str, game.shape))
    print(f"{game.title or args.game}: {game.n_players} players, {shape} actions")
    width = args.max_width
    if game.n_players == 2:
        n_rows, n_cols = min(game.shape[0], args.max_rows), min(game.shape[1], args.max_cols)
        if (n_rows, n_cols) != game.shape:
            print(f"(showing {n_rows} of {game.shape[0]} rows and {n_cols} of {game.shape[1]} columns; "
                  "see --max-rows and --max-cols, or --json for everything)")
        row_labels, row_legend = _labels(game.action_names[0][:n_rows], width)
        col_labels, col_legend = _labels(game.action_names[1][:n_cols], width)
        rows = [[row_labels[r]] + [f"{_fmt(game.payoffs[0, r, c])}, {_fmt(game.payoffs[1, r, c])}"
                                   for c in range(n_cols)] for r in range(n_rows)]
        corner = f"{game.player_names[0]} \\ {game.player_names[1]}"
        print(_table([corner, *col_labels], rows, [False] + [True] * n_cols))
        for player, legend in ((game.player_names[0], row_legend), (game.player_names[1], col_legend)):
            if legend:
                print(f"actions of {player}:")
                print("\n".join(legend))
    else:
        if game.n_profiles > args.max_rows:
            print(f"({game.n_profiles} pure profiles; showing the first {args.max_rows}, see --max-rows)")
        rows = []
        for k, profile in enumerate(np.ndindex(*game.shape)):
            if k >= args.max_rows:
                break
            names = [_labels([game.action_names[i][a]], width)[0][0] for i, a in enumerate(profile)]
            rows.append(names + [_fmt(v) for v in game.pure_payoffs(profile)])
        headers = [*game.player_names, *(f"u[{p}]" for p in game.player_names)]
        print(_table(headers, rows, [False] * game.n_players + [True] * game.n_players))
    if game.costs is not None:
        print("private costs: " + "; ".join(
            f"{p}: " + ", ".join(f"{a}={_fmt(c)}" for a, c in zip(game.action_names[i], game.costs[i]))
            for i, p in enumerate(game.player_names)))
    properties = []
    if game.is_zero_sum():
        properties.append("zero-sum")
    elif game.is_constant_sum():
        properties.append("constant-sum")
    if game.is_symmetric():
        properties.append("symmetric")
    if game.is_potential():
        properties.append("exact potential")
    print("properties: " + (", ".join(properties) if properties else "none of zero-sum, symmetric, potential"))
    return 0


def _cmd_solve(args: argparse.Namespace) -> int:
    game = load_game(args.game)
    options = _solver_options(args.concept, args)
    try:
        result = _solve(game, args.concept, options)
    except NotAvailableError as exc:
        raise NotAvailableError(f"{exc}; available now: {', '.join(_available()) or 'none'}") from None
    document = _result_document(game, args.concept, options, result)
    if args.json:
        from rqe.cli_json import envelope, game_info

        _emit(envelope("solve", game_info(game, args.game), [document]))
    else:
        _print_result(game, args.game, document)
    return 0


def _available() -> list[str]:
    from rqe.solvers import available_concepts

    return available_concepts()


def _cmd_compare(args: argparse.Namespace) -> int:
    game = load_game(args.game)
    concepts = CONCEPTS if args.concepts is None else tuple(c.strip() for c in args.concepts.split(","))
    for concept in concepts:
        if concept not in CONCEPTS:
            raise ParameterError(f"unknown concept {concept!r}; known: {', '.join(CONCEPTS)}")
    documents, notes = [], []
    for concept in concepts:
        options = _solver_options(concept, args, strict=False)
        try:
            result = _solve(game, concept, options)
        except NotAvailableError:
            notes.append(f"{concept}: not available in this version of rqe")
            continue
        except RQEError as exc:
            notes.append(f"{concept}: {' '.join(str(exc).split())}")
            continue
        documents.append(_result_document(game, concept, options, result))
    if args.json:
        from rqe.cli_json import envelope, game_info

        _emit(envelope("compare", game_info(game, args.game), documents, notes))
        return 0
    shape = "x".join(map(str, game.shape))
    print(f"{game.title or args.game}: {game.n_players} players, {shape} actions")
    has_costs = game.costs is not None
    rows = []
    for document in documents:
        parameters = ", ".join(f"{k}={_short(v)}" for k, v in document["parameters"].items()
                               if k in ("tau", "epsilon", "lam", "kind", "objective"))
        label = document["concept"] + (f" ({parameters})" if parameters else "")
        correlated = document.get("correlated")
        if correlated is not None:
            distribution = np.asarray(correlated["distribution"])
            row = [label, "joint", _support(game, distribution), ", ".join(_fmt(v, 4) for v in _payoff_list(correlated)),
                   _fmt(correlated["welfare"], 4)]
            if has_costs:
                row.append(_fmt_degree(correlated["free_riding"]))
            rows.append(row)
            continue
        if not document["equilibria"]:
            rows.append([label, "-", "no equilibrium found", "", ""] + ([""] if has_costs else []))
        for k, eq in enumerate(document["equilibria"], start=1):
            strategies = [np.asarray(x, dtype=float) for x in eq["profile"]]
            row = [label if k == 1 else "", str(k),
                   " | ".join(_strategy(game, i, x) for i, x in enumerate(strategies)),
                   ", ".join(_fmt(v, 4) for v in _payoff_list(eq)), _fmt(eq["welfare"], 4)]
            if has_costs:
                row.append(_fmt_degree(eq["free_riding"]))
            if not document["converged"] and k == 1:
                row[0] += " [not converged]"
            rows.append(row)
    headers = ["concept", "eq", "strategies", "payoffs", "welfare"] + (["free-riding"] if has_costs else [])
    if rows:
        print(_table(headers, rows, [False, True, False, False, True] + ([True] if has_costs else [])))
    for note in notes:
        print(note)
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from rqe.io import format_from_path, read_game, write_game

    fmt = args.format or format_from_path(args.output)
    if fmt == "efg" and args.input.lower().endswith(".efg"):
        return _convert_tree(args)
    game = load_game(args.input)
    write_game(game, args.output, fmt, outcome_version=args.outcome_version)
    if args.check:
        again = read_game(args.output, fmt)  # an .efg output reads back as its reduced normal form
        if not np.array_equal(again.payoffs, game.payoffs):
            raise RQEError(f"round trip through {args.output} changed the payoffs")
    if args.json:
        from rqe.cli_json import envelope, game_info

        _emit(envelope("convert", game_info(game, args.input),
                       data={"output": str(args.output), "format": fmt, "checked": bool(args.check)}))
        return 0
    print(f"wrote {args.output} ({fmt}, {game.n_players} players, {'x'.join(map(str, game.shape))})")
    return 0


def _convert_tree(args: argparse.Namespace) -> int:
    """``.efg`` to ``.efg``: the tree itself (also without perfect recall), never its reduced normal form."""
    from rqe.io import read_efg, write_game

    if args.outcome_version:
        raise ParameterError("--outcome-version applies to .nfg output only")
    tree = read_efg(args.input)
    write_game(tree, args.output, "efg")
    if args.check and read_efg(args.output) != tree:
        raise RQEError(f"round trip through {args.output} changed the tree")
    if args.json:
        from rqe.cli_json import envelope

        info = {"spec": args.input, "title": tree.title or args.input, "players": list(tree.player_names),
                "actions": {}}
        _emit(envelope("convert", info, data={"output": str(args.output), "format": "efg",
                                              "checked": bool(args.check)}))
        return 0
    print(f"wrote {args.output} (efg, {len(tree.player_names)} players, {len(tree.nodes)} nodes)")
    return 0


# ------------------------------------------------------------------------------------------ parser
def _at_least(minimum: int) -> Any:
    """An argparse type: an integer >= ``minimum`` (argparse reports anything else as a usage error)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        return value
    return parse


def _add_solver_options(parser: argparse.ArgumentParser, one_concept: bool = True) -> None:
    group = parser.add_argument_group("solver parameters (a number, or one per player: a,b,...)")
    group.add_argument("--tau", type=_number_or_list, help="risk aversion tau >= 0 (rqe; default 2)")
    group.add_argument("--epsilon", type=_number_or_list, help="bounded rationality epsilon > 0 (rqe; default 0.2)")
    group.add_argument("--lam", type=_number_or_list, help="logit precision lambda >= 0 (qre; default 5 = 1/0.2)")
    if one_concept:  # method names differ between concepts
        group.add_argument("--method", help="solver method (nash: auto, pure, support_enumeration, "
                                            "vertex_enumeration, lemke_howson, lp, logit, global_newton; "
                                            "qre, rqe: auto, ...)")
    group.add_argument("--penalty", help="rqe risk penalty: kl (default) or reverse_kl")
    group.add_argument("--regularizer", help="rqe regulariser: entropy (default) or log_barrier")
    group.add_argument("--kind", choices=["ce", "cce"], help="correlated equilibrium kind (ce)")
    group.add_argument("--objective", help="correlated equilibrium objective (ce; default welfare)")
    group.add_argument("--n-starts", dest="n_starts", type=int,
                       help="rqe: number of starting points (more find more of the RQE of a game that has several)")
    group.add_argument("--seed", type=int, help="rqe: seed of the random starting points")


def build_parser() -> argparse.ArgumentParser:
    """The ``rqe`` argument parser, with the extension modules' commands registered."""
    parser = _Parser(prog="rqe", description="Equilibria of finite games: Nash, QRE, risk-averse QRE, "
                                             "correlated equilibria; game library and Gambit files.")
    from rqe import __version__

    parser.add_argument("--version", action="version", version=f"rqe {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    game_help = "a library game (name or name:param=value,...), a .nfg/.json file, or openspiel:..."

    games = commands.add_parser("games", help="list the game library (or describe one game)")
    games.add_argument("name", nargs="?", help="describe this game and its parameters")
    games.add_argument("--category", choices=["classic", "cooperative", "experimental", "random"])
    games.add_argument("--json", action="store_true", help="print one JSON document (see the docs' JSON output)")
    games.set_defaults(func=_cmd_games)

    show = commands.add_parser("show", help="print a game's payoff table and properties")
    show.add_argument("game", help=game_help)
    show.add_argument("--json", action="store_true",
                      help="print one JSON document; its game.file is the game in rqe's JSON file format")
    show.add_argument("--max-rows", type=_at_least(1), default=64,
                      help="rows of the table (profiles for games with 3+ players; default 64)")
    show.add_argument("--max-cols", type=_at_least(1), default=8, help="columns of a 2-player table (default 8)")
    show.add_argument("--max-width", type=_at_least(5), default=24, help="characters of an action name (default 24)")
    show.set_defaults(func=_cmd_show)

    solve = commands.add_parser("solve", help="solve a game for one solution concept")
    solve.add_argument("game", help=game_help)
    solve.add_argument("--concept", choices=CONCEPTS, default="nash", help="solution concept (default nash)")
    _add_solver_options(solve)
    solve.add_argument("--json", action="store_true", help="print one JSON document (see the docs' JSON output)")
    solve.set_defaults(func=_cmd_solve)

    compare = commands.add_parser("compare", help="every available concept side by side")
    compare.add_argument("game", help=game_help)
    compare.add_argument("--concepts", help=f"comma-separated subset of {','.join(CONCEPTS)}")
    _add_solver_options(compare, one_concept=False)
    compare.add_argument("--json", action="store_true", help="print one JSON document (see the docs' JSON output)")
    compare.set_defaults(func=_cmd_compare)

    convert = commands.add_parser("convert", help="convert between .nfg and .json (or write a library game)")
    convert.add_argument("input", help=game_help)
    convert.add_argument("output", help="output file (.nfg or .json)")
    convert.add_argument("--format", choices=["nfg", "efg", "json"],
                         help="output format (default: from the extension)")
    convert.add_argument("--outcome-version", action="store_true",
                         help="write the .nfg outcome version (as Gambit 16 does) instead of the payoff version")
    convert.add_argument("--check", action="store_true", help="read the output back and compare payoffs")
    convert.add_argument("--json", action="store_true", help="print one JSON document instead of the summary line")
    convert.set_defaults(func=_cmd_convert)

    for module_name in EXTENSIONS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                continue
            raise
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 user error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argument errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except RQEError as exc:
        message = " ".join(str(exc).split())
        print(f"rqe: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. `rqe games | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
