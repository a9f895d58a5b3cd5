"""Evaluating debating language-model teams: accuracy, cross-play and debate diagnostics.

The SRPO evaluation protocol (``docs/rqe-math.md`` section 8; [QZLM] Sec. 5): a trained agent is scored with
the partner it was trained with (self-play), with partners from other runs, seeds or algorithms
(cross-play), and with an untrained partner (the base model). The team's score is the *joint accuracy*:
the fraction of problems on which both agents' final-round answers are exactly right. Diagnostics of the
debate itself:

* agreement: both final answers parse and are equal;
* flip rate: over rounds ``t >= 2`` and both seats, how often an agent's answer differs from its own answer
  of round ``t - 1`` (two malformed answers count as equal);
* talked out: among agents that were right in round ``t - 1`` while their peer gave a different answer,
  the fraction that are wrong in round ``t``.

Evaluation decodes greedily by default, so a score is a deterministic function of the policies and
problems.

Example
-------
>>> import numpy as np
>>> from rqe.srpo.lm.policy import TinyTransformerPolicy
>>> from rqe.srpo.lm.task import make_problems
>>> p = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=0)
>>> stats = play(p, p, make_problems(4, rng=np.random.default_rng(0)), rounds=2, max_new_tokens=3)
>>> 0.0 <= stats.joint_accuracy <= 1.0
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from rqe.srpo.lm.debate import run_debate
from rqe.srpo.lm.task import Problem, debate_prompt, parse_answer

__all__ = ["DebateStats", "debate_stats", "play", "solo_accuracy", "CrossPlayResult", "cross_play"]


@dataclass(frozen=True)
class DebateStats:
    """Scores of a batch of debates between a seat-0 and a seat-1 policy.

    Attributes
    ----------
    joint_accuracy : float
        Both seats exactly right in the final round.
    accuracy : tuple of float
        Final-round accuracy of seat 0 and of seat 1.
    round_accuracy : ndarray [R, 2]
        Accuracy of each seat in each round.
    agreement, flip_rate, talked_out : float
        See the module docstring (``talked_out`` is NaN when no agent was ever in that situation).
    talked_out_cases : int
        Number of (agent, round, problem) triples the ``talked_out`` rate is computed over.
    malformed : float
        Fraction of all completions that do not parse.
    n_problems : int
    """

    joint_accuracy: float
    accuracy: tuple[float, float]
    round_accuracy: np.ndarray = field(repr=False)
    agreement: float
    flip_rate: float
    talked_out: float
    talked_out_cases: int
    malformed: float
    n_problems: int

    def as_dict(self) -> dict:
        return {"joint_accuracy": self.joint_accuracy, "accuracy": list(self.accuracy),
                "round_accuracy": self.round_accuracy.tolist(), "agreement": self.agreement,
                "flip_rate": self.flip_rate, "talked_out": self.talked_out,
                "talked_out_cases": self.talked_out_cases, "malformed": self.malformed,
                "n_problems": self.n_problems}


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


def debate_stats(answers: np.ndarray, correct: np.ndarray) -> DebateStats:
    """Scores and diagnostics from parsed ``answers`` and rewards ``correct``, both [R, 2, B].

    Example
    -------
    >>> answers = np.array([[[3., 5.]], [[3., 3.]]]).transpose(0, 2, 1)  # rounds x seats x problems
    >>> answers.shape
    (2, 2, 1)
    >>> s = debate_stats(answers, (answers == 3).astype(float))
    >>> s.joint_accuracy, s.agreement, s.flip_rate, s.talked_out
    (1.0, 1.0, 0.5, 0.0)
    """
    answers = np.asarray(answers, dtype=float)
    correct = np.asarray(correct, dtype=float)
    rounds, _, size = correct.shape
    final = answers[-1]
    agreement = float(np.mean(~np.isnan(final[0]) & (final[0] == final[1])))
    if rounds > 1:
        flips = ~_same(answers[1:], answers[:-1])
        flip_rate = float(flips.mean())
        peer_previous = answers[:-1, ::-1]
        at_risk = (correct[:-1] == 1.0) & ~_same(peer_previous, answers[:-1])
        cases = int(at_risk.sum())
        talked_out = float(np.mean(correct[1:][at_risk] == 0.0)) if cases else float("nan")
    else:
        flip_rate, talked_out, cases = 0.0, float("nan"), 0
    return DebateStats(
        joint_accuracy=float(np.mean(correct[-1].min(axis=0))),
        accuracy=(float(correct[-1, 0].mean()), float(correct[-1, 1].mean())),
        round_accuracy=correct.mean(axis=2),
        agreement=agreement,
        flip_rate=flip_rate,
        talked_out=talked_out,
        talked_out_cases=cases,
        malformed=float(np.isnan(answers).mean()),
        n_problems=size,
    )


def play(seat0: Any, seat1: Any, problems: Sequence[Problem], rounds: int = 2, *, greedy: bool = True,
         max_new_tokens: int = 24, temperature: float = 1.0, generator: Any = None,
         max_answer_chars: int = 32, batch_size: int = 256) -> DebateStats:
    """Debate every problem once with ``seat0`` and ``seat1`` (in chunks of ``batch_size``) and score it."""
    answers, correct = [], []
    problems = list(problems)
    for start in range(0, len(problems), batch_size):
        rollout = run_debate((seat0, seat1), problems[start:start + batch_size], rounds,
                             max_new_tokens=max_new_tokens, temperature=temperature, greedy=greedy,
                             generator=generator, max_answer_chars=max_answer_chars)
        answers.append(rollout.answers)
        correct.append(rollout.correct)
    return debate_stats(np.concatenate(answers, axis=2), np.concatenate(correct, axis=2))


def solo_accuracy(policy: Any, problems: Sequence[Problem], *, greedy: bool = True, max_new_tokens: int = 24,
                  batch_size: int = 256) -> float:
    """Round-1 accuracy of one policy alone (no debate) on ``problems``."""
    problems = list(problems)
    hits = 0
    for start in range(0, len(problems), batch_size):
        chunk = problems[start:start + batch_size]
        out = policy.generate([debate_prompt(p.question) for p in chunk], max_new_tokens, greedy=greedy)
        hits += sum(parse_answer(text) == p.answer for text, p in zip(out.texts, chunk))
    return hits / len(problems) if problems else float("nan")


@dataclass(frozen=True)
class CrossPlayResult:
    """Joint accuracy of every agent (seat 1, rows) with every partner (seat 0, columns).

    ``stats[i][j]`` holds the full :class:`DebateStats` of agent ``i`` with partner ``j``.
    """

    joint_accuracy: np.ndarray
    stats: tuple[tuple[DebateStats, ...], ...] = field(repr=False)
    agent_names: tuple[str, ...]
    partner_names: tuple[str, ...]


def cross_play(agents: Sequence[Any], partners: Sequence[Any], problems: Sequence[Problem], rounds: int = 2, *,
               agent_names: Sequence[str] | None = None, partner_names: Sequence[str] | None = None,
               **options: Any) -> CrossPlayResult:
    """Play every agent (seat 1) with every partner (seat 0) on the same problems; ``options`` go to :func:`play`.

    Example
    -------
    >>> import numpy as np
    >>> from rqe.srpo.lm.policy import TinyTransformerPolicy
    >>> from rqe.srpo.lm.task import make_problems
    >>> ps = [TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=s) for s in (0, 1)]
    >>> cross_play(ps, ps, make_problems(2, rng=np.random.default_rng(0)), max_new_tokens=2).joint_accuracy.shape
    (2, 2)
    """
    grid = [[play(partner, agent, problems, rounds, **options) for partner in partners] for agent in agents]
    matrix = np.array([[s.joint_accuracy for s in row] for row in grid])
    return CrossPlayResult(
        joint_accuracy=matrix,
        stats=tuple(tuple(row) for row in grid),
        agent_names=tuple(agent_names or (f"agent{i}" for i in range(len(agents)))),
        partner_names=tuple(partner_names or (f"partner{j}" for j in range(len(partners)))),
    )
