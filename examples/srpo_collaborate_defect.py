"""SRPO on collaborate/defect: learned strategies vs the RQE, and how often IPPO free-rides.

Collaborate/defect (``docs/rqe-math.md`` section 6, Example 4.2 of [QZLM]): R = 1 if anyone collaborates else 0,
c(C) = 0.4, c(D) = 0. SRPO with (tau, eps) should learn the RQE at the same (tau, eps) (section 8: the agent and
its adversary are the two halves of the auxiliary game of section 4); IPPO with entropy eps learns a logit QRE,
which for this game includes free-riding equilibria (one agent collaborates, the other defects).

Run:  nice python examples/srpo_collaborate_defect.py [--seeds 5] [--out examples/results/srpo_collaborate_defect.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import rqe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--tau", type=float, default=10.0)
    parser.add_argument("--epsilon", type=float, default=0.2)
    parser.add_argument("--updates", type=int, default=150)
    parser.add_argument("--n-envs", type=int, default=512)
    parser.add_argument("--out", default="examples/results/srpo_collaborate_defect.json")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from rqe.srpo import TrainConfig, Trainer
    from rqe.srpo.evaluate import policy_probabilities

    game = rqe.library.get("collaborate_defect")
    target = rqe.solve_rqe(game, args.tau, args.epsilon)
    x1, x2 = (np.asarray(x) for x in target.strategies)
    source = f"rqe.solve_rqe (certificate {target.residual:.1e}, converged {target.converged})"
    print(f"RQE at tau={args.tau}, eps={args.epsilon} ({source}): P(C) = {x1[0]:.4f}, {x2[0]:.4f}")
    common = dict(env="collaborate_defect", n_envs=args.n_envs, n_steps=1, n_minibatches=1, n_epochs=4,
                  total_steps=args.updates * args.n_envs, lr=3e-3, norm_adv=False, epsilon=args.epsilon,
                  tau=args.tau, device="cpu")
    obs = np.zeros(5, dtype=np.float32)
    obs[0] = 1.0
    rows = {"srpo": [], "ippo": []}
    for algo in ("srpo", "ippo"):
        for seed in range(args.seeds):
            start = time.perf_counter()
            # the same number of updates for both (SRPO plays two rollouts per update: twice the env steps)
            rollouts = 2 if algo == "srpo" else 1
            trainer = Trainer(TrainConfig(algo=algo, seed=seed, **{**common, "total_steps": common["total_steps"] * rollouts}))
            trainer.train(progress=False)
            strategies = [policy_probabilities(trainer.learners[f"agent{i}"].actor, obs) for i in range(2)]
            row = {"seed": seed, "p_collaborate": [float(s[0]) for s in strategies],
                   "seconds": time.perf_counter() - start}
            if algo == "srpo":
                row["tv_to_rqe"] = [float(0.5 * np.abs(s - r).sum()) for s, r in zip(strategies, (x1, x2))]
            row["free_riding_degree"] = float(abs(0.4 * strategies[0][0] - 0.4 * strategies[1][0]))
            rows[algo].append(row)
            print(algo, row)
    tv = np.array([max(r["tv_to_rqe"]) for r in rows["srpo"]])
    free_riders = [r for r in rows["ippo"] if r["free_riding_degree"] > 0.1]
    summary = {
        "game": "collaborate_defect (R = 1 if anyone collaborates, c(C) = 0.4, c(D) = 0)",
        "tau": args.tau, "epsilon": args.epsilon, "rqe_source": source,
        "rqe_p_collaborate": [float(x1[0]), float(x2[0])],
        "srpo_max_tv_per_seed": tv.tolist(), "srpo_tv_mean": float(tv.mean()), "srpo_tv_max": float(tv.max()),
        "srpo_all_within_0.05": bool((tv < 0.05).all()),
        "ippo_free_riding_seeds": len(free_riders), "ippo_seeds": len(rows["ippo"]),
        "free_riding_threshold": "free-riding degree |c(x_1) - c(x_2)| > 0.1 (a cost gap of a quarter of c(C))",
        "settings": {k: v for k, v in common.items()}, "runs": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    from rqe._files import write_text

    write_text(args.out, json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
