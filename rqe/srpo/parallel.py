"""Run independent jobs (training seeds, population members, cross-play cells) in parallel.

Local processes by default (``concurrent.futures`` with the ``spawn`` start method, one torch thread per worker);
Ray when it is installed (``pip install 'rqe[dist]'``) and ``backend`` is ``"ray"`` or ``"auto"``.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from rqe.errors import ParameterError

__all__ = ["run_jobs", "train_job"]

BACKENDS = ("auto", "serial", "process", "ray")


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)


def run_jobs(fn: Callable[[Any], Any], jobs: list[Any], workers: int = 1, backend: str = "auto") -> list[Any]:
    """``[fn(job) for job in jobs]``, in parallel on ``workers`` processes (or Ray); results in job order.

    ``fn`` must be a module-level function (it is pickled). ``backend="auto"`` uses Ray when installed, local
    processes otherwise; ``workers <= 1`` or a single job runs serially in this process.

    >>> run_jobs(abs, [-1, 2, -3])
    [1, 2, 3]
    """
    if backend not in BACKENDS:
        raise ParameterError(f"backend must be one of {BACKENDS}, got {backend!r}")
    jobs = list(jobs)
    if backend == "serial" or workers <= 1 or len(jobs) <= 1:
        return [fn(job) for job in jobs]
    use_ray = backend == "ray" or (backend == "auto" and importlib.util.find_spec("ray") is not None)
    if use_ray:
        from rqe._optional import require

        ray = require("ray", "dist", "distributed jobs")
        started = not ray.is_initialized()
        if started:
            ray.init(num_cpus=workers, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
        try:
            remote = ray.remote(num_cpus=1)(fn)
            return ray.get([remote.remote(job) for job in jobs])
        finally:
            if started:  # a cluster this call started is not left running
                ray.shutdown()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
        return list(pool.map(fn, jobs))


def train_job(job: dict[str, Any]) -> dict[str, Any]:
    """Train one configuration (``job = {"config": dict, "out": path, "resume": bool}``); return a short summary."""
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.trainer import Trainer

    config = TrainConfig.from_dict(job["config"])
    trainer = Trainer(config, Path(job["out"]))
    history = trainer.train(progress=bool(job.get("progress", False)), resume=bool(job.get("resume", False)))
    last = history[-1] if history else {}
    return {"out": str(job["out"]), "algo": config.algo, "seed": config.seed, "updates": trainer.update,
            "env_steps": trainer.env_steps, "time_s": trainer.elapsed,
            "final_return_seat0": last.get("return_seat0")}
