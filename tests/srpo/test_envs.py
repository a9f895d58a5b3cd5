"""Vectorised environments: rules, agreement with the Python-loop reference, PettingZoo adapter."""

import numpy as np
import pytest

import rqe
from rqe.errors import ParameterError

torch = pytest.importorskip("torch")

from rqe.srpo.envs import (  # noqa: E402
    CookingGridworld,
    CookingGridworldReference,
    CookingParallelEnv,
    MatrixGameEnv,
    PettingZooEnv,
    make_env,
)


@pytest.mark.parametrize("rules", ["paper", "corner"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_gridworld_matches_reference_step_by_step(seed, rules):
    n_envs, steps = 16, 120  # spans more than two episodes (auto-reset included)
    fast = CookingGridworld(n_envs=n_envs, rules=rules)
    slow = CookingGridworldReference(n_envs=n_envs, rules=rules)
    g = torch.Generator().manual_seed(seed)
    swap = torch.rand(n_envs, generator=g)
    np.testing.assert_array_equal(fast.reset(noise=swap).numpy(), slow.reset(noise=swap.numpy()))
    # biased actions so that agents reach onions and the pot (not only random walks)
    total_shared = 0.0
    collisions = 0
    for t in range(steps):
        actions = torch.randint(0, 5, (2, n_envs), generator=g)
        noise = fast.draw_noise(g)
        a = fast.step(actions, noise=noise)
        b = slow.step(actions.numpy(), noise={k: v.numpy() for k, v in noise.items()})
        np.testing.assert_array_equal(a.obs.numpy(), b.obs, err_msg=f"obs differ at step {t}")
        np.testing.assert_allclose(a.rewards.numpy(), b.rewards, atol=1e-5, err_msg=f"rewards differ at step {t}")
        np.testing.assert_allclose(a.costs.numpy(), b.costs, atol=1e-5)
        np.testing.assert_array_equal(a.done.numpy(), b.done)
        total_shared += float((b.rewards + b.costs)[0].sum())
        collisions += int((b.costs > 1.0).sum())
    assert total_shared > 0, "rollout never picked up an onion: the comparison would not test the rewards"
    assert collisions > 0, "rollout never had a collision"


@pytest.mark.parametrize("rules", ["paper", "corner"])
def test_vectorised_gridworld_matches_reference_from_random_states(rules):
    """One step from 4000 random states (agents on onions, next to each other and to the pot, holding or not)."""
    n_envs = 4000
    rng = np.random.default_rng(7)
    fast = CookingGridworld(n_envs=n_envs, rules=rules)
    slow = CookingGridworldReference(n_envs=n_envs, rules=rules)
    fast.reset(noise=torch.ones(n_envs))
    slow.reset(noise=np.ones(n_envs))
    hot = [(3, 4), (4, 3), (2, 4), (4, 2), (3, 3), (2, 3), (1, 2)]   # onion cells, their neighbours, by the pot
    free = [(r, c) for r in range(5) for c in range(5) if (r, c) != (2, 2)]
    for e in range(n_envs):
        first = hot[rng.integers(len(hot))] if rng.random() < 0.8 else free[rng.integers(len(free))]
        near = [(first[0] + dr, first[1] + dc) for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))]
        near = [c for c in near if c in free]
        second = near[rng.integers(len(near))] if rng.random() < 0.7 else free[rng.integers(len(free))]
        if second == first:
            second = next(c for c in free if c != first)
        cells = [first, second] if rng.random() < 0.5 else [second, first]
        holding = [bool(rng.random() < 0.3), bool(rng.random() < 0.3)]
        onion = [bool(rng.random() < 0.7), bool(rng.random() < 0.7)]
        fast.place(e, cells, holding, onion)
        slow.envs[e] = {"pos": [list(c) for c in cells], "holding": list(holding), "onion": list(onion)}
    g = torch.Generator().manual_seed(0)
    actions = torch.randint(0, 5, (2, n_envs), generator=g)
    noise = fast.draw_noise(g)
    a = fast.step(actions, noise=noise)
    b = slow.step(actions.numpy(), noise={k: v.numpy() for k, v in noise.items()})
    np.testing.assert_array_equal(a.obs.numpy(), b.obs)
    np.testing.assert_allclose(a.rewards.numpy(), b.rewards, atol=1e-5)
    np.testing.assert_allclose(a.costs.numpy(), b.costs, atol=1e-5)


@pytest.mark.parametrize("make", [lambda: CookingGridworld(n_envs=3), lambda: CookingGridworldReference(n_envs=3),
                                  lambda: MatrixGameEnv(rqe.Game.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]]),
                                                        n_envs=3)])
def test_reset_takes_trainer_noise_of_its_shape_and_the_old_keyword_with_a_warning(make):
    """``reset(noise=u)`` with ``u`` of shape ``(n_envs, *reset_shape)``; a wrong shape is an error, not a silent
    broadcast; ``swap=`` (the old name) gives the same reset with a DeprecationWarning, and both at once is an
    error."""
    env = make()
    assert env.reset_shape == ()
    u = np.array([0.9, 0.1, 0.7])
    u = u if isinstance(env, CookingGridworldReference) else torch.tensor(u)
    first = np.asarray(env.reset(noise=u))
    with pytest.warns(DeprecationWarning, match="noise="):
        again = np.asarray(env.reset(swap=u))
    np.testing.assert_array_equal(first, again)
    with pytest.raises(ParameterError, match="both"):
        env.reset(noise=u, swap=u)
    with pytest.raises(ParameterError, match=r"shape \(3,\)"):
        env.reset(noise=u[:2])


def test_an_environment_with_noise_width_but_not_the_rest_of_the_interface_is_a_clear_error():
    from rqe.srpo.trainer import takes_trainer_noise

    class HalfDone:                   # an environment written before reset_shape existed
        noise_width = 3

        def noise_from(self, uniforms):
            return uniforms

    assert takes_trainer_noise(CookingGridworld(n_envs=2))
    assert not takes_trainer_noise(object())
    with pytest.raises(ParameterError, match="HalfDone has noise_width but not reset_shape"):
        takes_trainer_noise(HalfDone())


def test_gridworld_starts_are_the_papers():
    """[QZLM App. D.2]: both agents start top left, at (1, 0) and (0, 1), in an order drawn every episode."""
    env = CookingGridworld(n_envs=4000)
    g = torch.Generator().manual_seed(5)
    env.reset(g)
    starts = [tuple(map(tuple, p)) for p in env.pos.tolist()]
    assert set(starts) == {((1, 0), (0, 1)), ((0, 1), (1, 0))}
    share = np.mean([s == ((1, 0), (0, 1)) for s in starts])
    assert 0.46 < share < 0.54
    slow = CookingGridworldReference(n_envs=2)
    slow.reset(noise=np.array([0.9, 0.1]))
    assert [e["pos"] for e in slow.envs] == [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
    corner = CookingGridworld(n_envs=2, rules="corner")
    corner.reset(noise=torch.tensor([0.9, 0.1]))
    assert corner.pos.tolist() == [[[0, 0], [4, 4]], [[4, 4], [0, 0]]]


@pytest.mark.parametrize("cls", [CookingGridworld, CookingGridworldReference])
def test_a_move_blocked_by_the_partner_ends_the_turn_without_pickup(cls):
    """The authors' rule: agent 0 stands on the onion cell (3, 4) (the onion has just respawned), tries to move
    up into its partner at (2, 4): it pays 0.2 + 2.0, stays, and does not pick the onion up that turn."""
    outcomes = {}
    for rules in ("paper", "corner"):
        env = cls(n_envs=1, rules=rules)
        if cls is CookingGridworld:
            env.reset(noise=torch.ones(1))
            env.place(0, [[3, 4], [2, 4]], (False, False), (True, True))
            noise = _no_respawn_noise(env)
            step = env.step(torch.tensor([[0], [4]]), noise=noise)
            holding = bool(env.holding[0, 0])
        else:
            env.reset(noise=np.ones(1))
            env.envs[0] = {"pos": [[3, 4], [2, 4]], "holding": [False, False], "onion": [True, True]}
            noise = {k: v.numpy() for k, v in _no_respawn_noise(CookingGridworld(n_envs=1)).items()}
            step = env.step(np.array([[0], [4]]), noise=noise)
            holding = env.envs[0]["holding"][0]
        outcomes[rules] = (np.asarray(step.rewards)[:, 0].tolist(), holding)
    assert outcomes["paper"] == (pytest.approx([-2.2, 0.0]), False)
    assert outcomes["corner"] == (pytest.approx([1.0 - 2.2, 1.0]), True)


def test_cooking_rules_validation():
    from rqe.errors import ParameterError
    from rqe.srpo.envs import cooking_rules

    with pytest.raises(ParameterError, match="rule set"):
        cooking_rules("nope")
    with pytest.raises(ParameterError, match="outside"):
        cooking_rules(starts=((0, 0), (9, 9)))
    with pytest.raises(ParameterError, match="unknown cooking"):
        make_env("cooking", 2, colour="red")
    assert make_env("cooking", 2, rules="corner", horizon=10).horizon == 10


def _place(env, pos, holding=(False, False), onion=(True, True)):
    env.place(0, pos, holding, onion)


def _no_respawn_noise(env, first=0):
    order = torch.zeros(env.n_envs, 2)
    order[:, 1 - first] = 1.0  # agent `first` moves first
    return {"order": order, "respawn": torch.ones(env.n_envs, 2), "reset": torch.ones(env.n_envs)}


def test_gridworld_pickup_delivery_collision_rules():
    env = CookingGridworld(n_envs=1)
    env.reset(noise=torch.ones(1))
    # agent 0 moves right onto the onion at (3, 4): +1 shared, 0.2 private
    _place(env, [[3, 3], [0, 0]])
    step = env.step(torch.tensor([[3], [4]]), noise=_no_respawn_noise(env))
    assert step.rewards[:, 0].tolist() == pytest.approx([0.8, 1.0])
    assert bool(env.holding[0, 0]) and not bool(env.onion[0, 0])
    # agent 0 carries the onion to (2, 3) then bumps left into the pot: +10 shared
    _place(env, [[2, 3], [0, 0]], holding=(True, False), onion=(False, True))
    step = env.step(torch.tensor([[2], [4]]), noise=_no_respawn_noise(env))
    assert step.rewards[:, 0].tolist() == pytest.approx([9.8, 10.0])
    assert env.pos[0, 0].tolist() == [2, 3] and not bool(env.holding[0, 0])
    # collision: agent 1 moves into agent 0's cell and pays 0.2 + 2.0; the mover stays put
    _place(env, [[1, 1], [1, 2]])
    step = env.step(torch.tensor([[4], [2]]), noise=_no_respawn_noise(env))
    assert step.costs[:, 0].tolist() == pytest.approx([0.0, 2.2])
    assert env.pos[0].tolist() == [[1, 1], [1, 2]]
    # the update order matters: agent 0 moves first into the cell agent 1 is leaving -> blocked;
    # agent 1 first -> both move
    _place(env, [[1, 1], [1, 2]])
    env.step(torch.tensor([[3], [3]]), noise=_no_respawn_noise(env, first=0))
    assert env.pos[0].tolist() == [[1, 1], [1, 3]]
    _place(env, [[1, 1], [1, 2]])
    env.step(torch.tensor([[3], [3]]), noise=_no_respawn_noise(env, first=1))
    assert env.pos[0].tolist() == [[1, 2], [1, 3]]
    # the pot blocks movement; walls too
    _place(env, [[2, 1], [0, 0]])
    env.step(torch.tensor([[3], [0]]), noise=_no_respawn_noise(env))
    assert env.pos[0].tolist() == [[2, 1], [0, 0]]


def test_gridworld_respawn_probability_and_horizon():
    env = CookingGridworld(n_envs=20000)
    g = torch.Generator().manual_seed(3)
    env.reset(g)
    env.onion[:] = False
    env.step(torch.full((2, env.n_envs), 4), g)
    rate = env.onion.float().mean().item()
    assert abs(rate - 0.2) < 0.01
    env.reset(g)
    for t in range(50):
        step = env.step(torch.full((2, env.n_envs), 4), g)
        assert bool(step.done.all()) == (t == 49)
    assert env.t == 0
    # start positions are swapped in about half of the copies
    starts = env.pos[:, 0].tolist()
    share = np.mean([s == [0, 1] for s in starts])
    assert 0.45 < share < 0.55


def test_matrix_env_payoffs_and_costs():
    game = rqe.library.get("collaborate_defect")
    env = MatrixGameEnv(game, n_envs=4, horizon=2)
    obs = env.reset()
    assert obs.shape == (2, 4, 5) and obs[:, :, 1:].abs().sum() == 0
    actions = torch.tensor([[0, 0, 1, 1], [0, 1, 0, 1]])
    step = env.step(actions)
    np.testing.assert_allclose(step.rewards.numpy(), [[0.6, 0.6, 1.0, 0.0], [0.6, 1.0, 0.6, 0.0]], atol=1e-6)
    np.testing.assert_allclose(step.costs.numpy(), [[0.4, 0.4, 0.0, 0.0], [0.4, 0.0, 0.4, 0.0]], atol=1e-6)
    assert not step.done.any()
    # second round observes the previous joint action
    assert step.obs[0, 1].tolist() == [1, 1, 0, 0, 1]
    assert env.step(actions).done.all()


def test_matrix_env_three_players():
    from rqe import Game

    payoffs = np.random.default_rng(0).normal(size=(3, 2, 3, 2))
    env = MatrixGameEnv(Game(payoffs), n_envs=5)
    env.reset()
    actions = torch.tensor([[0, 1, 1, 0, 1], [2, 0, 1, 2, 2], [1, 1, 0, 0, 1]])
    step = env.step(actions)
    for e in range(5):
        a = tuple(int(actions[i, e]) for i in range(3))
        np.testing.assert_allclose(step.rewards[:, e].numpy(), payoffs[(slice(None), *a)], atol=1e-6)


def test_pettingzoo_adapter_runs_the_reference_rules():
    env = PettingZooEnv(CookingParallelEnv, n_envs=3, seed=1)
    obs = env.reset()
    assert obs.shape == (2, 3, 8)
    g = torch.Generator().manual_seed(0)
    dones = 0
    for _ in range(50):
        step = env.step(torch.randint(0, 5, (2, 3), generator=g))
        dones += int(step.done.sum())
        assert torch.allclose(step.rewards[0] + step.costs[0], step.rewards[1] + step.costs[1])
    assert dones == 3
    assert env.state().shape == (3, 16)


def test_make_env_names():
    assert make_env("cooking", 2).obs_dim == 8
    with pytest.raises(Exception, match="unknown environment"):
        make_env("nope", 2)
