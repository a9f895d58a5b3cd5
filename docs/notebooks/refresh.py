"""Execute the teaching notebooks and store their outputs (figures included), so the site shows them.

The documentation site renders the outputs stored in each ``.ipynb`` (mkdocs-jupyter with ``execute: false``),
which keeps ``mkdocs build --strict`` fast and deterministic. After changing a notebook, or code that a notebook
shows, refresh the stored outputs with one command from the repository root::

    python docs/notebooks/refresh.py            # every notebook
    python docs/notebooks/refresh.py 02 05      # the notebooks whose names start with 02 or 05

``tests/test_notebooks.py`` executes each notebook the same way and checks that every plotting cell (a cell that
calls a figure function of :mod:`rqe.plot`) produced an image, and that the stored notebooks carry those images.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
#: Seconds one cell may run before the execution is abandoned.
CELL_TIMEOUT = 900


def notebooks(prefixes: list[str] | None = None) -> list[Path]:
    """The notebooks of this folder, in order; only those whose names start with one of ``prefixes``."""
    paths = sorted(HERE.glob("*.ipynb"))
    if prefixes:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in prefixes)]
    return paths


def _on_path() -> None:
    if str(ROOT) not in sys.path:  # the rqe of this checkout
        sys.path.insert(0, str(ROOT))


def _figure_functions() -> list[str]:
    _on_path()
    from rqe import plot

    return list(plot.__all__)


def plotting_cells(notebook: dict) -> list[int]:
    """Indices of the code cells that call a figure function of :mod:`rqe.plot` (``plot.NAME(``)."""
    pattern = re.compile(r"\bplot\.(" + "|".join(_figure_functions()) + r")\(")
    return [k for k, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "code" and pattern.search("".join(cell["source"]))]


def cells_without_image(notebook: dict) -> list[int]:
    """The plotting cells none of whose outputs is an ``image/png``."""
    missing = []
    for k in plotting_cells(notebook):
        outputs = notebook["cells"][k].get("outputs", [])
        if not any("image/png" in output.get("data", {}) for output in outputs):
            missing.append(k)
    return missing


def execute(path: Path, timeout: int = CELL_TIMEOUT) -> dict:
    """Run ``path`` in a fresh Python kernel from the repository root; the executed notebook as a dict."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(str(path), as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return json.loads(nbformat.writes(notebook))


def refresh(path: Path) -> list[int]:
    """Execute ``path`` and store its outputs in place; returns the plotting cells that made no image."""
    _on_path()
    from rqe._files import write_text

    executed = execute(path)
    write_text(path, json.dumps(executed, indent=1, ensure_ascii=False) + "\n")
    return cells_without_image(executed)


def main(argv: list[str] | None = None) -> int:
    status = 0
    for path in notebooks(list(sys.argv[1:] if argv is None else argv)):
        print(f"executing {path.name} ...", flush=True)
        missing = refresh(path)
        if missing:
            print(f"  plotting cells without an image: {missing}")
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
