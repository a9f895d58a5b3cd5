"""Evaluation measures, cross-play and the command line."""

import argparse
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe.srpo.cli import register  # noqa: E402
from rqe.srpo.evaluate import crossplay, evaluate_against, evaluate_pair, load_run, solo_values  # noqa: E402
from rqe.srpo.networks import FixedPolicy  # noqa: E402
from rqe.srpo.parallel import run_jobs  # noqa: E402


def test_pair_measures_on_collaborate_defect():
    collaborator, defector = FixedPolicy(2, 0), FixedPolicy(2, 1)
    r = evaluate_pair([collaborator, defector], env="collaborate_defect", episodes=4)
    assert r.returns.tolist() == pytest.approx([0.6, 1.0])
    assert r.costs.tolist() == pytest.approx([0.4, 0.0])
    assert r.free_riding == pytest.approx(0.4)
    assert r.team_return == pytest.approx(0.8)
    both = evaluate_pair([collaborator, collaborator], env="collaborate_defect", episodes=4)
    assert both.free_riding == pytest.approx(0.0)
    held_out = evaluate_against(collaborator, [defector, collaborator], env="collaborate_defect", episodes=4)
    assert held_out["per_partner"] == pytest.approx([0.6, 0.6])


def test_gridworld_idle_team_earns_nothing_and_pays_nothing():
    idle = FixedPolicy(5, 4)
    r = evaluate_pair([idle, idle], env="cooking", episodes=8)
    assert r.returns.tolist() == [0.0, 0.0] and r.costs.tolist() == [0.0, 0.0]
    walker = FixedPolicy(5, 0)  # always "up": pays 0.2 per step for 50 steps
    r = evaluate_pair([walker, idle], env="cooking", episodes=8)
    assert r.costs[0] == pytest.approx(10.0) and r.costs[1] == 0.0


def _cli(argv):
    parser = argparse.ArgumentParser(prog="rqe")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_train_resume_and_crossplay(tmp_path, capsys):
    common = ["--env", "collaborate_defect", "--steps", "512", "--set", "n_envs=32", "n_steps=4", "n_minibatches=2",
              "--no-progress", "--device", "cpu"]
    assert _cli(["train", "ippo", "--seeds", "0", "1", "--out", str(tmp_path / "runs"), *common]) == 0
    assert _cli(["train", "srpo", "--seed", "5", "--out", str(tmp_path / "runs" / "srpo5"), "--checkpoint-every", "1",
                 *common]) == 0
    # a finished run resumed does nothing more and keeps its metrics
    assert _cli(["train", "srpo", "--seed", "5", "--out", str(tmp_path / "runs" / "srpo5"), "--resume", *common]) == 0
    rows = (tmp_path / "runs" / "srpo5" / "metrics.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 2   # 512 env steps = 2 SRPO updates of 2 rollouts of 32 x 4
    run = load_run(tmp_path / "runs" / "srpo5")
    assert run.algo == "srpo" and run.seed == 5 and len(run.seats) == 2
    solo = solo_values(run, episodes=8)
    assert set(solo) == {"idle", "random"}
    assert _cli(["crossplay", str(tmp_path / "runs"), "--out", str(tmp_path / "xp"), "--episodes", "16"]) == 0
    result = json.loads((tmp_path / "xp" / "crossplay.json").read_text())
    assert len(result["labels"]) == 3
    team = np.array(result["team_return"])
    assert team.shape == (3, 3) and np.allclose(team, team.T)
    assert {"ippo", "srpo"} == set(result["summary"]["per_algo"])
    assert (tmp_path / "xp" / "crossplay_return.png").exists()
    assert "self-play" in capsys.readouterr().out


def test_cli_rejects_unknown_config_field(tmp_path, capsys):
    from rqe.srpo.cli import main

    assert main(["train", "ippo", "--out", str(tmp_path), "--set", "bogus=1", "--no-progress"]) == 2
    assert capsys.readouterr().err.startswith("rqe: error: unknown --set fields ['bogus']")


def test_crossplay_parallel_processes_match_serial(tmp_path):
    from rqe.srpo import TrainConfig, Trainer

    for seed in (0, 1):
        cfg = TrainConfig(algo="selfplay", env="collaborate_defect", total_steps=256, n_envs=32, n_steps=4,
                          n_minibatches=2, seed=seed, device="cpu")
        Trainer(cfg, tmp_path / f"sp{seed}").train(progress=False)
    serial = crossplay([tmp_path], episodes=16, workers=1)
    parallel = crossplay([tmp_path], episodes=16, workers=2, backend="process")
    assert serial["team_return"] == parallel["team_return"]


def test_run_jobs_serial_and_validation():
    assert run_jobs(abs, [-2, 3], workers=1) == [2, 3]
    with pytest.raises(Exception, match="backend"):
        run_jobs(abs, [1], backend="nope")


def test_population_trained_in_parallel_jobs_then_fcp_on_it(tmp_path):
    common = ["--env", "collaborate_defect", "--steps", "384", "--set", "n_envs=32", "n_steps=4", "n_minibatches=2",
              "--no-progress", "--device", "cpu", "--checkpoint-every", "1"]
    assert _cli(["train", "selfplay", "--seeds", "0", "1", "--out", str(tmp_path / "pop"), "--workers", "2",
                 "--backend", "process", *common]) == 0
    snapshots = sorted(p.name for p in (tmp_path / "pop" / "selfplay-seed0" / "snapshots").iterdir())
    assert snapshots == ["policies_00000.pt", "policies_00001.pt", "policies_00002.pt", "policies_00003.pt"]
    assert _cli(["train", "fcp", "--partners", str(tmp_path / "pop"), "--out", str(tmp_path / "fcp"), *common]) == 0
    from rqe.srpo import TrainConfig, Trainer

    cfg = TrainConfig(algo="fcp", env="collaborate_defect", partner_runs=[str(tmp_path / "pop" / "selfplay-seed0")],
                      n_envs=32, n_steps=4, n_minibatches=2, total_steps=384, device="cpu")
    trainer = Trainer(cfg)
    assert set(trainer.learners) == {"agent"}
    assert len(trainer.memory) == 5  # 4 snapshots + final policies, one distinct policy each (shared weights)
    assert trainer.plan()[0].train[0].learner == "agent"
