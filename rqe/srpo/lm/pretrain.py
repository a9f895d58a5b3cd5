"""Supervised pre-training of a policy on worked solutions (the "base model" the debate fine-tuning starts from).

The SRPO language-model experiment fine-tunes pre-trained language models ([QZLM] Sec. 5). A model small
enough for a CPU first has to learn the task: :func:`pretrain` minimises the token-level cross-entropy

    L(theta) = - E_(x, y) [ (1/|y|) sum_j log pi_theta(y_j | x, y_<j) ]

of target completions ``y`` (``"7+5=12 #### 12"`` followed by ``<eos>``) given debate prompts ``x``.
Half the prompts (``debate_fraction``) are later-round prompts quoting two earlier completions, each correct
with probability ``partner_accuracy`` and otherwise a plausible wrong solution (the last result shifted by
1 to 3). The target is the correct solution, except that with probability ``sycophancy`` a wrong peer is
copied: like instruction-tuned language models, the base model can then be talked out of a right answer,
which is what the debate fine-tuning has to cope with (set ``sycophancy=0`` for a base model that ignores
its peer).

Example
-------
>>> p = TinyTransformerPolicy.create(d_model=32, n_layers=1, n_heads=2, seed=0, device="cpu")
>>> result = pretrain(p, PretrainConfig(steps=3, batch_size=8, eval_problems=4))
>>> result.steps, len(result.losses)
(3, 3)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from rqe._optional import require
from rqe.errors import ParameterError
from rqe.srpo.lm.policy import Policy, TinyTransformerPolicy  # noqa: F401  (used in the docstring example)
from rqe.srpo.lm.task import ANSWER_DELIMITER, Problem, debate_prompt, make_problems

torch = require("torch", "srpo", "language-model pre-training")

__all__ = ["PretrainConfig", "PretrainResult", "pretrain", "supervised_batch", "wrong_solution"]


@dataclass(frozen=True)
class PretrainConfig:
    """Hyper-parameters of :func:`pretrain` (defaults reach a useful base model in a few CPU minutes)."""

    steps: int = 2000
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 0.01
    warmup: int = 100
    grad_clip: float = 1.0
    difficulty: tuple[int, ...] = (1,)
    debate_fraction: float = 0.5
    partner_accuracy: float = 0.5
    sycophancy: float = 0.2
    max_answer_chars: int = 32
    seed: int = 0
    eval_problems: int = 200
    eval_every: int = 0  # 0: evaluate only at the end


@dataclass(frozen=True)
class PretrainResult:
    """Outcome of :func:`pretrain`: per-step losses, held-out greedy round-1 accuracy, wall time."""

    losses: tuple[float, ...]
    accuracy: float
    history: tuple[tuple[int, float], ...]
    seconds: float
    steps: int


def wrong_solution(problem: Problem, rng: np.random.Generator) -> str:
    """A plausible wrong worked solution: the last result shifted by 1..3 (kept >= 0).

    Example
    -------
    >>> from rqe.srpo.lm.task import Problem
    >>> wrong_solution(Problem("q", 12, "7+5=12 #### 12", 1), np.random.default_rng(0))  # doctest: +SKIP
    '7+5=14 #### 14'
    """
    delta = int(rng.integers(1, 4)) * (1 if rng.integers(2) else -1)
    wrong = problem.answer + delta if problem.answer + delta >= 0 else problem.answer - delta
    steps = problem.solution.split(f" {ANSWER_DELIMITER}")[0]
    steps = steps[: steps.rfind("=") + 1] + str(wrong)
    return f"{steps} {ANSWER_DELIMITER} {wrong}"


def supervised_batch(problems: list[Problem], config: PretrainConfig,
                     rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Prompts and target completions for one pre-training batch (see the module docstring)."""
    prompts, targets = [], []
    for problem in problems:
        if rng.random() >= config.debate_fraction:
            prompts.append(debate_prompt(problem.question))
            targets.append(" " + problem.solution)
            continue
        own, peer = (problem.solution if rng.random() < config.partner_accuracy else wrong_solution(problem, rng)
                     for _ in range(2))
        prompts.append(debate_prompt(problem.question, own, peer, max_answer_chars=config.max_answer_chars))
        follow = peer != problem.solution and rng.random() < config.sycophancy
        targets.append(" " + (peer if follow else problem.solution))
    return prompts, targets


def _check(config: PretrainConfig) -> None:
    for name in ("steps", "batch_size"):
        if int(getattr(config, name)) < 1:
            raise ParameterError(f"{name} must be >= 1, got {getattr(config, name)}")
    for name in ("debate_fraction", "partner_accuracy", "sycophancy"):
        value = getattr(config, name)
        if not 0.0 <= value <= 1.0:
            raise ParameterError(f"{name} must be in [0, 1], got {value}")
    if not config.lr > 0:
        raise ParameterError(f"lr must be > 0, got {config.lr}")


def pretrain(policy: Policy, config: PretrainConfig = PretrainConfig(), *, log: Any = None) -> PretrainResult:
    """Train ``policy`` in place on worked solutions; return losses and held-out accuracy.

    The learning rate warms up linearly for ``warmup`` steps and then follows a cosine decay to 10 %.
    Problems are drawn fresh every step from ``numpy.random.default_rng(config.seed)``; the held-out
    accuracy (round 1, greedy decoding) uses problems from a different stream (``seed + 10_000``).
    ``log`` is an optional callable receiving one-line progress strings.
    """
    from rqe.srpo.lm.evaluate import solo_accuracy

    _check(config)
    rng = np.random.default_rng(config.seed)
    held_out = make_problems(config.eval_problems, config.difficulty, rng=np.random.default_rng(config.seed + 10_000))
    optimizer = torch.optim.AdamW(policy.parameters(), lr=config.lr, weight_decay=config.weight_decay)

    def rate(step: int) -> float:
        if step < config.warmup:
            return (step + 1) / config.warmup
        progress = (step - config.warmup) / max(1, config.steps - config.warmup)
        return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    losses, history = [], []
    start = time.perf_counter()
    policy.train()
    for step in range(config.steps):
        prompts, targets = supervised_batch(make_problems(config.batch_size, config.difficulty, rng=rng), config, rng)
        prompt_ids, prompt_mask = policy.encode_prompts(prompts)
        response_ids, response_mask = policy.encode_responses(targets)
        logp = policy.log_probs(prompt_ids, prompt_mask, response_ids, response_mask)
        loss = -(logp.sum() / response_mask.sum())
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(policy.parameters()), config.grad_clip)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        if config.eval_every and (step + 1) % config.eval_every == 0 and step + 1 < config.steps:
            history.append((step + 1, solo_accuracy(policy, held_out)))
            policy.train()
            if log is not None:
                log(f"pretrain step {step + 1}: loss {np.mean(losses[-50:]):.4f}, accuracy {history[-1][1]:.3f}")
    accuracy = solo_accuracy(policy, held_out) if held_out else float("nan")
    history.append((config.steps, accuracy))
    policy.eval()
    seconds = time.perf_counter() - start
    if log is not None:
        log(f"pretrain done: {config.steps} steps in {seconds:.1f} s, held-out accuracy {accuracy:.3f}")
    return PretrainResult(tuple(losses), accuracy, tuple(history), seconds, config.steps)
