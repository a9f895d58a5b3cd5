"""Learning dynamics in normal-form games, jitted: fictitious play, regret matching, replicator dynamics.

All three work for any number of players and return the whole trajectory (for plotting) with the Nash gap of
the profile they output (``docs/rqe-math.md`` section 1). With ``v_i(x_{-i}) = M_i x_{-i}`` the vector of
action values of player ``i``:

* **Fictitious play** [Brown 1951; Robinson 1951]: every player best-responds (lowest index on ties) to the
  empirical frequencies of the others' past play, with the initial beliefs counted as one observation:
  ``x_i^t = (x_i^0 + sum_{s=1..t} e_{a_i^s}) / (t + 1)``. Beliefs converge to
  Nash in two-player zero-sum games, potential games and 2 x n games. Output: the last beliefs.
* **Regret matching** [Hart & Mas-Colell 2000]: ``x_i^{t+1} ∝ [R_i^t]_+`` with cumulative regrets
  ``R_i^t = sum_s (v_i(x_{-i}^s) - <x_i^s, v_i(x_{-i}^s)>)`` (``mode="expected"``), or on sampled play with
  realised regrets (``mode="sampled"``, uniforms drawn from the ``rng`` passed in). The empirical joint
  distribution of play converges to the set of coarse correlated equilibria; in two-player zero-sum games the
  time-averaged strategies converge to Nash. Output: the time average.
* **Replicator dynamics** [Taylor & Jonker 1978]: ``dx_i/dt = x_i ⊙ (v_i - <x_i, v_i>)``, integrated with
  classical Runge-Kutta steps of size ``dt`` from an interior start. Output: the last point.

References: G. Brown, *Iterative solution of games by fictitious play* (1951); J. Robinson, *An iterative method of solving a game*, Ann. Math. 54 (1951);
S. Hart, A. Mas-Colell, *A simple adaptive procedure leading to correlated equilibrium*, Econometrica 68 (2000);
P. Taylor, L. Jonker, *Evolutionarily stable strategies and game dynamics*, Math. Biosci. 40 (1978).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from rqe._validation import as_generator, positive_float, positive_int
from rqe.errors import ParameterError
from rqe.game import Game, Profile, as_profile
from rqe.results import Equilibrium, make_equilibrium
from rqe.solvers._common import check_game, check_size
from rqe.solvers._scale import normalise

__all__ = ["fictitious_play", "regret_matching", "replicator_dynamics", "DynamicsResult"]

#: Default limit on the trajectory entries ``(n_iter + 1) * sum_i n_i``.
MAX_TRAJECTORY = 5e7


@dataclass(frozen=True)
class DynamicsResult:
    """A trajectory of a learning dynamic.

    Attributes
    ----------
    trajectory : tuple of numpy.ndarray
        ``trajectory[i][t]`` is player ``i``'s strategy (beliefs for fictitious play) after ``t`` steps;
        shape ``(n_iter + 1, n_i)``.
    average : Profile
        Time average of the trajectory.
    final : Profile
        The last point.
    profile : Profile
        The output of the dynamic (see the module docstring) and ``gap`` its relative Nash gap (the gap of each
        player over the range of its payoffs, as for every Nash solver; also ``residual``).
    gap : float
    converged : bool
        ``gap <= tol``.
    joint : numpy.ndarray or None
        Empirical joint distribution of sampled play (regret matching with ``mode="sampled"``).
    equilibria : tuple of Equilibrium
        ``(profile,)`` with its gap when converged, else empty.
    """

    trajectory: tuple[np.ndarray, ...]
    average: Profile
    final: Profile
    profile: Profile
    gap: float
    converged: bool
    iterations: int
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    joint: np.ndarray | None = None
    equilibria: tuple[Equilibrium, ...] = ()

    @property
    def residual(self) -> float:
        return self.gap


@njit(cache=True)
def _action_values(U, shape, offsets, x, out):
    """out[offsets[i] + a] = sum_{a_{-i}} u_i(a, a_{-i}) prod_{j != i} x_j[a_j]; U is (N, n_profiles), C order."""
    N = shape.shape[0]
    out[:] = 0.0
    idx = np.zeros(N, dtype=np.int64)
    prefix = np.empty(N + 1)
    suffix = np.empty(N + 1)
    for p in range(U.shape[1]):
        prefix[0] = 1.0
        for j in range(N):
            prefix[j + 1] = prefix[j] * x[offsets[j] + idx[j]]
        suffix[N] = 1.0
        for j in range(N - 1, -1, -1):
            suffix[j] = suffix[j + 1] * x[offsets[j] + idx[j]]
        for i in range(N):
            w = prefix[i] * suffix[i + 1]
            if w != 0.0:
                out[offsets[i] + idx[i]] += U[i, p] * w
        # advance the C-order multi-index
        j = N - 1
        while j >= 0:
            idx[j] += 1
            if idx[j] < shape[j]:
                break
            idx[j] = 0
            j -= 1


@njit(cache=True)
def _fictitious_play(U, shape, offsets, x0, n_iter):
    total = x0.shape[0]
    N = shape.shape[0]
    traj = np.empty((n_iter + 1, total))
    beliefs = x0.copy()
    traj[0] = beliefs
    values = np.empty(total)
    for t in range(1, n_iter + 1):
        _action_values(U, shape, offsets, beliefs, values)
        step = 1.0 / (t + 1.0)
        for i in range(N):
            best = offsets[i]
            for a in range(offsets[i], offsets[i + 1]):
                if values[a] > values[best]:
                    best = a
            for a in range(offsets[i], offsets[i + 1]):
                beliefs[a] *= 1.0 - step
            beliefs[best] += step
        traj[t] = beliefs
    return traj


@njit(cache=True)
def _regret_matching(U, shape, offsets, x0, n_iter, sampled, uniforms, joint):
    total = x0.shape[0]
    N = shape.shape[0]
    traj = np.empty((n_iter + 1, total))
    x = x0.copy()
    traj[0] = x
    regrets = np.zeros(total)
    values = np.empty(total)
    pure = np.zeros(total)
    actions = np.zeros(N, dtype=np.int64)
    for t in range(1, n_iter + 1):
        if sampled:
            pure[:] = 0.0
            flat = 0
            for i in range(N):
                u = uniforms[t - 1, i]
                acc = 0.0
                a = offsets[i + 1] - 1
                for b in range(offsets[i], offsets[i + 1]):
                    acc += x[b]
                    if u < acc:
                        a = b
                        break
                actions[i] = a - offsets[i]
                pure[a] = 1.0
                flat = flat * shape[i] + actions[i]
            joint[flat] += 1.0
            _action_values(U, shape, offsets, pure, values)
            for i in range(N):
                realised = values[offsets[i] + actions[i]]
                for b in range(offsets[i], offsets[i + 1]):
                    regrets[b] += values[b] - realised
        else:
            _action_values(U, shape, offsets, x, values)
            for i in range(N):
                expected = 0.0
                for b in range(offsets[i], offsets[i + 1]):
                    expected += x[b] * values[b]
                for b in range(offsets[i], offsets[i + 1]):
                    regrets[b] += values[b] - expected
        for i in range(N):
            s = 0.0
            for b in range(offsets[i], offsets[i + 1]):
                s += max(regrets[b], 0.0)
            n_i = offsets[i + 1] - offsets[i]
            for b in range(offsets[i], offsets[i + 1]):
                x[b] = max(regrets[b], 0.0) / s if s > 0.0 else 1.0 / n_i
        traj[t] = x
    return traj


@njit(cache=True)
def _replicator_field(U, shape, offsets, x, values, out):
    N = shape.shape[0]
    _action_values(U, shape, offsets, x, values)
    for i in range(N):
        mean = 0.0
        for b in range(offsets[i], offsets[i + 1]):
            mean += x[b] * values[b]
        for b in range(offsets[i], offsets[i + 1]):
            out[b] = x[b] * (values[b] - mean)


@njit(cache=True)
def _replicator(U, shape, offsets, x0, n_iter, dt):
    total = x0.shape[0]
    N = shape.shape[0]
    traj = np.empty((n_iter + 1, total))
    x = x0.copy()
    traj[0] = x
    values = np.empty(total)
    k1 = np.empty(total)
    k2 = np.empty(total)
    k3 = np.empty(total)
    k4 = np.empty(total)
    tmp = np.empty(total)
    for t in range(1, n_iter + 1):
        _replicator_field(U, shape, offsets, x, values, k1)
        tmp[:] = x + 0.5 * dt * k1
        _replicator_field(U, shape, offsets, tmp, values, k2)
        tmp[:] = x + 0.5 * dt * k2
        _replicator_field(U, shape, offsets, tmp, values, k3)
        tmp[:] = x + dt * k3
        _replicator_field(U, shape, offsets, tmp, values, k4)
        for b in range(total):
            x[b] = max(x[b] + dt / 6.0 * (k1[b] + 2.0 * k2[b] + 2.0 * k3[b] + k4[b]), 0.0)
        for i in range(N):
            s = 0.0
            for b in range(offsets[i], offsets[i + 1]):
                s += x[b]
            for b in range(offsets[i], offsets[i + 1]):
                x[b] /= s
        traj[t] = x
    return traj


def _setup(game: Game, n_iter: Any, init: Any, method: str):
    game = check_game(game)
    n_iter = positive_int(n_iter, "n_iter")
    total = sum(game.shape)
    check_size(float((n_iter + 1) * total), MAX_TRAJECTORY, "trajectory entries", method)
    x0 = Profile.uniform(game.shape) if init is None else as_profile(init, game.shape)
    U = np.ascontiguousarray(game.payoffs.reshape(game.n_players, -1))
    shape = np.array(game.shape, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(shape)]).astype(np.int64)
    return game, n_iter, x0, U, shape, offsets, np.concatenate(x0)


def _result(game: Game, traj: np.ndarray, offsets: np.ndarray, output: str, tol: float, method: str,
            parameters: dict[str, Any], joint: np.ndarray | None = None) -> DynamicsResult:
    parts = tuple(traj[:, offsets[i]:offsets[i + 1]].copy() for i in range(game.n_players))
    for p in parts:
        p.setflags(write=False)
    average = Profile([p.mean(axis=0) for p in parts])
    final = Profile([p[-1] for p in parts])
    profile = average if output == "average" else final
    gap = normalise(game).normalised_game.nash_gap(profile)  # relative to each player's payoff range
    converged = bool(gap <= tol)
    equilibria = (make_equilibrium(game, profile, gap),) if converged else ()
    return DynamicsResult(trajectory=parts, average=average, final=final, profile=profile, gap=float(gap),
                          converged=converged, iterations=traj.shape[0] - 1, method=method,
                          parameters={**parameters, "tol": tol, "output": output}, joint=joint,
                          equilibria=equilibria)


def fictitious_play(game: Game, n_iter: int = 1000, *, init: Any = None, tol: float = 1e-3) -> DynamicsResult:
    """Simultaneous fictitious play for ``n_iter`` rounds from beliefs ``init`` (default uniform).

    Examples
    --------
    Matching pennies: the beliefs spiral into the mixed equilibrium.

    >>> from rqe import Game
    >>> mp = Game.zero_sum([[1, -1], [-1, 1]])
    >>> r = fictitious_play(mp, 2000, init=([1, 0], [0, 1]))
    >>> r.trajectory[0].shape, r.gap < 0.05
    ((2001, 2), True)
    """
    tol = positive_float(tol, "tol")
    game, n_iter, x0, U, shape, offsets, flat = _setup(game, n_iter, init, "fictitious_play")
    traj = _fictitious_play(U, shape, offsets, flat, n_iter)
    return _result(game, traj, offsets, "final", tol, "fictitious_play", {"n_iter": n_iter})


def regret_matching(game: Game, n_iter: int = 1000, *, mode: str = "expected", init: Any = None,
                    rng: np.random.Generator | int | None = None, tol: float = 1e-3) -> DynamicsResult:
    """Regret matching for ``n_iter`` rounds (``mode="expected"`` or ``"sampled"`` with ``rng``).

    Examples
    --------
    >>> from rqe import Game
    >>> rps = Game.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    >>> r = regret_matching(rps, 5000, init=([0.6, 0.2, 0.2], [0.2, 0.2, 0.6]))
    >>> r.gap < 0.05
    True
    >>> s = regret_matching(rps, 2000, mode="sampled", rng=0)
    >>> s.joint.shape, float(s.joint.sum())
    ((3, 3), 1.0)
    """
    if not isinstance(mode, str) or mode not in ("expected", "sampled"):
        raise ParameterError(f"mode must be 'expected' or 'sampled', got {mode!r}")
    tol = positive_float(tol, "tol")
    game, n_iter, x0, U, shape, offsets, flat = _setup(game, n_iter, init, "regret_matching")
    sampled = mode == "sampled"
    if sampled:
        generator = as_generator(rng)
        uniforms = generator.random((n_iter, game.n_players))
    else:
        uniforms = np.zeros((1, game.n_players))
    joint = np.zeros(game.n_profiles)
    traj = _regret_matching(U, shape, offsets, flat, n_iter, sampled, uniforms, joint)
    joint_out = (joint / n_iter).reshape(game.shape) if sampled else None
    return _result(game, traj, offsets, "average", tol, "regret_matching", {"n_iter": n_iter, "mode": mode},
                   joint=joint_out)


def replicator_dynamics(game: Game, n_iter: int = 1000, *, dt: float = 0.01, init: Any = None,
                        tol: float = 1e-3) -> DynamicsResult:
    """Replicator dynamics integrated with ``n_iter`` Runge-Kutta steps of size ``dt`` from ``init``.

    Examples
    --------
    In the prisoner's dilemma cooperation dies out:

    >>> from rqe import Game
    >>> pd = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> r = replicator_dynamics(pd, 2000, dt=0.01)
    >>> r.final[0].round(3).tolist(), r.converged
    ([0.0, 1.0], True)
    """
    dt = positive_float(dt, "dt")
    tol = positive_float(tol, "tol")
    game, n_iter, x0, U, shape, offsets, flat = _setup(game, n_iter, init, "replicator_dynamics")
    traj = _replicator(U, shape, offsets, flat, n_iter, dt)
    return _result(game, traj, offsets, "final", tol, "replicator_dynamics", {"n_iter": n_iter, "dt": dt})
