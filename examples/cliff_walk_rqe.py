"""Two-agent cliff walk [MPS Sec. 5]: risk-averse quantal response equilibria vs Nash-like play.

Backward induction over the 200-step horizon (``rqe.markov.solve_markov_rqe``) for a Nash-like profile
(tiny tau and epsilon, no environment risk) and RQE profiles (strategic risk tau, environment risk as KL
over the transition kernel). Each is evaluated exactly by propagating the state distribution: expected
falls off the cliff per agent over the episode, probability of having reached the goal, expected return.

Writes ``results/cliff_walk/table.md``, ``results.json`` and ``values.png``.

Run from the repository root: ``PYTHONPATH=. nice python examples/cliff_walk_rqe.py [--quick] [--out DIR]``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from rqe.markov import cliff_occupancy, cliff_walk, evaluate_policy, solve_markov_rqe

SETTINGS = [
    # label, tau, epsilon, env_risk, tau_env
    ("Nash-like (tau=0.01, eps=0.02)", 0.01, 0.02, "none", 0.0),
    ("QRE (tau=0.01, eps=0.1)", 0.01, 0.1, "none", 0.0),
    ("RQE (tau=1, eps=0.02, KL env tau=1)", 1.0, 0.02, "kl", 1.0),
    ("RQE (tau=1, eps=0.1, KL env tau=1)", 1.0, 0.1, "kl", 1.0),
    ("RQE (tau=3, eps=0.1, KL env tau=3)", 3.0, 0.1, "kl", 3.0),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="4x4 grid, horizon 30")
    parser.add_argument("--out", default="results/cliff_walk")
    args = parser.parse_args()
    size, horizon = (4, 30) if args.quick else (6, 200)
    game = cliff_walk(size=size, horizon=horizon)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n_pos = game.info["n_positions"]
    rows, value_maps = [], []
    for label, tau, eps, env, tau_env in SETTINGS:
        start = time.perf_counter()
        result = solve_markov_rqe(game, tau, eps, env_risk=env, tau_env=tau_env)
        seconds = time.perf_counter() - start
        ev = evaluate_policy(game, result.policies)
        falls = cliff_occupancy(game, ev["occupancy"])
        final = ev["final"].reshape(n_pos, n_pos)
        done = game.info["done"]
        reached = [float(final[done, :].sum()), float(final[:, done].sum())]
        rows.append({
            "setting": label, "tau": tau, "epsilon": eps, "env_risk": env, "tau_env": tau_env,
            "falls_agent1": float(falls[0]), "falls_agent2": float(falls[1]),
            "goal_agent1": reached[0], "goal_agent2": reached[1],
            "return_agent1": float(ev["returns"][0]), "return_agent2": float(ev["returns"][1]),
            "max_certificate": result.max_certificate, "converged": result.converged, "seconds": seconds,
        })
        # agent 1's risk-adjusted value at step 0 over its cell, agent 2 at its start
        v = result.values[0, 0].reshape(n_pos, n_pos)[: size * size, game.info["starts"][1]]
        value_maps.append(v.reshape(size, size))
        print(f"{label}: falls {falls.round(4)}, goal {np.round(reached, 4)}, returns {ev['returns'].round(4)}, "
              f"max certificate {result.max_certificate:.1e}, {seconds:.1f}s", flush=True)

    header = ("| setting | E[falls] agent 1 | E[falls] agent 2 | P(goal) agent 1 | P(goal) agent 2 | return 1 | "
              "return 2 | max stage certificate |\n|---|---|---|---|---|---|---|---|\n")
    lines = [f"| {r['setting']} | {r['falls_agent1']:.4f} | {r['falls_agent2']:.4f} | {r['goal_agent1']:.4f} | "
             f"{r['goal_agent2']:.4f} | {r['return_agent1']:.4f} | {r['return_agent2']:.4f} | "
             f"{r['max_certificate']:.1e} |" for r in rows]
    note = (f"\nTwo-agent cliff walk, {size}x{size} grid, horizon {horizon}, cliff -2, goal +1, step 0, "
            "success 0.9 (0.5 within one cell). Exact expectations by propagating the state distribution; "
            "E[falls] = expected number of visits to cliff cells per episode.\n")
    (out / "table.md").write_text(header + "\n".join(lines) + "\n" + note)
    (out / "results.json").write_text(json.dumps({"size": size, "horizon": horizon, "rows": rows}, indent=1))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(SETTINGS) + 1, figsize=(4 * (len(SETTINGS) + 1), 3.6))
    for ax, (label, *_), v in zip(axes, SETTINGS, value_maps):
        im = ax.imshow(v, cmap="viridis")  # own scale: nested risk makes the value ranges very different
        fig.colorbar(im, ax=ax, shrink=0.7)
        for c in game.info["cliff"]:
            r_, c_ = divmod(c, size)
            ax.add_patch(plt.Rectangle((c_ - 0.5, r_ - 0.5), 1, 1, fill=False, ec="red", lw=2))
        ax.set_title(label, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("agent 1's risk-adjusted value at step 0 by its cell (agent 2 at its start); red: cliff",
                 fontsize=9)
    ax = axes[-1]
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [r["falls_agent1"] for r in rows], 0.4, label="agent 1")
    ax.bar(x + 0.2, [r["falls_agent2"] for r in rows], 0.4, label="agent 2")
    ax.set_xticks(x, [r["setting"].split(" (")[0] + f"\n{i}" for i, r in enumerate(rows)], fontsize=7)
    ax.set_ylabel("expected falls per episode")
    ax.legend(fontsize=7)
    fig.savefig(out / "values.png", dpi=120, bbox_inches="tight")
    print(f"wrote {out}/table.md, results.json, values.png")


if __name__ == "__main__":
    main()
