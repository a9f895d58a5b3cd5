"""Cooking gridworld: do SRPO agents cooperate better with unseen partners, and free-ride less, than IPPO?

(The tuned settings and independent jobs; ``examples/srpo_cooking_study.py`` is the study at the paper's settings
with held-out partners and bootstrap intervals.) Trains IPPO, MAPPO, SRPO and FCP (``--seeds`` seeds each, independent jobs in parallel processes) on the cooking
gridworld of [QZLM Sec. 5] on a CPU budget of minutes, then evaluates every pair of runs:

* mean off-diagonal cross-play return (team return of agents from *different* seeds of a method) with its std;
* self-play return, and the drop from self-play to cross-play;
* free-riding degree |E c_1 - E c_2| (gap in private costs paid per episode) of each trained team, and in cross-play;
* solo values (idle and random partners) and the cross-algorithm matrix (held-out partners).

Results go to ``--out`` (JSON summary, cross-play JSON, heatmaps, training curves). Whatever the numbers say is
what is reported; the budget is far below the paper's, so treat them as a small-budget measurement.

Run:  nice python examples/srpo_cooking_crossplay.py --seeds 3 --steps 192000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ALGOS = ("ippo", "mappo", "srpo", "fcp")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=192_000, help="budget per run in rollout transitions")
    parser.add_argument("--algos", nargs="+", default=list(ALGOS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", default="runs/cooking", help="folder for the trained runs (not committed)")
    parser.add_argument("--out", default="examples/results/cooking_crossplay")
    parser.add_argument("--episodes", type=int, default=128)
    parser.add_argument("--epsilon", type=float, default=0.01)
    parser.add_argument("--tau", type=float, default=10.0)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    from rqe._files import write_text
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.evaluate import crossplay, find_runs, plot_crossplay, plot_curves
    from rqe.srpo.parallel import run_jobs, train_job

    runs = Path(args.runs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    common = dict(env="cooking", total_steps=args.steps, n_envs=32, n_steps=50, epsilon=args.epsilon, tau=args.tau,
                  lr=args.lr, device="cpu", checkpoint_every=25, population_size=3, population_fraction=0.5, memory_every=10)
    jobs = [{"config": TrainConfig(algo=algo, seed=seed, **common).to_dict(), "out": str(runs / f"{algo}-seed{seed}"),
             "resume": (runs / f"{algo}-seed{seed}" / "checkpoint.pt").exists()}   # continue an interrupted run
            for algo in args.algos for seed in range(args.seeds)]
    start = time.perf_counter()
    trained = run_jobs(train_job, jobs, workers=args.workers, backend="process")
    train_wall = time.perf_counter() - start
    for t in trained:
        print(f"trained {t['algo']} seed {t['seed']}: {t['env_steps']} env steps in {t['time_s']:.0f}s")
    start = time.perf_counter()
    result = crossplay([runs / f"{a}-seed{s}" for a in args.algos for s in range(args.seeds)],
                       episodes=args.episodes, seed=12345, workers=args.workers, backend="process")
    eval_wall = time.perf_counter() - start
    write_text(out / "crossplay.json", json.dumps(result, indent=2))
    plot_crossplay(result, out / "crossplay_return.png", "team_return")
    plot_crossplay(result, out / "crossplay_free_riding.png", "free_riding")
    plot_curves(find_runs([runs]), out / "training_curves.png")
    per_algo = result["summary"]["per_algo"]
    summary = {
        "setting": "cooking gridworld (5x5, 50 steps), rqe.srpo.envs.CookingGridworld",
        "seeds": args.seeds, "budget_transitions_per_rollout_stream": args.steps,
        "config": common, "train_wall_s": train_wall, "eval_wall_s": eval_wall,
        "trained": trained,
        "per_algo": {a: {"offdiag_crossplay_return": per_algo[a]["crossplay_return"],
                         "self_play_return": per_algo[a]["self_play_return"],
                         "free_riding_self_play": per_algo[a]["self_play_free_riding"],
                         "free_riding_crossplay": per_algo[a]["crossplay_free_riding"],
                         "solo_idle": per_algo[a]["solo_idle"], "solo_random": per_algo[a]["solo_random"]}
                     for a in args.algos},
        "between_algos": result["summary"]["between_algos"],
    }
    write_text(out / "summary.json", json.dumps(summary, indent=2))
    print(f"{'method':8s} {'cross-play (off-diag)':>24s} {'self-play':>18s} {'free-riding':>16s}")
    for a in args.algos:
        s = summary["per_algo"][a]
        x, sp, fr = s["offdiag_crossplay_return"], s["self_play_return"], s["free_riding_self_play"]
        print(f"{a:8s} {x['mean']:14.2f} ± {x['std']:6.2f} {sp['mean']:10.2f} ± {sp['std']:5.2f} "
              f"{fr['mean']:8.2f} ± {fr['std']:5.2f}")
    print(f"wrote {out / 'summary.json'}")


if __name__ == "__main__":
    main()
