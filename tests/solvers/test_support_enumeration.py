import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from rqe import Game
from rqe.errors import GameError, ParameterError, ProblemSizeError
from rqe.solvers.support_enumeration import DegenerateGameWarning, exact_nash_gap, support_enumeration
from rqe.solvers.vertex_enumeration import vertex_enumeration
from tests.solvers.nash_helpers import key_set, nashpy_equilibria, quantecon_game, random_game

SIZES = [(2, 2), (2, 3), (3, 3), (3, 4), (4, 4), (5, 3), (5, 5), (6, 6), (7, 7), (8, 8)]


@pytest.mark.parametrize("m,n", SIZES)
def test_nondegenerate_games_equal_nashpy(m, n):
    rng = np.random.default_rng(1000 * m + n)
    for _ in range(3 if m * n <= 25 else 1):
        game = random_game(rng, m, n, degenerate=False)
        result = support_enumeration(game)
        assert not result.degenerate and result.complete
        ours = key_set(e.strategies for e in result.equilibria)
        assert ours == key_set(nashpy_equilibria(game))
        assert all(e.residual < 1e-9 for e in result.equilibria)
        assert len(result.equilibria) % 2 == 1  # odd number of equilibria in nondegenerate games


def test_nondegenerate_games_equal_quantecon():
    # one test for all sizes: QuantEcon's jitted generator is compiled on each run (about 15 s)
    from quantecon.game_theory import support_enumeration as qe_support_enumeration

    for m, n in SIZES:
        rng = np.random.default_rng(1000 * m + n)
        for _ in range(3 if m * n <= 25 else 1):
            game = random_game(rng, m, n, degenerate=False)
            ours = key_set(e.strategies for e in support_enumeration(game).equilibria)
            assert ours == key_set(qe_support_enumeration(quantecon_game(game)))


@pytest.mark.parametrize("m,n", [(2, 2), (3, 3), (3, 4), (4, 4), (5, 5), (6, 6)])
def test_degenerate_games_flagged_and_certified(m, n):
    rng = np.random.default_rng(7 * m + n)
    flagged = 0
    for _ in range(4):
        game = random_game(rng, m, n, degenerate=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = support_enumeration(game)
        assert any(issubclass(w.category, DegenerateGameWarning) for w in caught) == result.degenerate
        flagged += result.degenerate
        if result.degenerate:
            assert not result.complete
        assert all(e.residual < 1e-9 for e in result.equilibria)
        ours = key_set(e.strategies for e in result.equilibria)
        # what nashpy certifies (strict supports) we certify too, and every equilibrium found is extreme
        assert key_set(nashpy_equilibria(game)) <= ours
        assert ours <= key_set(e.strategies for e in vertex_enumeration(game).equilibria)
    assert flagged >= 1


def test_degeneracy_known_game():
    # the column player is indifferent between her two columns against the first row
    game = Game.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    with pytest.warns(DegenerateGameWarning, match="degenerate"):
        result = support_enumeration(game)
    assert result.degenerate and not result.complete


@pytest.mark.parametrize("seed", range(6))
def test_exact_mode_gap_is_zero(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    game = random_game(rng, m, n, degenerate=bool(seed % 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        exact = support_enumeration(game, exact=True)
        floating = support_enumeration(game)
    assert exact.exact and exact.parameters["tol"] == 0.0
    for e in exact.equilibria:
        x, y = e.extra["exact"]
        assert all(isinstance(v, Fraction) for v in x + y)
        assert sum(x) == 1 and sum(y) == 1
        assert exact_nash_gap(game.payoffs[0], game.payoffs[1], list(x), list(y)) == 0
        assert e.residual == 0.0
    assert key_set(e.strategies for e in exact.equilibria) == key_set(e.strategies for e in floating.equilibria)
    assert exact.degenerate == floating.degenerate


def test_exact_mode_known_fractions():
    bos = Game.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    result = support_enumeration(bos, exact=True)
    mixed = result.equilibria[1].extra["exact"]
    assert mixed == ((Fraction(3, 5), Fraction(2, 5)), (Fraction(2, 5), Fraction(3, 5)))


def test_size_guard():
    game = Game(np.zeros((2, 15, 15)))
    with pytest.raises(ProblemSizeError, match="1.55e\\+08 support pairs"):
        support_enumeration(game)
    with pytest.raises(ProblemSizeError, match="exact"):
        support_enumeration(Game(np.zeros((2, 8, 8))), exact=True)


def test_bad_input():
    with pytest.raises(GameError, match="2-player"):
        support_enumeration(Game(np.zeros((3, 2, 2, 2))))
    with pytest.raises(ParameterError):
        support_enumeration(Game(np.zeros((2, 2, 2))), tol=-1.0)
    with pytest.raises(GameError):
        support_enumeration([[1, 0], [0, 1]])


@given(seed=st.integers(0, 2**31), scale=st.floats(0.1, 100), shift=st.floats(-50, 50))
def test_invariant_to_affine_payoffs_and_transposition(seed, scale, shift):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    game = Game(rng.random((2, m, n)))
    base = key_set([e.strategies for e in support_enumeration(game).equilibria], digits=5)
    moved = Game(np.stack([scale * game.payoffs[0] + shift, game.payoffs[1]]))
    assert key_set([e.strategies for e in support_enumeration(moved).equilibria], digits=5) == base
    swapped = support_enumeration(game.permute_players([1, 0]))
    assert key_set(((e.strategies[1], e.strategies[0]) for e in swapped.equilibria), digits=5) == base
