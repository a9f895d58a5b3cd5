"""Rolling out an R-round debate between two language-model policies.

Seat 0 and seat 1 answer every problem of a batch in round 1 from the question alone; in round ``t > 1``
each sees the question, its own completion of round ``t - 1`` and its peer's
(:func:`rqe.srpo.lm.task.debate_prompt`). Every completion is scored with the exact-match reward. This is
the interaction protocol of the SRPO language-model experiment (``docs/rqe-math.md`` section 8; [QZLM]
Sec. 5, App. C).

Example
-------
>>> import numpy as np
>>> from rqe.srpo.lm.policy import TinyTransformerPolicy
>>> from rqe.srpo.lm.task import make_problems
>>> policy = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=0)
>>> problems = make_problems(3, rng=np.random.default_rng(0))
>>> rollout = run_debate((policy, policy), problems, rounds=2, max_new_tokens=4, greedy=True)
>>> rollout.correct.shape
(2, 2, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from rqe.errors import ParameterError
from rqe.srpo.lm.task import Problem, debate_prompt, parse_answer

__all__ = ["DebateRollout", "run_debate"]


@dataclass
class DebateRollout:
    """Everything said in a batch of debates.

    Attributes
    ----------
    problems : list of Problem
        The B problems.
    texts : list
        ``texts[t][s][b]``: the completion of seat ``s`` in round ``t`` (0-based) on problem ``b``.
    answers : ndarray [R, 2, B] of float
        Parsed answers (NaN where the completion is malformed).
    correct : ndarray [R, 2, B] of float
        Exact-match rewards (1.0 correct, 0.0 wrong or malformed).
    generations : list
        ``generations[t][s]``: the :class:`~rqe.srpo.lm.policy.Generation` (token ids, masks, sampling
        log-probabilities) of seat ``s`` in round ``t``.
    """

    problems: list[Problem]
    texts: list[list[list[str]]]
    answers: np.ndarray
    correct: np.ndarray
    generations: list[list[Any]]

    @property
    def rounds(self) -> int:
        return self.correct.shape[0]


def _split(generation: Any, size: int) -> tuple[Any, Any]:
    """Split a generation over 2 * size prompts into the first and second halves."""
    from rqe.srpo.lm.policy import Generation

    halves = []
    for part in (slice(0, size), slice(size, 2 * size)):
        mask = generation.response_mask[part]
        width = max(int(mask.sum(1).max()), 1) if mask.numel() else 1
        prompt_mask = generation.prompt_mask[part]
        first = int((prompt_mask.sum(0) > 0).nonzero()[0]) if prompt_mask.numel() else 0
        halves.append(Generation(generation.prompt_ids[part, first:], prompt_mask[:, first:],
                                 generation.response_ids[part, :width], mask[:, :width],
                                 generation.logprobs[part, :width], generation.texts[part]))
    return halves[0], halves[1]


def run_debate(policies: Sequence[Any], problems: Sequence[Problem], rounds: int = 2, *,
               max_new_tokens: int = 24, temperature: float = 1.0, greedy: bool = False,
               generator: Any = None, max_answer_chars: int = 32) -> DebateRollout:
    """Play an ``rounds``-round debate between ``policies[0]`` (seat 0) and ``policies[1]`` (seat 1).

    Parameters
    ----------
    policies : pair of Policy
        Seat 0 and seat 1. When both are the same object, each round is one batched generation.
    problems : sequence of Problem
        The questions (one debate each).
    rounds : int
        R >= 1.
    max_new_tokens, temperature, greedy, generator
        Passed to ``Policy.generate`` (``generator`` is a ``torch.Generator`` for reproducible sampling).
    max_answer_chars : int
        Previous completions are cut to this many characters in the next round's prompt.

    Returns
    -------
    DebateRollout
    """
    if len(policies) != 2:
        raise ParameterError(f"a debate needs exactly 2 policies, got {len(policies)}")
    if int(rounds) < 1:
        raise ParameterError(f"rounds must be >= 1, got {rounds}")
    problems = list(problems)
    size = len(problems)
    if size == 0:
        raise ParameterError("run_debate needs at least one problem")
    truth = np.array([p.answer for p in problems], dtype=float)
    texts: list[list[list[str]]] = []
    generations: list[list[Any]] = []
    answers = np.full((rounds, 2, size), np.nan)
    options = dict(max_new_tokens=max_new_tokens, temperature=temperature, greedy=greedy, generator=generator)
    for t in range(rounds):
        prompts = []
        for seat in (0, 1):
            if t == 0:
                prompts.append([debate_prompt(p.question) for p in problems])
            else:
                own, peer = texts[t - 1][seat], texts[t - 1][1 - seat]
                prompts.append([debate_prompt(p.question, own[b], peer[b], max_answer_chars=max_answer_chars)
                                for b, p in enumerate(problems)])
        if policies[0] is policies[1]:
            pair = _split(policies[0].generate(prompts[0] + prompts[1], **options), size)
        else:
            pair = tuple(policies[seat].generate(prompts[seat], **options) for seat in (0, 1))
        generations.append(list(pair))
        texts.append([pair[0].texts, pair[1].texts])
        for seat in (0, 1):
            for b, text in enumerate(pair[seat].texts):
                parsed = parse_answer(text)
                answers[t, seat, b] = np.nan if parsed is None else parsed
    correct = (answers == truth[None, None, :]).astype(float)
    return DebateRollout(problems, texts, answers, correct, generations)
