"""The RQE stationarity system of ``docs/rqe-math.md`` sections 2-4, its Jacobian and the certificate.

The core of :mod:`rqe.solvers.rqe` for every penalty and regulariser (NumPy; the closed-form pairs also have
compiled kernels in :mod:`rqe.solvers.rqe._kernels` and, for reverse KL and N players,
:mod:`rqe.solvers.rqe._kernels_nplayer`). Notation: ``M_i`` is player ``i``'s payoff matrix (rows: its
actions, columns: the others' joint actions in C order), ``q_i = x_{-i}`` the others' product distribution,
``v_i = M_i^T x_i`` and ``p_i`` the adversary of the penalty (a function of ``v_i`` and ``q_i``).

Stationarity of ``max_{x_i} U_i^{tau}(x_i, x_{-i}) - eps_i nu(x_i)`` on the simplex (``x_i > 0`` for the
regularisers used here) in log coordinates ``x_i = exp(z_i)`` with a multiplier ``lam_i``::

    F_i = M_i p_i(x) - eps_i h'(x_i) - lam_i 1 = 0,      G_i = sum_a x_ia - 1 = 0.

By the envelope theorem ``grad_{x_i} U_i^tau = M_i p_i``; the Jacobian uses the penalty sensitivities
``dp/dv = -tau (diag(s) - s s^T / S)`` and ``dp/dq = diag(r) - s r^T / S`` (see :mod:`rqe.risk`).
For KL + negative entropy these equations are ``x_i = softmax(M_i p_i / eps_i)`` with
``p_i ∝ x_{-i} ⊙ exp(-tau_i M_i^T x_i)``: the smooth fixed point of section 4.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from rqe.game import product_distribution
from rqe.risk import KL, LogBarrier, NegativeEntropy
from rqe.solvers.rqe.problem import RQEProblem


class RQEModel:
    """The stationarity system of one :class:`~rqe.solvers.rqe.problem.RQEProblem` (deformation included).

    Immutable: every attribute is set once here; a deformed or re-parametrised problem is a new model
    (:meth:`deformed`). ``M`` and ``tau`` are the deformed payoff matrices and risk aversion
    (``scale * M_i``, ``tau_scale * tau``); ``base_M`` and ``base_tau`` the problem's own.
    """

    def __init__(self, problem: RQEProblem, base_M: tuple | None = None):
        game = problem.game
        base_M = problem.base_M if base_M is None else base_M
        fields = dict(
            problem=problem, game=game, n_players=game.n_players, shape=game.shape, base_M=base_M,
            base_tau=problem.tau, eps=problem.epsilon, penalty=problem.penalty, regularizer=problem.regularizer,
            scale=problem.scale, tau_mult=problem.tau_scale,
            M=tuple(base_M) if problem.scale == 1.0 else tuple(problem.scale * m for m in base_M),
            tau=problem.tau_eff)
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    # derived on first use (the compiled path never needs them); cached_property writes ``__dict__`` directly
    @cached_property
    def others(self) -> tuple:
        return tuple(self.game.others(i) for i in range(self.n_players))

    @cached_property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.shape)]).astype(int)

    @cached_property
    def n_x(self) -> int:
        return int(self.offsets[-1])

    @cached_property
    def size(self) -> int:
        return self.n_x + self.n_players

    @cached_property
    def payoff_scale(self) -> float:
        return max(float(np.max(np.abs(self.game.payoffs))), 1e-300)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"RQEModel is immutable (cannot set {name!r}); build a new one from its problem")

    def deformed(self, scale: float, tau_scale: float) -> RQEModel:
        """The model of the problem with payoffs ``scale * u`` and risk aversion ``tau_scale * tau``."""
        return RQEModel(self.problem.deformed(scale, tau_scale), self.base_M)

    def with_parameters(self, tau=None, epsilon=None) -> RQEModel:
        """The model of the same game at other ``(tau, epsilon)``."""
        return RQEModel(self.problem.with_parameters(tau, epsilon), self.base_M)

    # ------------------------------------------------------------------ helpers
    def split(self, x_flat: np.ndarray) -> list[np.ndarray]:
        return [x_flat[self.offsets[i]:self.offsets[i + 1]] for i in range(self.n_players)]

    def joint(self, xs: list[np.ndarray], i: int) -> np.ndarray:
        return product_distribution([xs[j] for j in self.others[i]])

    def dq_dx(self, xs: list[np.ndarray], i: int, j: int) -> np.ndarray:
        """``d q_i / d x_j`` as an ``|A_{-i}| x n_j`` matrix (``q_i`` multilinear in the others' strategies)."""
        if self.n_players == 2:
            return np.eye(self.shape[j])
        mat = np.ones((1, 1))
        for k in self.others[i]:
            mat = np.kron(mat, np.eye(self.shape[k]) if k == j else xs[k][:, None])
        return mat

    def adversary(self, xs: list[np.ndarray], i: int, q: np.ndarray | None = None) -> np.ndarray:
        q = self.joint(xs, i) if q is None else q
        return self.penalty.adversary(self.M[i].T @ xs[i], q, float(self.tau[i]))

    def adversaries(self, xs: list[np.ndarray]) -> list[np.ndarray]:
        return [self.adversary(xs, i) for i in range(self.n_players)]

    # ------------------------------------------------------------------ objective of one player
    def objective(self, i: int, y: np.ndarray, q: np.ndarray) -> float:
        """``U_i^{tau,eps}(y, x_{-i}) = U^tau(M_i^T y, q) - eps_i nu(y)``."""
        return self.penalty.risk_value(self.M[i].T @ y, q, float(self.tau[i])) - self.eps[i] * self.regularizer.value(y)

    def values(self, xs: list[np.ndarray]) -> np.ndarray:
        return np.array([self.objective(i, xs[i], self.joint(xs, i)) for i in range(self.n_players)])

    def _grad_hess(self, i: int, y: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tau = float(self.tau[i])
        M = self.M[i]
        p = self.penalty.adversary(M.T @ y, q, tau)
        g = M @ p - self.eps[i] * self.regularizer.grad(y)
        H = -self.eps[i] * np.diag(self.regularizer.hess_diag(y))
        if tau > 0:
            s, _ = self.penalty.sensitivities(p, q, tau)
            Ms = M @ s
            S = s.sum()
            H -= tau * ((M * s) @ M.T - np.outer(Ms, Ms) / S)
        return g, H

    def _reg_log(self, y: np.ndarray, z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """``(nu(y), h'(y), h''(y) y)`` at ``y = exp(z)``, from ``z`` where the regulariser allows (no underflow)."""
        reg = self.regularizer
        if type(reg) is NegativeEntropy:
            return float(np.sum(y * z)), z + 1.0, np.ones_like(y)
        if type(reg) is LogBarrier:
            return float(-np.sum(z)), -np.exp(-z), np.exp(-z)
        with np.errstate(all="ignore"):
            return float(reg.value(y)), reg.grad(y), reg.hess_diag(y) * y

    def _objective_log(self, i: int, y: np.ndarray, z: np.ndarray, q: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            val = self.penalty.risk_value(self.M[i].T @ y, q, float(self.tau[i])) - self.eps[i] * self._reg_log(y, z)[0]
        return float(val) if np.isfinite(val) else -np.inf

    def _newton_log(self, i: int, z: np.ndarray, q: np.ndarray, max_iter: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Maximise the concave ``U_i^{tau,eps}(softmax(z), x_{-i})`` by Newton steps in log coordinates.

        The equality-constrained Newton system ``H d + mu 1 = -g``, ``1^T d = 0`` is solved for
        ``delta = d / y`` (well scaled even when coordinates of ``y`` underflow) and applied as
        ``z <- z + t delta`` with Armijo backtracking. For a coordinate far below the others ``delta_a`` is the
        exact coordinate-wise maximiser, so tiny coordinates are never frozen (a Newton step in ``y`` moves them
        by ``O(y_a)``); the loop stops on a small step ``max |delta| <= 1e-11``, not on a small slope.
        Returns ``(y, z, f(y))``.
        """
        tau = float(self.tau[i])
        eps = float(self.eps[i])
        M = self.M[i]
        n = z.size

        def norm(zz):
            zz = zz - (zz.max() + np.log(np.sum(np.exp(zz - zz.max()))))
            return np.exp(zz), zz

        y, z = norm(np.asarray(z, dtype=np.float64))
        f_y = self._objective_log(i, y, z, q)
        stall = 0
        for _ in range(max_iter):
            with np.errstate(all="ignore"):
                p = self.penalty.adversary(M.T @ y, q, tau)
                _, dh, c = self._reg_log(y, z)
                g = M @ p - eps * dh
                K = np.zeros((n + 1, n + 1))
                H = -eps * np.diag(c)
                if tau > 0:
                    sv, _ = self.penalty.sensitivities(p, q, tau)
                    Ms = M @ sv
                    H = H - tau * ((M * sv) @ M.T - np.outer(Ms, Ms) / sv.sum()) * y[None, :]
            K[:n, :n] = H
            K[:n, n] = 1.0
            K[n, :n] = y
            if not np.all(np.isfinite(K)) or not np.all(np.isfinite(g)):
                break
            try:
                delta = np.linalg.solve(K, np.concatenate([-g, [0.0]]))[:n]
            except np.linalg.LinAlgError:
                break
            dmax = float(np.max(np.abs(delta)))
            if not np.isfinite(dmax) or dmax <= 1e-11:
                break
            slope = max(float(np.sum(g * y * delta)), 0.0)
            t = 1.0
            ok = False
            for _ in range(60):
                yc, zc = norm(z + t * delta)
                f_c = self._objective_log(i, yc, zc, q)
                if f_c >= f_y + 1e-4 * t * slope:
                    ok = True
                    break
                t *= 0.5
            if not ok:
                break
            improved = f_c > f_y
            y, z, f_y = yc, zc, f_c
            # a step with no measurable gain may still move tiny coordinates toward the region where they
            # matter: stop only when it is also small, or after several such steps in a row
            stall = 0 if improved else stall + 1
            if not improved and (dmax <= 1e-6 or stall >= 8):
                break
        return y, z, f_y

    def _dual_bound(self, i: int, y: np.ndarray, z: np.ndarray, q: np.ndarray) -> float:
        """For KL + negative entropy, ``eps KL(y || softmax(M p(y) / eps))``, the excess of a rigorous upper bound.

        ``max_y U_i^{tau,eps}(y, q) = max_y min_p [y^T M p + KL(p||q)/tau - eps sum y log y]
        = min_p phi(p)``, ``phi(p) = eps logsumexp(M p / eps) + KL(p||q)/tau`` (concave-convex minimax), so
        ``phi(p(y)) = U_i^{tau,eps}(y, q) + eps KL(y || softmax(M p(y)/eps))`` bounds the best response value
        from above for every ``y``. Returns ``inf`` for other penalty/regulariser pairs.
        """
        if not (type(self.penalty) is KL and type(self.regularizer) is NegativeEntropy):
            return np.inf
        eps = float(self.eps[i])
        p = self.penalty.adversary(self.M[i].T @ y, q, float(self.tau[i]))
        r = self.M[i] @ p / eps
        lr = r - (r.max() + np.log(np.sum(np.exp(r - r.max()))))
        mask = y > 0
        return eps * max(float(np.sum(y[mask] * (z[mask] - lr[mask]))), 0.0)

    def best_response(self, i: int, xs: list[np.ndarray], max_iter: int = 200) -> tuple[np.ndarray, float, float]:
        """Maximise the concave ``U_i^{tau,eps}(., x_{-i})`` robustly; returns ``(y*, bound, f(x_i))``.

        Newton in log coordinates (:meth:`_newton_log`) from ``x_i``, from the regularised response to
        ``x``'s adversary and from the uniform strategy, keeping the best value. For KL + negative entropy
        ``bound`` is the rigorous dual upper bound ``min over the runs of phi(p(y))`` of :meth:`_dual_bound`
        (``docs/rqe-math.md`` section 4); for the other pairs it is the best value found (multi-start).
        """
        q = self.joint(xs, i)
        x = np.asarray(xs[i], dtype=np.float64)
        f_x = self.objective(i, x, q) if np.all(x > 0) else self._objective_log(
            i, x, np.log(np.maximum(x, 1e-320)), q)
        if not np.isfinite(f_x):
            return x, np.inf, -np.inf
        starts = [np.log(np.maximum(x, 1e-320))]
        with np.errstate(all="ignore"):
            trial = self.regularizer.response(self.M[i] @ self.adversary(xs, i, q), float(self.eps[i]))
        if np.all(np.isfinite(trial)) and np.all(trial >= 0):
            starts.append(np.log(np.maximum(trial, 1e-320)))
        starts.append(np.zeros(x.size))
        rigorous = type(self.penalty) is KL and type(self.regularizer) is NegativeEntropy
        best_y, best_f, bound = x, f_x, np.inf
        for k, z0 in enumerate(starts):
            y, z, f = self._newton_log(i, z0, q, max_iter)
            if f > best_f:
                best_y, best_f = y, f
            if rigorous:
                excess = self._dual_bound(i, y, z, q)
                bound = min(bound, f + excess)
                if k == 0 and excess <= 1e-14 * (abs(f_x) + 1e-300):
                    break
        if not rigorous:
            bound = best_f
        return best_y, float(bound), f_x

    def dual_certificate(self, xs: list[np.ndarray]) -> tuple[float, float]:
        """``(max_i eps_i D_nu(x_i, r_i), max_i ||x_i - r_i||_1)`` with ``r_i = R_i(M_i p_i(x))``.

        Weak duality makes the first an upper bound of the section-4 gap for every penalty and regulariser:
        ``max_y min_p L_i(y, p) <= max_y L_i(y, p_i(x))`` and ``U_i(x_i, x_{-i}) = L_i(x_i, p_i(x))``, with
        ``L_i(y, p) = y^T M_i p + D(p, x_{-i}) / tau_i - eps_i nu(y)``; the difference of the right sides is the
        regularised best-response gain ``eps_i D_nu(x_i, r_i)`` of :meth:`rqe.risk.Regularizer.bregman`. It
        vanishes exactly at an RQE (where ``x_i = r_i``), so it certifies a solution in one evaluation.
        """
        cert, stat = 0.0, 0.0
        with np.errstate(all="ignore"):
            for i in range(self.n_players):
                x = np.asarray(xs[i], dtype=np.float64)
                r = self.regularizer.response(self.M[i] @ self.adversary(xs, i), float(self.eps[i]))
                c = float(self.eps[i]) * self.regularizer.bregman(x, r)
                d = float(np.sum(np.abs(x - r)))
                cert = max(cert, c if np.isfinite(c) else np.inf)
                stat = max(stat, d if np.isfinite(d) else np.inf)
        return cert, stat

    def stationarity(self, xs: list[np.ndarray]) -> float:
        """Fixed-point residual ``max_i || x_i - R_i(M_i p_i(x)) ||_1`` (``R_i`` the regularised response)."""
        worst = 0.0
        with np.errstate(all="ignore"):
            for i in range(self.n_players):
                r = self.regularizer.response(self.M[i] @ self.adversary(xs, i), float(self.eps[i]))
                d = float(np.sum(np.abs(np.asarray(xs[i]) - r)))
                worst = max(worst, d if np.isfinite(d) else np.inf)
        return worst

    def certificate(self, xs: list[np.ndarray]) -> tuple[float, np.ndarray]:
        """The section-4 certificate ``max_i max_y U_i(y, x_{-i}) - U_i(x_i, x_{-i})`` and the per-player gaps.

        For KL + negative entropy each gap is a rigorous upper bound (dual bound of :meth:`best_response`).
        """
        gaps = np.empty(self.n_players)
        for i in range(self.n_players):
            _, f_best, f_x = self.best_response(i, xs)
            gap = f_best - f_x
            gaps[i] = max(gap, 0.0) if np.isfinite(gap) or gap > 0 else np.inf
        return float(gaps.max()), gaps

    # ------------------------------------------------------------------ the stationarity system
    def initial_w(self, xs: list[np.ndarray]) -> np.ndarray:
        """``w = (log x, lam)`` with ``lam_i`` the least-squares multiplier at ``x``."""
        z = np.concatenate([np.log(x) for x in xs])
        lam = np.empty(self.n_players)
        ps = self.adversaries(xs)
        for i in range(self.n_players):
            g = self.M[i] @ ps[i] - self.eps[i] * self.regularizer.grad(xs[i])
            lam[i] = g.mean()
        return np.concatenate([z, lam])

    def strategies(self, w: np.ndarray) -> list[np.ndarray]:
        return [np.exp(z) for z in self.split(w[:self.n_x])]

    def system(self, w: np.ndarray, jacobian: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        xs = self.strategies(w)
        lam = w[self.n_x:]
        N = self.n_players
        F = np.empty(self.size)
        J = np.zeros((self.size, self.size)) if jacobian else None
        for i in range(N):
            M = self.M[i]
            q = self.joint(xs, i)
            tau = float(self.tau[i])
            p = self.penalty.adversary(M.T @ xs[i], q, tau)
            a, b = self.offsets[i], self.offsets[i + 1]
            F[a:b] = M @ p - self.eps[i] * self.regularizer.grad(xs[i]) - lam[i]
            F[self.n_x + i] = xs[i].sum() - 1.0
            if not jacobian:
                continue
            if tau > 0:
                s, r = self.penalty.sensitivities(p, q, tau)
                S = s.sum()
                Ms = M @ s
                dpv = -tau * ((M * s) @ M.T - np.outer(Ms, Ms) / S)  # d(M p)/d x_i
            else:
                # p = q / sum(q): dp/dq = (I - p 1^T) / sum(q), the general formula with s = p, r = 1 / sum(q)
                s, S = p, 1.0
                r = np.full_like(q, 1.0 / q.sum())
                dpv = np.zeros((M.shape[0], M.shape[0]))
            block = dpv - self.eps[i] * np.diag(self.regularizer.hess_diag(xs[i]))
            J[a:b, a:b] = block * xs[i][None, :]
            if N > 1:
                # d(M p)/dq = M (diag(r) - s r^T / S)
                Mdq = M * r[None, :] - np.outer(M @ s, r) / S
                for j in self.others[i]:
                    c, d = self.offsets[j], self.offsets[j + 1]
                    J[a:b, c:d] = (Mdq @ self.dq_dx(xs, i, j)) * xs[j][None, :]
            J[a:b, self.n_x + i] = -1.0
            J[self.n_x + i, a:b] = xs[i]
        return F, J

    def fixed_point_map(self, xs: list[np.ndarray]) -> list[np.ndarray]:
        """``x_i -> R_i(M_i p_i(x))``: the quantal response of each player to its current adversary."""
        ps = self.adversaries(xs)
        return [self.regularizer.response(self.M[i] @ ps[i], float(self.eps[i])) for i in range(self.n_players)]

    def is_logit(self) -> bool:
        return isinstance(self.regularizer, NegativeEntropy)

    def is_kl(self) -> bool:
        return isinstance(self.penalty, KL)


def prepare(game: Any, tau: Any, epsilon: Any, penalty: Any = "kl", regularizer: Any = "entropy") -> RQEModel:
    """Validate the inputs (:meth:`RQEProblem.create`) and return the model of the problem."""
    return RQEModel(RQEProblem.create(game, tau, epsilon, penalty, regularizer))
