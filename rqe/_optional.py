"""Import optional dependencies with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from rqe.errors import MissingDependencyError


def require(module: str, extra: str, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming ``pip install 'rqe[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        what = f" for {purpose}" if purpose else ""
        raise MissingDependencyError(
            f"{module!r} is needed{what} but is not installed; install it with: {install_hint(extra)}"
        ) from exc


#: Extras that pull torch; the hint pins the CPU build the Makefile installs (any other torch request pulls a
#: multi-GB CUDA build).
TORCH_EXTRAS = ("srpo", "lm", "all")
TORCH_PIN = "torch==2.13.0"


def install_hint(extra: str) -> str:
    """The pip command that installs ``extra``, keeping torch on its CPU build.

    >>> install_hint("plot")
    "pip install 'rqe[plot]'"
    >>> install_hint("srpo")
    "pip install torch==2.13.0 'rqe[srpo]'"
    """
    return f"pip install {TORCH_PIN} 'rqe[{extra}]'" if extra in TORCH_EXTRAS else f"pip install 'rqe[{extra}]'"
