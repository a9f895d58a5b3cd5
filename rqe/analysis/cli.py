"""Command-line commands of the analysis layer: ``rqe verify`` and ``rqe figure``.

``register(subparsers)`` adds them to the ``rqe`` command (:mod:`rqe.cli`); :func:`main` runs them alone.

* ``rqe verify [--class C ...] [--n N] [--seed S] [--backend local|ray|serial] [--workers W] [--out DIR]
  [--json FILE]``: check the SRPO theorems on seeded random ensembles (:mod:`rqe.analysis.verify`), print the
  table and write the JSON report. Exit status 1 when a theorem has a counterexample (each written to
  ``DIR/counterexample-<class>-<k>.json``) or a deliberately false claim is not refuted.
* ``rqe verify --replay FILE``: re-check a counterexample file (exit 1 if it still fails).
* ``rqe figure srpo-fig1 --out DIR``: the SRPO paper's Figure 1 as PNG plus its curve data as JSON.

Examples
--------
>>> main(["verify", "--class", "thm4.1-quadratic", "--n", "2", "--backend", "serial", "--no-progress",
...       "--json", "-"])                                                          # doctest: +ELLIPSIS
class ...
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["register", "main"]

FIGURES = ("srpo-fig1",)


def register(subparsers: Any) -> None:
    """Add the ``verify`` and ``figure`` sub-commands to an argparse ``subparsers`` object."""
    from rqe.analysis.sweeps import BACKENDS

    verify = subparsers.add_parser(
        "verify", help="check the SRPO theorems on random games (table + JSON; exit 1 on a counterexample)",
        description="Check [QZLM] Theorems 4.1 and 4.2, the tractable region's monotonicity, and compare RQE "
                    "with Nash welfare on seeded random ensembles.")
    verify.add_argument("--class", dest="classes", action="append", metavar="CLASS",
                        help="claim class (name, glob or substring; repeatable). Default: all theorem and report "
                             "classes. Known: " + ", ".join(_claim_names()))
    verify.add_argument("--n", type=int, default=100, help="games per class (default 100)")
    verify.add_argument("--seed", type=int, default=0, help="seed of the ensembles (default 0)")
    verify.add_argument("--backend", choices=BACKENDS, default="local",
                        help="local process pool (default), ray (local Ray instance), or serial")
    verify.add_argument("--workers", type=int, default=None, help="parallel workers (default: available CPUs)")
    verify.add_argument("--out", default=".", help="directory for counterexample files (default: .)")
    verify.add_argument("--json", default="verify.json", help="JSON report path, '-' for stdout (default verify.json)")
    verify.add_argument("--no-progress", action="store_true", help="no progress bar")
    verify.add_argument("--replay", metavar="FILE", help="re-check the case stored in a counterexample file")
    verify.set_defaults(func=_verify)

    figure = subparsers.add_parser("figure", help="regenerate a paper figure as PNG (+ its data as JSON)")
    figure.add_argument("name", choices=FIGURES, help="srpo-fig1: [QZLM] Figure 1 (Example 4.1 and the pitchfork)")
    figure.add_argument("--out", required=True, help="output directory")
    figure.add_argument("--points", type=int, default=200, help="points of the utility curve (default 200)")
    figure.add_argument("--branch-points", type=int, default=60, help="tau values of the pitchfork (default 60)")
    figure.set_defaults(func=_figure)


def _claim_names() -> list[str]:
    from rqe.analysis.verify import CLAIMS

    return list(CLAIMS)


def _verify(args: argparse.Namespace) -> int:
    from rqe.analysis.verify import format_table, replay, run_verification

    if args.replay:
        result = replay(args.replay)
        print(f"checks {result.checks}, passed {result.passed}, inconclusive {result.inconclusive}, "
              f"worst margin {result.margin:.6g}: {'holds' if result.holds else 'COUNTEREXAMPLE reproduced'}")
        return 0 if result.holds else 1
    report = run_verification(args.classes, n=args.n, seed=args.seed, backend=args.backend, workers=args.workers,
                              progress=not args.no_progress, out=args.out)
    print(format_table(report.rows))
    print(f"total {report.seconds:.1f} s, backend {args.backend}")
    for path in report.counterexample_files:
        print(f"counterexample written: {path}  (rqe verify --replay {path})")
    document = json.dumps(report.to_dict(), indent=1, allow_nan=True)
    if args.json == "-":
        print(document)
    elif args.json:
        with open(args.json, "w") as handle:
            handle.write(document)
    return 1 if report.failed else 0


def _figure(args: argparse.Namespace) -> int:
    from rqe.analysis.figures import srpo_fig1

    for path in srpo_fig1(args.out, points=args.points, branch_points=args.branch_points):
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``verify`` / ``figure`` without the rest of the ``rqe`` command (exit status returned)."""
    from rqe.errors import RQEError

    parser = argparse.ArgumentParser(prog="rqe")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except RQEError as exc:
        print(f"rqe: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
