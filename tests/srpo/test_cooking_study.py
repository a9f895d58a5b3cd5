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
        br = best["team_return"][partner]["mean"]
        score = fcp["br_normalised"][partner]
        if br > 0:
            ratios = [v / br for v in fcp["per_seed"][f"heldout:{partner}"]]
            assert score["mean"] == pytest.approx(sum(ratios) / 2)
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
