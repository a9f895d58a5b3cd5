"""The SRPO paper's Figure 1, as data and as a PNG ([QZLM] Fig. 1).

(i) Example 4.1 with ``eps = 1``: each robot's expected utility at the Gaussian RQE against ``tau`` on the
    domain ``tau eps < 2`` (:mod:`rqe.analysis.quadratic`), with the Nash equilibrium (``tau = eps = 0``, effort
    ``abar/3``) and the QRE (``tau = 0``, ``eps = 1``) marked.
(ii) Collaborate/defect (``docs/rqe-math.md`` section 6, Example 4.2) with ``eps = 0.2``: the probability that
    player 1 collaborates at every RQE found, against ``tau``. For small ``tau`` there are a symmetric RQE and
    two free-riding ones (one player collaborates, the other defects); they merge into the symmetric one as
    ``tau`` grows: a pitchfork bifurcation.

:func:`srpo_fig1_data` returns the curves; :func:`srpo_fig1` draws them (matplotlib, the ``plot`` extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rqe.game import Game
from rqe.analysis.quadratic import example_4_1

__all__ = ["collaborate_defect", "example_4_1_curve", "pitchfork_branches", "srpo_fig1_data", "srpo_fig1"]


def example_4_1_curve(epsilon: float = 1.0, abar: float = 1.0, points: int = 200, fraction: float = 0.995
                      ) -> dict[str, Any]:
    """Per-player expected utility at the Gaussian RQE of Example 4.1 on ``tau in [0, fraction * 2/eps]``.

    Solved with :meth:`QuadraticGame.solve_rqe` (not the closed form, which the tests compare against).
    ``utility`` includes the constant ``C(eps) = -3 eps / 4`` (the players' own noise);
    ``utility_minus_noise`` drops it, which is what changes with ``tau`` and what panel (i) plots.
    ``nash_utility`` is ``-abar^2/9`` (``tau = eps = 0``, effort ``abar/3``), ``qre_utility`` the ``tau = 0``
    point (same mean effort, plus ``C(eps)``), ``optimum_utility = -abar^2/10`` the best symmetric effort.

    >>> data = example_4_1_curve(points=3)
    >>> round(data["qre_utility"], 9), round(data["nash_utility"], 9)
    (-0.861111111, -0.111111111)
    """
    game = example_4_1(abar)
    tau_max = game.tau_max(epsilon)
    taus = np.linspace(0.0, fraction * tau_max, points)
    equilibria = [game.solve_rqe(t, epsilon) for t in taus]
    utility = np.array([eq.expected_utilities[0] for eq in equilibria])
    noise = -0.75 * epsilon             # C(eps): the cost of the players' own randomness, the same at every tau
    return {
        "epsilon": epsilon, "abar": abar, "taus": taus, "tau_max": tau_max, "utility": utility,
        "utility_minus_noise": utility - noise, "noise_constant": noise,
        "mean": np.array([eq.means[0, 0] for eq in equilibria]),
        "reward": np.array([eq.expected_reward for eq in equilibria]),
        "nash_utility": float(-abar ** 2 / 9), "qre_utility": float(utility[0]),
        "optimum_utility": float(-abar ** 2 / 10),
    }


def _distinct(points: list[np.ndarray], atol: float) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for p in points:
        if all(np.abs(p - q).max() > atol for q in out):
            out.append(p)
    return out


def pitchfork_branches(taus: Any, epsilon: float = 0.2, cost: float = 0.4, n_starts: int = 16, seed: int = 0
                       ) -> dict[str, Any]:
    """Every RQE of collaborate/defect found at each ``tau``: ``P(player 1 collaborates)`` on three branches.

    The equilibria come from :func:`rqe.rqe_branches` (branch continuation plus a seeded multistart at every
    ``tau``). At each ``tau`` they are sorted by player 1's probability of collaborating into ``upper``
    (player 1 collaborates, player 2 free-rides), ``symmetric`` and ``lower`` (player 1 free-rides); a branch
    is NaN where it was not found. ``count[k]`` is the number of distinct RQE at ``taus[k]``; ``bifurcation``
    the located ``tau`` where the count changes (NaN when it never does).
    """
    from rqe.solvers.rqe import rqe_branches

    from rqe import library

    game = library.get("collaborate_defect", cost=cost)
    taus = np.asarray(taus, dtype=np.float64)
    result = rqe_branches(game, taus, epsilon, n_starts=n_starts, seed=seed)
    upper, symmetric, lower = (np.full(taus.shape, np.nan) for _ in range(3))
    count = np.zeros(taus.shape, dtype=int)
    for k, equilibria in enumerate(result.equilibria):
        points = _distinct([np.array([x[0][0], x[1][0]]) for x in equilibria], 1e-6)
        count[k] = len(points)
        for p in points:
            if abs(p[0] - p[1]) < 1e-6:
                symmetric[k] = p[0]
            elif p[0] > p[1]:
                upper[k] = p[0]
            else:
                lower[k] = p[0]
    bifurcation = float(result.bifurcations[0].tau) if result.bifurcations else float("nan")
    return {"epsilon": epsilon, "cost": cost, "taus": taus, "upper": upper, "symmetric": symmetric,
            "lower": lower, "count": count, "bifurcation": bifurcation}


def srpo_fig1_data(points: int = 200, branch_points: int = 60, tau_range: tuple[float, float] = (0.05, 20.0)
                   ) -> dict[str, dict[str, Any]]:
    """The data of both panels: ``{"utility": example_4_1_curve(1.0), "pitchfork": pitchfork_branches(...)}``."""
    taus = np.geomspace(*tau_range, branch_points)
    return {"utility": example_4_1_curve(1.0, points=points), "pitchfork": pitchfork_branches(taus, 0.2)}


def srpo_fig1(out: str | Path, data: dict[str, dict[str, Any]] | None = None, **options: Any) -> list[Path]:
    """Write ``srpo-fig1.png`` (both panels) and the curve data ``srpo-fig1.json`` into directory ``out``."""
    import json

    from rqe._files import jsonable, make_folder, save_figure, write_text
    from rqe.plot import _new_figure

    data = srpo_fig1_data(**options) if data is None else data
    out = make_folder(out)
    fig, (left, right) = _new_figure((11.0, 4.2), ncols=2)
    u = data["utility"]
    left.plot(u["taus"], u["utility_minus_noise"], lw=2, color="C0", label="RQE (Gaussian), eps = 1")
    left.plot([0.0], [u["nash_utility"]], "s", color="C3", ms=9, label="Nash (tau = eps = 0)")
    left.plot([0.0], [u["qre_utility"] - u["noise_constant"]], "o", color="C2", ms=5,
              label="QRE (tau = 0, eps = 1)")
    left.axhline(u["optimum_utility"], color="grey", ls="--", lw=1, label="best symmetric effort")
    left.axvline(u["tau_max"], color="grey", ls=":", lw=1.5, label="tau eps = 2 (RQE undefined beyond)")
    left.set_xlabel("risk aversion tau")
    left.set_ylabel(f"expected utility per robot - C(eps) (C = {u['noise_constant']:g})")
    left.set_title("(i) Example 4.1: expected utility vs tau")
    left.legend(fontsize=8)
    p = data["pitchfork"]
    right.plot(p["taus"], p["upper"], lw=2, color="C1", label="free-riding RQE (player 2 defects)")
    right.plot(p["taus"], p["symmetric"], lw=2, color="C0", label="symmetric RQE")
    right.plot(p["taus"], p["lower"], lw=2, color="C4", label="free-riding RQE (player 1 defects)")
    if np.isfinite(p["bifurcation"]):
        right.axvline(p["bifurcation"], color="grey", ls=":", lw=1.5)
    right.set_xscale("log")
    right.set_ylim(-0.02, 1.02)
    right.set_xlabel("risk aversion tau")
    right.set_ylabel("P(player 1 collaborates)")
    right.set_title(f"(ii) Collaborate/defect, eps = {p['epsilon']}: pitchfork")
    right.legend(fontsize=8)
    png = save_figure(fig, out / "srpo-fig1.png")
    payload = {panel: {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in values.items()}
               for panel, values in data.items()}
    json_path = out / "srpo-fig1.json"
    write_text(json_path, json.dumps(jsonable(payload), indent=1, allow_nan=False))
    return [png, json_path]
