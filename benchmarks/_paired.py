"""Paired timing for the Nash benchmarks: rqe and the peer alternate, so both see the same machine load.

Each round times one call of each side (``harness.time_call`` with one repetition, after the warm-up) and
records wall-clock time and the CPU time of the calling thread (process CPU time would also charge BLAS
worker threads that keep spinning after a peer's linear algebra to whichever side runs next); the medians
over the rounds are reported. On a shared machine the CPU time is the steadier measure of the work done, so
rows carry both (``extra``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.harness import time_call


def paired(ours: Callable[[], Any], peer: Callable[[], Any], repeat: int, warmup: int = 1,
           warmup_peer: int | None = None):
    """Alternate ``ours`` and ``peer`` for ``repeat`` rounds; return medians (wall, cpu) of each and last results.

    ``warmup`` untimed calls of ``ours`` (jit compilation) and ``warmup_peer`` of ``peer`` (default: the same)
    come first.
    """
    for _ in range(warmup):
        ours()
    for _ in range(warmup if warmup_peer is None else warmup_peer):
        peer()
    walls = {"ours": [], "peer": []}
    cpus = {"ours": [], "peer": []}
    results = {}
    for _ in range(repeat):
        for name, fn in (("ours", ours), ("peer", peer)):
            cpu = time.thread_time()
            timing, results[name] = time_call(fn, repeat=1, warmup=0)
            cpus[name].append(time.thread_time() - cpu)
            walls[name].append(timing.median)
    med = {k: statistics.median(v) for k, v in walls.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpus.items()}
    return med["ours"], med["peer"], cpu_med["ours"], cpu_med["peer"], results["ours"], results["peer"]
