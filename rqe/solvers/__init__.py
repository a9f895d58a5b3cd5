"""Equilibrium solvers, one module per concept or method.

:func:`get_solver` maps a concept name (``"nash"``, ``"qre"``, ``"rqe"``, ``"ce"``) to its solver function,
importing the module lazily so that heavy kernels are compiled only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from rqe.errors import NotAvailableError

#: concept name -> (module, function). Every solver takes the game first and returns a result with
#: ``equilibria``, ``converged``, ``method`` and ``parameters`` (see :mod:`rqe.results`).
CONCEPTS: dict[str, tuple[str, str]] = {
    "nash": ("rqe.solvers.nash", "solve_nash"),
    "qre": ("rqe.solvers.qre", "solve_qre"),
    "rqe": ("rqe.solvers.rqe", "solve_rqe"),
    "ce": ("rqe.solvers.correlated", "solve_correlated"),
}


def get_solver(concept: str) -> Callable[..., Any]:
    """Return the solver function of ``concept``.

    Raises :class:`~rqe.errors.NotAvailableError` for unknown concepts and for concepts whose module is not
    part of this version of rqe.
    """
    if concept not in CONCEPTS:
        raise NotAvailableError(f"unknown concept {concept!r}; known concepts: {', '.join(CONCEPTS)}")
    module_name, function = CONCEPTS[concept]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise NotAvailableError(f"concept {concept!r} is not available in this version of rqe") from exc
        raise
    return getattr(module, function)


def available_concepts() -> list[str]:
    """The concepts whose solver modules are present."""
    found = []
    for concept, (module_name, _) in CONCEPTS.items():
        if importlib.util.find_spec(module_name) is not None:
            found.append(concept)
    return found
