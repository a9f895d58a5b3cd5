"""Import shim: ``docs/_build/cli_reference.py`` (the CLI reference generator) as a module for the tests."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "cli_reference", Path(__file__).resolve().parents[1] / "docs" / "_build" / "cli_reference.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
commands = _module.commands
markdown = _module.markdown
