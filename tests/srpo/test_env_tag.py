"""Tag: the torch-vectorised ``simple_tag`` against ``mpe2``'s reference, step by step on seeded rollouts.

Tolerances. In float64 the vectorised physics performs ``mpe2``'s numpy operations (only the order of the
contact-force sum differs), so positions and velocities agree to rounding (1e-12 of the arena's unit scale,
measured 3e-16 over 25 steps) and rewards to 1e-9 of the catch reward (10); ``mpe2`` hands observations out cast
to float32, so observations agree to float32 rounding (1e-6 absolute on values of order 1-4). Through the
PettingZoo adapter both sides report rewards in float32, hence 1e-8 of the catch reward there. In float32 the
physics itself rounds at ~6e-8 per operation and the states drift apart by ~1.5e-6 over 25 steps (measured),
hence 1e-4 on observations and 1e-4 of the catch reward on rewards for the float32 check.
"""

import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe.errors import MissingDependencyError, ParameterError  # noqa: E402
from rqe.srpo.tag import (  # noqa: E402
    FleeingPrey,
    GreedyPredator,
    Tag,
    TagRules,
    TagWorld,
    reference_tag,
    tag_partners,
)


@pytest.fixture
def simple_tag():
    return pytest.importorskip("mpe2.simple_tag_v3")


def _world_state(world):
    return (np.array([a.state.p_pos for a in world.agents]), np.array([a.state.p_vel for a in world.agents]),
            np.array([lm.state.p_pos for lm in world.landmarks]))


def test_physics_matches_mpe2_step_by_step(simple_tag):
    """All four agents of mpe2's default scenario (3 predators) act; positions, observations, rewards agree."""
    rules = TagRules(num_adversaries=3, max_cycles=25)
    catches = sum(_physics_rollout(simple_tag, rules, seed) for seed in range(4))
    assert catches > 0  # the rollouts exercised the reward of a catch (not only zeros)


def test_physics_matches_mpe2_with_two_prey_and_one_obstacle(simple_tag):
    """Other prey's velocities in the observations, several prey rewards, another obstacle count."""
    rules = TagRules(num_good=2, num_adversaries=2, num_obstacles=1, max_cycles=25)
    for seed in range(2):
        _physics_rollout(simple_tag, rules, seed)      # asserts agreement at every step


def _physics_rollout(simple_tag, rules, seed):
    A = rules.num_adversaries
    env = simple_tag.parallel_env(num_good=rules.num_good, num_adversaries=A, num_obstacles=rules.num_obstacles,
                                  max_cycles=rules.max_cycles)
    obs, _ = env.reset(seed=seed)
    world = env.unwrapped.world
    fast = TagWorld(1, rules, dtype=torch.float64)
    fast.set_state(*_world_state(world))
    names = env.possible_agents
    greedy = GreedyPredator(rules)
    rng = np.random.default_rng(seed)
    catches = 0
    for t in range(rules.max_cycles):
        # predators chase (so that catches and contact forces happen), with random moves mixed in
        acts = rng.integers(0, 5, len(names))
        for i, a in enumerate(names[:A]):
            if rng.random() < 0.7:
                acts[i] = int(greedy(torch.as_tensor(obs[a])[None]).argmax())
        obs, rew, _, _, _ = env.step({a: int(acts[i]) for i, a in enumerate(names)})
        fast.step(torch.as_tensor(acts)[:, None])
        pos, vel, _ = _world_state(world)
        np.testing.assert_allclose(fast.pos[0].numpy(), pos, rtol=0, atol=1e-12, err_msg=f"positions, step {t}")
        np.testing.assert_allclose(fast.vel[0].numpy(), vel, rtol=0, atol=1e-12, err_msg=f"velocities, step {t}")
        mine, rewards = fast.observations(), fast.rewards()
        for i, a in enumerate(names):
            np.testing.assert_allclose(mine[i][0].numpy(), obs[a], rtol=0, atol=1e-6, err_msg=f"obs {a}, step {t}")
            assert abs(float(rewards[i, 0]) - rew[a]) <= 1e-9 * rules.catch_reward, (a, t)
        catches += rew[names[0]] > 0
    return catches


def _copy_reference_state(fast, slow):
    states = [env.world_state() for env in slow.envs]
    fast.world.set_state(np.stack([s[0] for s in states]), np.stack([s[1] for s in states]),
                         np.stack([s[2] for s in states]))
    fast._observe()


@pytest.mark.parametrize("prey,dtype,obs_tol,rew_tol", [("still", torch.float64, 1e-6, 1e-8),
                                                       ("flee", torch.float64, 1e-6, 1e-8),
                                                       ("still", torch.float32, 1e-4, 1e-4)])
def test_tag_env_matches_reference_through_pettingzoo_adapter(simple_tag, prey, dtype, obs_tol, rew_tol):
    """Predators' env (prey scripted) vs mpe2 behind rqe's PettingZoo adapter, over two episodes of 4 copies."""
    rules = TagRules(max_cycles=20)
    n_envs = 4
    slow = reference_tag(n_envs, rules, prey=prey, seed=5)
    fast = Tag(n_envs, rules=rules, prey=prey, dtype=dtype)
    g = torch.Generator().manual_seed(0)
    ref_obs = slow.reset()
    fast.reset(g)
    _copy_reference_state(fast, slow)
    np.testing.assert_allclose(fast.state().numpy(), slow.state().numpy(), rtol=0, atol=obs_tol)
    greedy = GreedyPredator(rules)
    total = 0.0
    for t in range(2 * rules.max_cycles):
        actions = torch.stack([greedy(ref_obs[k]).argmax(-1) for k in range(fast.n_agents)])
        actions[:, : n_envs // 2] = torch.randint(0, 5, (fast.n_agents, n_envs // 2), generator=g)
        a, b = fast.step(actions, g), slow.step(actions)
        np.testing.assert_array_equal(a.done.numpy(), b.done.numpy())
        np.testing.assert_allclose(a.rewards.numpy(), b.rewards.numpy(), rtol=0, atol=rew_tol * rules.catch_reward,
                                   err_msg=f"rewards, step {t}")
        assert float(a.costs.abs().sum()) == 0.0
        if bool(b.done.all()):          # both reset with their own randomness: copy the new states in again
            _copy_reference_state(fast, slow)
        else:
            np.testing.assert_allclose(a.obs.numpy(), b.obs.numpy(), rtol=0, atol=obs_tol, err_msg=f"obs, step {t}")
        ref_obs = b.obs
        total += float(b.rewards.sum())
    if prey == "still":
        assert total > 0   # catches happened, so the reward path was compared too


def test_tag_shapes_autoreset_and_determinism():
    rules = TagRules(max_cycles=3)
    outs = []
    for _ in range(2):
        env = Tag(5, rules=rules, prey="random")
        g = torch.Generator().manual_seed(7)
        obs = env.reset(g)
        assert obs.shape == (2, 5, rules.obs_dim(adversary=True)) and env.state().shape == (5, env.state_dim)
        dones, rewards = [], []
        for _ in range(4):
            step = env.step(torch.randint(0, 5, (2, 5), generator=g), g)
            dones.append(bool(step.done.all()))
            rewards.append(step.obs.clone())
        assert dones == [False, False, True, False]
        outs.append(torch.stack(rewards))
    assert torch.equal(outs[0], outs[1])   # same generator seed, same rollout


def test_reset_noise_has_shape_copies_by_reset_width():
    env = Tag(3)
    assert env.reset_shape == (env.reset_width,) == (2 * (3 + 2),)
    env.reset(noise=torch.rand(3, env.reset_width))
    with pytest.raises(ParameterError, match=r"reset noise must have shape \(3, 10\), got \(3, 9\)"):
        env.reset(noise=torch.rand(3, env.reset_width - 1))


def test_noise_from_the_caller_places_the_starts_and_moves_the_prey():
    """reset(noise=u) puts the agents at 2u - 1 and the obstacles at 0.9 (2u - 1); step(noise=...) samples the prey
    by Gumbel-max from its uniforms and resets from the last reset_width uniforms after an episode's last step;
    the environment's own generator is never drawn from."""
    from rqe.srpo.ppo import gumbel_argmax

    rules = TagRules(max_cycles=2)
    env = Tag(6, rules=rules, prey="random")
    assert (env.reset_width, env.noise_width) == (2 * 5, 5 + 2 * 5)
    own = env._generator.get_state()
    g = torch.Generator().manual_seed(0)
    start = torch.rand(6, env.reset_width, generator=g)
    env.reset(noise=start)
    assert torch.equal(env.world.pos, start[:, :6].reshape(6, 3, 2) * 2 - 1)
    assert torch.equal(env.world.obstacles, (start[:, 6:].reshape(6, 2, 2) * 2 - 1) * 0.9)
    # first step from rest: the prey's velocity is its force times dt, i.e. its sampled move
    u = torch.rand(6, env.noise_width, generator=g)
    step = env.step(torch.zeros(2, 6, dtype=torch.long), noise=env.noise_from(u))
    moves = torch.tensor([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], dtype=torch.float32)
    expected = moves[gumbel_argmax(torch.zeros(6, 5), u[:, :5])]
    assert not bool(step.done.any()) and len({tuple(m) for m in expected.tolist()}) > 1   # moves differ
    assert torch.allclose(env.world.vel[:, 2] / (rules.good_accel * rules.dt), expected, atol=1e-5)
    # the episode's last step: the next one starts where the step's reset uniforms put it
    u = torch.rand(6, env.noise_width, generator=g)
    step = env.step(torch.zeros(2, 6, dtype=torch.long), noise=env.noise_from(u))
    assert bool(step.done.all())
    assert torch.equal(env.world.pos, u[:, 5:11].reshape(6, 3, 2) * 2 - 1)
    assert torch.equal(env.world.vel, torch.zeros_like(env.world.vel))
    assert env._generator.get_state().equal(own)
    with pytest.raises(ParameterError, match="reset noise"):
        env.reset(noise=torch.rand(6, 3))


def test_shared_team_reward_and_no_costs():
    env = Tag(1, rules=TagRules(num_adversaries=2, num_obstacles=0), prey="still", dtype=torch.float64)
    env.reset(torch.Generator().manual_seed(0))
    # both predators on the prey: two catches, each predator gets 2 x 10; the prey pays 20
    env.world.set_state([[0.0, 0.0], [0.01, 0.0], [0.005, 0.0]], np.zeros((3, 2)), np.zeros((0, 2)))
    env._observe()
    step = env.step(torch.zeros(2, 1, dtype=torch.long), torch.Generator().manual_seed(0))
    assert step.rewards[:, 0].tolist() == [20.0, 20.0]
    assert float(env.last_prey_rewards[0, 0]) == -20.0


def test_greedy_predators_catch_more_than_random_ones():
    rules = TagRules(max_cycles=50)
    returns = {}
    for name, partner in tag_partners(rules).items():
        env = Tag(64, rules=rules, prey=FleeingPrey(rules))
        g = torch.Generator().manual_seed(3)
        obs = env.reset(g)
        total = 0.0
        for _ in range(rules.max_cycles):
            from rqe.srpo.networks import sample_actions
            actions = torch.stack([sample_actions(partner(obs[k]), g) for k in range(env.n_agents)])
            step = env.step(actions, g)
            total += float(step.rewards[0].sum())
            obs = step.obs
        returns[name] = total / 64
    assert returns["greedy"] > returns["random"] >= 0.0


def test_bad_actions_are_refused():
    env = Tag(2)
    env.reset(torch.Generator().manual_seed(0))
    with pytest.raises(ParameterError, match="shape"):
        env.step(torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ParameterError, match="0..4"):
        env.step(torch.full((2, 2), 5))
    with pytest.raises(ParameterError, match="prey"):
        Tag(2, prey="sleepy")
    with pytest.raises(ParameterError, match="unknown Tag rule"):
        Tag(2, speed=3)


def test_docstring_examples():
    import doctest

    import rqe.srpo.tag

    failures, _ = doctest.testmod(rqe.srpo.tag, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_reference_without_mpe2_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpe2.simple_tag_v3", None)
    with pytest.raises(MissingDependencyError, match=r"rqe\[tag\]"):
        reference_tag(1)


def test_factory_builds_tag_by_name(simple_tag):
    from rqe.srpo import zoo_envs

    fast = zoo_envs.make("tag", 3, num_adversaries=3, max_cycles=25)
    slow = zoo_envs.make("tag:reference", 3, num_adversaries=3, max_cycles=25)
    for env in (fast, slow):
        assert (env.n_agents, env.n_actions, env.obs_dim, env.horizon) == (3, (5, 5, 5), 16, 25)
        assert env.reset(torch.Generator().manual_seed(0)).shape == (3, 3, 16)
    assert sorted(zoo_envs.partners("tag", fast)) == ["greedy", "random", "still"]
    with pytest.raises(ParameterError, match="unknown environment"):
        zoo_envs.make("tagg", 1)
    with pytest.raises(ParameterError, match="does not take"):
        zoo_envs.make("tag:reference", 1, dtype=torch.float64)


def test_factory_doctests():
    import doctest

    import rqe.srpo.zoo_envs

    failures, _ = doctest.testmod(rqe.srpo.zoo_envs, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
