"""Bad input never escapes as anything but an rqe error (issue: typed errors for every bad input).

Two layers: the fixed sweep of ``tests/fuzz_harness.py`` (every public call template times every bad value, about
2,500 calls) and hypothesis fuzz of payoff arrays, profiles, solver parameters and library parameters. Each call
must return a valid answer or raise :class:`rqe.errors.RQEError`; nothing else.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rqe import Game, Profile, library
from tests import fuzz_harness

TEMPLATES = fuzz_harness._templates()

#: Seconds after which a call counts as a hang. Generous, so that the verdict never depends on the machine's
#: load: a first call may also compile its kernels (tens of seconds on a cold cache), which the warm-up below
#: does before any timed call.
HANG_S = 300


@pytest.fixture(scope="module", autouse=True)
def compiled_solvers():
    """Compile the solvers the fuzz calls (once per process, untimed), so that no timed call compiles."""
    import rqe

    game = library.get("stag_hunt")
    stack = np.stack([game.payoffs] * 2)
    rqe.solve_nash(game)
    rqe.solve_nash(game, method="support_enumeration")
    rqe.solve_qre(game, 1.0)
    rqe.qre_path(game, 2.0)
    rqe.fit_qre(game, ([0.5, 0.5], [0.5, 0.5]))
    rqe.solve_qre_batch(stack, 1.0)
    rqe.solve_rqe(game, 1.0, 0.5)
    rqe.solve_rqe(game, 1.0, 0.5, method="continuation")
    rqe.solve_rqe_batch(stack, 1.0, 0.5)
    rqe.is_tractable(game, 1.0, 0.5, samples=16)
    rqe.fictitious_play(game, 20)
    rqe.regret_matching(game, 20, mode="sampled", rng=0)
    rqe.replicator_dynamics(game, 20)
    rqe.security_strategies(game)


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_bad_value_gives_an_rqe_error_or_a_valid_answer(template):
    raw = [o for label, value in fuzz_harness.VALUES
           if (o := fuzz_harness.run_call(template, TEMPLATES[template], label, value, HANG_S)).kind == "raw"]
    assert not raw, "\n".join(f"{o.template} <- {o.value}: {o.detail}" for o in raw)


def test_the_sweep_covers_a_thousand_calls():
    assert len(TEMPLATES) * len(fuzz_harness.VALUES) >= 1000


# --------------------------------------------------------------------------------------------- hypothesis
scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10 ** 400), max_value=10 ** 400),
    st.complex_numbers(max_magnitude=1e6),
    st.booleans(), st.none(), st.text(max_size=3),
)
nested = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=12)
reals = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def _expect_rqe_error_or_valid(call):
    outcome = fuzz_harness.run_call("hypothesis", lambda _: call(), "-", None, limit_s=HANG_S)
    assert outcome.kind != "raw", outcome.detail


@settings(max_examples=150, deadline=None)
@given(nested)
def test_game_from_anything(values):
    _expect_rqe_error_or_valid(lambda: Game(values))
    _expect_rqe_error_or_valid(lambda: Game.from_bimatrix(values, values))
    _expect_rqe_error_or_valid(lambda: Profile(values))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(reals, min_size=1, max_size=3), min_size=1, max_size=3), scalars)
def test_game_methods_with_odd_arguments(rows, odd):
    width = len(rows[0])
    A = [r[:width] + [0.0] * (width - len(r)) for r in rows]
    game = Game.from_bimatrix(A, np.transpose(A).T)
    for call in (lambda: game.payoff_matrix(odd), lambda: game.best_responses(Profile.uniform(game.shape), atol=odd),
                 lambda: game.permute_actions(odd, list(range(game.shape[0]))), lambda: game.is_potential(atol=odd),
                 lambda: game.replace(title=odd), lambda: Profile.uniform(game.shape).allclose(odd)):
        _expect_rqe_error_or_valid(call)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(library.names()), st.data())
def test_library_parameters(name, data):
    params = library.parameters(name)
    key = data.draw(st.sampled_from(sorted(params))) if params else None
    value = data.draw(scalars | st.integers(min_value=-3, max_value=40) | st.tuples(st.integers(-2, 5)))
    _expect_rqe_error_or_valid(lambda: library.get(name, **({key: value} if key else {})))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["solve_qre", "solve_rqe", "fictitious_play", "replicator_dynamics", "solve_nash"]),
       scalars | st.floats(min_value=1e-320, max_value=1e308))
def test_solver_parameters(solver, value):
    import rqe

    game = library.get("stag_hunt")
    calls = {
        "solve_qre": lambda: rqe.solve_qre(game, value),
        "solve_rqe": lambda: rqe.solve_rqe(game, value, value if not isinstance(value, float) or value > 0 else 0.5),
        "fictitious_play": lambda: rqe.fictitious_play(game, 20, tol=value),
        "replicator_dynamics": lambda: rqe.replicator_dynamics(game, 20, dt=value),
        "solve_nash": lambda: rqe.solve_nash(game, tol=value),
    }
    _expect_rqe_error_or_valid(calls[solver])


def test_extreme_but_finite_parameters_are_answered_or_refused_cleanly():
    import rqe

    game = library.get("stag_hunt")
    for tau, eps in [(1e308, 1.0), (1.0, 1e308), (1e-320, 1.0), (1.0, 1e-320), (math.ulp(0.0), 1e-300)]:
        _expect_rqe_error_or_valid(lambda: rqe.solve_rqe(game, tau, eps))
        _expect_rqe_error_or_valid(lambda: rqe.solve_qre(game, 1 / eps if eps > 1e-300 else 1e300))
