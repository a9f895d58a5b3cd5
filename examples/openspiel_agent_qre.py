"""Agent-form (behaviour-strategy) QRE and RQE of Kuhn and Leduc poker, scored by OpenSpiel.

For each lam the agent QRE is computed on the game tree (``rqe.openspiel.solve_agent_qre``, continuation in
lam warm-started from the previous lam) and exported as an OpenSpiel ``TabularPolicy``; OpenSpiel's
``exploitability`` measures its distance from Nash. Kuhn poker's Nash equilibrium from the reduced normal
form (``solve_openspiel(..., "nash")``, zero-sum LP) is the reference. Agent RQE rows show the effect of
risk aversion at a fixed epsilon.

Writes ``results/openspiel/agent_qre.md`` and ``agent_qre.json``.
Run from the repository root: ``PYTHONPATH=. nice python examples/openspiel_agent_qre.py [--quick]``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rqe.openspiel import build_tree, solve_agent_qre, solve_agent_rqe, solve_openspiel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Kuhn poker only")
    parser.add_argument("--out", default="results/openspiel")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    games = {"kuhn_poker": (1.0, 3.0, 10.0, 30.0, 100.0)}
    if not args.quick:
        games["leduc_poker"] = (0.5, 1.0, 2.0, 5.0, 10.0)
    for name, lams in games.items():
        tree = build_tree(name)
        previous = None
        for lam in lams:
            start = time.perf_counter()
            r = solve_agent_qre(tree, lam, tol=1e-10)
            if not r.converged and previous is not None:
                r = solve_agent_qre(tree, lam, tol=1e-10, init=previous)
            seconds = time.perf_counter() - start
            previous = r.behaviour if r.converged else previous
            rows.append({"game": name, "concept": "agent_qre", "lam": lam, "tau": 0.0,
                         "exploitability": r.exploitability(), "value_player1": float(r.expected_returns[0]),
                         "residual": r.residual, "converged": r.converged, "seconds": seconds})
            print(rows[-1], flush=True)
        for tau in (0.5, 2.0):
            start = time.perf_counter()
            r = solve_agent_rqe(tree, tau, 1.0 / lams[1], tol=1e-10)
            rows.append({"game": name, "concept": "agent_rqe", "lam": lams[1], "tau": tau,
                         "exploitability": r.exploitability(), "value_player1": float(r.expected_returns[0]),
                         "residual": r.residual, "converged": r.converged,
                         "seconds": time.perf_counter() - start})
            print(rows[-1], flush=True)
    start = time.perf_counter()
    nash = solve_openspiel("kuhn_poker", "nash")
    rows.append({"game": "kuhn_poker", "concept": "nash (reduced normal form, LP)", "lam": None, "tau": None,
                 "exploitability": nash.exploitability, "value_player1": float(nash.equilibria[0].payoffs[0]),
                 "residual": nash.equilibria[0].residual, "converged": nash.converged,
                 "seconds": time.perf_counter() - start})
    print(rows[-1])
    lines = ["| game | concept | lam (=1/eps) | tau | OpenSpiel exploitability | value player 1 | residual | converged | s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['game']} | {r['concept']} | {r['lam'] if r['lam'] is not None else '-'} | "
                     f"{r['tau'] if r['tau'] is not None else '-'} | {r['exploitability']:.3e} | "
                     f"{r['value_player1']:.5f} | {r['residual']:.1e} | {r['converged']} | {r['seconds']:.1f} |")
    (out / "agent_qre.md").write_text("\n".join(lines) + "\n")
    (out / "agent_qre.json").write_text(json.dumps(rows, indent=1))
    print(f"wrote {out}/agent_qre.md")


if __name__ == "__main__":
    main()
