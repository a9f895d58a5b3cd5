"""Hanabi (OpenSpiel) as a batched env: masked sampling is always legal, returns equal OpenSpiel's on replay."""

import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pyspiel = pytest.importorskip("pyspiel")

from rqe.errors import MissingDependencyError, ParameterError  # noqa: E402
from rqe.srpo.hanabi import Hanabi, HanabiLayout, HanabiRuleBot, hanabi_partners  # noqa: E402
from rqe.srpo.networks import sample_actions  # noqa: E402


def _replay_return(game, history):
    state = game.new_initial_state()
    for action in history:
        state.apply_action(action)
    assert state.is_terminal()
    return state.returns()


@pytest.mark.parametrize("players", [2, 4])
def test_masked_sampling_is_always_legal_and_returns_match_openspiel(players):
    n_envs = 16
    env = Hanabi(n_envs=n_envs, players=players)
    g = torch.Generator().manual_seed(players)
    env.reset(g)
    episode = np.zeros((players, n_envs))
    finished = 0
    for _ in range(150):
        mask = env.legal_mask()
        assert bool(mask.any(-1).all())                       # every seat has a legal action
        logits = torch.randn(mask.shape, generator=g).masked_fill(~mask, float("-inf"))
        actions = sample_actions(logits, g)
        movers = env.current_player()
        for e, state in enumerate(env.states):                # checked against OpenSpiel itself, not the mask
            for p in range(players):
                if p == int(movers[e]):
                    assert int(actions[p, e]) in state.legal_actions(p)
                else:
                    assert int(actions[p, e]) == env.wait_action
        step = env.step(actions, g)
        assert torch.equal(step.rewards[0], step.rewards[-1])  # shared reward
        episode += step.rewards.numpy()
        for e in np.flatnonzero(step.done.numpy()):
            np.testing.assert_allclose(episode[:, e], _replay_return(env.game, env.last_history[e]), atol=1e-9)
            episode[:, e] = 0.0
            finished += 1
    assert finished >= n_envs                                 # many whole games were compared


def test_observations_are_openspiel_tensors_with_a_turn_flag():
    env = Hanabi(n_envs=2, players=4)
    obs = env.reset(torch.Generator().manual_seed(1))
    assert obs.shape == (4, 2, env.game.observation_tensor_size() + 1)
    for e, state in enumerate(env.states):
        for p in range(4):
            np.testing.assert_array_equal(obs[p, e, :-1].numpy(), np.asarray(state.observation_tensor(p), np.float32))
            assert float(obs[p, e, -1]) == float(p == state.current_player())
    assert env.state().shape == (2, env.state_dim)


def test_rollouts_are_reproducible_from_the_generator():
    histories = []
    for _ in range(2):
        env = Hanabi(n_envs=4, players=2)
        g = torch.Generator().manual_seed(11)
        env.reset(g)
        for _ in range(30):
            logits = torch.zeros(env.legal_mask().shape).masked_fill(~env.legal_mask(), float("-inf"))
            env.step(sample_actions(logits, g), g)
        histories.append([list(s.history()) for s in env.states])
    assert histories[0] == histories[1]


def test_layout_matches_openspiel_and_reads_fireworks():
    with pytest.raises(ParameterError, match="needs 20 cards"):   # OpenSpiel itself would abort
        Hanabi(n_envs=1, players=5)
    for players in (2, 3, 4):
        game = pyspiel.load_game("hanabi", {"players": players, "colors": 3, "ranks": 3})
        assert HanabiLayout.from_game(game).size == game.observation_tensor_size()
    env = Hanabi(n_envs=1, players=2)
    lay = env.layout
    env.reset(torch.Generator().manual_seed(0))
    state = env.states[0]
    # play whatever card is a 1 in the mover's hand (found from the true state), then read the fireworks block
    mover = state.current_player()
    hand = state.observation_string(1 - mover).split("Hands:")[1]
    assert lay.play(0) in state.legal_actions()
    step = env.step(torch.tensor([[lay.play(0)], [env.wait_action]]) if mover == 0
                    else torch.tensor([[env.wait_action], [lay.play(0)]]), torch.Generator().manual_seed(0))
    fw = step.obs[0, 0, lay.fireworks: lay.fireworks + lay.card_bits].reshape(lay.colors, lay.ranks)
    played = float(step.rewards[0, 0]) > 0
    assert int(fw.sum()) == (1 if played else 0), hand


def test_rule_bot_beats_random_partners():
    env = Hanabi(n_envs=32, players=2)
    scores = {}
    for name, partner in hanabi_partners(env).items():
        g = torch.Generator().manual_seed(5)
        obs = env.reset(g)
        total, games = 0.0, 0
        for _ in range(120):
            logits = torch.stack([partner(obs[p]) for p in range(2)]).masked_fill(~env.legal_mask(), float("-inf"))
            step = env.step(sample_actions(logits, g), g)
            total += float(step.rewards[0].sum())
            games += int(step.done.sum())
            obs = step.obs
        scores[name] = total / games
    assert scores["rule_bot"] > scores["random"] + 2.0, scores   # scores are in 0..9


def test_rule_bot_plays_a_card_it_knows_is_playable():
    env = Hanabi(n_envs=1, players=2)
    lay = env.layout
    obs = np.zeros(env.obs_dim, dtype=np.float32)
    obs[-1] = 1.0
    obs[lay.info: lay.info + 3] = 1.0                      # three information tokens
    start = lay.plausible(0, 2)
    obs[start + 1 * lay.ranks + 0] = 1.0                   # own slot 2 can only be colour 1, rank 1: playable
    for slot in (0, 1, 3, 4):                              # other slots: anything
        obs[lay.plausible(0, slot): lay.plausible(0, slot) + lay.card_bits] = 1.0
    bot = HanabiRuleBot(lay)
    assert bot.choose(obs)[0] == lay.play(2)
    obs[-1] = 0.0
    assert int(bot(torch.as_tensor(obs)[None]).argmax()) == env.wait_action


def test_illegal_moves_and_bad_parameters_are_refused():
    env = Hanabi(n_envs=2, players=2)
    with pytest.raises(ParameterError, match="reset"):
        env.step(torch.zeros(2, 2, dtype=torch.long))
    env.reset(torch.Generator().manual_seed(0))
    with pytest.raises(ParameterError, match="not a legal move"):
        env.step(torch.full((2, 2), env.wait_action))      # the mover may not wait
    with pytest.raises(ParameterError, match="shape"):
        env.step(torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ParameterError, match="unknown Hanabi parameter"):
        Hanabi(n_envs=1, lives=3)
    with pytest.raises(ParameterError, match="players"):
        Hanabi(n_envs=1, players=7)


def test_docstring_examples():
    import doctest

    import rqe.srpo.hanabi

    failures, _ = doctest.testmod(rqe.srpo.hanabi, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_without_open_spiel_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspiel", None)
    with pytest.raises(MissingDependencyError, match=r"rqe\[openspiel\]"):
        Hanabi(n_envs=1)


def test_factory_builds_hanabi_by_name():
    from rqe.srpo import zoo_envs

    four, two = zoo_envs.make("hanabi", 2), zoo_envs.make("hanabi:2p", 2)
    assert (four.n_agents, four.n_actions[0]) == (4, 27) and (two.n_agents, two.n_actions[0]) == (2, 17)
    assert four.layout.hand_size == 4 and two.layout.hand_size == 5
    assert sorted(zoo_envs.partners("hanabi", two)) == ["random", "rule_bot"]
    with pytest.raises(ParameterError, match="has 2 players"):
        zoo_envs.make("hanabi:2p", 1, players=4)
