"""Legal-action masking in the trainer: Hanabi trains, resumes, and no policy ever samples an illegal move."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("pyspiel")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo import TrainConfig, Trainer  # noqa: E402
from rqe.srpo.evaluate import evaluate_pair  # noqa: E402
from rqe.srpo.hanabi import HanabiRuleBot  # noqa: E402
from rqe.srpo.networks import FixedPolicy  # noqa: E402
from rqe.srpo.ppo import mask_logits, ppo_loss  # noqa: E402
from tests.srpo.training_helpers import train_interrupted_and_resumed


def tiny(algo, updates=2, **kw):
    rollouts = {"ippo": 1, "srpo": 2, "mep": 1}[algo]
    base = dict(algo=algo, env="hanabi", env_kwargs={"players": 2}, n_envs=8, n_steps=16, n_epochs=2,
                n_minibatches=2, device="cpu", checkpoint_every=1, population_size=2, population_fraction=0.5,
                memory_every=1)
    base.update(kw)
    return TrainConfig(total_steps=updates * rollouts * 8 * 16, **base)


def _params(trainer):
    return {f"{n}.{k}": v.clone() for n, l in trainer.learners.items() for k, v in l.actor.state_dict().items()}


@pytest.mark.parametrize("algo", ["ippo", "srpo"])
def test_hanabi_trains_checkpoints_and_resumes_bit_for_bit(algo, tmp_path):
    cfg = tiny(algo, updates=3)
    # the env raises on any illegal move: finishing is the proof
    straight, resumed, history = train_interrupted_and_resumed(
        lambda name: Trainer(cfg, out_dir=tmp_path / name), 2)
    assert straight.update == straight.n_updates == 3
    assert all(np.isfinite(v) for m in history for v in m.values())
    assert (tmp_path / "straight" / "policies.pt").exists()

    a, b = _params(straight), _params(resumed)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert (tmp_path / "straight" / "metrics.csv").read_text().count("\n") == \
        (tmp_path / "resumed" / "metrics.csv").read_text().count("\n") == 4


def test_population_algorithm_with_diversity_bonus_trains_on_hanabi():
    trainer = Trainer(tiny("mep", updates=3))
    history = trainer.train(progress=False)
    assert trainer.update == trainer.n_updates and all(np.isfinite(v) for m in history for v in m.values())


@pytest.mark.parametrize("algo", ["ippo", "srpo"])
def test_sampled_actions_lie_in_the_mask_and_log_probabilities_are_masked(algo):
    trainer = Trainer(tiny(algo))
    for match in trainer.plan():
        rollout = trainer.rollout(match)
        masks = rollout.masks                                          # (T, N, B, A)
        assert masks is not None and masks.shape[:3] == rollout.actions.shape
        assert bool(masks.gather(-1, rollout.actions[..., None]).all())
        # the movers did play moves (not only the wait action, the last one)
        assert bool((rollout.actions < masks.shape[-1] - 1).any())
        for job in match.train:
            batch = trainer.advantages(rollout, job)
            actor = trainer.learners[job.learner].actor
            with torch.no_grad():
                logits = mask_logits(actor(batch["obs"]), batch["mask"])
            probs = torch.softmax(logits, -1)
            assert torch.isfinite(logits).all()
            np.testing.assert_allclose(probs.sum(-1).numpy(), 1.0, rtol=1e-6)
            np.testing.assert_allclose((probs * batch["mask"]).sum(-1).numpy(), 1.0, rtol=1e-6)
            assert float(probs[~batch["mask"]].max()) == 0.0
            # the stored log-probabilities are those of the masked policy the update differentiates
            np.testing.assert_allclose(batch["logp"].numpy(), torch.log_softmax(logits, -1).gather(
                -1, batch["actions"][:, None])[:, 0].numpy(), rtol=1e-5, atol=1e-6)
            # a non-mover has one legal action (wait): log-probability 0
            single = batch["mask"].sum(-1) == 1
            assert bool(single.any()) and float(batch["logp"][single].abs().max()) < 1e-6
            learner = trainer.learners[job.learner]
            if learner.kl_reference is not None:                        # SRPO's adversary: a masked reference
                ref = learner.kl_reference(batch["obs"], batch["mask"])
                assert float(ref[~batch["mask"]].max()) == 0.0
                np.testing.assert_allclose(ref.sum(-1).numpy(), 1.0, rtol=1e-6)


def test_masked_ppo_loss_is_finite_and_its_entropy_counts_legal_actions_only():
    logits = torch.zeros(2, 4, requires_grad=True)
    mask = torch.tensor([[True, True, False, False], [False, False, False, True]])
    zeros = torch.zeros(2)
    loss, stats = ppo_loss(logits, torch.tensor([1, 3]), torch.log(torch.tensor([0.5, 1.0])), torch.tensor([1.0, -1.0]),
                           torch.ones(2), zeros, zeros, zeros, clip_coef=0.2, vf_coef=0.5, ent_coef=0.1,
                           norm_adv=False, clip_vloss=False, ref_probs=torch.tensor([[0.5, 0.5, 0, 0], [0, 0, 0, 1.0]]),
                           kl_coef=1.0, mask=mask)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(logits.grad).all()
    assert float(logits.grad[~mask].abs().max()) == 0.0                 # no gradient reaches an illegal action
    np.testing.assert_allclose(float(stats["entropy"]), 0.5 * np.log(2), rtol=1e-6)
    assert abs(float(stats["kl_ref"])) < 1e-6 and abs(float(stats["approx_kl"])) < 1e-6


def test_evaluation_on_hanabi_plays_one_masked_episode_per_copy():
    # uniform over all 17 actions and an always-wait partner: unmasked, both would play illegal moves
    env_kwargs = {"players": 2}
    from rqe.srpo.hanabi import Hanabi

    bot = HanabiRuleBot(Hanabi(1, players=2).layout)
    for pair in ([FixedPolicy(17), FixedPolicy(17, action=16)], [bot, bot]):
        result = evaluate_pair(pair, env="hanabi", env_kwargs=env_kwargs, episodes=6, seed=3)
        assert result.episodes == 6 and result.returns.shape == (2,)
        assert result.returns[0] == result.returns[1]                   # a shared reward
        assert 0.0 <= result.returns[0] <= 9.0                          # an episode's return is its final score


def test_batched_population_refuses_masked_environments():
    from rqe.srpo.population import PopulationTrainer

    with pytest.raises(ParameterError, match="legal-action masks"):
        PopulationTrainer(tiny("ippo"), seeds=[0, 1])


def test_crossplay_of_trained_hanabi_runs(tmp_path):
    from rqe.srpo.evaluate import crossplay

    for seed in (0, 1):
        Trainer(tiny("ippo", updates=1, seed=seed), out_dir=tmp_path / f"ippo{seed}").train(progress=False)
    result = crossplay([tmp_path], episodes=4)
    team = np.asarray(result["team_return"])
    assert team.shape == (2, 2) and np.all((0.0 <= team) & (team <= 9.0))
    assert all(0.0 <= s[k] <= 9.0 for s in result["solo"] for k in ("idle", "random"))


@pytest.mark.parametrize("direction", ["adversary||partner", "partner||adversary"])
def test_masked_loss_gradients_stay_finite_with_large_kl_and_entropy_coefficients(direction):
    # the paper's Hanabi setting tau = 0.01 puts 1/tau = 100 on the KL term; illegal log-probabilities are about
    # -1.7e38, so a coefficient times them must never reach the backward pass
    logits = torch.randn(4, 5, generator=torch.Generator().manual_seed(0), requires_grad=True)
    mask = torch.tensor([[True, True, False, False, False]] * 2 + [[False, False, False, True, True]] * 2)
    ref = torch.softmax(mask_logits(torch.zeros(4, 5), mask), -1)
    zeros = torch.zeros(4)
    loss, stats = ppo_loss(logits, torch.tensor([0, 1, 3, 4]), torch.log(torch.full((4,), 0.5)), torch.ones(4),
                           torch.ones(4), zeros, zeros, zeros, clip_coef=0.2, vf_coef=0.5, ent_coef=100.0,
                           norm_adv=False, clip_vloss=False, ref_probs=ref, kl_coef=100.0, kl_direction=direction,
                           mask=mask)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(logits.grad).all()
    assert float(logits.grad[~mask].abs().max()) == 0.0
    assert all(torch.isfinite(v).all() for v in stats.values())
