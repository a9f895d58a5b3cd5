"""Logit QRE: the principal branch to a Nash equilibrium, and batched QRE throughput.

* ``path``: ``rqe.qre_path(game)`` (whole branch from lam = 0, polished Nash end point) against
  ``pygambit.nash.logit_solve(game)`` (the same branch, stopped at regret <= 1e-8 x payoff range) on the same
  seeded games with payoffs uniform on [0, 1]: 2 players with n = 5, 10, 20, 50 actions each and 3 players
  with 4x4x4 and 5x5x5. Time per game; accuracy = the largest Nash gap (``rqe.Game.nash_gap``, the same
  function for both answers) over the games; ``extra`` has the largest distance between the two end points.
* ``batch``: ``rqe.solve_qre_batch`` on many 3x3 and 2x2x2 games at lam = 2 against a loop of
  ``pygambit.qre.logit_solve_lambda`` over the same games (a subset when quick); time per game and games/s;
  accuracy = the largest QRE residual ``max |x - softmax(lam v(x))|``.
"""

from __future__ import annotations

import importlib.util

import numpy as np

import rqe
from benchmarks.harness import Row, time_call
from rqe.solvers.qre import qre_residual

PATH_SHAPES = [(5, 5), (10, 10), (20, 20), (50, 50), (4, 4, 4), (5, 5, 5)]
SEED = 20261124


def _have_gambit() -> bool:
    return importlib.util.find_spec("pygambit") is not None


def _gambit_profile(gbt_game, profile, shape):
    players = list(gbt_game.players)
    return [np.array([float(profile[s]) for s in players[i].strategies]) for i in range(len(shape))]


def _path_rows(quick: bool) -> list[Row]:
    rows = []
    games_per_size = 2 if quick else 5
    repeat = 3 if quick else 5
    gbt = None
    if _have_gambit():
        import pygambit as gbt
    for shape in PATH_SHAPES:
        rng = np.random.default_rng([SEED, *shape])
        payoffs = [rng.uniform(0.0, 1.0, size=(len(shape), *shape)) for _ in range(games_per_size)]
        games = [rqe.Game(p) for p in payoffs]
        timing, paths = time_call(lambda: [rqe.qre_path(g) for g in games], repeat=repeat, warmup=1)
        rqe_gap = max(g.nash_gap(p.nash) for g, p in zip(games, paths))
        steps = int(np.mean([p.steps for p in paths]))
        size = "x".join(map(str, shape))
        if gbt is None:
            rows.append(Row("qre_path_to_nash", size, "pygambit logit_solve", timing.median / games_per_size, None,
                            repeat, rqe_gap, None, "Nash gap", "pygambit not installed",
                            {"games": games_per_size, "rqe_steps": steps}))
            continue
        gbt_games = [gbt.Game.from_arrays(*[p[i] for i in range(len(shape))]) for p in payoffs]
        peer_timing, results = time_call(lambda: [gbt.nash.logit_solve(g) for g in gbt_games], repeat=repeat,
                                         warmup=1)
        peer_profiles = [_gambit_profile(gg, r.equilibria[0], shape) for gg, r in zip(gbt_games, results)]
        peer_gap = max(g.nash_gap(rqe.Profile(x)) for g, x in zip(games, peer_profiles))
        distance = max(max(np.abs(a - b).max() for a, b in zip(p.nash, x)) for p, x in zip(paths, peer_profiles))
        rows.append(Row("qre_path_to_nash", size, "pygambit logit_solve", timing.median / games_per_size,
                        peer_timing.median / games_per_size, repeat, rqe_gap, peer_gap, "Nash gap",
                        f"{games_per_size} games; rqe polishes the end point",
                        {"games": games_per_size, "rqe_steps": steps, "max_end_point_distance": distance}))
    return rows


def _batch_rows(quick: bool) -> list[Row]:
    rows = []
    lam = 2.0
    for shape in [(3, 3), (2, 2, 2)]:
        batch = 2_000 if quick else 20_000
        rng = np.random.default_rng([SEED, 99, *shape])
        stack = rng.uniform(0.0, 1.0, size=(batch, len(shape), *shape))
        timing, out = time_call(lambda: rqe.solve_qre_batch(stack, lam), repeat=3, warmup=1)
        per_game = timing.median / batch
        rqe_res = float(out.residual.max())
        size = "x".join(map(str, shape)) + f", B={batch}"
        note = f"rqe {1 / per_game:,.0f} games/s"
        if not _have_gambit():
            rows.append(Row("qre_batch", size, "pygambit logit_solve_lambda loop", per_game, None, 3, rqe_res,
                            None, "QRE residual", note + "; pygambit not installed", {"games_per_s": 1 / per_game}))
            continue
        import pygambit as gbt

        subset = 200 if quick else 1_000
        gbt_games = [gbt.Game.from_arrays(*[stack[b, i] for i in range(len(shape))]) for b in range(subset)]
        peer_timing, results = time_call(lambda: [gbt.qre.logit_solve_lambda(g, [lam])[0] for g in gbt_games],
                                         repeat=3, warmup=1)
        peer_per_game = peer_timing.median / subset
        peer_res = 0.0
        agree = 0.0
        for b, r in enumerate(results):
            x = rqe.Profile(_gambit_profile(gbt_games[b], r.profile, shape))
            game = rqe.Game(stack[b])
            peer_res = max(peer_res, qre_residual(game, x, lam))
            agree = max(agree, max(np.abs(a - c).max() for a, c in zip(x, out.profile(b))))
        rows.append(Row("qre_batch", size, "pygambit logit_solve_lambda loop", per_game, peer_per_game, 3, rqe_res,
                        peer_res, "QRE residual",
                        note + f"; pygambit {1 / peer_per_game:,.0f} games/s (on {subset} of the games)",
                        {"games_per_s": 1 / per_game, "peer_games_per_s": 1 / peer_per_game,
                         "max_profile_difference": agree}))
    return rows


def run(quick: bool) -> list[Row]:
    """Rows for the path-to-Nash comparison and the batched throughput."""
    return _path_rows(quick) + _batch_rows(quick)
