"""Lemke-Howson: rqe (jitted, certified result objects) vs QuantEcon's ``lemke_howson``.

Same seeded uniform random n x n games for both, timed in alternation (``benchmarks._paired``). Two cases
per size: one path (initial label 0), and all ``2n`` initial labels (rqe: one call of
:func:`rqe.solvers.lemke_howson.lemke_howson_all`; QuantEcon: one call per label). Accuracy: the largest Nash
relative gap (Nash gap over each player's payoff range) over the end points, computed the same way for both
sides. Times are wall-clock medians; ``extra`` also
has the CPU-time medians and their ratio.
"""

from __future__ import annotations

import numpy as np

from benchmarks._paired import paired
from benchmarks.harness import Row, time_call
from rqe import Game
from rqe.solvers._common import bimatrix_gap
from rqe.solvers._scale import normalise
from rqe.solvers.lemke_howson import lemke_howson, lemke_howson_all


def _games(n: int):
    rng = np.random.default_rng(1000 + n)
    A, B = rng.random((2, n, n))
    return A, B, Game(np.stack([A, B]))


def _relative_gap(game: Game, x, y) -> float:
    normalised = normalise(game).payoffs
    return bimatrix_gap(normalised[0], normalised[1], x, y)[0]


def _extra(cpu_ours: float, cpu_peer: float, **more) -> dict:
    return {"rqe_cpu": cpu_ours, "peer_cpu": cpu_peer,
            "cpu_ratio": cpu_peer / cpu_ours if cpu_ours > 0 else None, **more}


def run(quick: bool) -> list[Row]:
    try:
        from quantecon.game_theory import NormalFormGame, Player
        from quantecon.game_theory import lemke_howson as qe_lemke_howson
    except ImportError:  # pragma: no cover
        qe_lemke_howson = None
    single_sizes = [10, 30, 60, 100] if quick else [10, 30, 60, 100, 150, 200]
    all_sizes = [10, 30, 60] if quick else [10, 30, 60, 100]
    rows = []
    for n in single_sizes:
        A, B, game = _games(n)
        repeat = 15 if n <= 60 else 5
        if qe_lemke_howson is None:
            t_rqe, r = time_call(lambda: lemke_howson(game, 0), repeat=repeat)
            rows.append(Row("lemke_howson", f"{n}x{n}, label 0", "quantecon", t_rqe.median, None, repeat,
                            max(r.gaps), None, "relative Nash gap", "quantecon not installed"))
            continue
        qe_game = NormalFormGame((Player(A), Player(B.T)))
        wall, wall_peer, cpu, cpu_peer, r, (qx, qy) = paired(
            lambda: lemke_howson(game, 0), lambda: qe_lemke_howson(qe_game, init_pivot=0), repeat)
        same = np.allclose(np.concatenate(r.profiles[0]), np.concatenate([qx, qy]), atol=1e-12)
        rows.append(Row("lemke_howson", f"{n}x{n}, label 0", "quantecon", wall, wall_peer, repeat,
                        max(r.gaps), _relative_gap(game, qx, qy), "relative Nash gap",
                        ("same end point" if same else "DIFFERENT end point")
                        + f"; CPU ratio {cpu_peer / max(cpu, 1e-12):.3g}",
                        _extra(cpu, cpu_peer, pivots=r.iterations[0])))
    for n in all_sizes:
        if qe_lemke_howson is None:
            break
        A, B, game = _games(n)
        repeat = 7 if n <= 30 else 3
        qe_game = NormalFormGame((Player(A), Player(B.T)))
        wall, wall_peer, cpu, cpu_peer, r, ends = paired(
            lambda: lemke_howson_all(game), lambda: [qe_lemke_howson(qe_game, init_pivot=k) for k in range(2 * n)],
            repeat)
        same = all(np.allclose(np.concatenate(p), np.concatenate(q), atol=1e-12) for p, q in zip(r.profiles, ends))
        rows.append(Row("lemke_howson", f"{n}x{n}, all {2 * n} labels", "quantecon", wall, wall_peer, repeat,
                        max(r.gaps), max(_relative_gap(game, *q) for q in ends), "max relative Nash gap",
                        ("same end points" if same else "DIFFERENT end points")
                        + f"; {len(r.equilibria)} distinct equilibria; CPU ratio {cpu_peer / max(cpu, 1e-12):.3g}",
                        _extra(cpu, cpu_peer, pivots=sum(r.iterations))))
    return rows
