"""Event-based reward shaping of the cooking gridworld (rqe.srpo.shaping) and the behaviour-preferring partners.

The shaping arithmetic is checked exactly on hand-placed states and against counts recomputed from the state on
random play; the reported rewards must stay those of the unshaped game; the trainers must learn from the shaped
reward of the shaped seat only. Whether trained partners show their preference is measured at a real budget by
``examples/srpo_shaped_partners.py`` (not here: tiny budgets do not learn).
"""

import json

import pytest

torch = pytest.importorskip("torch")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo.config import TrainConfig  # noqa: E402
from rqe.srpo.envs import CookingGridworld, make_env  # noqa: E402
from rqe.srpo.population import PopulationTrainer  # noqa: E402
from rqe.srpo.shaping import EVENTS, SHAPINGS, RewardShaping, reward_shaping  # noqa: E402
from rqe.srpo.trainer import Trainer  # noqa: E402
from rqe.srpo.zoo import heldout_play, partner_zoo, shaped_partners, train_shaped_partners  # noqa: E402

# distinct powers of ten: the bonus spells out the event counts digit by digit (exact in float32)
DIGITS = {"onion0": 1.0, "onion1": 10.0, "delivery": 100.0, "pot_side": 1000.0, "move": 10000.0}
UP, DOWN, LEFT, RIGHT, STAY = range(5)


@pytest.mark.parametrize("bad, match", [
    ({"onoin0": 1.0}, "unknown shaping keys \\['onoin0'\\]"),
    ({"move": "a lot"}, "shaping weight move must be a finite number"),
    ({"move": True}, "shaping weight move must be a finite number"),
    ({"pot_side": float("inf")}, "shaping weight pot_side must be a finite number"),
    ({"seats": [2]}, "shaping seats must be distinct seats 0 and/or 1"),
    ({"seats": [0, 0]}, "shaping seats must be distinct seats 0 and/or 1"),
    ({"seats": 1}, "shaping seats must be a list"),
    ("prefers_onion7", "unknown shaping 'prefers_onion7'"),
    ('{"move": -1,}', "is not valid JSON"),
    ('{"mvoe": -1}', "unknown shaping keys \\['mvoe'\\]"),
    (3.0, "shaping must be a name, a dict of event weights or RewardShaping, got float"),
])
def test_bad_shaping_raises_a_parameter_error_naming_it(bad, match):
    with pytest.raises(ParameterError, match=match):
        reward_shaping(bad)
    with pytest.raises(ParameterError, match=match):
        make_env("cooking", 2, shaping=bad)
    with pytest.raises(ParameterError, match=match):
        Trainer(TrainConfig(algo="ippo", env_kwargs={"shaping": bad}, n_envs=2, n_steps=4, n_minibatches=1))


def test_shaping_needs_the_two_onions_of_the_observation():
    with pytest.raises(ParameterError, match="weighs onions 0 and 1"):
        make_env("cooking", 2, onions=[[3, 4]], shaping={"move": -1.0})


def test_named_shapings_round_trip_through_plain_dicts():
    for name, shaping in SHAPINGS.items():
        data = json.loads(json.dumps(shaping.to_dict()))
        assert reward_shaping(data) == shaping == reward_shaping(name)
        assert shaping.seats == (0,)


def _step(env, cells, holding, actions, onion=(True, True)):
    env.reset(torch.Generator().manual_seed(0))
    env.place(0, cells, holding=holding, onion=onion)
    return env.step(torch.tensor([[actions[0]], [actions[1]]]), torch.Generator().manual_seed(1))


@pytest.mark.parametrize("cells, holding, actions, seat0_counts", [
    # seat 0 steps right onto onion 0 at (3, 4): a pickup of onion 0 and a move; seat 1 stays far away
    ([(3, 3), (0, 0)], (False, False), (RIGHT, STAY), {"onion0": 1, "move": 1}),
    # seat 0 steps left onto onion 1 at (4, 3)
    ([(4, 4), (0, 0)], (False, False), (LEFT, STAY), {"onion1": 1, "move": 1}),
    # seat 0, holding, moves from (2, 3) into the pot: a delivery, and it ends the step next to the pot
    ([(2, 3), (0, 0)], (True, False), (LEFT, STAY), {"delivery": 1, "pot_side": 1, "move": 1}),
    # seat 0 moves into the grid's wall: a move (it pays for it), nothing else
    ([(0, 4), (4, 0)], (False, False), (UP, STAY), {"move": 1}),
    # seat 0 stays next to the pot: a pot-side step without a move
    ([(1, 2), (4, 0)], (False, False), (STAY, STAY), {"pot_side": 1}),
])
def test_events_and_bonus_on_hand_placed_states(cells, holding, actions, seat0_counts):
    env = CookingGridworld(n_envs=1, shaping={**DIGITS, "seats": [0]})
    step = _step(env, cells, holding, actions)
    expected = {e: float(seat0_counts.get(e, 0)) for e in EVENTS}
    assert {e: float(step.events[e][0, 0]) for e in EVENTS} == expected
    assert {e: float(step.events[e][1, 0]) for e in EVENTS} == dict.fromkeys(EVENTS, 0.0)
    assert float(step.shaping[0, 0]) == sum(DIGITS[e] * n for e, n in expected.items())
    assert float(step.shaping[1, 0]) == 0.0                          # seat 1 is not shaped
    plain = _step(CookingGridworld(n_envs=1), cells, holding, actions)
    assert torch.equal(step.rewards, plain.rewards) and torch.equal(step.costs, plain.costs)
    assert plain.shaping is None and set(plain.events) == {"pickups", "deliveries"}


def test_random_play_counts_agree_with_the_state_and_rewards_stay_true():
    B, steps = 256, 45                          # fewer steps than the horizon: no reset in between
    weights = {"onion0": 3.0, "onion1": -7.0, "delivery": 0.5, "pot_side": -2.0, "move": -0.25}
    shaped = CookingGridworld(n_envs=B, shaping={**weights, "seats": [0, 1]})
    plain = CookingGridworld(n_envs=B)
    g = torch.Generator().manual_seed(3)
    swap = torch.rand(B, generator=g)
    assert torch.equal(shaped.reset(noise=swap), plain.reset(noise=swap))
    onion_cells = torch.tensor(shaped.rules.onions)
    totals = dict.fromkeys(EVENTS, 0.0)
    for _ in range(steps):
        actions = torch.randint(0, 5, (2, B), generator=g)
        noise = shaped.draw_noise(g)
        a, b = shaped.step(actions, noise=noise), plain.step(actions, noise=noise)
        assert torch.equal(a.obs, b.obs) and torch.equal(a.rewards, b.rewards) and torch.equal(a.costs, b.costs)
        pos = shaped.pos.transpose(0, 1)                               # (N, B, 2) after the step
        on = [(pos == onion_cells[o]).all(-1).float() for o in range(2)]
        assert torch.equal(a.events["onion0"], b.events["pickups"] * on[0])
        assert torch.equal(a.events["onion1"], b.events["pickups"] * on[1])
        assert torch.equal(a.events["delivery"], b.events["deliveries"])
        assert torch.equal(a.events["move"], (actions != STAY).float())
        pot = torch.tensor(shaped.rules.pot)
        assert torch.equal(a.events["pot_side"], ((pos - pot).abs().sum(-1) == 1).float())
        bonus = sum(w * a.events[e] for e, w in weights.items())
        assert torch.allclose(a.shaping, bonus, rtol=0, atol=1e-6 * 7)
        for e in EVENTS:
            totals[e] += float(a.events[e].sum())
    assert all(v > 0 for v in totals.values()), totals               # every event happened in this play


def _tiny(**changes):
    base = dict(algo="ippo", env="cooking", preset="paper", total_steps=256, n_envs=8, n_steps=32, device="cpu")
    return TrainConfig(**{**base, **changes})


def test_trainer_learns_from_the_shaped_reward_of_the_shaped_seat_only():
    shaped = Trainer(_tiny(env_kwargs={"shaping": {"move": -1.0, "pot_side": -2.0}}))
    plain = Trainer(_tiny())
    match = shaped.plan()[0]
    r_shaped, r_plain = shaped.rollout(match), plain.rollout(plain.plan()[0])
    assert torch.equal(r_shaped.rewards, r_plain.rewards)           # same weights, same draws: same play
    assert r_plain.shaping is None and bool((r_shaped.shaping[:, 1] == 0).all())
    assert torch.equal(r_shaped.training_rewards()[:, 0], r_plain.rewards[:, 0] + r_shaped.shaping[:, 0])
    jobs = {job.learner: job for job in match.train}
    seat0 = shaped.advantages(r_shaped, jobs["agent0"])
    seat1 = shaped.advantages(r_shaped, jobs["agent1"])
    assert not torch.equal(seat0["adv"], plain.advantages(r_plain, jobs["agent0"])["adv"])
    assert torch.equal(seat1["adv"], plain.advantages(r_plain, jobs["agent1"])["adv"])
    # one whole update: the logged (true) returns agree, agent 1 moved exactly as without shaping, agent 0 did not
    fresh_shaped, fresh_plain = Trainer(shaped.cfg), Trainer(plain.cfg)
    m_shaped, m_plain = fresh_shaped.train_update(), fresh_plain.train_update()
    assert m_shaped["return_seat0"] == m_plain["return_seat0"] and m_shaped["cost_seat1"] == m_plain["cost_seat1"]
    state = lambda t, name: t.learners[name].actor.state_dict()  # noqa: E731
    assert all(torch.equal(v, state(fresh_plain, "agent1")[k]) for k, v in state(fresh_shaped, "agent1").items())
    assert not all(torch.equal(v, state(fresh_plain, "agent0")[k]) for k, v in state(fresh_shaped, "agent0").items())


def test_batched_population_with_shaping_follows_the_single_runs():
    cfg = _tiny(total_steps=512, env_kwargs={"shaping": SHAPINGS["prefers_onion0"].to_dict()})
    population = PopulationTrainer(cfg, [0, 1])
    rows = population.train(progress=False)
    population.sync_to_seeds()
    single = Trainer(cfg.replace(seed=1))
    history = single.train(progress=False)
    assert [r[1]["return_seat0"] for r in rows] == pytest.approx([h["return_seat0"] for h in history], abs=0)
    for name in ("agent0", "agent1"):
        for key, value in single.learners[name].actor.state_dict().items():
            batched = population.runs[1].learners[name].actor.state_dict()[key]
            assert torch.allclose(batched, value, rtol=0, atol=1e-4 * float(value.abs().max()))


def test_heldout_play_counts_events_and_ignores_shaping():
    zoo = partner_zoo()
    r = heldout_play(zoo["greedy"], zoo["lazy"], episodes=8, seed=5)
    assert r["partner_move"] == 0.0 and r["partner_onion0"] == 0.0 and r["partner_pickups"] == 0.0
    assert r["own_onion0"] + r["own_onion1"] == pytest.approx(r["own_pickups"])
    assert r["own_move"] > 0 and r["own_pot_side"] > 0
    again = heldout_play(zoo["greedy"], zoo["lazy"], episodes=8, seed=5, env_kwargs={"shaping": {"move": -5.0}})
    assert again == r


@pytest.fixture(scope="module")
def shaped_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("shaped")
    train_shaped_partners(root, 256, seeds=[0, 1], kinds=["prefers_onion1", "moves_little"], n_steps=32)
    return root


def test_shaped_partners_load_the_shaped_seat_and_resume(shaped_root):
    from rqe.srpo.evaluate import load_run

    partners = shaped_partners(shaped_root)
    assert list(partners) == ["prefers_onion1", "moves_little"]
    run = load_run(shaped_root / "moves_little" / "selfplay-seed0")
    assert run.env_kwargs["shaping"] == {**SHAPINGS["moves_little"].to_dict(), "seats": [0, 1]}
    seat0 = run.seats[0].state_dict()
    assert all(torch.equal(v, seat0[k]) for k, v in partners["moves_little"].state_dict().items())
    assert sorted(shaped_partners(shaped_root, seeds=[1, 0])) == [
        "moves_little:seed0", "moves_little:seed1", "prefers_onion1:seed0", "prefers_onion1:seed1"]
    with pytest.raises(ParameterError, match="no trained prefers_onion1 partner with seed 7"):
        shaped_partners(shaped_root, seeds=[7])
    metrics = (shaped_root / "moves_little" / "selfplay-seed1" / "metrics.csv").read_text()
    train_shaped_partners(shaped_root, 256, seeds=[0, 1], kinds=["moves_little"], n_steps=32)   # finished: resumed
    assert (shaped_root / "moves_little" / "selfplay-seed1" / "metrics.csv").read_text() == metrics


def test_the_ippo_recipe_shapes_seat_0_and_loads_seat_0(tmp_path):
    from rqe.srpo.evaluate import load_run

    train_shaped_partners(tmp_path, 256, seeds=[3], kinds=["avoids_pot_side"], algo="ippo", n_steps=32)
    run = load_run(tmp_path / "avoids_pot_side" / "ippo-seed3")
    assert run.env_kwargs["shaping"] == SHAPINGS["avoids_pot_side"].to_dict()      # seats [0]
    partner = shaped_partners(tmp_path)["avoids_pot_side"]
    for which, seat in ((0, True), (1, False)):
        same = all(torch.equal(v, run.seats[which].state_dict()[k]) for k, v in partner.state_dict().items())
        assert same is seat


def test_shaped_partners_refuse_foreign_runs_and_unknown_kinds(tmp_path):
    PopulationTrainer(_tiny(), [0], tmp_path / "avoids_pot_side").train(progress=False)   # an unshaped run
    with pytest.raises(ParameterError, match="is not a shaped cooking-gridworld run"):
        shaped_partners(tmp_path)
    with pytest.raises(ParameterError, match="unknown behaviour-preferring partner 'likes_tomatoes'"):
        train_shaped_partners(tmp_path, 256, kinds=["likes_tomatoes"])


def test_selfplay_shapes_both_seats_and_the_cli_takes_a_shaping_name(tmp_path, capsys):
    from rqe.cli import main
    from rqe.srpo.zoo import _shaped_config

    cfg = _shaped_config("avoids_pot_side", 256, "selfplay", "paper", "cpu", {})
    assert cfg.env_kwargs["shaping"]["seats"] == [0, 1] and cfg.env_kwargs["shaping"]["pot_side"] == -0.25
    out = tmp_path / "cli"
    assert main(["train", "ippo", "--env-arg", "shaping=moves_little", "--preset", "paper", "--steps", "256",
                 "--set", "n_steps=32", "--out", str(out), "--no-progress"]) == 0
    assert shaped_partners_config(out) == "moves_little"
    out = tmp_path / "cli_json"
    assert main(["train", "selfplay", "--env-arg", 'shaping={"move": -1, "seats": [0, 1]}', "--preset", "paper",
                 "--steps", "256", "--set", "n_steps=32", "--out", str(out), "--no-progress"]) == 0
    assert reward_shaping(shaped_partners_config(out)) == RewardShaping(move=-1.0, seats=(0, 1))


def shaped_partners_config(folder):
    return json.loads((folder / "config.json").read_text())["env_kwargs"]["shaping"]


def test_reward_shaping_instance_is_frozen():
    shaping = RewardShaping(move=-1)
    assert shaping.move == -1.0 and isinstance(shaping.move, float)
    with pytest.raises(AttributeError):
        shaping.move = 2.0
