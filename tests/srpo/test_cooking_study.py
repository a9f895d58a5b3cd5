"""The cooking study end to end on a tiny budget: FCP on the study's self-play runs, best responses, BR-normalised
scores, and a second call that resumes every run instead of training it again."""

import json
import runpy
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "srpo_cooking_study.py"


def _run(monkeypatch, *argv):
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *argv])
    runpy.run_path(str(SCRIPT), run_name="__main__")


@pytest.mark.slow
def test_study_trains_fcp_and_best_responses_and_normalises(tmp_path, monkeypatch, capsys):
    args = ["--seeds", "2", "--steps", "1024", "--br-steps", "1024", "--episodes", "2", "--methods", "fcp",
            "selfplay", "--runs", str(tmp_path / "runs"), "--out", str(tmp_path / "out")]
    _run(monkeypatch, *args)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert list(summary["methods"]) == ["selfplay", "fcp"]              # self-play first: it is FCP's pool
    fcp = summary["methods"]["fcp"]
    assert "not held-out" in fcp["note"] and fcp["env_steps_per_seed"] == 1024
    pool = json.loads((tmp_path / "runs" / "fcp" / "fcp-seed0" / "config.json").read_text())
    assert pool["partner_snapshots"] == "fcp" and [Path(p).name for p in pool["partner_runs"]] == [
        "selfplay-seed0", "selfplay-seed1"]
    best = summary["best_response"]
    assert best["steps_per_seed"] == 1024 and best["seeds"] == 2
    assert set(best["team_return"]) == set(summary["partners"])
    for partner in summary["partners"]:
        candidates = best["per_seed"][partner] + [v for m in summary["methods"].values()
                                                  for v in m["per_seed"][f"heldout:{partner}"]]
        br = summary["br_reference"][partner]["team_return"]
        assert br == pytest.approx(max(candidates))          # the best response found among all trained policies
        score = fcp["br_normalised"][partner]
        if br > 0:
            ratios = [v / br for v in fcp["per_seed"][f"heldout:{partner}"]]
            assert score["mean"] == pytest.approx(sum(ratios) / 2) and max(ratios) <= 1 + 1e-12
        else:
            assert score is None
    assert "BR-Prox" in (tmp_path / "out" / "summary.md").read_text()
    stamp = {p: p.stat().st_mtime_ns for p in (tmp_path / "runs").rglob("checkpoint.pt")}
    assert any("/br/greedy/" in str(p) for p in stamp)
    capsys.readouterr()
    _run(monkeypatch, *args)                                             # everything cached: resumed, not retrained
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "runs").rglob("checkpoint.pt")} == stamp
    again = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert again["methods"]["fcp"]["br_normalised"] == fcp["br_normalised"]


def test_fcp_needs_the_self_play_runs_of_its_budget(tmp_path, monkeypatch):
    args = ["--seeds", "1", "--br-steps", "0", "--runs", str(tmp_path / "runs"), "--out", str(tmp_path / "out"),
            "--episodes", "2"]
    with pytest.raises(SystemExit, match="self-play runs"):
        _run(monkeypatch, *args, "--steps", "1024", "--methods", "fcp")
    _run(monkeypatch, *args, "--steps", "1024", "--methods", "selfplay", "--train-only")
    with pytest.raises(SystemExit, match="2048 env steps"):
        _run(monkeypatch, *args, "--steps", "2048", "--methods", "fcp")


def _module():
    return runpy.run_path(str(SCRIPT), run_name="study")


def test_best_found_is_the_best_trained_policy_and_scores_are_at_most_one():
    study = _module()
    per_seed = {"ippo": {"heldout:greedy": [50.0, 80.0], "heldout:lazy": [-1.0, -2.0]},
                "srpo": {"heldout:greedy": [70.0, 60.0], "heldout:lazy": [-3.0, -0.5]}}
    best = {"per_seed": {"greedy": [75.0, 40.0]}}
    ref = study["best_found"](per_seed, best, ["greedy", "lazy"])
    assert ref["greedy"] == {"team_return": 80.0, "policy": "ippo seed 1"}
    assert ref["lazy"] == {"team_return": -0.5, "policy": "srpo seed 1"}
    best["per_seed"]["greedy"][1] = 90.0
    assert study["best_found"](per_seed, best, ["greedy"])["greedy"] == {"team_return": 90.0,
                                                                         "policy": "best response seed 1"}


def test_rescore_rewrites_the_summary_from_its_per_seed_values(tmp_path, monkeypatch):
    study = _module()
    rows = {"self_play": [1.0, 2.0, 3.0], "cross_play": [1.0, 1.5, 2.0], "free_riding": [0.0, 0.1, 0.2],
            "heldout:greedy": [10.0, 20.0, 40.0], "own_deliveries:greedy": [1.0, 2.0, 3.0],
            "free_riding_with:greedy": [0.0, 0.0, 0.0], "br_normalised:greedy": [9.0, 9.0, 9.0]}
    other = {k: [v + 1 for v in vals] for k, vals in rows.items()}
    meta = {"budget_note": "tiny", "partners": ["greedy"], "best_response": None,
            "timing": {"ippo": {"env_steps_per_seed": 8}, "srpo": {"env_steps_per_seed": 8}}}
    old = study["summarise"](meta, {"ippo": rows, "srpo": other})
    assert old["br_reference"]["greedy"]["team_return"] == 41.0
    assert old["methods"]["ippo"]["per_seed"]["br_normalised:greedy"] == pytest.approx([10 / 41, 20 / 41, 40 / 41])
    assert old["differences"]["srpo-ippo"]["self_play"]["mean"] == pytest.approx(1.0)
    old["methods"]["ippo"]["br_normalised"] = "stale"
    (tmp_path / "summary.json").write_text(json.dumps(old))
    _run(monkeypatch, "--rescore", "--out", str(tmp_path), "--runs", str(tmp_path / "none"))
    again = json.loads((tmp_path / "summary.json").read_text())
    assert again["methods"]["ippo"]["br_normalised"] == study["summarise"](meta, {"ippo": rows, "srpo": other})[
        "methods"]["ippo"]["br_normalised"]
    assert (tmp_path / "summary.md").read_text().startswith("# Cooking gridworld study (tiny)")
    base = tmp_path / "base.json"
    base.write_text(json.dumps(study["summarise"](meta, {"ippo": other})))
    _run(monkeypatch, "--rescore", "--out", str(tmp_path), "--runs", str(tmp_path / "none"), "--baseline", str(base))
    vs = json.loads((tmp_path / "summary.json").read_text())["vs_baseline"]
    assert set(vs) == {"ippo-ippo", "srpo-ippo"}
    assert vs["ippo-ippo"]["heldout:greedy"]["mean"] == pytest.approx(-1.0) and vs["srpo-ippo"]["self_play"]["mean"] == 0
    with pytest.raises(SystemExit, match="needs"):
        _run(monkeypatch, "--rescore", "--out", str(tmp_path / "missing"))
