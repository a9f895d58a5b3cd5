"""The documentation site builds with warnings treated as errors (mkdocs ``strict: true``) and reads as a site:
no Sphinx role left literal, the command-line reference complete, the notebooks with their figures and formulas.

One build (module-scoped fixture) serves every check.
"""

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(MKDOCS is None, reason="mkdocs is not installed (the docs extra)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([MKDOCS, "build", "--strict", "-d", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return out


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_docs_build_strict(site):
    assert (site / "index.html").exists()


def test_no_sphinx_role_left_in_the_site(site):
    role = re.compile(r":(?:py:)?(?:func|meth|class|mod|attr|data|exc|obj):(?:`|<code>)")
    offenders = {}
    for page in site.rglob("*.html"):
        hits = role.findall(_text(page))
        if hits:
            offenders[str(page.relative_to(site))] = len(hits)
    assert offenders == {}
    # and the roles became links: the solvers page links solve_nash to its entry
    assert 'href="#rqe.solvers.nash.solve_nash"' in _text(site / "api" / "solvers" / "index.html")


def test_cli_reference_lists_every_command_and_option(site):
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "docs" / "_build" / "cli_reference.py")
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    from rqe.cli import build_parser

    page = _text(site / "api" / "cli-reference" / "index.html")
    commands = reference.commands(build_parser())
    assert {"rqe solve", "rqe compare", "rqe verify", "rqe show", "rqe games", "rqe convert"} <= set(commands)
    for prog, parser in commands.items():
        assert f"<code>{prog}</code>" in page, prog
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            for name in action.option_strings or [action.metavar or action.dest]:
                assert f"<code>{name}</code>" in page, (prog, name)


def test_notebook_pages_show_figures_and_load_mathjax_once(site):
    for name in ("01_nash_qre_rqe", "02_free_riding"):
        page = _text(site / "notebooks" / name / "index.html")
        assert page.count("data:image/png;base64,") >= 2, name
        assert len(re.findall(r'<script src="[^"]*mathjax[^"]*tex-mml-chtml\.js">', page)) == 1, name
    math = _text(site / "rqe-math" / "index.html")
    assert 'class="arithmatex"' in math and "tex-mml-chtml.js" in math
    for developer_note in ("cite them in docstrings", "search tool", "find them all you can"):
        assert developer_note not in math
