"""Batched FCP: seed k of a population trained against a partner pool follows the single FCP run with seed k.

As in ``test_population.py``: the sampled actions (hence the logged returns) are compared exactly, the weights to
1e-3 of each tensor's largest entry (a batched product may round differently from ``nn.Linear`` in the last bit).
Pools: a pool of self-play runs' FCP checkpoints (partners stacked into one batched network) and scripted zoo
partners (each evaluated on its seeds' rows).
"""

import pytest

torch = pytest.importorskip("torch")

from rqe.errors import ParameterError  # noqa: E402
from rqe.srpo import TrainConfig, Trainer  # noqa: E402
from rqe.srpo.memory import partner_files  # noqa: E402
from rqe.srpo.population import PopulationTrainer, make_population  # noqa: E402
from rqe.srpo.population_fcp import FCPPopulationTrainer  # noqa: E402
from tests.srpo.training_helpers import (
    assert_close as _close, train_interrupted_and_resumed, weights as _weights)

SMALL = dict(env="cooking", n_envs=8, n_steps=20, device="cpu")


@pytest.fixture(scope="module")
def selfplay_runs(tmp_path_factory):
    """Two self-play runs of 3 updates with a snapshot after every update (policies_00000 .. policies_00003)."""
    out = tmp_path_factory.mktemp("selfplay")
    cfg = TrainConfig(algo="selfplay", total_steps=3 * 160, checkpoint_every=1, **SMALL)
    PopulationTrainer(cfg, [0, 1], out).train(progress=False)
    return [str(out / f"selfplay-seed{s}") for s in (0, 1)]


def test_fcp_snapshots_are_first_middle_last(selfplay_runs, tmp_path):
    names = [f.name for f in partner_files(selfplay_runs[0], "fcp")]
    assert names == ["policies_00000.pt", "policies_00001.pt", "policies.pt"]   # half of 3 updates: 1 (tie -> earlier)
    assert len(partner_files(selfplay_runs[0], "all")) == 5
    unfinished = tmp_path / "run"
    (unfinished / "snapshots").mkdir(parents=True)
    for u in (0, 10, 20, 30, 40):
        (unfinished / "snapshots" / f"policies_{u:05d}.pt").write_bytes(b"")
    with pytest.raises(ParameterError, match="policies.pt"):
        partner_files(unfinished, "fcp")
    (unfinished / "policies.pt").write_bytes(b"")
    assert [f.name for f in partner_files(unfinished, "fcp")] == ["policies_00000.pt", "policies_00020.pt",
                                                                   "policies.pt"]
    trainer = Trainer(TrainConfig(algo="fcp", partner_runs=selfplay_runs, partner_snapshots="fcp", **SMALL))
    assert len(trainer.memory) == 6          # 2 runs x 3 checkpoints, one policy each (self-play shares its seats)


POOLS = {
    "selfplay-checkpoints": lambda runs: dict(partner_runs=runs, partner_snapshots="fcp"),
    "zoo-partners": lambda runs: dict(partner_runs=["zoo:greedy", "zoo:lazy", "zoo:noisy_greedy@0.3"]),
}


@pytest.mark.parametrize("pool", sorted(POOLS))
def test_seed_k_of_batched_fcp_follows_the_single_run_with_seed_k(pool, selfplay_runs):
    cfg = TrainConfig(algo="fcp", total_steps=5 * 160, **POOLS[pool](selfplay_runs), **SMALL)
    seeds = [3, 0, 5]
    population = make_population(cfg, seeds)
    assert isinstance(population, FCPPopulationTrainer)
    drawn = []
    plan = population.plan
    population.plan = lambda: drawn.append(plan()) or drawn[-1]
    history = population.train(progress=False)
    assert population.update == population.n_updates == 5
    for k in (0, 2):
        single = Trainer(cfg.replace(seed=seeds[k]))
        single_history = single.train(progress=False)
        for seat in (0, 1):
            assert [h[k][f"return_seat{seat}"] for h in history] == [h[f"return_seat{seat}"] for h in single_history]
        _close(single, population.runs[k])
        assert single.np_rng.random() == population.runs[k].np_rng.random()   # same draws of partners and seats
    # the seeds drew different partners or seats (so the comparison above could fail)
    assert any(m.tags[0] != m.tags[2] or int(m.agent_seat[0]) != int(m.agent_seat[2]) for (m,) in drawn)
    assert history[-1][0]["return_seat0"] != history[-1][2]["return_seat0"]


def test_pools_train_best_responses_to_several_partners_at_once(tmp_path):
    cfg = TrainConfig(algo="fcp", total_steps=3 * 160, **SMALL)
    pools = {"greedy": ["zoo:greedy"], "onion1": ["zoo:onion1"]}
    population = make_population(cfg, [0, 2], tmp_path, pools=pools)
    history = population.train(progress=False)
    assert [r.out_dir.relative_to(tmp_path).as_posix() for r in population.runs] == [
        "greedy/fcp-seed0", "greedy/fcp-seed2", "onion1/fcp-seed0", "onion1/fcp-seed2"]
    for pool, seed, member in (("greedy", 0, 0), ("onion1", 2, 3)):
        single = Trainer(cfg.replace(seed=seed, partner_runs=pools[pool]))
        single_history = single.train(progress=False)
        assert [h[member]["return_seat0"] for h in history] == [h["return_seat0"] for h in single_history]
        _close(single, population.runs[member])
    assert history[-1][0]["return_seat0"] != history[-1][2]["return_seat0"]     # same seed, other partner
    with pytest.raises(ParameterError, match="pools"):
        make_population(cfg, [0], pools={"greedy": []})


def test_batched_fcp_with_a_zoo_partner_resumes_bit_for_bit(tmp_path):
    cfg = TrainConfig(algo="fcp", partner_runs=["zoo:onion1", "zoo:random"], total_steps=4 * 160,
                      checkpoint_every=2, **SMALL)
    straight, resumed, _ = train_interrupted_and_resumed(
        lambda name: make_population(cfg, [0, 1], tmp_path / name), 3)
    for a, b in zip(straight.runs, resumed.runs):
        wa, wb = _weights(a.learners), _weights(b.learners)
        assert all(torch.equal(wa[key], wb[key]) for key in wa)
        assert [e.tag for e in b.memory] == ["zoo:onion1", "zoo:random"]
    # a seed's folder resumes in the one-run trainer too (the scripted entries come back from their names)
    single = Trainer(cfg.replace(seed=1), tmp_path / "resumed" / "fcp-seed1")
    single.load_checkpoint(tmp_path / "resumed" / "fcp-seed1" / "checkpoint.pt")
    assert single.memory.entries[0].actor.onions == (1,)


def test_batched_fcp_needs_a_pool_and_zoo_partners_need_the_gridworld():
    with pytest.raises(ParameterError, match="batched backend"):
        make_population(TrainConfig(algo="fcp", **SMALL), [0, 1])
    with pytest.raises(ParameterError, match="batched backend"):
        PopulationTrainer(TrainConfig(algo="fcp", partner_runs=["zoo:greedy"], **SMALL), [0, 1])
    with pytest.raises(ParameterError, match="cooking"):
        Trainer(TrainConfig(algo="fcp", env="collaborate_defect", partner_runs=["zoo:greedy"], device="cpu"))
    with pytest.raises(ParameterError, match="unknown zoo partner"):
        Trainer(TrainConfig(algo="fcp", partner_runs=["zoo:nobody"], **SMALL))
    with pytest.raises(ParameterError, match="partner_snapshots"):
        TrainConfig(algo="fcp", partner_snapshots="some")
