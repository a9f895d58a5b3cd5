"""Tests for rqe.library: payoffs of the named games against their sources, parameters, generators."""

import itertools

import numpy as np
import pytest

from rqe import Game, library
from rqe.errors import GameError, ParameterError, ProblemSizeError, RQEError

CONTRACT_NAMES = [
    "prisoners_dilemma", "stag_hunt", "battle_of_the_sexes", "chicken", "matching_pennies",
    "rock_paper_scissors", "coordination", "hi_lo", "collaborate_defect", "public_goods", "volunteers_dilemma",
    "minimum_effort", "team_production", "ghp2003", "selten_chmura", "random_uniform", "random_zero_sum",
    "random_identical_interest", "random_potential", "random_symmetric", "random_collaborative",
    "random_covariance",
]


def pure_nash(game):
    """All pure Nash equilibria by enumeration (a reference independent of the solvers)."""
    found = []
    for profile in itertools.product(*(range(n) for n in game.shape)):
        u = game.pure_payoffs(profile)
        stable = True
        for i in range(game.n_players):
            for b in range(game.shape[i]):
                deviation = list(profile)
                deviation[i] = b
                if game.pure_payoffs(deviation)[i] > u[i] + 1e-12:
                    stable = False
        if stable:
            found.append(profile)
    return found


def test_names_cover_the_contract():
    assert set(CONTRACT_NAMES) <= set(library.names())
    assert len(library.names()) == len(set(library.names()))


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_every_game_builds_documents_and_cites(name):
    game = library.get(name)
    assert isinstance(game, Game) and game.title
    text = library.describe(name)
    assert text.startswith(name + "(")
    assert "Reference" in text or "GAMUT" in text or "Nudelman" in text
    assert ">>>" not in text


def test_prisoners_dilemma_axelrod_values_and_dominance():
    g = library.get("prisoners_dilemma")
    np.testing.assert_array_equal(g.payoffs[0], [[3, 0], [5, 1]])
    np.testing.assert_array_equal(g.payoffs[1], [[3, 5], [0, 1]])
    assert pure_nash(g) == [(1, 1)]
    with pytest.raises(ParameterError, match="T > R > P > S"):
        library.get("prisoners_dilemma", T=2)


def test_stag_hunt_two_strict_equilibria():
    g = library.get("stag_hunt")
    np.testing.assert_array_equal(g.payoffs[0], [[4, 0], [3, 3]])
    assert pure_nash(g) == [(0, 0), (1, 1)]
    assert g.is_symmetric()


def test_battle_of_the_sexes_chicken_coordination_hilo():
    bos = library.get("battle_of_the_sexes")
    assert pure_nash(bos) == [(0, 0), (1, 1)]
    np.testing.assert_array_equal(bos.payoffs[0], [[2, 0], [0, 1]])
    chicken = library.get("chicken")
    assert pure_nash(chicken) == [(0, 1), (1, 0)]
    coord = library.get("coordination", n_actions=3)
    assert coord.shape == (3, 3) and pure_nash(coord) == [(0, 0), (1, 1), (2, 2)]
    coord3 = library.get("coordination", n_actions=2, n_players=3)
    assert coord3.shape == (2, 2, 2) and coord3.pure_payoffs((1, 1, 1)).tolist() == [1, 1, 1]
    assert coord3.pure_payoffs((1, 0, 1)).tolist() == [0, 0, 0]
    hilo = library.get("hi_lo")
    assert pure_nash(hilo) == [(0, 0), (1, 1)] and hilo.is_potential()


def test_zero_sum_classics_have_no_pure_equilibrium_and_uniform_is_nash():
    for name in ("matching_pennies", "rock_paper_scissors"):
        g = library.get(name)
        assert g.is_zero_sum() and pure_nash(g) == []
        uniform = [np.full(n, 1 / n) for n in g.shape]
        assert g.nash_gap(uniform) < 1e-12


def test_collaborate_defect_matches_qzlm_example():
    g = library.get("collaborate_defect")
    assert g.action_names == (("C", "D"), ("C", "D"))
    # u_i = R - c_i with R = 1 if anyone collaborates, c(C) = 0.4, c(D) = 0
    np.testing.assert_allclose(g.payoffs[0], [[0.6, 0.6], [1.0, 0.0]])
    np.testing.assert_allclose(g.payoffs[1], [[0.6, 1.0], [0.6, 0.0]])
    assert [c.tolist() for c in g.costs] == [[0.4, 0.0], [0.4, 0.0]]
    assert pure_nash(g) == [(0, 1), (1, 0)]  # exactly one collaborates: the other free-rides
    g3 = library.get("collaborate_defect", cost=0.25, n_players=3)
    assert g3.shape == (2, 2, 2) and g3.is_symmetric()
    np.testing.assert_allclose(g3.pure_payoffs((1, 1, 0)), [1.0, 1.0, 0.75])
    np.testing.assert_allclose(g3.pure_payoffs((1, 1, 1)), [0, 0, 0])


def test_volunteers_dilemma_mixed_equilibrium_formula():
    N, b, c = 4, 1.0, 0.3
    g = library.get("volunteers_dilemma", n_players=N, benefit=b, cost=c)
    ignore = (c / b) ** (1 / (N - 1))
    profile = [np.array([1 - ignore, ignore])] * N
    assert g.nash_gap(profile) < 1e-12


def test_public_goods_keeping_dominant_when_multiplier_below_n():
    g = library.get("public_goods", n_players=3, multiplier=1.6, endowment=10)
    assert pure_nash(g) == [(1, 1, 1)]
    # everyone contributes: 1.6 * 30 / 3 = 16 each, better than keeping 10
    np.testing.assert_allclose(g.pure_payoffs((0, 0, 0)), [16, 16, 16])
    np.testing.assert_allclose(g.pure_payoffs((1, 0, 0)), [10 + 32 / 3, 32 / 3, 32 / 3])
    assert [c.tolist() for c in g.costs] == [[10, 0]] * 3


def test_minimum_effort_van_huyck_payoff_table():
    g = library.get("minimum_effort", n_players=2)
    # VHBB (1990) table: payoff = 0.2 min - 0.1 own + 0.6, own effort 7 with min 7 gives 1.30
    for own in range(1, 8):
        for other in range(1, 8):
            expected = 0.2 * min(own, other) - 0.1 * own + 0.6
            assert g.payoffs[0, own - 1, other - 1] == pytest.approx(expected, abs=1e-12)
    assert pure_nash(g) == [(k, k) for k in range(7)]
    with pytest.raises(ParameterError, match="a > b"):
        library.get("minimum_effort", a=0.1, b=0.2)


def test_team_production_underprovides_effort():
    g = library.get("team_production")
    assert g.costs is not None
    equilibria = pure_nash(g)
    assert equilibria == [(1, 1)]
    best = max(itertools.product(range(3), repeat=2), key=lambda a: g.pure_payoffs(a).sum())
    assert best == (2, 2)
    asym = library.get("team_production", cost=(0.2, 1.0))
    np.testing.assert_allclose(asym.costs[1], [0, 0.25, 1.0])


SC_TABLE = {  # docs/rqe-math.md section 9 (also Gambit's catalog/selten2008)
    1: ([[10, 0], [9, 10]], [[8, 18], [9, 8]], (0.079, 0.69)),
    2: ([[9, 0], [6, 8]], [[4, 13], [7, 5]], (0.217, 0.527)),
    3: ([[8, 0], [7, 10]], [[6, 14], [7, 4]], (0.163, 0.793)),
    4: ([[7, 0], [5, 9]], [[4, 11], [6, 2]], (0.286, 0.736)),
    5: ([[7, 0], [4, 8]], [[2, 9], [5, 1]], (0.327, 0.664)),
    6: ([[7, 1], [3, 8]], [[1, 7], [5, 0]], (0.445, 0.596)),
    7: ([[10, 4], [9, 14]], [[12, 22], [9, 8]], (0.141, 0.564)),
    8: ([[9, 3], [6, 11]], [[7, 16], [7, 5]], (0.25, 0.586)),
    9: ([[8, 3], [7, 13]], [[9, 17], [7, 4]], (0.254, 0.827)),
    10: ([[7, 2], [5, 11]], [[6, 13], [6, 2]], (0.366, 0.699)),
    11: ([[7, 2], [4, 10]], [[4, 11], [5, 1]], (0.331, 0.652)),
    12: ([[7, 3], [3, 10]], [[3, 9], [5, 0]], (0.439, 0.604)),
}


@pytest.mark.parametrize("number", range(1, 13))
def test_selten_chmura_payoffs_and_lab_data(number):
    R1, R2, (u, l) = SC_TABLE[number]
    g = library.get("selten_chmura", game=number)
    np.testing.assert_array_equal(g.payoffs[0], R1)
    np.testing.assert_array_equal(g.payoffs[1], R2)
    assert g.is_constant_sum() == (number <= 6)  # games 1-6 constant-sum, 7-12 not (SC08)
    assert pure_nash(g) == []  # each has a unique, completely mixed equilibrium
    data = library.lab_data("selten_chmura", game=number)
    assert (data.row_first, data.column_first) == (u, l)
    assert data.profile[0].tolist() == pytest.approx([u, 1 - u])


def test_ghp2003_game4():
    g = library.get("ghp2003")
    np.testing.assert_array_equal(g.payoffs[0], [[200, 160], [370, 10]])
    np.testing.assert_array_equal(g.payoffs[1], [[160, 10], [200, 370]])
    assert pure_nash(g) == []
    data = library.lab_data("ghp2003")
    assert (data.row_first, data.column_first) == (0.47, 0.65)
    with pytest.raises(ParameterError, match="game=3"):
        library.get("ghp2003", game=3)
    with pytest.raises(GameError, match="no laboratory data"):
        library.lab_data("stag_hunt")


def test_selten_chmura_bad_game_number():
    with pytest.raises(ParameterError, match="games 1, 2"):
        library.get("selten_chmura", game=13)


RANDOM = [n for n in library.names("random")]


@pytest.mark.parametrize("name", RANDOM)
def test_generators_are_seeded(name):
    a = library.get(name, seed=3)
    assert library.get(name, seed=3) == a
    assert library.get(name, rng=np.random.default_rng(3)) == a
    assert library.get(name, seed=4) != a
    with pytest.raises(ParameterError, match="either seed or rng"):
        library.get(name, seed=1, rng=np.random.default_rng(1))
    with pytest.raises(ParameterError, match="seed"):
        library.get(name, seed=-1)


def test_generator_families_have_their_structure():
    assert library.get("random_zero_sum", shape=(3, 4), seed=0).is_zero_sum()
    assert library.get("random_zero_sum", n_players=3, n_actions=2, seed=0).is_zero_sum()
    assert library.get("random_identical_interest", shape=(2, 3, 2), seed=0).is_potential()
    assert library.get("random_potential", shape=(3, 2, 2), seed=0).is_potential()
    assert not library.get("random_uniform", shape=(3, 3), seed=0).is_potential()
    for N, n in [(2, 3), (3, 2), (3, 3)]:
        assert library.get("random_symmetric", n_players=N, n_actions=n, seed=1).is_symmetric()
    collab = library.get("random_collaborative", shape=(2, 3), seed=0)
    assert collab.costs is not None and collab.is_potential()
    R = collab.payoffs[0] + collab.costs[0][:, None]
    np.testing.assert_allclose(R, collab.payoffs[1] + collab.costs[1][None, :])


def test_covariance_game_correlation():
    for rho in (-0.5, 0.0, 0.8):
        g = library.get("random_covariance", shape=(60, 60), rho=rho, seed=0)
        r = np.corrcoef(g.payoffs[0].ravel(), g.payoffs[1].ravel())[0, 1]
        assert abs(r - rho) < 0.05  # 3600 draws: standard error about 0.017
    assert library.get("random_covariance", rho=1.0, seed=0).is_potential()
    three = library.get("random_covariance", n_players=3, n_actions=2, rho=-0.5, seed=0)
    assert three.is_zero_sum(atol=1e-12)
    with pytest.raises(ParameterError, match=r"rho must be in \[-1/\(N-1\), 1\]"):
        library.get("random_covariance", n_players=3, rho=-0.6)


def test_unknown_names_and_parameters():
    with pytest.raises(GameError, match="unknown game 'stag'.*stag_hunt"):
        library.get("stag")
    with pytest.raises(ParameterError, match="no parameter 'tau'.*its parameters: stag, hare, sucker"):
        library.get("stag_hunt", tau=1)
    with pytest.raises(ProblemSizeError, match="above the limit"):
        library.get("random_uniform", shape=(1000, 1000, 1000))
    with pytest.raises(ParameterError, match="n_players must be an integer"):
        library.get("collaborate_defect", n_players=0)


def test_from_spec_parses_types():
    g = library.from_spec("collaborate_defect:cost=0.3,n_players=3")
    assert g.costs[0].tolist() == [0.3, 0.0] and g.n_players == 3
    assert library.from_spec("random_uniform:shape=2x3x2,seed=5") == library.get("random_uniform",
                                                                                 shape=(2, 3, 2), seed=5)
    assert library.parse_spec("stag_hunt") == ("stag_hunt", {})
    for bad, fragment in [("stag_hunt:stag", "expected name:param=value"),
                          ("stag_hunt:stag=big", "must be float-valued"),
                          ("coordination:n_actions=2.5", "must be int-valued"),
                          ("stag_hunt:tau=1", "no parameter 'tau'")]:
        with pytest.raises(RQEError, match=fragment):
            library.from_spec(bad)
