"""The teaching notebooks show their figures: executed, every plotting cell makes an image (``image/png``).

A plotting cell calls a figure function of :mod:`rqe.plot`; the figure it returns displays in Jupyter. The site
shows each notebook's stored outputs, refreshed with ``python docs/notebooks/refresh.py``; the stored copies are
checked too, so the site cannot show a notebook without its figures.
"""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("notebook_refresh", ROOT / "docs" / "notebooks" / "refresh.py")
refresh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refresh)
NOTEBOOKS = refresh.notebooks()


def _needs(notebook: Path) -> None:
    pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    text = notebook.read_text()
    if "import pyspiel" in text:
        pytest.importorskip("pyspiel")
    if "import torch" in text:
        pytest.importorskip("torch")


def test_every_notebook_has_plotting_cells():
    assert len(NOTEBOOKS) == 6
    for path in NOTEBOOKS:
        assert refresh.plotting_cells(json.loads(path.read_text())), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_notebook_shows_its_figures(path):
    notebook = json.loads(path.read_text())
    assert refresh.cells_without_image(notebook) == [], "run: python docs/notebooks/refresh.py " + path.stem[:2]
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("execution_count") is not None, "stored notebook was not executed in full"
            assert not any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            assert 'matplotlib.use("Agg")' not in "".join(cell["source"])


# Training (notebook 06) takes about a minute on 2 cores: slow-marked here (`-m slow` runs it).
EXECUTED = [pytest.param(p, id=p.stem, marks=[pytest.mark.slow] if "import torch" in p.read_text() else [])
            for p in NOTEBOOKS]


@pytest.mark.parametrize("path", EXECUTED)
def test_executed_notebook_makes_an_image_in_every_plotting_cell(path):
    _needs(path)
    executed = refresh.execute(path)
    assert refresh.plotting_cells(executed)
    assert refresh.cells_without_image(executed) == []


def test_cell_without_figure_is_reported():
    notebook = {"cells": [
        {"cell_type": "code", "source": ["fig = plot.welfare_bars({'a': [1]})\n", "fig"],
         "outputs": [{"output_type": "execute_result", "data": {"text/plain": "<Figure size 500x400>"}}]},
        {"cell_type": "code", "source": ["x = plot.response_grid(f)"], "outputs": []},
        {"cell_type": "code", "source": ["plot.payoff_table(game)"],
         "outputs": [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]},
    ]}
    assert refresh.plotting_cells(notebook) == [0, 2]
    assert refresh.cells_without_image(notebook) == [0]
