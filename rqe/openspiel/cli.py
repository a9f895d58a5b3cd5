"""Command-line hooks of the OpenSpiel bridge.

* ``load_game_spec(spec)``: used by ``rqe solve`` / ``rqe show`` for ``openspiel:<name>(params)`` games
  (normal-form games directly, sequential games as their reduced normal form), so
  ``rqe solve openspiel:kuhn_poker --concept qre --lam 5`` solves the QRE of Kuhn poker's reduced normal form.
* ``rqe openspiel GAME --concept {nash,qre,rqe,agent_qre,agent_rqe} [--lam L] [--tau T] [--epsilon E]``:
  :func:`rqe.openspiel.solve_openspiel`, printing the behaviour strategies and OpenSpiel's exploitability.
"""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from rqe.errors import GameError
from rqe.openspiel.convert import load_game_spec as _load_game_spec

__all__ = ["load_game_spec", "check_name", "register", "run"]


def check_name(spec: str) -> str:
    """The OpenSpiel game name of ``spec`` (``openspiel:NAME(params)`` or ``NAME(params)``), checked against
    OpenSpiel's registry before anything is loaded: an unknown name is a :class:`~rqe.errors.GameError` with the
    closest registered names, so OpenSpiel never prints its list of every game.

    >>> check_name("openspiel:kuhn_poker(players=3)")
    'kuhn_poker'
    >>> check_name("kuhn_pokr")                                  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rqe.errors.GameError: OpenSpiel has no game 'kuhn_pokr'; did you mean kuhn_poker, ...? (list them with: ...)
    """
    from rqe._optional import require

    pyspiel = require("pyspiel", "openspiel", "OpenSpiel games")
    body = spec[len("openspiel:"):] if spec.startswith("openspiel:") else spec
    name = body.partition("(")[0].strip()
    known = list(pyspiel.registered_names())
    if name not in known:
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise GameError(f"OpenSpiel has no game {name!r}{hint} (list them with: python -c \"import pyspiel; "
                        f"print(pyspiel.registered_names())\")")
    return name


def load_game_spec(spec: str):
    """:func:`rqe.openspiel.load_game_spec` after :func:`check_name` (used by ``rqe show``, ``solve``, ...)."""
    check_name(spec)
    return _load_game_spec(spec)


def register(subparsers: Any) -> None:
    """Add the ``openspiel`` sub-command."""
    from rqe.cli import plain_text

    parser = subparsers.add_parser("openspiel", help="equilibria of OpenSpiel games, scored by OpenSpiel",
                                   description=plain_text(__doc__))
    parser.add_argument("game", help="OpenSpiel game, e.g. kuhn_poker or openspiel:leduc_poker")
    parser.add_argument("--concept", default="nash", choices=["nash", "qre", "rqe", "agent_qre", "agent_rqe"])
    parser.add_argument("--lam", type=float, help="logit precision (qre, agent_qre)")
    parser.add_argument("--tau", type=float, help="risk aversion (rqe, agent_rqe)")
    parser.add_argument("--epsilon", type=float, help="bounded rationality (rqe, agent_rqe)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document (behaviour strategies keyed by information set and action)")
    parser.set_defaults(func=run)


def _behaviour(result: Any) -> dict[str, dict[str, dict[str, float]]]:
    """player -> information set -> action -> probability, as the text output prints it."""
    tree = result.tree
    out: dict[str, dict[str, dict[str, float]]] = {}
    for I, key in enumerate(tree.infoset_keys):
        probs = result.behaviour[tree.offsets[I]:tree.offsets[I + 1]]
        out.setdefault(f"player {tree.infoset_player[I]}", {})[str(key)] = {
            str(n): float(p) for n, p in zip(tree.infoset_action_names[I], probs)}
    return out


def _document(args: argparse.Namespace, result: Any) -> dict[str, Any]:
    from rqe.cli_json import envelope, equilibrium_entry, game_info, jsonable

    equilibria, game = [], None
    if result.tree is None:  # a normal-form game: strategies keyed by its action names
        game = _load_game_spec(result.spec)
        equilibria = [equilibrium_entry(game, eq.strategies, eq.payoffs, eq.residual, None)
                      for eq in result.equilibria]
    elif result.behaviour is not None and result.equilibria:
        eq = result.equilibria[0]
        behaviour = _behaviour(result)
        payoffs = [float(v) for v in eq.payoffs]
        equilibria = [{"strategies": behaviour,
                       "payoffs": {f"player {i}": v for i, v in enumerate(payoffs)},
                       "welfare": float(sum(payoffs)), "residual": float(eq.residual), "free_riding": None}]
    parameters = {k: v for k, v in result.parameters.items() if isinstance(v, (int, float, str, bool, list))}
    entry = {"concept": result.concept, "method": str(result.method), "converged": bool(result.converged),
             "parameters": jsonable(parameters), "equilibria": equilibria,
             "exploitability": None if result.exploitability is None else jsonable(float(result.exploitability))}
    if game is not None:
        info = game_info(game, args.game)
    else:  # a sequential game: its players; actions live in the information sets of the strategies
        players = sorted({f"player {p}" for p in result.tree.infoset_player}) if result.tree is not None else []
        info = {"spec": args.game, "title": result.spec, "players": players, "actions": {}}
    return envelope("openspiel", info, [entry])


def run(args: argparse.Namespace) -> int:
    from rqe.openspiel.solve import solve_openspiel

    check_name(args.game)
    params = {k: getattr(args, k) for k in ("lam", "tau", "epsilon") if getattr(args, k) is not None}
    result = solve_openspiel(args.game, args.concept, **params)
    eq = result.equilibria[0] if result.equilibria else None
    if args.json:
        from rqe.cli_json import dumps

        print(dumps(_document(args, result)))
        return 0
    print(f"{result.concept} on {result.spec}: method {result.method}, converged {result.converged}")
    if eq is not None:
        print("expected payoffs: " + ", ".join(f"{v:.6g}" for v in eq.payoffs) + f"; residual {eq.residual:.3g}")
    if result.exploitability is not None:
        print(f"exploitability (OpenSpiel): {result.exploitability:.6g}")
    if result.behaviour is not None and result.tree is not None:
        tree = result.tree
        for I, key in enumerate(tree.infoset_keys):
            probs = result.behaviour[tree.offsets[I]:tree.offsets[I + 1]]
            moves = ", ".join(f"{n}={p:.4f}" for n, p in zip(tree.infoset_action_names[I], probs))
            print(f"  player {tree.infoset_player[I]} at {key!r}: {moves}")
    return 0
