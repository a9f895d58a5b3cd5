"""Welfare, price of anarchy / stability, free-riding degree and solo value."""

from types import SimpleNamespace

import numpy as np
import pytest

from rqe import Game, Profile
from rqe.analysis.free_riding import expected_costs, free_riding_degree, max_free_riding, solo_value
from rqe.analysis.welfare import (
    equilibrium_payoffs,
    optimal_welfare,
    price_of_anarchy,
    price_of_stability,
    welfare,
    welfare_gaps,
    welfare_summary,
)
from rqe.errors import GameError, ParameterError
from rqe.results import make_equilibrium

PD = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
STAG = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
COLLAB = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])


def test_prisoners_dilemma_price_of_anarchy():
    nash = [Profile.pure((2, 2), (1, 1))]
    assert optimal_welfare(PD) == 6.0
    assert price_of_anarchy(PD, nash) == 3.0 == price_of_stability(PD, nash)
    assert welfare_gaps(PD, nash) == (4.0, 4.0)


def test_stag_hunt_with_mixed_equilibrium_and_result_objects():
    mixed = make_equilibrium(STAG, ([0.75, 0.25], [0.75, 0.25]), 0.0)
    result = SimpleNamespace(equilibria=(make_equilibrium(STAG, Profile.pure((2, 2), (0, 0)), 0.0),
                                         make_equilibrium(STAG, Profile.pure((2, 2), (1, 1)), 0.0), mixed))
    assert equilibrium_payoffs(STAG, result).shape == (3, 2)
    np.testing.assert_allclose(equilibrium_payoffs(STAG, mixed)[0], [3.0, 3.0])
    assert price_of_anarchy(STAG, result) == pytest.approx(8 / 6)
    assert price_of_stability(STAG, result) == 1.0
    summary = welfare_summary(STAG, {"nash": result, "pure": [Profile.pure((2, 2), (1, 1))]})
    assert summary["nash"] == {"worst": 6.0, "best": 8.0, "count": 3}
    assert summary["optimum"]["value"] == 8.0


def test_egalitarian_welfare():
    assert welfare(PD, ([1, 0], [0, 1]), kind="egalitarian") == 0.0
    assert optimal_welfare(PD, kind="egalitarian") == 3.0
    assert price_of_anarchy(PD, [Profile.pure((2, 2), (1, 1))], kind="egalitarian") == 3.0
    with pytest.raises(ParameterError, match="welfare kind"):
        welfare(PD, ([1, 0], [0, 1]), kind="nash")


def test_price_of_anarchy_needs_positive_welfare_and_equilibria():
    negative = Game.from_bimatrix([[-1, -2], [-2, -1]], [[-1, -2], [-2, -1]])
    with pytest.raises(ParameterError, match="positive welfare"):
        price_of_anarchy(negative, [Profile.pure((2, 2), (0, 0))])
    assert welfare_gaps(negative, [Profile.pure((2, 2), (0, 1))]) == (2.0, 2.0)
    with pytest.raises(ParameterError, match="empty"):
        price_of_stability(PD, [])


def test_free_riding_definition_4_1():
    both = ([1, 0], [1, 0])
    one = ([1, 0], [0, 1])
    mixed = ([0.3, 0.7], [0.8, 0.2])
    assert free_riding_degree(COLLAB, both) == 0.0
    assert free_riding_degree(COLLAB, one) == pytest.approx(0.4)
    assert free_riding_degree(COLLAB, mixed) == pytest.approx(abs(0.3 * 0.4 - 0.8 * 0.4))
    assert max_free_riding(COLLAB, [both, one, mixed]) == pytest.approx(0.4)
    assert max_free_riding(COLLAB, []) == 0.0
    with pytest.raises(GameError, match="from_shared_reward"):
        free_riding_degree(PD, both)


def test_free_riding_n_players_is_largest_pairwise_gap():
    rng = np.random.default_rng(0)
    costs = [rng.uniform(0, 1, 3) for _ in range(3)]
    game = Game.from_shared_reward(rng.uniform(0, 1, (3, 3, 3)), costs)
    profile = Profile([rng.dirichlet(np.ones(3)) for _ in range(3)])
    spent = expected_costs(game, profile)
    np.testing.assert_allclose(spent, [c @ x for c, x in zip(costs, profile)])
    gaps = [abs(spent[i] - spent[j]) for i in range(3) for j in range(3)]
    assert free_riding_degree(game, profile) == pytest.approx(max(gaps))


def test_solo_value_partners():
    # player 0 collaborates: it gets R = 1 minus its cost 0.4 whatever the partner does
    assert solo_value(COLLAB, ([1, 0], [0, 1]), player=0, partner="worst") == pytest.approx(0.6)
    # player 0 defects: an idle (cheapest action = defect) or worst partner leaves it with R = 0
    assert solo_value(COLLAB, ([0, 1], [1, 0]), player=0, partner="idle") == 0.0
    assert solo_value(COLLAB, ([0, 1], [1, 0]), player=0, partner="worst") == 0.0
    assert solo_value(COLLAB, ([0, 1], [1, 0]), player=0, partner="uniform") == pytest.approx(0.5)
    assert solo_value(COLLAB, ([0, 1], [1, 0]), player=0, partner="idle", idle_action=0) == 1.0
    values = solo_value(COLLAB, ([0.5, 0.5], [0.2, 0.8]), partner="uniform")
    assert values.shape == (2,)
    with pytest.raises(ParameterError, match="idle_action is required"):
        solo_value(PD, ([1, 0], [1, 0]), partner="idle")
    with pytest.raises(ParameterError, match="partner"):
        solo_value(COLLAB, ([1, 0], [1, 0]), partner="friendly")


def test_solo_value_worst_is_lowest():
    rng = np.random.default_rng(2)
    game = Game(rng.normal(size=(3, 2, 3, 2)))
    profile = Profile([rng.dirichlet(np.ones(n)) for n in game.shape])
    for i in range(3):
        worst = solo_value(game, profile, i, "worst")
        assert worst <= solo_value(game, profile, i, "uniform") + 1e-12
        for a in range(2):
            assert worst <= solo_value(game, profile, i, "idle", idle_action=[a, a if a < 3 else 0, a]) + 1e-12


def test_measures_over_real_solver_results():
    import rqe

    game = rqe.library.get("collaborate_defect")
    nash = rqe.solve_nash(game)
    qre = rqe.solve_qre(game, 5.0)
    ce = rqe.solve_correlated(game, objective="welfare")
    payoffs = equilibrium_payoffs(game, nash)
    assert payoffs.shape == (3, 2)
    # Nash: two free-riding pure equilibria (welfare 1.6 = optimum) and the symmetric mixed one (0.6 C, 1.2)
    summary = welfare_summary(game, {"nash": nash, "qre": qre, "ce": ce})
    assert summary["nash"]["best"] == pytest.approx(1.6) and summary["nash"]["worst"] == pytest.approx(1.2)
    assert summary["ce"]["best"] == pytest.approx(ce.welfare)
    assert summary["qre"]["count"] == 1
    assert price_of_anarchy(game, nash) == pytest.approx(1.6 / 1.2)
    assert price_of_stability(game, [nash, ce]) == pytest.approx(1.0)
    assert max_free_riding(game, nash) == pytest.approx(0.4)
    assert max_free_riding(game, qre) == pytest.approx(0.0, abs=1e-9)
    marginals = [ce.distribution.sum(axis=1), ce.distribution.sum(axis=0)]
    assert max_free_riding(game, ce) == pytest.approx(abs(0.4 * marginals[0][0] - 0.4 * marginals[1][0]))
