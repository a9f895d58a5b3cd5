"""Two-player Nash solvers against Gambit (pygambit, the ``gambit`` extra).

* Lemke-Howson from label 0 (rqe, Numba) vs ``pygambit.nash.lcp_solve`` (Gambit's C++ LCP, one equilibrium).
* All extreme equilibria: rqe's vertex enumeration vs ``pygambit.nash.enummixed_solve``; the count of
  equilibria found by both is reported beside the times.

Same seeded games (uniform payoffs on [0, 1)) in the same run; accuracy is the worst Nash gap (computed by rqe)
of the equilibria each side returned.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Row, time_call
from rqe import Game, solve_nash


def _gambit_profiles(result, game) -> list[tuple[np.ndarray, np.ndarray]]:
    profiles = []
    for eq in result.equilibria:
        profiles.append(tuple(np.array([float(eq[p][s]) for s in p.strategies]) for p in game.players))
    return profiles


def run(quick: bool) -> list[Row]:
    try:
        import pygambit as gbt
    except ImportError:
        gbt = None
    rows = []
    lcp_sizes = [5, 10, 20] if quick else [5, 10, 20, 50, 100]
    enum_sizes = [4, 6, 8] if quick else [4, 6, 8, 10, 12]
    repeat = 3 if quick else 5
    for kind, sizes in (("lemke_howson", lcp_sizes), ("vertex_enumeration", enum_sizes)):
        for n in sizes:
            rng = np.random.default_rng(1000 + n)
            A, B = rng.random((n, n)), rng.random((n, n))
            game = Game.from_bimatrix(A, B)
            options = {"init_label": 0} if kind == "lemke_howson" else {}
            timing, ours = time_call(lambda: solve_nash(game, method=kind, **options), repeat=repeat)
            our_gap = max(e.residual for e in ours.equilibria)
            peer_name = "pygambit lcp_solve" if kind == "lemke_howson" else "pygambit enummixed_solve"
            if gbt is None:
                rows.append(Row(f"gambit_{kind}", f"{n}x{n}", peer_name, timing.median, None, repeat, our_gap, None,
                                "worst Nash gap", "pygambit not installed (pip install 'rqe[gambit]')"))
                continue
            gambit_game = gbt.Game.from_arrays(A, B)
            solve = (lambda: gbt.nash.lcp_solve(gambit_game, rational=False, stop_after=1)) if kind == "lemke_howson" \
                else (lambda: gbt.nash.enummixed_solve(gambit_game, rational=False))
            peer_timing, peer = time_call(solve, repeat=repeat)
            peer_profiles = _gambit_profiles(peer, gambit_game)
            peer_gap = max(game.nash_gap(p) for p in peer_profiles)
            rows.append(Row(f"gambit_{kind}", f"{n}x{n}", peer_name, timing.median, peer_timing.median, repeat, our_gap,
                            peer_gap, "worst Nash gap",
                            note=f"equilibria: rqe {len(ours.equilibria)}, gambit {len(peer_profiles)}"))
    return rows
