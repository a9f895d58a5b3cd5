"""Verify the SRPO theorems at scale: seeded ensembles, a results table, counterexamples written to files.

A *claim class* draws a random case (a game and parameters) from a generator and checks a claim on it with
the functions of :mod:`rqe.analysis.theorems`. Case ``k`` of class ``c`` with seed ``s`` is drawn from
``numpy.random.default_rng([s, crc32(c), k])``, so the table is the same on every backend and for any number
of workers. A case that violates a theorem is a *counterexample*: it is written to
``<out>/counterexample-<class>-<k>.json`` with the game and parameters, and :func:`replay` (or
``rqe verify --replay FILE``) re-checks it.

Classes (``kind="theorem"`` ones fail the run on a counterexample; ``kind="report"`` ones only tabulate):

=========================  ========  ===========================================================
``thm4.1-quadratic``       theorem   J(tau) strictly increasing (random quadratic games, N = 2-3, n = 1-2)
``thm4.2-collab-2x2``      theorem   no RQE free-rides above delta beyond the bound (symmetric 2x2)
``thm4.2-collab-3x3``      theorem   the same on symmetric 3x3 collaborative games
``welfare-collab-2x2``     report    RQE welfare vs the worst / best Nash (passed: RQE >= worst Nash)
``welfare-collab-3x3``     report    the same on 3x3
``tractable-2x2``          theorem   tractable (tau, eps) stays tractable when tau or eps grows
``tractable-3x3``          theorem   the same on 3x3 random games
``false-j-decreasing``     false     deliberately false "J decreases": the run must fail (harness test)
=========================  ========  ===========================================================

Examples
--------
>>> report = run_verification(["thm4.1-quadratic"], n=3, seed=0, backend="serial", progress=False)
>>> report.rows[0]["games"], report.rows[0]["counterexamples"]
(3, 0)
"""

from __future__ import annotations

import fnmatch
import json
import time
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rqe._files import jsonable, make_folder, write_text
from rqe.errors import ParameterError
from rqe.game import Game
from rqe.analysis.quadratic import QuadraticGame
from rqe.analysis.sweeps import parallel_map
from rqe.analysis.theorems import (
    CheckResult,
    check_theorem_4_1,
    check_theorem_4_2,
    check_tractable_monotone,
    compare_rqe_nash_welfare,
    random_symmetric_collaborative,
    theorem_4_2_bound,
)

__all__ = ["Claim", "CLAIMS", "DEFAULT_CLAIMS", "VerificationReport", "run_verification", "select_claims",
           "check_case", "replay", "format_table"]


# ---------------------------------------------------------------------- case (de)serialisation
def game_to_dict(game: Any) -> dict[str, Any]:
    """JSON description of a :class:`~rqe.Game` or :class:`QuadraticGame` (read back by :func:`game_from_dict`)."""
    if isinstance(game, QuadraticGame):
        return game.to_dict()
    return {"kind": "normal_form", "payoffs": game.payoffs.tolist(), "title": game.title,
            "costs": None if game.costs is None else [c.tolist() for c in game.costs]}


def game_from_dict(data: dict[str, Any]) -> Any:
    """Inverse of :func:`game_to_dict`."""
    if data["kind"] == "quadratic":
        return QuadraticGame.from_dict(data)
    return Game(data["payoffs"], title=data.get("title", ""), costs=data.get("costs"))


@dataclass(frozen=True)
class Claim:
    """A family of random cases and the check applied to each.

    ``make(rng) -> (game, params)``; ``check(game, params, rng) -> CheckResult``.
    """

    name: str
    kind: str                      # "theorem", "report" or "false"
    description: str
    make: Callable[[np.random.Generator], tuple[Any, dict[str, Any]]]
    check: Callable[[Any, dict[str, Any], np.random.Generator], CheckResult]


# ---------------------------------------------------------------------- the claims
def _make_quadratic(rng: np.random.Generator) -> tuple[QuadraticGame, dict[str, Any]]:
    game = QuadraticGame.random(rng, n_players=int(rng.integers(2, 4)), dim=int(rng.integers(1, 3)))
    return game, {"epsilon": float(rng.uniform(0.05, 2.0))}


def _check_thm41(game: QuadraticGame, params: dict[str, Any], rng: np.random.Generator) -> CheckResult:
    return check_theorem_4_1(game, params["epsilon"], n_taus=12)


def _check_false_decreasing(game: QuadraticGame, params: dict[str, Any], rng: np.random.Generator) -> CheckResult:
    return check_theorem_4_1(game, params["epsilon"], n_taus=4, decreasing=True)


def _make_collab(n_actions: int) -> Callable[[np.random.Generator], tuple[Game, dict[str, Any]]]:
    def make(rng: np.random.Generator) -> tuple[Game, dict[str, Any]]:
        game = random_symmetric_collaborative(rng, n_actions)
        epsilon = float(rng.uniform(0.1, 1.0))
        c = game.costs[0]
        delta = float(rng.uniform(0.2, 0.8) * (c.max() - c.min()))
        tau = 1.01 * theorem_4_2_bound(game, epsilon, delta)
        return game, {"tau": tau, "epsilon": epsilon, "delta": delta}

    make.__name__ = f"make_collab_{n_actions}"
    return make


def _check_thm42(game: Game, params: dict[str, Any], rng: np.random.Generator) -> CheckResult:
    return check_theorem_4_2(game, params["tau"], params["epsilon"], params["delta"], n_starts=6, rng=rng)


def _make_welfare(n_actions: int) -> Callable[[np.random.Generator], tuple[Game, dict[str, Any]]]:
    def make(rng: np.random.Generator) -> tuple[Game, dict[str, Any]]:
        game = random_symmetric_collaborative(rng, n_actions)
        return game, {"tau": float(rng.choice([0.5, 1.0, 2.0, 5.0])), "epsilon": float(rng.choice([0.05, 0.1, 0.2]))}

    return make


def _check_welfare(game: Game, params: dict[str, Any], rng: np.random.Generator) -> CheckResult:
    data = compare_rqe_nash_welfare(game, params["tau"], params["epsilon"], n_starts=4, rng=rng)
    if not data["converged"]:
        return CheckResult(checks=1, passed=0, inconclusive=1, margin=float("nan"), details=data)
    margin = data["rqe_worst"] - data["nash_worst"]
    return CheckResult(checks=1, passed=int(margin >= -1e-9), margin=margin, details=data)


def _make_tractable(n_actions: int) -> Callable[[np.random.Generator], tuple[Game, dict[str, Any]]]:
    def make(rng: np.random.Generator) -> tuple[Game, dict[str, Any]]:
        payoffs = rng.uniform(-1.0, 1.0, size=(2, n_actions, n_actions))
        return Game(payoffs), {"tau": float(np.exp(rng.uniform(np.log(0.1), np.log(100.0)))),
                               "epsilon": float(np.exp(rng.uniform(np.log(0.1), np.log(50.0))))}

    return make


def _check_tractable(game: Game, params: dict[str, Any], rng: np.random.Generator) -> CheckResult:
    """Both criteria of :func:`rqe.is_tractable`: the closed form for (KL, log-barrier) and the sampled
    monotonicity of the auxiliary game for (KL, entropy), on fixed sample points."""
    closed = check_tractable_monotone(game, params["tau"], params["epsilon"], penalty="kl",
                                      regularizer="log_barrier")
    sampled = check_tractable_monotone(game, params["tau"], params["epsilon"], penalty="kl",
                                       regularizer="entropy", samples=32, rng=0)
    margins = [r.margin for r in (closed, sampled) if r.checks and np.isfinite(r.margin)]
    return CheckResult(checks=closed.checks + sampled.checks, passed=closed.passed + sampled.passed,
                       margin=float(min(margins)) if margins else float("nan"),
                       details={"closed_form": closed.details, "sampled": sampled.details})


CLAIMS: dict[str, Claim] = {
    claim.name: claim
    for claim in [
        Claim("thm4.1-quadratic", "theorem", "J(tau) strictly increasing at the Gaussian RQE [QZLM Thm 4.1]",
              _make_quadratic, _check_thm41),
        Claim("thm4.2-collab-2x2", "theorem", "no RQE free-rides above delta beyond the bound [QZLM Thm 4.2]",
              _make_collab(2), _check_thm42),
        Claim("thm4.2-collab-3x3", "theorem", "no RQE free-rides above delta beyond the bound [QZLM Thm 4.2]",
              _make_collab(3), _check_thm42),
        Claim("welfare-collab-2x2", "report", "RQE welfare >= worst Nash welfare (comparison)",
              _make_welfare(2), _check_welfare),
        Claim("welfare-collab-3x3", "report", "RQE welfare >= worst Nash welfare (comparison)",
              _make_welfare(3), _check_welfare),
        Claim("tractable-2x2", "theorem", "tractable region monotone in tau and eps", _make_tractable(2),
              _check_tractable),
        Claim("tractable-3x3", "theorem", "tractable region monotone in tau and eps", _make_tractable(3),
              _check_tractable),
        Claim("false-j-decreasing", "false", "deliberately false: J(tau) decreasing (must be refuted)",
              _make_quadratic, _check_false_decreasing),
    ]
}

#: Classes run by ``rqe verify`` without ``--class`` (the false claim is only run on request).
DEFAULT_CLAIMS = tuple(name for name, claim in CLAIMS.items() if claim.kind != "false")


def select_claims(patterns: Sequence[str] | None) -> list[str]:
    """Claim names matching any of ``patterns`` (exact names, shell globs or substrings, e.g. ``collab-2x2``)."""
    if not patterns:
        return list(DEFAULT_CLAIMS)
    chosen: list[str] = []
    for pattern in patterns:
        matches = [name for name in CLAIMS if name == pattern or fnmatch.fnmatch(name, pattern)
                   or (pattern in name and CLAIMS[name].kind != "false")]
        if not matches:
            raise ParameterError(f"no claim class matches {pattern!r}; known classes: {', '.join(CLAIMS)}")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def _case_rng(name: str, seed: int, index: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(name.encode()), int(index), stream])


def check_case(task: tuple[str, int, int]) -> dict[str, Any]:
    """Draw case ``index`` of claim ``name`` with ``seed`` and check it (the unit of parallel work)."""
    name, seed, index = task
    claim = CLAIMS[name]
    game, params = claim.make(_case_rng(name, seed, index, 0))
    outcome: dict[str, Any] = {"index": index}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # overflow warnings of solver iterates are part of normal operation; the certificate decides
            warnings.simplefilter("ignore", RuntimeWarning)
            result = claim.check(game, params, _case_rng(name, seed, index, 1))
    except Exception as exc:  # a crash is reported with its case, never silently dropped
        outcome.update(checks=1, passed=0, inconclusive=1, margin=float("nan"),
                       error=f"{type(exc).__name__}: {exc}", case=_case_dict(name, seed, index, game, params))
        return outcome
    outcome.update(checks=result.checks, passed=result.passed, inconclusive=result.inconclusive,
                   margin=result.margin)
    if claim.kind == "report":
        outcome["details"] = jsonable(result.details)
    if not result.holds:
        outcome["case"] = _case_dict(name, seed, index, game, params)
        outcome["case"]["result"] = {"checks": result.checks, "passed": result.passed, "margin": result.margin,
                                     "details": jsonable(result.details)}
    return outcome


def _case_dict(name: str, seed: int, index: int, game: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {"claim": name, "seed": seed, "index": index, "game": game_to_dict(game), "params": params}


def replay(path: str | Path) -> CheckResult:
    """Re-check the case stored in a counterexample file (same game, parameters and solver seed)."""
    data = json.loads(Path(path).read_text())
    claim = CLAIMS[data["claim"]]
    game = game_from_dict(data["game"])
    return claim.check(game, data["params"], _case_rng(data["claim"], data["seed"], data["index"], 1))


@dataclass(frozen=True)
class VerificationReport:
    """Rows ``{class, kind, games, checks, passed, inconclusive, counterexamples, errors, worst_margin, seconds,
    verdict}``, the files written (counterexamples, and cases whose check raised) and the total time."""

    rows: list[dict[str, Any]]
    counterexample_files: list[str]
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when a checked claim (a theorem, or the deliberately false claim) has a counterexample."""
        return any(row["verdict"] == "FAIL" for row in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "counterexample_files": self.counterexample_files, "seconds": self.seconds,
                "parameters": self.parameters, "failed": self.failed}


def run_verification(claims: Sequence[str] | None = None, n: int = 100, seed: int = 0, *, backend: str = "local",
                     workers: int | None = None, progress: bool = True, out: str | Path | None = None,
                     max_files: int = 20) -> VerificationReport:
    """Check ``n`` seeded cases of each claim class in parallel and tabulate the outcome.

    Counterexamples (at most ``max_files`` per class) are written to ``out`` (default: the current directory).
    """
    names = select_claims(claims)
    if n < 1:
        raise ParameterError(f"n must be >= 1, got {n}")
    out_dir = Path(out) if out is not None else Path.cwd()
    rows, files = [], []
    start_all = time.perf_counter()
    for name in names:
        claim = CLAIMS[name]
        start = time.perf_counter()
        outcomes = parallel_map(check_case, [(name, int(seed), k) for k in range(n)], backend=backend,
                                workers=workers, progress=progress, desc=name)
        seconds = time.perf_counter() - start
        failing = [o for o in outcomes if "case" in o and o["passed"] + o["inconclusive"] < o["checks"]]
        margins = [o["margin"] for o in outcomes if np.isfinite(o["margin"])]
        row = {
            "class": name, "kind": claim.kind, "games": len(outcomes),
            "checks": int(sum(o["checks"] for o in outcomes)), "passed": int(sum(o["passed"] for o in outcomes)),
            "inconclusive": int(sum(o["inconclusive"] for o in outcomes)),
            "counterexamples": len(failing), "errors": sum("error" in o for o in outcomes),
            "worst_margin": float(min(margins)) if margins else float("nan"), "seconds": round(seconds, 3),
        }
        if claim.kind == "report":
            row["summary"] = _summarise([o["details"] for o in outcomes if "details" in o])
        if claim.kind == "theorem":
            row["verdict"] = "FAIL" if failing else "ok"
        elif claim.kind == "false":
            # a false claim is checked like a theorem: the harness must find its counterexamples and fail
            row["verdict"] = "FAIL" if failing else "not refuted"
        else:
            row["verdict"] = "report"
        rows.append(row)
        crashed = [o for o in outcomes if "error" in o]
        if crashed or (failing and claim.kind != "report"):
            make_folder(out_dir)
        if claim.kind != "report":
            for o in failing[:max_files]:
                path = out_dir / f"counterexample-{name}-{o['index']}.json"
                write_text(path, json.dumps(jsonable(o["case"]), indent=1))
                files.append(str(path))
        for o in crashed[:max_files]:          # a check that raised: kept with its case, never a pass
            path = out_dir / f"error-{name}-{o['index']}.json"
            write_text(path, json.dumps(jsonable({**o["case"], "error": o["error"]}), indent=1))
            files.append(str(path))
    return VerificationReport(rows, files, time.perf_counter() - start_all,
                              {"n": n, "seed": seed, "backend": backend, "workers": workers, "claims": names})


def _summarise(details: list[dict[str, Any]]) -> dict[str, Any]:
    """Welfare comparison summary: how often and by how much RQE welfare beats the worst / best Nash."""
    rows = [d for d in details if d.get("converged") and "rqe_worst" in d]
    if not rows:
        return {}
    rqe_w = np.array([d["rqe_worst"] for d in rows])
    worst = np.array([d["nash_worst"] for d in rows])
    best = np.array([d["nash_best"] for d in rows])
    return {
        "games": len(rows),
        "rqe_at_least_worst_nash": float(np.mean(rqe_w >= worst - 1e-9)),
        "rqe_at_least_best_nash": float(np.mean(rqe_w >= best - 1e-9)),
        "mean_rqe_minus_worst_nash": float(np.mean(rqe_w - worst)),
        "mean_rqe_minus_best_nash": float(np.mean(rqe_w - best)),
        "games_with_several_nash": float(np.mean([d["nash_count"] > 1 for d in rows])),
    }


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """Plain-text table: class, games, checks, passed, inconclusive, counterexamples, worst margin, verdict."""
    header = ["class", "kind", "games", "checks", "passed", "inconcl.", "counterex.", "worst margin", "verdict"]
    lines = [[r["class"], r["kind"], str(r["games"]), str(r["checks"]), str(r["passed"]), str(r["inconclusive"]),
              str(r["counterexamples"]), f"{r['worst_margin']:.3e}", r["verdict"]] for r in rows]
    widths = [max(len(h), *(len(line[k]) for line in lines)) for k, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*header), fmt.format(*("-" * w for w in widths)), *(fmt.format(*l) for l in lines)])
