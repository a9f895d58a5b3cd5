"""Reduced normal forms, agent-form QRE/RQE on trees, TabularPolicy export and OpenSpiel evaluation."""

import numpy as np
import pytest

pyspiel = pytest.importorskip("pyspiel")

from rqe.errors import ProblemSizeError  # noqa: E402
from rqe.openspiel import (  # noqa: E402
    agent_q_values,
    agent_residual,
    build_tree,
    expected_returns,
    exploitability,
    from_tabular_policy,
    reduced_normal_form,
    solve_agent_qre,
    solve_agent_rqe,
    solve_openspiel,
    to_tabular_policy,
)


def softmax_by_infoset(y, offsets):
    """NumPy reference: softmax of ``y`` within every infoset block (independent of the compiled core)."""
    out = np.empty_like(y)
    for a, b in zip(offsets[:-1], offsets[1:]):
        e = np.exp(y[a:b] - y[a:b].max())
        out[a:b] = e / e.sum()
    return out


@pytest.fixture(scope="module")
def kuhn():
    return build_tree("kuhn_poker")


def test_kuhn_tree(kuhn):
    assert (kuhn.n_nodes, kuhn.n_infosets, kuhn.n_slots) == (58, 12, 24)
    assert set(kuhn.infoset_player.tolist()) == {0, 1}


def test_reduced_normal_form_payoffs_match_openspiel(kuhn):
    rnf = reduced_normal_form(kuhn)
    assert rnf.game.shape == (27, 64)  # 3 choices per card for player 1, 4 per card for player 2
    rng = np.random.default_rng(0)
    for _ in range(5):
        behaviour = np.concatenate([rng.dirichlet(np.ones(2)) for _ in range(kuhn.n_infosets)])
        mixed = rnf.from_behaviour(behaviour)
        # the mixed profile's payoffs equal OpenSpiel's expected returns of the behaviour profile
        assert np.allclose(rnf.game.expected_payoffs(mixed), expected_returns(kuhn, behaviour), atol=1e-12)
        # Kuhn's theorem: back to the same behaviour strategy
        assert np.allclose(rnf.to_behaviour(mixed), behaviour, atol=1e-12)


@pytest.mark.parametrize("name,shape", [("tiny_hanabi", (9, 729))])
def test_reduced_normal_form_other_games(name, shape):
    rnf = reduced_normal_form(name)
    assert rnf.game.shape == shape
    tree = rnf.tree
    uniform = tree.uniform_strategy()
    assert np.allclose(rnf.game.expected_payoffs(rnf.from_behaviour(uniform)), expected_returns(tree, uniform))


def test_sequential_matrix_game_reduced_form_is_the_matrix():
    seq = pyspiel.load_game_as_turn_based("matrix_pd")
    rnf = reduced_normal_form(seq)
    matrix = pyspiel.load_matrix_game("matrix_pd")
    assert rnf.game.shape == (2, 2)
    # the second mover's infoset hides the first move, so the reduced form is the matrix game itself
    assert np.array_equal(rnf.game.payoffs[0], matrix.row_utilities())
    assert np.array_equal(rnf.game.payoffs[1], matrix.col_utilities())


def test_reduced_normal_form_size_guard():
    with pytest.raises(ProblemSizeError):
        reduced_normal_form("leduc_poker")


def test_kuhn_nash_exploitability_measured_by_openspiel():
    result = solve_openspiel("openspiel:kuhn_poker", "nash")
    assert result.converged
    assert result.exploitability < 1e-6
    assert result.equilibria[0].payoffs[0] == pytest.approx(-1 / 18, abs=1e-9)
    # independently: OpenSpiel's exploitability of the exported TabularPolicy
    exploit_mod = pytest.importorskip("open_spiel.python.algorithms.exploitability")
    game = pyspiel.load_game("kuhn_poker")
    assert exploit_mod.exploitability(game, result.policy()) < 1e-6


def _logit_fixed_point_residual(tree, sigma, lam):
    """Independent check of the agent-QRE definition from OpenSpiel's own tree walk: conditional action
    values at every infoset with Bayes beliefs from chance and the opponent's behaviour."""
    pol = to_tabular_policy(tree, sigma)
    num: dict = {}
    den: dict = {}

    def value(state):
        if state.is_terminal():
            return np.array(state.returns())
        if state.is_chance_node():
            return sum(p * value(state.child(a)) for a, p in state.chance_outcomes())
        probs = pol.action_probabilities(state)
        return sum(p * value(state.child(a)) for a, p in probs.items())

    # beliefs: weight each history by chance x opponent reach (own reach is constant within an infoset)
    def walk2(state, reach):
        if state.is_terminal():
            return
        if state.is_chance_node():
            for a, p in state.chance_outcomes():
                walk2(state.child(a), reach * p)
            return
        player = state.current_player()
        key = state.information_state_string(player)
        probs = pol.action_probabilities(state)
        for a in state.legal_actions():
            num[(key, a)] = num.get((key, a), 0.0) + reach[player] * value(state.child(a))[player]
        den[key] = den.get(key, 0.0) + reach[player]
        for a in state.legal_actions():
            nxt = reach.copy()
            for other in range(len(reach)):
                if other != player:
                    nxt[other] *= probs[a]
            walk2(state.child(a), nxt)

    walk2(tree.game.new_initial_state(), np.ones(tree.n_players))
    worst = 0.0
    for I, key in enumerate(tree.infoset_keys):
        acts = tree.infoset_actions[I]
        q = np.array([num[(key, a)] / den[key] for a in acts])
        target = np.exp(lam * (q - q.max()))
        target /= target.sum()
        worst = max(worst, np.abs(pol.policy_for_key(key)[list(acts)] - target).max())
    return worst


def test_agent_qre_kuhn_fixed_point_and_exploitability_falls(kuhn):
    exploits = []
    for lam in (1.0, 5.0, 20.0, 100.0):
        r = solve_agent_qre(kuhn, lam)
        assert r.converged
        assert r.residual < 1e-10
        # the definition checked independently through OpenSpiel's game tree and TabularPolicy
        assert _logit_fixed_point_residual(kuhn, r.behaviour, lam) < 1e-10
        exploits.append(r.exploitability())
    assert all(b < a for a, b in zip(exploits, exploits[1:]))
    assert exploits[-1] < 2e-3
    assert exploits[0] > 0.1


def test_agent_qre_is_not_the_normal_form_qre(kuhn):
    """Agent-form and normal-form QRE are different objects; both satisfy their own definitions."""
    import rqe

    rnf = reduced_normal_form(kuhn)
    lam = 2.0
    nf = rqe.solve_qre(rnf.game, lam)
    assert nf.converged
    nf_behaviour = rnf.to_behaviour(nf.strategies)
    agent = solve_agent_qre(kuhn, lam)
    assert agent_residual(kuhn, agent.behaviour, lam) < 1e-10
    assert agent_residual(kuhn, nf_behaviour, lam) > 1e-3
    assert np.abs(agent.behaviour - nf_behaviour).max() > 1e-3


def test_agent_rqe_kuhn(kuhn):
    tau, eps = 0.5, 0.2
    r = solve_agent_rqe(kuhn, tau, eps)
    assert r.converged and r.residual < 1e-10
    Q, root = agent_q_values(kuhn, r.behaviour, tau)
    target = softmax_by_infoset(Q / eps, kuhn.offsets)
    assert np.abs(target - r.behaviour).max() < 1e-10
    # risk-adjusted values lie below the risk-neutral expected returns (entropic risk <= mean)
    assert np.all(r.values <= r.expected_returns + 1e-12)
    # tau -> 0 recovers the agent QRE with lam = 1/eps
    r0 = solve_agent_rqe(kuhn, 0.0, eps)
    q = solve_agent_qre(kuhn, 1 / eps)
    assert np.abs(r0.behaviour - q.behaviour).max() < 1e-9


def test_risk_adjusted_values_fall_with_tau(kuhn):
    """Nested entropic values never exceed the risk-neutral ones and fall as tau grows."""
    rng = np.random.default_rng(1)
    sigma = np.concatenate([rng.dirichlet(np.ones(2)) for _ in range(kuhn.n_infosets)])
    _, neutral = agent_q_values(kuhn, sigma, 0.0)
    previous = neutral
    for tau in (0.1, 1.0, 10.0):
        _, risky = agent_q_values(kuhn, sigma, tau)
        assert np.all(risky <= previous + 1e-12)  # more risk aversion, lower value
        previous = risky


def test_tabular_policy_round_trip(kuhn):
    rng = np.random.default_rng(2)
    sigma = np.concatenate([rng.dirichlet(np.ones(2)) for _ in range(kuhn.n_infosets)])
    pol = to_tabular_policy(kuhn, sigma)
    assert np.array_equal(from_tabular_policy(kuhn, pol), sigma)
    assert exploitability(kuhn, sigma) > 0


def test_leduc_agent_qre_on_tree():
    tree = build_tree("leduc_poker")
    r = solve_agent_qre(tree, 1.0, tol=1e-10)
    assert r.converged and r.residual < 1e-10
    assert np.abs(r.expected_returns.sum()) < 1e-12
    assert 0 < r.exploitability() < exploitability(tree, tree.uniform_strategy())


def test_agent_solvers_on_three_player_and_cooperative_games():
    kuhn3 = build_tree("kuhn_poker(players=3)")
    r = solve_agent_qre(kuhn3, 3.0)
    assert r.converged and agent_residual(kuhn3, r.behaviour, 3.0) < 1e-10
    assert abs(r.expected_returns.sum()) < 1e-12  # zero-sum for three players too
    hanabi = build_tree("tiny_hanabi")
    r = solve_agent_rqe(hanabi, 1.0, 0.2)
    assert r.converged and r.residual < 1e-10
    Q, _ = agent_q_values(hanabi, r.behaviour, 1.0)
    assert np.abs(softmax_by_infoset(Q / 0.2, hanabi.offsets) - r.behaviour).max() < 1e-10
    assert np.all(r.values <= r.expected_returns + 1e-12)
