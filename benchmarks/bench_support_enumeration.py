"""Support enumeration: rqe (jitted, with degeneracy detection) vs nashpy's ``support_enumeration``.

Same seeded uniform random n x n games (nondegenerate with probability one) for both, n = 3..12. Accuracy:
the largest Nash gap over the equilibria found; the note says whether both found the same set. nashpy is
pure Python and its time grows with the ``C(2n, n) - 1`` support pairs, so it is timed only up to a size
(quick: 9, full: 10); above that the row has no peer time.
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks.harness import Row, time_call
from rqe import Game
from rqe.solvers._common import bimatrix_gap, n_equal_support_pairs
from rqe.solvers.support_enumeration import support_enumeration


def _key(profiles) -> set:
    return {tuple(np.round(np.concatenate([np.asarray(x, float) for x in p]), 6) + 0.0) for p in profiles}


def run(quick: bool) -> list[Row]:
    try:
        import nashpy
    except ImportError:  # pragma: no cover
        nashpy = None
    sizes = list(range(3, 13))
    peer_max = 9 if quick else 10
    rows = []
    for n in sizes:
        rng = np.random.default_rng(2000 + n)
        A, B = rng.random((2, n, n))
        game = Game(np.stack([A, B]))
        repeat = 5 if n <= 9 else (3 if n <= 11 else 1)
        t_rqe, r = time_call(lambda: support_enumeration(game), repeat=repeat)
        ours_gap = max(e.residual for e in r.equilibria)
        note = f"{len(r.equilibria)} equilibria, {n_equal_support_pairs(n, n)} support pairs"
        if nashpy is None or n > peer_max:
            rows.append(Row("support_enumeration", f"{n}x{n}", "nashpy", t_rqe.median, None, repeat, ours_gap, None,
                            "max Nash gap", note + ("; nashpy not installed" if nashpy is None else
                                                    f"; nashpy not timed above {peer_max}x{peer_max}")))
            continue
        peer_repeat = 3 if n <= 6 else 1

        def peer():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return list(nashpy.Game(A, B).support_enumeration())

        t_peer, eqs = time_call(peer, repeat=peer_repeat, warmup=0)
        same = _key(e.strategies for e in r.equilibria) == _key(eqs)
        rows.append(Row("support_enumeration", f"{n}x{n}", "nashpy", t_rqe.median, t_peer.median, peer_repeat,
                        ours_gap, max(bimatrix_gap(A, B, x, y)[0] for x, y in eqs), "max Nash gap",
                        note + ("; same set" if same else "; DIFFERENT sets"), {"rqe_repeat": repeat}))
    return rows
