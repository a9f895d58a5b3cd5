"""Tests for rqe.game: validation errors, payoff computations, classification, and invariance properties."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rqe import Game, Profile
from rqe._validation import per_player, positive_float, positive_int
from rqe.errors import GameError, ParameterError, ProfileError, RQEError
from rqe.game import as_profile, product_distribution, pure_profiles

STAG = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]], title="Stag hunt")


# ------------------------------------------------------------------------------------------ bad inputs
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_payoffs(bad):
    payoffs = np.zeros((2, 2, 2))
    payoffs[1, 0, 1] = bad
    with pytest.raises(GameError, match=r"payoffs must be finite, got (nan|inf|-inf) at index \(1, 0, 1\)"):
        Game(payoffs)


def test_non_finite_in_bimatrix_and_costs():
    with pytest.raises(GameError, match=r"A must be finite, got nan at index \(0, 1\)"):
        Game.from_bimatrix([[1, np.nan]], [[1, 2]])
    with pytest.raises(GameError, match=r"costs\[1\] must be finite, got inf"):
        Game.from_shared_reward([[1, 0], [0, 1]], [[0, 0], [0, np.inf]])


@pytest.mark.parametrize(
    "payoffs,fragment",
    [
        (5.0, r"shape \(N, n_1, \.\.\., n_N\) with N >= 1 players, got an array of shape \(\)"),
        ([1.0, 2.0], r"got an array of shape \(2,\)"),
        (np.zeros((2, 2)), r"payoffs of shape \(2, 2\) describe 2 players on the first axis but 1 action axes"),
        (np.zeros((3, 2, 2)), r"describe 3 players on the first axis but 2 action axes"),
        (np.zeros((2, 2, 2, 2)), r"describe 2 players on the first axis but 3 action axes"),
    ],
)
def test_wrong_rank(payoffs, fragment):
    with pytest.raises(GameError, match=fragment):
        Game(payoffs)


def test_wrong_shapes():
    with pytest.raises(GameError, match=r"A and B must have the same shape, got \(2, 2\) and \(2, 3\)"):
        Game.from_bimatrix(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(GameError, match=r"A must be 2-dimensional, got an array of shape \(2,\)"):
        Game.from_bimatrix([1, 2], [1, 2])
    with pytest.raises(GameError, match="must be an array of real numbers"):
        Game([[[1, 2], [3]], [[1, 2], [3]]])  # ragged
    with pytest.raises(GameError, match=r"costs must have one vector per player \(2\), got 1"):
        Game.from_shared_reward(np.zeros((2, 2)), [[0, 0]])
    with pytest.raises(GameError, match=r"costs\[0\] must have 2 entries \(one per action\), got 3"):
        Game.from_shared_reward(np.zeros((2, 2)), [[0, 0, 0], [0, 0]])
    with pytest.raises(GameError, match=r"action_names\[1\] must have 2 entries, got 3"):
        Game(np.zeros((2, 2, 2)), action_names=[["a", "b"], ["a", "b", "c"]])
    with pytest.raises(GameError, match=r"action_names must have one list per player \(2\), got 1"):
        Game(np.zeros((2, 2, 2)), action_names=[["a", "b"]])
    with pytest.raises(GameError, match=r"player_names must have 2 entries, got 1"):
        Game(np.zeros((2, 2, 2)), player_names=["solo"])
    with pytest.raises(GameError, match="player_names must be distinct"):
        Game(np.zeros((2, 2, 2)), player_names=["x", "x"])
    with pytest.raises(GameError, match="title must be a string"):
        Game(np.zeros((2, 2, 2)), title=3)


@pytest.mark.parametrize("shape,player", [((2, 0, 2), 0), ((2, 3, 0), 1), ((3, 1, 0, 2), 1)])
def test_empty_action_set(shape, player):
    with pytest.raises(GameError, match=f"player {player} has an empty action set"):
        Game(np.zeros(shape))


def test_negative_probability():
    with pytest.raises(ProfileError, match=r"strategy of player 1 has a negative probability -0\.2 at action 0"):
        Profile([[0.5, 0.5], [-0.2, 1.2]])
    with pytest.raises(ProfileError, match="negative probability"):
        STAG.expected_payoffs(([1.5, -0.5], [0.5, 0.5]))


@pytest.mark.parametrize("vector,total", [([0.5, 0.6], "1.1"), ([0.2, 0.2], "0.4"), ([0, 0], "0")])
def test_not_summing_to_one(vector, total):
    with pytest.raises(ProfileError, match=f"strategy of player 0 must sum to 1, sums to {total}"):
        Profile([vector, [1.0]])


def test_other_bad_profiles():
    with pytest.raises(ProfileError, match="non-finite entries"):
        Profile([[np.nan, 1.0]])
    with pytest.raises(ProfileError, match="non-empty 1-D vector"):
        Profile([[]])
    with pytest.raises(ProfileError, match="a profile must be a sequence"):
        Profile("0.5,0.5")
    with pytest.raises(ProfileError, match="at least one player"):
        Profile([])
    with pytest.raises(ProfileError, match="profile has 1 strategies, the game has 2 players"):
        STAG.expected_payoffs([[0.5, 0.5]])
    with pytest.raises(ProfileError, match="strategy of player 1 has 3 entries, the player has 2 actions"):
        STAG.nash_gap([[0.5, 0.5], [0.2, 0.3, 0.5]])
    with pytest.raises(ProfileError, match=r"action 2 of player 0 is out of range 0\.\.1"):
        STAG.pure_payoffs((2, 0))


@pytest.mark.parametrize("name", ["tau", "epsilon"])
def test_negative_tau_epsilon(name):
    with pytest.raises(ParameterError, match=rf"{name} must be >= 0 for every player, got {name}\[1\] = -0\.5"):
        per_player([1.0, -0.5], 2, name)
    with pytest.raises(ParameterError, match=rf"{name} must be > 0 for every player, got {name}\[0\] = 0"):
        per_player(0.0, 2, name, strict=True)
    with pytest.raises(ParameterError, match=rf"{name} must be finite for every player, got {name}\[0\] = nan"):
        per_player(np.nan, 2, name)
    with pytest.raises(ParameterError, match=r"one entry per player \(3\), got shape \(2,\)"):
        per_player([1, 2], 3, name)
    assert per_player(np.inf, 2, name, allow_inf=True).tolist() == [np.inf, np.inf]


def test_other_parameter_checks():
    with pytest.raises(ParameterError, match="max_iter must be an integer >= 1, got 0"):
        positive_int(0, "max_iter")
    with pytest.raises(ParameterError, match="tol must be a positive finite number"):
        positive_float(-1e-3, "tol")


def test_errors_share_one_base_and_builtin_types():
    for error in (GameError, ProfileError, ParameterError):
        assert issubclass(error, RQEError) and issubclass(error, ValueError)


# ------------------------------------------------------------------------------------------ computations
def test_expected_payoffs_action_values_and_gap():
    x = ([0.25, 0.75], [0.5, 0.5])
    values = STAG.action_values(x)
    np.testing.assert_allclose(values[0], [2.0, 3.0])
    np.testing.assert_allclose(values[1], [1.0, 3.0])
    np.testing.assert_allclose(STAG.expected_payoffs(x), [0.25 * 2 + 0.75 * 3, 0.5 * 1 + 0.5 * 3])
    assert STAG.nash_gap(x) == pytest.approx(max(3 - 2.75, 3 - 2.0))
    assert STAG.welfare(x) == pytest.approx(2.75 + 2.0)
    assert [b.tolist() for b in STAG.best_responses(x)] == [[1], [1]]
    mixed = ([0.75, 0.25], [0.75, 0.25])  # the mixed equilibrium: 4p = 3
    assert STAG.nash_gap(mixed) == pytest.approx(0.0, abs=1e-12)
    assert [b.tolist() for b in STAG.best_responses(mixed)] == [[0, 1], [0, 1]]


def test_payoff_matrix_order_matches_product_distribution(rng):
    game = Game(rng.normal(size=(3, 2, 3, 2)))
    x = [rng.dirichlet(np.ones(n)) for n in game.shape]
    for i in range(3):
        others = [x[j] for j in game.others(i)]
        np.testing.assert_allclose(game.payoff_matrix(i) @ product_distribution(others), game.action_values(x)[i])


def test_three_player_expected_payoffs_by_enumeration(rng):
    game = Game(rng.normal(size=(3, 2, 2, 3)))
    x = [rng.dirichlet(np.ones(n)) for n in game.shape]
    expected = np.zeros(3)
    for a in pure_profiles(game.shape):
        expected += x[0][a[0]] * x[1][a[1]] * x[2][a[2]] * game.pure_payoffs(a)
    np.testing.assert_allclose(game.expected_payoffs(x), expected)


def test_constructors_and_classification():
    zs = Game.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    assert zs.is_zero_sum() and zs.is_constant_sum() and zs.is_symmetric()
    ii = Game.identical_interest(np.arange(8.0).reshape(2, 2, 2))
    assert ii.n_players == 3 and ii.is_potential() and not ii.is_zero_sum()
    np.testing.assert_allclose(ii.potential(), np.arange(8.0).reshape(2, 2, 2))
    shared = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.3, 0.0]])
    np.testing.assert_allclose(shared.payoffs[1], [[0.7, 1.0], [0.7, 0.0]])
    assert shared.is_potential() and not shared.is_symmetric()
    pd = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    assert pd.is_potential() and pd.is_symmetric()  # a symmetric 2x2 game is a potential game
    mp = Game.zero_sum([[1, -1], [-1, 1]])
    assert not mp.is_potential()
    with pytest.raises(GameError, match="is not an exact potential game"):
        mp.potential()
    assert not Game(np.zeros((2, 2, 3))).is_symmetric()


def test_equality_replace_and_read_only():
    assert STAG == STAG.replace()
    assert STAG != STAG.replace(title="other")
    with pytest.raises(GameError, match="cannot replace unknown fields"):
        STAG.replace(colour="red")
    with pytest.raises(ValueError):
        STAG.payoffs[0, 0, 0] = 1.0
    p = as_profile([[0.5, 0.5], [1, 0]])
    assert as_profile(p, (2, 2)) is p
    with pytest.raises(ValueError):
        p[0][0] = 1.0


def test_profile_helpers():
    assert Profile.uniform((2, 3)).allclose([[0.5, 0.5], [1 / 3] * 3])
    assert Profile.pure((2, 3), (1, 2)).allclose([[0, 1], [0, 0, 1]])
    with pytest.raises(ProfileError, match="out of range"):
        Profile.pure((2,), (2,))
    assert Profile([[0.5 + 1e-10, 0.5]])[0].sum() == 1.0  # renormalised within tolerance


# ------------------------------------------------------------------------------------------ properties
@st.composite
def games_and_profiles(draw, max_players=3, max_actions=3):
    """Small games with integer payoffs and profiles with rational weights, so best responses are robust."""
    n_players = draw(st.integers(2, max_players))
    shape = tuple(draw(st.lists(st.integers(1, max_actions), min_size=n_players, max_size=n_players)))
    size = n_players * int(np.prod(shape))
    payoffs = np.array(draw(st.lists(st.integers(-10, 10), min_size=size, max_size=size)), dtype=float)
    game = Game(payoffs.reshape((n_players, *shape)))
    profile = []
    for n in shape:
        weights = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=float)
        if weights.sum() == 0:
            weights[0] = 1.0
        profile.append(weights / weights.sum())
    return game, profile


@given(games_and_profiles(), st.floats(0.25, 4.0), st.data())
def test_affine_transform_keeps_best_responses_and_scales_gap(game_profile, scale, data):
    game, x = game_profile
    shifts = data.draw(st.lists(st.floats(-10, 10), min_size=game.n_players, max_size=game.n_players))
    moved = Game(scale * game.payoffs + np.reshape(shifts, (-1,) + (1,) * game.n_players))
    for before, after in zip(game.best_responses(x, atol=1e-9), moved.best_responses(x, atol=1e-9)):
        assert before.tolist() == after.tolist()
    assert moved.nash_gap(x) == pytest.approx(scale * game.nash_gap(x), abs=1e-9)
    np.testing.assert_allclose(moved.regrets(x), scale * game.regrets(x), atol=1e-9)


@given(games_and_profiles(), st.data())
def test_action_relabelling_permutes_best_responses(game_profile, data):
    game, x = game_profile
    player = data.draw(st.integers(0, game.n_players - 1))
    order = data.draw(st.permutations(range(game.shape[player])))
    relabelled = game.permute_actions(player, order)
    y = list(x)
    y[player] = x[player][list(order)]  # new action k is old action order[k]
    assert relabelled.nash_gap(y) == pytest.approx(game.nash_gap(x), abs=1e-12)
    old = game.best_responses(x, atol=1e-9)
    new = relabelled.best_responses(y, atol=1e-9)
    for i in range(game.n_players):
        mapped = sorted(order[k] for k in new[i]) if i == player else new[i].tolist()
        assert mapped == old[i].tolist()


@given(games_and_profiles(), st.data())
def test_player_permutation_permutes_best_responses(game_profile, data):
    game, x = game_profile
    order = data.draw(st.permutations(range(game.n_players)))
    permuted = game.permute_players(order)
    y = [x[k] for k in order]  # new player k is old player order[k]
    assert permuted.shape == tuple(game.shape[k] for k in order)
    assert permuted.nash_gap(y) == pytest.approx(game.nash_gap(x), abs=1e-12)
    np.testing.assert_allclose(permuted.expected_payoffs(y), game.expected_payoffs(x)[list(order)], atol=1e-12)
    old = game.best_responses(x, atol=1e-9)
    new = permuted.best_responses(y, atol=1e-9)
    for k, old_player in enumerate(order):
        assert new[k].tolist() == old[old_player].tolist()


@given(games_and_profiles(max_players=3, max_actions=2))
def test_nash_gap_zero_exactly_at_pure_equilibria(game_profile):
    game, _ = game_profile
    for a in pure_profiles(game.shape):
        x = Profile.pure(game.shape, a)
        u = game.pure_payoffs(a)
        deviation_gain = max(
            game.pure_payoffs(a[:i] + (b,) + a[i + 1:])[i] - u[i]
            for i in range(game.n_players) for b in range(game.shape[i])
        )
        assert game.nash_gap(x) == pytest.approx(max(deviation_gain, 0.0), abs=1e-12)


def test_classification_tolerance_is_relative_to_payoff_scale(rng):
    big = 1e9
    phi = big * rng.random((3, 3))
    potential = Game(np.stack([phi + big * rng.random((1, 3)), phi + big * rng.random((3, 1))]))
    assert potential.is_potential()  # rounding of order 1e-7 here: an absolute 1e-9 test would say no
    np.testing.assert_allclose(potential.potential(), phi - phi[0, 0], atol=1e-6 * big)
    zero_sum = Game.zero_sum(big * rng.random((3, 3)))
    third = Game(np.stack([zero_sum.payoffs[0] / 3.0 * 3.0, zero_sum.payoffs[1]]))
    assert third.is_zero_sum()
    # a genuine departure at the relative scale is still detected
    broken = zero_sum.payoffs.copy()
    broken[0, 0, 0] += 1e-6 * big
    assert not Game(broken).is_zero_sum()
