"""``rqe verify`` on the collaborative-game claims (``thm4.2-collab-2x2/3x3``, ``welfare-collab-2x2/3x3``):
wall time of ``--n 10000`` (quick: 1000) with 2 workers for this checkout, and the verdicts of both this checkout
and the baseline checkout (``benchmarks._baseline.DEFAULT_CHECKOUT``) at ``--n 300`` (same seed, so the same
games), run one after the other as subprocesses (``python -m rqe verify`` from each checkout's root).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._baseline import DEFAULT_CHECKOUT
from benchmarks.harness import Row

CLASSES = ["thm4.2-collab-2x2", "thm4.2-collab-3x3", "welfare-collab-2x2", "welfare-collab-3x3"]


def _verify(checkout: str, n: int, workers: int) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "verify.json"
        args = [sys.executable, "-m", "rqe", "verify", "--n", str(n), "--seed", "0", "--workers", str(workers),
                "--no-progress", "--json", str(out), "--out", tmp]
        for c in CLASSES:
            args += ["--class", c]
        t0 = time.perf_counter()
        subprocess.run(args, cwd=checkout, capture_output=True, text=True, timeout=7200)
        wall = time.perf_counter() - t0
        report = json.loads(out.read_text()) if out.exists() else {}
    return wall, report


def _verdicts(report: dict) -> dict:
    rows = report.get("rows") or report.get("classes") or []
    return {r.get("class", r.get("name")): (r.get("verdict"), r.get("passed"), r.get("checks"))
            for r in rows if isinstance(r, dict)}


def run(quick: bool) -> list[Row]:
    ours = str(Path(__file__).resolve().parents[1])
    n_big = 1000 if quick else 10000
    wall, report = _verify(ours, n_big, 2)
    rows = [Row(case="rqe_verify", size=f"collab classes, n={n_big}, 2 workers", peer="(time; no peer)",
                rqe_time=wall, peer_time=None, repeat=1, note=f"verdicts {_verdicts(report)}",
                extra=dict(report=report))]
    ours_wall, ours_report = _verify(ours, 300, 2)
    base_wall, base_report = _verify(DEFAULT_CHECKOUT, 300, 2) if (Path(DEFAULT_CHECKOUT) / "rqe").exists() \
        else (None, {})
    same = _verdicts(ours_report) == _verdicts(base_report)
    rows.append(Row(case="rqe_verify", size="collab classes, n=300, 2 workers", peer="baseline checkout",
                    rqe_time=ours_wall, peer_time=base_wall, repeat=1,
                    note=f"same verdicts and pass counts: {same}; ours {_verdicts(ours_report)}; "
                         f"baseline {_verdicts(base_report)}",
                    extra=dict(ours=ours_report, baseline=base_report, same_verdicts=same)))
    return rows


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.harness import markdown_table

    print(markdown_table(run(quick=True)))
