"""Result types of the RQE solvers; each conforms to :class:`rqe.results.SolverResult`
(``equilibria``, ``converged``, ``method``, ``parameters``, ``residual``, ``iterations``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from rqe.game import Profile
from rqe.results import Equilibrium

__all__ = ["Tractability", "RQEResult", "Bifurcation", "RQEBranches", "RQEBatchResult", "RQEFit"]


@dataclass(frozen=True)
class Tractability:
    """Which tractability criterion was checked and by how much it holds (``docs/rqe-math.md`` section 4).

    Attributes
    ----------
    tractable : bool
        True when the criterion holds (the RQE is then unique and first-order methods converge).
    criterion : str
        ``"eps1*tau1*eps2*tau2 >= 1"`` ([MPS] Thm 3 as used in their code), or
        ``"sampled monotonicity"`` (minimum eigenvalue of the symmetrised Jacobian of the auxiliary game's
        pseudo-gradient on the simplices' tangent spaces, over sampled points), or ``"risk neutral"``.
    margin : float
        ``eps1 tau1 eps2 tau2 - 1`` for the closed-form criterion, the smallest sampled eigenvalue (scaled by
        the payoff range) for the numerical one.
    weaker_margin : float or None
        For the 2-player closed-form pairs, ``16 eps1 eps2 tau1 tau2 - 1`` ([ZM26]'s weaker sufficient
        monotonicity condition ``16 eps1 eps2 tau1 tau2 > 1``).
    """

    tractable: bool
    criterion: str
    margin: float
    weaker_margin: float | None = None

    def __bool__(self) -> bool:
        return bool(self.tractable)


@dataclass(frozen=True)
class RQEResult:
    """The result of :func:`solve_rqe`.

    Attributes
    ----------
    strategies : Profile
        The principal RQE: the one reached from ``init`` (default: the centroid), or the continuation
        branch's end when the fixed point from there was not certified and continuation ran.
    adversaries : tuple of numpy.ndarray
        ``p_i`` over the other players' joint actions (C order, as ``game.payoff_matrix(i)``'s columns).
    values : numpy.ndarray
        Risk-adjusted values ``U_i^{tau,eps}(x_i, x_{-i})``.
    residual : float
        The certificate at ``strategies``: an upper bound of the section-4 best-response gap.
    converged : bool
        ``residual < min(tol, 1e-10)`` and fixed-point residual below ``STATIONARITY_TOL``.
    iterations : int
        Iterations of the method (fixed-point + Newton steps over all starts, or continuation steps).
    method : str
    equilibria : tuple of Equilibrium
        Every distinct certified RQE found, the principal first (each with ``extra["adversaries"]``,
        ``extra["values"]``).
    parameters : dict
    complete : bool
        True when ``equilibria`` is proven to be every RQE (the tractability criterion of section 4 holds,
        so the RQE is unique); False when the list is what a seeded multistart found.
    completeness : str
        Why ``complete`` is what it is.
    tractable : Tractability
        Computed on first access (it can cost a sampled monotonicity check).
    """

    strategies: Profile
    adversaries: tuple
    values: np.ndarray
    residual: float
    converged: bool
    iterations: int
    method: str
    equilibria: tuple
    parameters: dict = field(default_factory=dict)
    complete: bool = False
    completeness: str = ""
    _problem: Any = field(default=None, repr=False, compare=False)

    @cached_property
    def tractable(self) -> Tractability:
        from rqe.solvers.rqe.system import RQEModel
        from rqe.solvers.rqe.tractability import tractability
        return tractability(RQEModel(self._problem), 32, np.random.default_rng(0))

    def __repr__(self) -> str:
        return (f"RQEResult(strategies={self.strategies!r}, residual={self.residual:.2e}, converged={self.converged},"
                f" method={self.method!r}, n_equilibria={len(self.equilibria)}, complete={self.complete})")


@dataclass(frozen=True)
class Bifurcation:
    """A change in the number of RQE between two grid points, located by bisection.

    ``tau`` is the midpoint of the final bracket ``interval``; ``n_before`` / ``n_after`` count the RQE found
    at the grid points on either side. At a pitchfork (as in the collaborate/defect game, ``docs/rqe-math.md``
    section 6) two branches merge into a third; at a fold two branches meet and vanish.
    """

    tau: float
    interval: tuple
    n_before: int
    n_after: int


@dataclass(frozen=True)
class RQEBranches:
    """The RQE correspondence over a grid of ``tau`` values (:func:`rqe_branches`).

    Attributes
    ----------
    taus : numpy.ndarray
        The grid.
    equilibria : tuple of tuple of Profile
        All distinct RQE found at each grid point.
    branches : tuple of dict
        Each branch as ``{"taus": array, "strategies": list of Profile}``, linked across grid points by
        continuation (each point is Newton-continued from the branch's previous point).
    bifurcations : tuple of Bifurcation
    converged : bool
        Every reported point has a certificate below 1e-10.
    method : str
    parameters : dict
    residual : float
        The largest certificate of the reported points.
    iterations : int
        Newton and fixed-point iterations over every solve.
    """

    taus: np.ndarray
    equilibria: tuple
    branches: tuple
    bifurcations: tuple
    converged: bool
    method: str
    parameters: dict = field(default_factory=dict)
    residual: float = 0.0
    iterations: int = 0


@dataclass(frozen=True)
class RQEBatchResult:
    """RQE of many same-shaped games (:func:`solve_rqe_batch`).

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        ``(X1, ..., XN)`` with ``Xi[b]`` player ``i``'s RQE strategy in game ``b`` (shape ``(B, n_i)``).
    residuals : numpy.ndarray
        The section-4 certificate of each game.
    converged : numpy.ndarray of bool
        ``residual < 1e-10`` (and a fixed-point residual below ``STATIONARITY_TOL``) per game.
    iterations_per_game : numpy.ndarray of int
        Fixed-point and Newton iterations of each game (continuation steps included for a fallback).
    iterations : int
        The iterations over every game (``iterations_per_game.sum()``), as ``iterations`` of every result.
    residual : float
        The largest certificate (``residuals.max()``).
    equilibria : tuple of Equilibrium
        One per game (built on first access).
    n_fallback : int
        Games the Numba kernel left above the certificate and that were re-solved by :func:`solve_rqe`
        (continuation).
    method : str
    parameters : dict
    """

    strategies: tuple
    residuals: np.ndarray
    converged: np.ndarray
    iterations_per_game: np.ndarray
    n_fallback: int
    method: str
    parameters: dict = field(default_factory=dict)

    _stack: Any = field(default=None, repr=False, compare=False)

    @property
    def all_converged(self) -> bool:
        return bool(np.all(self.converged))

    @property
    def residual(self) -> float:
        return float(self.residuals.max()) if self.residuals.size else 0.0

    @property
    def iterations(self) -> int:
        return int(self.iterations_per_game.sum())

    @cached_property
    def equilibria(self) -> tuple:
        out = []
        for b in range(self.residuals.size):
            xs = tuple(s[b] for s in self.strategies)
            pay = np.empty(len(xs))
            for i in range(len(xs)):
                table = self._stack[b, i]
                for x in reversed(xs):  # contract the last player's axis first
                    table = table @ x
                pay[i] = table
            pay.setflags(write=False)
            out.append(Equilibrium(tuple.__new__(Profile, xs), pay, float(self.residuals[b])))
        return tuple(out)


@dataclass(frozen=True)
class RQEFit:
    """Maximum-likelihood ``(tau_i, eps_i)`` from observed play (:func:`fit_rqe`).

    Attributes
    ----------
    tau, epsilon : numpy.ndarray
        Fitted parameters per player.
    log_likelihood : float
        ``sum_i n_i sum_a f_ia log x_ia`` at the fit (``f`` observed frequencies, ``x`` the fitted RQE).
    kl_divergence : float
        ``sum_i KL(f_i || x_i)``: zero for a perfect fit.
    predicted, observed : Profile
    tractable : Tractability
        The tractability check at the fitted parameters.
    equilibria : tuple of Equilibrium
        The fitted RQE.
    converged : bool
        The optimiser's success flag and a certified RQE at the optimum.
    method : str
    parameters : dict
    iterations : int
        Likelihood evaluations (each one an RQE solve).
    """

    tau: np.ndarray
    epsilon: np.ndarray
    log_likelihood: float
    kl_divergence: float
    predicted: Profile
    observed: Profile
    tractable: Tractability
    equilibria: tuple
    converged: bool
    method: str
    parameters: dict = field(default_factory=dict)
    iterations: int = 0

    @property
    def residual(self) -> float:
        """The certificate of the fitted RQE."""
        return float(self.equilibria[0].residual) if self.equilibria else float("inf")
