"""Plots are checked by the data they draw and by rendering to PNG without error."""

import io

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import rqe
from rqe import plot
from rqe.errors import GameError, ParameterError


def _render(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = buffer.getvalue()
    assert data.startswith(b"\x89PNG")
    return data


def test_payoff_table_shows_each_cell():
    game = rqe.Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]], title="Stag hunt")
    fig = plot.payoff_table(game)
    texts = {cell.get_text().get_text() for cell in fig.axes[0].tables[0].get_celld().values()}
    assert {"4, 4", "0, 3", "3, 0", "3, 3"} <= texts
    _render(fig)


def test_payoff_table_refuses_three_players():
    with pytest.raises(GameError, match="2-player"):
        plot.payoff_table(rqe.Game(np.zeros((3, 2, 2, 2))))


def test_response_curves_draw_given_data():
    grid = np.linspace(0, 1, 11)
    row, col = grid**2, 1 - grid
    fig = plot.response_curves({"QRE": (grid, row, col)}, equilibria={"QRE": [(0.38, 0.62)]})
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), row)
    np.testing.assert_allclose(lines[1].get_xdata(), col)
    np.testing.assert_allclose(lines[2].get_xydata(), [[0.62, 0.38]])
    _render(fig)


def test_simplex_coordinates_map_vertices_to_corners():
    xy = plot.simplex_coordinates(np.eye(3))
    np.testing.assert_allclose(xy, [[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])
    np.testing.assert_allclose(plot.simplex_coordinates([1 / 3, 1 / 3, 1 / 3]), [0.5, np.sqrt(3) / 6])
    with pytest.raises(ParameterError, match="3 actions"):
        plot.simplex_coordinates([0.5, 0.5])
    fig = plot.simplex_trajectories({"replicator": np.array([[0.6, 0.3, 0.1], [0.4, 0.3, 0.3]])},
                                    points={"Nash": np.full(3, 1 / 3)})
    _render(fig)


def test_path_branches_phase_and_other_plots_render():
    lam = np.linspace(0, 5, 20)
    probs = np.column_stack([np.exp(-lam), 1 - np.exp(-lam)])
    fig = plot.path_plot(lam, probs, ["a", "b"])
    np.testing.assert_allclose(fig.axes[0].get_lines()[1].get_ydata(), probs[:, 1])
    _render(fig)
    taus = np.geomspace(0.1, 10, 15)
    upper = np.where(taus < 2, 0.8, np.nan)
    fig = plot.branches_plot(taus, [np.full(15, 0.5), upper], bifurcations=[2.0])
    _render(fig)
    with pytest.raises(ParameterError, match="branch 0"):
        plot.branches_plot(taus, [np.zeros(3)])
    eps = np.geomspace(0.1, 1, 5)
    values = np.outer(eps, taus)
    fig = plot.phase_diagram(taus, eps, values, tractable=values >= 1)
    _render(fig)
    with pytest.raises(ParameterError, match="shape"):
        plot.phase_diagram(taus, eps, values.T)
    _render(plot.free_riding_plot(taus, {"largest": np.exp(-taus)}, bound=3.0))
    fig = plot.welfare_bars({"Nash": [2.0, 6.0, 3.0], "RQE": [5.0]})
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [2.0, 6.0, 3.0, 5.0]
    _render(fig)
    fig = plot.crossplay_heatmap(np.arange(9.0).reshape(3, 3), ["s0", "s1", "s2"])
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), np.arange(9.0).reshape(3, 3))
    _render(fig)
    with pytest.raises(ParameterError):
        plot.crossplay_heatmap(np.zeros((2, 3)), ["a", "b"])
    _render(plot.training_curves({"SRPO": (np.arange(5), np.arange(5.0), np.ones(5))}))


def test_figures_display_themselves_in_a_notebook_without_touching_the_backend():
    import matplotlib

    backend = matplotlib.get_backend()
    fig = plot.welfare_bars({"Nash": [1.0, 2.0], "RQE": [1.5]})
    assert matplotlib.get_backend() == backend          # no backend is forced on the user
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    pytest.importorskip("IPython")
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(fig)            # what a Jupyter cell ending in `fig` shows
    assert "image/png" in data
