"""Parallel sweeps over (tau, epsilon) grids and game ensembles, on the engine of :mod:`rqe.parallel`.

:func:`grid_sweep` evaluates a measure of the RQE over a ``(tau, epsilon)`` grid, and :func:`ensemble_sweep`
a function over a seeded ensemble of games; both run on ``"serial"``, ``"local"`` or ``"ray"`` backends with a
progress bar and give the same answer on each.

Examples
--------
>>> parallel_map(abs, [-1, 2, -3], backend="serial", progress=False)
[1, 2, 3]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rqe.parallel import BACKENDS, Progress, default_workers, parallel_map

__all__ = ["BACKENDS", "parallel_map", "default_workers", "Progress", "grid_sweep", "ensemble_sweep"]


# ---------------------------------------------------------------------- grids and ensembles
def _rqe_point(task: tuple[Any, float, float, Callable[[Any, Any], Any], dict[str, Any]]) -> Any:
    from rqe.solvers.rqe import solve_rqe

    game, tau, epsilon, measure, options = task
    return measure(game, solve_rqe(game, tau, epsilon, **options))


def grid_sweep(game: Any, taus: Sequence[float], epsilons: Sequence[float], measure: Callable[[Any, Any], Any],
               *, backend: str = "local", workers: int | None = None, progress: bool = False,
               **solver_options: Any) -> np.ndarray:
    """``measure(game, solve_rqe(game, tau, eps, **solver_options))`` on the grid ``taus x epsilons``.

    ``measure`` must be a module-level function (it is sent to worker processes). Returns an object array of
    shape ``(len(taus), len(epsilons))`` (a float array when every value is a number).
    """
    tasks = [(game, float(t), float(e), measure, solver_options) for t in taus for e in epsilons]
    values = parallel_map(_rqe_point, tasks, backend=backend, workers=workers, progress=progress, desc="grid")
    out = np.empty(len(values), dtype=object)
    out[:] = values
    out = out.reshape(len(taus), len(epsilons))
    try:
        return out.astype(np.float64)
    except (TypeError, ValueError):
        return out


def _ensemble_point(task: tuple[Callable[[np.random.Generator], Any], Callable[[Any], Any], int, int]) -> Any:
    make_game, function, seed, index = task
    return function(make_game(np.random.default_rng([seed, index])))


def ensemble_sweep(make_game: Callable[[np.random.Generator], Any], function: Callable[[Any], Any], n: int,
                   seed: int = 0, *, backend: str = "local", workers: int | None = None,
                   progress: bool = False) -> list[Any]:
    """``function(make_game(rng_k))`` for ``k < n`` with ``rng_k = default_rng([seed, k])`` (backend-independent).

    >>> from rqe.analysis.quadratic import QuadraticGame
    >>> ensemble_sweep(QuadraticGame.random, repr, 2, backend="serial")
    ['QuadraticGame(players=2, dim=1)', 'QuadraticGame(players=2, dim=1)']
    """
    tasks = [(make_game, function, int(seed), k) for k in range(int(n))]
    return parallel_map(_ensemble_point, tasks, backend=backend, workers=workers, progress=progress,
                        desc="ensemble")
