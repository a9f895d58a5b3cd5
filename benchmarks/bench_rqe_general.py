"""The general compiled RQE path (reverse KL, N players) against the NumPy path these problems took before.

(a) ``solve_rqe(game, 0.5, 0.5, penalty, regularizer)`` with every other default, on seeded random games
(payoffs uniform in [-1, 1], seed 2028): the built-in penalty (compiled, :mod:`rqe.solvers.rqe._kernels_nplayer`)
against the same penalty as a user-supplied hook (a subclass of the built-in class, which ``solve_rqe`` keeps on
the NumPy path: the damped fixed point and NumPy Newton from the same starts, the code that served these pairs
before). The two are timed interleaved, game by game (median of the repeats per game, then the median over
games). Accuracy of both: the largest section-4 best-response gap (:func:`rqe_residual`, NumPy) over the games;
the note gives the largest strategy difference between the two answers.
(b) ``solve_rqe_batch`` on stacks of such games (new for these pairs): CPU seconds per game (all threads)
against the CPU seconds of the NumPy-path ``solve_rqe`` per game on the first games of the stack.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from benchmarks.harness import Row
from rqe import Game
from rqe.risk import KL, ReverseKL
from rqe.solvers.rqe import rqe_residual, solve_rqe, solve_rqe_batch


class HookKL(KL):
    """KL as a user-supplied hook: the NumPy path."""


class HookReverseKL(ReverseKL):
    """Reverse KL as a user-supplied hook: the NumPy path."""


HOOK = {"kl": HookKL, "reverse_kl": HookReverseKL}
CASES = [((2, 2), "reverse_kl", "entropy"), ((3, 3), "reverse_kl", "log_barrier"), ((2, 2, 2), "kl", "entropy"),
         ((2, 2, 2), "reverse_kl", "entropy"), ((3, 3, 3), "kl", "entropy"),
         ((3, 3, 3), "reverse_kl", "log_barrier")]
TAU = EPS = 0.5


def _label(shape) -> str:
    return "x".join(map(str, shape))


def _timed(fn, repeat: int, clock=time.perf_counter):
    samples, out = [], None
    for _ in range(repeat):
        t0 = clock()
        out = fn()
        samples.append(clock() - t0)
    return statistics.median(samples), out


def _single_rows(quick: bool, rng: np.random.Generator) -> list[Row]:
    rows = []
    n_games = 4 if quick else 12
    for shape, pen, reg in CASES:
        games = [Game(rng.uniform(-1, 1, size=(len(shape), *shape))) for _ in range(n_games)]
        solve_rqe(games[0], TAU, EPS, pen, reg)  # compile / load outside the timings
        ours, theirs, acc_o, acc_t, diff = [], [], 0.0, 0.0, 0.0
        for g in games:
            to, ro = _timed(lambda: solve_rqe(g, TAU, EPS, pen, reg), 5)
            tt, rt = _timed(lambda: solve_rqe(g, TAU, EPS, HOOK[pen](), reg), 2)
            ours.append(to)
            theirs.append(tt)
            assert ro.converged and rt.converged
            acc_o = max(acc_o, rqe_residual(g, ro.strategies, TAU, EPS, pen, reg))
            acc_t = max(acc_t, rqe_residual(g, rt.strategies, TAU, EPS, pen, reg))
            diff = max(diff, max(float(np.abs(a - b).max()) for a, b in zip(ro.strategies, rt.strategies)))
        rows.append(Row(
            case="rqe_general", size=f"{_label(shape)} {pen} + {reg}, {n_games} games",
            peer="solve_rqe NumPy path (penalty as a hook)", rqe_time=statistics.median(ours),
            peer_time=statistics.median(theirs), repeat=5, rqe_accuracy=acc_o, peer_accuracy=acc_t,
            accuracy_metric="max RQE best-response gap",
            note=f"median per game of the default call; max strategy difference {diff:.1e}",
            extra=dict(ours=ours, numpy_path=theirs)))
    return rows


def _batch_rows(quick: bool, rng: np.random.Generator) -> list[Row]:
    rows = []
    for shape, pen, reg in CASES:
        B = (2_000 if quick else 20_000) // (2 if len(shape) > 2 else 1)
        stack = rng.uniform(-1, 1, size=(B, len(shape), *shape))
        solve_rqe_batch(stack[:8], TAU, EPS, pen, reg)
        cpu = []
        for _ in range(3):
            c0 = time.process_time()
            out = solve_rqe_batch(stack, TAU, EPS, pen, reg)
            cpu.append((time.process_time() - c0) / B)
        k = 3 if quick else 6
        numpy_per_game = statistics.median(
            _timed(lambda: solve_rqe(Game(stack[b]), TAU, EPS, HOOK[pen](), reg), 1, time.process_time)[0]
            for b in range(k))
        rows.append(Row(
            case="rqe_general_batch", size=f"{B} games {_label(shape)} {pen} + {reg}",
            peer="NumPy-path solve_rqe per game", rqe_time=statistics.median(cpu), peer_time=numpy_per_game,
            repeat=3, rqe_accuracy=float(out.residuals.max()), accuracy_metric="max RQE certificate",
            note=(f"CPU s per game (median of 3); converged {float(np.mean(out.converged)):.4f}, "
                  f"fallbacks {out.n_fallback}; peer: CPU s per game, median over the first {k} games"),
            extra=dict(converged=float(np.mean(out.converged)), n_fallback=out.n_fallback)))
    return rows


def run(quick: bool) -> list[Row]:
    rng = np.random.default_rng(2028)
    rows = _single_rows(quick, rng) + _batch_rows(quick, rng)
    load = os.getloadavg()[0]
    return [Row(**{**r.__dict__, "note": f"{r.note}; load average {load:.2f}"}) for r in rows]


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.harness import markdown_table

    print(markdown_table(run(quick=True)))
