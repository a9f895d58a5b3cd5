"""Held-out partner zoo, per-agent events of the gridworld, bootstrap intervals."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo.envs import CookingGridworld  # noqa: E402
from rqe.srpo.stats import bootstrap_ci, difference_ci, method_differences, paired_difference  # noqa: E402
from rqe.srpo.zoo import ScriptedCook, heldout_play, partner_zoo  # noqa: E402


def _obs(own, partner, holding=False, onions=(True, True)):
    return torch.tensor([[own[0] / 4, own[1] / 4, partner[0] / 4, partner[1] / 4, float(holding), 0.0,
                          float(onions[0]), float(onions[1])]])


@pytest.mark.parametrize("own, partner, holding, onions, cook, expected", [
    ((1, 2), (0, 0), False, (True, True), (0, 1), 3),   # down would hit the pot: go right
    ((2, 1), (0, 0), True, (True, True), (0, 1), 3),    # holding, next to the pot: bump right to deliver
    ((3, 3), (0, 0), False, (True, True), (0,), 3),     # onion0 specialist: right to (3, 4)
    ((3, 3), (0, 0), False, (True, True), (1,), 1),     # onion1 specialist: down to (4, 3)
    ((3, 3), (3, 4), False, (True, False), (0,), 4),    # the only shortening move is into the partner: it waits
    ((3, 4), (0, 0), False, (False, False), (0,), 4),   # waits on its onion cell until it respawns
])
def test_greedy_decisions(own, partner, holding, onions, cook, expected):
    assert int(ScriptedCook(onions=cook)(_obs(own, partner, holding, onions)).argmax()) == expected


def test_step_events_account_for_the_shared_reward():
    env = CookingGridworld(n_envs=64)
    g = torch.Generator().manual_seed(0)
    obs = env.reset(g)
    cook = ScriptedCook(noise=0.3)
    total_shared = total_events = 0.0
    for _ in range(100):
        actions = torch.stack([cook(obs[k]).exp().multinomial(1, generator=g)[:, 0] for k in range(2)])
        step = env.step(actions, g)
        total_shared += float((step.rewards + step.costs)[0].sum())
        total_events += float((10 * step.events["deliveries"] + step.events["pickups"]).sum())
        obs = step.obs
    assert total_shared > 100 and total_shared == pytest.approx(total_events)


def test_heldout_play_measures_who_works():
    zoo = partner_zoo()
    assert set(zoo) >= {"greedy", "onion0", "onion1", "lazy", "random", "noisy_greedy@0.1", "noisy_greedy@0.5"}
    with_lazy = heldout_play(zoo["greedy"], zoo["lazy"], episodes=16)
    assert with_lazy["partner_deliveries"] == 0.0 and with_lazy["own_deliveries"] > 3
    assert with_lazy["work_share"] == 1.0 and with_lazy["free_riding"] > 1.0
    lazy_agent = heldout_play(zoo["lazy"], zoo["greedy"], episodes=16)
    assert lazy_agent["own_deliveries"] == 0.0 and lazy_agent["work_share"] == 0.0
    pair = heldout_play(zoo["greedy"], zoo["greedy"], episodes=16)
    assert pair["team_return"] > with_lazy["team_return"]       # two workers beat one
    with pytest.raises(ParameterError):
        heldout_play(zoo["greedy"], zoo["lazy"], episodes=3)


def test_bootstrap_intervals():
    s = bootstrap_ci([5.0, 5.0, 5.0])
    assert s["mean"] == 5.0 and s["ci95"] == [5.0, 5.0]
    x = np.random.default_rng(1).normal(10.0, 2.0, size=12)
    s = bootstrap_ci(x, seed=3)
    assert s["ci95"][0] < s["mean"] < s["ci95"][1] and s == bootstrap_ci(x, seed=3)
    assert s["ci95"][1] - s["ci95"][0] < 4 * 2.0 / np.sqrt(12)          # about 2 x 1.96 standard errors
    d = difference_ci(x + 5.0, x, seed=0)
    assert d["mean"] == pytest.approx(5.0) and d["ci95"][0] > 0 and d["share_positive"] == 1.0
    p = paired_difference(x + 1.0, x)
    assert p["ci95"] == [pytest.approx(1.0), pytest.approx(1.0)] and p["share_a_greater"] == 1.0
    for bad in ([], [1.0, float("nan")]):
        with pytest.raises(ParameterError):
            bootstrap_ci(bad)
    with pytest.raises(ParameterError):
        paired_difference([1.0], [1.0, 2.0])


def test_method_differences_pairs_keys_and_unmeasured_values():
    x = np.random.default_rng(2).normal(0.0, 1.0, size=8)
    rows = {"srpo": {"cross_play": list(x + 2.0), "self_play": [None] * 8, "heldout:random": list(x)},
            "ippo": {"cross_play": list(x), "self_play": list(x), "heldout:random": list(x + 1.0)}}
    d = method_differences(rows, [("srpo", "ippo"), ("ippo", "srpo")], ["cross_play", "self_play", "heldout:random"])
    assert set(d) == {"srpo-ippo", "ippo-srpo"}
    assert d["srpo-ippo"]["cross_play"] == difference_ci(x + 2.0, x)
    assert d["ippo-srpo"]["cross_play"]["mean"] == pytest.approx(-2.0)
    assert d["srpo-ippo"]["heldout:random"]["mean"] == pytest.approx(-1.0)
    assert "self_play" not in d["srpo-ippo"]                              # not measured for srpo: left out
    baseline = {"old": {"cross_play": list(x - 1.0)}}
    assert method_differences(rows, [("srpo", "old")], ["cross_play"], baseline)["srpo-old"]["cross_play"][
        "mean"] == pytest.approx(3.0)
    with pytest.raises(ParameterError, match="'mappo' in rows"):
        method_differences(rows, [("srpo", "mappo")], ["cross_play"])
    with pytest.raises(ParameterError, match="'ippo' in other_rows"):
        method_differences(rows, [("srpo", "ippo")], ["cross_play"], baseline)
    with pytest.raises(ParameterError, match="cross_paly"):                # a typo, not an empty entry
        method_differences(rows, [("srpo", "ippo")], ["cross_paly"])
