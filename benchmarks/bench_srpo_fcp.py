"""Training throughput of batched FCP (a best response to a partner pool) vs the same seeds one after another.

Environment steps per second of whole PPO updates at ``--preset paper`` on the cooking gridworld, for

* ``fcp``: FCP against the FCP checkpoints (first, middle, final) of ``--seeds`` self-play runs, as the cooking study
  trains it (the self-play runs are trained first, briefly: their weights do not change the cost);
* ``br``: best responses to every partner of the held-out zoo (``pools={name: ["zoo:NAME"]}``), 2 seeds each, in one
  population, as the study's ``--br-steps`` runs;
* ``selfplay``: the batched self-play population of the same seeds, for scale.

``batched``: :class:`rqe.srpo.population_fcp.FCPPopulationTrainer` (one process, 1 torch thread); ``serial``: the same
members (seeds, or pool and seed) by :class:`rqe.srpo.Trainer` one after another. Accuracy: the largest difference
of member k's weights between the two, relative to each tensor's largest entry, and whether the logged returns (the
sampled actions) are identical.
Variants are interleaved ``--repeat`` times; medians and bests are reported with the load average.

Run:  /work/quiet.sh nice python -m benchmarks.bench_srpo_fcp --seeds 8 --updates 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

RESULT = Path(__file__).resolve().parent / "results" / "srpo_fcp.json"


def _weights(trainer):
    return {f"{n}.{k}": v.detach().clone() for n, lr in trainer.learners.items()
            for k, v in {**lr.actor.state_dict(), **lr.critics.state_dict()}.items()}


def _accuracy(population, singles):
    worst, same = 0.0, True
    for k, (single, history) in enumerate(singles):
        a, b = _weights(single), _weights(population.runs[k])
        worst = max(worst, max(float((a[n] - b[n]).abs().max()) / (float(a[n].abs().max()) or 1.0) for n in a))
        same = same and [h["return_seat0"] for h in history] == [float(r[k]["return_seat0"])
                                                                 for r in population.history]
    return worst, same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", default=str(RESULT))
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from rqe.srpo import TrainConfig, Trainer
    from rqe.srpo.population import make_population
    from rqe.srpo.zoo import partner_zoo

    seeds = list(range(args.seeds))
    scratch = Path(tempfile.mkdtemp(prefix="bench_fcp_"))
    pool_cfg = TrainConfig(algo="selfplay", env="cooking", preset="paper", total_steps=2 * 1024, checkpoint_every=1,
                           device="cpu")
    make_population(pool_cfg, seeds, scratch / "selfplay").train(progress=False)
    pool = [str(scratch / "selfplay" / f"selfplay-seed{s}") for s in seeds]
    steps = args.updates * 1024
    cases = {
        "fcp": (TrainConfig(algo="fcp", env="cooking", preset="paper", total_steps=steps, device="cpu",
                            partner_runs=pool, partner_snapshots="fcp"), seeds),
        "br": (TrainConfig(algo="fcp", env="cooking", preset="paper", total_steps=steps, device="cpu"), seeds[:2]),
        "selfplay": (TrainConfig(algo="selfplay", env="cooking", preset="paper", total_steps=steps, device="cpu"),
                     seeds),
    }
    pools = {"br": {name: [f"zoo:{name}"] for name in partner_zoo()}}
    load_before = os.getloadavg()
    timings: dict[str, dict[str, list[float]]] = {name: {"batched": [], "serial": []} for name in cases}
    accuracy, members_of = {}, {}
    for _ in range(args.repeat):
        for name, (cfg, members) in cases.items():
            population = make_population(cfg, members, **({"pools": pools[name]} if name in pools else {}))
            population.history = []
            start = time.perf_counter()
            population.train(progress=False, callback=lambda p, rows: p.history.append(rows))
            timings[name]["batched"].append(population.env_steps * population.S / (time.perf_counter() - start))
            singles, start = [], time.perf_counter()
            for run in population.runs:       # the same members (seed, and pool) one after another
                single = Trainer(run.cfg)
                singles.append((single, single.train(progress=False)))
            timings[name]["serial"].append(population.env_steps * population.S / (time.perf_counter() - start))
            members_of[name] = population.S
            accuracy[name] = _accuracy(population, singles)
    rows = []
    for name, (cfg, members) in cases.items():
        batched, serial = timings[name]["batched"], timings[name]["serial"]
        rows.append({"case": name, "seeds": len(members), "members": members_of[name], "updates": args.updates,
                     "batched_steps_per_s": {"median": statistics.median(batched), "best": max(batched)},
                     "serial_steps_per_s": {"median": statistics.median(serial), "best": max(serial)},
                     "speedup_median": statistics.median(b / s for b, s in zip(batched, serial)),
                     "max_rel_weight_diff": accuracy[name][0], "returns_identical": accuracy[name][1]})
        print(f"{name:9s} {members_of[name]:2d} members: batched {statistics.median(batched):8.0f} env steps/s, serial "
              f"{statistics.median(serial):8.0f}, x{rows[-1]['speedup_median']:.2f}; weights within "
              f"{accuracy[name][0]:.1e}, returns identical {accuracy[name][1]}")
    result = {"benchmark": "bench_srpo_fcp", "rows_note": "env steps per second of all seeds together",
              "results": rows, "repeat": args.repeat, "load_average_before": load_before,
              "load_average_after": os.getloadavg(),
              "machine": {"processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                          "python": platform.python_version(), "torch": torch.__version__}}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
