"""RQE benchmarks: (a) solve_rqe against [MPS]'s projected-gradient method on the 13 laboratory games,
(b) batched throughput of solve_rqe_batch on random 2x2 and 3x3 games, (c) the default call
``solve_rqe(game, tau, epsilon)`` (KL + entropy, every default) on 78 small games against the baseline
checkout's ``solve_rqe`` (``benchmarks._baseline``, timed in a subprocess, one game at a time interleaved with
this checkout's), both answers certified by this checkout's :func:`rqe_residual`.

(a) Both sides solve the same game with the same (tau_i, eps_i) ([MPS]'s fitted values, KL + log-barrier,
``docs/rqe-math.md`` section 9). Accuracy is the same metric for both: the section-4 certificate
(largest best-response gain), computed by :func:`rqe.solvers.rqe.rqe_residual`. The ratio is peer time / rqe time;
rqe's answer must have an equal or better certificate (checked and noted per row).
(b) Throughput in games per second on all cores Numba sees; every game's certificate is computed.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks._baseline import BaselineSolver
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
        # CPU seconds per game (all threads): on a shared machine the wall-clock rate depends on other load,
        # the CPU cost per game does not; 2 / cpu_per_game is the rate 2 idle cores would give
        cpu0 = time.process_time()
        solve_rqe_batch(stack, 0.5, 0.5)
        cpu_per_game = (time.process_time() - cpu0) / B
        rows.append(Row(
            case="rqe_batch", size=f"{B} games {shape[0]}x{shape[1]}", peer="(throughput)",
            rqe_time=timing.median, peer_time=None, repeat=timing.repeat,
            rqe_accuracy=float(out.residuals.max()), accuracy_metric="max RQE certificate",
            note=(f"{B / timing.median:.3g} games/s wall; {cpu_per_game * 1e6:.2f} CPU-us/game "
                  f"(= {2 / cpu_per_game:.3g} games/s on 2 idle cores); converged {out.converged.mean():.4f}; "
                  f"fallbacks {out.n_fallback}"),
            extra=dict(games_per_second=B / timing.median, cpu_seconds_per_game=cpu_per_game,
                       games_per_second_two_idle_cores=2 / cpu_per_game, tau=0.5, epsilon=0.5),
        ))
    return rows


#: the 5x2 game of the default-call case that once took minutes (tau 1, eps 0.3)
HARD_5X2 = ([[-2, -3], [-9, -7], [0, -6], [-1, 8], [-7, 5]], [[-3, -8], [7, -3], [6, -7], [-5, -4], [5, -1]])


def default_call_games(seed: int = 2027) -> list[tuple[str, np.ndarray, tuple, tuple]]:
    """The default-call set: the 13 laboratory games at [MPS]'s (tau, eps), 32 random 2x2 and 32 random 3x3
    games (payoffs uniform in [-1, 1], tau and eps log-uniform in [0.05, 5]), and :data:`HARD_5X2`."""
    games = []
    for name, (R1, R2, eps, tau) in LAB.items():
        games.append((name, Game.from_bimatrix(np.array(R1, float), np.array(R2, float)).payoffs, tau, eps))
    rng = np.random.default_rng(seed)
    for shape in ((2, 2), (3, 3)):
        for k in range(32):
            payoffs = rng.uniform(-1, 1, size=(2, *shape))
            tau = tuple(np.exp(rng.uniform(np.log(0.05), np.log(5), size=2)))
            eps = tuple(np.exp(rng.uniform(np.log(0.05), np.log(5), size=2)))
            games.append((f"random {shape[0]}x{shape[1]} #{k}", payoffs, tau, eps))
    hard = Game.from_bimatrix(np.array(HARD_5X2[0], float), np.array(HARD_5X2[1], float))
    games.append(("5x2 (tau 1, eps 0.3)", hard.payoffs, (1.0, 1.0), (0.3, 0.3)))
    return games


def _default_rows(quick: bool) -> list[Row]:
    baseline = BaselineSolver()
    rows = []
    ours_times, base_times = [], []
    try:
        for name, payoffs, tau, eps in default_call_games():
            game = Game(payoffs)
            t_ours, ours = time_call(lambda: solve_rqe(game, tau, eps), repeat=5 if quick else 20, warmup=2)
            base = baseline.solve(payoffs, tau, eps, repeat=1 if quick else 3)
            ours_res = rqe_residual(game, ours.strategies, tau, eps)
            base_res = rqe_residual(game, base["strategies"], tau, eps) if base else None
            ours_times.append(t_ours.median)
            if base:
                base_times.append(base["median"])
            rows.append(Row(
                case="rqe_default_call", size=f"{game.shape[0]}x{game.shape[1]} {name}",
                peer="baseline checkout solve_rqe (defaults)", rqe_time=t_ours.median,
                peer_time=base["median"] if base else None, repeat=t_ours.repeat, rqe_accuracy=ours_res,
                peer_accuracy=base_res, accuracy_metric="RQE certificate (rqe_residual)",
                note=(f"rqe converged {ours.converged}, {len(ours.equilibria)} RQE listed; baseline converged "
                      f"{base['converged'] if base else '—'}, {base['n_equilibria'] if base else '—'} listed"),
                extra=dict(tau=list(tau), epsilon=list(eps), n_equilibria=len(ours.equilibria),
                           converged=bool(ours.converged), baseline_first_call=base["first"] if base else None),
            ))
    finally:
        baseline.close()
    small = [r.rqe_time for r in rows if r.size.startswith(("2x2", "3x3"))]
    rows.append(Row(
        case="rqe_default_call", size=f"summary of {len(rows)} games", peer="baseline checkout solve_rqe",
        rqe_time=float(np.median(ours_times)), peer_time=float(np.median(base_times)) if base_times else None,
        repeat=len(rows), rqe_accuracy=max(r.rqe_accuracy for r in rows),
        peer_accuracy=max((r.peer_accuracy for r in rows if r.peer_accuracy is not None), default=None),
        accuracy_metric="max RQE certificate",
        note=(f"medians; rqe median over 2x2/3x3 {np.median(small) * 1e6:.0f} us, rqe max "
              f"{max(ours_times) * 1e3:.2f} ms, baseline max {max(base_times, default=float('nan')):.3g} s; "
              f"all rqe converged: {all(r.extra['converged'] for r in rows)}"),
        extra=dict(rqe_median_small_us=float(np.median(small) * 1e6), rqe_max_s=max(ours_times),
                   baseline_max_s=max(base_times, default=None)),
    ))
    return rows


def _lab_default_rows(quick: bool) -> list[Row]:
    """The default call with [MPS]'s pair (KL + log-barrier) against the peer at its released step."""
    rows = []
    for name, (R1, R2, eps, tau) in LAB.items():
        game = Game.from_bimatrix(np.array(R1, float), np.array(R2, float), title=name)
        M1, M2 = game.payoff_matrix(0), game.payoff_matrix(1)
        t_rqe, ours = time_call(lambda: solve_rqe(game, tau, eps, regularizer="log_barrier"),
                                repeat=5 if quick else 20, warmup=2)
        t_peer, answer = time_call(lambda: _peer(M1, M2, tau, eps, 0.1), repeat=1, warmup=0)
        peer_res = float("inf")
        if answer is not None:
            x, y = (np.maximum(a, 0) for a in answer[:2])
            x, y = x / x.sum(), y / y.sum()
            if np.all(x > 0) and np.all(y > 0):
                peer_res = rqe_residual(game, (x, y), tau, eps, regularizer="log_barrier")
        rows.append(Row(
            case="rqe_default_call_vs_mps", size=name, peer="MPS projected gradient (step 0.1)",
            rqe_time=t_rqe.median, peer_time=t_peer.median, repeat=t_rqe.repeat, rqe_accuracy=ours.residual,
            peer_accuracy=peer_res, accuracy_metric="RQE certificate",
            note=f"default call, KL + log-barrier; {len(ours.equilibria)} RQE listed, complete {ours.complete}",
        ))
    return rows


def run(quick: bool) -> list[Row]:
    return _default_rows(quick) + _lab_default_rows(quick) + _lab_rows(quick) + _batch_rows(quick)


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.harness import markdown_table

    print(markdown_table(run(quick=True)))
