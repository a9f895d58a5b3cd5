import sys
import types

import numpy as np
import pytest

from rqe import Game
from rqe.errors import GameError, NotAvailableError, ParameterError, ProblemSizeError
from rqe.solvers import get_solver
from rqe.solvers.nash import NashResult, solve_nash
from tests.solvers.nash_helpers import key_set, random_game


def jordan_game() -> Game:
    """Three players, two actions: 1 matches 2, 2 matches 3, 3 mismatches 1; unique equilibrium is uniform."""
    payoffs = np.zeros((3, 2, 2, 2))
    for a in np.ndindex(2, 2, 2):
        payoffs[(0, *a)] = float(a[0] == a[1])
        payoffs[(1, *a)] = float(a[1] == a[2])
        payoffs[(2, *a)] = float(a[2] != a[0])
    return Game(payoffs)


@pytest.mark.parametrize("method", ["support_enumeration", "vertex_enumeration", "lemke_howson", "pure"])
def test_methods_agree_on_a_nondegenerate_game(method):
    game = random_game(np.random.default_rng(11), 4, 4, degenerate=False)
    full = key_set(e.strategies for e in solve_nash(game, method="vertex_enumeration").equilibria)
    result = solve_nash(game, method=method)
    assert isinstance(result, NashResult) and result.method == method
    found = key_set(e.strategies for e in result.equilibria)
    assert found <= full and all(e.residual < 1e-9 for e in result.equilibria)
    if method == "support_enumeration":
        assert found == full and result.complete and result.degenerate is False


def test_result_is_frozen_and_readable():
    result = solve_nash(Game.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]]))
    with pytest.raises(AttributeError):
        result.method = "x"
    assert "3 equilibria" in repr(result)
    assert result.converged and result.complete


def test_auto_n_player_gives_pure_equilibria():
    game = Game(np.random.default_rng(0).integers(0, 3, size=(3, 2, 2, 2)).astype(float))
    result = solve_nash(game)
    assert result.method in ("pure", "pure+logit") and not result.complete
    assert all(e.residual < 1e-9 for e in result.equilibria)


def test_lp_method_and_lemke_howson_single_label():
    rps = Game.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    r = solve_nash(rps, method="lp")
    assert abs(r.details["value"]) < 1e-12 and np.allclose(r.equilibria[0].strategies[0], 1 / 3)
    r = solve_nash(rps, method="lemke_howson", init_label=2)
    assert r.details["labels"] == (2,)


def test_exact_support_enumeration_through_solve_nash():
    r = solve_nash(Game.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]]), method="support_enumeration", exact=True)
    assert all(e.residual == 0.0 for e in r.equilibria) and r.parameters["exact"]


def test_logit_without_qre_module_is_not_available(monkeypatch):
    monkeypatch.setitem(sys.modules, "rqe.solvers.qre", None)  # import of the module fails
    with pytest.raises(NotAvailableError, match="qre_path"):
        solve_nash(jordan_game(), method="logit")
    # auto on N > 2 players still gives the pure equilibria
    assert solve_nash(jordan_game()).method == "pure"


@pytest.mark.parametrize("game", [jordan_game(), Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]),
                                  Game.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])])
def test_logit_with_the_qre_path(game):
    pytest.importorskip("rqe.solvers.qre")
    result = solve_nash(game, method="logit")
    assert result.converged and len(result.equilibria) == 1
    assert result.equilibria[0].residual <= 1e-9
    # the end of the principal branch is an equilibrium that the complete methods know
    if game.n_players == 2:
        assert key_set(e.strategies for e in result.equilibria) <= key_set(
            e.strategies for e in solve_nash(game, method="vertex_enumeration").equilibria)
    else:
        assert all(np.allclose(x, 0.5, atol=1e-9) for x in result.equilibria[0].strategies)


def test_logit_polishes_the_end_of_the_path(monkeypatch):
    calls = {}

    def fake_qre_path(game, **options):
        calls.update(options)
        end = ([0.52, 0.48], [0.47, 0.53], [0.5, 0.5])
        return types.SimpleNamespace(profiles=[([0.5, 0.5], [0.5, 0.5], [0.5, 0.5]), end], lams=[0.0, 50.0])

    fake = types.ModuleType("rqe.solvers.qre")
    fake.qre_path = fake_qre_path
    monkeypatch.setitem(sys.modules, "rqe.solvers.qre", fake)
    result = solve_nash(jordan_game(), method="logit", path_options={"lam_max": 50.0})
    assert calls == {"lam_max": 50.0}
    assert result.converged and len(result.equilibria) == 1
    assert all(np.allclose(x, 0.5, atol=1e-12) for x in result.equilibria[0].strategies)
    assert result.equilibria[0].residual < 1e-12
    # a 2-player path ending near a pure equilibrium of a coordination game
    coordination = Game.from_bimatrix([[2, 0], [0, 1]], [[2, 0], [0, 1]])
    fake.qre_path = lambda game, **o: [([0.999, 0.001], [0.998, 0.002])]
    r = solve_nash(coordination, method="logit")
    assert np.allclose(r.equilibria[0].strategies[0], [1, 0])
    # auto for N > 2 now adds the polished logit end point to the pure equilibria
    fake.qre_path = fake_qre_path
    r = solve_nash(jordan_game())
    assert r.method == "pure+logit" and len(r.equilibria) == 1


def test_cli_route_through_registry():
    solver = get_solver("nash")
    r = solver(Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]), method="support_enumeration")
    assert len(r.equilibria) == 1
    pytest.importorskip("cvxpy")
    ce = get_solver("ce")(Game.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]]), kind="cce", objective="welfare")
    assert ce.kind == "cce" and ce.incentive_violation <= 1e-9


def test_bad_input():
    game = Game(np.zeros((2, 2, 2)))
    with pytest.raises(ParameterError, match="unknown Nash method"):
        solve_nash(game, method="simplex")
    with pytest.raises(ParameterError, match="does not take"):
        solve_nash(game, method="pure", exact=True)
    with pytest.raises(ParameterError):
        solve_nash(game, method="lemke_howson", init_label=0, init_labels=[1])
    with pytest.raises(GameError):
        solve_nash(np.zeros((2, 2, 2)))
    with pytest.raises(GameError, match="finite"):
        solve_nash(Game(np.array([[[np.inf, 0], [0, 0]], [[0, 0], [0, 0]]])))
    with pytest.raises(GameError, match="2-player"):
        solve_nash(jordan_game(), method="vertex_enumeration")
    with pytest.raises(ProblemSizeError, match="support pairs"):
        solve_nash(Game(np.zeros((2, 16, 16))), method="support_enumeration")


def test_auto_falls_back_to_lemke_howson_on_large_games():
    game = random_game(np.random.default_rng(5), 30, 30, degenerate=False)
    r = solve_nash(game, max_size=1e3)
    assert r.method == "lemke_howson" and r.equilibria and not r.complete


def test_every_nash_result_type_has_the_common_contract():
    from rqe.solvers.dynamics import fictitious_play
    from rqe.solvers.global_newton import global_newton
    from rqe.solvers.lemke_howson import lemke_howson
    from rqe.solvers.support_enumeration import support_enumeration
    from rqe.solvers.vertex_enumeration import vertex_enumeration

    bos = Game.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    results = [solve_nash(bos, method=m) for m in ("auto", "pure", "support_enumeration", "vertex_enumeration",
                                                   "lemke_howson", "global_newton")]
    results += [vertex_enumeration(bos), support_enumeration(bos), lemke_howson(bos), global_newton(bos),
                fictitious_play(bos, 50)]
    for r in results:
        for name in ("equilibria", "converged", "method", "parameters", "residual", "iterations"):
            assert hasattr(r, name), (type(r).__name__, name)
        if type(r).__name__ != "DynamicsResult":  # fictitious play cycles on its way; the others certify
            assert r.equilibria and r.residual <= 1e-9, type(r).__name__
