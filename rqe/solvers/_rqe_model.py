"""The RQE stationarity system of ``docs/rqe-math.md`` sections 2-4, its Jacobian and the certificate.

Internal module used by :mod:`rqe.solvers.rqe`. Notation: ``M_i`` is player ``i``'s payoff matrix (rows: its
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

import numpy as np

from rqe.game import Game, product_distribution
from rqe.risk import KL, NegativeEntropy, Penalty, Regularizer


class RQEModel:
    """The stationarity system of one game at parameters ``(tau, eps)``, with payoff scale and tau multiplier.

    ``scale`` and ``tau_mult`` let continuation methods deform the problem: the model solved is the game with
    payoffs ``scale * u`` and risk aversion ``tau_mult * tau``.
    """

    def __init__(self, game: Game, tau: np.ndarray, eps: np.ndarray, penalty: Penalty, regularizer: Regularizer):
        self.game = game
        self.n_players = game.n_players
        self.shape = game.shape
        self.base_M = [game.payoff_matrix(i).copy() for i in range(self.n_players)]
        self.base_tau = np.asarray(tau, dtype=np.float64)
        self.eps = np.asarray(eps, dtype=np.float64)
        self.penalty = penalty
        self.regularizer = regularizer
        self.others = [game.others(i) for i in range(self.n_players)]
        self.offsets = np.concatenate([[0], np.cumsum(self.shape)]).astype(int)
        self.n_x = int(self.offsets[-1])
        self.size = self.n_x + self.n_players
        self.payoff_scale = max(float(np.max(np.abs(game.payoffs))), 1e-300)
        self.set_homotopy(1.0, 1.0)

    # ------------------------------------------------------------------ parameters
    def set_homotopy(self, scale: float, tau_mult: float) -> None:
        self.scale = float(scale)
        self.tau_mult = float(tau_mult)
        self.M = [self.scale * m for m in self.base_M]
        self.tau = self.tau_mult * self.base_tau

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

    def best_response(self, i: int, xs: list[np.ndarray], max_iter: int = 200) -> tuple[np.ndarray, float, float]:
        """Maximise the concave ``U_i^{tau,eps}(., x_{-i})`` by Newton's method on the simplex.

        Returns ``(y*, f(y*), f(x_i))``. Equality-constrained Newton steps with a fraction-to-boundary rule
        and Armijo backtracking; quadratic convergence near ``y*`` gives it to machine precision.
        """
        q = self.joint(xs, i)
        x = xs[i]
        y = x.copy()
        f_x = self.objective(i, x, q)
        f_y = f_x
        # one quantal-response step is often closer to y* than x itself
        trial = self.regularizer.response(self.M[i] @ self.adversary(xs, i, q), float(self.eps[i]))
        if np.all(trial > 0):
            f_t = self.objective(i, trial, q)
            if f_t > f_y:
                y, f_y = trial, f_t
        n = y.size
        for _ in range(max_iter):
            g, H = self._grad_hess(i, y, q)
            K = np.zeros((n + 1, n + 1))
            K[:n, :n] = H
            K[:n, n] = 1.0
            K[n, :n] = 1.0
            rhs = np.concatenate([-g, [0.0]])
            try:
                d = np.linalg.solve(K, rhs)[:n]
            except np.linalg.LinAlgError:
                break
            d -= d.mean() if abs(d.sum()) > 0 else 0.0
            slope = float(g @ d)
            if slope <= 1e-17 * (1.0 + abs(f_y)):
                break
            neg = d < 0
            t = 1.0
            if neg.any():
                t = min(1.0, 0.99 * float(np.min(-y[neg] / d[neg])))
            improved = False
            for _ in range(60):
                cand = y + t * d
                if np.all(cand > 0):
                    f_c = self.objective(i, cand, q)
                    if f_c >= f_y + 1e-4 * t * slope:
                        improved = True
                        break
                t *= 0.5
            if not improved:
                break
            y = cand / cand.sum()
            f_y = self.objective(i, y, q)
            if slope < 1e-26 * (1.0 + abs(f_y)):
                break
        return y, f_y, f_x

    def certificate(self, xs: list[np.ndarray]) -> tuple[float, np.ndarray]:
        """The section-4 certificate ``max_i max_y U_i(y, x_{-i}) - U_i(x_i, x_{-i})`` and the per-player gaps."""
        gaps = np.empty(self.n_players)
        for i in range(self.n_players):
            _, f_best, f_x = self.best_response(i, xs)
            gaps[i] = max(f_best - f_x, 0.0)
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
