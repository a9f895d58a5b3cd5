"""A few minutes on a CUDA device: batched population training throughput at the paper's settings.

For S in ``--sizes`` (default 8, 32, 128 seeds) it trains SRPO and IPPO populations
(:class:`rqe.srpo.population.PopulationTrainer`, ``--preset paper``: 8 envs x 128 steps per seed and rollout) for
``--updates`` updates on the GPU and reports environment steps per second, beside one single run on the GPU and one
on the CPU (1 thread). It also checks that seed 0 of the GPU population logs the same returns as seed 0 trained
alone on the GPU (the same code path per seed; floating point on the GPU may still differ in the last bit, which can
change a sampled action, so this is reported, not asserted). Results go to ``benchmarks/results/srpo_gpu_check.json``
(through the atomic writer).

On a machine without CUDA it prints why it does nothing and exits with status 0.

Run:  python -m benchmarks.gpu_check [--sizes 8 32 128] [--updates 3] [--max-seconds 420]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

RESULT = Path(__file__).resolve().parent / "results" / "srpo_gpu_check.json"


def _time_population(cfg, seeds):
    import torch

    from rqe.srpo.population import PopulationTrainer

    population = PopulationTrainer(cfg, seeds)
    torch.cuda.synchronize()
    start = time.perf_counter()
    history = population.train(progress=False)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return population.env_steps * len(seeds) / seconds, seconds, history


def _time_single(cfg):
    import torch

    from rqe.srpo import Trainer

    trainer = Trainer(cfg)
    if trainer.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    history = trainer.train(progress=False)
    if trainer.device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return trainer.env_steps / seconds, seconds, history


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 32, 128])
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--algos", nargs="+", default=["srpo", "ippo"])
    parser.add_argument("--max-seconds", type=float, default=420.0, help="stop starting new cases after this")
    parser.add_argument("--out", default=str(RESULT))
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("gpu_check: torch is not installed (pip install 'rqe[srpo]'); nothing to measure")
        return 0
    if not torch.cuda.is_available():
        print("gpu_check: no CUDA device on this machine (torch.cuda.is_available() is False); nothing to measure. "
              "Run it where a GPU is present.")
        return 0
    from rqe._files import write_text
    from rqe.srpo import TrainConfig

    torch.set_num_threads(1)
    began = time.perf_counter()
    rows = []
    for algo in args.algos:
        rollouts = 2 if algo == "srpo" else 1
        cfg = TrainConfig(algo=algo, env="cooking", preset="paper", device="cuda",
                          total_steps=args.updates * rollouts * 8 * 128)
        _time_population(cfg, [0, 1])                                 # warm up CUDA kernels and allocator
        single_gpu, _, single_history = _time_single(cfg)
        single_cpu, _, _ = _time_single(cfg.replace(device="cpu"))
        for size in args.sizes:
            if time.perf_counter() - began > args.max_seconds:
                print(f"gpu_check: time budget reached, skipping {algo} x {size}")
                continue
            rate, seconds, history = _time_population(cfg, list(range(size)))
            same = [h[0]["return_seat0"] for h in history] == [h["return_seat0"] for h in single_history]
            rows.append({"algo": algo, "seeds": size, "updates": args.updates, "seconds": seconds,
                         "env_steps_per_s": rate, "single_run_gpu_env_steps_per_s": single_gpu,
                         "single_run_cpu_env_steps_per_s": single_cpu, "speedup_vs_single_gpu_run": rate / single_gpu,
                         "speedup_vs_single_cpu_run": rate / single_cpu,
                         "seed0_returns_equal_single_gpu_run": same})
            print(json.dumps(rows[-1]))
    result = {"benchmark": "srpo batched population on CUDA (cooking gridworld, --preset paper)",
              "device": torch.cuda.get_device_name(0), "torch": torch.__version__, "platform": platform.platform(),
              "cpus": os.cpu_count(), "rows": rows}
    write_text(args.out, json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
