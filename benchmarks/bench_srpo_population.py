"""Training throughput: a batched population of S seeds vs the same seeds one after another (and the authors' script).

Measures environment steps per second of whole PPO updates (rollouts, GAE, epochs) at the paper's settings
(``--preset paper``: 8 envs x 128 steps per rollout, 4 full-batch epochs) on the cooking gridworld:

* ``batched``: :class:`rqe.srpo.population.PopulationTrainer` with S seeds in one process, with each torch thread
  count of ``--threads``;
* ``serial``: the same seeds trained one after another by :class:`rqe.srpo.Trainer`, with each thread count of
  ``--threads`` (the comparison takes the faster); the largest S is run and the time of the first S' seeds is the
  serial time of S' seeds;
* ``authors``: the authors' script (``gridworld/coop_ppo.py`` of ``crqu/srpo``: numba environment in 8 worker
  processes behind pipes, one seed, torch at its default threads) at its own settings, for ``ippo`` and ``srpo``,
  when ``--authors FILE`` points at a local adapter around a copy of its training functions (kept outside the
  repository). The adapter provides ``ParallelVectorEnv(n)`` (their vector env, started untimed),
  ``ippo_updates(env, updates)`` and ``srpo_updates(env, updates)`` (their ``train_independent_ppo`` and
  ``train_adversarial_marl`` run unchanged on that env, returning the env steps played).

Each variant is timed by wall clock and by CPU seconds (this process; for the authors' script also its worker
processes). The CPU figure is less disturbed by other work on a shared machine (it does not count time spent
waiting for a core); with two threads it counts both. The accuracy columns: the largest difference between seed
k's weights after each batched run and after its serial run, relative to each tensor's largest entry (0 would be
bit for bit), and whether their logged returns (i.e. the sampled actions) are identical. After an untimed warm-up (one
small run of each kind and thread count), the variants are interleaved ``--repeat`` times; medians and bests (the fastest repeat, the least disturbed) are reported with the
load average before and after.

OpenMP threads wait passively (``OMP_WAIT_POLICY=PASSIVE``, set before torch loads unless given): on a machine
shared with other work a spinning thread holds a core the other thread needs, which made every two-thread variant
several times slower than one thread in earlier runs; the setting applies to every variant alike.

Runs split by algorithm merge into one file (rows of the other algorithms are kept):

    python -m benchmarks.bench_srpo_population --algos ippo --seeds 8 16 --threads 1 2 [--authors FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")       # read when torch loads OpenMP (see the docstring)

RESULT = Path(__file__).resolve().parent / "results" / "srpo_population.json"
ROLLOUTS = {"srpo": 2, "adversarial": 2}


def _weights(trainer):
    return {f"{n}.{k}": v.detach().clone() for n, lr in trainer.learners.items()
            for k, v in {**lr.actor.state_dict(), **lr.critics.state_dict()}.items()}


def _clock():
    return time.perf_counter(), time.process_time()


def _batched(cfg, seeds, threads):
    import torch

    from rqe.srpo.population import PopulationTrainer

    torch.set_num_threads(threads)
    population = PopulationTrainer(cfg, seeds)
    wall, cpu = _clock()
    history = population.train(progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, population.env_steps * len(seeds), population, history


def _serial(cfg, seeds, threads):
    """Per seed: (wall, cpu, env steps, trainer, history), trained one after another."""
    import torch

    from rqe.srpo import Trainer

    torch.set_num_threads(threads)
    out = []
    for seed in seeds:
        trainer = Trainer(cfg.replace(seed=seed))
        wall, cpu = _clock()
        history = trainer.train(progress=False)
        out.append((time.perf_counter() - wall, time.process_time() - cpu, trainer.env_steps, trainer, history))
    return out


def _children_cpu(pids):
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            return None
    return total


def _authors(module, algo, updates, env):
    import torch

    torch.set_num_threads(os.cpu_count() or 1)       # the script leaves torch at its default
    run = module.ippo_updates if algo == "ippo" else module.srpo_updates
    workers = [p.pid for p in getattr(env, "ps", [])]
    before = _children_cpu(workers)
    wall, cpu = _clock()
    steps = run(env, updates)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = _children_cpu(workers)
    if before is not None and after is not None and workers:
        cpu += after - before
    return wall, cpu, steps


def _compare(population, singles):
    worst, same = 0.0, True
    for k, (_, _, _, single, history) in enumerate(singles):
        a, b = _weights(single), _weights(population[0].runs[k])
        for key in a:
            scale = float(a[key].abs().max()) or 1.0
            worst = max(worst, float((a[key] - b[key]).abs().max()) / scale)
        same &= [h[k]["return_seat0"] for h in population[1]] == [h["return_seat0"] for h in history]
        same &= [h[k]["return_seat1"] for h in population[1]] == [h["return_seat1"] for h in history]
    return worst, same


def _summary(samples):
    """samples: list of (wall, cpu, steps) -> rates (median and best) by wall and by CPU."""
    steps = samples[0][2]
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    return {"env_steps": steps, "wall_seconds": walls, "cpu_seconds": cpus,
            "steps_per_s": steps / statistics.median(walls), "steps_per_s_best": steps / min(walls),
            "steps_per_cpu_s": steps / statistics.median(cpus), "steps_per_cpu_s_best": steps / min(cpus)}


def measure(algo, seeds_list, threads_list, updates, repeat, module, authors_env, budget_s=None):
    from rqe.srpo import TrainConfig

    rollouts = ROLLOUTS.get(algo, 1)
    cfg = TrainConfig(algo=algo, env="cooking", preset="paper", device="cpu",
                      total_steps=updates * rollouts * 8 * 128)
    samples: dict[str, list] = {}
    accuracy: dict[str, list] = {}
    load_before = os.getloadavg()
    largest = max(seeds_list)
    start, done = time.perf_counter(), 0
    for _ in range(repeat):
        began = time.perf_counter()
        if done and budget_s is not None and (began - start) + (began - start) / done > budget_s:
            break                                 # one more repeat would overrun the time budget
        batched = {}
        for S in seeds_list:
            for th in threads_list:
                wall, cpu, steps, population, history = _batched(cfg, list(range(S)), th)
                samples.setdefault(f"batched_{S}_seeds_{th}_threads", []).append((wall, cpu, steps))
                batched[(S, th)] = (population, history)
        singles_by_threads = {}
        for th in threads_list:
            singles = _serial(cfg, list(range(largest)), th)
            singles_by_threads[th] = singles
            for S in seeds_list:
                part = singles[:S]
                samples.setdefault(f"serial_{S}_seeds_{th}_threads", []).append(
                    (sum(p[0] for p in part), sum(p[1] for p in part), sum(p[2] for p in part)))
        for (S, th), result in batched.items():
            accuracy.setdefault(f"batched_{S}_seeds_{th}_threads", []).append(
                _compare(result, singles_by_threads[threads_list[0]][:S]))
        del batched, singles_by_threads
        if module is not None and algo in ("ippo", "srpo"):
            samples.setdefault("authors_script_1_seed", []).append(_authors(module, algo, updates, authors_env))
        done += 1
    variants = {name: _summary(s) for name, s in samples.items()}
    for name, acc in accuracy.items():
        variants[name]["max_relative_weight_difference_vs_serial"] = max(a[0] for a in acc)
        variants[name]["identical_returns_vs_serial"] = all(a[1] for a in acc)
    row = {"algo": algo, "updates_per_seed": updates, "repeat": done, "threads": threads_list,
           "measured_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
           "command": "python -m benchmarks.bench_srpo_population " + " ".join(sys.argv[1:]),
           "load_average_before": load_before, "load_average_after": os.getloadavg(), "variants": variants,
           "speedups": {}}
    for S in seeds_list:
        serial_best = max(variants[f"serial_{S}_seeds_{th}_threads"]["steps_per_s"] for th in threads_list)
        serial_best_cpu = max(variants[f"serial_{S}_seeds_{th}_threads"]["steps_per_cpu_s"] for th in threads_list)
        for th in threads_list:
            v = variants[f"batched_{S}_seeds_{th}_threads"]
            entry = {"vs_serial_best_threads": v["steps_per_s"] / serial_best,
                     "vs_serial_same_threads": v["steps_per_s"] / variants[f"serial_{S}_seeds_{th}_threads"]["steps_per_s"],
                     "vs_serial_best_threads_by_cpu": v["steps_per_cpu_s"] / serial_best_cpu}
            if "authors_script_1_seed" in variants:
                a = variants["authors_script_1_seed"]
                entry["vs_authors_script"] = v["steps_per_s"] / a["steps_per_s"]
                entry["vs_authors_script_by_cpu"] = v["steps_per_cpu_s"] / a["steps_per_cpu_s"]
            row["speedups"][f"batched_{S}_seeds_{th}_threads"] = entry
    return row


def table_rows(detail):
    """Rows in the shape of :class:`benchmarks.harness.Row` (times: seconds for the batched run's env steps)."""
    rows = []
    for d in detail:
        v, authors = d["variants"], d["variants"].get("authors_script_1_seed")
        load = f"load {d['load_average_before'][0]:.1f}->{d['load_average_after'][0]:.1f}"
        for name, speed in d["speedups"].items():
            b = v[name]
            S, th = int(name.split("_")[1]), int(name.split("_")[3])
            serials = {t: v[f"serial_{S}_seeds_{t}_threads"] for t in d["threads"]}
            best_t = max(serials, key=lambda t: serials[t]["steps_per_s"])
            size = f"{d['algo']}, {S} seeds x {d['updates_per_seed']} updates, paper settings, {th} thread(s)"
            common = dict(case="srpo_population", size=size, rqe_time=b["env_steps"] / b["steps_per_s"],
                          repeat=d["repeat"], rqe_accuracy=b["max_relative_weight_difference_vs_serial"],
                          accuracy_metric="max rel. weight diff, batched vs serial seed k")
            rows.append({**common, "peer": f"same seeds one by one ({best_t} thread(s), the faster)",
                         "peer_time": b["env_steps"] / serials[best_t]["steps_per_s"], "peer_accuracy": 0.0,
                         "note": (f"{b['steps_per_s']:,.0f} vs {serials[best_t]['steps_per_s']:,.0f} env steps/s; "
                                  f"CPU-time ratio {speed['vs_serial_best_threads_by_cpu']:.2f}; returns identical "
                                  f"{b['identical_returns_vs_serial']}; {load}")})
            if authors is not None:
                rows.append({**common, "peer": "authors' script, 1 seed (its settings)",
                             "peer_time": b["env_steps"] / authors["steps_per_s"], "peer_accuracy": None,
                             "note": (f"{b['steps_per_s']:,.0f} vs {authors['steps_per_s']:,.0f} env steps/s; "
                                      f"CPU-time ratio {speed['vs_authors_script_by_cpu']:.2f}; {load}")})
    for r in rows:
        r["ratio"] = r["peer_time"] / r["rqe_time"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--algos", nargs="+", default=["ippo", "srpo", "mappo", "selfplay"])
    parser.add_argument("--authors", default=None, help="a local adapter around the authors' script (not committed)")
    parser.add_argument("--authors-note", default=None, help="replaces the note on the authors' figures")
    parser.add_argument("--budget-s", type=float, default=None,
                        help="start no repeat that would end after this many seconds (at least one runs)")
    parser.add_argument("--out", default=str(RESULT))
    args = parser.parse_args()

    import torch

    from benchmarks.harness import machine

    module, env = None, None
    if args.authors:
        sys.path.insert(0, str(Path(args.authors).resolve().parent))
        spec = importlib.util.spec_from_file_location("authors_coop", args.authors)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        env = module.ParallelVectorEnv(8)
        module.ippo_updates(env, 1)                                   # numba compiles in the workers; warm pipes
    from rqe.srpo import TrainConfig

    warm = TrainConfig(algo="ippo", env="cooking", preset="paper", device="cpu", total_steps=8 * 128)
    for th in sorted(args.threads):                  # one-time initialisation of torch's kernels, untimed
        _batched(warm, [0, 1], th)
        _serial(warm, [0], th)
    try:
        for algo in args.algos:                      # written after each algorithm: a cut-off run keeps the others
            row = measure(algo, sorted(args.seeds), sorted(args.threads), args.updates, args.repeat, module, env,
                          args.budget_s)
            _write(Path(args.out), row, args.authors_note, {**machine(), "torch": torch.__version__,
                                                            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")})
            print(algo, json.dumps({k: {m: round(x, 2) for m, x in v.items()} for k, v in row["speedups"].items()}),
                  flush=True)
    finally:
        if env is not None:
            env.close()
    print(f"wrote {args.out}")


def _write(out, row, authors_note, machine_info):
    from rqe._files import write_text

    previous = json.loads(out.read_text()) if out.exists() else {}
    order = ["ippo", "srpo", "mappo", "selfplay", "adversarial"]
    detail = [d for d in previous.get("detail", []) if d.get("algo") != row["algo"]] + [row]
    detail.sort(key=lambda d: order.index(d["algo"]))
    note = authors_note or previous.get("authors_script") or (
        "a local copy of the training functions of crqu/srpo gridworld/coop_ppo.py (numba env, 8 pipe worker "
        "processes, torch at its default threads), one seed, warmed up by one update, measured in the same "
        "interleaved runs as the rows")
    result = {
        "benchmark": "srpo population training throughput (cooking gridworld, --preset paper)",
        "machine": machine_info,
        "authors_script": note,
        "rows": table_rows(detail),
        "detail": detail,
    }
    write_text(out, json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
