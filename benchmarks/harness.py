"""Timing and reporting shared by every benchmark case.

Rules every case follows:

* rqe and the peer solve the *same* seeded problems in the same process run;
* jitted code is warmed up before timing (``warmup`` calls are not timed);
* each timing is the median (and min/max spread) of ``repeat`` runs;
* each row carries the accuracy of both answers (Nash gap, residual, ...), so speed is never bought with
  wrong answers;
* a peer that is not installed gives a row with ``peer_time = None`` and a note, never a failure.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    """Median and spread of ``repeat`` wall-clock timings, in seconds."""

    median: float
    low: float
    high: float
    repeat: int


def time_call(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> tuple[Timing, Any]:
    """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times timed; return the timing and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return Timing(statistics.median(samples), min(samples), max(samples), repeat), result


@dataclass(frozen=True)
class Row:
    """One line of a benchmark table: the same problem solved by rqe and by a peer."""

    case: str
    size: str
    peer: str
    rqe_time: float
    peer_time: float | None
    repeat: int
    rqe_accuracy: float | None = None
    peer_accuracy: float | None = None
    accuracy_metric: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Peer time / rqe time: above 1 means rqe is faster."""
        if self.peer_time is None or self.rqe_time <= 0:
            return None
        return self.peer_time / self.rqe_time


def machine() -> dict[str, Any]:
    """A short description of the machine the benchmark ran on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
    }


def write_case(case: str, rows: list[Row]) -> Path:
    """Write ``results/<case>.json`` with the rows, their ratios and the machine."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{case}.json"
    payload = {
        "case": case,
        "machine": machine(),
        "rows": [{**asdict(r), "ratio": r.ratio} for r in rows],
    }
    path.write_text(json.dumps(payload, indent=2))
    return path


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def markdown_table(rows: list[Row]) -> str:
    """A markdown table: case, size, peer, times, ratio (peer/rqe), repetitions, accuracy of both, notes."""
    lines = [
        "| case | size | peer | rqe time (s) | peer time (s) | ratio peer/rqe | reps | metric | rqe acc. | peer acc. | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.case} | {r.size} | {r.peer} | {r.rqe_time:.3g} | {_fmt(r.peer_time, '.3g')} | "
            f"{_fmt(r.ratio, '.3g')} | {r.repeat} | {r.accuracy_metric} | {_fmt(r.rqe_accuracy, '.1e')} | "
            f"{_fmt(r.peer_accuracy, '.1e')} | {r.note} |"
        )
    return "\n".join(lines)
