"""Training throughput: a batched population of S seeds vs the same seeds one after another (and the authors' script).

Measures environment steps per second of whole PPO updates (rollouts, GAE, epochs) at the paper's settings
(``--preset paper``: 8 envs x 128 steps per rollout, 4 full-batch epochs) on the cooking gridworld, for IPPO and
SRPO:

* ``batched``: :class:`rqe.srpo.population.PopulationTrainer` with S seeds in one process (1 torch thread, and
  with ``--threads 2`` also 2 threads);
* ``serial``: the same S seeds trained one after another by :class:`rqe.srpo.Trainer` (1 torch thread);
* ``authors``: the authors' script (``gridworld/coop_ppo.py`` of ``crqu/srpo``: numba environment in 8 worker
  processes behind pipes, one seed) at its own settings, when ``--authors FILE`` points at a local copy of its
  training loop (kept outside the repository; see the note in ``benchmarks/results/srpo_population.json``).

The accuracy column: the largest difference between seed k's weights after the batched run and after its serial
run, relative to each tensor's largest entry (0 would be bit for bit), and whether their logged returns (i.e. the
sampled actions) are identical. The variants are interleaved ``--repeat`` times; medians and bests (the fastest
repeat, the least disturbed by other processes on a shared machine) are reported with the load average before and
after.

Run:  nice python -m benchmarks.bench_srpo_population --seeds 8 --updates 3 [--authors /tmp/authors/coop_subset.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import time
from pathlib import Path

RESULT = Path(__file__).resolve().parent / "results" / "srpo_population.json"


def _weights(trainer):
    return {f"{n}.{k}": v.detach().clone() for n, lr in trainer.learners.items()
            for k, v in {**lr.actor.state_dict(), **lr.critics.state_dict()}.items()}


def _batched(cfg, seeds, threads):
    import torch

    from rqe.srpo.population import PopulationTrainer

    torch.set_num_threads(threads)
    population = PopulationTrainer(cfg, seeds)
    start = time.perf_counter()
    history = population.train(progress=False)
    seconds = time.perf_counter() - start
    return seconds, population.env_steps * len(seeds), population, history


def _serial(cfg, seeds):
    import torch

    from rqe.srpo import Trainer

    torch.set_num_threads(1)
    runs, histories, steps = [], [], 0
    start = time.perf_counter()
    for seed in seeds:
        trainer = Trainer(cfg.replace(seed=seed))
        histories.append(trainer.train(progress=False))
        runs.append(trainer)
        steps += trainer.env_steps
    return time.perf_counter() - start, steps, runs, histories


def _authors(module, algo, updates):
    import torch

    torch.set_num_threads(os.cpu_count() or 1)       # the script leaves torch at its default
    env = module.ParallelVectorEnv(8)
    try:
        (module.ippo_updates if algo == "ippo" else module.srpo_updates)(env, 1)     # numba compile, warm pipes
        start = time.perf_counter()
        steps = (module.ippo_updates if algo == "ippo" else module.srpo_updates)(env, updates)
        return time.perf_counter() - start, steps
    finally:
        env.close()


def _compare(population, runs, history, histories):
    worst, same_returns = 0.0, True
    for k, single in enumerate(runs):
        a, b = _weights(single), _weights(population.runs[k])
        for key in a:
            scale = float(a[key].abs().max()) or 1.0
            worst = max(worst, float((a[key] - b[key]).abs().max()) / scale)
        same_returns &= [h[k]["return_seat0"] for h in history] == [h["return_seat0"] for h in histories[k]]
    return worst, same_returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="also time the batched run with this many threads")
    parser.add_argument("--algos", nargs="+", default=["ippo", "srpo"])
    parser.add_argument("--authors", default=None, help="a local copy of the authors' training loop (not committed)")
    parser.add_argument("--out", default=str(RESULT))
    args = parser.parse_args()

    import torch

    from rqe._files import write_text
    from rqe.srpo import TrainConfig

    module = None
    if args.authors:
        spec = importlib.util.spec_from_file_location("authors_coop", args.authors)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    seeds = list(range(args.seeds))
    load_before = os.getloadavg()
    rows = []
    for algo in args.algos:
        rollouts = 2 if algo == "srpo" else 1
        cfg = TrainConfig(algo=algo, env="cooking", preset="paper", device="cpu",
                          total_steps=args.updates * rollouts * 8 * 128)
        times: dict[str, list[float]] = {}
        steps: dict[str, int] = {}
        accuracy = None
        for _ in range(args.repeat):
            t, n, population, history = _batched(cfg, seeds, 1)
            times.setdefault("batched_1_thread", []).append(t)
            steps["batched_1_thread"] = n
            if args.threads > 1:
                t, n, _, _ = _batched(cfg, seeds, args.threads)
                times.setdefault(f"batched_{args.threads}_threads", []).append(t)
                steps[f"batched_{args.threads}_threads"] = n
            t, n, runs, histories = _serial(cfg, seeds)
            times.setdefault("serial_1_thread", []).append(t)
            steps["serial_1_thread"] = n
            accuracy = _compare(population, runs, history, histories)
            if module is not None:
                t, n = _authors(module, algo, args.updates)
                times.setdefault("authors_script_1_seed", []).append(t)
                steps["authors_script_1_seed"] = n
        rate = {k: steps[k] / statistics.median(v) for k, v in times.items()}
        best = {k: steps[k] / min(v) for k, v in times.items()}
        row = {"algo": algo, "seeds": args.seeds, "updates_per_seed": args.updates,
               "env_steps": steps, "median_seconds": {k: statistics.median(v) for k, v in times.items()},
               "all_seconds": times, "env_steps_per_s": rate,
               "speedup_vs_serial": {k: rate[k] / rate["serial_1_thread"] for k in rate},
               "env_steps_per_s_best": best,
               "speedup_vs_serial_best": {k: best[k] / best["serial_1_thread"] for k in best},
               "max_relative_weight_difference_batched_vs_serial": accuracy[0],
               "identical_returns_batched_vs_serial": accuracy[1]}
        if "authors_script_1_seed" in rate:
            row["speedup_vs_authors_script"] = {k: rate[k] / rate["authors_script_1_seed"] for k in rate}
        rows.append(row)
        print(json.dumps({k: row[k] for k in ("algo", "env_steps_per_s", "speedup_vs_serial")}, indent=1))
    result = {
        "benchmark": "srpo population training throughput (cooking gridworld, --preset paper)",
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "torch": torch.__version__,
                    "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "authors_script": ("a local copy of the training loop of crqu/srpo gridworld/coop_ppo.py (numba env, 8 pipe "
                           "worker processes, torch at its default threads), one seed, warmed up by one update")
        if module is not None else None,
        "rows": rows,
    }
    write_text(args.out, json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
