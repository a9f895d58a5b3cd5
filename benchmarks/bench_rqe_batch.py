"""``solve_rqe_batch`` throughput (KL + entropy, tau = eps = 0.5, payoffs uniform in [-1, 1], seed 2026) for this
checkout (in process) and the baseline checkout (``benchmarks._baseline.DEFAULT_CHECKOUT``, in a subprocess),
one after the other on the same games. The rate is reported as CPU time per game (all threads), which a
shared machine's load does not change much, and as the rate 2 idle cores would give (``2 / CPU per game``);
every game's certificate is computed and the worst is reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks._baseline import DEFAULT_CHECKOUT
from benchmarks.harness import Row

SCRIPT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from rqe import solve_rqe_batch
rng = np.random.default_rng(2026)
out = []
for shape, B in json.loads(sys.argv[2]):
    stack = rng.uniform(-1, 1, size=(B, 2, *shape))
    solve_rqe_batch(stack[:16], 0.5, 0.5)
    cpu = []
    walls = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        r = solve_rqe_batch(stack, 0.5, 0.5)
        walls.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out.append(dict(shape=shape, B=B, cpu_per_game=sorted(cpu)[1] / B, wall=sorted(walls)[1],
                    max_residual=float(r.residuals.max()), converged=float(np.mean(r.converged))))
print(json.dumps(out))
"""


def _measure(checkout: str, sizes: list) -> list[dict]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, checkout, json.dumps(sizes)], capture_output=True,
                          text=True, cwd=checkout, timeout=3600)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("[")]
    return json.loads(lines[-1]) if lines else []


def run(quick: bool) -> list[Row]:
    sizes = [[[2, 2], 20_000 if quick else 200_000], [[3, 3], 5_000 if quick else 50_000]]
    ours = _measure(str(Path(__file__).resolve().parents[1]), sizes)
    base = _measure(DEFAULT_CHECKOUT, sizes) if (Path(DEFAULT_CHECKOUT) / "rqe").exists() else []
    rows = []
    for k, o in enumerate(ours):
        b = base[k] if k < len(base) else None
        rows.append(Row(
            case="rqe_batch_vs_baseline", size=f"{o['B']} games {o['shape'][0]}x{o['shape'][1]}",
            peer="baseline checkout solve_rqe_batch", rqe_time=o["cpu_per_game"],
            peer_time=b["cpu_per_game"] if b else None, repeat=3, rqe_accuracy=o["max_residual"],
            peer_accuracy=b["max_residual"] if b else None, accuracy_metric="max RQE certificate",
            note=(f"CPU s per game (median of 3); 2 idle cores: {2 / o['cpu_per_game']:.3g} games/s vs "
                  f"{(2 / b['cpu_per_game']) if b else float('nan'):.3g}; converged {o['converged']:.4f}"),
            extra=dict(ours=o, baseline=b),
        ))
    return rows


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.harness import markdown_table

    print(markdown_table(run(quick=True)))
