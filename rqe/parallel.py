"""Run independent jobs in parallel: serially, on a local process pool, or on a local Ray instance.

:func:`parallel_map` is the one engine every part of rqe uses (verification sweeps in :mod:`rqe.analysis`,
training seeds and cross-play cells in :mod:`rqe.srpo`). It applies a picklable module-level function to
chunks of items and returns the results in input order whatever the backend, so a seeded computation gives
the same answer on ``"serial"``, ``"local"`` (a :class:`concurrent.futures.ProcessPoolExecutor`) and ``"ray"``
(a local Ray instance started by the call and shut down after it, ``pip install 'rqe[dist]'``).

Examples
--------
>>> parallel_map(abs, [-1, 2, -3], backend="serial", progress=False)
[1, 2, 3]
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from rqe.errors import ParameterError

__all__ = ["BACKENDS", "parallel_map", "default_workers", "Progress"]

BACKENDS = ("serial", "local", "ray")


def default_workers() -> int:
    """Number of CPUs this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class Progress:
    """A minimal progress bar on stderr (``tqdm`` when installed); silent when ``enabled`` is false."""

    def __init__(self, total: int, desc: str = "", enabled: bool = True):
        self.total, self.desc, self.enabled, self.count = total, desc, enabled, 0
        self._bar = None
        self._start = time.perf_counter()
        self._last = 0.0
        if enabled:
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True)
            except ImportError:
                self._bar = None

    def update(self, n: int = 1) -> None:
        self.count += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.perf_counter()
        if now - self._last > 0.5 or self.count >= self.total:
            self._last = now
            width = 30
            done = int(width * self.count / max(self.total, 1))
            sys.stderr.write(f"\r{self.desc} [{'#' * done}{'.' * (width - done)}] {self.count}/{self.total} "
                             f"{now - self._start:.1f}s")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            if self._bar is not None:
                self._bar.close()
            else:
                sys.stderr.write("\n")
                sys.stderr.flush()


def _apply_chunk(function: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [function(item) for item in chunk]


def _chunks(items: Sequence[Any], chunksize: int) -> list[tuple[int, list[Any]]]:
    return [(start, list(items[start:start + chunksize])) for start in range(0, len(items), chunksize)]


def parallel_map(function: Callable[[Any], Any], items: Sequence[Any], *, backend: str = "local",
                 workers: int | None = None, chunksize: int | None = None, progress: bool = True,
                 desc: str = "", initializer: Callable[[], None] | None = None,
                 start_method: str | None = None) -> list[Any]:
    """``[function(item) for item in items]`` computed in parallel, in input order.

    Parameters
    ----------
    function : callable
        A picklable (module-level) function of one item.
    backend : {"local", "ray", "serial"}
        ``"local"``: a process pool of ``workers`` processes (one worker runs in-process). ``"ray"``: a local Ray
        instance with ``workers`` CPUs, started here (and shut down here if this call started it).
    chunksize : int, optional
        Items per task; by default about 4 tasks per worker, at most 500 items per task.
    initializer : callable, optional
        Run once in each local worker process (e.g. to limit torch threads).
    start_method : str, optional
        ``multiprocessing`` start method of the local pool (``"spawn"`` for code that uses torch).
    """
    if backend not in BACKENDS:
        raise ParameterError(f"backend must be one of {BACKENDS}, got {backend!r}")
    items = list(items)
    workers = default_workers() if workers is None else int(workers)
    if workers < 1:
        raise ParameterError(f"workers must be >= 1, got {workers}")
    if chunksize is None:
        chunksize = max(1, min(500, -(-len(items) // (4 * workers))))
    chunks = _chunks(items, int(chunksize))
    results: list[Any] = [None] * len(items)
    bar = Progress(len(items), desc=desc, enabled=progress)
    try:
        if backend == "serial" or (backend == "local" and (workers == 1 or len(chunks) <= 1)):
            for start, chunk in chunks:
                results[start:start + len(chunk)] = _apply_chunk(function, chunk)
                bar.update(len(chunk))
        elif backend == "local":
            context = multiprocessing.get_context(start_method) if start_method else None
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer) as pool:
                futures = {pool.submit(_apply_chunk, function, chunk): (start, len(chunk)) for start, chunk in chunks}
                for future in as_completed(futures):
                    start, size = futures[future]
                    results[start:start + size] = future.result()
                    bar.update(size)
        else:
            results = _ray_map(function, chunks, len(items), workers, bar)
    finally:
        bar.close()
    return results


def _ray_map(function: Callable[[Any], Any], chunks: list[tuple[int, list[Any]]], total: int, workers: int,
             bar: Progress) -> list[Any]:
    from rqe._optional import require

    ray = require("ray", "dist", "the Ray backend")
    started = False
    if not ray.is_initialized():
        # a local instance, no dashboard; the package root goes on the workers' path so rqe imports there
        path = os.pathsep.join(filter(None, [_package_root(), os.environ.get("PYTHONPATH")]))
        options = dict(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False,
                       runtime_env={"env_vars": {"PYTHONPATH": path}})
        attempts = 3
        for attempt in range(attempts):
            try:
                ray.init(**options)
                break
            except Exception as exc:  # Ray gives its raylet a fixed 30 s to start; a loaded machine may need more
                ray.shutdown()
                if attempt == attempts - 1 or "timed out during startup" not in str(exc):
                    raise
        started = True
    try:
        remote = ray.remote(_apply_chunk)
        function_ref = ray.put(function)
        pending = {remote.remote(function_ref, chunk): (start, len(chunk)) for start, chunk in chunks}
        results: list[Any] = [None] * total
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                start, size = pending.pop(ref)
                results[start:start + size] = ray.get(ref)
                bar.update(size)
        return results
    finally:
        if started:
            ray.shutdown()


def _package_root() -> str:
    import rqe

    return os.path.dirname(os.path.dirname(os.path.abspath(rqe.__file__)))
