"""Lemke-Howson: rqe (jitted, certified result objects) vs QuantEcon's ``lemke_howson``.

Same seeded uniform random n x n games for both. Two cases per size: one path (initial label 0), and all
``2n`` initial labels (rqe: one call of :func:`rqe.solvers.lemke_howson.lemke_howson_all`; QuantEcon: one
call per label). Accuracy: the largest Nash gap over the end points, each side's computed the same way.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Row, time_call
from rqe import Game
from rqe.solvers._common import bimatrix_gap
from rqe.solvers.lemke_howson import lemke_howson, lemke_howson_all


def _games(n: int):
    rng = np.random.default_rng(1000 + n)
    A, B = rng.random((2, n, n))
    return A, B, Game(np.stack([A, B]))


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
        repeat = 7 if n <= 60 else 3
        t_rqe, r = time_call(lambda: lemke_howson(game, 0), repeat=repeat)
        ours_gap = max(r.gaps)
        if qe_lemke_howson is None:
            rows.append(Row("lemke_howson", f"{n}x{n}, label 0", "quantecon", t_rqe.median, None, repeat,
                            ours_gap, None, "Nash gap", "quantecon not installed"))
            continue
        qe_game = NormalFormGame((Player(A), Player(B.T)))
        t_qe, (qx, qy) = time_call(lambda: qe_lemke_howson(qe_game, init_pivot=0), repeat=repeat)
        same = np.allclose(np.concatenate(r.profiles[0]), np.concatenate([qx, qy]), atol=1e-12)
        rows.append(Row("lemke_howson", f"{n}x{n}, label 0", "quantecon", t_rqe.median, t_qe.median, repeat,
                        ours_gap, bimatrix_gap(A, B, qx, qy)[0], "Nash gap",
                        "same end point" if same else "DIFFERENT end point",
                        {"pivots": r.iterations[0]}))
    for n in all_sizes:
        A, B, game = _games(n)
        repeat = 5 if n <= 30 else 3
        t_rqe, r = time_call(lambda: lemke_howson_all(game), repeat=repeat)
        if qe_lemke_howson is None:
            continue
        qe_game = NormalFormGame((Player(A), Player(B.T)))
        t_qe, ends = time_call(lambda: [qe_lemke_howson(qe_game, init_pivot=k) for k in range(2 * n)],
                               repeat=repeat)
        same = all(np.allclose(np.concatenate(p), np.concatenate(q), atol=1e-12) for p, q in zip(r.profiles, ends))
        rows.append(Row("lemke_howson", f"{n}x{n}, all {2 * n} labels", "quantecon", t_rqe.median, t_qe.median,
                        repeat, max(r.gaps), max(bimatrix_gap(A, B, *q)[0] for q in ends), "max Nash gap",
                        ("same end points" if same else "DIFFERENT end points")
                        + f"; {len(r.equilibria)} distinct equilibria", {"pivots": sum(r.iterations)}))
    return rows
