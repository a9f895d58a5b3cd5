"""Time to first solve: a fresh process, ``import rqe`` and one ``solve_rqe`` (and one ``solve_rqe_batch``), with
an empty Numba cache (``NUMBA_CACHE_DIR`` pointed at a new directory: every kernel the call needs compiles)
and then again with the cache that run filled. Both this checkout and the baseline checkout
(``benchmarks._baseline.DEFAULT_CHECKOUT``) are measured in the same run, one after the other; the stderr of
this checkout's cold run must carry the one-line compile notice.
"""

from __future__ import annotations

import json
import os
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
r = rqe.solve_rqe(game, 0.5, 0.5)
t_solve = time.perf_counter() - t0
stack = np.random.default_rng(0).uniform(-1, 1, size=(64, 2, 2, 2))
b = rqe.solve_rqe_batch(stack, 0.5, 0.5)
t_batch = time.perf_counter() - t0
print(json.dumps(dict(import_s=t_import, first_solve_s=t_solve, first_batch_s=t_batch,
                      converged=bool(r.converged), batch_converged=bool(np.all(b.converged)))))
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


def run(quick: bool) -> list[Row]:
    ours_checkout = str(Path(__file__).resolve().parents[1])
    rows = []
    for label, checkout in (("this checkout", ours_checkout), ("baseline checkout", DEFAULT_CHECKOUT)):
        if not (Path(checkout) / "rqe" / "__init__.py").exists():
            continue
        with tempfile.TemporaryDirectory() as cache:
            cold, err = _run(checkout, cache)
            warm, _ = _run(checkout, cache)
        notice = "compiling solvers, first use only" in err
        rows.append(Row(
            case="rqe_cold_start", size=label, peer="(time to first solve; no peer)",
            rqe_time=cold.get("first_solve_s", float("nan")), peer_time=None, repeat=1,
            accuracy_metric="converged", rqe_accuracy=None,
            note=(f"first solve_rqe cold {cold.get('first_solve_s', float('nan')):.1f} s / cached "
                  f"{warm.get('first_solve_s', float('nan')):.2f} s; first batch cold "
                  f"{cold.get('first_batch_s', float('nan')):.1f} s; import {cold.get('import_s', float('nan')):.2f} s; "
                  f"compile notice on stderr: {notice}; commit {_commit(checkout)}"),
            extra=dict(cold=cold, cached=warm, notice=notice, checkout=label, commit=_commit(checkout)),
        ))
    return rows


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.harness import markdown_table

    print(markdown_table(run(quick=True)))
