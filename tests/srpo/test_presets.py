"""The paper's preset, the KL direction, the update order, rollouts of any length, equal env-step budgets."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo import TrainConfig, Trainer  # noqa: E402
from rqe.srpo.algorithms import schedule  # noqa: E402
from rqe.srpo.ppo import gae, ppo_loss  # noqa: E402
from rqe.srpo.trainer import Rollout  # noqa: E402


def test_paper_preset_holds_every_setting_of_the_papers_gridworld_runs():
    """[QZLM App. D.2] and the authors' gridworld/coop_ppo.py: eps 0.1, lr 6e-4, 8 envs x 128 steps, 4 full-batch
    epochs, clip 0.2, value loss 0.5 (V - R)^2 with weight 1, no normalisation / clipping / annealing, tau = 10."""
    cfg = TrainConfig(algo="srpo", preset="paper")
    expected = dict(epsilon=0.1, lr=6e-4, n_envs=8, n_steps=128, n_epochs=4, n_minibatches=1, clip_coef=0.2,
                    vf_coef=1.0, clip_vloss=False, norm_adv=False, max_grad_norm=None, anneal_lr=False, tau=10.0,
                    gamma=0.99, gae_lambda=0.95, adam_eps=1e-8, init="uniform", adversary_entropy=0.0,
                    kl_direction="adversary||partner", update_order="simultaneous", hidden=64, layers=2)
    assert {k: getattr(cfg, k) for k in expected} == expected
    tuned = TrainConfig(algo="srpo")
    assert (tuned.preset, tuned.lr, tuned.n_envs, tuned.n_steps, tuned.norm_adv, tuned.max_grad_norm) == \
        ("tuned", 1e-3, 32, 50, True, 0.5)
    # explicit values win over the preset, and survive a round trip
    mixed = TrainConfig(preset="paper", lr=1e-3, max_grad_norm=0.5, kl_direction="partner||adversary")
    assert (mixed.lr, mixed.max_grad_norm, mixed.n_steps) == (1e-3, 0.5, 128)
    assert TrainConfig.from_dict(mixed.to_dict()) == mixed
    assert TrainConfig(max_grad_norm=None).max_grad_norm is None
    with pytest.raises(ParameterError, match="preset"):
        TrainConfig(preset="fast")
    with pytest.raises(ParameterError, match="kl_direction"):
        TrainConfig(kl_direction="both")
    with pytest.raises(ParameterError, match="update_order"):
        TrainConfig(update_order="random")


def test_paper_initialisation_is_pytorchs_default_uniform():
    cfg = TrainConfig(algo="ippo", preset="paper", device="cpu", total_steps=1024)
    trainer = Trainer(cfg)
    first = trainer.learners["agent0"].actor.net[0]
    bound = 1 / np.sqrt(first.in_features)
    w, b = first.weight.detach(), first.bias.detach()
    assert float(w.abs().max()) <= bound and float(b.abs().max()) <= bound
    assert float(b.abs().max()) > 0.5 * bound          # not zero: not the orthogonal scheme
    assert trainer.learners["agent0"].optimizer.defaults["eps"] == 1e-8


def test_kl_term_in_both_directions():
    rng = np.random.default_rng(0)
    logits = torch.tensor(rng.normal(size=(6, 5)), dtype=torch.float32)
    ref = torch.softmax(torch.tensor(rng.normal(size=(6, 5)), dtype=torch.float32), -1)
    pi = torch.softmax(logits, -1)
    zeros, ones = torch.zeros(6), torch.ones(6)
    common = dict(clip_coef=0.2, vf_coef=0.0, ent_coef=0.0, norm_adv=False, clip_vloss=False, ref_probs=ref,
                  kl_coef=1.0)
    actions = torch.zeros(6, dtype=torch.long)
    logp = torch.log_softmax(logits, -1)[:, 0]
    args = (logits, actions, logp, zeros, ones, zeros, zeros, zeros)
    _, fwd = ppo_loss(*args, kl_direction="adversary||partner", **common)
    _, rev = ppo_loss(*args, kl_direction="partner||adversary", **common)
    expected_fwd = float((pi * (pi.log() - ref.log())).sum(-1).mean())      # KL(phi || pi_partner), eq. 9
    expected_rev = float((ref * (ref.log() - pi.log())).sum(-1).mean())     # KL(pi_partner || phi)
    assert float(fwd["kl_ref"]) == pytest.approx(expected_fwd, rel=1e-5)
    assert float(rev["kl_ref"]) == pytest.approx(expected_rev, rel=1e-5)
    assert abs(expected_fwd - expected_rev) > 1e-3                         # the two really differ here


@pytest.mark.parametrize("order", ["simultaneous", "sequential"])
def test_update_order_decides_which_agent0_adversary1_is_pulled_to(order):
    cfg = TrainConfig(algo="srpo", env="collaborate_defect", total_steps=2 * 64 * 2, n_envs=64, n_steps=2,
                      n_minibatches=1, device="cpu", update_order=order)
    trainer = Trainer(cfg)
    before = {k: v.clone() for k, v in trainer.learners["agent0"].actor.state_dict().items()}
    seen = {}
    original = trainer.learners["adversary1"].kl_reference

    def spy(obs):
        seen["agent0"] = {k: v.clone() for k, v in trainer.learners["agent0"].actor.state_dict().items()}
        return original(obs)

    trainer.learners["adversary1"].kl_reference = spy
    trainer.train_update()
    moved = any(not torch.equal(before[k], seen["agent0"][k]) for k in before)
    assert moved == (order == "sequential")   # the authors' order: adversary 1 sees the updated agent 0


def test_rollouts_of_any_length_bootstrap_the_cut_episode():
    cfg = TrainConfig(algo="ippo", env="cooking", env_kwargs={"horizon": 5}, n_envs=4, n_steps=7, n_minibatches=1,
                      total_steps=2 * 28, device="cpu", gamma=0.9, gae_lambda=1.0)
    trainer = Trainer(cfg)
    match = trainer.plan()[0]
    rollout = trainer.rollout(match)
    assert rollout.dones[:, 0].tolist() == [False, False, False, False, True, False, False]
    batch = trainer.advantages(rollout, match.train[0])
    critic = trainer.learners["agent0"].critics["v"]
    with torch.no_grad():
        v_last = critic(rollout.obs[-1, 0])
        v_next = critic(rollout.next_obs[0])
    adv = batch["adv"].reshape(7, 4)
    np.testing.assert_allclose(adv[-1].numpy(), (rollout.rewards[-1, 0] + 0.9 * v_next - v_last).numpy(), rtol=1e-5,
                               atol=1e-6)
    history = TrainConfig(algo="srpo", preset="paper", env="cooking", total_steps=2 * 1024, device="cpu")
    assert len(Trainer(history).train(progress=False)) == 1     # 128-step rollouts (not a multiple of 50) run


def test_gae_matches_a_hand_computation():
    rewards = torch.tensor([[1.0], [2.0], [3.0]])
    values = torch.tensor([[0.5], [1.0], [1.5]])
    dones = torch.tensor([[False], [True], [False]])
    adv = gae(rewards, values, torch.tensor([2.0]), dones, gamma=0.5, lam=0.5)
    a2 = 3 + 0.5 * 2.0 - 1.5
    a1 = 2 - 1.0                                    # episode ends at step 1: no bootstrap, no carry
    a0 = 1 + 0.5 * 1.0 - 0.5 + 0.25 * a1
    np.testing.assert_allclose(adv[:, 0].numpy(), [a0, a1, a2])


def test_episode_means_leave_out_the_cut_episode():
    T, B = 5, 2
    rewards = torch.zeros(T, 2, B)
    rewards[:, :, :] = 1.0
    dones = torch.zeros(T, B, dtype=torch.bool)
    dones[2] = True                                 # one episode of 3 steps, then 2 steps of a cut one
    z = torch.zeros(1)
    ret, _ = Rollout(z, z, z, z, rewards, torch.zeros_like(rewards), dones, z, z).episode_means()
    assert ret.tolist() == [3.0, 3.0]


def test_every_algorithm_gets_the_same_env_step_budget():
    for total in (10_000, 204_800, 2_000_000):
        for algo in ("ippo", "mappo", "selfplay", "srpo", "adversarial", "fcp", "mep", "trajedi"):
            cfg = TrainConfig(algo=algo, preset="paper", total_steps=total)
            trainer_updates = schedule(cfg)
            from rqe.srpo.algorithms import make_algorithm

            algorithm = make_algorithm(cfg, 2)
            spent = sum(algorithm.rollouts(u) for u in range(trainer_updates)) * cfg.batch_steps
            per_update = max(algorithm.rollouts(u) for u in range(trainer_updates)) * cfg.batch_steps
            assert total - per_update < spent <= max(total, per_update), (algo, total, spent)


def test_cli_preset_paper(tmp_path):
    import argparse

    from rqe.srpo.cli import register

    parser = argparse.ArgumentParser(prog="rqe")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["train", "ippo", "--preset", "paper", "--steps", "1024", "--out", str(tmp_path / "r"),
                              "--no-progress", "--device", "cpu", "--set", "lr=0.0005"])
    assert args.func(args) == 0
    saved = json.loads((tmp_path / "r" / "config.json").read_text())
    assert (saved["preset"], saved["lr"], saved["n_steps"], saved["max_grad_norm"]) == ("paper", 5e-4, 128, None)
