"""N-player policy sharing (docs/rqe-math.md section 8) and N-seat evaluation: 4-player Hanabi, 3-predator Tag,
3-player matrix games where the cross-play values are known exactly."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe import Game  # noqa: E402
from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo import TrainConfig, Trainer  # noqa: E402
from rqe.srpo.algorithms import PerCopy, policy_sharing  # noqa: E402
from rqe.srpo.evaluate import crossplay, evaluate_against, evaluate_pair, load_run, mixed_team, seatings  # noqa: E402
from rqe.srpo.networks import Actor, FixedPolicy  # noqa: E402
from rqe.srpo.trainer import save_torch  # noqa: E402
from tests.srpo.training_helpers import train_interrupted_and_resumed

C, D = FixedPolicy(2, 0), FixedPolicy(2, 1)          # collaborate / defect


def _params(trainer):
    return {f"{n}.{k}": v.clone() for n, l in trainer.learners.items() for k, v in l.actor.state_dict().items()}


def _matrix3(**kw):
    game = Game.identical_interest(np.random.default_rng(0).normal(size=(2, 2, 2)))
    base = dict(algo="srpo", env="matrix", env_kwargs={"game": game}, total_steps=256, n_envs=32, n_steps=2,
                n_minibatches=2, device="cpu")
    base.update(kw)
    return TrainConfig(**base)


def _constant_actor(obs_dim, action, n_actions=2):
    actor = Actor(obs_dim, n_actions, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        actor.net[-1].weight.zero_()
        actor.net[-1].bias.copy_(torch.tensor([0.0 if a == action else -1e4 for a in range(n_actions)]))
    return actor


# ------------------------------------------------------------------------------------------- seating in training
def test_the_adversary_plays_exactly_one_seat_per_copy_and_each_learner_learns_from_its_own_seats():
    trainer = Trainer(_matrix3())
    shared, adversary = trainer.learners["shared"].actor, trainer.learners["adversary"].actor
    with torch.no_grad():                        # tell them apart: shared always plays 0, the adversary always 1
        for actor, action in ((shared, 0), (adversary, 1)):
            actor.net[-1].weight.zero_()
            actor.net[-1].bias.copy_(torch.tensor([0.0, -1e4] if action == 0 else [-1e4, 0.0]))
    (match,) = trainer.plan()
    assert all(isinstance(seat, PerCopy) for seat in match.seats)
    at = torch.stack([seat.choice for seat in match.seats]).bool()          # (3, B): where the adversary sits
    assert at.sum(0).tolist() == [1] * 32 and set(at.float().argmax(0).tolist()) == {0, 1, 2}
    rollout = trainer.rollout(match)
    assert torch.equal(rollout.actions == 1, at[None].expand_as(rollout.actions))   # its seat, and only there
    count = {"shared": 0, "adversary": 0}
    for job in match.train:
        batch = trainer.advantages(rollout, job)
        assert bool((batch["actions"] == (1 if job.learner == "adversary" else 0)).all())
        count[job.learner] += batch["actions"].numel()
        if job.learner == "adversary":           # minus the mean reward of the seats it plays against
            assert job.sign == -1.0 and job.reward_seats == tuple(k for k in range(3) if k != job.seat)
    assert count == {"shared": 2 * 2 * 32, "adversary": 2 * 32}     # (N - 1) seats and 1 seat of T x B steps
    # the adversary's KL reference is the shared policy it replaces
    obs = rollout.obs[0, 0]
    np.testing.assert_allclose(trainer.learners["adversary"].kl_reference(obs).numpy(),
                               torch.softmax(shared(obs), -1).detach().numpy())


def test_policy_sharing_defaults_and_the_ippo_mappo_baselines():
    assert set(Trainer(_matrix3(algo="ippo")).learners) == {"shared"}
    mappo = Trainer(_matrix3(algo="mappo"))
    assert set(mappo.learners) == {"shared"} and mappo.learners["shared"].critic_input == "state"
    assert set(Trainer(_matrix3(algo="ippo", share_policy=False)).learners) == {"agent0", "agent1", "agent2"}
    two = dict(env="collaborate_defect", total_steps=256, n_envs=32, n_steps=4, device="cpu")
    assert set(Trainer(TrainConfig(algo="srpo", **two)).learners) == {"agent0", "agent1", "adversary0", "adversary1"}
    shared_two = Trainer(TrainConfig(algo="srpo", share_policy=True, **two))
    assert set(shared_two.learners) == {"shared", "adversary"} and shared_two.algorithm.rollouts(0) == 1
    shared_two.train(progress=False)
    assert shared_two.update == shared_two.n_updates == 2


def test_bad_sharing_settings_raise_typed_errors():
    with pytest.raises(ParameterError, match="share_policy=False is for two players"):
        Trainer(_matrix3(share_policy=False))
    with pytest.raises(ParameterError, match="equal action sets"):
        policy_sharing(TrainConfig(algo="ippo", share_policy=True), 3, (2, 3, 2))
    with pytest.raises(ParameterError, match="share_policy must be"):
        TrainConfig(share_policy="yes")
    with pytest.raises(ParameterError, match="adversary_seating"):
        TrainConfig(adversary_seating="seat")
    from rqe.srpo.population import PopulationTrainer

    with pytest.raises(ParameterError, match="share_policy"):
        PopulationTrainer(TrainConfig(algo="srpo", env="collaborate_defect", share_policy=True, total_steps=256,
                                      n_envs=32, n_steps=4, device="cpu"), seeds=[0, 1])


def test_four_player_hanabi_srpo_trains_checkpoints_and_resumes_bit_for_bit(tmp_path):
    pytest.importorskip("pyspiel")
    cfg = TrainConfig(algo="srpo", env="hanabi", env_kwargs={"players": 4}, n_envs=6, n_steps=8, n_epochs=2,
                      n_minibatches=2, device="cpu", checkpoint_every=1, tau=0.01, epsilon=0.001,
                      total_steps=3 * 6 * 8)
    assert set(Trainer(cfg).learners) == {"shared", "adversary"}
    # the env raises on any illegal move: finishing is one proof
    straight, resumed, history = train_interrupted_and_resumed(
        lambda name: Trainer(cfg, out_dir=tmp_path / name), 2)
    assert straight.update == 3 and all(np.isfinite(v) for m in history for v in m.values())
    run = load_run(tmp_path / "straight")
    assert len(run.seats) == 4 and all(torch.equal(run.seats[0].net[0].weight, s.net[0].weight) for s in run.seats)

    a, b = _params(straight), _params(resumed)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert (tmp_path / "straight" / "metrics.csv").read_text() .count("\n") == \
        (tmp_path / "resumed" / "metrics.csv").read_text().count("\n") == 4
    # one adversary seat per copy; a rollout mixing the two policies per copy samples only legal moves
    (match,) = resumed.plan()
    assert torch.stack([seat.choice for seat in match.seats]).sum(0).tolist() == [1] * 6
    rollout = resumed.rollout(match)
    assert bool(rollout.masks.gather(-1, rollout.actions[..., None]).all())
    assert bool((rollout.actions < rollout.masks.shape[-1] - 1).any())          # moves, not only waits


# ------------------------------------------------------------------------------------------- N-seat evaluation
def test_seatings_and_their_errors():
    assert seatings(4) == [(0, 1, 1, 1), (1, 0, 1, 1), (1, 1, 0, 1), (1, 1, 1, 0)]
    assert len(seatings(4, "all")) == 2 ** 4 - 2 and (0, 0, 0, 0) not in seatings(4, "all")
    for bad in (1, 2.0, True):
        with pytest.raises(ParameterError, match="at least two seats"):
            seatings(bad)
    with pytest.raises(ParameterError, match="seating must be one of"):
        seatings(3, "pairs")
    with pytest.raises(ParameterError, match="one policy per seat"):
        mixed_team([C] * 3, [D] * 2, "collaborate_defect", {"n_players": 3}, episodes=2)
    with pytest.raises(ParameterError, match="one policy per seat"):
        evaluate_pair([C, D], "collaborate_defect", {"n_players": 3}, episodes=2)


def _save_constant_run(folder, algo, action, n_players=3):
    actor = _constant_actor(1 + 2 * n_players, action)
    save_torch({"algo": algo, "seed": 0, "env": "collaborate_defect", "env_kwargs": {"n_players": n_players},
                "seats": [{"spec": actor.spec(), "state": actor.state_dict()}] * n_players}, folder / "policies.pt")


def test_three_player_crossplay_of_constant_policies_has_the_known_values(tmp_path):
    # collaborate/defect with 3 players: R = 1 if anyone collaborates, c(C) = 0.4. Run "c" always collaborates, run
    # "d" always defects. One collaborator among defectors: returns (0.6, 1, 1), team 2.6/3, costs gap 0.4.
    for algo, action in (("c", 0), ("d", 1)):
        (tmp_path / algo).mkdir()
        _save_constant_run(tmp_path / algo, algo, action)
    one = crossplay([tmp_path], episodes=4)
    assert one["seats"] == 3 and one["private_costs"] and not one["symmetric"]
    np.testing.assert_allclose(one["team_return"], [[0.6, 2.6 / 3], [2.2 / 3, 0.0]], atol=1e-6)
    np.testing.assert_allclose(one["free_riding"], [[0.0, 0.4], [0.4, 0.0]], atol=1e-6)
    assert one["solo"][0]["idle"] == pytest.approx(0.6) and one["solo"][1]["idle"] == pytest.approx(0.0)
    assert one["solo"][0]["random"] == pytest.approx(0.6)             # a collaborator earns 0.6 whatever others do
    assert one["heldout"] == [{}, {}]                                   # no scripted partners for matrix games
    between = one["summary"]["between_algos"]
    assert between["c|d"]["mean"] == pytest.approx(2.6 / 3) and between["d|c"]["mean"] == pytest.approx(2.2 / 3)
    everyone = crossplay([tmp_path], episodes=4, seating="all")        # 3 seatings of each kind: the mean, 0.8
    np.testing.assert_allclose(everyone["team_return"], [[0.6, 0.8], [0.8, 0.0]], atol=1e-6)
    json.dumps(everyone)                                                # plain JSON
    cell = mixed_team([C] * 3, [D] * 3, "collaborate_defect", {"n_players": 3}, episodes=4)
    assert cell["costs"] == pytest.approx([0.4, 0.0])
    held = evaluate_against(D, [C, D], "collaborate_defect", {"n_players": 3}, episodes=4)
    assert held["per_partner"] == pytest.approx([1.0, 0.0])            # a defector with collaborators / defectors


def test_free_riding_is_not_reported_without_private_costs():
    game = Game.identical_interest(np.ones((2, 2, 2)))
    assert evaluate_pair([C, C, D], "matrix", {"game": game}, episodes=2).free_riding is None
    assert evaluate_pair([C, D], "collaborate_defect", episodes=2).free_riding == pytest.approx(0.4)
    from rqe.srpo.tag import Tag

    assert Tag(1).private_costs is False


# ------------------------------------------------------------------------------------------- Tag, 3 predators
def test_tag_with_three_collaborating_predators_trains_and_cross_plays(tmp_path):
    kw = dict(env="tag", env_kwargs={"num_adversaries": 3, "max_cycles": 10}, n_envs=8, n_steps=10, n_epochs=1,
              n_minibatches=1, device="cpu", total_steps=2 * 8 * 10)
    for algo, seed in (("srpo", 0), ("ippo", 1)):
        trainer = Trainer(TrainConfig(algo=algo, seed=seed, **kw), out_dir=tmp_path / f"{algo}{seed}")
        assert trainer.n_agents == 3 and "shared" in trainer.learners and "agent0" not in trainer.learners
        trainer.train(progress=False)
    result = crossplay([tmp_path], episodes=2)
    assert np.asarray(result["team_return"]).shape == (2, 2) and result["seats"] == 3
    assert result["free_riding"] is None and "self_play_free_riding" not in result["summary"]["per_algo"]["srpo"]
    assert set(result["heldout"][0]) == {"greedy", "random", "still"}
    assert result["summary"]["per_algo"]["srpo"]["heldout_greedy"]["mean"] == result["heldout"][1]["greedy"]
    assert all(v >= 0.0 for h in result["heldout"] for v in h.values())           # catch rewards only
    assert set(result["summary"]["between_algos"]) == {"ippo|srpo", "srpo|ippo"}
    from rqe.srpo.cli import main

    out = tmp_path / "xp"
    assert main(["crossplay", str(tmp_path / "srpo0"), str(tmp_path / "ippo1"), "--out", str(out), "--episodes", "2",
                 "--seating", "all"]) == 0
    saved = json.loads((out / "crossplay.json").read_text())
    assert saved["seating"] == "all" and saved["symmetric"] and saved["free_riding"] is None
    assert (out / "crossplay_return.png").exists() and not (out / "crossplay_free_riding.png").exists()


def test_cli_trains_four_player_hanabi_srpo_and_resumes(tmp_path, capsys):
    pytest.importorskip("pyspiel")
    from rqe.srpo.cli import main

    out = tmp_path / "h4"
    args = ["train", "srpo", "--env", "hanabi", "--env-arg", "players=4", "--steps", "96", "--set", "n_envs=6",
            "n_steps=8", "n_minibatches=2", "tau=0.01", "epsilon=0.001", "--checkpoint-every", "1", "--out", str(out),
            "--no-progress", "--device", "cpu"]
    assert main(args) == 0
    first = (out / "metrics.csv").read_text()
    assert first.count("\n") == 3 and "adversary/kl_ref" in first.splitlines()[0]
    assert main(args + ["--resume"]) == 0 and (out / "metrics.csv").read_text() == first
    assert len(load_run(out).seats) == 4
