"""Token-level IPPO / SRPO fine-tuning: returns, KL terms, and an end-to-end run on a tiny model."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo.lm.evaluate import cross_play, play, solo_accuracy  # noqa: E402
from rqe.srpo.lm.policy import HFPolicy, TinyTransformerPolicy, load_policy  # noqa: E402
from rqe.srpo.lm.pretrain import PretrainConfig, pretrain, supervised_batch, wrong_solution  # noqa: E402
from rqe.srpo.lm.task import make_problems, parse_answer  # noqa: E402
from rqe.srpo.lm.train import LMTrainConfig, _kl_plan, debate_returns, token_returns, train_lm  # noqa: E402


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def test_returns_three_rounds_discounted():
    # correct[t, agent, b] for one problem: agent 0 right in round 1 only, agent 1 right in rounds 2 and 3
    c = np.array([[1, 0], [0, 1], [0, 1]], dtype=float)[:, :, None]
    g = 0.5
    ippo = debate_returns(c, "ippo", g)[:, :, 0]
    team = [0.5, 0.5, 0.5]
    expected = [team[0] + g * team[1] + g * g * team[2], team[1] + g * team[2], team[2]]
    np.testing.assert_allclose(ippo, np.column_stack([expected, expected]))
    srpo = debate_returns(c, "srpo", g)[:, :, 0]
    np.testing.assert_allclose(srpo[:, 1], [0 + g * 1 + g * g * 1, 1 + g * 1, 1])  # hero: own reward, propagated
    # adversary: reward in round t is minus the hero's reward in round t + 1, propagated back; 0 in the last round
    np.testing.assert_allclose(srpo[:, 0], [-1 + g * -1, -1, 0])
    with pytest.raises(ParameterError):
        debate_returns(c, "mappo")
    with pytest.raises(ParameterError):
        debate_returns(c[:, :1], "ippo")


def test_token_returns_subtract_the_kl_to_go():
    k1 = torch.tensor([[0.1, 0.2, 0.3], [1.0, 0.0, 0.0]])
    mask = torch.tensor([[1, 1, 1], [1, 0, 0]]).float()
    out = token_returns(torch.tensor([1.0, -1.0]), k1, mask, 0.5)
    expected = torch.tensor([[1 - 0.5 * 0.6, 1 - 0.5 * 0.5, 1 - 0.5 * 0.3], [-1 - 0.5, 0.0, 0.0]])
    assert torch.allclose(out, expected)


def test_kl_targets():
    base = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, device="cpu")
    agents = (base.clone(), base.clone())
    ref = base.clone()
    plan = _kl_plan(LMTrainConfig(algorithm="srpo", tau=4.0, ref_kl=0.3), agents, ref)
    assert plan[0][0] is agents[1] and plan[0][1] == 0.25  # adversary: KL(phi || hero), weight 1/tau
    assert plan[1][0] is ref and plan[1][1] == 0.3        # hero: KL to the reference model
    plan = _kl_plan(LMTrainConfig(algorithm="ippo", ref_kl=0.3), agents, ref)
    assert all(target is ref and w == 0.3 for target, w in plan)


@pytest.mark.parametrize("bad", [dict(algorithm="ppo"), dict(tau=0.0), dict(rounds=0), dict(gamma=1.5),
                                 dict(ref_kl=-1.0), dict(lr=0.0), dict(batch_size=0)])
def test_config_validation(bad):
    with pytest.raises(ParameterError):
        LMTrainConfig(**bad)


def test_pretraining_data():
    rng = np.random.default_rng(0)
    problems = make_problems(200, (1, 2, 3), rng=rng)
    for p in problems:
        wrong = wrong_solution(p, rng)
        assert parse_answer(wrong) not in (None, p.answer) and parse_answer(wrong) >= 0
    cfg = PretrainConfig(debate_fraction=1.0, partner_accuracy=0.0, sycophancy=1.0)
    prompts, targets = supervised_batch(problems, cfg, rng)
    # a fully sycophantic target copies the (wrong) peer quoted in the prompt
    for prompt, target in zip(prompts, targets):
        assert "Peer: " + target.strip() in prompt
    prompts, targets = supervised_batch(problems, PretrainConfig(debate_fraction=0.0), rng)
    assert all(t == " " + p.solution for t, p in zip(targets, problems))
    assert all("Peer:" not in q for q in prompts)


def test_pretraining_lowers_the_loss():
    policy = TinyTransformerPolicy.create(d_model=32, n_layers=1, n_heads=2, seed=0, device="cpu")
    result = pretrain(policy, PretrainConfig(steps=40, batch_size=16, lr=3e-3, warmup=5, eval_problems=8))
    assert np.mean(result.losses[-5:]) < 0.6 * np.mean(result.losses[:5])
    assert 0.0 <= result.accuracy <= 1.0 and result.seconds > 0


@pytest.mark.parametrize("algorithm", ["ippo", "srpo"])
def test_end_to_end_tiny(algorithm, tmp_path):
    base = TinyTransformerPolicy.create(d_model=32, n_layers=1, n_heads=2, seed=0, device="cpu")
    pretrain(base, PretrainConfig(steps=10, batch_size=8, eval_problems=4))
    before = [p.detach().clone() for p in base.parameters()]
    config = LMTrainConfig(algorithm=algorithm, iterations=3, batch_size=4, max_new_tokens=12, lr=1e-3,
                           device="cpu", seed=1)
    result = train_lm(base, config)
    assert len(result.history) == 3
    # both agents start as copies of the base, so every KL estimate of the first iteration is exactly 0
    assert abs(result.history[0]["kl_agent0"]) < 1e-5 and abs(result.history[0]["kl_agent1"]) < 1e-5
    for agent in result.agents:
        assert any(not torch.equal(a, b) for a, b in zip(agent.parameters(), before))
    assert all(torch.equal(a, b) for a, b in zip(base.parameters(), before))  # the base is untouched
    assert all(torch.equal(a, b) for a, b in zip(result.reference.parameters(), before))
    problems = make_problems(6, rng=np.random.default_rng(9))
    stats = play(result.agents[0], result.agents[1], problems, rounds=2, max_new_tokens=12)
    assert stats.n_problems == 6
    grid = cross_play([result.hero, base], [base, result.hero], problems, max_new_tokens=12)
    assert grid.joint_accuracy.shape == (2, 2)
    result.save(tmp_path)
    again = load_policy(tmp_path / "agent1", device="cpu")
    assert again.generate(["Q: x\nA:"], 5, greedy=True).texts == result.hero.generate(["Q: x\nA:"], 5,
                                                                                       greedy=True).texts
    assert (tmp_path / "history.json").exists() and (tmp_path / "config.json").exists()


def test_training_is_reproducible():
    base = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=0, device="cpu")
    config = LMTrainConfig(iterations=2, batch_size=3, max_new_tokens=6, device="cpu", seed=5)
    a, b = train_lm(base, config), train_lm(base, config)
    assert a.history == b.history
    assert all(torch.equal(x, y) for x, y in zip(a.hero.parameters(), b.hero.parameters()))


def test_hf_gpt2_end_to_end():
    base = HFPolicy.tiny_gpt2(n_layer=1, n_embd=32, n_head=2, seed=0, device="cpu")
    pretrain(base, PretrainConfig(steps=3, batch_size=4, eval_problems=2))
    result = train_lm(base, LMTrainConfig(algorithm="srpo", iterations=2, batch_size=3, max_new_tokens=8,
                                          device="cpu"))
    assert len(result.history) == 2
    assert 0.0 <= solo_accuracy(result.hero, make_problems(3, rng=np.random.default_rng(0)),
                                max_new_tokens=8) <= 1.0
