"""One entry point for equilibria of OpenSpiel games: :func:`solve_openspiel`.

Concepts:

* ``"nash"``, ``"qre"``, ``"rqe"``: solved on the game itself when it is a normal-form game, otherwise on
  the reduced normal form (:func:`~rqe.openspiel.reduced_normal_form`) with the matrix solvers
  (``rqe.solve_nash`` with ``method="lp"`` for two-player zero-sum games, ``rqe.solve_qre``,
  ``rqe.solve_rqe``); each equilibrium is mapped back to a behaviour profile and scored by OpenSpiel.
* ``"agent_qre"``, ``"agent_rqe"``: behaviour-strategy equilibria on the tree
  (:mod:`rqe.openspiel.agent`), for games whose normal form is too large.

The result exposes ``equilibria``, ``converged``, ``method`` and ``parameters`` like every rqe result, plus
``behaviour`` (flat behaviour profile of the first equilibrium, sequential games only) and
``exploitability`` (OpenSpiel's ``exploitability``/NashConv over N of that profile), ``tree`` and
``solver_result`` (the underlying solver's own result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe.errors import ParameterError
from rqe.results import Equilibrium

__all__ = ["OpenSpielResult", "solve_openspiel", "CONCEPTS"]

CONCEPTS = ("nash", "qre", "rqe", "agent_qre", "agent_rqe")


@dataclass(frozen=True)
class OpenSpielResult:
    """Equilibria of an OpenSpiel game with OpenSpiel's evaluation of the first one."""

    spec: str
    concept: str
    equilibria: tuple[Equilibrium, ...]
    converged: bool
    method: str
    parameters: dict[str, Any]
    behaviour: np.ndarray | None = None
    exploitability: float | None = None
    tree: Any = field(default=None, repr=False, compare=False)
    solver_result: Any = field(default=None, repr=False, compare=False)

    def policy(self) -> Any:
        """The first equilibrium as an OpenSpiel ``TabularPolicy`` (sequential games)."""
        if self.behaviour is None:
            raise ParameterError(f"{self.spec!r} is a normal-form game; there is no tabular policy to export")
        from rqe.openspiel.policy import to_tabular_policy

        return to_tabular_policy(self.tree, self.behaviour)


def solve_openspiel(spec: Any, concept: str = "nash", **params: Any) -> OpenSpielResult:
    """Solve the OpenSpiel game ``spec`` (``"openspiel:kuhn_poker"``, ``"kuhn_poker"``, a ``pyspiel.Game``).

    ``params`` go to the solver: ``lam`` (qre, agent_qre), ``tau`` and ``epsilon`` (rqe, agent_rqe),
    ``method`` (nash; default ``"lp"`` for 2-player zero-sum games, else ``"auto"``), tolerances.

    >>> from rqe.openspiel import solve_openspiel
    >>> r = solve_openspiel("openspiel:kuhn_poker", "nash")
    >>> r.converged, r.exploitability < 1e-9
    (True, True)
    >>> round(float(r.equilibria[0].payoffs[0]), 6)   # the value of Kuhn poker for player 1 is -1/18
    -0.055556
    """
    from rqe.openspiel.convert import from_pyspiel, is_normal_form, load_pyspiel_game

    if concept not in CONCEPTS:
        raise ParameterError(f"unknown concept {concept!r}; OpenSpiel games support {', '.join(CONCEPTS)}")
    name = spec[len("openspiel:"):] if isinstance(spec, str) and spec.startswith("openspiel:") else spec
    game = load_pyspiel_game(name)
    label = spec if isinstance(spec, str) else game.get_type().short_name
    if concept in ("agent_qre", "agent_rqe"):
        from rqe.openspiel.agent import solve_agent_qre, solve_agent_rqe

        if is_normal_form(game):
            raise ParameterError(f"{label!r} is a normal-form game: use concept 'qre' or 'rqe'")
        result = solve_agent_qre(game, **params) if concept == "agent_qre" else solve_agent_rqe(game, **params)
        return OpenSpielResult(label, concept, result.equilibria, result.converged, result.method,
                               result.parameters, result.behaviour, result.exploitability(), result.tree, result)
    import rqe

    reduced = None
    if is_normal_form(game):
        matrix = from_pyspiel(game)
    else:
        from rqe.openspiel.reduced import reduced_normal_form

        reduced = reduced_normal_form(game)
        matrix = reduced.game
    if concept == "nash":
        params.setdefault("method", "lp" if matrix.n_players == 2 and matrix.is_constant_sum() else "auto")
        result = rqe.solve_nash(matrix, **params)
    elif concept == "qre":
        if "lam" not in params:
            raise ParameterError("concept 'qre' needs lam")
        result = rqe.solve_qre(matrix, **params)
    else:
        if "tau" not in params or "epsilon" not in params:
            raise ParameterError("concept 'rqe' needs tau and epsilon")
        result = rqe.solve_rqe(matrix, **params)
    behaviour = exploit = None
    if reduced is not None and result.equilibria:
        from rqe.openspiel.policy import exploitability

        behaviour = reduced.to_behaviour(result.equilibria[0].strategies)
        exploit = exploitability(reduced.tree, behaviour)
    parameters = dict(result.parameters, reduced_normal_form=reduced is not None, shape=list(matrix.shape))
    return OpenSpielResult(label, concept, tuple(result.equilibria), bool(result.converged), result.method,
                           parameters, behaviour, exploit, None if reduced is None else reduced.tree, result)
