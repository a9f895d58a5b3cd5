"""Trainer: every algorithm runs, resume is bit-for-bit, SRPO pieces do what section 8 says."""

import csv

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo import ALGORITHMS, TrainConfig, Trainer  # noqa: E402


def tiny(**kw):
    base = dict(env="cooking", total_steps=3 * 16 * 50, n_envs=16, n_steps=50, n_epochs=2, n_minibatches=2,
                device="cpu", population_size=2, memory_every=1, checkpoint_every=2)
    base.update(kw)
    return TrainConfig(**base)


@pytest.mark.parametrize("algo", ALGORITHMS)
def test_every_algorithm_trains_and_exports(algo, tmp_path):
    cfg = tiny(algo=algo, total_steps=6 * 16 * 50)
    trainer = Trainer(cfg, out_dir=tmp_path)
    history = trainer.train(progress=False)
    n = trainer.n_updates
    assert len(history) == n and trainer.update == n >= 2
    # the same env-step budget for every algorithm: spent, never exceeded by more than nothing
    assert cfg.total_steps - 3 * cfg.batch_steps < trainer.env_steps <= cfg.total_steps
    assert all(np.isfinite(v) for m in history for v in m.values())
    with open(tmp_path / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["update"]) for r in rows] == list(range(1, n + 1))
    assert (tmp_path / "policies.pt").exists() and (tmp_path / "checkpoint.pt").exists()
    assert len(trainer.policies()) == 2


def _params(trainer):
    return {f"{n}.{k}": v.clone() for n, l in trainer.learners.items()
            for k, v in {**l.actor.state_dict(), **{f"c.{a}": b for a, b in l.critics.state_dict().items()}}.items()}


@pytest.mark.parametrize("algo", ["srpo", "fcp"])
def test_resume_reproduces_uninterrupted_run_bit_for_bit(algo, tmp_path):
    budget = {"srpo": 8, "fcp": 5}[algo] * 16 * 50      # four updates each (srpo: 2 rollouts; fcp: 2, then 1)
    cfg = tiny(algo=algo, total_steps=budget, checkpoint_every=2)
    straight = Trainer(cfg, out_dir=tmp_path / "straight")
    assert straight.n_updates == 4
    straight.train(progress=False)

    # interrupted after update 3: the checkpoint of update 2 is the last one on disk
    interrupted = Trainer(cfg, out_dir=tmp_path / "resumed")
    stop = {"at": 3}

    class Stop(Exception):
        pass

    def halt(trainer, metrics):
        if trainer.update == stop["at"]:
            raise Stop

    with pytest.raises(Stop):
        interrupted.train(progress=False, callback=halt)
    resumed = Trainer(cfg, out_dir=tmp_path / "resumed")
    resumed.train(progress=False, resume=True)
    assert resumed.update == 4
    a, b = _params(straight), _params(resumed)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    with open(tmp_path / "straight" / "metrics.csv") as f1, open(tmp_path / "resumed" / "metrics.csv") as f2:
        r1, r2 = list(csv.DictReader(f1)), list(csv.DictReader(f2))
    assert len(r1) == len(r2) == 4
    for x, y in zip(r1, r2):
        assert x["return_seat0"] == y["return_seat0"] and x["update"] == y["update"]


def test_different_seeds_differ_and_same_seed_repeats():
    a = Trainer(tiny(algo="ippo", total_steps=16 * 50, seed=1))
    a.train(progress=False)
    b = Trainer(tiny(algo="ippo", total_steps=16 * 50, seed=1))
    b.train(progress=False)
    c = Trainer(tiny(algo="ippo", total_steps=16 * 50, seed=2))
    c.train(progress=False)
    pa, pb, pc = _params(a), _params(b), _params(c)
    assert all(torch.equal(pa[k], pb[k]) for k in pa)
    assert not all(torch.equal(pa[k], pc[k]) for k in pa)


def test_srpo_adversary_starts_as_agent_and_pulls_toward_partner():
    trainer = Trainer(tiny(algo="srpo", tau=0.5))
    for i in range(2):
        agent = trainer.learners[f"agent{i}"].actor.state_dict()
        adversary = trainer.learners[f"adversary{i}"].actor.state_dict()
        assert all(torch.equal(agent[k], adversary[k]) for k in agent)
    assert trainer.learners["adversary0"].kl_coef == pytest.approx(2.0)
    assert trainer.learners["agent0"].kl_coef == 0.0
    plan = trainer.plan()
    assert [m.seats for m in plan] == [["agent0", "adversary0"], ["adversary1", "agent1"]]
    adversary_job = plan[0].train[1]
    assert adversary_job.learner == "adversary0" and adversary_job.sign == -1.0 and adversary_job.reward_seats == (0,)
    ablation = Trainer(tiny(algo="adversarial"))
    assert ablation.learners["adversary0"].kl_coef == 0.0


def test_srpo_three_players_uses_one_shared_policy_and_one_adversary():
    from rqe import Game

    game = Game.identical_interest(np.random.default_rng(0).normal(size=(2, 2, 2)))
    cfg = TrainConfig(algo="srpo", env="matrix", env_kwargs={"game": game}, total_steps=128, n_envs=32, n_steps=2,
                      n_minibatches=2, device="cpu")
    trainer = Trainer(cfg)
    assert set(trainer.learners) == {"shared", "adversary"}
    (match,) = trainer.plan()
    at = torch.stack([seat.choice for seat in match.seats])        # (seats, copies): 1 where the adversary sits
    assert all(seat.policies == ["shared", "adversary"] for seat in match.seats)
    assert at.sum(0).tolist() == [1] * 32                             # exactly one adversary seat in every copy
    assert set(at.argmax(0).tolist()) == {0, 1, 2}
    trainer.train(progress=False)
    per_rollout = Trainer(cfg.replace(adversary_seating="rollout"))
    seats = set()
    for _ in range(20):
        (match,) = per_rollout.plan()
        at = torch.stack([seat.choice for seat in match.seats])
        assert at.sum(0).tolist() == [1] * 32 and len(set(at.argmax(0).tolist())) == 1   # one seat, all copies
        seats.add(int(at[:, 0].argmax()))
    assert seats == {0, 1, 2}


def test_kl_penalty_drives_adversary_to_partner_when_tau_small():
    """With tau -> 0 the KL term dominates: the adversary must end close to the partner's policy."""
    # agents nearly frozen (tiny lr), adversaries fast: the adversary must settle on its partner's policy
    cfg = TrainConfig(algo="srpo", env="collaborate_defect", tau=0.02, epsilon=0.2, total_steps=2 * 40 * 256,
                      n_envs=256, n_steps=1, n_minibatches=1, n_epochs=4, lr=1e-5, adversary_lr=0.02,
                      norm_adv=False, device="cpu", anneal_lr=False)
    trainer = Trainer(cfg)
    with torch.no_grad():  # give the partner a clearly non-uniform policy (P(C) ~ 0.88)
        trainer.learners["agent1"].actor.net[-1].bias.copy_(torch.tensor([1.0, -1.0]))
    trainer.train(progress=False)
    obs = trainer.env.reset()[0, :1]
    with torch.no_grad():
        adversary = torch.softmax(trainer.learners["adversary0"].actor(obs), -1)
        partner = torch.softmax(trainer.learners["agent1"].actor(obs), -1)
        agent = torch.softmax(trainer.learners["agent0"].actor(obs), -1)
    assert float((agent - partner).abs().sum()) / 2 > 0.05   # they start apart, so the test can fail
    assert float((adversary - partner).abs().sum()) / 2 < 0.02


def test_config_validation():
    with pytest.raises(ParameterError, match="algo"):
        TrainConfig(algo="nope")
    with pytest.raises(ParameterError, match="divisible"):
        TrainConfig(n_envs=3, n_steps=5, n_minibatches=4)


@pytest.mark.parametrize("options", [{"risk_critic": True, "risk_lambda": 0.3}, {"adversary_reference": "memory"}])
def test_srpo_options(options):
    trainer = Trainer(tiny(algo="srpo", **options))
    history = trainer.train(progress=False)
    if options.get("risk_critic"):
        assert set(trainer.learners["agent0"].critics) == {"partner", "adversary"}
        assert all("risk_gap" in m for m in history)
        weights = {j.critic: j.weight for m in trainer.plan() for j in m.train if j.learner == "agent0"}
        assert weights == {"partner": pytest.approx(0.7), "adversary": pytest.approx(0.3)}
    else:
        assert len(trainer.memory) == 2 * trainer.n_updates  # both agents stored after each update (memory_every=1)
        obs = torch.zeros(4, 8)
        ref = trainer.learners["adversary0"].kl_reference(obs)
        assert torch.allclose(ref.sum(-1), torch.ones(4))


def test_trainer_on_a_pettingzoo_environment():
    from rqe.srpo.envs import CookingParallelEnv, PettingZooEnv

    env = PettingZooEnv(CookingParallelEnv, n_envs=4, seed=0)
    cfg = TrainConfig(algo="mappo", env="cooking", total_steps=2 * 4 * 50, n_envs=4, n_steps=50, n_minibatches=2,
                      n_epochs=1, device="cpu")
    trainer = Trainer(cfg, env=env)
    history = trainer.train(progress=False)
    assert len(history) == 2 and np.isfinite(history[-1]["agent0/v_loss"])
