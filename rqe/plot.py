"""Figures for teaching and reports (matplotlib, the ``plot`` extra). Presentation only: no solver logic.

Every function returns a :class:`matplotlib.figure.Figure` and never calls ``plt.show()`` nor selects a
backend: a figure returned by a notebook cell displays as an image, and ``fig.savefig("file.png")`` saves it.
Functions take arrays or rqe result objects and draw them; the numbers come from
the solvers (see each function's "Data" note), so a figure can always be checked by its data.

Example
-------
>>> import rqe
>>> from rqe import plot
>>> fig = plot.payoff_table(rqe.Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]], title="Stag hunt"))
>>> fig.axes[0].get_title()
'Stag hunt'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from rqe._optional import require
from rqe.errors import GameError, ParameterError
from rqe.game import Game

__all__ = [
    "payoff_table",
    "response_curves",
    "simplex_trajectories",
    "path_plot",
    "branches_plot",
    "phase_diagram",
    "free_riding_plot",
    "welfare_bars",
    "crossplay_heatmap",
    "training_curves",
]


@functools.lru_cache(maxsize=1)
def _figure_class():
    """A :class:`matplotlib.figure.Figure` that shows itself in Jupyter (``_repr_png_``) without pyplot.

    No backend is selected and no global matplotlib state is touched: ``savefig`` picks the canvas for the file
    format, and IPython displays a figure returned by a cell through ``_repr_png_``.
    """
    require("matplotlib", "plot", "plotting")
    from matplotlib.figure import Figure

    class TeachingFigure(Figure):
        """A matplotlib figure that a notebook cell displays as a PNG image when it is the cell's value."""

        def _repr_png_(self) -> bytes:
            import io

            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    return TeachingFigure


def _new_figure(figsize: tuple[float, float] = (5.0, 4.0), ncols: int = 1):
    Figure = _figure_class()
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def payoff_table(game: Game, title: str | None = None):
    """Draw a 2-player game as the bimatrix a textbook prints: cell ``(r, c)`` shows ``u_1, u_2``.

    Data: ``game.payoffs``. The cell text of row ``r``, column ``c`` is ``f"{u1:g}, {u2:g}"``.
    """
    if game.n_players != 2:
        raise GameError(f"payoff_table draws 2-player games, got {game.n_players} players")
    fig, ax = _new_figure((1.4 + 1.3 * game.shape[1], 1.0 + 0.6 * game.shape[0]))
    cells = [[f"{game.payoffs[0, r, c]:g}, {game.payoffs[1, r, c]:g}" for c in range(game.shape[1])]
             for r in range(game.shape[0])]
    table = ax.table(cellText=cells, rowLabels=list(game.action_names[0]), colLabels=list(game.action_names[1]),
                     loc="center", cellLoc="center")
    table.scale(1.0, 1.6)
    ax.set_axis_off()
    ax.set_title(title if title is not None else (game.title or "Payoffs (row, column)"))
    return fig


def response_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
                    equilibria: Mapping[str, Sequence[tuple[float, float]]] | None = None,
                    labels: tuple[str, str] = ("P(column plays first action)", "P(row plays first action)"),
                    title: str = "Response curves"):
    """Response curves of a 2x2 game on the unit square, one colour per concept.

    Parameters
    ----------
    curves : mapping name -> (grid, row_response, column_response)
        ``row_response[k]`` is the row player's probability of its first action when the column player plays
        its first action with probability ``grid[k]``; ``column_response[k]`` likewise with roles swapped.
        Equilibria are the crossings of the two curves.
    equilibria : mapping name -> list of (p_row, p_column), optional
        Points to mark (the solver's equilibria).
    """
    fig, ax = _new_figure((5.0, 5.0))
    colours = _palette(len(curves))
    for colour, (name, (grid, row, col)) in zip(colours, curves.items()):
        ax.plot(grid, row, color=colour, lw=2, label=f"{name}: row")
        ax.plot(col, grid, color=colour, lw=2, ls="--", label=f"{name}: column")
        for p_row, p_col in (equilibria or {}).get(name, []):
            ax.plot([p_col], [p_row], "o", color=colour, ms=8, mec="black")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="best")
    ax.set_title(title)
    return fig


_SIMPLEX_CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def simplex_coordinates(points: np.ndarray) -> np.ndarray:
    """Map probability vectors over 3 actions to 2-D points in an equilateral triangle (barycentric)."""
    points = np.asarray(points, dtype=np.float64)
    if points.shape[-1] != 3:
        raise ParameterError(f"simplex plots need 3 actions, got vectors of length {points.shape[-1]}")
    return points @ _SIMPLEX_CORNERS


def simplex_trajectories(trajectories: Mapping[str, np.ndarray], action_names: Sequence[str] = ("1", "2", "3"),
                         title: str = "Dynamics on the simplex", points: Mapping[str, np.ndarray] | None = None):
    """Trajectories of a 3-action mixed strategy on the 2-simplex (a ternary plot).

    ``trajectories[name]`` has shape ``(T, 3)``: the strategy at each step. ``points`` marks single profiles
    (e.g. equilibria) with shape ``(3,)`` each.
    """
    fig, ax = _new_figure((5.0, 4.6))
    triangle = np.vstack([_SIMPLEX_CORNERS, _SIMPLEX_CORNERS[:1]])
    ax.plot(triangle[:, 0], triangle[:, 1], color="black", lw=1)
    for corner, name, offset in zip(_SIMPLEX_CORNERS, action_names, [(-0.04, -0.05), (0.04, -0.05), (0, 0.03)]):
        ax.annotate(name, corner, xytext=(corner[0] + offset[0], corner[1] + offset[1]), ha="center")
    for colour, (name, trajectory) in zip(_palette(len(trajectories)), trajectories.items()):
        xy = simplex_coordinates(trajectory)
        ax.plot(xy[:, 0], xy[:, 1], color=colour, lw=1.5, label=name)
        ax.plot(xy[:1, 0], xy[:1, 1], "o", color=colour, ms=4)
    for name, point in (points or {}).items():
        xy = simplex_coordinates(point)
        ax.plot([xy[0]], [xy[1]], "*", ms=12, mec="black", label=name)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title)
    return fig


def path_plot(parameter: np.ndarray, probabilities: np.ndarray, series_labels: Sequence[str],
              xlabel: str = "precision lam", title: str = "Quantal response path", logx: bool = False):
    """Probabilities along a path of equilibria (a QRE path over ``lam``, an RQE path over ``tau``).

    ``probabilities`` has shape ``(len(parameter), k)``: one column per plotted action probability.
    """
    parameter = np.asarray(parameter, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape[0] != parameter.shape[0]:
        raise ParameterError(f"{probabilities.shape[0]} rows of probabilities for {parameter.shape[0]} parameter values")
    fig, ax = _new_figure((6.0, 4.0))
    for column, label in zip(probabilities.T, series_labels):
        ax.plot(parameter, column, lw=2, label=label)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def branches_plot(taus: np.ndarray, branches: Sequence[np.ndarray], bifurcations: Sequence[float] = (),
                  ylabel: str = "P(first action)", title: str = "RQE branches over tau", logx: bool = True):
    """Every branch of equilibria over a ``tau`` grid, with bifurcation points marked by vertical lines.

    ``branches[b]`` has the same length as ``taus``, NaN where branch ``b`` does not exist.
    """
    taus = np.asarray(taus, dtype=np.float64)
    fig, ax = _new_figure((6.0, 4.0))
    for b, branch in enumerate(branches):
        branch = np.asarray(branch, dtype=np.float64)
        if branch.shape != taus.shape:
            raise ParameterError(f"branch {b} has shape {branch.shape}, expected {taus.shape}")
        ax.plot(taus, branch, lw=2, label=f"branch {b + 1}")
    for tau in bifurcations:
        ax.axvline(tau, color="grey", ls=":", lw=1.5)
        ax.annotate(f"tau = {tau:.3g}", (tau, 0.02), rotation=90, fontsize=8, color="grey")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("risk aversion tau")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def phase_diagram(taus: np.ndarray, epsilons: np.ndarray, values: np.ndarray, tractable: np.ndarray | None = None,
                  value_label: str = "value", title: str = "(tau, epsilon) phase diagram"):
    """A heat map of ``values[e, t]`` over ``epsilons[e]`` x ``taus[t]`` (log axes), with the tractable region
    (boolean array of the same shape) outlined by a contour."""
    taus, epsilons, values = (np.asarray(a, dtype=np.float64) for a in (taus, epsilons, values))
    if values.shape != (epsilons.size, taus.size):
        raise ParameterError(f"values must have shape (len(epsilons), len(taus)) = {(epsilons.size, taus.size)}, "
                             f"got {values.shape}")
    fig, ax = _new_figure((6.0, 4.6))
    mesh = ax.pcolormesh(taus, epsilons, values, shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=value_label)
    if tractable is not None:
        tractable = np.asarray(tractable, dtype=float)
        if tractable.shape != values.shape:
            raise ParameterError(f"tractable must have shape {values.shape}, got {tractable.shape}")
        if 0.0 < tractable.mean() < 1.0:
            ax.contour(taus, epsilons, tractable, levels=[0.5], colors="white", linewidths=2)
        ax.plot([], [], color="white", lw=2, label="tractable boundary")
        ax.legend(fontsize=8, loc="lower left")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("risk aversion tau")
    ax.set_ylabel("bounded rationality epsilon")
    ax.set_title(title)
    return fig


def free_riding_plot(taus: np.ndarray, degrees: Mapping[str, np.ndarray], bound: float | None = None,
                     title: str = "Free-riding degree vs risk aversion"):
    """Free-riding degree ``|E_{x_1} c - E_{x_2} c|`` against ``tau`` (``docs/rqe-math.md`` section 6), one line
    per series (e.g. the largest over all RQE found), with Theorem 4.2's threshold as a vertical line."""
    fig, ax = _new_figure((6.0, 4.0))
    for name, values in degrees.items():
        ax.plot(taus, values, lw=2, marker=".", label=name)
    if bound is not None:
        ax.axvline(bound, color="crimson", ls="--", label=f"Theorem 4.2 bound tau = {bound:.3g}")
    ax.set_xscale("log")
    ax.set_xlabel("risk aversion tau")
    ax.set_ylabel("free-riding degree")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def welfare_bars(welfare: Mapping[str, Sequence[float]], title: str = "Welfare by solution concept"):
    """Welfare of each equilibrium of each concept side by side: one group of bars per concept."""
    fig, ax = _new_figure((6.0, 4.0))
    position = 0.0
    ticks, names = [], []
    for colour, (name, values) in zip(_palette(len(welfare)), welfare.items()):
        values = list(values)
        xs = position + np.arange(len(values)) * 0.8
        ax.bar(xs, values, width=0.7, color=colour)
        ticks.append(xs.mean() if len(values) else position)
        names.append(name)
        position = (xs[-1] if len(values) else position) + 1.6
    ax.set_xticks(ticks, names)
    ax.set_ylabel("welfare (sum of expected utilities)")
    ax.set_title(title)
    return fig


def crossplay_heatmap(matrix: np.ndarray, row_labels: Sequence[str], column_labels: Sequence[str] | None = None,
                      title: str = "Cross-play return", value_format: str = ".2f"):
    """A cross-play matrix: entry ``(r, c)`` is the return of agent ``r`` paired with partner ``c``.

    The diagonal is self-play; the off-diagonal mean is the generalisation to unseen partners.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    column_labels = list(row_labels) if column_labels is None else list(column_labels)
    if matrix.shape != (len(row_labels), len(column_labels)):
        raise ParameterError(f"matrix has shape {matrix.shape}, labels give {(len(row_labels), len(column_labels))}")
    fig, ax = _new_figure((1.5 + 0.7 * matrix.shape[1], 1.2 + 0.6 * matrix.shape[0]))
    image = ax.imshow(matrix, cmap="magma")
    fig.colorbar(image, ax=ax)
    low, high = np.nanmin(matrix), np.nanmax(matrix)
    for (r, c), value in np.ndenumerate(matrix):
        bright = high > low and (value - low) / (high - low) > 0.6   # dark text on the bright end of the map
        ax.text(c, r, format(value, value_format), ha="center", va="center", fontsize=7,
                color="black" if bright else "white")
    ax.set_xticks(range(len(column_labels)), column_labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(row_labels)), row_labels, fontsize=8)
    ax.set_xlabel("partner")
    ax.set_ylabel("agent")
    ax.set_title(title)
    return fig


def training_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]],
                    xlabel: str = "environment steps", ylabel: str = "return", title: str = "Training curves"):
    """Mean training curves with an optional band: ``curves[name] = (steps, mean)`` or ``(steps, mean, std)``."""
    fig, ax = _new_figure((6.0, 4.0))
    for colour, (name, curve) in zip(_palette(len(curves)), curves.items()):
        steps, mean = np.asarray(curve[0], dtype=float), np.asarray(curve[1], dtype=float)
        ax.plot(steps, mean, color=colour, lw=2, label=name)
        if len(curve) == 3:
            std = np.asarray(curve[2], dtype=float)
            ax.fill_between(steps, mean - std, mean + std, color=colour, alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def _palette(n: int) -> list[Any]:
    base = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
    return [base[k % len(base)] for k in range(max(n, 1))]


def response_grid(response: Callable[[float], float], points: int = 201) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate a response map ``q -> p`` on a uniform grid of ``points`` values of ``q`` in ``[0, 1]``."""
    grid = np.linspace(0.0, 1.0, int(points))
    return grid, np.array([response(q) for q in grid])
