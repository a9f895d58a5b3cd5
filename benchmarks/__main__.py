"""Run the benchmark cases: ``python -m benchmarks [--quick] [--only CASE ...]``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks.harness import RESULTS, machine, markdown_table, write_case


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repetitions (a few minutes)")
    parser.add_argument("--only", nargs="+", metavar="CASE", help=f"cases to run, from: {', '.join(discover())}")
    args = parser.parse_args(argv)
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
        (RESULTS / "README.md").write_text("# Benchmark results\n\n" + header + markdown_table(all_rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
