"""Risk-averse quantal response equilibria (RQE): exact solutions with certificates, branches, fits, batches.

Mathematics (``docs/rqe-math.md`` sections 2-4): player ``i`` maximises

    U_i^{tau,eps}(x_i, x_{-i}) = min_{p in Delta(A_{-i})} x_i^T M_i p + (1/tau_i) D(p, x_{-i}) - eps_i nu(x_i)

([QZLM] eq. 1-2; [MPS] Def. 5). ``tau_i >= 0`` is the degree of risk aversion (penalty weight ``1/tau_i``;
``tau = 0`` is risk neutral and gives the logit QRE with ``lam = 1/eps``), ``eps_i > 0`` the bounded
rationality. ``x*`` is an RQE when every ``x_i*`` maximises ``U_i^{tau,eps}(., x*_{-i})``.

Certificate (every penalty and regulariser): with ``p_i(x)`` the adversary at ``x`` and ``r_i = R_i(M_i p_i(x))``
the regularised response to it, weak duality of the inner minimisation gives

    max_y U_i^{tau,eps}(y, x_{-i}) - U_i^{tau,eps}(x_i, x_{-i}) <= eps_i D_nu(x_i, r_i)

(``D_nu`` the Bregman divergence of ``nu``: ``KL(x_i || r_i)`` for the negative entropy), zero exactly at an RQE
and computed in one evaluation. ``converged`` is True only when this bound is below ``min(tol, 1e-10)`` and
the fixed-point residual ``max_i ||x_i - r_i||_1`` below ``STATIONARITY_TOL = 1e-6``. Where the bound does not
certify a point, the residual reported is the best-response gap itself (:func:`rqe_residual`: Newton's method
in log coordinates on the concave best-response problem, a rigorous dual bound for KL + negative entropy).

Methods (:func:`solve_rqe`), one module each:

* ``"fixed_point"`` (:mod:`.newton`; compiled for every closed-form pair, KL or reverse KL with entropy or
  log-barrier: :mod:`._newton_kernels` for 2-player KL, :mod:`._newton_nplayer` for reverse KL and for any
  number of players, called by :mod:`.compiled_nplayer`; NumPy only for user-supplied hooks):
  damped iteration of the stationarity system ``x_i = R_i(M_i p_i)``, ``p_i = argmin_p <M_i^T x_i, p> +
  D(p, x_{-i})/tau_i`` (for KL + entropy ``x_i = softmax(M_i p_i/eps_i)``, ``p_i ∝ x_{-i} ⊙
  exp(-tau_i M_i^T x_i)``), then damped Newton in log coordinates (for 2x2 games with KL + entropy, on the
  two-logit form of the same system, :mod:`._newton_2x2`); the whole multistart is one compiled call
  (:mod:`._multistart_kernels`);
* ``"extragradient"`` (:mod:`.extragradient`): entropic mirror-prox on the auxiliary 2N-player game of
  section 4, convergent where that game is monotone ([MPS] Thm 6-7), then the same Newton polish;
* ``"continuation"`` (:mod:`.continuation`): the logit QRE path from the centroid (``tau = 0``, payoffs ``s u``
  for ``s: 0 -> 1``), then continuation in ``tau`` from ``0`` to its value, by pseudo-arclength
  predictor-corrector (it follows the branch through folds, [T05]);
* ``"auto"`` (default): ``"fixed_point"`` from the principal start and, on games with at most
  ``MULTISTART_MAX_PROFILES`` pure profiles, from every near-pure profile and ``MULTISTART_RANDOM`` seeded
  Dirichlet draws (:mod:`.multistart`); ``"continuation"`` only when the principal start is not certified.

Every distinct certified RQE found is listed in ``equilibria``, the principal first; ``complete`` says whether
the list is proven to be all of them (only under the closed-form tractability criterion of section 4, where
the RQE is unique). Tractability (:mod:`.tractability`) is computed when asked, never on every solve.

The problem is a frozen value (:class:`RQEProblem`); the stationarity system, its Jacobian and the certificate
are written once (:mod:`.system` for every pair, :mod:`._kernels` compiled for the closed-form ones) and used by
:func:`solve_rqe`, :func:`rqe_branches`, :func:`fit_rqe`, :func:`solve_rqe_batch` and the Markov stage games.

References: [MPS] Mazumdar, Panaganti, Shi, ICLR 2025; [QZLM] Qu, Zhang, Lanzetti, Mazumdar, 2026;
[ZM25], [ZM26] Zhang, Mazumdar; [MP95] McKelvey, Palfrey; [T05] Turocy.

Examples
--------
>>> import rqe
>>> game = rqe.Game.from_bimatrix([[200, 160], [370, 10]], [[160, 10], [200, 370]], title="GHP game 4")
>>> result = rqe.solve_rqe(game, tau=[0.001, 0.06], epsilon=[170, 110], regularizer="log_barrier")
>>> result.converged, result.residual < 1e-10
(True, True)
>>> [round(float(x[0]), 3) for x in result.strategies]
[0.468, 0.654]
"""

from __future__ import annotations

from rqe.solvers.rqe.batch import solve_rqe_batch
from rqe.solvers.rqe.branches import rqe_branches
from rqe.solvers.rqe.fit import fit_rqe
from rqe.solvers.rqe.multistart import MULTISTART_MAX_PROFILES, MULTISTART_RANDOM
from rqe.solvers.rqe.problem import CERTIFICATE_TOL, STATIONARITY_TOL, RQEProblem
from rqe.solvers.rqe.results import Bifurcation, RQEBatchResult, RQEBranches, RQEFit, RQEResult, Tractability
from rqe.solvers.rqe.solve import METHODS, rqe_residual, solve_rqe
from rqe.solvers.rqe.tractability import KL_ENTROPY_CRITERION, is_tractable

__all__ = [
    "RQEResult", "Tractability", "RQEBranches", "Bifurcation", "RQEFit", "RQEBatchResult", "RQEProblem",
    "solve_rqe", "is_tractable", "rqe_branches", "fit_rqe", "solve_rqe_batch", "rqe_residual",
    "CERTIFICATE_TOL", "STATIONARITY_TOL", "METHODS", "MULTISTART_MAX_PROFILES", "MULTISTART_RANDOM",
    "KL_ENTROPY_CRITERION",
]
