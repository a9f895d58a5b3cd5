"""Language-model policies behind one interface: a small causal transformer and a Hugging Face adapter.

A policy maps a prompt to a distribution over completions, token by token. The SRPO language-model trainer
(``docs/rqe-math.md`` section 8; [QZLM] Sec. 5) needs three operations from it, the same for any model size:

* ``generate(prompts, ...)`` samples (or greedily decodes) completions and records the log-probability of
  every sampled token, ``log pi(y_j | x, y_<j)``;
* ``log_probs(prompt_ids, prompt_mask, response_ids, response_mask)`` recomputes those log-probabilities
  (with gradients) for given tokens, under this policy or under another one (the KL terms need the
  partner's and the reference model's log-probabilities on the same tokens);
* ``save(directory)`` and :func:`load_policy` (or ``Policy.load``) for checkpoints.

Sequences are laid out as a left-padded prompt followed by a right-padded response; position ids count
only real tokens, so padding never shifts positions. :class:`TinyTransformerPolicy` is a pre-LayerNorm GPT
with a :class:`~rqe.srpo.lm.tokenizer.CharTokenizer`; :class:`HFPolicy` wraps any causal LM of
``transformers`` (a local model directory, or :meth:`HFPolicy.tiny_gpt2` initialised locally: nothing is
ever downloaded).

Example
-------
>>> policy = TinyTransformerPolicy.create(d_model=32, n_layers=1, n_heads=2, seed=0)
>>> out = policy.generate(["Q: 1+1?\\nA:"], max_new_tokens=4, generator=torch.Generator().manual_seed(0))
>>> out.response_ids.shape[0], len(out.texts)
(1, 1)
"""

from __future__ import annotations

import copy
import inspect
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from rqe._optional import require
from rqe._files import make_folder
from rqe.errors import ParameterError
from rqe.srpo.lm.tokenizer import CharTokenizer, HFTokenizer, load_tokenizer

torch = require("torch", "srpo", "language-model policies")
nn = torch.nn
F = torch.nn.functional

__all__ = [
    "Generation",
    "Policy",
    "TinyTransformerConfig",
    "TinyTransformerPolicy",
    "HFPolicy",
    "load_policy",
    "resolve_device",
]

_POLICY_FILE = "policy.json"


def resolve_device(device: str | Any = "auto") -> Any:
    """``"auto"`` gives CUDA when available, else the CPU; anything else is passed to ``torch.device``."""
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


@dataclass
class Generation:
    """Completions of a batch of prompts, with the token-level record a policy gradient needs.

    Attributes
    ----------
    prompt_ids, prompt_mask : Tensor [B, P]
        Left-padded prompt tokens (starting with ``<bos>``) and their mask (1 = real token).
    response_ids, response_mask : Tensor [B, T]
        Right-padded sampled tokens, the final ``<eos>`` included when it was produced, and their mask.
    logprobs : Tensor [B, T]
        ``log pi(y_j | x, y_<j)`` of each sampled token under the sampling distribution (0 on padding).
    texts : list of str
        The decoded completions (up to, not including, ``<eos>``).
    """

    prompt_ids: Any
    prompt_mask: Any
    response_ids: Any
    response_mask: Any
    logprobs: Any
    texts: list[str]


def _positions(mask: Any) -> Any:
    return (mask.long().cumsum(-1) - 1).clamp(min=0)


class Policy:
    """Common interface and the generation / scoring loops shared by every backend.

    Subclasses set ``self.tokenizer``, ``self.module`` (an ``nn.Module``), ``self.device``, ``self.max_len``
    and implement ``_forward(ids, mask) -> logits [B, L, V]`` and ``save(directory)``.
    """

    tokenizer: Any
    module: Any
    device: Any
    max_len: int

    # --- backend hooks -------------------------------------------------------------------------------
    def _forward(self, ids: Any, mask: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _step(self, ids: Any, mask: Any, cache: Any) -> tuple[Any, Any]:
        """Logits of the new tokens ``ids`` given a cache of the earlier ones (``mask`` covers both).

        The default recomputes everything (no cache); backends override it with key/value caching."""
        if cache is None:
            cache = (ids, )
        else:
            cache = (torch.cat([cache[0], ids], dim=1), )
        return self._forward(cache[0], mask)[:, -ids.shape[1]:], cache

    def save(self, directory: str | Path) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def load(cls, directory: str | Path, device: str = "auto") -> "Policy":
        """Load a policy saved with ``save`` (dispatches on the saved kind)."""
        return load_policy(directory, device=device)

    # --- shared --------------------------------------------------------------------------------------
    def parameters(self):
        return self.module.parameters()

    def train(self, mode: bool = True) -> "Policy":
        self.module.train(mode)
        return self

    def eval(self) -> "Policy":
        return self.train(False)

    def clone(self) -> "Policy":
        """An independent copy (parameters copied, tokenizer shared)."""
        twin = copy.copy(self)
        twin.module = copy.deepcopy(self.module)
        return twin

    def to(self, device: str | Any) -> "Policy":
        self.device = resolve_device(device)
        self.module.to(self.device)
        return self

    def encode_prompts(self, prompts: Sequence[str], max_new_tokens: int = 0) -> tuple[Any, Any]:
        """Left-padded ``<bos>`` + prompt tokens and mask; long prompts keep their last tokens so that
        prompt plus ``max_new_tokens`` fits in ``max_len``."""
        keep = self.max_len - int(max_new_tokens)
        if keep < 2:
            raise ParameterError(f"max_new_tokens={max_new_tokens} leaves no room for a prompt (max_len={self.max_len})")
        rows = []
        for text in prompts:
            ids = [self.tokenizer.bos_id] + self.tokenizer.encode(text)
            rows.append(ids[-keep:])
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.tokenizer.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for b, row in enumerate(rows):
            ids[b, width - len(row):] = torch.tensor(row, dtype=torch.long)
            mask[b, width - len(row):] = 1
        return ids.to(self.device), mask.to(self.device)

    def encode_responses(self, responses: Sequence[str]) -> tuple[Any, Any]:
        """Right-padded response tokens followed by ``<eos>``, and their mask (for supervised targets)."""
        rows = [self.tokenizer.encode(text) + [self.tokenizer.eos_id] for text in responses]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.tokenizer.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for b, row in enumerate(rows):
            ids[b, :len(row)] = torch.tensor(row, dtype=torch.long)
            mask[b, :len(row)] = 1
        return ids.to(self.device), mask.to(self.device)

    @torch.no_grad()
    def generate(self, prompts: Sequence[str], max_new_tokens: int = 24, *, temperature: float = 1.0,
                 greedy: bool = False, generator: Any = None) -> Generation:
        """Sample completions of ``prompts`` token by token until ``<eos>`` or ``max_new_tokens``.

        Token ``y_j`` is drawn from ``softmax(logits / temperature)`` (or the arg-max when ``greedy``); its
        log-probability under that distribution is recorded in ``Generation.logprobs``.

        Example
        -------
        >>> p = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=1)
        >>> g = p.generate(["Q: 2?\\nA:", "Q: 10?\\nA:"], max_new_tokens=3, greedy=True)
        >>> tuple(g.response_ids.shape)[0], bool((g.logprobs <= 0).all())
        (2, True)
        """
        if max_new_tokens < 1:
            raise ParameterError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
        if not greedy and not temperature > 0:
            raise ParameterError(f"temperature must be > 0 when sampling, got {temperature}")
        was_training = self.module.training
        self.module.eval()
        prompt_ids, prompt_mask = self.encode_prompts(prompts, max_new_tokens)
        batch = prompt_ids.shape[0]
        pad, eos = self.tokenizer.pad_id, self.tokenizer.eos_id
        response = torch.full((batch, max_new_tokens), pad, dtype=torch.long, device=self.device)
        response_mask = torch.zeros((batch, max_new_tokens), dtype=torch.long, device=self.device)
        logprobs = torch.zeros((batch, max_new_tokens), dtype=torch.float32, device=self.device)
        done = torch.zeros(batch, dtype=torch.bool, device=self.device)
        mask = prompt_mask
        logits, cache = self._step(prompt_ids, mask, None)
        steps = 0
        for step in range(max_new_tokens):
            logits = logits[:, -1].float()
            if greedy:
                token = logits.argmax(-1)
                logp = torch.log_softmax(logits, -1).gather(-1, token[:, None]).squeeze(-1)
            else:
                scaled = torch.log_softmax(logits / temperature, -1)
                token = torch.multinomial(scaled.exp(), 1, generator=generator).squeeze(-1)
                logp = scaled.gather(-1, token[:, None]).squeeze(-1)
            active = ~done
            response[:, step] = torch.where(active, token, torch.full_like(token, pad))
            response_mask[:, step] = active.long()
            logprobs[:, step] = torch.where(active, logp, torch.zeros_like(logp))
            done = done | (token == eos)
            steps = step + 1
            if bool(done.all()) or steps == max_new_tokens:
                break
            mask = torch.cat([mask, active.long()[:, None]], dim=1)
            logits, cache = self._step(response[:, step:step + 1], mask, cache)
        self.module.train(was_training)
        response, response_mask, logprobs = response[:, :steps], response_mask[:, :steps], logprobs[:, :steps]
        texts = []
        for row, row_mask in zip(response.tolist(), response_mask.tolist()):
            tokens = [t for t, m in zip(row, row_mask) if m and t != eos]
            texts.append(self.tokenizer.decode(tokens))
        return Generation(prompt_ids, prompt_mask, response, response_mask, logprobs, texts)

    def log_probs(self, prompt_ids: Any, prompt_mask: Any, response_ids: Any, response_mask: Any,
                  *, with_entropy: bool = False) -> Any:
        """``log pi(y_j | x, y_<j)`` for each response token ``y_j`` (0 on padding), with gradients.

        Returns a tensor [B, T]; with ``with_entropy`` a pair (log-probs, per-token entropies of the
        policy's next-token distribution).

        Example
        -------
        >>> p = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=0)
        >>> g = p.generate(["Q: 3?\\nA:"], max_new_tokens=3, generator=torch.Generator().manual_seed(0))
        >>> lp = p.log_probs(g.prompt_ids, g.prompt_mask, g.response_ids, g.response_mask)
        >>> bool(torch.allclose(lp, g.logprobs, atol=1e-5))
        True
        """
        ids = torch.cat([prompt_ids, response_ids], dim=1)
        mask = torch.cat([prompt_mask, response_mask], dim=1)
        logits = self._forward(ids, mask)
        start = prompt_ids.shape[1]
        log_dist = torch.log_softmax(logits[:, start - 1:-1].float(), -1)
        values = log_dist.gather(-1, response_ids[..., None]).squeeze(-1) * response_mask
        if not with_entropy:
            return values
        entropy = -(log_dist.exp() * log_dist).sum(-1) * response_mask
        return values, entropy


# --- the in-project small transformer ------------------------------------------------------------------

@dataclass(frozen=True)
class TinyTransformerConfig:
    """Sizes of :class:`TinyTransformerPolicy` (a pre-LayerNorm GPT with tied input/output embeddings)."""

    vocab_size: int = 100
    d_model: int = 128
    n_layers: int = 3
    n_heads: int = 4
    max_len: int = 256
    dropout: float = 0.0


class _Block(nn.Module):
    def __init__(self, cfg: TinyTransformerConfig):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(),
                                 nn.Linear(4 * cfg.d_model, cfg.d_model))
        self.dropout = cfg.dropout

    def forward(self, x: Any, attn_mask: Any, past: Any = None) -> tuple[Any, Any]:
        batch, length, width = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(width, dim=-1)
        shape = (batch, length, self.n_heads, width // self.n_heads)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask,
                                                  dropout_p=self.dropout if self.training else 0.0)
        x = x + self.proj(attended.transpose(1, 2).reshape(batch, length, width))
        return x + self.mlp(self.ln2(x)), (k, v)


class CausalTransformer(nn.Module):
    """Token and position embeddings, ``n_layers`` causal self-attention blocks, a tied output head."""

    def __init__(self, cfg: TinyTransformerConfig):
        super().__init__()
        if cfg.d_model % cfg.n_heads:
            raise ParameterError(f"d_model={cfg.d_model} must be a multiple of n_heads={cfg.n_heads}")
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_len, cfg.d_model)
        self.blocks = nn.ModuleList(_Block(cfg) for _ in range(cfg.n_layers))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.head.weight = self.tok.weight
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
                if getattr(module, "bias", None) is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, ids: Any, mask: Any, cache: Any = None) -> tuple[Any, Any]:
        """Logits of the new tokens ``ids`` [B, L_new] and the key/value cache.

        ``mask`` [B, L_total] covers the cached tokens followed by the new ones (1 = real token)."""
        new, total = ids.shape[1], mask.shape[1]
        past = total - new
        if total > self.cfg.max_len:
            raise ParameterError(f"sequence of {total} tokens exceeds max_len={self.cfg.max_len}")
        x = self.tok(ids) + self.pos(_positions(mask)[:, past:])
        causal = torch.ones(total, total, dtype=torch.bool, device=ids.device).tril()[past:]
        allowed = causal[None] & mask.bool()[:, None, :]
        # a padded query would attend to nothing (NaN); let every position see itself
        allowed = allowed | torch.eye(total, dtype=torch.bool, device=ids.device)[past:][None]
        layers = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, allowed[:, None], None if cache is None else cache[i])
            layers.append(kv)
        return self.head(self.ln(x)), layers


class TinyTransformerPolicy(Policy):
    """A small causal transformer over characters: the in-project policy for CPU-sized experiments.

    Example
    -------
    >>> p = TinyTransformerPolicy.create(d_model=32, n_layers=2, n_heads=4, seed=0)
    >>> sum(t.numel() for t in p.parameters()) > 0
    True
    """

    def __init__(self, module: CausalTransformer, tokenizer: CharTokenizer, device: str | Any = "auto"):
        self.module = module
        self.tokenizer = tokenizer
        self.max_len = module.cfg.max_len
        self.device = resolve_device(device)
        self.module.to(self.device)

    @classmethod
    def create(cls, *, d_model: int = 128, n_layers: int = 3, n_heads: int = 4, max_len: int = 256,
               dropout: float = 0.0, seed: int = 0, tokenizer: CharTokenizer | None = None,
               device: str | Any = "auto") -> "TinyTransformerPolicy":
        """A freshly initialised policy; ``seed`` fixes the initial weights (global RNG state untouched)."""
        tokenizer = tokenizer if tokenizer is not None else CharTokenizer()
        cfg = TinyTransformerConfig(vocab_size=tokenizer.vocab_size, d_model=d_model, n_layers=n_layers,
                                    n_heads=n_heads, max_len=max_len, dropout=dropout)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            module = CausalTransformer(cfg)
        return cls(module, tokenizer, device)

    def _forward(self, ids: Any, mask: Any) -> Any:
        return self.module(ids, mask)[0]

    def _step(self, ids: Any, mask: Any, cache: Any) -> tuple[Any, Any]:
        return self.module(ids, mask, cache)

    def save(self, directory: str | Path) -> None:
        """Write ``policy.json`` (kind and sizes), ``model.pt`` (state dict) and the tokenizer."""
        from rqe._files import atomic_write, write_text

        path = make_folder(directory)
        with atomic_write(path / "model.pt", "wb") as handle:
            torch.save(self.module.state_dict(), handle)
        self.tokenizer.save(path)
        write_text(path / _POLICY_FILE, json.dumps({"kind": "tiny", "config": asdict(self.module.cfg)}))

    @classmethod
    def _load(cls, path: Path, meta: dict, device: str | Any) -> "TinyTransformerPolicy":
        module = CausalTransformer(TinyTransformerConfig(**meta["config"]))
        module.load_state_dict(torch.load(path / "model.pt", map_location="cpu", weights_only=True))
        return cls(module, load_tokenizer(path), device)


# --- Hugging Face transformers --------------------------------------------------------------------------

class HFPolicy(Policy):
    """Adapter for a ``transformers`` causal language model (``AutoModelForCausalLM``).

    Use :meth:`from_pretrained` for a model directory in Hugging Face format (read with
    ``local_files_only=True``) or :meth:`tiny_gpt2` for a small GPT-2 initialised locally. The tokenizer
    may be the in-project :class:`CharTokenizer` (then the model's vocabulary must match it) or a Hugging
    Face tokenizer wrapped in :class:`HFTokenizer`.

    Example
    -------
    >>> import os; os.environ.setdefault("HF_HUB_OFFLINE", "1")  # doctest: +ELLIPSIS
    '...'
    >>> p = HFPolicy.tiny_gpt2(n_layer=1, n_embd=16, n_head=2, seed=0)
    >>> len(p.generate(["Q: 1?\\nA:"], max_new_tokens=2, greedy=True).texts)
    1
    """

    def __init__(self, model: Any, tokenizer: CharTokenizer | HFTokenizer, device: str | Any = "auto",
                 max_len: int | None = None):
        self.module = model
        self.tokenizer = tokenizer
        limit = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
        self.max_len = int(max_len or limit or 1024)
        self.device = resolve_device(device)
        self.module.to(self.device)

    @classmethod
    def tiny_gpt2(cls, *, tokenizer: CharTokenizer | None = None, n_layer: int = 2, n_embd: int = 64,
                  n_head: int = 4, n_positions: int = 256, seed: int = 0,
                  device: str | Any = "auto") -> "HFPolicy":
        """A GPT-2 of the given sizes, randomly initialised here (no download), over a character vocabulary."""
        transformers = require("transformers", "lm", "the Hugging Face policy adapter")
        tokenizer = tokenizer if tokenizer is not None else CharTokenizer()
        config = transformers.GPT2Config(vocab_size=tokenizer.vocab_size, n_positions=n_positions, n_embd=n_embd,
                                         n_layer=n_layer, n_head=n_head, bos_token_id=tokenizer.bos_id,
                                         eos_token_id=tokenizer.eos_id, pad_token_id=tokenizer.pad_id,
                                         resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            model = transformers.GPT2LMHeadModel(config)
        return cls(model, tokenizer, device)

    @classmethod
    def from_pretrained(cls, directory: str | Path, device: str | Any = "auto") -> "HFPolicy":
        """Load a causal LM and its tokenizer from a local directory in Hugging Face format."""
        transformers = require("transformers", "lm", "the Hugging Face policy adapter")
        model = transformers.AutoModelForCausalLM.from_pretrained(str(directory), local_files_only=True)
        return cls(model, load_tokenizer(directory), device)

    def _forward(self, ids: Any, mask: Any) -> Any:
        return self.module(input_ids=ids, attention_mask=mask, position_ids=_positions(mask)).logits

    def _step(self, ids: Any, mask: Any, cache: Any) -> tuple[Any, Any]:
        positions = _positions(mask)[:, mask.shape[1] - ids.shape[1]:]
        # recent transformers name the key/value cache ``cache``; older ones ``past_key_values``
        name = "cache" if "cache" in inspect.signature(self.module.forward).parameters else "past_key_values"
        out = self.module(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                          **{name: cache})
        return out.logits, getattr(out, name)

    def save(self, directory: str | Path) -> None:
        """Write the model with ``save_pretrained``, the tokenizer, and ``policy.json``."""
        from rqe._files import write_text
        from rqe.srpo.lm.tokenizer import save_through_scratch

        path = make_folder(directory)
        save_through_scratch(path, self.module.save_pretrained)
        self.tokenizer.save(path)
        write_text(path / _POLICY_FILE, json.dumps({"kind": "hf"}))

    @classmethod
    def _load(cls, path: Path, meta: dict, device: str | Any) -> "HFPolicy":
        return cls.from_pretrained(path, device)


def load_policy(directory: str | Path, device: str | Any = "auto") -> Policy:
    """Load a policy saved by ``save`` (or any Hugging Face causal-LM directory).

    Example
    -------
    >>> import tempfile
    >>> p = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=0)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p.save(d)
    ...     q = load_policy(d)
    >>> all(bool(torch.equal(a, b)) for a, b in zip(p.parameters(), q.parameters()))
    True
    """
    from rqe.errors import FileFormatError, RQEError

    path = Path(directory)
    meta_file = path / _POLICY_FILE
    if meta_file.exists():
        try:
            meta = json.loads(meta_file.read_text())
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"unreadable policy description ({exc})", path=str(meta_file)) from exc
        kinds = {"tiny": TinyTransformerPolicy, "hf": HFPolicy}
        if not isinstance(meta, dict) or meta.get("kind") not in kinds:
            raise ParameterError(f"unknown policy kind in {meta_file}")
        try:
            return kinds[meta["kind"]]._load(path, meta, device)
        except RQEError:
            raise
        except Exception as exc:  # a truncated or foreign model file: torch and transformers raise many types
            raise FileFormatError(f"cannot load the saved policy ({type(exc).__name__}: {exc})",
                                  path=str(path)) from exc
    if (path / "config.json").exists():
        return HFPolicy.from_pretrained(path, device)
    raise ParameterError(f"{path} holds no saved policy (no {_POLICY_FILE} or config.json)")
