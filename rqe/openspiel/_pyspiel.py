"""The single place where :mod:`pyspiel` is imported (through :func:`rqe._optional.require`)."""

from __future__ import annotations

from types import ModuleType

from rqe._optional import require


def pyspiel() -> ModuleType:
    """Import and return :mod:`pyspiel`, or raise MissingDependencyError naming ``rqe[openspiel]``."""
    return require("pyspiel", "openspiel", purpose="the OpenSpiel bridge")


def open_spiel_python(module: str) -> ModuleType:
    """Import ``open_spiel.python.<module>`` (e.g. ``"policy"``) with the same error when absent."""
    pyspiel()
    return require(f"open_spiel.python.{module}", "openspiel", purpose="the OpenSpiel bridge")
