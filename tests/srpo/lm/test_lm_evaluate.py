"""The debate protocol and its diagnostics, checked with scripted policies whose behaviour is known."""

import re
from types import SimpleNamespace

import numpy as np
import pytest

from rqe.errors import ParameterError
from rqe.srpo.lm.debate import run_debate
from rqe.srpo.lm.evaluate import cross_play, debate_stats, play
from rqe.srpo.lm.task import make_problems

PROBLEMS = make_problems(12, (1, 2, 3), rng=np.random.default_rng(7))
TRUTH = {p.question: p.answer for p in PROBLEMS}


class Scripted:
    """A policy answering by rule: 'truth', 'liar' (truth + 1), 'copy' (round >= 2: repeat the peer),
    'garbage' (malformed), 'stubborn-liar' (truth + 1 always). Records the prompts it saw."""

    def __init__(self, rule):
        self.rule = rule
        self.seen = []

    def generate(self, prompts, **options):
        self.seen.append(list(prompts))
        texts = []
        for prompt in prompts:
            question = prompt.split("\n")[0][3:]
            peer = re.search(r"\nPeer: (.*)\n", prompt)
            truth = TRUTH[question]
            if self.rule == "truth":
                texts.append(f" #### {truth}")
            elif self.rule == "liar":
                texts.append(f" #### {truth + 1}")
            elif self.rule == "garbage":
                texts.append(" the answer is 7")
            elif self.rule == "copy":
                texts.append(" " + peer.group(1) if peer else f" #### {truth}")
            else:
                raise AssertionError(self.rule)
        return SimpleNamespace(texts=texts)


def test_round_one_is_independent_and_later_rounds_see_both_answers():
    a, b = Scripted("truth"), Scripted("liar")
    rollout = run_debate((a, b), PROBLEMS[:3], rounds=3)
    assert len(a.seen) == 3
    assert all("You:" not in p and "Peer:" not in p for p in a.seen[0])
    p = PROBLEMS[0]
    assert a.seen[1][0] == f"Q: {p.question}\nYou: #### {p.answer}\nPeer: #### {p.answer + 1}\nA:"
    assert b.seen[1][0] == f"Q: {p.question}\nYou: #### {p.answer + 1}\nPeer: #### {p.answer}\nA:"
    assert rollout.correct[:, 0].all() and not rollout.correct[:, 1].any()
    assert rollout.answers[2, 1, 0] == p.answer + 1


def test_joint_accuracy_and_agreement():
    truth = play(Scripted("truth"), Scripted("truth"), PROBLEMS, rounds=2)
    assert truth.joint_accuracy == 1.0 and truth.agreement == 1.0 and truth.flip_rate == 0.0
    assert truth.talked_out_cases == 0 and np.isnan(truth.talked_out)
    mixed = play(Scripted("truth"), Scripted("liar"), PROBLEMS, rounds=2)
    assert mixed.joint_accuracy == 0.0 and mixed.accuracy == (1.0, 0.0) and mixed.agreement == 0.0
    # the truthful agent faced a disagreeing peer in round 1 and kept its answer
    assert mixed.talked_out_cases == len(PROBLEMS) and mixed.talked_out == 0.0


def test_a_copying_agent_is_talked_out_by_a_liar():
    stats = play(Scripted("liar"), Scripted("copy"), PROBLEMS, rounds=2)
    assert stats.accuracy == (0.0, 0.0)
    assert stats.talked_out == 1.0 and stats.talked_out_cases == len(PROBLEMS)
    assert stats.flip_rate == 0.5  # the copier flips, the liar does not
    assert stats.agreement == 1.0
    np.testing.assert_allclose(stats.round_accuracy, [[0.0, 1.0], [0.0, 0.0]])
    # with a truthful peer the copier ends right: joint accuracy 1
    assert play(Scripted("truth"), Scripted("copy"), PROBLEMS, rounds=2).joint_accuracy == 1.0


def test_malformed_answers_never_agree_or_score():
    stats = play(Scripted("garbage"), Scripted("garbage"), PROBLEMS, rounds=2)
    assert stats.malformed == 1.0 and stats.agreement == 0.0 and stats.joint_accuracy == 0.0
    assert stats.flip_rate == 0.0  # malformed twice is not a flip


def test_chunked_play_equals_one_batch():
    one = play(Scripted("liar"), Scripted("copy"), PROBLEMS, rounds=3, batch_size=100)
    many = play(Scripted("liar"), Scripted("copy"), PROBLEMS, rounds=3, batch_size=5)
    assert one.as_dict() == many.as_dict()


def test_debate_stats_by_hand():
    # 2 rounds, 2 seats, 3 problems; truth is 5 for all
    answers = np.array([
        [[5, 4, np.nan], [4, 5, 5]],
        [[4, 5, np.nan], [4, 5, 5]],
    ], dtype=float)
    correct = (answers == 5).astype(float)
    s = debate_stats(answers, correct)
    assert s.joint_accuracy == pytest.approx(1 / 3)  # problem 1: both say 5 in the final round
    assert s.accuracy == (1 / 3, 2 / 3)
    assert s.agreement == pytest.approx(2 / 3)  # problems 0 and 1; problem 2 has a malformed answer
    assert s.flip_rate == pytest.approx(2 / 6)  # seat 0 flips on problems 0 and 1
    # at risk: seat0 p0 (5 vs 4), seat1 p1 (5 vs 4), seat1 p2 (5 vs nan) -> wrong afterwards: seat0 p0 only
    assert s.talked_out_cases == 3 and s.talked_out == pytest.approx(1 / 3)
    assert s.malformed == pytest.approx(2 / 12)


def test_cross_play_matrix_orientation():
    agents = [Scripted("truth"), Scripted("copy")]
    partners = [Scripted("truth"), Scripted("liar")]
    result = cross_play(agents, partners, PROBLEMS, rounds=2, agent_names=["t", "c"])
    # rows: agent in seat 1; columns: partner in seat 0
    np.testing.assert_array_equal(result.joint_accuracy, [[1.0, 0.0], [1.0, 0.0]])
    assert result.stats[1][1].accuracy == (0.0, 0.0)
    assert result.agent_names == ("t", "c") and result.partner_names == ("partner0", "partner1")


def test_debate_argument_checks():
    with pytest.raises(ParameterError):
        run_debate((Scripted("truth"),), PROBLEMS, 2)
    with pytest.raises(ParameterError):
        run_debate((Scripted("truth"), Scripted("truth")), PROBLEMS, 0)
    with pytest.raises(ParameterError):
        run_debate((Scripted("truth"), Scripted("truth")), [], 1)
