"""Run the benchmark cases: ``python -m benchmarks [--quick] [--only CASE ...]``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
from pathlib import Path

from benchmarks.harness import RESULTS, machine, markdown_table, write_case


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def _actions(size: str) -> int | None:
    """Actions per player from a size label such as ``"20x20"`` or ``"4x4x4"`` (None when there is none)."""
    match = re.match(r"^(\d+)(x\d+)+", size)
    return int(match.group(1)) if match else None


def scaling_plot(rows: list, path: Path) -> Path | None:
    """Log-log time against actions per player, one panel per case with at least three sizes (rqe and peer)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:
        return None
    groups: dict[str, list] = {}
    for r in rows:
        n = _actions(r.size)
        if n is not None:
            players = r.size.split(",")[0].split()[0].count("x") + 1
            detail = f", {r.size.split(',')[1].strip()}" if "," in r.size else ""
            groups.setdefault(f"{r.case} ({players} players{detail})", []).append((n, r))
    groups = {k: v for k, v in groups.items() if len({n for n, _ in v}) >= 3}
    if not groups:
        return None
    fig = Figure(figsize=(4.2 * min(len(groups), 3), 3.4 * -(-len(groups) // 3)), layout="constrained")
    axes = fig.subplots(-(-len(groups) // 3), min(len(groups), 3), squeeze=False).ravel()
    for ax, (name, points) in zip(axes, sorted(groups.items())):
        points.sort(key=lambda item: item[0])
        ns = [n for n, _ in points]
        ax.loglog(ns, [r.rqe_time for _, r in points], "o-", label="rqe")
        peer = [(n, r.peer_time) for n, r in points if r.peer_time is not None]
        if peer:
            ax.loglog(*zip(*peer), "s--", label=points[0][1].peer)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("actions per player")
        ax.set_ylabel("median time (s)")
        ax.legend(fontsize=7)
    for ax in axes[len(groups):]:
        ax.set_axis_off()
    fig.savefig(path, dpi=110)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repetitions (a few minutes)")
    parser.add_argument("--only", nargs="+", metavar="CASE", help=f"cases to run, from: {', '.join(discover())}")
    parser.add_argument("--table", action="store_true",
                        help="run nothing: rebuild results/README.md from the committed results/*.json")
    args = parser.parse_args(argv)
    if args.table:
        return write_table()
    cases = args.only or discover()
    unknown = set(cases) - set(discover())
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}; known: {discover()}")
    all_rows = []
    for case in cases:
        module = importlib.import_module(f"benchmarks.bench_{case}")
        print(f"== {case}", flush=True)
        rows = module.run(quick=args.quick)
        write_case(case, rows)
        print(markdown_table(rows), flush=True)
        all_rows.extend(rows)
    info = machine()
    header = (f"Machine: {info['processor']}, {info['cpus']} CPUs, Python {info['python']}, {info['platform']}."
              f" Mode: {'quick' if args.quick else 'full'}.\n\n")
    if not args.only:
        picture = scaling_plot(all_rows, RESULTS / "scaling.png")
        figure = "\n![Scaling, log-log](scaling.png)\n" if picture else ""
        (RESULTS / "README.md").write_text("# Benchmark results\n\n" + header + markdown_table(all_rows) + "\n" + figure)
    return 0


def write_table() -> int:
    """``results/README.md`` from the result files as they are (each keeps the machine it was measured on)."""
    import json
    from dataclasses import fields

    from benchmarks.harness import Row

    names = {f.name for f in fields(Row)}
    rows, machines = [], []
    for path in sorted(RESULTS.glob("*.json")):
        payload = json.loads(path.read_text())
        for row in payload.get("rows", []):
            if isinstance(row, dict) and {"case", "size", "peer", "rqe_time", "peer_time", "repeat"} <= set(row):
                rows.append(Row(**{k: v for k, v in row.items() if k in names}))
        info = payload.get("machine", {})
        machines.append(f"- `{path.name}`: {info.get('processor', '?')}, {info.get('cpus', '?')} CPUs, "
                        f"Python {info.get('python', '?')}")
    header = ("Rebuilt from the committed result files (`python -m benchmarks --table`); each case was measured "
              "in its own run:\n\n" + "\n".join(machines) + "\n\n")
    picture = scaling_plot(rows, RESULTS / "scaling.png")
    figure = "\n![Scaling, log-log](scaling.png)\n" if picture else ""
    (RESULTS / "README.md").write_text("# Benchmark results\n\n" + header + markdown_table(rows) + "\n" + figure)
    print(f"wrote {RESULTS / 'README.md'} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
