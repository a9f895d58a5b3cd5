"""``rqe plot KIND GAME ... --out FILE``: the figures of :mod:`rqe.plot` from the command line.

Each kind gathers its data from the solvers (Nash, QRE, RQE, CE, dynamics) and draws it with one function of
:mod:`rqe.plot`; the output format follows the file name (``.png``, ``.svg``, ``.pdf``).

Kinds
-----
``payoff-table``     the bimatrix of a 2-player game.
``response-curves``  Nash best responses, logit (``--lam``) and risk-averse quantal (``--tau``, ``--epsilon``)
                     responses of a 2x2 game on the unit square, with each concept's equilibria.
``qre-path``         the principal logit QRE branch over ``lam`` (probability of each player's first action).
``rqe-branches``     every RQE over a ``tau`` grid at ``--epsilon``, bifurcations marked.
``phase-diagram``    player 1's probability of its first action at the RQE over a (tau, epsilon) grid, with
                     the tractable region (``--regularizer log_barrier`` has a closed-form criterion).
``free-riding``      the largest free-riding degree over all RQE against ``tau`` (games with private costs).
``welfare``          welfare of every Nash equilibrium, the QRE, the RQE and the welfare-optimal CE.
``dynamics``         replicator, fictitious-play and regret-matching trajectories of player 1 on the simplex
                     (3 actions).

Example
-------
``rqe plot rqe-branches collaborate_defect --epsilon 0.2 --out branches.png``
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from rqe.errors import GameError, ParameterError

KINDS = ("payoff-table", "response-curves", "qre-path", "rqe-branches", "phase-diagram", "free-riding", "welfare",
         "dynamics")


def register(subparsers: Any) -> None:
    """Add ``rqe plot`` to the command line."""
    from rqe.cli import plain_text

    parser = subparsers.add_parser("plot", help="draw a figure of a game's equilibria (PNG/SVG/PDF)",
                                   description=plain_text(__doc__),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("game", help="library name (name:param=value,...), a .nfg/.json file, or openspiel:NAME")
    parser.add_argument("--out", required=True, help="output file (.png, .svg or .pdf)")
    parser.add_argument("--lam", type=float, default=5.0, help="logit precision for QRE (default 5)")
    parser.add_argument("--tau", type=float, default=2.0, help="risk aversion for RQE (default 2)")
    parser.add_argument("--epsilon", type=float, default=0.2, help="bounded rationality for RQE (default 0.2)")
    parser.add_argument("--tau-min", type=float, default=0.05)
    parser.add_argument("--tau-max", type=float, default=20.0)
    parser.add_argument("--points", type=int, default=25, help="grid points per axis (default 25)")
    parser.add_argument("--penalty", default="kl")
    parser.add_argument("--regularizer", default="entropy")
    parser.add_argument("--json", action="store_true", help="print one JSON document naming the file written")
    parser.add_argument("--no-progress", action="store_true", help="no compile notice and progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import io
    from pathlib import Path

    from rqe._files import save_figure
    from rqe._optional import require
    from rqe.cli import load_game

    require("matplotlib", "plot", "rqe plot")  # before any computing: say at once what is missing
    suffix = Path(args.out).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "pdf"):
        raise ParameterError(f"--out must end in .png, .svg or .pdf, got {args.out!r}")
    game = load_game(args.game)
    if not args.no_progress:
        print("computing (the solvers compile on first use, cached afterwards) ...", file=sys.stderr, flush=True)
    fig = figure(args.kind, game, lam=args.lam, tau=args.tau, epsilon=args.epsilon, tau_min=args.tau_min,
                 tau_max=args.tau_max, points=args.points, penalty=args.penalty, regularizer=args.regularizer,
                 progress=not args.no_progress)
    save_figure(fig, args.out)
    if args.json:
        from rqe.cli_json import dumps, envelope, game_info

        print(dumps(envelope("plot", game_info(game, args.game), data={"kind": args.kind, "files": [args.out]})))
        return 0
    print(f"wrote {args.out}")
    return 0


def figure(kind: str, game: Any, *, lam: float = 5.0, tau: float = 2.0, epsilon: float = 0.2, tau_min: float = 0.05,
           tau_max: float = 20.0, points: int = 25, penalty: str = "kl", regularizer: str = "entropy",
           progress: bool = False) -> Any:
    """The figure of ``kind`` for ``game`` (see the module docstring), as a matplotlib Figure; ``progress``
    shows a bar on stderr over the solves of the ``phase-diagram`` grid.

    >>> import rqe
    >>> fig = figure("payoff-table", rqe.library.get("stag_hunt"))
    >>> fig.axes[0].get_title()
    'Stag hunt'
    """
    import rqe
    from rqe import plot

    if kind not in KINDS:
        raise ParameterError(f"unknown plot kind {kind!r}; expected one of {', '.join(KINDS)}")
    if points < 3:
        raise ParameterError(f"points must be >= 3, got {points}")
    title = game.title or "game"
    if kind == "payoff-table":
        return plot.payoff_table(game)
    if kind == "response-curves":
        _require_shape(game, (2, 2), kind)
        curves = {
            "Nash": _curves(game, lambda M, q: _best_response(M, q)),
            f"QRE lam={lam:g}": _curves(game, lambda M, q: _logit(M, q, lam)),
            f"RQE tau={tau:g} eps={epsilon:g}": _curves(game, lambda M, q: _risk_averse(M, q, tau, epsilon, penalty,
                                                                                         regularizer)),
        }
        marks = {
            "Nash": [(e.strategies[0][0], e.strategies[1][0]) for e in rqe.solve_nash(game).equilibria],
            f"QRE lam={lam:g}": [(e.strategies[0][0], e.strategies[1][0]) for e in rqe.solve_qre(game, lam).equilibria],
            f"RQE tau={tau:g} eps={epsilon:g}": [
                (e.strategies[0][0], e.strategies[1][0])
                for e in rqe.solve_rqe(game, tau, epsilon, penalty, regularizer, n_starts=8,
                                       rng=np.random.default_rng(0)).equilibria],
        }
        return plot.response_curves(curves, marks, title=f"{title}: response curves")
    if kind == "qre-path":
        path = rqe.qre_path(game)
        offsets = np.cumsum((0,) + game.shape[:-1])
        labels = [f"P({game.player_names[i]} plays {game.action_names[i][0]})" for i in range(game.n_players)]
        return plot.path_plot(path.lam, path.probabilities[:, offsets], labels, title=f"{title}: principal QRE branch")
    taus = np.geomspace(tau_min, tau_max, points)
    if kind == "rqe-branches":
        result = rqe.rqe_branches(game, taus, epsilon, penalty, regularizer)
        curves = []
        for branch in result.branches:
            values = np.full(taus.shape, np.nan)
            for t, profile in zip(branch["taus"], branch["strategies"]):
                values[int(np.argmin(np.abs(taus - t)))] = profile[0][0]
            curves.append(values)
        return plot.branches_plot(taus, curves, [b.tau for b in result.bifurcations],
                                  ylabel=f"P({game.player_names[0]} plays {game.action_names[0][0]})",
                                  title=f"{title}: RQE branches, epsilon = {epsilon:g}")
    if kind == "phase-diagram":
        epsilons = np.geomspace(0.05, 5.0, points)
        values = np.full((points, points), np.nan)
        tractable = np.zeros((points, points), dtype=bool)
        from rqe.parallel import Progress

        bar = Progress(points * points, desc="RQE grid", enabled=progress)
        for e, eps in enumerate(epsilons):
            for t, tau_value in enumerate(taus):
                result = rqe.solve_rqe(game, tau_value, eps, penalty, regularizer)
                if result.converged:
                    values[e, t] = result.strategies[0][0]
                tractable[e, t] = result.tractable.tractable
                bar.update(1)
        bar.close()
        return plot.phase_diagram(taus, epsilons, values, tractable,
                                  value_label=f"P({game.player_names[0]} plays {game.action_names[0][0]}) at the RQE",
                                  title=f"{title}: RQE over (tau, epsilon), {penalty} + {regularizer}")
    if kind == "free-riding":
        from rqe.analysis import free_riding_degree

        if game.costs is None:
            raise GameError(f"{title!r} has no private costs; free-riding needs a game made with "
                            "Game.from_shared_reward (e.g. collaborate_defect)")
        result = rqe.rqe_branches(game, taus, epsilon, penalty, regularizer)
        degrees = np.array([max((free_riding_degree(game, x) for x in found), default=np.nan)
                            for found in result.equilibria])
        return plot.free_riding_plot(taus, {f"largest over all RQE, epsilon = {epsilon:g}": degrees},
                                     title=f"{title}: free-riding degree vs tau")
    if kind == "welfare":
        welfare = {"Nash": [e.welfare for e in rqe.solve_nash(game).equilibria],
                   f"QRE lam={lam:g}": [e.welfare for e in rqe.solve_qre(game, lam).equilibria],
                   f"RQE tau={tau:g}": [e.welfare for e in rqe.solve_rqe(game, tau, epsilon, penalty, regularizer,
                                                                          n_starts=8, rng=np.random.default_rng(0)
                                                                          ).equilibria]}
        try:
            ce = rqe.solve_correlated(game, kind="ce", objective="welfare")
            welfare["CE (best)"] = [float(ce.welfare)]
        except ImportError:  # the cvx extra is optional
            pass
        return plot.welfare_bars(welfare, title=f"{title}: welfare by concept")
    # dynamics
    if game.shape[0] != 3:
        raise GameError(f"dynamics plots need 3 actions for player 1 (a triangle), {title!r} has {game.shape[0]}")
    from rqe.solvers.dynamics import fictitious_play, regret_matching, replicator_dynamics

    init = [np.array([0.6, 0.3, 0.1])] + [np.full(n, 1.0 / n) for n in game.shape[1:]]
    if game.n_players >= 2 and game.shape[1] == 3:
        init[1] = np.array([0.1, 0.3, 0.6])
    trajectories = {
        "replicator": replicator_dynamics(game, 2000, init=init).trajectory[0],
        "fictitious play": fictitious_play(game, 2000, init=init).trajectory[0],
        "regret matching": regret_matching(game, 2000, init=init).trajectory[0],
    }
    nash = rqe.solve_nash(game).equilibria
    points_ = {"Nash": np.asarray(nash[0].strategies[0])} if nash else None
    return plot.simplex_trajectories(trajectories, game.action_names[0], title=f"{title}: learning dynamics",
                                     points=points_)


def _require_shape(game: Any, shape: tuple[int, ...], kind: str) -> None:
    if game.shape != shape:
        raise GameError(f"{kind} needs a game of shape {shape}, got {game.shape}")


def _curves(game: Any, response: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from rqe.plot import response_grid

    grid, row = response_grid(lambda q: response(game.payoff_matrix(0), q))
    _, col = response_grid(lambda q: response(game.payoff_matrix(1), q))
    return grid, row, col


def _best_response(M: np.ndarray, q: float) -> float:
    values = M @ np.array([q, 1.0 - q])
    if abs(values[0] - values[1]) <= 1e-12:
        return 0.5
    return 1.0 if values[0] > values[1] else 0.0


def _logit(M: np.ndarray, q: float, lam: float) -> float:
    """Probability of the first action in the logit response ``softmax(lam M (q, 1-q))`` (the entropy response of
    :class:`rqe.risk.NegativeEntropy` with ``epsilon = 1/lam``)."""
    from rqe.risk import NegativeEntropy

    if lam == 0:
        return 0.5
    return float(NegativeEntropy().response(M @ np.array([q, 1.0 - q]), 1.0 / lam)[0])


def _risk_averse(M: np.ndarray, q: float, tau: float, epsilon: float, penalty: str, regularizer: str) -> float:
    """Probability of the first action in the risk-averse quantal best response to a partner playing ``(q, 1-q)``:
    ``argmax_x U^tau(x, q) - eps nu(x)`` (``docs/rqe-math.md`` sections 2-3), a concave 1-D maximisation."""
    from scipy.optimize import minimize_scalar

    from rqe.risk import get_penalty, get_regularizer

    pen, reg = get_penalty(penalty), get_regularizer(regularizer)
    partner = np.clip(np.array([q, 1.0 - q]), 1e-300, None)
    partner /= partner.sum()

    def negative_value(p: float) -> float:
        x = np.array([p, 1.0 - p])
        risk = pen.risk_value(M.T @ x, partner, tau) if tau > 0 else float(x @ M @ partner)
        return -(risk - epsilon * reg.value(x))

    return float(minimize_scalar(negative_value, bounds=(1e-12, 1 - 1e-12), method="bounded",
                                 options={"xatol": 1e-10}).x)
