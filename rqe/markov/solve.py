r"""RQE of two-player Markov games: finite-horizon backward induction and discounted value iteration /
Q-learning [MPS Sec. 4, Alg. 1; ZM25] (``docs/rqe-math.md`` section 7).

Stage game at state ``s`` (step ``h``): ``G_i(s, a) = r_i(s, a) + gamma * rho_{P(.|s,a)}(V_{i,h+1})``, where
``rho`` is the environment risk over the transition kernel: ``"none"`` (expectation), ``"kl"`` (entropic,
``-(1/tau_env) log E_P exp(-tau_env V)``, the KL-penalised adversary over next states) or ``"l1"``
(``min_p E_p V + ||p - P||_1 / tau_env``, adversary restricted to the kernel's support, closed form
``E_P min(V, min V + 2/tau_env)``). The stage RQE (KL strategic risk ``tau``, entropy regulariser
``epsilon``) is solved for all states at once by :func:`rqe.markov._stage.stage_rqe_batch`, and
``V_{i,h}(s)`` is player ``i``'s risk-adjusted stage value ``U_i^tau(x)`` (section 2, without the
regulariser). The stage games of all states are solved in one call of :func:`rqe.solve_rqe_batch` (default;
certificate: the section-4 best-response gap) or of the warm-started fixed point of :mod:`rqe.markov._stage`
(certificate: a duality upper bound on that gap); ``max_certificate`` is the largest over all states and steps.

Discounted value iteration iterates the same operator ``V <- T(V)`` to a fixed point. [ZM25] prove it is a
contraction under conditions on ``(tau, epsilon, gamma)``; here the contraction is *checked numerically*:
``contraction_modulus`` is the largest observed ratio ``||V_{k+1} - V_k|| / ||V_k - V_{k-1}||`` (sup norm)
over the iterations after the first, and ``contraction_holds`` says whether it stayed below 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe._validation import per_player, positive_float, positive_int
from rqe.errors import ParameterError
from rqe.game import Game
from rqe.markov import _kernels
from rqe.markov._stage import stage_rqe_batch, stage_values_batch
from rqe.markov.model import MarkovGame
from rqe.results import Equilibrium, make_equilibrium

__all__ = ["MarkovRQEResult", "solve_markov_rqe", "rqe_value_iteration", "rqe_q_learning", "evaluate_policy",
           "stage_games"]

_MODES = {"none": _kernels.NONE, "kl": _kernels.KL, "l1": _kernels.L1}
_STAGE_SOLVERS = ("rqe", "fixed_point")


def _solve_stages(G, taus, eps, x1, x2, stage_solver, regularizer, tol, max_iter, damping):
    """Stage RQE of every game in ``G`` (``(B, 2, n1, n2)``): strategies, risk-adjusted values, certificates.

    ``"rqe"``: :func:`rqe.solve_rqe_batch` (Newton with continuation fallback), certified by the section-4
    best-response gap. ``"fixed_point"``: the damped fixed point of :mod:`rqe.markov._stage`, warm-started
    from ``x1, x2`` and certified by its duality bound (entropy regulariser only).
    """
    if stage_solver == "fixed_point":
        return stage_rqe_batch(G, taus, eps, x1, x2, tol * 1e-2, max_iter, damping)
    from rqe.solvers.rqe import solve_rqe_batch

    out = solve_rqe_batch(G, taus, eps, regularizer=regularizer)
    X1 = np.ascontiguousarray(out.strategies[0])
    X2 = np.ascontiguousarray(out.strategies[1])
    values = stage_values_batch(G, X1, X2, taus)
    return X1, X2, values, np.asarray(out.residuals, dtype=np.float64), np.asarray(out.iterations_per_game)


@dataclass(frozen=True)
class MarkovRQEResult:
    """Markov RQE policies and values.

    Attributes
    ----------
    policies : tuple (x1, x2)
        ``(H, S, n_i)`` arrays for the finite horizon (step, state, action); ``(S, n_i)`` when discounted.
    values : numpy.ndarray
        Risk-adjusted values ``(H + 1, 2, S)`` (finite horizon) or ``(2, S)`` (discounted).
    certificates : numpy.ndarray
        Stage certificates ``(H, S)`` or ``(S,)``.
    max_certificate : float
    converged : bool
        All stage certificates below ``tol`` (and, for value iteration, the values converged).
    iterations : int
    contraction_modulus : float or None
        Largest observed sup-norm contraction ratio of value iteration (None for backward induction).
    method, parameters : as for every rqe result
    """

    game: MarkovGame
    policies: tuple[np.ndarray, np.ndarray]
    values: np.ndarray
    certificates: np.ndarray
    max_certificate: float
    converged: bool
    iterations: int
    method: str
    contraction_modulus: float | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def contraction_holds(self) -> bool | None:
        return None if self.contraction_modulus is None else bool(self.contraction_modulus < 1.0)

    def stage_game(self, state: int, step: int = 0) -> Game:
        """The stage game solved at ``state`` (and ``step`` for the finite horizon)."""
        nxt = self.values[step + 1] if self.values.ndim == 3 else self.values
        G = stage_games(self.game, nxt, self.parameters["env_risk"], self.parameters["tau_env"])[state]
        return Game(G, title=f"stage game at state {self.game.state_names[state]}")

    @property
    def equilibria(self) -> tuple[Equilibrium, ...]:
        """The stage RQE at the most likely initial state (step 0), as an :class:`Equilibrium`."""
        s = int(np.argmax(self.game.initial))
        x1 = self.policies[0][0, s] if self.policies[0].ndim == 3 else self.policies[0][s]
        x2 = self.policies[1][0, s] if self.policies[1].ndim == 3 else self.policies[1][s]
        cert = self.certificates[0, s] if self.certificates.ndim == 2 else self.certificates[s]
        return (make_equilibrium(self.stage_game(s), (x1, x2), cert, state=s),)

    def __repr__(self) -> str:
        extra = "" if self.contraction_modulus is None else f", contraction_modulus={self.contraction_modulus:.4f}"
        return (f"MarkovRQEResult({self.method}, max_certificate={self.max_certificate:.2e}, "
                f"converged={self.converged}{extra})")


def stage_games(game: MarkovGame, next_values: np.ndarray, env_risk: str, tau_env: Any) -> np.ndarray:
    """Stage payoffs ``(S, 2, n_1, n_2)``: ``r_i(s, a) + gamma * rho_{P(.|s,a)}(next_values_i)``."""
    mode = _MODES[env_risk]
    C = _kernels.continuation(game.next_state, game.next_prob, np.ascontiguousarray(next_values, dtype=np.float64),
                              mode, np.asarray(tau_env, dtype=np.float64))
    G = game.rewards + game.discount * C
    return np.ascontiguousarray(np.moveaxis(G, 0, 1))


def _check(game: MarkovGame, tau: Any, epsilon: Any, env_risk: str, tau_env: Any, tol: float, max_iter: int,
           damping: float, stage_solver: str = "rqe", regularizer: str = "entropy"):
    if not isinstance(game, MarkovGame):
        raise ParameterError(f"game must be a MarkovGame, got {type(game).__name__}")
    taus = per_player(tau, 2, "tau")
    eps = per_player(epsilon, 2, "epsilon", strict=True)
    if env_risk not in _MODES:
        raise ParameterError(f"env_risk must be one of {sorted(_MODES)}, got {env_risk!r}")
    tau_env = per_player(taus if tau_env is None else tau_env, 2, "tau_env")
    if env_risk == "l1" and np.any(tau_env == 0):
        raise ParameterError("env_risk='l1' needs tau_env > 0")
    tol = positive_float(tol, "tol")
    max_iter = positive_int(max_iter, "max_iter")
    if not 0 < damping <= 1:
        raise ParameterError(f"damping must be in (0, 1], got {damping}")
    if stage_solver not in _STAGE_SOLVERS:
        raise ParameterError(f"stage_solver must be one of {_STAGE_SOLVERS}, got {stage_solver!r}")
    if regularizer not in ("entropy", "log_barrier"):
        raise ParameterError(f"regularizer must be 'entropy' or 'log_barrier', got {regularizer!r}")
    if stage_solver == "fixed_point" and regularizer != "entropy":
        raise ParameterError("stage_solver='fixed_point' supports regularizer='entropy' only")
    return np.array(taus), np.array(eps), np.array(tau_env), tol, max_iter


def solve_markov_rqe(game: MarkovGame, tau: Any, epsilon: Any, *, env_risk: str = "kl", tau_env: Any = None,
                     stage_solver: str = "rqe", regularizer: str = "entropy", tol: float = 1e-10,
                     max_iter: int = 20000, damping: float = 0.5) -> MarkovRQEResult:
    """Finite-horizon Markov RQE by backward induction (module docstring) [MPS Alg. 1].

    Parameters
    ----------
    game : MarkovGame with a ``horizon``
    tau, epsilon : float or one per player
        Strategic risk aversion and bounded rationality of the stage RQE.
    env_risk : {"kl", "l1", "none"}
        Risk over the transition kernel; ``tau_env`` its degree (default ``tau``).
    stage_solver : {"rqe", "fixed_point"}
        ``"rqe"`` (default): :func:`rqe.solve_rqe_batch` with ``regularizer`` ("entropy" or "log_barrier"),
        certificate = the section-4 best-response gap. ``"fixed_point"``: the warm-started damped fixed point
        of :mod:`rqe.markov._stage` (entropy only), certificate = its duality upper bound on that gap.
    tol : float
        Stage certificates must be below ``tol`` for ``converged``.

    Examples
    --------
    >>> from rqe.markov import cliff_walk, solve_markov_rqe
    >>> mg = cliff_walk(size=3, horizon=4)
    >>> r = solve_markov_rqe(mg, tau=0.5, epsilon=0.5)
    >>> r.converged, r.policies[0].shape
    (True, (4, 100, 4))
    """
    taus, eps, tau_env, tol, max_iter = _check(game, tau, epsilon, env_risk, tau_env, tol, max_iter, damping,
                                                 stage_solver, regularizer)
    if game.horizon is None:
        raise ParameterError("solve_markov_rqe needs a finite horizon; use rqe_value_iteration for discounted games")
    H, S, (n1, n2) = int(game.horizon), game.n_states, game.shape
    values = np.zeros((H + 1, 2, S))
    X1 = np.empty((H, S, n1))
    X2 = np.empty((H, S, n2))
    certs = np.empty((H, S))
    x1 = np.full((S, n1), 1.0 / n1)
    x2 = np.full((S, n2), 1.0 / n2)
    iterations = 0
    for h in range(H - 1, -1, -1):
        G = stage_games(game, values[h + 1], env_risk, tau_env)
        x1, x2, v, c, it = _solve_stages(G, taus, eps, x1, x2, stage_solver, regularizer, tol, max_iter, damping)
        X1[h], X2[h], certs[h] = x1, x2, c
        values[h] = v.T
        iterations += int(it.sum())
    max_cert = float(certs.max())
    params = {"tau": taus.tolist(), "epsilon": eps.tolist(), "env_risk": env_risk, "tau_env": tau_env.tolist(),
              "tol": tol, "horizon": H, "discount": game.discount, "stage_solver": stage_solver,
              "regularizer": regularizer}
    return MarkovRQEResult(game, (X1, X2), values, certs, max_cert, bool(max_cert <= tol), iterations,
                           "backward_induction", None, params)


def rqe_value_iteration(game: MarkovGame, tau: Any, epsilon: Any, *, env_risk: str = "kl", tau_env: Any = None,
                        stage_solver: str = "rqe", regularizer: str = "entropy", tol: float = 1e-8, max_sweeps: int = 2000, stage_tol: float = 1e-10,
                        max_iter: int = 20000, damping: float = 0.5) -> MarkovRQEResult:
    """Discounted risk-averse quantal-response value iteration ``V <- T(V)`` [ZM25] (module docstring).

    Stops when ``||V_{k+1} - V_k||_inf <= tol (1 - gamma)``; reports the observed contraction modulus.

    >>> from rqe.markov import cliff_walk, rqe_value_iteration
    >>> mg = cliff_walk(size=3, horizon=None, discount=0.8)
    >>> r = rqe_value_iteration(mg, tau=0.5, epsilon=0.5)
    >>> r.converged, r.contraction_holds
    (True, True)
    """
    taus, eps, tau_env, stage_tol, max_iter = _check(game, tau, epsilon, env_risk, tau_env, stage_tol, max_iter,
                                                     damping, stage_solver, regularizer)
    tol = positive_float(tol, "tol")
    max_sweeps = positive_int(max_sweeps, "max_sweeps")
    gamma = game.discount
    if gamma >= 1:
        raise ParameterError(f"value iteration needs discount < 1, got {gamma}")
    S, (n1, n2) = game.n_states, game.shape
    V = np.zeros((2, S))
    x1 = np.full((S, n1), 1.0 / n1)
    x2 = np.full((S, n2), 1.0 / n2)
    previous_step = None
    modulus = 0.0
    iterations = 0
    done = False
    for sweep in range(max_sweeps):
        G = stage_games(game, V, env_risk, tau_env)
        x1, x2, v, c, it = _solve_stages(G, taus, eps, x1, x2, stage_solver, regularizer, stage_tol, max_iter,
                                         damping)
        iterations += int(it.sum())
        newV = np.ascontiguousarray(v.T)
        step = float(np.max(np.abs(newV - V)))
        if previous_step is not None and previous_step > 1e3 * np.finfo(float).eps * max(1.0, np.abs(V).max()):
            modulus = max(modulus, step / previous_step)
        previous_step = step
        V = newV
        certs = c
        if step <= tol * (1 - gamma):
            done = True
            break
    max_cert = float(certs.max())
    params = {"tau": taus.tolist(), "epsilon": eps.tolist(), "env_risk": env_risk, "tau_env": tau_env.tolist(),
              "tol": tol, "stage_tol": stage_tol, "discount": gamma, "sweeps": sweep + 1,
              "stage_solver": stage_solver, "regularizer": regularizer}
    return MarkovRQEResult(game, (x1, x2), V, certs, max_cert, bool(done and max_cert <= stage_tol), iterations,
                           "value_iteration", modulus, params)


def rqe_q_learning(game: MarkovGame, tau: Any, epsilon: Any, *, n_sweeps: int = 200, n_samples: int = 8,
                   env_risk: str = "kl", tau_env: Any = None, rng: np.random.Generator | None = None,
                   stage_solver: str = "rqe", regularizer: str = "entropy",
                   step_exponent: float = 0.6, stage_tol: float = 1e-10, max_iter: int = 20000,
                   damping: float = 0.5) -> MarkovRQEResult:
    """Synchronous risk-averse quantal-response Q-learning with a generative model [ZM25].

    Each sweep samples ``n_samples`` next states for every ``(s, a)``, forms the empirical kernel, and moves
    ``Q <- (1 - alpha_k) Q + alpha_k (r + gamma rho_hat(V))`` with ``alpha_k = (k + 1)^-step_exponent``;
    ``V(s)`` is the stage-RQE value of ``Q(s, .)``. ``contraction_modulus`` is as in value iteration (noisy).

    >>> import numpy as np
    >>> from rqe.markov import cliff_walk, rqe_q_learning
    >>> mg = cliff_walk(size=3, horizon=None, discount=0.8)
    >>> r = rqe_q_learning(mg, tau=0.5, epsilon=0.5, n_sweeps=5, rng=np.random.default_rng(0))
    >>> r.values.shape
    (2, 100)
    """
    taus, eps, tau_env, stage_tol, max_iter = _check(game, tau, epsilon, env_risk, tau_env, stage_tol, max_iter,
                                                     damping, stage_solver, regularizer)
    n_sweeps = positive_int(n_sweeps, "n_sweeps")
    n_samples = positive_int(n_samples, "n_samples")
    if rng is None:
        raise ParameterError("rqe_q_learning samples transitions: pass rng=numpy.random.default_rng(seed)")
    gamma = game.discount
    S, (n1, n2) = game.n_states, game.shape
    K = game.next_state.shape[-1]
    Q = np.zeros((2, S, n1, n2))
    V = np.zeros((2, S))
    x1 = np.full((S, n1), 1.0 / n1)
    x2 = np.full((S, n2), 1.0 / n2)
    cum = np.cumsum(game.next_prob, axis=-1)
    previous_step, modulus, iterations = None, 0.0, 0
    certs = np.zeros(S)
    mode = _MODES[env_risk]
    uniform = np.full((S, n1, n2, n_samples), 1.0 / n_samples)
    for k in range(n_sweeps):
        u = rng.random((S, n1, n2, n_samples))
        idx = np.minimum((u[..., None] > cum[..., None, :]).sum(axis=-1), K - 1)
        sampled = np.take_along_axis(game.next_state, idx.reshape(S, n1, n2, -1), axis=-1)
        C = _kernels.continuation(np.ascontiguousarray(sampled), uniform, V, mode, tau_env)
        target = game.rewards + gamma * C
        alpha = (k + 1.0) ** (-step_exponent)
        Q = (1 - alpha) * Q + alpha * target
        x1, x2, v, certs, it = _solve_stages(np.ascontiguousarray(np.moveaxis(Q, 0, 1)), taus, eps, x1, x2,
                                             stage_solver, regularizer, stage_tol, max_iter, damping)
        iterations += int(it.sum())
        newV = np.ascontiguousarray(v.T)
        step = float(np.max(np.abs(newV - V)))
        if previous_step is not None and previous_step > 0:
            modulus = max(modulus, step / previous_step)
        previous_step = step
        V = newV
    max_cert = float(certs.max())
    params = {"tau": taus.tolist(), "epsilon": eps.tolist(), "env_risk": env_risk, "tau_env": tau_env.tolist(),
              "discount": gamma, "n_sweeps": n_sweeps, "n_samples": n_samples, "stage_tol": stage_tol,
              "stage_solver": stage_solver, "regularizer": regularizer}
    return MarkovRQEResult(game, (x1, x2), V, certs, max_cert, bool(max_cert <= stage_tol), iterations,
                           "q_learning", modulus, params)


def evaluate_policy(game: MarkovGame, policies: tuple[np.ndarray, np.ndarray], horizon: int | None = None,
                    state_reward: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Exact forward evaluation: expected (risk-neutral) return of each player and the state occupancy.

    Returns ``{"returns": (2,), "occupancy": (S,) expected visits summed over steps, "final": (S,) the state
    distribution after the last step}``. Policies may be
    time-dependent ``(H, S, n)`` or stationary ``(S, n)``.
    """
    x1, x2 = (np.asarray(p, dtype=np.float64) for p in policies)
    H = horizon if horizon is not None else (x1.shape[0] if x1.ndim == 3 else game.horizon)
    if H is None:
        raise ParameterError("evaluate_policy needs a horizon for stationary policies of a discounted game")
    d = game.initial.copy()
    occupancy = np.zeros(game.n_states)
    returns = np.zeros(2)
    for h in range(int(H)):
        p1 = x1[h] if x1.ndim == 3 else x1
        p2 = x2[h] if x2.ndim == 3 else x2
        occupancy += d
        returns += (game.discount ** h) * np.einsum("s,sa,sb,isab->i", d, p1, p2, game.rewards)
        d = _kernels.propagate(d, np.ascontiguousarray(p1), np.ascontiguousarray(p2), game.next_state, game.next_prob)
    return {"returns": returns, "occupancy": occupancy, "final": d}
