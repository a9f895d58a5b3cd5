"""Time another checkout's ``solve_rqe`` in a subprocess, one game at a time, interleaved with this one's.

``BaselineSolver(path)`` starts ``python -c WORKER`` with ``path`` first on ``sys.path`` (so ``import rqe`` is
that checkout's), sends one game per request as JSON and gets back the median wall time of ``repeat`` warm
calls (only the first call when it takes over a second) and the principal strategies. The caller certifies those strategies with its own ``rqe_residual``, so
both sides are scored by the same metric.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import rqe
for line in sys.stdin:
    job = json.loads(line)
    game = rqe.Game(np.array(job["payoffs"], dtype=float))
    args = (game, job["tau"], job["epsilon"])
    kwargs = dict(penalty=job["penalty"], regularizer=job["regularizer"])
    t0 = time.perf_counter()
    r = rqe.solve_rqe(*args, **kwargs)
    first = time.perf_counter() - t0
    samples = []
    for _ in range(job["repeat"] if first < 1.0 else 0):  # a call over 1 s is timed once (its first call)
        t0 = time.perf_counter()
        r = rqe.solve_rqe(*args, **kwargs)
        samples.append(time.perf_counter() - t0)
    out = dict(first=first, median=statistics.median(samples) if samples else first,
               strategies=[np.asarray(x).tolist() for x in r.strategies], converged=bool(r.converged),
               n_equilibria=len(r.equilibria), file=rqe.__file__)
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""

#: the checkout timed as the baseline (override with RQE_BASELINE_CHECKOUT)
DEFAULT_CHECKOUT = os.environ.get("RQE_BASELINE_CHECKOUT", "/work/main")


class BaselineSolver:
    """A persistent subprocess running ``solve_rqe`` from another checkout (``None``-safe: see :attr:`ok`)."""

    def __init__(self, checkout: str = DEFAULT_CHECKOUT):
        self.checkout = checkout
        self.ok = (Path(checkout) / "rqe" / "__init__.py").exists()
        self.proc = None
        if self.ok:
            self.proc = subprocess.Popen([sys.executable, "-c", WORKER, checkout], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, cwd=checkout)

    def solve(self, payoffs, tau, epsilon, penalty="kl", regularizer="entropy", repeat=3) -> dict | None:
        if self.proc is None:
            return None
        job = dict(payoffs=payoffs.tolist(), tau=list(map(float, tau)), epsilon=list(map(float, epsilon)),
                   penalty=penalty, regularizer=regularizer, repeat=repeat)
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
            self.proc = None
