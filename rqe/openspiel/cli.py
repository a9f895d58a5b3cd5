"""Command-line hooks of the OpenSpiel bridge.

* ``load_game_spec(spec)``: used by ``rqe solve`` / ``rqe show`` for ``openspiel:<name>(params)`` games
  (normal-form games directly, sequential games as their reduced normal form), so
  ``rqe solve openspiel:kuhn_poker --concept qre --lam 5`` solves the QRE of Kuhn poker's reduced normal form.
* ``rqe openspiel GAME --concept {nash,qre,rqe,agent_qre,agent_rqe} [--lam L] [--tau T] [--epsilon E]``:
  :func:`rqe.openspiel.solve_openspiel`, printing the behaviour strategies and OpenSpiel's exploitability.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rqe.openspiel.convert import load_game_spec

__all__ = ["load_game_spec", "register", "run"]


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
    parser.add_argument("--json", action="store_true", help="print a JSON document")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rqe.openspiel.solve import solve_openspiel

    params = {k: getattr(args, k) for k in ("lam", "tau", "epsilon") if getattr(args, k) is not None}
    result = solve_openspiel(args.game, args.concept, **params)
    eq = result.equilibria[0] if result.equilibria else None
    document = {
        "game": result.spec, "concept": result.concept, "method": result.method, "converged": result.converged,
        "parameters": {k: v for k, v in result.parameters.items() if isinstance(v, (int, float, str, bool, list))},
        "expected_payoffs": None if eq is None else [float(v) for v in eq.payoffs],
        "residual": None if eq is None else float(eq.residual),
        "exploitability": result.exploitability,
    }
    if args.json:
        print(json.dumps(document, indent=1))
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
