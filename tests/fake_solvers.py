"""A stand-in solver module for the CLI tests: pure Nash equilibria by enumeration.

It follows the result contract of ``rqe.results`` (``equilibria``, ``converged``, ``method``, ``parameters``)
so the command line's plumbing is tested independently of the real solvers.
"""

import itertools
from dataclasses import dataclass, field

import numpy as np

from rqe.errors import ParameterError
from rqe.results import make_equilibrium


@dataclass(frozen=True)
class FakeResult:
    equilibria: tuple
    converged: bool
    method: str
    parameters: dict = field(default_factory=dict)


def solve_pure(game, method="pure", scale=1.0):
    if method != "pure":
        raise ParameterError(f"unknown method {method!r}; expected 'pure'")
    found = []
    for profile in itertools.product(*(range(n) for n in game.shape)):
        u = game.pure_payoffs(profile)
        best = all(
            game.pure_payoffs(profile[:i] + (b,) + profile[i + 1:])[i] <= u[i] + 1e-12
            for i in range(game.n_players) for b in range(game.shape[i])
        )
        if best:
            strategies = [np.eye(n)[a] for n, a in zip(game.shape, profile)]
            found.append(make_equilibrium(game, strategies, game.nash_gap(strategies)))
    return FakeResult(tuple(found), True, "fake_pure", {"method": method, "scale": np.float64(scale)})


def solve_unconverged(game, lam):
    x = [np.full(n, 1.0 / n) for n in game.shape]
    return FakeResult((make_equilibrium(game, x, 0.5),), False, "fake_iteration", {"lam": lam})


@dataclass(frozen=True)
class FakeJointResult:
    distribution: np.ndarray
    payoffs: np.ndarray
    welfare: float
    incentive_violation: float
    converged: bool = True
    method: str = "fake_joint"
    parameters: dict = field(default_factory=dict)
    equilibria: tuple = ()


def solve_joint(game, kind="ce", objective="welfare"):
    """Half on (a_1 = 0, rest 1) and half on (a_1 = 1, rest 0): a public coin between two pure profiles."""
    distribution = np.zeros(game.shape)
    first = (0,) + (1,) * (game.n_players - 1)
    second = (1,) + (0,) * (game.n_players - 1)
    distribution[first] = distribution[second] = 0.5
    payoffs = 0.5 * (game.pure_payoffs(first) + game.pure_payoffs(second))
    return FakeJointResult(distribution, payoffs, float(payoffs.sum()), 0.0, parameters={"kind": kind})


def solve_noisy(game, method="pure"):
    """Like solve_pure, but prints a banner straight to file descriptor 1, as some C libraries do."""
    import os

    os.write(1, b"Running SomeLP 1.0: banner on stdout\n")
    print("and a Python print")
    return solve_pure(game, method)
