"""Time to first solve: a fresh process, ``import rqe`` and one ``solve_rqe`` (and one ``solve_rqe_batch``), with
an empty Numba cache (``NUMBA_CACHE_DIR`` pointed at a new directory: every kernel the call needs compiles)
and then again with the cache that run filled; the first solve's process CPU time is recorded beside its wall
time (compiling is CPU-bound, so on a shared machine it is the steadier of the two), and so is what that solve
compiled (``first_solve_kernels``: each kernel's signatures and Numba's compile timers; a cached run loads
rather than compiles: no timers, zeros). This checkout and the
baseline checkout (``benchmarks._baseline.DEFAULT_CHECKOUT``) are measured in the same run, in rounds that
alternate their order (one round with ``--quick``, two otherwise; medians reported, every round kept); the
stderr of every cold run must carry the one-line compile notice.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._baseline import DEFAULT_CHECKOUT
from benchmarks.harness import Row

SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import numpy as np
import rqe
t_import = time.perf_counter() - t0
game = rqe.Game.from_bimatrix([[4, 1], [3, 3]], [[4, 3], [1, 3]])
c0 = time.process_time()
r = rqe.solve_rqe(game, 0.5, 0.5)
t_solve = time.perf_counter() - t0
cpu_solve = time.process_time() - c0
# what the first solve compiled: every rqe kernel with a signature, its signatures and (from Numba's own
# timers, seconds of wall time that include the kernels it calls) its compile and LLVM time
from numba.core.registry import CPUDispatcher
kernels = {}
for name, module in list(sys.modules.items()):
    if name.startswith("rqe"):
        for attr, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == name and value.signatures:
                timers = [(value.get_metadata(sig) or {}).get("timers", {}) for sig in value.signatures]
                kernels[f"{name}.{attr}"] = dict(signatures=len(value.signatures),
                                                 compile_s=sum(t.get("compiler_lock", 0.0) for t in timers),
                                                 llvm_s=sum(t.get("llvm_lock", 0.0) for t in timers))
stack = np.random.default_rng(0).uniform(-1, 1, size=(64, 2, 2, 2))
b = rqe.solve_rqe_batch(stack, 0.5, 0.5)
t_batch = time.perf_counter() - t0
print(json.dumps(dict(import_s=t_import, first_solve_s=t_solve, first_solve_cpu_s=cpu_solve, first_batch_s=t_batch,
                      converged=bool(r.converged), batch_converged=bool(np.all(b.converged)),
                      first_solve_kernels=kernels)))
"""


def _run(checkout: str, cache_dir: str) -> tuple[dict, str]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    proc = subprocess.run([sys.executable, "-c", SCRIPT, checkout], capture_output=True, text=True, env=env,
                          cwd=checkout, timeout=1800)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return (json.loads(lines[-1]) if lines else {"error": proc.stderr[-500:]}), proc.stderr


def _commit(checkout: str) -> str:
    proc = subprocess.run(["git", "-C", checkout, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def _median(runs: list[dict]) -> dict:
    """Per-metric median over the rounds (numbers), the last round's flags and kernel list."""
    out = dict(runs[-1])
    for key, value in runs[-1].items():
        if isinstance(value, float):
            out[key] = statistics.median(r.get(key, float("nan")) for r in runs)
    return out


def run(quick: bool) -> list[Row]:
    ours_checkout = str(Path(__file__).resolve().parents[1])
    checkouts = [(label, checkout) for label, checkout in
                 (("this checkout", ours_checkout), ("baseline checkout", DEFAULT_CHECKOUT))
                 if (Path(checkout) / "rqe" / "__init__.py").exists()]
    samples: dict[str, list] = {label: [] for label, _ in checkouts}
    # rounds alternate the order of the checkouts, so that a drift in machine load falls on both
    for round_ in range(1 if quick else 2):
        for label, checkout in (checkouts if round_ % 2 == 0 else checkouts[::-1]):
            with tempfile.TemporaryDirectory() as cache:
                cold, err = _run(checkout, cache)
                warm, _ = _run(checkout, cache)
            samples[label].append((cold, warm, "compiling solvers, first use only" in err))
    rows = []
    for label, checkout in checkouts:
        cold = _median([c for c, _, _ in samples[label]])
        warm = _median([w for _, w, _ in samples[label]])
        notice = all(n for _, _, n in samples[label])
        rows.append(Row(
            case="rqe_cold_start", size=label, peer="(time to first solve; no peer)",
            rqe_time=cold.get("first_solve_s", float("nan")), peer_time=None, repeat=len(samples[label]),
            accuracy_metric="converged", rqe_accuracy=None,
            note=(f"first solve_rqe cold {cold.get('first_solve_s', float('nan')):.1f} s "
                  f"(CPU {cold.get('first_solve_cpu_s', float('nan')):.1f} s) / cached "
                  f"{warm.get('first_solve_s', float('nan')):.2f} s; first batch cold "
                  f"{cold.get('first_batch_s', float('nan')):.1f} s; import {cold.get('import_s', float('nan')):.2f} s; "
                  f"compile notice on stderr: {notice}; medians of {len(samples[label])} interleaved rounds; "
                  f"commit {_commit(checkout)}"),
            extra=dict(cold=cold, cached=warm, notice=notice, checkout=label, commit=_commit(checkout),
                       rounds=[dict(cold=c, cached=w) for c, w, _ in samples[label]]),
        ))
    return rows


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.harness import markdown_table

    print(markdown_table(run(quick=True)))
