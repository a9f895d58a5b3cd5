"""The before/after table of the RQE engine, read from the committed result files only:
``results/rqe.json`` (default call, batch), ``results/rqe_batch_vs_baseline.json``,
``results/rqe_verify.json`` and ``results/rqe_cold_start.json``. ``python -m benchmarks.rqe_summary``
prints it as markdown and writes ``results/rqe_summary.md`` (through :mod:`rqe._files`)."""

from __future__ import annotations

import json
import statistics

from benchmarks.harness import RESULTS


def _load(name: str) -> list[dict]:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text())["rows"] if path.exists() else []


def _t(seconds: float) -> str:
    """A duration in the unit that reads best (us, ms or s)."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1.0 else f"{seconds:.1f} s"


def _which(row: dict) -> str:
    """The baseline a row names in its peer, e.g. ``" (baseline: main at eddfe41)"``; empty when it names none."""
    peer = row.get("peer", "")
    return f" (baseline: {peer.split('(', 1)[1].split(')', 1)[0]})" if "checkout (" in peer else ""


def table() -> str:
    lines = ["| measure | baseline checkout | this checkout | ratio |", "|---|---|---|---|"]
    default = [r for r in _load("rqe") if r["case"] == "rqe_default_call"]
    summary = next((r for r in default if r["size"].startswith("summary")), None)
    if summary:
        lines.append(f"| default `solve_rqe` median over {summary['repeat']} games{_which(summary)} | "
                     f"{_t(summary['peer_time'])} | {_t(summary['rqe_time'])} | "
                     f"{summary['peer_time'] / summary['rqe_time']:.1f}x |")
        lines.append(f"| default `solve_rqe` slowest game | {_t(summary['extra']['baseline_max_s'])} | "
                     f"{_t(summary['extra']['rqe_max_s'])} | "
                     f"{summary['extra']['baseline_max_s'] / summary['extra']['rqe_max_s']:.1f}x |")
    # the acceptance measure: the median over the 2x2 and 3x3 games, and over each size, from the per-game rows
    for label, prefixes in (("2x2 and 3x3", ("2x2", "3x3")), ("2x2", ("2x2",)), ("3x3", ("3x3",))):
        small = [r for r in default if r["size"].startswith(prefixes)]
        if small and all(r["peer_time"] for r in small):
            ours = statistics.median(r["rqe_time"] for r in small)
            base = statistics.median(r["peer_time"] for r in small)
            lines.append(f"| default `solve_rqe` median over the {len(small)} {label} games | {_t(base)} | "
                         f"{_t(ours)} | {base / ours:.1f}x |")
    for r in _load("rqe_batch_vs_baseline"):
        if r["peer_time"]:
            lines.append(f"| `solve_rqe_batch` {r['size']}, CPU per game (2 idle cores){_which(r)} | "
                         f"{r['peer_time'] * 1e6:.2f} us "
                         f"({2 / r['peer_time']:.3g}/s) | {r['rqe_time'] * 1e6:.2f} us ({2 / r['rqe_time']:.3g}/s) | "
                         f"{r['peer_time'] / r['rqe_time']:.2f}x |")
    for r in _load("rqe_verify"):
        if r["peer_time"]:
            lines.append(f"| `rqe verify` {r['size']} | {r['peer_time']:.0f} s | {r['rqe_time']:.0f} s | "
                         f"{r['peer_time'] / r['rqe_time']:.1f}x |")
        else:
            lines.append(f"| `rqe verify` {r['size']} | — | {r['rqe_time']:.0f} s | — |")
    cold = {r["size"]: r["extra"] for r in _load("rqe_cold_start")}
    if cold:
        b, o = cold.get("baseline checkout", {}), cold.get("this checkout", {})
        # the cold-start file names its own checkouts (its baseline may differ from the other rows')
        which = f" (commit {b['commit']} vs {o['commit']})" if "commit" in b and "commit" in o else ""
        for key, label in (("first_solve_s", "first `solve_rqe`"), ("first_batch_s", "first `solve_rqe` + batch")):
            lines.append(f"| {label}, empty Numba cache{which} | {b.get('cold', {}).get(key, float('nan')):.1f} s | "
                         f"{o.get('cold', {}).get(key, float('nan')):.1f} s | — |")
            lines.append(f"| {label}, cache filled{which} | {b.get('cached', {}).get(key, float('nan')):.2f} s | "
                         f"{o.get('cached', {}).get(key, float('nan')):.2f} s | — |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    from rqe._files import write_text

    text = table()
    write_text(RESULTS / "rqe_summary.md", "# RQE engine: before / after\n\n" + text + "\n")
    print(text)
