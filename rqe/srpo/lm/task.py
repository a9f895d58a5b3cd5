"""Arithmetic word problems, the debate protocol and the exact-match reward.

The collaborative text task of the SRPO language-model experiment (``docs/rqe-math.md`` section 8; [QZLM]
Sec. 5 and App. C, where two language models debate math word problems in rounds). Here the problems are
generated, so that a model small enough to train on a CPU can learn them:

* :func:`make_problems` draws seeded word problems at three difficulty levels
  (1: one addition or subtraction of one-digit numbers; 2: one operation with numbers up to 20, including
  multiplication; 3: two operations). Each problem carries a worked solution ``"7+5=12 #### 12"``.
* The debate has ``R`` rounds. In round 1 each agent sees only the question (:func:`debate_prompt` with no
  history); in round ``t > 1`` it sees the question, its own answer of round ``t - 1`` and its peer's. The
  prompt is written from the agent's seat ("You" / "Peer"), so any policy can sit in either seat.
* An answer is the integer after ``####``; :func:`parse_answer` is strict (exactly one ``####``, one canonical
  integer after it, nothing else) and :func:`reward` is 1 for an exact match with the truth and 0 otherwise,
  malformed outputs included.

Example
-------
>>> import numpy as np
>>> problem = make_problems(1, difficulty=1, rng=np.random.default_rng(0))[0]
>>> reward(problem.solution, problem.answer)
1.0
>>> parse_answer("3+4=7 #### 7"), parse_answer("#### 07"), parse_answer("#### 7 #### 7")
(7, None, None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rqe.errors import ParameterError

__all__ = [
    "ANSWER_DELIMITER",
    "Problem",
    "make_problems",
    "parse_answer",
    "reward",
    "debate_prompt",
    "DIFFICULTY_LEVELS",
]

ANSWER_DELIMITER = "####"
DIFFICULTY_LEVELS = (1, 2, 3)

# after the delimiter: optional blanks, one canonical integer (no sign but "-", no leading zeros, no "-0"),
# optional blanks, end of text. ASCII digits only.
_INTEGER_AFTER_DELIMITER = re.compile(r"[ \t]*(0|-?[1-9][0-9]*)[ \t]*\n?", re.ASCII)

_NAMES = ("Ann", "Bob", "Cy", "Dee", "Eve", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kim", "Lu", "Max", "Ned")
_ITEMS = ("apples", "pens", "cards", "eggs", "coins", "books", "cups", "shells", "balls", "nuts")


@dataclass(frozen=True)
class Problem:
    """One word problem: the ``question`` text, the integer ``answer`` and a worked ``solution``.

    ``solution`` is the target completion used for supervised pre-training, e.g. ``"7+5=12 #### 12"``.
    """

    question: str
    answer: int
    solution: str
    difficulty: int


def _one_step(rng: np.random.Generator, limit: int, ops: str) -> tuple[str, int, str, str]:
    """A start amount, one change, and the equation: returns (sentence, result, equation, item)."""
    name = _NAMES[rng.integers(len(_NAMES))]
    item = _ITEMS[rng.integers(len(_ITEMS))]
    op = ops[rng.integers(len(ops))]
    if op == "+":
        a, b = (int(v) for v in rng.integers(0, limit + 1, size=2))
        text = f"{name} has {a} {item} and gets {b} more."
        result = a + b
    elif op == "-":
        a = int(rng.integers(0, limit + 1))
        b = int(rng.integers(0, a + 1))
        text = f"{name} has {a} {item} and gives away {b}."
        result = a - b
    else:  # "*"
        a = int(rng.integers(1, min(limit, 9) + 1))
        b = int(rng.integers(0, min(limit, 9) + 1))
        text = f"{name} has {a} bags with {b} {item} each."
        result = a * b
    return text, result, f"{a}{op}{b}={result}", item


def make_problems(n: int, difficulty: int | Sequence[int] = 1, *, rng: np.random.Generator) -> list[Problem]:
    """Draw ``n`` arithmetic word problems.

    Difficulty 1: ``a + b`` or ``a - b`` with one-digit operands (results in 0..18).
    Difficulty 2: ``a + b``, ``a - b`` with operands up to 20, or ``a * b`` with one-digit operands.
    Difficulty 3: a difficulty-1 step followed by a second addition or subtraction of a one-digit number.
    Subtractions never go below zero. ``difficulty`` may be a sequence: each problem then draws its level
    uniformly from it.

    Parameters
    ----------
    n : int
        Number of problems (>= 0).
    difficulty : int or sequence of int
        Level(s) in ``DIFFICULTY_LEVELS``.
    rng : numpy.random.Generator
        Source of randomness (the same seed gives the same problems).

    Example
    -------
    >>> import numpy as np
    >>> [p.question for p in make_problems(2, 1, rng=np.random.default_rng(3))]  # doctest: +SKIP
    ['Jo has 2 cups and gets 8 more. How many cups does Jo have now?', ...]
    """
    levels = (difficulty,) if isinstance(difficulty, (int, np.integer)) else tuple(difficulty)
    if not levels or any(not isinstance(d, (int, np.integer)) or int(d) not in DIFFICULTY_LEVELS for d in levels):
        raise ParameterError(f"difficulty must be in {DIFFICULTY_LEVELS} (or a sequence of them), got {difficulty!r}")
    if int(n) < 0:
        raise ParameterError(f"n must be >= 0, got {n}")
    problems = []
    for _ in range(int(n)):
        level = int(levels[rng.integers(len(levels))])
        if level == 1:
            text, result, equation, item = _one_step(rng, 9, "+-")
            steps = [equation]
        elif level == 2:
            text, result, equation, item = _one_step(rng, 20, "+-*")
            steps = [equation]
        else:
            text, first, equation, item = _one_step(rng, 9, "+-")
            if rng.integers(2) == 0:
                c = int(rng.integers(0, 10))
                text += f" Then gets {c} more."
                result = first + c
                steps = [equation, f"{first}+{c}={result}"]
            else:
                c = int(rng.integers(0, first + 1))
                text += f" Then loses {c}."
                result = first - c
                steps = [equation, f"{first}-{c}={result}"]
        name = text.split(" ", 1)[0]
        question = f"{text} How many {item} does {name} have now?" if "bags" not in text else (
            f"{text} How many {item} does {name} have?")
        solution = f"{' '.join(steps)} {ANSWER_DELIMITER} {result}"
        problems.append(Problem(question=question, answer=int(result), solution=solution, difficulty=level))
    return problems


def parse_answer(text: str | None) -> int | None:
    """The integer answer of a completion, or ``None`` if the completion is malformed.

    Strict rule: the text contains ``####`` exactly once, and after it comes one canonical integer
    (``0`` or an optional ``-`` then a non-zero ASCII digit and more digits: no ``+``, no leading zeros, no
    ``-0``, no decimals, no thousands separators), surrounded only by spaces or tabs and at most one final
    newline. Whatever precedes ``####`` (the worked steps) is not checked.

    Example
    -------
    >>> parse_answer("2*3=6 #### 6"), parse_answer("#### -4"), parse_answer("#### 6.0"), parse_answer("6")
    (6, -4, None, None)
    """
    if not isinstance(text, str) or text.count(ANSWER_DELIMITER) != 1:
        return None
    tail = text.split(ANSWER_DELIMITER, 1)[1]
    match = _INTEGER_AFTER_DELIMITER.fullmatch(tail)
    if match is None:
        return None
    return int(match.group(1))


def reward(completion: str | None, answer: int) -> float:
    """Exact-match reward: 1.0 if ``parse_answer(completion) == answer``, else 0.0 (malformed gives 0.0).

    Example
    -------
    >>> reward("#### 12", 12), reward("#### 12!", 12), reward("#### 11", 12)
    (1.0, 0.0, 0.0)
    """
    parsed = parse_answer(completion)
    return 1.0 if parsed is not None and parsed == int(answer) else 0.0


def _clean(completion: str, max_chars: int) -> str:
    # previous answers are quoted on one line: newlines would break the prompt layout
    return completion.replace("\n", " ").strip()[:max_chars]


def debate_prompt(question: str, own_previous: str | None = None, peer_previous: str | None = None,
                  *, max_answer_chars: int = 32) -> str:
    """The prompt an agent sees in a debate round, written from its own seat.

    Round 1 (no history): ``"Q: <question>\\nA:"``. Round ``t > 1``:
    ``"Q: <question>\\nYou: <own answer t-1>\\nPeer: <peer answer t-1>\\nA:"``, with each previous
    completion put on one line and cut to ``max_answer_chars`` characters. The completion follows ``"A:"``.

    Example
    -------
    >>> print(debate_prompt("Ann has 1 cup and gets 1 more. How many cups does Ann have now?", "1+1=2 #### 2",
    ...                     "1+1=3 #### 3"))
    Q: Ann has 1 cup and gets 1 more. How many cups does Ann have now?
    You: 1+1=2 #### 2
    Peer: 1+1=3 #### 3
    A:
    """
    if (own_previous is None) != (peer_previous is None):
        raise ParameterError("own_previous and peer_previous must both be given (round > 1) or both be None")
    if own_previous is None:
        return f"Q: {question}\nA:"
    return (f"Q: {question}\nYou: {_clean(own_previous, max_answer_chars)}\n"
            f"Peer: {_clean(peer_previous, max_answer_chars)}\nA:")
