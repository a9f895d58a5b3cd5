"""`rqe train ALGO --env NAME` reaches the Tag, Hanabi and Overcooked environments (tiny budgets)."""

import pytest

pytest.importorskip("torch")

from rqe.cli import main  # noqa: E402


def test_train_srpo_on_tag_checkpoints_and_resumes(tmp_path, capsys):
    out = tmp_path / "tag"
    args = ["train", "srpo", "--env", "tag", "--steps", "6400", "--out", str(out), "--checkpoint-every", "1",
            "--no-progress"]
    assert main(args) == 0
    assert (out / "checkpoint.pt").exists() and (out / "metrics.csv").exists()
    first = (out / "metrics.csv").read_text()
    assert main(args + ["--resume"]) == 0          # finished: resuming changes nothing
    assert (out / "metrics.csv").read_text() == first


def test_train_ippo_on_hanabi_with_legal_action_masks(tmp_path, capsys):
    pytest.importorskip("pyspiel")
    out = tmp_path / "h"
    assert main(["train", "ippo", "--env", "hanabi", "--steps", "512", "--out", str(out), "--no-progress"]) == 0
    assert (out / "checkpoint.pt").exists() and (out / "policies.pt").exists()
    rows = (out / "metrics.csv").read_text().splitlines()
    assert len(rows) >= 2 and rows[0].startswith("update")
