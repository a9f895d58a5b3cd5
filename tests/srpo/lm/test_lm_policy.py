"""Policies: the small transformer and the Hugging Face adapter behind one interface."""

import pytest

torch = pytest.importorskip("torch")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo.lm.policy import HFPolicy, Policy, TinyTransformerPolicy, load_policy  # noqa: E402
from rqe.srpo.lm.tokenizer import CharTokenizer  # noqa: E402

PROMPTS = ["Q: Ann has 3 pens and gets 4 more. How many pens does Ann have now?\nA:", "Q: 2?\nA:"]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def tiny(seed=0):
    return TinyTransformerPolicy.create(d_model=32, n_layers=2, n_heads=2, seed=seed, device="cpu")


def gpt2(seed=0):
    return HFPolicy.tiny_gpt2(n_layer=2, n_embd=32, n_head=2, seed=seed, device="cpu")


BACKENDS = {"tiny": tiny, "gpt2": gpt2}


def test_char_tokenizer_round_trip_and_unknown():
    tok = CharTokenizer()
    text = "Q: Jo has 12 cups.\nA: 5*3=15 #### 15"
    assert tok.decode(tok.encode(text)) == text
    assert tok.encode("é") == [tok.unk_id]
    assert tok.decode([tok.bos_id, tok.encode("7")[0], tok.eos_id, tok.pad_id]) == "7"


@pytest.mark.parametrize("backend", BACKENDS)
def test_sampled_log_probs_match_rescoring(backend):
    policy = BACKENDS[backend]()
    gen = policy.generate(PROMPTS, max_new_tokens=6, generator=torch.Generator().manual_seed(3))
    assert gen.response_ids.shape == gen.logprobs.shape == gen.response_mask.shape
    assert gen.prompt_ids.shape[0] == len(gen.texts) == 2
    rescored = policy.log_probs(gen.prompt_ids, gen.prompt_mask, gen.response_ids, gen.response_mask)
    assert torch.allclose(rescored, gen.logprobs, atol=1e-5)
    assert torch.all(rescored[gen.response_mask == 0] == 0)
    assert torch.all(gen.logprobs[gen.response_mask == 1] < 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cached_decoding_equals_recomputation(backend):
    policy = BACKENDS[backend]()
    cached = policy.generate(PROMPTS, max_new_tokens=8, greedy=True)

    class Uncached(type(policy)):
        _step = Policy._step  # the reference implementation: recompute the whole sequence each step

    plain = Uncached.__new__(Uncached)
    plain.__dict__.update(policy.__dict__)
    recomputed = plain.generate(PROMPTS, max_new_tokens=8, greedy=True)
    assert cached.texts == recomputed.texts
    assert torch.allclose(cached.logprobs, recomputed.logprobs, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_left_padding_does_not_change_scores(backend):
    policy = BACKENDS[backend]()
    responses = [" 3+4=7 #### 7", " 1"]
    ids, mask = policy.encode_prompts(PROMPTS)
    rids, rmask = policy.encode_responses(responses)
    together = policy.log_probs(ids, mask, rids, rmask)
    for b in range(2):
        ids1, mask1 = policy.encode_prompts([PROMPTS[b]])
        rids1, rmask1 = policy.encode_responses([responses[b]])
        alone = policy.log_probs(ids1, mask1, rids1, rmask1)
        width = rids1.shape[1]
        assert torch.allclose(alone[0], together[b, :width], atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_save_load_round_trip(backend, tmp_path):
    policy = BACKENDS[backend](seed=4)
    policy.save(tmp_path / "p")
    again = load_policy(tmp_path / "p", device="cpu")
    assert type(again) is type(policy)
    a = policy.generate(PROMPTS, max_new_tokens=5, greedy=True)
    b = again.generate(PROMPTS, max_new_tokens=5, greedy=True)
    assert a.texts == b.texts
    assert torch.allclose(a.logprobs, b.logprobs, atol=1e-6)


def test_hf_directory_without_policy_file_loads(tmp_path):
    policy = gpt2()
    policy.module.save_pretrained(str(tmp_path))
    policy.tokenizer.save(tmp_path)
    again = load_policy(tmp_path, device="cpu")
    assert isinstance(again, HFPolicy)


def test_load_policy_errors(tmp_path):
    with pytest.raises(ParameterError, match="no saved policy"):
        load_policy(tmp_path)
    (tmp_path / "policy.json").write_text('{"kind": "mystery"}')
    with pytest.raises(ParameterError, match="unknown policy kind"):
        load_policy(tmp_path)


def test_clone_is_independent():
    policy = tiny()
    twin = policy.clone()
    with torch.no_grad():
        next(iter(twin.parameters())).add_(1.0)
    assert not torch.equal(next(iter(twin.parameters())), next(iter(policy.parameters())))


def test_generation_arguments_are_checked():
    policy = tiny()
    with pytest.raises(ParameterError):
        policy.generate(PROMPTS, max_new_tokens=0)
    with pytest.raises(ParameterError):
        policy.generate(PROMPTS, temperature=0.0)
    with pytest.raises(ParameterError):
        policy.generate(PROMPTS, max_new_tokens=policy.max_len)


def test_long_prompts_are_cut_from_the_left():
    policy = tiny()
    ids, mask = policy.encode_prompts(["x" * 1000], max_new_tokens=10)
    assert ids.shape[1] == policy.max_len - 10
    assert policy.tokenizer.decode(ids[0].tolist()) == "x" * (policy.max_len - 10)
    gen = policy.generate(["x" * 1000], max_new_tokens=10, greedy=True)
    assert gen.response_ids.shape[1] <= 10
