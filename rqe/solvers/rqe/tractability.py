"""Tractability of the RQE problem (``docs/rqe-math.md`` section 4): the closed-form criterion
``eps1 tau1 eps2 tau2 >= 1`` for (KL, log-barrier) and (reverse KL, negative entropy), otherwise sampled
monotonicity of the auxiliary game. Computed when asked (:func:`is_tractable`, ``RQEResult.tractable``),
never as a fixed cost of a solve."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rqe._validation import positive_int
from rqe.errors import ParameterError
from rqe.game import Game
from rqe.risk import KL, LogBarrier, NegativeEntropy, ReverseKL
from rqe.solvers.rqe.results import Tractability
from rqe.solvers.rqe.system import RQEModel, prepare

__all__ = ["is_tractable", "tractability", "KL_ENTROPY_CRITERION"]

#: is_tractable's criterion for KL + negative entropy, never tractable on the whole simplex
KL_ENTROPY_CRITERION = ("not monotone: KL + negative entropy (coupling -diag(1/x_j)/tau_i unbounded at the simplex "
                        "boundary); margin from interior samples, a heuristic only")


def is_tractable(game: Game, tau: Any, epsilon: Any, penalty: Any = "kl", regularizer: Any = "entropy", *,
                 samples: int = 256, rng: Any = 0) -> Tractability:
    """Check the tractability condition of ``docs/rqe-math.md`` section 4 and report criterion and margin.

    * 2 players with (KL, log-barrier) or (reverse KL, negative entropy): ``eps1 tau1 eps2 tau2 >= 1``
      ([MPS] Thm 3 with the constants of their code); ``weaker_margin`` reports [ZM26]'s
      ``16 eps1 eps2 tau1 tau2 - 1``.
    * otherwise: numerical monotonicity of the auxiliary 2N-player game. Its pseudo-gradient is
      ``F = (-(M_i p_i - eps_i grad nu(x_i)), M_i^T x_i + grad_p D(p_i, x_{-i}) / tau_i)_i``; the symmetric part of
      ``dF`` (with one positive weight per player-adversary pair, which keeps the cancelling ``x_i``-``p_i``
      blocks antisymmetric), restricted to the simplices' tangent spaces, must be positive definite. It is
      evaluated at ``samples`` points drawn from the simplices; the margin is the smallest eigenvalue
      found for the best weights tried. A sampled check is evidence, not a proof (points near the boundary,
      ``_sampled_monotonicity(..., boundary=True)``, often give a negative margin where uniform points do not).
    * KL + negative entropy (some ``tau_i > 0``): never tractable. The ``p_i``-``x_j`` block of the symmetrised
      Jacobian is ``-diag(1/x_j) / (2 tau_i)``, against diagonal blocks ``eps_j diag(1/x_j)`` and
      ``diag(1/p_i) / tau_i``; positive definiteness needs ``4 eps_j tau_i x_ja > p_ia``, which fails as
      ``x_ja -> 0``. The margin reported is the interior-sampled (uniform) one, a heuristic only.
    * all ``tau_i = 0``: the logit QRE game, checked the same way without adversaries.

    >>> import rqe
    >>> g = rqe.Game.from_bimatrix([[1, 0], [0, 1]], [[0, 1], [1, 0]])
    >>> t = rqe.is_tractable(g, tau=[2.0, 2.0], epsilon=[0.5, 0.5], penalty="kl", regularizer="log_barrier")
    >>> t.tractable, t.criterion, t.margin
    (True, 'eps1*tau1*eps2*tau2 >= 1', 0.0)
    """
    model = prepare(game, tau, epsilon, penalty, regularizer)
    return tractability(model, positive_int(samples, "samples"), np.random.default_rng(rng))


def tractability(model: RQEModel, samples: int, rng: np.random.Generator) -> Tractability:
    pen, reg = model.penalty, model.regularizer
    tau_v, eps_v = model.base_tau, model.eps
    pair = (type(pen), type(reg))
    if model.n_players == 2 and pair in ((KL, LogBarrier), (ReverseKL, NegativeEntropy)) and np.all(tau_v > 0):
        prod = float(np.prod(eps_v * tau_v))
        return Tractability(prod >= 1.0, "eps1*tau1*eps2*tau2 >= 1", prod - 1.0, 16.0 * prod - 1.0)
    if pair == (KL, NegativeEntropy) and np.any(tau_v > 0):
        # the p_i-x_j block of the symmetrised Jacobian is -diag(1/x_j)/(2 tau_i) against the diagonal blocks
        # eps_j diag(1/x_j) and diag(1/p_i)/tau_i: positive definiteness needs 4 eps_j tau_i x_ja > p_ia, which
        # fails as x_ja -> 0 with p_ia fixed. The auxiliary game is never monotone on the whole simplex.
        interior = _sampled_monotonicity(model, samples, rng)
        return Tractability(False, KL_ENTROPY_CRITERION, interior.margin)
    return _sampled_monotonicity(model, samples, rng)


def _pseudo_jacobian(model: RQEModel, xs, ps) -> tuple[np.ndarray, np.ndarray]:
    """Jacobian ``dF`` of the auxiliary game's pseudo-gradient at ``(x, p)`` and each row's player index."""
    N = model.n_players
    sizes = list(model.shape) + [model.M[i].shape[1] for i in range(N)]
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    D = np.zeros((offs[-1], offs[-1]))
    owner = np.concatenate([np.full(n, k % N) for k, n in enumerate(sizes)])
    for i in range(N):
        xi = slice(offs[i], offs[i + 1])
        D[xi, xi] = model.eps[i] * np.diag(model.regularizer.hess_diag(xs[i]))
        q = model.joint(xs, i)
        if model.tau[i] > 0:
            pi = slice(offs[N + i], offs[N + i + 1])
            D[xi, pi] = -model.M[i]
            D[pi, xi] = model.M[i].T
            D[pi, pi] = np.diag(model.penalty.hess_pp(ps[i], q)) / model.tau[i]
            hpq = model.penalty.hess_pq(ps[i], q) / model.tau[i]
            for j in model.others[i]:
                xj = slice(offs[j], offs[j + 1])
                D[pi, xj] = hpq[:, None] * model.dq_dx(xs, i, j)
        else:
            for j in model.others[i]:
                xj = slice(offs[j], offs[j + 1])
                D[xi, xj] = -model.M[i] @ model.dq_dx(xs, i, j)
    return D, owner


def _tangent_basis(model: RQEModel) -> np.ndarray:
    """Orthonormal basis of the tangent spaces of the simplices (x blocks, then p blocks with tau > 0)."""
    N = model.n_players
    sizes = list(model.shape) + [model.M[i].shape[1] for i in range(N)]
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    bases = []
    for k in range(2 * N):
        if k >= N and model.tau[k - N] == 0:
            continue
        n = sizes[k]
        if n < 2:
            continue
        B = np.zeros((offs[-1], n - 1))
        Q, _ = np.linalg.qr(np.vstack([np.ones(n), np.eye(n)[:-1]]).T)
        B[offs[k]:offs[k + 1], :] = Q[:, 1:]
        bases.append(B)
    return np.hstack(bases) if bases else np.zeros((offs[-1], 0))


def _inside(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, 1e-12)
    return x / x.sum()


def _sampled_monotonicity(model: RQEModel, samples: int, rng: np.random.Generator,
                          boundary: bool = False) -> Tractability:
    N = model.n_players
    if all(n == 1 for n in model.shape):
        return Tractability(True, "sampled monotonicity", math.inf)
    T = _tangent_basis(model)
    if T.shape[1] == 0:
        return Tractability(True, "sampled monotonicity", math.inf)
    jacobians = []
    for k in range(samples):
        # with boundary=True every other point is from Dirichlet(0.1), near the simplices' boundary
        alpha = 0.1 if (boundary and k % 2 == 1) else 1.0
        xs = [_inside(rng.dirichlet(np.full(n, alpha))) for n in model.shape]
        ps = [_inside(rng.dirichlet(np.full(model.M[i].shape[1], alpha))) for i in range(N)]
        D, owner = _pseudo_jacobian(model, xs, ps)
        if not np.all(np.isfinite(D)):
            raise ParameterError(f"tau={model.tau.tolist()}, epsilon={model.eps.tolist()}: the auxiliary game's "
                                 f"Jacobian overflows (penalty weight 1/tau too large for a sampled check)")
        jacobians.append(D)
    scale = model.payoff_scale + float(np.max(model.eps))

    def worst(log_w):
        w = np.exp(np.concatenate([[0.0], log_w]))[owner]
        m = math.inf
        for D in jacobians:
            WD = w[:, None] * D
            A = T.T @ ((WD + WD.T) / 2) @ T
            m = min(m, float(np.linalg.eigvalsh(A)[0]) / w.max())
        return m

    best = worst(np.zeros(N - 1))
    if N > 1 and best <= 0:
        grid = np.linspace(-8, 8, 17) if N == 2 else None
        if grid is not None:
            for lw in grid:
                best = max(best, worst(np.array([lw])))
        else:
            from scipy.optimize import minimize
            res = minimize(lambda lw: -worst(lw), np.zeros(N - 1), method="Nelder-Mead",
                           options=dict(maxiter=60, xatol=1e-2, fatol=1e-6))
            best = max(best, -float(res.fun))
    criterion = "sampled monotonicity" if np.any(model.tau > 0) else "sampled monotonicity (risk neutral)"
    return Tractability(bool(best > 0), criterion, best / scale)
