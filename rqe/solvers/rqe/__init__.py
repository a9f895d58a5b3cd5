"""Risk-averse quantal response equilibria (RQE): exact solutions with certificates, branches, fits, batches.

Mathematics (``docs/rqe-math.md`` sections 2-4): player ``i`` maximises

    U_i^{tau,eps}(x_i, x_{-i}) = min_{p in Delta(A_{-i})} x_i^T M_i p + (1/tau_i) D(p, x_{-i}) - eps_i nu(x_i)

([QZLM] eq. 1-2; [MPS] Def. 5). ``tau_i >= 0`` is the degree of risk aversion (penalty weight ``1/tau_i``;
``tau = 0`` is risk neutral and gives the logit QRE with ``lam = 1/eps``), ``eps_i > 0`` the bounded
rationality. ``x*`` is an RQE when every ``x_i*`` maximises ``U_i^{tau,eps}(., x*_{-i})``.

Certificate: the residual of a result is ``max_i [max_y U_i^{tau,eps}(y, x_{-i}) - U_i^{tau,eps}(x_i, x_{-i})]``,
the concave best-response maximisation solved by Newton's method in log coordinates ``y = softmax(z)``
(coordinates far below the others, e.g. ``1e-200``, move to their optimum in one step instead of staying
frozen as in ``y`` coordinates), from ``x_i``, the regularised response and the uniform strategy. For KL +
negative entropy the reported gap is a rigorous upper bound: by the concave-convex minimax theorem
``max_y U_i^{tau,eps}(y, x_{-i}) = min_p [eps_i logsumexp(M_i p / eps_i) + KL(p || x_{-i}) / tau_i]``, and
the value of the right side at ``p = p_i(y)`` equals ``U_i^{tau,eps}(y, x_{-i}) + eps_i KL(y || softmax(M_i
p_i(y) / eps_i))``. ``converged`` is True only when the residual is below ``min(tol, 1e-10)`` and the
fixed-point residual ``max_i ||x_i - R_i(M_i p_i(x))||_1`` is below ``STATIONARITY_TOL = 1e-6``.

Methods (:func:`solve_rqe`):

* ``"fixed_point"``: damped iteration of the 2N-player stationarity system ``x_i = R_i(M_i p_i)``,
  ``p_i = argmin_p <M_i^T x_i, p> + D(p, x_{-i})/tau_i`` (for KL + entropy ``x_i = softmax(M_i p_i/eps_i)``,
  ``p_i ∝ x_{-i} ⊙ exp(-tau_i M_i^T x_i)``), then a Newton polish in log coordinates;
* ``"extragradient"``: entropic mirror-prox (extragradient) on the auxiliary 2N-player game of section 4,
  convergent where that game is monotone ([MPS] Thm 6-7), then the same Newton polish;
* ``"continuation"``: the logit QRE path from the centroid (``tau = 0``, precision ``s/eps`` for
  ``s: 0 -> 1``), then continuation in ``tau`` from ``0`` to its value, by pseudo-arclength predictor-corrector
  (it follows the branch through folds, [T05]);
* ``"auto"``: ``"fixed_point"`` when the game is tractable, else ``"continuation"``; if that fails, the other.

With ``n_starts > 1`` (or ``method="all"``) seeded random and near-pure starting points are added and every
distinct RQE found is reported in ``equilibria``.

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
