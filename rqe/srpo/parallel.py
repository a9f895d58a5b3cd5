"""Run independent SRPO jobs (training seeds, population members, cross-play cells) in parallel.

A thin layer over :func:`rqe.parallel.parallel_map`: local processes by default (the ``spawn`` start method, one
torch thread per worker); Ray when it is installed (``pip install 'rqe[dist]'``) and ``backend`` is ``"ray"``
or ``"auto"``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rqe.errors import ParameterError
from rqe.parallel import parallel_map

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
        engine = "serial"
    elif backend == "ray" or (backend == "auto" and importlib.util.find_spec("ray") is not None):
        engine = "ray"
    else:
        engine = "local"
    return parallel_map(fn, jobs, backend=engine, workers=max(1, workers), chunksize=1, progress=False,
                        initializer=_init_worker, start_method="spawn")


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
