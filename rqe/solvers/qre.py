"""Logit quantal response equilibrium (QRE): fixed points, the principal branch, estimation, batches.

A profile ``x`` is a logit QRE with precision ``lam_i >= 0`` [MP95] when every player's strategy is the logit
response to the others' play:

    x_i = softmax(lam_i v_i(x)),      v_i(x)_k = (M_i x_{-i})_k = E_{a_{-i} ~ x_{-i}} u_i(k, a_{-i}).

It is the ``tau -> 0`` limit of the RQE with ``epsilon = 1 / lam`` (``docs/rqe-math.md`` section 3). At
``lam = 0`` play is uniform; the QRE correspondence contains a unique smooth curve through that point, the
*principal branch*, whose limit as ``lam -> infinity`` is a Nash equilibrium for generic games [MP95]; [T05]
follows it in log coordinates, as Gambit's ``logit_solve`` does. This module:

* :func:`solve_qre`: the QRE at given ``lam`` (scalar or one per player), on the principal branch by default;
* :func:`qre_path`: the principal branch from ``lam = 0`` and its Nash end point, polished to an exact
  equilibrium by solving the indifference equations on its support;
* :func:`fit_qre`: maximum-likelihood ``lam`` from observed play, with its standard error;
* :func:`solve_qre_batch`: many games of one shape at once (compiled, parallel over games).

The numerics live in :mod:`rqe.solvers._qre_kernels`; payoffs are divided by their range ``max u - min u``
inside the kernels and the precision multiplied by it, which leaves the QRE unchanged.

Example
-------
>>> import rqe
>>> pennies = rqe.Game.zero_sum([[1, -1], [-1, 1]])
>>> res = rqe.solve_qre(pennies, 2.0)
>>> res.converged, res.strategies[0].round(6).tolist()
(True, [0.5, 0.5])
>>> path = rqe.qre_path(rqe.Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
>>> path.nash[0].tolist(), path.nash_gap
([0.0, 1.0], 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe._validation import check_real, per_player, positive_float, positive_int, real_array
from rqe.errors import ConvergenceError, GameError, ParameterError
from rqe.game import Game, Profile, as_game, as_profile
from rqe.results import Equilibrium, make_equilibrium
from rqe.solvers import _qre_kernels as _k
from rqe.solvers._jit import announce_compile

__all__ = [
    "QREResult",
    "QREPath",
    "QREFit",
    "QREBatchResult",
    "solve_qre",
    "qre_path",
    "fit_qre",
    "solve_qre_batch",
    "qre_residual",
]

_METHODS = ("auto", "path", "newton", "fixed_point")

# default continuation tuning (arclength of the first step in scaled units, largest step growth per step)
_FIRST_STEP = 0.1
_MAX_ACCEL = 2.0
# a path point is handed to the Nash polisher once its Nash gap is below this fraction of the payoff range
_POLISH_REGRET = 1e-4


# --------------------------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class _Prepared:
    pay: np.ndarray       # (N, P) payoffs divided by scale
    shape: np.ndarray     # (N,) int64
    offsets: np.ndarray   # (N + 1,) int64
    scale: float          # payoff range (1 for constant games)


def _prepare(game: Game) -> _Prepared:
    if not isinstance(game, Game):
        raise GameError(f"expected an rqe.Game, got {type(game).__name__}")
    payoffs = game.payoffs
    scale = float(payoffs.max() - payoffs.min())
    if not scale > 0.0:
        scale = 1.0
    n_players = game.n_players
    shape = np.array(game.shape, dtype=np.int64)
    offsets = np.zeros(n_players + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(shape)
    pay = np.ascontiguousarray(payoffs.reshape(n_players, -1) / scale)
    return _Prepared(pay, shape, offsets, scale)


def _split(vector: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    return [vector[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def _probabilities_from_logs(y: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per-player softmax of log-probabilities ``y`` (a vector, or one row per point)."""
    from rqe.solvers.rqe._kernels import softmax_blocks

    rows = np.array(y, dtype=np.float64).reshape(-1, np.shape(y)[-1])
    offsets = np.asarray(offsets, dtype=np.int64)
    x = np.empty_like(rows)
    for row, out in zip(rows, x):  # the RQE core's entropy response, player by player
        softmax_blocks(row, offsets, out)
    return x.reshape(np.shape(y))


def _check_lam(lam: Any, n_players: int) -> np.ndarray:
    return per_player(lam, n_players, "lam", minimum=0.0)


def qre_residual(game: Game, profile: Sequence[Any], lam: Any) -> float:
    """The QRE certificate ``max_i max_k |x_ik - softmax(lam_i v_i(x))_k|``.

    Zero exactly at a logit QRE with precision ``lam`` (a scalar or one value per player).

    >>> import rqe
    >>> g = rqe.Game.zero_sum([[1, -1], [-1, 1]])
    >>> qre_residual(g, [[0.5, 0.5], [0.5, 0.5]], 3.0)
    0.0
    """
    lam = _check_lam(lam, game.n_players)
    x = as_profile(profile, game.shape)
    worst = 0.0
    for xi, vi, li in zip(x, game.action_values(x), lam):
        response = _probabilities_from_logs(li * vi, np.array([0, len(vi)]))
        worst = max(worst, float(np.max(np.abs(xi - response))))
    return worst


# --------------------------------------------------------------------------------------------- solve_qre
@dataclass(frozen=True)
class QREResult:
    """A logit QRE and how it was computed.

    Attributes
    ----------
    strategies : Profile
        The QRE profile.
    lam : numpy.ndarray
        The precision of each player.
    residual : float
        ``max |x - softmax(lam * action values)|`` at ``strategies`` (see :func:`qre_residual`).
    iterations : int
        Newton (or fixed-point) iterations spent, continuation steps included.
    converged : bool
        ``residual <= tol``.
    method : str
        ``"path"``, ``"newton"`` or ``"fixed_point"``: the method that produced ``strategies``.
    parameters : dict
        ``lam``, ``tol``, ``max_iter`` and the method's options.
    equilibria : tuple of Equilibrium
        The single profile as an :class:`~rqe.results.Equilibrium` (residual = the QRE residual).
    """

    strategies: Profile
    lam: np.ndarray
    residual: float
    iterations: int
    converged: bool
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    equilibria: tuple[Equilibrium, ...] = ()

    def __repr__(self) -> str:
        return (f"QREResult(strategies={self.strategies!r}, lam={np.array2string(self.lam, precision=4)}, "
                f"residual={self.residual:.2e}, iterations={self.iterations}, converged={self.converged}, "
                f"method={self.method!r})")


def _finish_qre(game, prep, y, lam, iterations, method, tol, parameters, raise_on_failure):
    x = _probabilities_from_logs(y, prep.offsets)
    profile = Profile(_split(x, prep.offsets), shape=game.shape)
    residual = qre_residual(game, profile, lam)
    converged = bool(residual <= tol)
    if not converged and raise_on_failure:
        raise ConvergenceError(
            f"solve_qre({method}) did not reach tol={tol:g}: residual {residual:.3e} after {iterations} iterations",
            residual=residual, iterations=iterations,
        )
    lam_ro = lam.copy()
    lam_ro.setflags(write=False)
    eq = make_equilibrium(game, profile, residual, lam=lam_ro)
    return QREResult(profile, lam_ro, residual, int(iterations), converged, method, parameters, (eq,))


def solve_qre(game: Game, lam: Any, *, tol: float = 1e-12, max_iter: int | None = None,
              init: Sequence[Any] | None = None, method: str = "auto", damping: float = 0.5,
              raise_on_failure: bool = False) -> QREResult:
    """The logit quantal response equilibrium of ``game`` at precision ``lam``.

    Solves ``x_i = softmax(lam_i (M_i x_{-i}))`` for every player ``i`` [MP95] (``docs/rqe-math.md`` section 3
    with ``tau -> 0``, ``epsilon = 1 / lam``).

    Parameters
    ----------
    game : Game
        Any number of players.
    lam : float or sequence of float
        Precision ``>= 0``, one value for all players or one per player.
    tol : float
        Required residual ``max |x - softmax(lam v(x))|``; ``converged`` is ``residual <= tol``. Round-off
        bounds the attainable residual by about ``lam * (max u - min u) * 1e-16``, so for precisions beyond
        ``~1e4 / (max u - min u)`` a looser ``tol`` may be needed.
    max_iter : int, optional
        Continuation steps (``"path"``, default 10000), Newton iterations (``"newton"``, default 100) or
        fixed-point iterations (``"fixed_point"``, default 100000).
    init : profile, optional
        Starting profile for ``"newton"`` and ``"fixed_point"``.
    method : {"auto", "path", "newton", "fixed_point"}
        ``"path"`` follows the principal branch from ``lam = 0`` by pseudo-arclength continuation in
        ``(log x, lam)`` [T05] and returns the first point of it at ``lam`` (for a per-player ``lam`` the
        branch along the ray ``t * lam``, ``t`` in ``[0, 1]``), then polishes it with Newton's method.
        ``"newton"`` runs damped Newton's method on the QRE equations in log coordinates from ``init``
        (uniform by default): fast, but it finds the QRE nearest ``init``, not necessarily the principal one.
        ``"fixed_point"`` iterates ``x <- (1 - damping) x + damping softmax(lam v(x))``; it converges when that
        map contracts (small ``lam``). ``"auto"`` is ``"path"`` without ``init`` and ``"newton"`` with it,
        falling back to ``"path"`` when Newton's method fails (``method`` then reports ``"path"``).
    damping : float
        Step of the fixed-point iteration, in ``(0, 1]``.
    raise_on_failure : bool
        Raise :class:`~rqe.errors.ConvergenceError` instead of returning ``converged=False``.

    Returns
    -------
    QREResult

    References
    ----------
    [MP95] McKelvey & Palfrey (1995); [T05] Turocy (2005).

    Examples
    --------
    >>> import rqe
    >>> stag = rqe.Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> res = rqe.solve_qre(stag, 0.0)
    >>> res.strategies[0].tolist()
    [0.5, 0.5]
    >>> res = rqe.solve_qre(stag, 5.0)
    >>> res.converged, res.residual < 1e-12, res.method
    (True, True, 'path')
    >>> bool(rqe.solve_qre(stag, [1.0, 3.0]).strategies[1][1] > 0.5)
    True
    """
    game = as_game(game)  # a Game, or a pair of payoff matrices (A, B); else an error showing the fix
    prep = _prepare(game)
    lam = _check_lam(lam, game.n_players)
    tol = positive_float(tol, "tol")
    announce_compile(_k.trace_path, _k.newton_fixed_s)
    if method not in _METHODS:
        raise ParameterError(f"method must be one of {', '.join(map(repr, _METHODS))}, got {method!r}")
    damping = positive_float(damping, "damping")
    if damping > 1.0:
        raise ParameterError(f"damping must be in (0, 1], got {damping!r}")
    if max_iter is not None:
        max_iter = positive_int(max_iter, "max_iter")
    init_profile = None if init is None else as_profile(init, game.shape)
    chosen = method
    if method == "auto":
        chosen = "path" if init_profile is None else "newton"
    parameters: dict[str, Any] = {"lam": lam.tolist(), "tol": tol, "max_iter": max_iter, "method": method}

    lam_top = float(lam.max())
    s_target = lam_top * prep.scale
    weights = lam / lam_top if lam_top > 0 else np.ones(game.n_players)

    if chosen == "fixed_point":
        x = np.concatenate(init_profile) if init_profile is not None else np.concatenate(
            Profile.uniform(game.shape))
        x = np.array(x, dtype=np.float64)
        iters, _ = _k.fixed_point(prep.pay, prep.shape, prep.offsets, lam * prep.scale, x, damping, tol,
                                  100_000 if max_iter is None else max_iter)
        parameters["damping"] = damping
        return _finish_qre(game, prep, np.log(np.maximum(x, 1e-300)), lam, iters, "fixed_point", tol,
                           parameters, raise_on_failure)

    if chosen == "newton":
        start = init_profile if init_profile is not None else Profile.uniform(game.shape)
        y = np.log(np.maximum(np.concatenate(start), 1e-300))
        conv, iters, _ = _k.newton_fixed_s(prep.pay, prep.shape, prep.offsets, weights, y, s_target, 1e-14,
                                           100 if max_iter is None else max_iter)
        result = _finish_qre(game, prep, y, lam, iters, "newton", tol, parameters,
                             raise_on_failure and method != "auto")
        if result.converged or method != "auto":
            return result
        chosen = "path"

    max_steps = 10_000 if max_iter is None else max_iter
    status, count, points, gaps, z, _, _, iters = _k.trace_path(
        prep.pay, prep.shape, prep.offsets, weights, s_target, False, np.inf, max_steps, False,
        _FIRST_STEP, _MAX_ACCEL, 0.0, 0.0,
    )
    y = z[:-1].copy()
    if status == _k.STATUS_DONE and s_target > 0:
        # final Newton polish at the target (the landing already used a tight tolerance)
        _, extra, _ = _k.newton_fixed_s(prep.pay, prep.shape, prep.offsets, weights, y, s_target, 1e-15, 5)
        iters += extra
    parameters["status"] = _STATUS_TEXT[status]
    return _finish_qre(game, prep, y, lam, iters, "path", tol, parameters, raise_on_failure)


_STATUS_TEXT = {
    _k.STATUS_DONE: "done",
    _k.STATUS_MAX_STEPS: "step budget exhausted",
    _k.STATUS_STUCK: "step size fell below its minimum",
    _k.STATUS_LAM_MAX: "reached lam_max",
}


# --------------------------------------------------------------------------------------------- qre_path
@dataclass(frozen=True)
class QREPath:
    """Points of the principal logit QRE branch and its polished Nash end point.

    Attributes
    ----------
    lam : numpy.ndarray
        ``(K,)`` precisions of the branch points, from 0 (the branch may turn back in ``lam``).
    probabilities : numpy.ndarray
        ``(K, n_1 + ... + n_N)``: the profile at each point, players' strategies concatenated.
    gaps : numpy.ndarray
        ``(K,)`` Nash gap of each point (in the game's payoff units).
    nash : Profile
        The end point: the polished Nash equilibrium when ``converged``, otherwise the last branch point.
    nash_gap : float
        Nash gap of ``nash`` (``game.nash_gap``).
    converged : bool
        ``nash_gap <= nash_tol``.
    steps : int
        Accepted continuation steps.
    iterations : int
        Newton iterations in the corrector and the landing.
    method : str
        ``"path"``.
    parameters : dict
        Options used, and ``status`` (why tracing stopped).
    equilibria : tuple of Equilibrium
        ``nash`` as an :class:`~rqe.results.Equilibrium` (residual = its Nash gap).
    """

    lam: np.ndarray
    probabilities: np.ndarray
    gaps: np.ndarray
    nash: Profile
    nash_gap: float
    converged: bool
    steps: int
    iterations: int
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    equilibria: tuple[Equilibrium, ...] = ()
    shape: tuple[int, ...] = ()

    def __len__(self) -> int:
        return int(self.lam.shape[0])

    @property
    def profiles(self) -> tuple[Profile, ...]:
        """The branch points as :class:`~rqe.game.Profile` objects."""
        offsets = np.concatenate([[0], np.cumsum(self.shape)])
        return tuple(Profile(_split(row, offsets)) for row in self.probabilities)

    def strategy(self, player: int) -> np.ndarray:
        """``(K, n_player)``: the player's strategy along the branch."""
        offsets = np.concatenate([[0], np.cumsum(self.shape)])
        return self.probabilities[:, offsets[player]:offsets[player + 1]]

    def __repr__(self) -> str:
        return (f"QREPath(points={len(self)}, lam_end={self.lam[-1]:.4g}, nash={self.nash!r}, "
                f"nash_gap={self.nash_gap:.2e}, converged={self.converged})")


def qre_path(game: Game, lam_max: float | None = None, *, max_steps: int = 10_000, first_step: float = _FIRST_STEP,
             max_accel: float = _MAX_ACCEL, nash_tol: float = 1e-10) -> QREPath:
    """Trace the principal branch of the logit QRE correspondence from ``lam = 0`` [MP95, T05].

    The branch is the solution curve of ``H(y, lam) = 0`` (the QRE equations in log coordinates
    ``y = log x``: ``sum_k exp(y_ik) = 1`` and ``y_ik - y_i0 = lam (v_ik - v_i0)``) through
    ``(log uniform, 0)``. It is followed by pseudo-arclength continuation: an Euler predictor along the unit
    tangent of the curve in ``(y, lam)`` and a Newton corrector on the hyperplane orthogonal to it, so
    turning points in ``lam`` are passed. The step length adapts to the size of the first Newton correction
    and to the turning of the tangent (grows by at most ``max_accel`` per step, halves on rejection).

    Without ``lam_max`` tracing continues until a branch point, handed to the polisher, gives an exact Nash
    equilibrium: the support of the point defines indifference equations ``(M_i x_{-i})_k = u_i``
    (``k`` in the support), ``sum_k x_ik = 1``, solved by Newton's method and accepted when the solution is a
    probability vector with Nash gap ``<= nash_tol``. This is the equilibrium Gambit's ``logit_solve``
    approximates. With ``lam_max`` the branch stops at the first point with ``lam = lam_max`` and the same
    polishing is tried there.

    Parameters
    ----------
    game : Game
    lam_max : float, optional
        Last precision to trace to.
    max_steps : int
        Budget of accepted continuation steps.
    first_step : float
        Arclength of the first step (in units where the payoff range is 1).
    max_accel : float
        Largest growth factor of the step length between steps (>= 1).
    nash_tol : float
        Accepted Nash gap of the polished end point, in payoff units (floored at ``1e-13`` times the payoff
        range).

    Returns
    -------
    QREPath

    Examples
    --------
    >>> import rqe
    >>> pd = rqe.Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> path = rqe.qre_path(pd)
    >>> path.converged, path.nash[0].tolist(), path.nash[1].tolist()
    (True, [0.0, 1.0], [0.0, 1.0])
    >>> float(path.lam[0]), path.probabilities[0].tolist()
    (0.0, [0.5, 0.5, 0.5, 0.5])
    """
    prep = _prepare(game)
    if lam_max is not None:
        lam_max = check_real(lam_max, "lam_max", nonnegative=True)
    max_steps = positive_int(max_steps, "max_steps")
    first_step = positive_float(first_step, "first_step")
    max_accel = positive_float(max_accel, "max_accel")
    if max_accel < 1.0:
        raise ParameterError(f"max_accel must be >= 1, got {max_accel!r}")
    nash_tol = positive_float(nash_tol, "nash_tol")
    weights = np.ones(game.n_players)
    scaled_tol = max(nash_tol / prep.scale, 1e-13)
    if lam_max is None:
        status, count, points, gaps, z, nash, nash_gap, iters = _k.trace_path(
            prep.pay, prep.shape, prep.offsets, weights, 0.0, True, np.inf, max_steps, True,
            first_step, max_accel, _POLISH_REGRET, scaled_tol,
        )
    else:
        status, count, points, gaps, z, nash, nash_gap, iters = _k.trace_path(
            prep.pay, prep.shape, prep.offsets, weights, lam_max * prep.scale, False, np.inf, max_steps, True,
            first_step, max_accel, _POLISH_REGRET, scaled_tol,
        )
        if status == _k.STATUS_DONE:
            end = _probabilities_from_logs(z[:-1], prep.offsets)
            nash = np.zeros_like(end)
            end_gap = float(gaps[count - 1])
            nash_gap = _k.polish_near(prep.pay, prep.shape, prep.offsets, end, max(1e-2, 100.0 * end_gap), True,
                                      nash)
    points = points[:count]
    lam = points[:, -1] / prep.scale
    probabilities = _probabilities_from_logs(points[:, :-1], prep.offsets)
    if np.isfinite(nash_gap) and nash_gap <= scaled_tol:
        end_profile = Profile(_split(nash, prep.offsets), shape=game.shape)
    else:
        end_profile = Profile(_split(probabilities[-1], prep.offsets), shape=game.shape)
    gap = game.nash_gap(end_profile)
    converged = bool(gap <= max(nash_tol, 1e-13 * prep.scale))
    parameters = {"lam_max": lam_max, "max_steps": max_steps, "first_step": first_step, "max_accel": max_accel,
                  "nash_tol": nash_tol, "status": _STATUS_TEXT[status]}
    eq = make_equilibrium(game, end_profile, gap, lam=float(lam[-1]), polished=converged)
    lam.setflags(write=False)
    probabilities.setflags(write=False)
    gaps_out = gaps[:count] * prep.scale
    gaps_out.setflags(write=False)
    return QREPath(lam, probabilities, gaps_out, end_profile, float(gap), converged, int(count - 1), int(iters),
                   "path", parameters, (eq,), tuple(game.shape))


# --------------------------------------------------------------------------------------------- fit_qre
@dataclass(frozen=True)
class QREFit:
    """Maximum-likelihood logit QRE for observed play.

    Attributes
    ----------
    lam : float or numpy.ndarray
        The estimate (one value, or one per player with ``per_player=True``).
    se : float or numpy.ndarray
        Standard error from the observed information ``-d^2 logL / d lam^2`` (NaN when the data are
        frequencies without ``n_observations`` or the maximum is on the boundary).
    log_likelihood : float
        ``sum_i sum_k c_ik log x_ik`` at the estimate.
    qre : QREResult
        The QRE at the estimate.
    converged : bool
        The maximiser is interior and the QRE converged.
    method : str
        ``"mle"``.
    parameters : dict
    equilibria : tuple of Equilibrium
        ``qre.equilibria``.
    """

    lam: Any
    se: Any
    log_likelihood: float
    qre: QREResult
    converged: bool
    method: str = "mle"
    parameters: dict[str, Any] = field(default_factory=dict)
    equilibria: tuple[Equilibrium, ...] = ()

    @property
    def strategies(self) -> Profile:
        """The QRE profile at the estimate."""
        return self.qre.strategies

    def __repr__(self) -> str:
        return (f"QREFit(lam={np.round(self.lam, 6)}, se={np.round(self.se, 6)}, "
                f"log_likelihood={self.log_likelihood:.6g}, converged={self.converged})")


def _observed_counts(game: Game, observed: Any, n_observations: float | None) -> tuple[np.ndarray, bool]:
    if isinstance(observed, (str, bytes)) or not isinstance(observed, (Sequence, np.ndarray)):
        raise ParameterError(f"observed must be one vector of counts or frequencies per player, got "
                             f"{type(observed).__name__}")
    rows = [real_array(o, f"observed[{i}]", error=ParameterError) for i, o in enumerate(observed)]
    if len(rows) != game.n_players:
        raise ParameterError(f"observed must have one vector per player ({game.n_players}), got {len(rows)}")
    for i, (r, n) in enumerate(zip(rows, game.shape)):
        if r.shape != (n,):
            raise ParameterError(f"observed[{i}] must have {n} entries (one per action), got shape {r.shape}")
        if not np.all(np.isfinite(r)) or np.any(r < 0):
            raise ParameterError(f"observed[{i}] must be finite and non-negative, got {r.tolist()}")
        if r.sum() <= 0:
            raise ParameterError(f"observed[{i}] has no observations")
    frequencies = all(abs(r.sum() - 1.0) < 1e-9 for r in rows)
    counts = np.concatenate(rows)
    if n_observations is not None:
        n_obs = positive_float(n_observations, "n_observations")
        counts = np.concatenate([r / r.sum() * n_obs for r in rows])
        frequencies = False
    return counts, frequencies


def _dlogl_ds(prep, weights, y, s, counts) -> float:
    """d logL / ds along the branch at a solution point (implicit function theorem)."""
    n = y.shape[0]
    x = np.empty(n)
    v = np.empty(n)
    D = np.zeros((n, n))
    H = np.empty(n)
    J = np.empty((n, n + 1))
    _k.qre_system(prep.pay, prep.shape, prep.offsets, weights, y, s, x, v, D, False, H, J, True)
    dy = np.linalg.solve(J[:, :n], -J[:, n])
    # log x = y - log sum exp(y); on the solution manifold sum exp(y) = 1 and d(sum exp y) = 0
    return float(counts @ dy)


def _loglik(y: np.ndarray, counts: np.ndarray, offsets: np.ndarray) -> float:
    x = _probabilities_from_logs(y, offsets)
    with np.errstate(divide="ignore"):
        logs = np.where(counts > 0, np.log(x), 0.0)
    return float(counts @ logs)


def fit_qre(game: Game, observed: Sequence[Any], *, per_player: bool = False, lam_max: float | None = None,
            n_observations: float | None = None, tol: float = 1e-12) -> QREFit:
    """Maximum-likelihood estimate of the logit precision from observed play [MP95; Bland & Turocy 2023].

    The log-likelihood of counts ``c_ik`` (player ``i`` chose action ``k`` ``c_ik`` times) is
    ``logL(lam) = sum_ik c_ik log x_ik(lam)`` with ``x(lam)`` the principal-branch QRE. As Gambit's
    ``logit_estimate`` does, the branch is traced from ``lam = 0`` (to its Nash end, or ``lam_max``) and the
    global maximiser along it is taken, then refined by a bounded one-dimensional search between the
    neighbouring branch points. The standard error is ``1 / sqrt(-d^2 logL / d lam^2)``, the derivative along
    the branch by the implicit function theorem (``dy/dlam = -H_y^{-1} H_lam``) and a central difference.

    With ``per_player=True`` one precision per player is fitted (starting from the common estimate, principal
    branch along the ray through the current estimate) and standard errors come from the inverse observed
    information matrix (finite differences).

    Parameters
    ----------
    game : Game
    observed : sequence of array_like
        One vector per player of action counts (or frequencies summing to 1).
    per_player : bool
        Fit one ``lam`` per player.
    lam_max : float, optional
        Largest precision considered (default: the whole branch up to its Nash end).
    n_observations : float, optional
        Sample size per player when ``observed`` holds frequencies (needed for a standard error).
    tol : float
        Residual tolerance of the QRE at the estimate.

    Returns
    -------
    QREFit

    Examples
    --------
    >>> import rqe
    >>> g = rqe.Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> truth = rqe.solve_qre(g, 1.5).strategies
    >>> fit = rqe.fit_qre(g, [1000 * truth[0], 1000 * truth[1]])
    >>> round(fit.lam, 6), fit.se > 0
    (1.5, True)
    """
    prep = _prepare(game)
    counts, frequencies = _observed_counts(game, observed, n_observations)
    if lam_max is not None:
        lam_max = positive_float(lam_max, "lam_max")
    weights = np.ones(game.n_players)
    if lam_max is None:
        status, count, points, _, z, _, _, _ = _k.trace_path(
            prep.pay, prep.shape, prep.offsets, weights, 0.0, True, np.inf, 10_000, True,
            _FIRST_STEP, _MAX_ACCEL, _POLISH_REGRET * 1e-4, 1e-13,
        )
    else:
        status, count, points, _, z, _, _, _ = _k.trace_path(
            prep.pay, prep.shape, prep.offsets, weights, lam_max * prep.scale, False, np.inf, 10_000, True,
            _FIRST_STEP, _MAX_ACCEL, 0.0, 0.0,
        )
    points = points[:count]
    with np.errstate(divide="ignore"):
        logs = np.log(_probabilities_from_logs(points[:, :-1], prep.offsets))
    ll = np.where(counts > 0, logs, 0.0) @ counts
    best = int(np.argmax(ll))
    s_best, y_best = points[best, -1], points[best, :-1].copy()
    interior = 0 < best < count - 1
    # refine between the neighbouring branch points (where lam is monotone there)
    lo, hi = max(best - 1, 0), min(best + 1, count - 1)
    if hi > lo and np.all(np.diff(points[lo:hi + 1, -1]) > 0):
        from scipy.optimize import minimize_scalar

        s_pts = points[lo:hi + 1, -1]

        def y_at(s: float) -> np.ndarray:
            j = int(np.clip(np.searchsorted(s_pts, s) - 1, 0, len(s_pts) - 2))
            f = (s - s_pts[j]) / (s_pts[j + 1] - s_pts[j])
            y = points[lo + j, :-1] + f * (points[lo + j + 1, :-1] - points[lo + j, :-1])
            _k.newton_fixed_s(prep.pay, prep.shape, prep.offsets, weights, y, s, 1e-14, 50)
            return y

        opt = minimize_scalar(lambda s: -_loglik(y_at(s), counts, prep.offsets), bounds=(s_pts[0], s_pts[-1]),
                              method="bounded", options={"xatol": 1e-10 * max(1.0, s_pts[-1])})
        if -opt.fun >= ll[best]:
            s_best = float(opt.x)
            y_best = y_at(s_best)
    lam_hat = s_best / prep.scale
    se = float("nan")
    if interior and not frequencies:
        h = 1e-4 * max(s_best, 1e-2)
        derivs = []
        for s in (s_best - h, s_best + h):
            y = y_best.copy()
            _k.newton_fixed_s(prep.pay, prep.shape, prep.offsets, weights, y, s, 1e-14, 50)
            derivs.append(_dlogl_ds(prep, weights, y, s, counts))
        curvature = (derivs[1] - derivs[0]) / (2 * h)
        if curvature < 0:
            se = math.sqrt(-1.0 / curvature) / prep.scale
    qre = solve_qre(game, lam_hat, tol=tol, init=_split(_probabilities_from_logs(y_best, prep.offsets),
                                                         prep.offsets), method="newton")
    loglik = _loglik(np.log(np.maximum(np.concatenate(qre.strategies), 1e-300)), counts, prep.offsets)
    parameters = {"lam_max": lam_max, "per_player": per_player, "n_observations": n_observations,
                  "boundary": not interior}
    if not per_player:
        return QREFit(float(lam_hat), se, loglik, qre, bool(interior and qre.converged), "mle", parameters,
                      qre.equilibria)
    return _fit_per_player(game, prep, counts, frequencies, qre, lam_hat, tol, parameters)


def _fit_per_player(game, prep, counts, frequencies, qre0, lam0, tol, parameters) -> QREFit:
    from scipy.optimize import minimize

    n_players = game.n_players
    state = {"y": np.log(np.maximum(np.concatenate(qre0.strategies), 1e-300))}

    def solve_at(lam_vec: np.ndarray) -> np.ndarray | None:
        top = float(lam_vec.max())
        w = lam_vec / top if top > 0 else np.ones(n_players)
        y = state["y"].copy()
        conv, _, _ = _k.newton_fixed_s(prep.pay, prep.shape, prep.offsets, w, y, top * prep.scale, 1e-14, 50)
        if not conv:
            res = solve_qre(game, lam_vec, tol=tol, method="path")
            y = np.log(np.maximum(np.concatenate(res.strategies), 1e-300))
        return y

    def negll(log_lam: np.ndarray) -> float:
        y = solve_at(np.exp(log_lam))
        state["y"] = y
        return -_loglik(y, counts, prep.offsets)

    start = np.full(n_players, math.log(max(lam0, 1e-6)))
    opt = minimize(negll, start, method="Nelder-Mead",
                   options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000, "maxfev": 8000})
    lam_hat = np.exp(opt.x)
    state["y"] = solve_at(lam_hat)
    se = np.full(n_players, np.nan)
    if not frequencies:
        # observed information by central differences in lam
        base_y = state["y"].copy()
        h = 1e-4 * np.maximum(lam_hat, 1e-2)

        def ll(lv):
            state["y"] = base_y.copy()
            return _loglik(solve_at(lv), counts, prep.offsets)

        hess = np.empty((n_players, n_players))
        f0 = ll(lam_hat)
        for a in range(n_players):
            for b in range(a, n_players):
                ea = np.zeros(n_players)
                eb = np.zeros(n_players)
                ea[a] = h[a]
                eb[b] = h[b]
                if a == b:
                    val = (ll(lam_hat + ea) - 2 * f0 + ll(lam_hat - ea)) / h[a] ** 2
                else:
                    val = (ll(lam_hat + ea + eb) - ll(lam_hat + ea - eb) - ll(lam_hat - ea + eb)
                           + ll(lam_hat - ea - eb)) / (4 * h[a] * h[b])
                hess[a, b] = hess[b, a] = val
        try:
            cov = np.linalg.inv(-hess)
            diag = np.diag(cov)
            se = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)
        except np.linalg.LinAlgError:
            pass
        state["y"] = base_y
    qre = solve_qre(game, lam_hat, tol=tol, init=_split(_probabilities_from_logs(state["y"], prep.offsets),
                                                         prep.offsets), method="newton")
    loglik = _loglik(np.log(np.maximum(np.concatenate(qre.strategies), 1e-300)), counts, prep.offsets)
    lam_hat.setflags(write=False)
    se.setflags(write=False)
    return QREFit(lam_hat, se, loglik, qre, bool(opt.success and qre.converged), "mle", parameters,
                  qre.equilibria)


# --------------------------------------------------------------------------------------------- batches
@dataclass(frozen=True)
class QREBatchResult:
    """Principal-branch QRE of a stack of games of one shape.

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        ``strategies[i]`` has shape ``(B, n_i)``: player ``i``'s QRE strategy in each game.
    residual : numpy.ndarray
        ``(B,)`` QRE residuals.
    converged : numpy.ndarray
        ``(B,)`` booleans, ``residual <= tol``.
    iterations : numpy.ndarray
        ``(B,)`` Newton iterations per game.
    lam : numpy.ndarray
        ``(B, N)`` precisions used.
    method : str
        ``"path"``.
    parameters : dict
    """

    strategies: tuple[np.ndarray, ...]
    residual: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    lam: np.ndarray
    method: str = "path"
    parameters: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.residual.shape[0])

    def profile(self, b: int) -> Profile:
        """The QRE of game ``b`` as a :class:`~rqe.game.Profile`."""
        return Profile([s[b] for s in self.strategies])


def solve_qre_batch(payoffs_stack: Any, lam: Any, *, tol: float = 1e-12, max_steps: int = 10_000) -> QREBatchResult:
    """Principal-branch logit QRE of ``B`` games of one shape, in one compiled call (parallel over games).

    Each game is solved as :func:`solve_qre` with ``method="path"`` does (continuation from ``lam = 0``, landing
    exactly on the requested precision).

    Parameters
    ----------
    payoffs_stack : array_like
        ``(B, N, n_1, ..., n_N)``: ``payoffs_stack[b]`` is the payoff array of game ``b`` (as
        :attr:`rqe.Game.payoffs`).
    lam : float or array_like
        A scalar (all games, all players), ``(B,)`` (one per game) or ``(B, N)`` (per game and player).
    tol : float
        Residual defining ``converged``.
    max_steps : int
        Continuation step budget per game.

    Returns
    -------
    QREBatchResult

    Examples
    --------
    >>> import numpy as np, rqe
    >>> stack = np.random.default_rng(0).uniform(size=(100, 2, 3, 3))
    >>> out = rqe.solve_qre_batch(stack, 2.0)
    >>> out.strategies[0].shape, bool(out.converged.all())
    ((100, 3), True)
    """
    stack = real_array(payoffs_stack, "payoffs_stack")
    if stack.ndim < 3 or stack.ndim != stack.shape[1] + 2:
        raise GameError(f"payoffs_stack must have shape (B, N, n_1, ..., n_N), got {stack.shape}")
    tol = positive_float(tol, "tol")
    max_steps = positive_int(max_steps, "max_steps")
    B, N = stack.shape[0], stack.shape[1]
    shape = np.array(stack.shape[2:], dtype=np.int64)
    offsets = np.zeros(N + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(shape)
    lam_arr = real_array(lam, "lam", error=ParameterError)
    if lam_arr.ndim == 0:
        lam_arr = np.full((B, N), float(lam_arr))
    elif lam_arr.shape == (B,):
        lam_arr = np.repeat(lam_arr[:, None], N, axis=1)
    elif lam_arr.shape != (B, N):
        raise ParameterError(f"lam must be a scalar, shape ({B},) or ({B}, {N}), got shape {lam_arr.shape}")
    if np.any(np.isnan(lam_arr)) or np.any(np.isinf(lam_arr)) or np.any(lam_arr < 0):
        bad = np.argwhere(~(np.isfinite(lam_arr) & (lam_arr >= 0)))[0]
        raise ParameterError(f"lam must be finite and >= 0, got {lam_arr[tuple(bad)]} at index {tuple(bad)}")
    flat = stack.reshape(B, N, -1)
    scale = flat.max(axis=(1, 2)) - flat.min(axis=(1, 2))
    scale = np.where(scale > 0, scale, 1.0)
    pays = np.ascontiguousarray(flat / scale[:, None, None])
    top = lam_arr.max(axis=1)
    weights = np.where(top[:, None] > 0, lam_arr / np.where(top > 0, top, 1.0)[:, None], 1.0)
    s_targets = top * scale
    out = np.empty((B, int(offsets[-1])))
    status = np.empty(B, dtype=np.int64)
    iterations = np.empty(B, dtype=np.int64)
    _k.batch_qre(pays, shape, offsets, np.ascontiguousarray(weights), s_targets, max_steps, _FIRST_STEP,
                 _MAX_ACCEL, out, status, iterations)
    residual = _k.batch_residual(pays, shape, offsets, weights * s_targets[:, None], out)
    strategies = tuple(np.ascontiguousarray(out[:, offsets[i]:offsets[i + 1]]) for i in range(N))
    for s in strategies:
        s.setflags(write=False)
    lam_arr.setflags(write=False)
    converged = residual <= tol
    return QREBatchResult(strategies, residual, converged, iterations, lam_arr, "path",
                          {"tol": tol, "max_steps": max_steps})
