"""Lazy exports for packages whose modules pull in heavy dependencies (Numba kernels, torch, OpenSpiel).

A package lists ``name -> module`` and installs the two module-level hooks of PEP 562::

    __getattr__, __dir__ = lazy_exports("rqe.srpo", _LAZY, globals())

The module is imported on first access of one of its names, and the value cached in the package namespace.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, names: dict[str, str], namespace: dict[str, Any]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """PEP 562 ``__getattr__`` and ``__dir__`` for ``package`` exporting ``names`` (name -> defining module)."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
