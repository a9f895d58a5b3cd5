"""Population training: seed k of a batched population follows the single run with seed k.

The check is to float tolerance, not bit for bit: a batched product (``torch.baddbmm``) may round differently from
``nn.Linear`` in the last bit. The sampled actions (hence the logged returns) are compared exactly; the weights to
1e-3 of their largest magnitude after a few updates (Adam divides by
the root of the squared-gradient average, which magnifies last-bit differences of near-zero gradients).
"""

import csv

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rqe import Game  # noqa: E402
from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo import TrainConfig, Trainer  # noqa: E402
from rqe.srpo.population import PopulationTrainer, StackedMLP, parse_seeds  # noqa: E402
from tests.srpo.training_helpers import (
    assert_close as _close, Stop, halt_after, train_interrupted_and_resumed, weights as _weights)


TAG = {"max_cycles": 20, "prey": "random", "reward_scale": 0.1}
CASES = {
    "srpo-paper-cooking": dict(algo="srpo", env="cooking", preset="paper", total_steps=2 * 2 * 1024),
    "srpo-sequential-reverse-kl": dict(algo="srpo", env="cooking", preset="paper", total_steps=2 * 2 * 1024,
                                       update_order="sequential", kl_direction="partner||adversary"),
    "ippo-tuned-minibatches-clipping": dict(algo="ippo", env="cooking", n_envs=8, n_steps=50, total_steps=3 * 400),
    "mappo": dict(algo="mappo", env="cooking", n_envs=8, n_steps=30, total_steps=3 * 240),
    "selfplay-matrix": dict(algo="selfplay", env="collaborate_defect", n_envs=32, n_steps=4, total_steps=4 * 128),
    "adversarial-matrix": dict(algo="adversarial", env="collaborate_defect", n_envs=32, n_steps=4,
                               total_steps=4 * 2 * 128),
    # Tag: the trainer's uniforms move the random prey and place every episode's start (episodes of 20 steps end
    # inside the rollouts of 25); MAPPO's critic reads the predators' joint observation
    "ippo-tag": dict(algo="ippo", env="tag", env_kwargs=TAG, n_envs=16, n_steps=25, total_steps=3 * 400),
    "srpo-tag": dict(algo="srpo", env="tag", env_kwargs=TAG, n_envs=16, n_steps=25, total_steps=3 * 2 * 400),
    "mappo-tag": dict(algo="mappo", env="tag", env_kwargs=TAG, n_envs=16, n_steps=25, total_steps=2 * 400),
    # seats with different action sets: the rollout runs the two actors one after the other, not stacked
    "ippo-unequal-actions": dict(algo="ippo", env="matrix", n_envs=16, n_steps=4, total_steps=4 * 64,
                                 env_kwargs={"game": Game.from_bimatrix([[3, 0, 1], [5, 1, 0]],
                                                                        [[3, 5, 2], [0, 1, 4]])}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_seed_k_of_a_population_follows_the_single_run_with_seed_k(case):
    cfg = TrainConfig(device="cpu", **CASES[case])
    seeds = [3, 0, 7]
    population = PopulationTrainer(cfg, seeds)
    history = population.train(progress=False)
    assert population.update == population.n_updates >= 2
    for k in (0, 2):
        single = Trainer(cfg.replace(seed=seeds[k]))
        single_history = single.train(progress=False)
        assert [h[k]["return_seat0"] for h in history] == [h["return_seat0"] for h in single_history]
        assert [h[k]["return_seat1"] for h in history] == [h["return_seat1"] for h in single_history]
        _close(single, population.runs[k])
        assert population.runs[k].env_steps == single.env_steps
    # and the seeds really differ (the comparison above could fail)
    assert history[-1][0]["return_seat0"] != history[-1][2]["return_seat0"] or \
        not torch.equal(population.runs[0].learners[next(iter(single.learners))].actor.net[0].weight,
                        population.runs[2].learners[next(iter(single.learners))].actor.net[0].weight)


def test_population_folders_are_single_runs_and_resume(tmp_path):
    cfg = TrainConfig(algo="srpo", env="collaborate_defect", n_envs=32, n_steps=4, total_steps=4 * 2 * 128,
                      checkpoint_every=2, device="cpu")
    straight, resumed, _ = train_interrupted_and_resumed(
        lambda name: PopulationTrainer(cfg, [0, 1], tmp_path / name), 3)
    for a, b in zip(straight.runs, resumed.runs):
        wa, wb = _weights(a.learners), _weights(b.learners)
        assert all(torch.equal(wa[key], wb[key]) for key in wa)       # same code path: bit for bit
    folder = tmp_path / "resumed" / "srpo-seed1"
    with open(folder / "metrics.csv") as fh:
        assert [int(r["update"]) for r in csv.DictReader(fh)] == [1, 2, 3, 4]
    assert sorted(p.name for p in (folder / "snapshots").iterdir()) == [
        "policies_00000.pt", "policies_00002.pt", "policies_00004.pt"]
    # a seed's folder is a single run's: the one-run trainer resumes it (optimiser state included)
    with pytest.raises(Stop):
        PopulationTrainer(cfg, [0, 1], tmp_path / "mixed").train(progress=False, callback=halt_after(3))
    single = Trainer(cfg.replace(seed=1), tmp_path / "mixed" / "srpo-seed1")
    single.train(progress=False, resume=True)
    reference = Trainer(cfg.replace(seed=1))
    reference.train(progress=False)
    _close(reference, single)


def test_tag_population_resumes_bit_for_bit_and_trains_from_the_cli(tmp_path, capsys):
    cfg = TrainConfig(algo="srpo", env="tag", env_kwargs=TAG, n_envs=8, n_steps=25, total_steps=4 * 2 * 200,
                      checkpoint_every=2, device="cpu")
    straight, resumed, history = train_interrupted_and_resumed(
        lambda name: PopulationTrainer(cfg, [0, 1], tmp_path / name), 3)
    for a, b in zip(straight.runs, resumed.runs):
        wa, wb = _weights(a.learners), _weights(b.learners)
        assert all(torch.equal(wa[key], wb[key]) for key in wa)
        assert a.generator.get_state().equal(b.generator.get_state())
    for k, seed in enumerate((0, 1)):
        with open(tmp_path / "resumed" / f"srpo-seed{seed}" / "metrics.csv") as fh:
            logged = [float(r["return_seat0"]) for r in csv.DictReader(fh)]
        assert logged == pytest.approx([h[k]["return_seat0"] for h in history], rel=1e-12)
    from rqe.cli import main

    argv = ["train", "srpo", "--env", "tag", "--seeds", "0-3", "--backend", "batched", "--steps", "400",
            "--env-arg", "max_cycles=20", "--set", "n_envs=8", "n_steps=25", "--no-progress", "--device", "cpu",
            "--out", str(tmp_path / "cli")]
    assert main(argv) == 0
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == [f"srpo-seed{k}" for k in range(4)]
    assert "srpo seed 3: 1 updates, 400 env steps" in capsys.readouterr().out


def test_cli_batched_backend(tmp_path, capsys):
    from rqe.cli import main

    argv = ["train", "ippo", "--seeds", "0-2", "--backend", "batched", "--env", "collaborate_defect", "--steps", "256",
            "--set", "n_envs=32", "n_steps=4", "--no-progress", "--device", "cpu", "--out", str(tmp_path / "runs")]
    assert main(argv) == 0
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["ippo-seed0", "ippo-seed1", "ippo-seed2"]
    assert main(["crossplay", str(tmp_path / "runs"), "--out", str(tmp_path / "xp"), "--episodes", "4",
                 "--no-plots"]) == 0
    capsys.readouterr()
    assert main(["train", "fcp", "--seeds", "0-1", "--backend", "batched", "--out", str(tmp_path / "f"),
                 "--no-progress", "--device", "cpu"]) == 2
    assert "batched backend" in capsys.readouterr().err
    assert main([*argv[:-1], str(tmp_path / "fresh"), "--resume"]) == 2           # nothing to resume
    assert "does not exist" in capsys.readouterr().err


def test_unsupported_configurations_and_seed_lists():
    with pytest.raises(ParameterError, match="risk_critic"):
        PopulationTrainer(TrainConfig(algo="srpo", risk_critic=True, device="cpu"), [0, 1])
    assert parse_seeds("0-15") == list(range(16))
    for bad in ("3-1", "a", "1,1", "-2"):
        with pytest.raises(ParameterError):
            parse_seeds(bad)


def test_stacked_mlp_is_s_mlps():
    from rqe.srpo.networks import Actor

    actors = [Actor(8, 5, generator=torch.Generator().manual_seed(s)) for s in range(4)]
    stacked = StackedMLP([a.net for a in actors])
    x = torch.tensor(np.random.default_rng(0).normal(size=(4, 6, 8)), dtype=torch.float32)
    for k, actor in enumerate(actors):
        np.testing.assert_allclose(stacked(x)[k].detach().numpy(), actor(x[k]).detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
        state = stacked.seed_state(k, actor.net)
        assert all(torch.equal(state[n], v) for n, v in actor.net.state_dict().items())


def test_gpu_check_skips_cleanly_without_cuda(capsys, monkeypatch):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: benchmarks/gpu_check.py would measure it")
    import sys

    from benchmarks import gpu_check

    monkeypatch.setattr(sys, "argv", ["gpu_check"])
    assert gpu_check.main() == 0
    assert "no CUDA device" in capsys.readouterr().out
