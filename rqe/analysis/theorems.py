"""The SRPO theorems as checks that can fail, one game at a time.

Each ``check_*`` function returns a :class:`CheckResult`: how many inequalities were checked, how many held,
and the worst *margin* (the slack of the tightest inequality: ``>= 0`` when it holds, negative for a
counterexample). :mod:`rqe.analysis.verify` runs them over seeded ensembles.

* [QZLM] Theorem 4.1 (``docs/rqe-math.md`` section 5): in a quadratic aggregative game the expected shared
  reward ``J(tau) = E[R]`` at the Gaussian RQE is strictly increasing in ``tau`` on its domain.
* [QZLM] Theorem 4.2 (section 6): in a symmetric two-player collaborative game with ``n`` actions, no RQE has
  free-riding degree above ``delta`` once ``tau > 2 (eps log n + vbar) (c_max - c_min)^2 / (eps delta^2)``,
  with ``v_min = min R - c_max``, ``v_max = max R - c_min``, ``vbar = v_max - v_min``.
* Tractable region (section 4): the sufficient conditions used by :func:`rqe.is_tractable` are monotone, so
  a tractable ``(tau, eps)`` stays tractable when ``tau`` or ``eps`` grows.
* Welfare of RQE against the worst and best Nash equilibria ([QZLM] Sec. 4): a comparison, not a theorem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe.game import Game
from rqe.analysis.free_riding import free_riding_bound, free_riding_degree
from rqe.analysis.quadratic import QuadraticGame
from rqe.analysis.welfare import equilibrium_payoffs

__all__ = [
    "CheckResult",
    "check_theorem_4_1",
    "theorem_4_2_bound",
    "check_theorem_4_2",
    "check_tractable_monotone",
    "compare_rqe_nash_welfare",
    "random_symmetric_collaborative",
    "solve_rqe_multistart",
]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of checking a claim on one game.

    ``passed == checks`` and ``margin >= 0`` when the claim held; ``inconclusive`` counts sub-checks that could
    not be decided (e.g. a solver that did not converge), which are neither passes nor counterexamples.
    """

    checks: int
    passed: int
    margin: float
    inconclusive: int = 0
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def holds(self) -> bool:
        """True when no sub-check failed."""
        return self.passed + self.inconclusive == self.checks


def solve_rqe_multistart(game: Game, tau: float, epsilon: float, n_starts: int = 6,
                         rng: np.random.Generator | None = None) -> Any:
    """:func:`rqe.solve_rqe` from ``n_starts`` starts with the fixed-point method (Newton-polished, so it also
    lands on unstable RQE such as the middle branch of a pitchfork); when that does not certify an RQE, the
    solver's ``"auto"`` method (continuation) is run with the same starts."""
    from rqe.solvers.rqe import solve_rqe

    result = solve_rqe(game, tau, epsilon, method="fixed_point", n_starts=n_starts, rng=rng)
    if not result.converged:
        result = solve_rqe(game, tau, epsilon, method="auto", n_starts=n_starts, rng=rng)
    return result


# ---------------------------------------------------------------------- Theorem 4.1
def check_theorem_4_1(game: QuadraticGame, epsilon: Any, taus: Any = None, n_taus: int = 20,
                      fraction: float = 0.95, decreasing: bool = False) -> CheckResult:
    """Check that ``J(tau)`` is strictly increasing on a grid of common ``tau`` in ``[0, fraction * tau_max)``.

    ``margin`` is the smallest increment ``J(tau_{k+1}) - J(tau_k)``. When ``tau_max`` is infinite the grid
    goes to ``20 / min(eps)``. ``decreasing=True`` checks the *false* claim that ``J`` decreases (used to test
    that the verification harness catches counterexamples).

    >>> from rqe.analysis.quadratic import example_4_1
    >>> result = check_theorem_4_1(example_4_1(), 1.0)
    >>> result.checks == result.passed == 19, result.margin > 0
    (True, True)
    """
    if taus is None:
        top = game.tau_max(epsilon)
        top = fraction * top if np.isfinite(top) else 20.0 / float(np.min(epsilon))
        taus = np.linspace(0.0, top, n_taus)
    taus = np.asarray(taus, dtype=np.float64)
    values = np.array([game.J(t, epsilon) for t in taus])
    steps = np.diff(values)
    if decreasing:
        steps = -steps
    k = int(np.argmin(steps))
    return CheckResult(
        checks=steps.size, passed=int(np.sum(steps > 0)), margin=float(steps[k]),
        details={"taus": taus.tolist(), "J": values.tolist(), "worst_step": [float(taus[k]), float(taus[k + 1])]},
    )


# ---------------------------------------------------------------------- Theorem 4.2
def theorem_4_2_bound(game: Game, epsilon: float, delta: float) -> float:
    """``2 (eps log n + vbar) (c_max - c_min)^2 / (eps delta^2)`` for a symmetric two-player collaborative game.

    ``R`` is recovered as ``u_1(a) + c(a_1)``; ``v_min = min R - c_max``, ``v_max = max R - c_min``.

    >>> g = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
    >>> round(theorem_4_2_bound(g, 0.2, 0.1), 6)      # 2 (0.2 log 2 + 1.4) 0.16 / (0.2 * 0.01)
    246.18071
    """
    return free_riding_bound(game, epsilon, delta)  # one copy of the bound, with its symmetry checks


def check_theorem_4_2(game: Game, tau: float, epsilon: float, delta: float, n_starts: int = 6,
                      rng: np.random.Generator | None = None) -> CheckResult:
    """Find RQE from ``n_starts`` starts (:func:`solve_rqe_multistart`) and check that each has free-riding
    degree ``<= delta``; ``margin = delta - max degree``.

    The theorem applies for ``tau`` above :func:`theorem_4_2_bound` (recorded in ``details``); below it the
    check can fail, e.g. in collaborate/defect at small ``tau``:

    >>> g = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
    >>> check_theorem_4_2(g, 0.1, 0.2, 0.1).holds, check_theorem_4_2(g, 300.0, 0.2, 0.1).holds
    (False, True)

    A solver result that is not certified counts as inconclusive.
    """
    result = solve_rqe_multistart(game, tau, epsilon, n_starts=n_starts, rng=rng)
    equilibria = list(result.equilibria) or [None]
    margins, passed, inconclusive = [], 0, 0
    converged = bool(result.converged)
    for eq in equilibria:
        if eq is None or not converged:
            inconclusive += 1
            continue
        degree = free_riding_degree(game, eq)
        margins.append(delta - degree)
        passed += int(degree <= delta)
    return CheckResult(
        checks=len(equilibria), passed=passed, inconclusive=inconclusive,
        margin=float(min(margins)) if margins else float("nan"),
        details={"tau": tau, "epsilon": epsilon, "delta": delta, "bound": theorem_4_2_bound(game, epsilon, delta),
                 "equilibria": len(result.equilibria), "residual": float(result.residual)},
    )


def random_symmetric_collaborative(rng: np.random.Generator, n_actions: int = 2) -> Game:
    """Symmetric two-player game ``u_i = R - c(a_i)`` with ``R = (U + U^T)/2``, ``U ~ U(0,1)``, ``c ~ U(0, 0.5)``.

    >>> random_symmetric_collaborative(np.random.default_rng(0), 3).is_symmetric()
    True
    """
    U = rng.uniform(0.0, 1.0, size=(n_actions, n_actions))
    c = rng.uniform(0.0, 0.5, size=n_actions)
    return Game.from_shared_reward((U + U.T) / 2, [c, c], title=f"random symmetric collaborative {n_actions}x{n_actions}")


# ---------------------------------------------------------------------- tractable region
def _tractable(game: Game, tau: float, epsilon: float, **options: Any) -> tuple[bool, float]:
    from rqe.solvers.rqe import is_tractable

    answer = is_tractable(game, tau, epsilon, **options)
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer), float("nan")
    flag = getattr(answer, "tractable", None)
    if flag is None and isinstance(answer, tuple):
        flag = answer[0]
    margin = getattr(answer, "margin", float("nan"))
    return bool(flag if flag is not None else answer), float(margin)


def check_tractable_monotone(game: Game, tau: float, epsilon: float, factors: Any = (1.5, 2.0, 4.0),
                             **options: Any) -> CheckResult:
    """If ``(tau, eps)`` is tractable, check ``(f tau, eps)`` and ``(tau, f eps)`` are too, for each factor ``f``.

    ``options`` go to :func:`rqe.is_tractable` (``penalty``, ``regularizer``, ``samples``, ``rng``: the sampled
    criterion uses the same sample points at every call when ``rng`` is a fixed seed). ``margin`` is the
    smallest criterion margin at the scaled points; a non-tractable starting point gives zero checks.
    """
    start, _ = _tractable(game, tau, epsilon, **options)
    if not start:
        return CheckResult(checks=0, passed=0, margin=float("nan"), details={"start_tractable": False})
    checks = passed = 0
    margins, failures = [], []
    for f in factors:
        for point in ((f * tau, epsilon), (tau, f * epsilon)):
            ok, margin = _tractable(game, *point, **options)
            checks += 1
            passed += int(ok)
            margins.append(margin if np.isfinite(margin) else (0.0 if ok else -1.0))
            if not ok:
                failures.append(list(point))
    return CheckResult(checks=checks, passed=passed, margin=float(min(margins)),
                       details={"start_tractable": True, "failures": failures})


# ---------------------------------------------------------------------- welfare comparison
def compare_rqe_nash_welfare(game: Game, tau: float, epsilon: float, n_starts: int = 4,
                             rng: np.random.Generator | None = None) -> dict[str, float]:
    """Utilitarian welfare of the RQE found (worst and best over starts) against the worst and best Nash.

    Returns ``{"rqe_worst", "rqe_best", "nash_worst", "nash_best", "optimum", "nash_count", "rqe_count",
    "converged"}``.
    """
    from rqe.solvers.nash import solve_nash

    nash = solve_nash(game)
    risk = solve_rqe_multistart(game, tau, epsilon, n_starts=n_starts, rng=rng)
    nash_w = equilibrium_payoffs(game, nash).sum(axis=1)
    rqe_w = equilibrium_payoffs(game, risk).sum(axis=1)
    return {
        "rqe_worst": float(rqe_w.min()), "rqe_best": float(rqe_w.max()),
        "nash_worst": float(nash_w.min()), "nash_best": float(nash_w.max()),
        "optimum": float(game.payoffs.sum(axis=0).max()),
        "nash_count": int(nash_w.size), "rqe_count": int(rqe_w.size),
        "converged": bool(risk.converged) and bool(getattr(nash, "converged", True)),
    }
