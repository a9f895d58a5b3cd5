r"""Continuous quadratic aggregative games and their Gaussian risk-averse quantal response equilibria.

Model (``docs/rqe-math.md`` section 5; [QZLM] Sec. 4.1 and App. B.1). ``N`` players each choose
``a_i in R^n``; with the aggregate ``s = sum_i a_i`` the shared reward and the utilities are

    R(a) = 1/2 <s, H s> + <h, s> + r0,        u_i(a) = R(a) - (rho_i / 2) ||a_i||^2,

``H`` symmetric negative definite, ``rho_i >= 0``. Stacking ``a = (a_1, ..., a_N)`` the shared reward is
``1/2 a^T Hbar a + hbar^T a`` with blocks ``Hbar_{ij} = H`` and ``hbar_i = h``; player ``i``'s own curvature is
``G_i = H - rho_i I`` (negative definite).

Risk-averse quantal best response (KL penalty, differential negative entropy), derived here
---------------------------------------------------------------------------------------------
Player ``i`` faces partners ``a_{-i} ~ q = N(m_{-i}, Sigma_{-i})`` (independent blocks). By the dual form of
``docs/rqe-math.md`` section 2, ``U_i^{tau,eps}(pi) = min_p E_{pi x p}[u_i] + KL(p || q) / tau + eps E_pi[log pi]``
is the value of a player/adversary pair, and at a saddle point each is a Gibbs distribution:

* against an adversary ``p`` with mean ``mu``, ``pi ∝ exp(E_p[u_i(., a_{-i})] / eps)``. The exponent is
  ``1/2 a_i^T G_i a_i + a_i^T (H_{i,-i} mu + h)``, so ``pi = N(m_i, Sigma_i)`` with
  ``Sigma_i = -eps_i G_i^{-1}`` and ``m_i = -G_i^{-1} (h + H_{i,-i} mu)``;
* against ``pi = N(m_i, Sigma_i)``, ``p ∝ q exp(-tau E_pi[u_i(a_i, .)])``. The exponent is
  ``-1/2 y^T (Sigma_{-i}^{-1} + tau H_{-i,-i}) y + y^T (Sigma_{-i}^{-1} m_{-i} - tau (H_{-i,i} m_i + h_{-i}))``
  with ``y = a_{-i}``: ``p`` is Gaussian with precision ``tau P``, ``P = Sigma_{-i}^{-1} / tau + H_{-i,-i}``, and
  mean ``mu = P^{-1} (Sigma_{-i}^{-1} m_{-i} / tau - H_{-i,i} m_i - h_{-i})``. When ``P`` is not positive
  definite the integral diverges: the adversary can make the risk infinite and no RQE exists.

Substituting ``mu`` in ``m_i`` and solving for ``m_i`` gives the lemma's formula

    m_i = (-G_i + H_{i,-i} P^{-1} H_{i,-i}^T)^{-1} (h_i + H_{i,-i} P^{-1} (Sigma_{-i}^{-1} m_{-i} / tau - h_{-i})).

As ``tau -> 0``, ``P^{-1} = tau Sigma_{-i} + O(tau^2)`` and the formula tends to the quantal (and, the mean
not depending on ``eps``, Nash) best response ``m_i = -G_i^{-1} (h + H sum_{j != i} m_j)``.

Example 4.1 ([QZLM] Ex. 4.1, two robots), derived from the formula
--------------------------------------------------------------------
``n = 1``, ``R = -1/2 (a_1 + a_2 - abar)^2`` (``H = -1``, ``h = abar``, ``r0 = -abar^2/2``), ``rho = 1``. Then
``G_i = -2`` so ``Sigma_i = eps/2``; ``Sigma_{-i}^{-1} = 2/eps`` and ``P = 2/(tau eps) - 1``, positive exactly when
``tau eps < 2``. With ``k = 2/(tau eps)`` (so ``P = k - 1``) the symmetric fixed point solves
``m (2 + 1/P + k/P) = abar (1 + 1/P)``, i.e. ``m (3k - 1) = abar k`` and

    m*(tau) = abar / (3 - tau eps / 2).

(The main text of [QZLM] prints ``abar / (3 - tau eps)``; its appendix and the lemma give the form above.)
Each player's expected utility, with ``a_j ~ N(m, eps/2)`` independent and ``D = 3 - tau eps/2``, is
``-1/2 ((2m - abar)^2 + eps) - 1/2 (m^2 + eps/2)``; since ``2 - D = tau eps/2 - 1`` this is

    E[u_i] = -abar^2/2 (2 - tau eps + (tau eps/2)^2) / (3 - tau eps/2)^2 - 3 eps / 4,

and ``J(tau) = E[R] = -abar^2/2 ((tau eps/2 - 1) / (3 - tau eps/2))^2 - eps/2``, increasing on ``tau eps < 2``.
The utility itself peaks at ``tau eps = 1``, where ``m = 2 abar / 5`` is the welfare-optimal effort.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from rqe._validation import per_player, positive_float, positive_int
from rqe._validation import real_array
from rqe.errors import ConvergenceError, GameError, ParameterError

__all__ = [
    "QuadraticGame",
    "GaussianRQE",
    "example_4_1",
    "example_4_1_mean",
    "example_4_1_utility",
    "example_4_1_reward",
]


@dataclass(frozen=True)
class GaussianRQE:
    """A Gaussian RQE of a :class:`QuadraticGame`: player ``i`` plays ``N(means[i], covariances[i])``.

    Attributes
    ----------
    means, covariances : numpy.ndarray
        Shapes ``(N, n)`` and ``(N, n, n)``.
    expected_reward : float
        ``J = E[R(a)]`` at the equilibrium (the quantity of [QZLM] Theorem 4.1).
    expected_utilities : numpy.ndarray
        ``E[u_i(a)]`` of each player.
    residual : float
        Largest change of a mean under one more best-response step (zero at the fixed point).
    """

    means: np.ndarray
    covariances: np.ndarray
    expected_reward: float
    expected_utilities: np.ndarray
    residual: float
    iterations: int
    converged: bool
    method: str
    parameters: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def welfare(self) -> float:
        """Utilitarian welfare ``sum_i E[u_i]``."""
        return float(np.sum(self.expected_utilities))


def _as_matrix(values: Any, name: str) -> np.ndarray:
    array = np.atleast_2d(real_array(values, name))
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise GameError(f"{name} must be a square matrix, got shape {array.shape}")
    return array


class QuadraticGame:
    r"""Quadratic aggregative game ``u_i(a) = 1/2 <s, H s> + <h, s> + r0 - rho_i/2 ||a_i||^2``, ``s = sum_i a_i``.

    The Gaussian RQE, its domain and the derivation of the best-response formula are documented in the
    module docstring (``docs/rqe-math.md`` section 5; [QZLM] Sec. 4.1, App. B.1).

    Parameters
    ----------
    H : array_like, shape ``(n, n)`` (a scalar when ``n = 1``)
        Curvature of the shared reward; symmetric negative definite.
    h : array_like, shape ``(n,)``
        Linear term of the shared reward.
    rho : array_like, shape ``(N,)``
        Private cost coefficients ``rho_i >= 0``; their number is the number of players.
    constant : float
        The constant ``r0`` of the shared reward (it shifts every utility and ``J``, nothing else).

    Examples
    --------
    >>> game = QuadraticGame(-1.0, 1.0, [1.0, 1.0], constant=-0.5)    # Example 4.1 with abar = 1
    >>> eq = game.solve_rqe(tau=1.0, epsilon=1.0)
    >>> round(float(eq.means[0, 0]), 10), round(float(eq.covariances[0, 0, 0]), 10)
    (0.4, 0.5)
    >>> round(game.tau_max(epsilon=1.0), 12)
    2.0
    """

    def __init__(self, H: Any, h: Any, rho: Any, constant: float = 0.0):
        H = _as_matrix(H, "H")
        if not np.allclose(H, H.T, rtol=0.0, atol=1e-12 * max(1.0, np.abs(H).max())):
            raise GameError(f"H must be symmetric, got {H.tolist()}")
        H = (H + H.T) / 2
        top = float(np.linalg.eigvalsh(H).max())
        if top >= 0:
            raise GameError(f"H must be negative definite (the shared reward concave), its largest eigenvalue is {top:.6g}")
        h = np.atleast_1d(real_array(h, "h"))
        if h.shape != (H.shape[0],):
            raise GameError(f"h must be a finite vector of length {H.shape[0]}, got {h.tolist()}")
        rho = np.atleast_1d(real_array(rho, "rho"))
        if rho.ndim != 1 or rho.size < 2:
            raise GameError(f"rho must have one cost coefficient per player (at least 2 players), got {rho.tolist()}")
        if not np.all(np.isfinite(rho)) or np.any(rho < 0):
            raise GameError(f"rho must be finite and >= 0 for every player, got {rho.tolist()}")
        constant = float(real_array(constant, "constant", ndim=0))
        for array in (H, h, rho):
            array.setflags(write=False)
        self.H, self.h, self.rho, self.constant = H, h, rho, float(constant)

    # ------------------------------------------------------------------ structure
    @property
    def n_players(self) -> int:
        """Number of players ``N``."""
        return self.rho.size

    @property
    def dim(self) -> int:
        """Dimension ``n`` of each player's action."""
        return self.H.shape[0]

    def __repr__(self) -> str:
        return f"QuadraticGame(players={self.n_players}, dim={self.dim})"

    def own_curvature(self, player: int) -> np.ndarray:
        """``G_i = H - rho_i I``: the Hessian of ``u_i`` in the player's own action."""
        return self.H - self.rho[player] * np.eye(self.dim)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (``QuadraticGame.from_dict`` reads it back)."""
        return {"kind": "quadratic", "H": self.H.tolist(), "h": self.h.tolist(), "rho": self.rho.tolist(),
                "constant": self.constant}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuadraticGame:
        """Inverse of :meth:`to_dict`."""
        return cls(data["H"], data["h"], data["rho"], constant=data.get("constant", 0.0))

    @classmethod
    def random(cls, rng: np.random.Generator, n_players: int = 2, dim: int = 1, symmetric_costs: bool = False
               ) -> QuadraticGame:
        """A random game: ``H = -(B B^T / n + 0.1 I)``, ``h ~ N(0, I)``, ``rho ~ U(0.1, 2)``.

        >>> QuadraticGame.random(np.random.default_rng(0), n_players=3, dim=2)
        QuadraticGame(players=3, dim=2)
        """
        B = rng.normal(size=(dim, dim))
        H = -(B @ B.T / dim + 0.1 * np.eye(dim))
        h = rng.normal(size=dim)
        rho = np.full(n_players, rng.uniform(0.1, 2.0)) if symmetric_costs else rng.uniform(0.1, 2.0, n_players)
        return cls(H, h, rho)

    # ------------------------------------------------------------------ payoffs
    def reward(self, actions: Any) -> np.ndarray:
        """Shared reward ``R(a)`` of action profiles ``actions`` with shape ``(..., N, n)``."""
        a = np.asarray(actions, dtype=np.float64)
        s = a.sum(axis=-2)
        return 0.5 * np.einsum("...j,jk,...k->...", s, self.H, s) + s @ self.h + self.constant

    def utilities(self, actions: Any) -> np.ndarray:
        """Utilities ``u_i(a)``, shape ``(..., N)``, of action profiles with shape ``(..., N, n)``."""
        a = np.asarray(actions, dtype=np.float64)
        return self.reward(a)[..., None] - 0.5 * self.rho * np.sum(a * a, axis=-1)

    def expected_reward(self, means: Any, covariances: Any) -> float:
        """``E[R]`` when player ``i`` plays ``N(means[i], covariances[i])`` independently.

        ``E[R] = 1/2 (mu_s^T H mu_s + tr(H Sigma_s)) + h^T mu_s + r0`` with ``mu_s = sum m_i``, ``Sigma_s = sum Sigma_i``.
        """
        m = np.asarray(means, dtype=np.float64).reshape(self.n_players, self.dim)
        S = np.asarray(covariances, dtype=np.float64).reshape(self.n_players, self.dim, self.dim)
        mu, cov = m.sum(axis=0), S.sum(axis=0)
        return float(0.5 * (mu @ self.H @ mu + np.trace(self.H @ cov)) + self.h @ mu + self.constant)

    def expected_utilities(self, means: Any, covariances: Any) -> np.ndarray:
        """``E[u_i] = E[R] - rho_i/2 (||m_i||^2 + tr Sigma_i)`` for independent Gaussian play."""
        m = np.asarray(means, dtype=np.float64).reshape(self.n_players, self.dim)
        S = np.asarray(covariances, dtype=np.float64).reshape(self.n_players, self.dim, self.dim)
        private = 0.5 * self.rho * (np.sum(m * m, axis=1) + np.trace(S, axis1=1, axis2=2))
        return self.expected_reward(m, S) - private

    # ------------------------------------------------------------------ risk-averse quantal responses
    def _parameters(self, tau: Any, epsilon: Any) -> tuple[np.ndarray, np.ndarray]:
        tau = per_player(tau, self.n_players, "tau")
        epsilon = per_player(epsilon, self.n_players, "epsilon", strict=True)
        return tau, epsilon

    def covariances(self, epsilon: Any) -> np.ndarray:
        """``Sigma_i = -eps_i G_i^{-1}``, shape ``(N, n, n)``: the quantal response's covariance."""
        epsilon = per_player(epsilon, self.n_players, "epsilon", strict=True)
        return np.stack([-epsilon[i] * np.linalg.inv(self.own_curvature(i)) for i in range(self.n_players)])

    def _others_precision(self, player: int, covariances: np.ndarray) -> np.ndarray:
        """``Sigma_{-i}^{-1}``: block diagonal over the other players."""
        others = [j for j in range(self.n_players) if j != player]
        n = self.dim
        out = np.zeros((n * len(others), n * len(others)))
        for k, j in enumerate(others):
            out[k * n:(k + 1) * n, k * n:(k + 1) * n] = np.linalg.inv(covariances[j])
        return out

    def _coupling(self) -> tuple[np.ndarray, np.ndarray]:
        """``H_{i,-i}`` (n x (N-1)n) and ``H_{-i,-i}`` ((N-1)n square): the same for every player here."""
        k = self.n_players - 1
        return np.tile(self.H, (1, k)), np.tile(self.H, (k, k))

    def tau_max(self, epsilon: Any, player: int | None = None) -> float:
        r"""Supremum of the risk aversion for which the Gaussian RQE exists (``P`` positive definite).

        ``P_i = Sigma_{-i}^{-1} / tau_i + H_{-i,-i} > 0`` iff ``tau_i < 1 / lambda_max`` with ``lambda_max`` the
        largest generalised eigenvalue of ``(-H_{-i,-i}, Sigma_{-i}^{-1})``. ``Sigma_{-i}`` depends only on the
        others' ``eps``, so the bound of player ``i`` does not depend on the other players' ``tau``. Returns the
        bound of ``player``, or the smallest over all players (the common-``tau`` domain is ``[0, tau_max)``).
        ``inf`` when ``P`` is positive definite for every ``tau``.

        >>> QuadraticGame(-1.0, 1.0, [1.0, 1.0]).tau_max(0.5)
        4.0
        """
        Sigma = self.covariances(epsilon)
        players = range(self.n_players) if player is None else [int(player)]
        return float(min(self._tau_bound(i, Sigma) for i in players))

    def _tau_bound(self, player: int, Sigma: np.ndarray) -> float:
        from scipy.linalg import eigh

        _, H_oo = self._coupling()
        top = float(eigh(-H_oo, self._others_precision(player, Sigma), eigvals_only=True).max())
        return 1.0 / top if top > 0 else float("inf")

    def in_domain(self, tau: Any, epsilon: Any) -> bool:
        """True when every player's ``P_i`` is positive definite at ``(tau, epsilon)``."""
        tau, epsilon = self._parameters(tau, epsilon)
        return all(tau[i] < self.tau_max(epsilon, player=i) for i in range(self.n_players))

    def best_response_means(self, means: Any, tau: Any, epsilon: Any) -> np.ndarray:
        r"""One simultaneous step of the lemma's best-response formula on all the means (module docstring).

        Raises :class:`~rqe.errors.ParameterError` when some ``P_i`` is not positive definite (the risk is
        infinite: ``tau_i`` is at or beyond :meth:`tau_max`).
        """
        tau, epsilon = self._parameters(tau, epsilon)
        m = np.asarray(means, dtype=np.float64).reshape(self.n_players, self.dim)
        Sigma = self.covariances(epsilon)
        return self._step(m, tau, Sigma)

    def _linear_maps(self, tau: np.ndarray, Sigma: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each player ``(A_i, b_i)`` with ``m_i = A_i m_{-i} + b_i`` (``m_{-i}`` stacked)."""
        H_io, H_oo = self._coupling()
        h_others = np.tile(self.h, self.n_players - 1)
        maps = []
        for i in range(self.n_players):
            G = self.own_curvature(i)
            if tau[i] == 0:
                # risk-neutral limit of the formula: the quantal (= Nash, for the mean) best response
                inv = np.linalg.inv(-G)
                maps.append((inv @ H_io, inv @ self.h))
                continue
            S_inv = self._others_precision(i, Sigma)
            P = S_inv / tau[i] + H_oo
            low = float(np.linalg.eigvalsh((P + P.T) / 2).min())
            if low <= 0:
                raise ParameterError(
                    f"the Gaussian RQE is undefined at tau[{i}] = {tau[i]:g}: P = Sigma_-i^-1/tau + H_-i,-i is not "
                    f"positive definite (smallest eigenvalue {low:.3g}), so the risk is infinite; "
                    f"tau[{i}] must be < {self._tau_bound(i, Sigma):.6g}"
                )
            P_inv_H = np.linalg.solve(P, H_io.T)                      # P^{-1} H_{-i,i}
            K = -G + H_io @ P_inv_H
            K_inv = np.linalg.inv(K)
            A = K_inv @ (P_inv_H.T @ S_inv) / tau[i]
            b = K_inv @ (self.h - P_inv_H.T @ h_others)
            maps.append((A, b))
        return maps

    def _step(self, m: np.ndarray, tau: np.ndarray, Sigma: np.ndarray,
              maps: list[tuple[np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
        maps = self._linear_maps(tau, Sigma) if maps is None else maps
        A_full, b_full = self._stacked(maps)
        return (A_full @ m.ravel() + b_full).reshape(m.shape)

    def solve_rqe(self, tau: Any, epsilon: Any, *, tol: float = 1e-12, max_iter: int = 10_000,
                  init: Any = None, raise_on_failure: bool = False) -> GaussianRQE:
        r"""The Gaussian RQE: fixed covariances ``Sigma_i = -eps_i G_i^{-1}`` and means found by iterating the
        best-response formula (Gauss-Seidel sweeps over players) until the means move less than ``tol``.

        Each player's formula is affine in the others' means, so the equilibrium is unique when it exists. When
        the sweeps do not contract (large couplings), the affine fixed point is solved directly and the result
        says ``method="linear_solve"``; its residual is still that of one best-response step.

        Raises :class:`~rqe.errors.ParameterError` outside the domain ``tau_i < tau_max`` (see :meth:`tau_max`).

        >>> eq = QuadraticGame(-1.0, 1.0, [1.0, 1.0]).solve_rqe(0.0, 1.0)    # tau = 0: the QRE, mean = Nash
        >>> round(float(eq.means[0, 0]), 9)
        0.333333333
        """
        tau, epsilon = self._parameters(tau, epsilon)
        tol = positive_float(tol, "tol")
        max_iter = positive_int(max_iter, "max_iter")
        Sigma = self.covariances(epsilon)
        maps = self._linear_maps(tau, Sigma)
        m = np.zeros((self.n_players, self.dim)) if init is None else np.array(init, dtype=np.float64).reshape(
            self.n_players, self.dim)
        A_full, b_full = self._stacked(maps)
        n = self.dim
        x, iterations, change, error = _gauss_seidel(A_full, b_full, m.ravel().copy(), n, tol, max_iter)
        method = "best_response_iteration"
        m = x.reshape(self.n_players, n)
        if not (change == 0 or error <= tol * max(1.0, float(np.abs(m).max()))):
            m = self._solve_affine(maps)
            method = "linear_solve"
        residual = float(np.abs(self._step(m, tau, Sigma, maps) - m).max())
        converged = bool(np.isfinite(residual) and residual <= max(tol, 1e-9) * max(1.0, float(np.abs(m).max())))
        if raise_on_failure and not converged:
            raise ConvergenceError(f"Gaussian RQE not found: best-response residual {residual:.3g}",
                                   residual=residual, iterations=iterations)
        m.setflags(write=False)
        Sigma.setflags(write=False)
        utilities = self.expected_utilities(m, Sigma)
        utilities.setflags(write=False)
        return GaussianRQE(
            means=m, covariances=Sigma, expected_reward=self.expected_reward(m, Sigma),
            expected_utilities=utilities, residual=residual, iterations=iterations, converged=converged,
            method=method, parameters={"tau": tau.tolist(), "epsilon": epsilon.tolist(), "tol": tol},
        )

    def _stacked(self, maps: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """The best-response maps as one affine map ``m -> A m + b`` on the stacked means (zero diagonal blocks)."""
        N, n = self.n_players, self.dim
        A_full = np.zeros((N * n, N * n))
        b_full = np.empty(N * n)
        for i, (A, b) in enumerate(maps):
            others = [j for j in range(N) if j != i]
            for k, j in enumerate(others):
                A_full[i * n:(i + 1) * n, j * n:(j + 1) * n] = A[:, k * n:(k + 1) * n]
            b_full[i * n:(i + 1) * n] = b
        return A_full, b_full

    def _solve_affine(self, maps: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        A_full, b_full = self._stacked(maps)
        try:
            return np.linalg.solve(np.eye(A_full.shape[0]) - A_full, b_full).reshape(self.n_players, self.dim)
        except np.linalg.LinAlgError:
            return np.full((self.n_players, self.dim), np.nan)

    def J(self, tau: Any, epsilon: Any) -> float:
        """``J(tau) = E[R]`` at the Gaussian RQE ([QZLM] Theorem 4.1: strictly increasing in ``tau`` where defined).

        >>> game = QuadraticGame(-1.0, 1.0, [1.0, 1.0], constant=-0.5)
        >>> game.J(0.5, 1.0) < game.J(1.0, 1.0) < game.J(1.9, 1.0)
        True
        """
        return self.solve_rqe(tau, epsilon).expected_reward

    # ------------------------------------------------------------------ certificate
    def risk_adjusted_value(self, player: int, mean: Any, covariance: Any, means: Any, covariances: Any,
                            tau: float, epsilon: float) -> float:
        r"""``U_i^{tau,eps}`` of the Gaussian strategy ``N(mean, covariance)`` against Gaussian partners.

        Computed in closed form, independently of the best-response formula: with ``f(y) = E_pi[u_i(a_i, y)]``
        (quadratic in ``y = a_{-i}``: ``f(mu + z) = f(mu) + g^T z + 1/2 z^T A z``) and ``K = Sigma_{-i}^{-1} + tau A``,
        ``U^tau = -(1/tau) log E_q exp(-tau f) = f(mu) + logdet(I + tau Sigma_{-i} A) / (2 tau) - tau/2 g^T K^{-1} g``,
        and ``U^{tau,eps} = U^tau + eps * entropy``, ``entropy = 1/2 logdet(2 pi e Sigma_i)``. Returns ``-inf`` when
        ``K`` is not positive definite (infinite risk). ``tau = 0`` gives the risk-neutral ``f(mu)``.
        """
        i = int(player)
        n, N = self.dim, self.n_players
        m_i = np.asarray(mean, dtype=np.float64).reshape(n)
        S_i = np.asarray(covariance, dtype=np.float64).reshape(n, n)
        m = np.asarray(means, dtype=np.float64).reshape(N, n)
        S = np.asarray(covariances, dtype=np.float64).reshape(N, n, n)
        others = [j for j in range(N) if j != i]
        mu = m[others].ravel()
        Sigma_o = np.zeros((n * len(others), n * len(others)))
        for k, j in enumerate(others):
            Sigma_o[k * n:(k + 1) * n, k * n:(k + 1) * n] = S[j]
        H_io, H_oo = self._coupling()
        G = self.own_curvature(i)
        h_o = np.tile(self.h, len(others))
        # f(y) = 1/2 m^T G m + 1/2 tr(G S_i) + m^T H_io y + 1/2 y^T H_oo y + h^T m + h_o^T y + r0
        f_mu = (0.5 * m_i @ G @ m_i + 0.5 * np.trace(G @ S_i) + m_i @ H_io @ mu + 0.5 * mu @ H_oo @ mu
                + self.h @ m_i + h_o @ mu + self.constant)
        entropy = 0.5 * np.linalg.slogdet(2 * np.pi * np.e * S_i)[1]
        if tau == 0:
            return float(f_mu + epsilon * entropy)
        g = H_io.T @ m_i + H_oo @ mu + h_o
        K = np.linalg.inv(Sigma_o) + tau * H_oo
        if np.linalg.eigvalsh((K + K.T) / 2).min() <= 0:
            return -np.inf
        logdet = np.linalg.slogdet(np.eye(len(mu)) + tau * Sigma_o @ H_oo)[1]
        value = f_mu + logdet / (2 * tau) - 0.5 * tau * g @ np.linalg.solve(K, g)
        return float(value + epsilon * entropy)


@njit(cache=True)
def _gauss_seidel(A: np.ndarray, b: np.ndarray, x: np.ndarray, n: int, tol: float, max_iter: int
                  ) -> tuple[np.ndarray, int, float, float]:
    """Gauss-Seidel sweeps of ``x <- A x + b`` over blocks of size ``n`` (one block per player).

    Stops when the estimated distance to the fixed point, ``change * q / (1 - q)`` with ``q`` the observed
    contraction rate, is below ``tol * max(1, |x|_inf)``, or when the iterates blow up.
    """
    size = x.size
    change, error = np.inf, np.inf
    iterations = 0
    previous = np.empty(size)
    for iterations in range(1, max_iter + 1):
        previous_change = change
        previous[:] = x
        for start in range(0, size, n):
            for r in range(start, start + n):
                acc = b[r]
                for c in range(size):
                    acc += A[r, c] * x[c]
                x[r] = acc
        change = 0.0
        scale = 1.0
        for r in range(size):
            change = max(change, abs(x[r] - previous[r]))
            scale = max(scale, abs(x[r]))
        if change == 0.0:
            error = 0.0
            break
        rate = change / previous_change if np.isfinite(previous_change) and previous_change > 0 else 1.0
        error = change * rate / (1.0 - rate) if rate < 1.0 else np.inf
        if error <= tol * scale or not np.isfinite(change) or change > 1e12:
            break
    return x, iterations, change, error


# ---------------------------------------------------------------------- Example 4.1 in closed form
def example_4_1(abar: float = 1.0) -> QuadraticGame:
    """[QZLM] Example 4.1: ``R = -1/2 (a_1 + a_2 - abar)^2``, ``c_i = a_i^2 / 2`` (module docstring).

    >>> example_4_1(2.0).solve_rqe(1.0, 1.0).means.ravel().round(10).tolist()
    [0.8, 0.8]
    """
    return QuadraticGame(-1.0, abar, [1.0, 1.0], constant=-0.5 * abar ** 2)


def _check_example(tau: Any, epsilon: float) -> np.ndarray:
    tau = np.asarray(tau, dtype=np.float64)
    if epsilon <= 0:
        raise ParameterError(f"epsilon must be > 0, got {epsilon}")
    if np.any(tau < 0) or np.any(tau * epsilon >= 2):
        raise ParameterError(f"Example 4.1's RQE exists only for 0 <= tau * epsilon < 2, got tau = {tau}, "
                             f"epsilon = {epsilon}")
    return tau


def example_4_1_mean(tau: Any, epsilon: float, abar: float = 1.0) -> np.ndarray:
    """Closed form ``m*(tau) = abar / (3 - tau eps / 2)`` (``tau eps < 2``)."""
    tau = _check_example(tau, epsilon)
    return abar / (3 - tau * epsilon / 2)


def example_4_1_utility(tau: Any, epsilon: float, abar: float = 1.0) -> np.ndarray:
    """Closed form per-player ``E[u_i] = -abar^2/2 (2 - tau eps + (tau eps/2)^2)/(3 - tau eps/2)^2 - 3 eps/4``.

    >>> float(example_4_1_utility(0.0, 1.0)) == -1 / 9 - 0.75
    True
    """
    tau = _check_example(tau, epsilon)
    x = tau * epsilon
    return -0.5 * abar ** 2 * (2 - x + (x / 2) ** 2) / (3 - x / 2) ** 2 - 0.75 * epsilon


def example_4_1_reward(tau: Any, epsilon: float, abar: float = 1.0) -> np.ndarray:
    """Closed form ``J(tau) = E[R] = -abar^2/2 ((tau eps/2 - 1)/(3 - tau eps/2))^2 - eps/2``."""
    tau = _check_example(tau, epsilon)
    x = tau * epsilon / 2
    return -0.5 * abar ** 2 * ((x - 1) / (3 - x)) ** 2 - epsilon / 2
