"""One Nash equilibrium of an n-player game by the global Newton method of Govindan and Wilson.

The structure theorem of Kohlberg and Mertens [KM86] says that the equilibrium graph over the games
``G + g`` (``g_i[a]`` a bonus paid to player ``i`` for playing ``a``, whatever the others do) is homeomorphic to
the space of bonuses. With ``r`` the Euclidean projection of each player's block onto its simplex and
``V(s)_i = M_i s_{-i}`` the action values (``docs/rqe-math.md`` section 1), the homeomorphism is

    z  ->  g(z) = z - r(z) - V(r(z)),      with  s = r(z)  an equilibrium of  G + g(z),

because ``s_i = r_i(s_i + w)`` holds exactly when ``s_i`` is a best response to the values ``w``. Govindan and
Wilson [GW03] follow the curve ``H(z, lam) = z - r(z) - V(r(z)) - lam b = 0`` from ``lam`` large, where the
bonus ``lam b`` makes one pure profile strictly dominant (the unique equilibrium), down to ``lam = 0``: for a
generic ``b`` the curve is a 1-manifold that reaches ``lam = 0``, at an equilibrium of ``G`` itself.

Steps, as implemented here:

1. normalise each player's payoffs onto ``[0, 1]`` (:mod:`rqe.solvers._scale`);
2. draw ``b`` (seeded): ``b_i = e_{a_i} + u_i``, ``u_i`` uniform on ``[0, 0.1)``, and start at ``lam_0 = 2``,
   where ``a_i`` is strictly dominant for every player;
3. follow the curve by pseudo-arclength predictor-corrector continuation (Newton corrector with the
   piecewise-constant Jacobian of ``r``; the step shrinks when the corrector fails or the support changes);
4. at the first crossing of ``lam = 0``, solve ``H(z, 0) = 0`` by Newton from the interpolated point, then
   polish ``s = r(z)`` on its support (:func:`rqe.solvers.polish.polish_to_nash`) and certify it.

A result is returned only with its relative Nash gap; a path that does not reach ``lam = 0`` within
``max_steps`` gives ``converged=False`` and no equilibrium.

References
----------
[GW03] S. Govindan, R. Wilson, *A global Newton method to compute Nash equilibria*, J. Econ. Theory 110 (2003).
[KM86] E. Kohlberg, J.-F. Mertens, *On the strategic stability of equilibria*, Econometrica 54 (1986).
Gambit's ``gnm_solve`` implements the same method.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from rqe._validation import positive_int
from rqe.game import Game
from rqe.results import Equilibrium
from rqe.solvers._common import GAP_TOL, certify, check_game, check_size, check_tol
from rqe.solvers._scale import normalise

__all__ = ["global_newton", "GlobalNewtonResult"]

#: Largest payoff tensor (entries ``N * n_1 * ... * n_N``) accepted by default.
MAX_ENTRIES = 2e6


@dataclass(frozen=True)
class GlobalNewtonResult:
    """What :func:`global_newton` found: at most one equilibrium, with the path's diagnostics."""

    equilibria: tuple[Equilibrium, ...]
    converged: bool
    iterations: int
    method: str = "global_newton"
    parameters: dict[str, Any] = field(default_factory=dict)
    end_lambda: float = float("nan")

    @property
    def residual(self) -> float:
        return max((e.residual for e in self.equilibria), default=float("inf"))


@njit(cache=True)
def _project_blocks(z, offsets):
    """Euclidean projection of each player's block of ``z`` onto its simplex (sort-based); NaN if not finite."""
    out = np.empty_like(z)
    for i in range(offsets.shape[0] - 1):
        lo, hi = offsets[i], offsets[i + 1]
        v = z[lo:hi]
        u = np.sort(v)[::-1]
        total = 0.0
        theta = np.nan
        for k in range(u.shape[0]):
            total += u[k]
            candidate = (total - 1.0) / (k + 1.0)
            if u[k] - candidate > 0:
                theta = candidate
        for k in range(hi - lo):
            out[lo + k] = max(v[k] - theta, 0.0)
    return out


@njit(cache=True)
def _values_and_derivatives(U, actions, offsets, s, want_derivatives):
    """Action values ``V`` and, if asked, ``DV[(i, a), (k, b)] = dV_i[a] / ds_k[b]`` (zero for ``k = i``).

    ``U[i, p]`` is player ``i``'s payoff at profile ``p`` (C order) and ``actions[p]`` its action tuple; one pass
    over the profiles, ``O(P N^3)``.
    """
    n_players, n_profiles = U.shape
    size = s.shape[0]
    V = np.zeros(size)
    DV = np.zeros((size, size)) if want_derivatives else np.zeros((1, 1))
    for p in range(n_profiles):
        for i in range(n_players):
            u = U[i, p]
            if u == 0.0:
                continue
            row = offsets[i] + actions[p, i]
            weight = 1.0
            for j in range(n_players):
                if j != i:
                    weight *= s[offsets[j] + actions[p, j]]
            V[row] += u * weight
            if want_derivatives:
                for k in range(n_players):
                    if k == i:
                        continue
                    partial = 1.0
                    for j in range(n_players):
                        if j != i and j != k:
                            partial *= s[offsets[j] + actions[p, j]]
                    DV[row, offsets[k] + actions[p, k]] += u * partial
    return V, DV


class _Problem:
    """The normalised game and the maps ``r``, ``V`` and the Jacobian of ``H`` (a value, not a state)."""

    def __init__(self, payoffs: np.ndarray, bonus: np.ndarray):
        self.shape = payoffs.shape[1:]
        self.n = len(self.shape)
        self.offsets = np.concatenate([[0], np.cumsum(self.shape)]).astype(np.int64)
        self.U = np.ascontiguousarray(payoffs.reshape(self.n, -1))
        self.actions = np.array(list(np.ndindex(*self.shape)), dtype=np.int64).reshape(-1, self.n)
        self.bonus = bonus

    def blocks(self, x: np.ndarray) -> list[np.ndarray]:
        return [x[self.offsets[i]:self.offsets[i + 1]] for i in range(self.n)]

    def project(self, z: np.ndarray) -> np.ndarray:
        return _project_blocks(z, self.offsets)

    def values(self, s: np.ndarray) -> np.ndarray:
        return _values_and_derivatives(self.U, self.actions, self.offsets, s, False)[0]

    def residual(self, z: np.ndarray, lam: float) -> np.ndarray:
        return _residual(self.U, self.actions, self.offsets, self.bonus, z, lam)

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        return _jacobian(self.U, self.actions, self.offsets, z)


@njit(cache=True)
def _residual(U, actions, offsets, bonus, z, lam):
    s = _project_blocks(z, offsets)
    V = _values_and_derivatives(U, actions, offsets, s, False)[0]
    return z - s - V - lam * bonus


@njit(cache=True)
def _jacobian(U, actions, offsets, z):
    """``dH/dz = I - R' - DV(r(z)) R'`` with ``R'`` the block projection onto each support's hyperplane."""
    s = _project_blocks(z, offsets)
    size = z.shape[0]
    R = np.zeros((size, size))
    for i in range(offsets.shape[0] - 1):
        count = 0
        for a in range(offsets[i], offsets[i + 1]):
            if s[a] > 0:
                count += 1
        for a in range(offsets[i], offsets[i + 1]):
            if s[a] > 0:
                for b in range(offsets[i], offsets[i + 1]):
                    if s[b] > 0:
                        R[a, b] = (1.0 if a == b else 0.0) - 1.0 / count
    DV = _values_and_derivatives(U, actions, offsets, s, True)[1]
    return np.eye(size) - R - DV @ R


def _tangent(J: np.ndarray, bonus: np.ndarray, orientation: float) -> tuple[np.ndarray, float]:
    """Unit tangent of the curve (the kernel of ``[dH/dz | -b]``) and the sign of ``det [dH; t^T]``.

    With ``orientation`` 0 (the start) the tangent points to decreasing ``lam``; otherwise it is the one whose
    determinant sign equals ``orientation``: that sign is constant along the curve, across the kinks of ``r``
    too, so it orients the curve where the tangent turns sharply.
    """
    full = np.hstack([J, -bonus[:, None]])
    t = np.linalg.svd(full)[2][-1]
    sign = np.sign(np.linalg.det(np.vstack([full, t[None, :]])))
    if orientation == 0:
        if t[-1] > 0:
            t, sign = -t, -sign
    elif sign != orientation:
        t, sign = -t, -sign
    return t, sign


def global_newton(game: Game, *, seed: int = 0, tol: float = GAP_TOL, max_steps: int = 20_000,
                  max_size: float = MAX_ENTRIES) -> GlobalNewtonResult:
    """One Nash equilibrium of any finite game by following the Govindan-Wilson curve (module docstring).

    Parameters
    ----------
    game : Game
        Any finite game (N >= 1 players).
    seed : int
        Seed of the random part of the bonus direction ``b`` (different seeds may reach different equilibria).
    tol : float
        Largest relative Nash gap of the returned equilibrium.
    max_steps : int
        Limit on the continuation steps.
    max_size : float
        Limit on the payoff tensor entries, checked first.

    Examples
    --------
    A 2x2x2 game whose only equilibrium is mixed (each player matches or mismatches the next):

    >>> import numpy as np
    >>> from rqe import Game
    >>> u = np.zeros((3, 2, 2, 2))
    >>> for a in np.ndindex(2, 2, 2):
    ...     u[(0, *a)] = float(a[0] == a[1]); u[(1, *a)] = float(a[1] != a[2]); u[(2, *a)] = float(a[2] == a[0])
    >>> r = global_newton(Game(u))
    >>> r.converged, [x.round(6).tolist() for x in r.equilibria[0].strategies]
    (True, [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])
    """
    game = check_game(game)
    tol = check_tol(tol)
    max_steps = positive_int(max_steps, "max_steps")
    check_size(float(game.payoffs.size), max_size, "payoff entries", "global_newton")
    scaled = normalise(game)
    rng = np.random.default_rng(seed)
    shape = game.shape
    start = [int(rng.integers(n)) for n in shape]
    bonus = np.concatenate([np.eye(n)[a] + rng.uniform(0.0, 0.1, n) * (np.arange(n) != a)
                            for n, a in zip(shape, start)])
    problem = _Problem(np.asarray(scaled.payoffs), bonus)
    parameters = {"seed": seed, "tol": tol, "max_steps": max_steps, "start": tuple(start)}
    lam = 2.0  # the start action gains at least 2 * 0.9 > 1 (the normalised payoff range) over any other
    s0 = np.concatenate([np.eye(n)[a] for n, a in zip(shape, start)])
    z = s0 + problem.values(s0) + lam * bonus
    t, orientation = _tangent(problem.jacobian(z), bonus, 0.0)
    h = 0.05
    steps = 0
    end = None
    while steps < max_steps:
        steps += 1
        point = np.concatenate([z, [lam]])
        predicted = point + h * t
        corrected = _correct(problem, predicted, t)
        if corrected is None or np.linalg.norm(corrected - point) > 2.5 * h:
            h *= 0.5
            if h < 1e-9:
                # on a boundary between two supports of r: continue along the next piece of the curve
                beyond = z + 1e-8 * t[:-1]
                if _pattern(problem, beyond) == _pattern(problem, z):
                    break
                t, _ = _tangent(problem.jacobian(beyond), bonus, orientation)
                h = 1e-6
            continue
        new_t, _ = _tangent(problem.jacobian(corrected[:-1]), bonus, orientation)
        if new_t @ t < 0.5 and h > 2e-6:  # a sharp turn (a kink of r): take a shorter step
            h *= 0.5
            continue
        if corrected[-1] <= 0.0 < lam:
            if corrected[-1] < -1e-10 and h > 1e-14:  # overshot: shorten the step to land on lam = 0
                h *= max(0.9 * lam / (lam - corrected[-1]), 1e-3)
                continue
            end = _land(problem, point, corrected)
            break
        z, lam, t = corrected[:-1], corrected[-1], new_t
        h = min(1.5 * h, 0.5)
    if end is None:
        return GlobalNewtonResult((), False, steps, parameters=parameters, end_lambda=float(lam))
    profile = [x.copy() for x in problem.blocks(problem.project(end))]
    from rqe.solvers.polish import polish_to_nash

    polished, _ = polish_to_nash(scaled.normalised_game, profile, tol=tol)
    candidates = [polished] if polished is not None else [profile]
    equilibria, _ = certify(game, candidates, tol, scaled=scaled)
    return GlobalNewtonResult(tuple(equilibria), bool(equilibria), steps, parameters=parameters, end_lambda=0.0)


def _pattern(problem: _Problem, z: np.ndarray) -> tuple[bool, ...]:
    return tuple((problem.project(z) > 0).tolist())


def _correct(problem: _Problem, predicted: np.ndarray, t: np.ndarray, iterations: int = 12):
    """Newton on ``H = 0`` within the hyperplane through ``predicted`` orthogonal to ``t``."""
    w = predicted.copy()
    for _ in range(iterations):
        z, lam = w[:-1], w[-1]
        H = problem.residual(z, lam)
        if np.abs(H).max() <= 1e-12:
            return w
        J = np.hstack([problem.jacobian(z), -problem.bonus[:, None]])
        system = np.vstack([J, t[None, :]])
        rhs = np.concatenate([-H, [t @ (predicted - w)]])
        try:
            w = w + np.linalg.solve(system, rhs)
        except np.linalg.LinAlgError:
            return None
        if not np.isfinite(w).all() or np.abs(w).max() > 1e6:
            return None
    return w if np.abs(problem.residual(w[:-1], w[-1])).max() <= 1e-9 else None


def _land(problem: _Problem, before: np.ndarray, after: np.ndarray) -> np.ndarray | None:
    """The point of the curve at ``lam = 0`` between two accepted points: Newton on ``H(z, 0) = 0``."""
    theta = before[-1] / (before[-1] - after[-1])
    z = before[:-1] + theta * (after[:-1] - before[:-1])
    for _ in range(30):
        H = problem.residual(z, 0.0)
        if np.abs(H).max() <= 1e-13:
            break
        try:
            z = z - np.linalg.solve(problem.jacobian(z), H)
        except np.linalg.LinAlgError:
            break
    return z
