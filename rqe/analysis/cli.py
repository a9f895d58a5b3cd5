"""Command-line commands of the analysis layer: ``rqe verify`` and ``rqe figure``.

``register(subparsers)`` adds them to the ``rqe`` command (rqe.cli); :func:`main` runs them alone.

* ``rqe verify GAME [--epsilon E] [--delta D] [--tau T] [--n-starts K] [--seed S] [--json]``: [QZLM] Theorem 4.2
  on your own game (a library name or a game file): the risk aversion ``tau`` above which no RQE free-rides by
  more than ``delta``, every RQE found at ``tau`` (default: just above the bound) with its free-riding degree,
  and the welfare of those RQE beside the Nash equilibria's. Exit status 1 when an RQE at ``tau`` above the
  bound free-rides by more than ``delta`` (a counterexample). Games whose players' costs differ are refused:
  the theorem is stated for one shared cost function.
* ``rqe verify [--class C ...] [--n N] [--seed S] [--backend local|ray|serial] [--workers W] [--out DIR]
  [--json]``: check the SRPO theorems on seeded random ensembles (rqe.analysis.verify) and print the table.
  Files are written only with ``--out DIR``: ``DIR/verify.json`` and each counterexample as
  ``DIR/counterexample-<class>-<k>.json``. Exit status 1 when a theorem has a counterexample or a deliberately
  false claim is not refuted.
* ``rqe verify --replay FILE``: re-check a counterexample file (exit 1 if it still fails).
* ``rqe figure srpo-fig1 --out DIR``: the SRPO paper's Figure 1 as PNG plus its curve data as JSON.

``--json`` prints one document of the format of rqe.cli_json on stdout.

Examples
--------
>>> main(["verify", "--class", "thm4.1-quadratic", "--n", "2", "--backend", "serial", "--no-progress"])
...                                                                                # doctest: +ELLIPSIS
class ...
0
>>> main(["verify", "collaborate_defect", "--epsilon", "0.2", "--delta", "0.1"])  # doctest: +ELLIPSIS
Theorem 4.2 on Collaborate/defect (cost 0.4), epsilon = 0.2, delta = 0.1: ...
0
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["register", "main"]

FIGURES = ("srpo-fig1",)


def register(subparsers: Any) -> None:
    """Add the ``verify`` and ``figure`` sub-commands to an argparse ``subparsers`` object."""
    from rqe.analysis.sweeps import BACKENDS

    verify = subparsers.add_parser(
        "verify", help="check Theorem 4.2 on your game, or the SRPO theorems on random games (exit 1 on a "
                       "counterexample)",
        description="With GAME: [QZLM] Theorem 4.2's free-riding bound and a welfare comparison on that game. "
                    "Without: check [QZLM] Theorems 4.1 and 4.2, the tractable region's monotonicity, and compare "
                    "RQE with Nash welfare on seeded random ensembles.")
    verify.add_argument("game", nargs="?", help="a library game or a .nfg/.json file with private costs "
                                                "(Game.from_shared_reward); omit it for the random ensembles")
    mine = verify.add_argument_group("your game (with GAME)")
    mine.add_argument("--epsilon", type=float, default=None, help="bounded rationality epsilon (default 0.2)")
    mine.add_argument("--delta", type=float, default=None,
                      help="free-riding degree to rule out (default: a quarter of the cost range)")
    mine.add_argument("--tau", type=float, default=None,
                      help="risk aversion at which to solve (default: 1.01 x the theorem's bound)")
    mine.add_argument("--n-starts", dest="n_starts", type=int, default=None,
                      help="RQE starting points (default 16)")
    ensembles = verify.add_argument_group("random ensembles (without GAME)")
    ensembles.add_argument("--class", dest="classes", action="append", metavar="CLASS",
                           help="claim class (name, glob or substring; repeatable). Default: all theorem and "
                                "report classes. Known: " + ", ".join(_claim_names()))
    ensembles.add_argument("--n", type=int, default=100, help="games per class (default 100)")
    ensembles.add_argument("--backend", choices=BACKENDS, default="local",
                           help="local process pool (default), ray (local Ray instance), or serial")
    ensembles.add_argument("--workers", type=int, default=None, help="parallel workers (default: available CPUs)")
    ensembles.add_argument("--out", default=None,
                           help="write verify.json and counterexample files to this directory (default: none)")
    ensembles.add_argument("--no-progress", action="store_true", help="no progress bar")
    ensembles.add_argument("--replay", metavar="FILE", help="re-check the case stored in a counterexample file")
    verify.add_argument("--seed", type=int, default=0, help="seed of the ensembles or of the RQE starts (default 0)")
    verify.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    verify.set_defaults(func=_verify)

    figure = subparsers.add_parser("figure", help="regenerate a paper figure as PNG (+ its data as JSON)")
    figure.add_argument("name", choices=FIGURES, help="srpo-fig1: [QZLM] Figure 1 (Example 4.1 and the pitchfork)")
    figure.add_argument("--out", required=True, help="output directory")
    figure.add_argument("--points", type=int, default=200, help="points of the utility curve (default 200)")
    figure.add_argument("--branch-points", type=int, default=60, help="tau values of the pitchfork (default 60)")
    figure.add_argument("--json", action="store_true", help="print one JSON document listing the files written")
    figure.set_defaults(func=_figure)


def _claim_names() -> list[str]:
    from rqe.analysis.verify import CLAIMS

    return list(CLAIMS)


def _notice(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_GAME_OPTIONS = {"epsilon": "--epsilon", "delta": "--delta", "tau": "--tau", "n_starts": "--n-starts"}
_ENSEMBLE_OPTIONS = {"classes": "--class", "n": "--n", "backend": "--backend", "workers": "--workers",
                     "out": "--out", "replay": "--replay", "no_progress": "--no-progress"}


def _misplaced(args: argparse.Namespace, options: dict[str, str], defaults: dict[str, Any]) -> list[str]:
    return [flag for dest, flag in options.items() if getattr(args, dest) != defaults.get(dest)]


def _verify(args: argparse.Namespace) -> int:
    from rqe.errors import ParameterError

    if args.game is not None:
        misplaced = _misplaced(args, _ENSEMBLE_OPTIONS, {"n": 100, "backend": "local", "no_progress": False})
        if misplaced:
            raise ParameterError(f"{', '.join(misplaced)} apply to the random ensembles, not to a GAME")
        args.epsilon = 0.2 if args.epsilon is None else args.epsilon
        args.n_starts = 16 if args.n_starts is None else args.n_starts
        return _verify_game(args)
    misplaced = _misplaced(args, _GAME_OPTIONS, {})
    if misplaced:
        raise ParameterError(f"{', '.join(misplaced)} need a GAME (rqe verify GAME ...)")
    from rqe.analysis.verify import check_case, format_table, replay, run_verification, select_claims

    if args.replay:
        result = replay(args.replay)
        if args.json:
            from rqe.cli_json import dumps, envelope

            print(dumps(envelope("verify", data={"replay": args.replay, "checks": result.checks,
                                                 "passed": result.passed, "inconclusive": result.inconclusive,
                                                 "margin": result.margin, "holds": bool(result.holds)})))
        else:
            print(f"checks {result.checks}, passed {result.passed}, inconclusive {result.inconclusive}, "
                  f"worst margin {result.margin:.6g}: {'holds' if result.holds else 'COUNTEREXAMPLE reproduced'}")
        return 0 if result.holds else 1
    names = select_claims(args.classes)
    if args.n < 1:
        raise ParameterError(f"--n must be >= 1, got {args.n}")
    if not args.no_progress:
        # Each class's first case compiles its solvers (first use only, then cached on disk); done here, in one
        # process, the parallel workers start from the cache and the progress bar moves from the start.
        _notice("preparing the solvers (compiled on first use, cached afterwards) ...")
        start = time.perf_counter()
        for name in names:
            check_case((name, int(args.seed), 0))
        _notice(f"ready in {time.perf_counter() - start:.1f} s")
    report = run_verification(names, n=args.n, seed=args.seed, backend=args.backend, workers=args.workers,
                              progress=not args.no_progress, out=args.out,
                              max_files=20 if args.out is not None else 0)
    failing = sum(row["counterexamples"] + row["errors"] for row in report.rows)
    notes = []
    if failing and args.out is None:
        notes.append(f"{failing} counterexample or error case(s) not saved: rerun with --out DIR to write them "
                     "for --replay")
    if args.out is not None:
        from rqe._files import jsonable, make_folder, write_text

        path = make_folder(args.out) / "verify.json"
        write_text(path, json.dumps(jsonable(report.to_dict()), indent=1, allow_nan=False))
        notes.append(f"report written: {path}")
    if args.json:
        from rqe.cli_json import dumps, envelope

        print(dumps(envelope("verify", notes=notes + [f"counterexample written: {p}"
                                                      for p in report.counterexample_files],
                             data=report.to_dict())))
        return 1 if report.failed else 0
    print(format_table(report.rows))
    print(f"total {report.seconds:.1f} s, backend {args.backend}")
    for path in report.counterexample_files:
        print(f"counterexample written: {path}  (rqe verify --replay {path})")
    for note in notes:
        print(note)
    return 1 if report.failed else 0


def _verify_game(args: argparse.Namespace) -> int:
    """Theorem 4.2 and the welfare comparison on one game (see the module docstring)."""
    import numpy as np

    from rqe.analysis.free_riding import free_riding_bound, free_riding_degree
    from rqe.analysis.theorems import solve_rqe_multistart
    from rqe.cli import load_game
    from rqe.cli_json import envelope, equilibrium_entry, game_info
    from rqe.errors import ParameterError
    from rqe.solvers.nash import solve_nash

    game = load_game(args.game)
    if game.costs is None:
        from rqe.errors import GameError

        raise GameError(f"{args.game!r} has no private costs: Theorem 4.2 is about collaborative games "
                        "u_i = R - c_i (build one with rqe.Game.from_shared_reward(R, costs))")
    costs = np.asarray(game.costs[0], dtype=float)
    delta = args.delta if args.delta is not None else 0.25 * float(costs.max() - costs.min())
    if not delta > 0:
        raise ParameterError(f"--delta must be > 0 (the costs of {args.game!r} may all be equal), got {delta}")
    bound = free_riding_bound(game, args.epsilon, delta)
    tau = args.tau if args.tau is not None else 1.01 * bound
    if not (np.isfinite(tau) and tau > 0):
        raise ParameterError(f"--tau must be finite and > 0, got {tau}")
    if args.n_starts < 1:
        raise ParameterError(f"--n-starts must be >= 1, got {args.n_starts}")
    _notice(f"solving at tau = {tau:.6g} from {args.n_starts} starts (solvers compile on first use) ...")
    rqe_result = solve_rqe_multistart(game, tau, args.epsilon, n_starts=args.n_starts,
                                      rng=np.random.default_rng(args.seed))
    nash = solve_nash(game)
    rqe_entries = [equilibrium_entry(game, eq.strategies, eq.payoffs, eq.residual,
                                     free_riding_degree(game, eq.strategies)) for eq in rqe_result.equilibria]
    nash_entries = [equilibrium_entry(game, eq.strategies, eq.payoffs, eq.residual,
                                      free_riding_degree(game, eq.strategies)) for eq in nash.equilibria]
    degrees = [e["free_riding"] for e in rqe_entries]
    above = tau > bound
    converged = bool(rqe_result.converged) and bool(rqe_entries)
    counterexample = above and converged and max(degrees) > delta
    holds = None if not (above and converged) else not counterexample
    rqe_welfare = [e["welfare"] for e in rqe_entries]
    nash_welfare = [e["welfare"] for e in nash_entries]
    data = {"theorem": "QZLM Theorem 4.2", "epsilon": args.epsilon, "delta": delta, "tau": tau, "bound": bound,
            "tau_above_bound": above, "max_free_riding": max(degrees) if degrees else None, "holds": holds,
            "welfare": {"rqe": rqe_welfare, "nash_worst": min(nash_welfare) if nash_welfare else None,
                        "nash_best": max(nash_welfare) if nash_welfare else None}}
    if args.json:
        results = [{"concept": "rqe", "method": str(rqe_result.method), "converged": bool(rqe_result.converged),
                    "parameters": {"tau": tau, "epsilon": args.epsilon, "n_starts": args.n_starts, "seed": args.seed},
                    "equilibria": rqe_entries, "complete": None},
                   {"concept": "nash", "method": str(nash.method), "converged": bool(nash.converged),
                    "parameters": {}, "equilibria": nash_entries,
                    "complete": nash.complete if isinstance(getattr(nash, "complete", None), bool) else None}]
        from rqe.cli_json import dumps

        print(dumps(envelope("verify", game_info(game, args.game), results, data=data)))
        return 1 if counterexample else 0
    print(f"Theorem 4.2 on {game.title or args.game}, epsilon = {args.epsilon:g}, delta = {delta:g}: "
          f"no RQE free-rides by more than delta once tau > {bound:.6g}")
    print(f"RQE at tau = {tau:.6g} ({len(rqe_entries)} found from {args.n_starts} starts, "
          f"converged {'yes' if rqe_result.converged else 'NO'}):")
    cost_range = float(np.ptp(np.concatenate(game.costs)))
    for k, e in enumerate(rqe_entries, start=1):
        strategies = " | ".join(" ".join(f"{a}={p:.4f}" for a, p in s.items()) for s in e["strategies"].values())
        print(f"  {k}. {strategies}   free-riding {_degree(e['free_riding'], cost_range):.4g}   welfare {e['welfare']:.6g}")
    if nash_entries:
        largest = max(_degree(e["free_riding"], cost_range) for e in nash_entries)
        print(f"Nash equilibria: {len(nash_entries)}, welfare {min(nash_welfare):.6g} to {max(nash_welfare):.6g}, "
              f"largest free-riding {largest:.4g}")
    if rqe_welfare and nash_welfare:
        print(f"welfare: RQE {min(rqe_welfare):.6g} to {max(rqe_welfare):.6g}; "
              f"Nash worst {min(nash_welfare):.6g}, best {max(nash_welfare):.6g}")
    if holds is None:
        why = "tau is not above the bound" if not above else "the RQE solve did not converge"
        print(f"verdict: not a test of the theorem ({why})")
    else:
        print("verdict: " + ("holds" if holds else f"COUNTEREXAMPLE: an RQE free-rides by {max(degrees):.4g} > "
                                                    f"delta = {delta:g}"))
    return 1 if counterexample else 0


def _degree(value: float, cost_range: float) -> float:
    # differences of expected costs below 1e-12 of the cost range are rounding noise of equal strategies
    return 0.0 if abs(value) < 1e-12 * max(cost_range, np.finfo(float).tiny) else float(value)


def _figure(args: argparse.Namespace) -> int:
    from rqe._optional import require

    require("matplotlib", "plot", "rqe figure")  # before any computing: say at once what is missing
    from rqe.analysis.figures import srpo_fig1

    _notice("computing the figure's data (solvers compile on first use) ...")
    paths = [str(p) for p in srpo_fig1(args.out, points=args.points, branch_points=args.branch_points)]
    if args.json:
        from rqe.cli_json import dumps, envelope

        print(dumps(envelope("figure", data={"name": args.name, "files": paths})))
        return 0
    for path in paths:
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
