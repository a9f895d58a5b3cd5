"""Overcooked-AI through rqe's PettingZoo adapter: a scripted soup is delivered and rewarded, copies reset."""

import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe.errors import MissingDependencyError, ParameterError  # noqa: E402
from rqe.srpo.overcooked import N_ACTIONS, STAY, overcooked_env, overcooked_partners  # noqa: E402


@pytest.fixture
def overcooked():
    return pytest.importorskip("overcooked_ai_py.mdp.overcooked_mdp")


# Cook 0 starts at (1, 2) in cramped_room, cook 1 at (3, 1): cook 0 fetches three onions from (0, 1) into the pot
# at (2, 0), starts it, takes a dish from (1, 3), waits for the soup, and serves it at (3, 3); cook 1 stays.
N, S, E, W, X, I = range(6)
SOUP_PLAN = [N, W, I, E, N, I, W, I, E, N, I, W, I, E, N, I, I, W, S, S, I] + [X] * 16 + [N, E, N, I, S, E, S, I]


def test_scripted_soup_is_delivered_for_the_shared_reward(overcooked):
    env = overcooked_env("cramped_room", n_envs=3, horizon=len(SOUP_PLAN) + 5)
    obs = env.reset()
    assert obs.shape == (2, 3, 5 * 4 * 26) and env.n_actions == (N_ACTIONS, N_ACTIONS)
    returns = np.zeros((2, 3))
    for t, move in enumerate(SOUP_PLAN):
        # copy 0 follows the plan, copies 1 and 2 stand still (no soup, no reward)
        actions = torch.tensor([[move, STAY, STAY], [STAY, STAY, STAY]])
        step = env.step(actions)
        returns += step.rewards.numpy()
        assert not bool(step.done.any())
        if t == len(SOUP_PLAN) - 1:
            assert step.rewards[:, 0].tolist() == [20.0, 20.0]      # delivered on the last move, shared by both
    np.testing.assert_array_equal(returns, [[20.0, 0.0, 0.0], [20.0, 0.0, 0.0]])
    assert float(step.costs.abs().sum()) == 0.0


def test_observations_follow_the_package_and_copies_reset_after_the_horizon(overcooked):
    mdp = overcooked.OvercookedGridworld.from_layout_name("cramped_room")
    start = mdp.lossless_state_encoding(mdp.get_standard_start_state())
    env = overcooked_env("cramped_room", n_envs=2, horizon=3)
    obs = env.reset()
    for i in range(2):
        np.testing.assert_array_equal(obs[i, 0].numpy(), np.asarray(start[i], np.float32).ravel())
    g = torch.Generator().manual_seed(0)
    dones = [bool(env.step(torch.randint(0, N_ACTIONS, (2, 2), generator=g)).done.all()) for _ in range(4)]
    assert dones == [False, False, True, False]
    assert env.state().shape == (2, 2 * env.obs_dim)


def test_asymmetric_advantages_and_partners(overcooked):
    env = overcooked_env("asymmetric_advantages", n_envs=2, horizon=4)
    obs = env.reset()
    partners = overcooked_partners()
    actions = torch.stack([partners["stay"](obs[0]).argmax(-1), partners["random"](obs[1]).argmax(-1)])
    assert actions[0].tolist() == [STAY, STAY]
    env.step(actions)


def test_bad_layout_and_actions_are_refused(overcooked):
    with pytest.raises(ParameterError, match="layout"):
        overcooked_env("no_such_kitchen", n_envs=1)
    env = overcooked_env("cramped_room", n_envs=1)
    env.reset()
    with pytest.raises(ParameterError, match="0..5"):
        env.step(torch.tensor([[7], [0]]))


def test_without_the_package_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "overcooked_ai_py", None)
    monkeypatch.setitem(sys.modules, "overcooked_ai_py.mdp", None)
    with pytest.raises(MissingDependencyError, match=r"rqe\[overcooked\]"):
        overcooked_env("cramped_room", n_envs=1)


def test_factory_builds_overcooked_by_name(overcooked):
    from rqe.srpo import zoo_envs

    env = zoo_envs.make("overcooked:cramped_room", 2, horizon=10)
    assert (env.n_agents, env.n_actions, env.horizon, env.obs_dim) == (2, (6, 6), 10, 520)
    assert sorted(zoo_envs.partners("overcooked:cramped_room")) == ["random", "stay"]
