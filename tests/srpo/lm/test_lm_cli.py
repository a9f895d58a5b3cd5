"""The ``rqe train-lm`` command, end to end on a tiny model."""

import argparse
import json

import pytest

pytest.importorskip("torch")

from rqe.srpo.lm.cli import main, register  # noqa: E402


def test_register_adds_train_lm():
    parser = argparse.ArgumentParser(prog="rqe")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["train-lm", "--out", "x", "--algorithm", "ippo"])
    assert args.algorithm == "ippo" and callable(args.func)


def test_train_lm_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "run"
    code = main(["--out", str(out), "--pretrain-steps", "5", "--iterations", "2", "--batch-size", "3",
                 "--d-model", "16", "--n-layers", "1", "--n-heads", "2", "--eval-problems", "4", "--device", "cpu"])
    assert code == 0
    report = json.loads((out / "evaluation.json").read_text())
    assert set(report) >= {"pretrain", "trained_pair", "agent1_with_base", "agent1_with_copy", "solo_accuracy"}
    assert report["trained_pair"]["n_problems"] == 4
    for part in ("base", "agent0", "agent1"):
        assert (out / part / "policy.json").exists()
    # a second run from the saved base model: --base skips pre-training
    code = main(["--out", str(tmp_path / "again"), "--base", str(out / "base"), "--algorithm", "ippo",
                 "--iterations", "1", "--batch-size", "2", "--eval-problems", "2", "--device", "cpu", "--quiet"])
    assert code == 0
    assert "pretrain" not in json.loads((tmp_path / "again" / "evaluation.json").read_text())
    assert "joint accuracy" in capsys.readouterr().out


def test_bad_base_directory_is_an_error(tmp_path, capsys):
    code = main(["--out", str(tmp_path / "o"), "--base", str(tmp_path), "--device", "cpu", "--quiet"])
    assert code == 2
    assert "no saved policy" in capsys.readouterr().err


@pytest.mark.slow
def test_gpt2_model_option(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = main(["--out", str(tmp_path), "--model", "gpt2", "--pretrain-steps", "2", "--iterations", "1",
                 "--batch-size", "2", "--d-model", "16", "--n-layers", "1", "--n-heads", "2", "--eval-problems", "2",
                 "--device", "cpu", "--quiet"])
    assert code == 0
    assert json.loads((tmp_path / "base" / "policy.json").read_text())["kind"] == "hf"


@pytest.mark.slow
def test_experiment_script_quick(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[3] / "examples" / "srpo_lm_experiment.py"
    subprocess.run([sys.executable, str(script), "--quick", "--device", "cpu", "--out", str(tmp_path / "r"),
                    "--save-models", str(tmp_path / "m")], check=True, capture_output=True)
    result = json.loads((tmp_path / "r.json").read_text())
    assert set(result["summary"]) == {"ippo", "srpo"}
    assert len(result["cross_play_matrix"]["joint_accuracy"]) == 4
    assert (tmp_path / "m" / "srpo-s0" / "agent1" / "policy.json").exists()
