"""Nash equilibria: one entry point, :func:`solve_nash`, dispatching to one module per method.

| method | players | what it returns | complete |
|---|---|---|---|
| ``pure`` | any | all pure equilibria (:mod:`rqe.solvers.nash_pure`) | pure ones only |
| ``support_enumeration`` | 2 | all equilibria of nondegenerate games; certified ones otherwise | if nondegenerate |
| ``vertex_enumeration`` | 2 | all extreme equilibria, degenerate games included (exact arithmetic when floating point cannot decide) | when proved |
| ``lemke_howson`` | 2 | the distinct equilibria reached from every initial label | no |
| ``lp`` | 2, zero-sum | value and one pair of optimal strategies (HiGHS) | no |
| ``logit`` | any | the end of the logit QRE path, polished to a Nash equilibrium | no |
| ``global_newton`` | any | one equilibrium, by Govindan-Wilson's global Newton method (:mod:`rqe.solvers.global_newton`) | no |
| ``auto`` | any | 2 players: vertex enumeration (Lemke-Howson when too large); N players: pure equilibria and the logit end point | 2 players: yes |

Every method works on the payoffs normalised per player onto ``[0, 1]`` (:mod:`rqe.solvers._scale`; Nash
equilibria are invariant under positive affine maps of each player's utilities), so answers and verdicts do not
depend on the payoffs' scale or offset. Every equilibrium carries its *relative* Nash gap
``max_i (max_a (M_i x_{-i})_a - U_i(x)) / span_i`` (``span_i`` the range of player ``i``'s payoffs;
``docs/rqe-math.md`` section 1) as ``residual``; only profiles with relative gap at most ``tol`` (default
``1e-9``) are returned; expected payoffs are those of the original game.

References: J. Nash (1951); B. von Stengel, *Equilibrium computation for two-player games in strategic and
extensive form* (2007); R. McKelvey, T. Palfrey (1995) and T. Turocy (2005) for the logit path [MP95, T05].
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe.errors import NotAvailableError, ParameterError
from rqe.game import Game
from rqe.results import Equilibrium
from rqe.solvers._common import GAP_TOL, certify, check_game, check_tol, sort_equilibria
from rqe.solvers._scale import normalise

__all__ = ["solve_nash", "NashResult", "METHODS"]

METHODS = ("auto", "pure", "support_enumeration", "vertex_enumeration", "lemke_howson", "lp", "logit",
           "global_newton")


@dataclass(frozen=True)
class NashResult:
    """Nash equilibria found by :func:`solve_nash`.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        Distinct equilibria, each with its Nash gap as ``residual``.
    method : str
        The method that produced them (for ``auto``: the method chosen).
    parameters : dict
        The options used.
    complete : bool
        True when the method guarantees that these are all equilibria (all extreme equilibria for vertex
        enumeration; all pure equilibria only counts for ``pure`` when the question was about pure ones).
    converged : bool
        False when an iterative method (Lemke-Howson, logit) stopped without certifying an equilibrium.
    degenerate : bool or None
        For two-player enumeration methods: whether degeneracy was detected (None when not examined).
    details : dict
        Method-specific diagnostics (singular systems, LP value, initial labels, why floating point was not
        trusted, ...).
    iterations : int
        The method's work: vertices enumerated, support pairs tried, pivots, path steps (0 when not counted).
    residual : float
        The largest relative Nash gap of the equilibria (0 when there are none).
    """

    equilibria: tuple[Equilibrium, ...]
    method: str
    parameters: dict[str, Any]
    complete: bool
    converged: bool = True
    degenerate: bool | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)
    iterations: int = 0

    @property
    def residual(self) -> float:
        return max((e.residual for e in self.equilibria), default=0.0)

    def __repr__(self) -> str:
        lines = [f"NashResult(method={self.method!r}, {len(self.equilibria)} equilibria, complete={self.complete}, "
                 f"converged={self.converged}, degenerate={self.degenerate})"]
        lines += [f"  {e!r}" for e in self.equilibria]
        return "\n".join(lines)


def solve_nash(game: Game, method: str = "auto", **options: Any) -> NashResult:
    """Nash equilibria of ``game`` by ``method``.

    Parameters
    ----------
    game : Game
        The game (utilities, ``payoffs[i, a_1, ..., a_N]``).
    method : str
        One of ``"auto"``, ``"pure"``, ``"support_enumeration"``, ``"vertex_enumeration"``,
        ``"lemke_howson"``, ``"lp"``, ``"logit"``, ``"global_newton"``.
    **options
        Passed to the method: ``tol`` (relative Nash gap accepted, default ``1e-9``); ``max_size``
        (problem-size guard); ``exact`` (support enumeration in rational arithmetic; vertex enumeration:
        ``True``, ``False`` or ``"auto"``, exact when floating point cannot decide) and ``max_bases``;
        ``init_labels`` / ``init_label`` and
        ``max_iter`` (Lemke-Howson); ``atol`` (pure); ``path_options`` (logit: passed to ``qre_path``);
        ``seed`` and ``max_steps`` (global Newton).

    Returns
    -------
    NashResult

    Raises
    ------
    ParameterError
        Unknown method or option.
    ProblemSizeError
        The game is too large for the method (raised before any large allocation).
    NotAvailableError
        ``method="logit"`` without :func:`rqe.solvers.qre.qre_path`.

    Examples
    --------
    >>> from rqe import Game
    >>> bos = Game.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]], title="Battle of the sexes")
    >>> result = solve_nash(bos)
    >>> result.method, len(result.equilibria), result.complete
    ('vertex_enumeration', 3, True)
    >>> solve_nash(bos, method="pure").equilibria[0].payoffs.tolist()
    [3.0, 2.0]
    """
    game = check_game(game)
    if not isinstance(method, str) or method not in METHODS:
        raise ParameterError(f"unknown Nash method {method!r}; known methods: {', '.join(METHODS)}")
    if method == "auto":
        return _auto(game, **options)
    return _DISPATCH[method](game, **options)


def _reject_unknown(method: str, options: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(options) - allowed
    if unknown:
        raise ParameterError(f"method {method!r} does not take options {sorted(unknown)}; it takes {sorted(allowed)}")


def _pure(game: Game, **options: Any) -> NashResult:
    _reject_unknown("pure", options, {"atol", "max_size", "tol"})
    from rqe.solvers.nash_pure import MAX_ENTRIES, pure_nash_equilibria

    tol = check_tol(options.get("tol", GAP_TOL))
    atol = options.get("atol", 0.0)
    profiles = pure_nash_equilibria(game, atol=atol, max_size=options.get("max_size", MAX_ENTRIES))
    equilibria, _ = certify(game, profiles, max(tol, float(atol)))
    return NashResult(tuple(equilibria), "pure", {"atol": float(atol), "tol": tol}, complete=False,
                      details={"n_profiles": game.n_profiles})


def _support_enumeration(game: Game, **options: Any) -> NashResult:
    _reject_unknown("support_enumeration", options, {"exact", "tol", "max_size", "warn"})
    from rqe.solvers.support_enumeration import support_enumeration

    r = support_enumeration(game, **options)
    return NashResult(r.equilibria, "support_enumeration", r.parameters, complete=r.complete,
                      degenerate=r.degenerate, iterations=r.pairs,
                      details={"singular_systems": r.singular_systems, "pairs": r.pairs, "rejected": r.rejected})


def _vertex_enumeration(game: Game, **options: Any) -> NashResult:
    _reject_unknown("vertex_enumeration", options, {"tol", "max_size", "qhull_options", "exact", "max_bases"})
    from rqe.solvers.vertex_enumeration import vertex_enumeration

    r = vertex_enumeration(game, **options)
    return NashResult(r.equilibria, "vertex_enumeration", r.parameters, complete=r.complete,
                      degenerate=r.degenerate, iterations=r.iterations,
                      details={"vertices": r.n_vertices, "rejected": r.rejected, "exact": r.exact, "doubt": r.doubt})


def _lemke_howson(game: Game, **options: Any) -> NashResult:
    _reject_unknown("lemke_howson", options, {"init_label", "init_labels", "max_iter", "tol", "max_size"})
    from rqe.solvers.lemke_howson import lemke_howson_all

    if "init_label" in options:
        if "init_labels" in options:
            raise ParameterError("give init_label or init_labels, not both")
        options["init_labels"] = [options.pop("init_label")]
    r = lemke_howson_all(game, **options)
    return NashResult(r.equilibria, "lemke_howson", r.parameters, complete=False, converged=r.converged,
                      iterations=int(sum(r.iterations)),
                      details={"labels": r.labels, "iterations": r.iterations, "label_converged": r.label_converged})


def _lp(game: Game, **options: Any) -> NashResult:
    _reject_unknown("lp", options, {"tol", "atol"})
    from rqe.solvers.zero_sum_lp import solve_zero_sum

    r = solve_zero_sum(game, **options)
    return NashResult(r.equilibria, "lp", r.parameters, complete=False, details={"value": r.value})


def _logit(game: Game, **options: Any) -> NashResult:
    _reject_unknown("logit", options, {"tol", "path_options", "support_thresholds"})
    tol = check_tol(options.get("tol", GAP_TOL))
    path_options = dict(options.get("path_options") or {})
    thresholds = tuple(options.get("support_thresholds", (1e-2, 1e-3, 1e-4, 1e-6, 1e-9)))
    try:
        qre = importlib.import_module("rqe.solvers.qre")
        qre_path = qre.qre_path
    except (ModuleNotFoundError, AttributeError) as exc:
        raise NotAvailableError(
            "method 'logit' follows the logit QRE path with rqe.solvers.qre.qre_path, which is not available in "
            "this version of rqe; use method='pure', 'support_enumeration', 'vertex_enumeration' or 'lemke_howson'"
        ) from exc
    # the path is followed on the normalised game: its end point is a Nash equilibrium of that game, hence of
    # this one, and the path's step control and tolerances no longer depend on the payoffs' scale
    scaled = normalise(game)
    normalised_game = scaled.normalised_game
    path = qre_path(normalised_game, **path_options)
    end = _path_end_point(path, game)
    from rqe.solvers.polish import polish_to_nash

    polished, support_used = polish_to_nash(normalised_game, end, tol=tol, thresholds=thresholds)
    equilibria, _ = certify(game, [polished] if polished is not None else [], tol, scaled=scaled)
    parameters = {"tol": tol, "path_options": path_options, "support_thresholds": thresholds}
    details = {"end_point": tuple(np.asarray(x) for x in end), "end_point_gap": normalised_game.nash_gap(end),
               "support": support_used}
    for name in ("converged", "steps", "nash_gap"):
        if hasattr(path, name):
            details[f"path_{name}"] = getattr(path, name)
    return NashResult(tuple(equilibria), "logit", parameters, complete=False, converged=bool(equilibria),
                      details=details)


def _global_newton(game: Game, **options: Any) -> NashResult:
    _reject_unknown("global_newton", options, {"seed", "tol", "max_steps", "max_size"})
    from rqe.solvers.global_newton import global_newton

    r = global_newton(game, **options)
    return NashResult(r.equilibria, "global_newton", r.parameters, complete=False, converged=r.converged,
                      iterations=r.iterations, details={"end_lambda": r.end_lambda})


def _path_end_point(path: Any, game: Game) -> tuple[np.ndarray, ...]:
    """The end point of a logit QRE path.

    ``rqe.solvers.qre.QREPath`` carries it as ``nash`` (its own polished end point, or the last branch point)
    and the branch as ``probabilities`` (one concatenated profile per row); sequences of profiles are read too.
    """
    nash = getattr(path, "nash", None)
    if nash is not None and len(nash) == game.n_players:
        return tuple(np.asarray(x, dtype=float) for x in nash)
    probabilities = getattr(path, "probabilities", None)
    if probabilities is not None and len(probabilities) > 0:
        last = np.asarray(probabilities[-1], dtype=float)
        if last.shape == (sum(game.shape),):
            return tuple(np.split(last, np.cumsum(game.shape)[:-1]))
    for name in ("profiles", "strategies", "points"):
        seq = getattr(path, name, None)
        if seq is not None and len(seq) > 0 and len(seq[-1]) == game.n_players:
            return tuple(np.asarray(x, dtype=float) for x in seq[-1])
    equilibria = getattr(path, "equilibria", None)
    if equilibria:
        return tuple(np.asarray(x, dtype=float) for x in equilibria[-1].strategies)
    if isinstance(path, (list, tuple)) and path and len(path[-1]) == game.n_players:
        return tuple(np.asarray(x, dtype=float) for x in path[-1])
    raise NotAvailableError(f"cannot read the end point of the logit path returned by qre_path: {type(path).__name__}")


def _auto(game: Game, **options: Any) -> NashResult:
    from rqe.errors import ProblemSizeError

    if game.n_players == 2:
        try:
            result = _vertex_enumeration(game, **options)
        except ProblemSizeError:
            result = _lemke_howson(game, **{k: v for k, v in options.items() if k in {"tol", "max_iter"}})
        return NashResult(result.equilibria, result.method, {**result.parameters, "requested": "auto"},
                          result.complete, result.converged, result.degenerate, result.details, result.iterations)
    if game.n_players == 1:
        result = _pure(game, **options)
        return NashResult(result.equilibria, "pure", {**result.parameters, "requested": "auto"}, complete=False,
                          details=result.details)
    pure = _pure(game, **{k: v for k, v in options.items() if k in {"tol", "atol", "max_size"}})
    found = list(pure.equilibria)
    method = "pure"
    try:
        logit = _logit(game, **{k: v for k, v in options.items() if k in {"tol", "path_options"}})
    except NotAvailableError:
        logit = None
    if logit is not None:
        method = "pure+logit"
        tol = check_tol(options.get("tol", GAP_TOL))
        found, _ = certify(game, [e.strategies for e in found] + [e.strategies for e in logit.equilibria], tol)
    return NashResult(sort_equilibria(found), method, {"tol": options.get("tol", GAP_TOL), "requested": "auto"},
                      complete=False)


_DISPATCH = {
    "pure": _pure,
    "support_enumeration": _support_enumeration,
    "vertex_enumeration": _vertex_enumeration,
    "lemke_howson": _lemke_howson,
    "lp": _lp,
    "logit": _logit,
    "global_newton": _global_newton,
}
