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
