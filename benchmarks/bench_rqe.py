"""RQE benchmarks: (a) solve_rqe against [MPS]'s projected-gradient method on the 13 laboratory games,
(b) batched throughput of solve_rqe_batch on random 2x2 and 3x3 games.

(a) Both sides solve the same game with the same (tau_i, eps_i) ([MPS]'s fitted values, KL + log-barrier,
``docs/rqe-math.md`` section 9). Accuracy is the same metric for both: the section-4 certificate
(largest best-response gain), computed by :func:`rqe.solvers.rqe.rqe_residual`. The ratio is peer time / rqe time;
rqe's answer must have an equal or better certificate (checked and noted per row).
(b) Throughput in games per second on all cores Numba sees; every game's certificate is computed.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Row, time_call
from benchmarks.mps_peer import solve_game
from rqe import Game
from rqe.solvers.rqe import rqe_residual, solve_rqe, solve_rqe_batch

#: docs/rqe-math.md section 9, with [MPS]'s fitted (epsilon, tau) per player (KL + log-barrier)
LAB = {
    "GHP 4": ([[200, 160], [370, 10]], [[160, 10], [200, 370]], (170, 110), (0.001, 0.06)),
    "SC 1": ([[10, 0], [9, 10]], [[8, 18], [9, 8]], (0.21, 0.555), (0.1, 100)),
    "SC 2": ([[9, 0], [6, 8]], [[4, 13], [7, 5]], (0.68, 10), (0.08, 2)),
    "SC 3": ([[8, 0], [7, 10]], [[6, 14], [7, 4]], (0.216, 0.837), (0.1, 56)),
    "SC 4": ([[7, 0], [5, 9]], [[4, 11], [6, 2]], (0.35, 1.64), (0.1, 30)),
    "SC 5": ([[7, 0], [4, 8]], [[2, 9], [5, 1]], (0.38, 2.7), (0.1, 10)),
    "SC 6": ([[7, 1], [3, 8]], [[1, 7], [5, 0]], (0.92, 3.8), (0.1, 6)),
    "SC 7": ([[10, 4], [9, 14]], [[12, 22], [9, 8]], (0.49, 1.88), (0.1, 11)),
    "SC 8": ([[9, 3], [6, 11]], [[7, 16], [7, 5]], (0.36, 2.8), (0.1, 10)),
    "SC 9": ([[8, 3], [7, 13]], [[9, 17], [7, 4]], (0.179, 0.65), (0.1, 90)),
    "SC 10": ([[7, 2], [5, 11]], [[6, 13], [6, 2]], (0.1, 2.11), (0.3, 20)),
    "SC 11": ([[7, 2], [4, 10]], [[4, 11], [5, 1]], (0.172, 2.97), (0.1, 25)),
    "SC 12": ([[7, 3], [3, 10]], [[3, 9], [5, 0]], (0.23, 5.74), (0.04, 19)),
}


def _peer(M1, M2, tau, eps, gamma):
    """The peer's answer, or ``None`` when its iterates leave the reals (the projection then fails)."""
    with np.errstate(all="ignore"):
        try:
            x, y, its = solve_game(M1, M2, tau[0], eps[0], tau[1], eps[1], gamma=gamma)
        except (IndexError, ValueError, FloatingPointError):
            return None
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return None
    return x, y, its


def _lab_rows(quick: bool) -> list[Row]:
    rows = []
    # gamma = 0.1 is the released solve_game's default step; 2e-4 the step their notebook uses for these games
    for gamma in (0.1, 2e-4):
        for name, (R1, R2, eps, tau) in LAB.items():
            game = Game.from_bimatrix(np.array(R1, float), np.array(R2, float), title=name)
            M1, M2 = game.payoff_matrix(0), game.payoff_matrix(1)
            t_rqe, ours = time_call(lambda: solve_rqe(game, tau, eps, regularizer="log_barrier"),
                                    repeat=5 if quick else 20, warmup=2)
            t_peer, answer = time_call(lambda: _peer(M1, M2, tau, eps, gamma), repeat=1 if quick else 3, warmup=0)
            if answer is None:
                peer_res, note, extra = float("inf"), "peer diverged (non-finite iterate)", {}
            else:
                x, y, its = answer
                x, y = np.maximum(x, 0), np.maximum(y, 0)
                x, y = x / x.sum(), y / y.sum()
                peer_res = rqe_residual(game, (x, y), tau, eps, regularizer="log_barrier") if (
                    np.all(x > 0) and np.all(y > 0)) else float("inf")
                note = f"peer its {its}"
                extra = dict(peer_strategies=[x.tolist(), y.tolist()])
            ok = ours.residual <= peer_res
            note = ("rqe residual <= peer's; " if ok else "rqe residual WORSE than peer's; ") + note
            rows.append(Row(
                case="rqe", size=name, peer=f"MPS projected gradient (step {gamma:g}, <=500x50 its)",
                rqe_time=t_rqe.median, peer_time=t_peer.median, repeat=t_rqe.repeat,
                rqe_accuracy=ours.residual, peer_accuracy=peer_res, accuracy_metric="RQE certificate",
                note=note, extra=dict(rqe_strategies=[s.tolist() for s in ours.strategies], tau=tau, epsilon=eps,
                                      gamma=gamma, **extra),
            ))
    return rows


def _batch_rows(quick: bool) -> list[Row]:
    rows = []
    rng = np.random.default_rng(2026)
    for shape, B in (((2, 2), 20_000 if quick else 200_000), ((3, 3), 5_000 if quick else 50_000)):
        stack = rng.uniform(-1, 1, size=(B, 2, *shape))
        solve_rqe_batch(stack[:16], 0.5, 0.5)  # compile / load the kernels
        timing, out = time_call(lambda: solve_rqe_batch(stack, 0.5, 0.5), repeat=3, warmup=1)
        rows.append(Row(
            case="rqe_batch", size=f"{B} games {shape[0]}x{shape[1]}", peer="(throughput)",
            rqe_time=timing.median, peer_time=None, repeat=timing.repeat,
            rqe_accuracy=float(out.residuals.max()), accuracy_metric="max RQE certificate",
            note=f"{B / timing.median:.3g} games/s; converged {out.converged.mean():.4f}; fallbacks {out.n_fallback}",
            extra=dict(games_per_second=B / timing.median, tau=0.5, epsilon=0.5),
        ))
    return rows


def run(quick: bool) -> list[Row]:
    return _lab_rows(quick) + _batch_rows(quick)


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.harness import markdown_table

    print(markdown_table(run(quick=True)))
