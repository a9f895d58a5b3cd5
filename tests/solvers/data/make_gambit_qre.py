"""Produce ``gambit_qre.json``: Gambit's logit QRE on seeded random games, the reference data of test_qre.

Run from the repository root with pygambit installed (``pip install 'rqe[gambit]'``):

    python tests/solvers/data/make_gambit_qre.py

For every game it stores the payoffs (``payoffs[i, a_1, ..., a_N]``, utilities as in ``rqe.Game``), the
principal-branch QRE that ``pygambit.qre.logit_solve_lambda`` returns at several precisions (with the
precision Gambit reports for each point), the Nash equilibrium ``pygambit.nash.logit_solve`` reaches at the
end of the branch, and for some games the maximum-likelihood fit of ``pygambit.qre.logit_estimate`` to
seeded multinomial counts. Gambit's ``lam`` multiplies the raw payoffs (checked below against the fixed point
``x_i = softmax(lam * M_i x_{-i})``), which is the convention of ``rqe.solve_qre``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pygambit as gbt

SEED = 20261124
SHAPES = [(2, 2), (3, 3), (4, 4), (5, 3), (6, 6), (2, 2, 2), (3, 3, 3), (2, 3, 4), (2, 2, 2, 2), (3, 2, 2, 2)]
GAMES_PER_SHAPE = 3
LAMBDAS = [0.05, 0.3, 1.0, 3.0]        # payoffs are uniform on [0, 10]
FIT_SAMPLE = 500
# games whose principal branch turns back in lam (found by scanning seeded random games); for these the
# precisions are chosen around Gambit's first turning point, so the data pin down the branch past it
FOLD_GAMES = [
    [[[3.575, 5.8], [2.288, 8.396]], [[3.683, 3.588], [3.269, 3.262]]],
]
FOLD_SEARCH_SEED = 5
FOLD_SEARCH_TRIALS = (50, 117, 146)


def strategies(profile, game, shape):
    players = list(game.players)
    return [[float(profile[s]) for s in players[i].strategies] for i in range(len(shape))]


def fixed_point_residual(payoffs, x, lam):
    worst = 0.0
    n = payoffs.shape[0]
    for i in range(n):
        table = np.moveaxis(payoffs[i], i, 0)
        for j in reversed([j for j in range(n) if j != i]):
            table = table @ np.asarray(x[j])
        z = lam * table
        e = np.exp(z - z.max())
        worst = max(worst, float(np.abs(np.asarray(x[i]) - e / e.sum()).max()))
    return worst


def main() -> None:
    rng = np.random.default_rng(SEED)
    cases = []
    for shape in SHAPES:
        for _ in range(GAMES_PER_SHAPE):
            n = len(shape)
            payoffs = np.round(rng.uniform(0.0, 10.0, size=(n, *shape)), 3)
            game = gbt.Game.from_arrays(*[payoffs[i] for i in range(n)])
            points = []
            for qre in gbt.qre.logit_solve_lambda(game, LAMBDAS):
                x = strategies(qre.profile, game, shape)
                residual = fixed_point_residual(payoffs, x, qre.lam)
                assert residual < 1e-6, f"Gambit's lam is not the raw-payoff precision: residual {residual}"
                points.append({"lam": float(qre.lam), "strategies": x, "residual": residual})
            nash = gbt.nash.logit_solve(game).equilibria[0]
            case = {
                "shape": list(shape),
                "payoffs": payoffs.tolist(),
                "qre": points,
                "nash": strategies(nash, game, shape),
                "nash_regret": float(nash.max_regret()),
            }
            if n <= 3 and len(cases) % 2 == 0:
                truth = points[2]["strategies"]
                counts = [rng.multinomial(FIT_SAMPLE, np.asarray(p) / np.sum(p)).tolist() for p in truth]
                data = game.mixed_strategy_profile(rational=False)
                players = list(game.players)
                for i, c in enumerate(counts):
                    for s, value in zip(players[i].strategies, c):
                        data[s] = float(value)
                fit = gbt.qre.logit_estimate(data)
                case["fit"] = {"counts": counts, "lam": float(fit.lam), "log_like": float(fit.log_like),
                               "strategies": strategies(fit.profile, game, shape)}
            cases.append(case)
    search = np.random.default_rng(FOLD_SEARCH_SEED)
    fold_games = [np.array(g) for g in FOLD_GAMES]
    for trial in range(max(FOLD_SEARCH_TRIALS) + 1):
        shape = [(2, 2), (3, 3), (2, 2, 2), (3, 2)][trial % 4]
        payoffs = np.round(search.uniform(0, 10, (len(shape), *shape)), 3)
        if trial in FOLD_SEARCH_TRIALS:
            fold_games.append(payoffs)
    for payoffs in fold_games:
        shape = payoffs.shape[1:]
        game = gbt.Game.from_arrays(*[payoffs[i] for i in range(len(shape))])
        branch = [q.lam for q in gbt.qre.logit_solve_branch(game)]
        turn = next(branch[k] for k in range(1, len(branch)) if branch[k] < branch[k - 1])
        lambdas = [0.5 * turn, 0.98 * turn, 1.5 * turn, 3.0 * turn]
        points = []
        for qre in gbt.qre.logit_solve_lambda(game, lambdas):
            x = strategies(qre.profile, game, shape)
            residual = fixed_point_residual(payoffs, x, qre.lam)
            assert residual < 1e-6, f"residual {residual}"
            points.append({"lam": float(qre.lam), "strategies": x, "residual": residual})
        nash = gbt.nash.logit_solve(game).equilibria[0]
        cases.append({"shape": list(shape), "payoffs": payoffs.tolist(), "qre": points, "fold_lam": float(turn),
                      "nash": strategies(nash, game, shape), "nash_regret": float(nash.max_regret())})
    out = {
        "generator": "tests/solvers/data/make_gambit_qre.py",
        "pygambit_version": gbt.__version__,
        "seed": SEED,
        "cases": cases,
    }
    path = Path(__file__).with_name("gambit_qre.json")
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {len(cases)} games to {path}")


if __name__ == "__main__":
    main()
