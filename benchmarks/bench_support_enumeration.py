"""Support enumeration: rqe (jitted, with degeneracy detection) vs nashpy's ``support_enumeration``.

Same seeded uniform random n x n games (nondegenerate with probability one) for both, n = 3..12. Accuracy:
the largest relative Nash gap over the equilibria found; the note says whether both found the same set. nashpy is
pure Python and its time grows with the ``C(2n, n) - 1`` support pairs, so it is timed only up to a size
(quick: 9, full: 10); above that the row has no peer time.
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks._paired import paired
from benchmarks.harness import Row, time_call
from rqe import Game
from rqe.solvers._common import bimatrix_gap, n_equal_support_pairs
from rqe.solvers._scale import normalise
from rqe.solvers.support_enumeration import support_enumeration


def _set_difference(ours, theirs, atol: float = 1e-6) -> tuple[int, int]:
    """How many profiles only ``ours`` has, and only ``theirs`` has (matched in max-norm within ``atol``)."""
    a = [np.concatenate([np.asarray(x, float) for x in p]) for p in ours]
    b = [np.concatenate([np.asarray(x, float) for x in p]) for p in theirs]
    only_a = sum(1 for u in a if not any(np.abs(u - v).max() <= atol for v in b))
    only_b = sum(1 for v in b if not any(np.abs(u - v).max() <= atol for u in a))
    return only_a, only_b


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
                            "max relative Nash gap", note + ("; nashpy not installed" if nashpy is None else
                                                    f"; nashpy not timed above {peer_max}x{peer_max}")))
            continue
        peer_repeat = 5 if n <= 6 else (3 if n <= 8 else 1)

        def peer():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return list(nashpy.Game(A, B).support_enumeration())

        # alternate the two sides so that both see the same machine load; CPU times go to ``extra``
        wall, wall_peer, cpu, cpu_peer, r, eqs = paired(lambda: support_enumeration(game), peer, peer_repeat,
                                                        warmup=1, warmup_peer=0)
        normalised = normalise(game).payoffs
        only_ours, only_peer = _set_difference([e.strategies for e in r.equilibria], eqs)
        sets = "same set" if only_ours == only_peer == 0 else \
            f"DIFFERENT sets: {only_ours} only in rqe, {only_peer} only in nashpy (nashpy found {len(eqs)})"
        rows.append(Row("support_enumeration", f"{n}x{n}", "nashpy", wall, wall_peer, peer_repeat,
                        ours_gap, max(bimatrix_gap(*normalised, x, y)[0] for x, y in eqs), "max relative Nash gap",
                        note + "; " + sets
                        + f"; CPU ratio {cpu_peer / max(cpu, 1e-12):.3g}",
                        {"rqe_cpu": cpu, "peer_cpu": cpu_peer, "rqe_median_of_many": t_rqe.median}))
    return rows
