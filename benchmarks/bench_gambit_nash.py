"""Two-player Nash solvers against Gambit (pygambit, the ``gambit`` extra).

* Lemke-Howson from label 0 (rqe, Numba) vs ``pygambit.nash.lcp_solve`` (Gambit's C++ LCP, one equilibrium).
* All extreme equilibria: rqe's vertex enumeration vs ``pygambit.nash.enummixed_solve``; the count of
  equilibria found by both is reported beside the times.
* One equilibrium of an N-player game by the global Newton method: rqe's ``global_newton`` (NumPy, not
  jitted) vs ``pygambit.nash.gnm_solve`` (Gambit's C++); the two follow curves from different perturbation
  directions, so they may end at different equilibria (the note says whether they agree).

Same seeded games (uniform payoffs on [0, 1)) in the same run, timed in alternation (``benchmarks._paired``);
accuracy is the worst relative Nash gap (computed by rqe on the normalised game) of the equilibria each side
returned. Works with pygambit 16 (``Game.from_arrays``) and 17 (``StrategicGame.from_arrays``).
"""

from __future__ import annotations

import numpy as np

from benchmarks._paired import paired
from benchmarks._gambit import gambit_profiles, strategic_game
from benchmarks.harness import Row, time_call
from rqe import Game, solve_nash
from rqe.solvers._scale import normalise


def run(quick: bool) -> list[Row]:
    try:
        import pygambit as gbt
    except ImportError:
        gbt = None
    rows = []
    lcp_sizes = [5, 10, 20] if quick else [5, 10, 20, 50, 100]
    enum_sizes = [4, 6, 8] if quick else [4, 6, 8, 10, 12]
    repeat = 15 if quick else 25
    for kind, sizes in (("lemke_howson", lcp_sizes), ("vertex_enumeration", enum_sizes)):
        for n in sizes:
            rng = np.random.default_rng(1000 + n)
            A, B = rng.random((n, n)), rng.random((n, n))
            game = Game.from_bimatrix(A, B)
            options = {"init_label": 0} if kind == "lemke_howson" else {}
            solve_ours = lambda: solve_nash(game, method=kind, **options)  # noqa: E731
            peer_name = "pygambit lcp_solve" if kind == "lemke_howson" else "pygambit enummixed_solve"
            if gbt is None:
                timing, ours = time_call(solve_ours, repeat=repeat)
                rows.append(Row(f"gambit_{kind}", f"{n}x{n}", peer_name, timing.median, None, repeat,
                                ours.residual, None, "worst relative Nash gap",
                                "pygambit not installed (pip install 'rqe[gambit]')"))
                continue
            gambit_game = strategic_game(gbt, A, B)
            solve = (lambda: gbt.nash.lcp_solve(gambit_game, rational=False, stop_after=1)) if kind == "lemke_howson" \
                else (lambda: gbt.nash.enummixed_solve(gambit_game, rational=False))
            wall, wall_peer, cpu, cpu_peer, ours, peer = paired(solve_ours, solve, repeat)
            peer_profiles = gambit_profiles(peer, gambit_game)
            normalised = normalise(game).normalised_game
            peer_gap = max(normalised.nash_gap(p) for p in peer_profiles)
            rows.append(Row(f"gambit_{kind}", f"{n}x{n}", peer_name, wall, wall_peer, repeat, ours.residual,
                            peer_gap, "worst relative Nash gap",
                            note=f"equilibria: rqe {len(ours.equilibria)}, gambit {len(peer_profiles)}; "
                                 f"CPU ratio {cpu_peer / max(cpu, 1e-12):.3g}",
                            extra={"rqe_cpu": cpu, "peer_cpu": cpu_peer}))
    rows.extend(_global_newton_rows(gbt, [(2, 2, 2), (3, 3, 3)] if quick else [(2, 2, 2), (3, 3, 3), (4, 4, 4)],
                                    5 if quick else 9))
    return rows


def _global_newton_rows(gbt, shapes, repeat) -> list[Row]:
    rows = []
    for shape in shapes:
        rng = np.random.default_rng(3000 + sum(shape))
        payoffs = rng.random((len(shape), *shape))
        game = Game(payoffs)
        size = "x".join(map(str, shape))
        solve_ours = lambda: solve_nash(game, method="global_newton")  # noqa: E731
        if gbt is None:
            timing, ours = time_call(solve_ours, repeat=repeat)
            rows.append(Row("gambit_global_newton", size, "pygambit gnm_solve", timing.median, None, repeat,
                            ours.residual, None, "relative Nash gap",
                            "pygambit not installed (pip install 'rqe[gambit]')"))
            continue
        gambit_game = strategic_game(gbt, *list(payoffs))
        wall, wall_peer, cpu, cpu_peer, ours, peer = paired(solve_ours, lambda: gbt.nash.gnm_solve(gambit_game),
                                                            repeat)
        peer_profiles = gambit_profiles(peer, gambit_game)
        normalised = normalise(game).normalised_game
        peer_gap = max((normalised.nash_gap(p) for p in peer_profiles), default=float("nan"))
        same = bool(ours.equilibria) and any(
            all(np.allclose(x, y, atol=1e-6) for x, y in zip(ours.equilibria[0].strategies, p)) for p in peer_profiles)
        rows.append(Row("gambit_global_newton", size, "pygambit gnm_solve", wall, wall_peer, repeat,
                        ours.residual, peer_gap, "relative Nash gap",
                        note=f"{'same' if same else 'different'} equilibrium; rqe converged {ours.converged}; "
                             f"CPU ratio {cpu_peer / max(cpu, 1e-12):.3g}",
                        extra={"rqe_cpu": cpu, "peer_cpu": cpu_peer, "rqe_steps": ours.iterations}))
    return rows
