"""Zero-sum matrix games by linear programming: rqe (SciPy HiGHS) vs OpenSpiel's ``lp_solver`` (cvxpy/ECOS).

Same seeded games (uniform payoffs on [0, 1)), both answers certified by the Nash gap computed by rqe.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Row, time_call
from rqe import Game, solve_nash

CASE = "zero_sum_lp"


def run(quick: bool) -> list[Row]:
    sizes = [5, 20, 50] if quick else [5, 10, 20, 50, 100, 200]
    repeat = 3 if quick else 7
    try:
        import pyspiel
        from open_spiel.python.algorithms import lp_solver
    except ImportError:
        pyspiel = None
    rows = []
    for n in sizes:
        A = np.random.default_rng(n).random((n, n))
        game = Game.zero_sum(A)
        timing, result = time_call(lambda: solve_nash(game, method="lp"), repeat=repeat)
        ours = result.equilibria[0]
        if pyspiel is None:
            rows.append(Row(CASE, f"{n}x{n}", "OpenSpiel lp_solver", timing.median, None, repeat, ours.residual,
                            None, "Nash gap", "open_spiel not installed"))
            continue
        matrix_game = pyspiel.create_matrix_game(A.tolist(), (-A).tolist())
        peer_timing, peer = time_call(lambda: lp_solver.solve_zero_sum_matrix_game(matrix_game), repeat=repeat)
        x = np.clip(np.asarray(peer[0], dtype=float), 0, None)
        y = np.clip(np.asarray(peer[1], dtype=float), 0, None)
        peer_gap = game.nash_gap((x / x.sum(), y / y.sum()))
        rows.append(Row(CASE, f"{n}x{n}", "OpenSpiel lp_solver (cvxpy/ECOS)", timing.median, peer_timing.median, repeat,
                        ours.residual, peer_gap, "Nash gap",
                        extra={"value_rqe": float(ours.payoffs[0]), "value_peer": float(peer[2])}))
    return rows
