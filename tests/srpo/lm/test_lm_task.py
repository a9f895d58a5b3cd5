"""Word problems, strict answer parsing, the reward and the debate prompts."""

import numpy as np
import pytest

from rqe.errors import ParameterError
from rqe.srpo.lm.task import DIFFICULTY_LEVELS, debate_prompt, make_problems, parse_answer, reward


def test_problems_are_reproducible_and_seed_dependent():
    a = make_problems(20, (1, 2, 3), rng=np.random.default_rng(1))
    b = make_problems(20, (1, 2, 3), rng=np.random.default_rng(1))
    c = make_problems(20, (1, 2, 3), rng=np.random.default_rng(2))
    assert a == b
    assert a != c


@pytest.mark.parametrize("level", DIFFICULTY_LEVELS)
def test_solutions_parse_to_the_answer_and_are_consistent(level):
    for p in make_problems(300, level, rng=np.random.default_rng(level)):
        assert p.difficulty == level
        assert parse_answer(p.solution) == p.answer
        assert reward(p.solution, p.answer) == 1.0
        assert p.answer >= 0
        # every worked step is true arithmetic and the last one gives the answer
        steps = p.solution.split(" ####")[0].split(" ")
        for step in steps:
            lhs, rhs = step.split("=")
            assert eval(lhs) == int(rhs)  # noqa: S307 - digits and one operator, produced by the generator
        assert int(steps[-1].split("=")[1]) == p.answer
        assert len(steps) == (2 if level == 3 else 1)
        assert str(p.answer) not in p.question.split("?")[-1]


def test_difficulty_ranges():
    easy = make_problems(500, 1, rng=np.random.default_rng(0))
    assert max(p.answer for p in easy) <= 18
    medium = make_problems(500, 2, rng=np.random.default_rng(0))
    assert any("*" in p.solution for p in medium) and max(p.answer for p in medium) > 18
    levels = {p.difficulty for p in make_problems(200, (1, 3), rng=np.random.default_rng(0))}
    assert levels == {1, 3}


@pytest.mark.parametrize("bad", [0, 4, (), (1, 5), "1"])
def test_bad_difficulty_raises(bad):
    with pytest.raises(ParameterError, match="difficulty"):
        make_problems(1, bad, rng=np.random.default_rng(0))


def test_negative_count_raises():
    with pytest.raises(ParameterError, match="n must be"):
        make_problems(-1, rng=np.random.default_rng(0))


@pytest.mark.parametrize("text, expected", [
    ("3+4=7 #### 7", 7),
    (" 3+4=7 #### 7", 7),
    ("#### 7", 7),
    ("####7", 7),
    ("#### 7 ", 7),
    ("#### 7\n", 7),
    ("#### 0", 0),
    ("#### -12", -12),
    ("#### 1234567", 1234567),
    ("noise before is fine #### 5", 5),
])
def test_parse_well_formed(text, expected):
    assert parse_answer(text) == expected


@pytest.mark.parametrize("text", [
    "", "7", "3+4=7", "the answer is 7",        # no delimiter
    "####", "#### ", "####\n",                  # nothing after it
    "#### 7 #### 7", "#### 7####",              # delimiter twice
    "### 7", "# ### 7",                         # wrong delimiter
    "#### 07", "#### 00", "#### -0", "#### +7",  # non-canonical integers
    "#### 7.0", "#### 7.", "#### 1,000", "#### 1e3", "#### 0x7",
    "#### 7a", "#### a7", "#### seven", "#### 7 apples", "#### 7 8",
    "#### 7\n\n", "#### 7\nmore text", "#### \n7",
    "#### \u0667",                               # Arabic-Indic digit seven: ASCII digits only
    "#### ７",                                   # full-width digit
    "#### --7", "#### - 7",
    None, 7,
])
def test_parse_malformed_is_none_and_earns_nothing(text):
    assert parse_answer(text) is None
    assert reward(text, 7) == 0.0


def test_reward_is_exact_match():
    assert reward("#### 12", 12) == 1.0
    assert reward("#### 13", 12) == 0.0
    assert reward("#### -12", 12) == 0.0
    assert reward("2*6=12 #### 12", np.int64(12)) == 1.0


def test_debate_prompts():
    q = "Ann has 1 cup and gets 1 more. How many cups does Ann have now?"
    assert debate_prompt(q) == f"Q: {q}\nA:"
    two = debate_prompt(q, "1+1=2\n#### 2", "x" * 50, max_answer_chars=10)
    assert two == f"Q: {q}\nYou: 1+1=2 ####\nPeer: xxxxxxxxxx\nA:"
    assert two.count("\n") == 3
    with pytest.raises(ParameterError):
        debate_prompt(q, "#### 2")
    with pytest.raises(ParameterError):
        debate_prompt(q, None, "#### 2")
