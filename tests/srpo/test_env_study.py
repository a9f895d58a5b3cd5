"""examples/srpo_env_study.py end to end at tiny budgets: Tag and 4-player Hanabi, the JSON schema, finite values,
a resumed study giving the same numbers; Overcooked's missing extra named."""

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

from rqe.errors import FileFormatError, MissingDependencyError, ParameterError  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "srpo_env_study.py"
TINY = ["--seeds", "2", "--steps", "64", "--episodes", "2", "--workers", "1",
        "--set", "n_envs=4", "n_steps=8", "n_epochs=1", "n_minibatches=1"]


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("srpo_env_study", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _interval(x):
    assert set(x) == {"mean", "ci95", "n"} and x["n"] == 2
    lo, hi = x["ci95"]
    assert all(math.isfinite(v) for v in (x["mean"], lo, hi)) and lo <= x["mean"] <= hi
    return x


def _check_summary(summary, out, env, seats, partners, engine="serial"):
    written = json.loads((out / "summary.json").read_text())
    assert written == json.loads(json.dumps(summary))
    assert (out / "summary.md").read_text().startswith(f"# SRPO study on {env}")
    assert (out / "crossplay_heldout.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert written["env"] == env and written["seats"] == seats and written["seeds"] == 2
    assert written["env_steps_per_seed"] == 64 and written["private_costs"] is False
    assert written["partners"] == partners and "64 env steps per seed" in written["budget_note"]
    assert set(written["methods"]) == {"ippo", "srpo"}
    for method, other in (("ippo", "srpo"), ("srpo", "ippo")):
        m = written["methods"][method]
        for key in ("self_play", "cross_play"):
            _interval(m[key])
        assert m["free_riding"] is None                       # no private costs on these environments
        assert set(m["cross_method"]) == {other} and set(m["heldout"]) == set(partners)
        for x in list(m["cross_method"].values()) + list(m["heldout"].values()):
            _interval(x)
        assert m["config"]["total_steps"] == 64 and m["config"]["algo"] == method
        assert all(len(v) == 2 for v in (m["per_seed"]["self_play"], m["per_seed"]["cross_play"]))
        timing = written["timing"]["train"][method]
        assert timing["engine"] == engine
        assert bool(timing["not_batched_because"]) == (engine != "batched")      # not batched: said why
    d = written["differences"]["srpo-ippo"]
    assert set(d) == {"self_play", "cross_play"} | {f"heldout:{p}" for p in partners}
    for x in d.values():
        assert math.isfinite(x["mean"]) and x["ci95"][0] <= x["mean"] <= x["ci95"][1] and x["n"] == [2, 2]
    srpo, ippo = written["methods"]["srpo"], written["methods"]["ippo"]
    assert d["cross_play"]["mean"] == pytest.approx(srpo["cross_play"]["mean"] - ippo["cross_play"]["mean"])
    return written


def test_tag_study_end_to_end_and_resumed(study, tmp_path):
    args = ["--env", "tag", "--env-arg", "max_cycles=8", "--runs", str(tmp_path / "runs"),
            "--out", str(tmp_path / "out")] + TINY
    summary = study.main(args)
    written = _check_summary(summary, tmp_path / "out", "tag", 2, ["greedy", "random", "still"], engine="batched")
    assert written["methods"]["srpo"]["config"]["tau"] == 10.0
    assert written["methods"]["srpo"]["config"]["epsilon"] == written["methods"]["ippo"]["config"]["epsilon"] == 0.01
    assert written["env_kwargs"] == {"reward_scale": 0.1, "max_cycles": 8}
    assert written["timing"]["train"]["srpo"]["trained_now"] is True
    again = study.main(args)                 # the finished runs are resumed, not retrained: same numbers
    assert again["timing"]["train"]["srpo"]["trained_now"] is False
    assert again["methods"] == summary["methods"] and again["differences"] == summary["differences"]


def test_four_player_hanabi_study_with_shared_policy(study, tmp_path):
    pytest.importorskip("pyspiel")
    out = tmp_path / "out"
    summary = study.main(["--env", "hanabi", "--runs", str(tmp_path / "runs"), "--out", str(out)] + TINY)
    written = _check_summary(summary, out, "hanabi", 4, ["random", "rule_bot"])
    assert written["env_kwargs"] == {"players": 4, "colors": 3, "ranks": 3}
    srpo = written["methods"]["srpo"]["config"]
    assert (srpo["tau"], srpo["epsilon"]) == (0.01, 0.001)
    assert "4 players" in written["timing"]["train"]["ippo"]["not_batched_because"]


def test_batched_backend_refused_with_the_reason(study, tmp_path):
    args = ["--env", "tag", "--env-arg", "num_adversaries=3", "max_cycles=8", "--runs", str(tmp_path / "runs"),
            "--out", str(tmp_path / "out"), "--no-figure"] + TINY
    with pytest.raises(ParameterError, match="two-player games"):
        study.main(args[:2] + ["--backend", "batched"] + args[2:])
    summary = study.main(args + ["--methods", "ippo", "srpo"])     # auto: trained seed by seed, the reason kept
    assert {m["engine"] for m in summary["timing"]["train"].values()} == {"serial"}
    assert "two-player games" in summary["timing"]["train"]["srpo"]["not_batched_because"]


def test_measure_backends_adds_to_speed_json(study, tmp_path):
    (tmp_path / "speed.json").write_text(json.dumps({"env": "tag", "methods": {"ippo": {}}}))
    args = ["--env", "tag", "--env-arg", "max_cycles=8", "--measure-backends", "64", "--out", str(tmp_path)] + TINY
    study.main(args)
    written = json.loads((tmp_path / "speed.json").read_text())
    assert written["methods"] == {"ippo": {}}                     # what --measure wrote is kept
    backends = written["backends"]
    assert backends["command"] == "python examples/srpo_env_study.py " + " ".join(args)
    assert [(r["round"], r["method"], r["engine"]) for r in backends["runs"]] == [
        (0, "ippo", "batched"), (0, "ippo", "process"), (0, "srpo", "batched"), (0, "srpo", "process"),
        (1, "ippo", "process"), (1, "ippo", "batched"), (1, "srpo", "process"), (1, "srpo", "batched")]
    assert all(r["env_steps"] == 2 * 64 and len(r["load_average_before"]) == 3 for r in backends["runs"])
    for method in ("ippo", "srpo"):
        totals = backends["totals"][method]
        assert set(totals) == {"batched", "process", "batched_over_process"}
        assert all(math.isfinite(v) and v > 0 for v in totals["batched"].values())


def test_bad_arguments_are_named(study, tmp_path):
    with pytest.raises(ParameterError, match="at least two seeds"):
        study.main(["--env", "tag", "--seeds", "1", "--out", str(tmp_path)])
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        study.main(["--env", "tag", "--env-arg", "max_cycles", "--out", str(tmp_path)])
    with pytest.raises(ParameterError, match="variants set tau"):
        study.method_spec("srpo:lr=1")


def test_eval_calls_counts_the_seatings(study):
    # Hanabi, 4 seats, seating "one" (4 seatings), 2 partners: per job 1 + 7*4 + 8*4 + 2*4 = 69
    assert study.eval_calls(8, 2, 4, 4, 2) == 16 * 69
    assert study.eval_calls(2, 1, 2, 2, 3) == 2 * (1 + 2 + 6)


def test_every_srpo_method_is_compared_with_the_others(study):
    def rows(shift):
        values = [shift + 0.1 * k for k in range(4)]
        return {"self_play": values, "cross_play": values, "free_riding": [None] * 4, "cross_method": {},
                "heldout": {"random": values}}

    _, differences = study.summarize({"ippo": rows(0.0), "srpo": rows(1.0), "srpo:tau=1": rows(3.0)})
    assert sorted(differences) == ["srpo-ippo", "srpo-srpo:tau=1", "srpo:tau=1-ippo"]
    # equal spreads: the difference of means is exactly the shift
    assert differences["srpo:tau=1-ippo"]["cross_play"]["mean"] == pytest.approx(3.0)
    assert differences["srpo-srpo:tau=1"]["heldout:random"]["mean"] == pytest.approx(-2.0)
    _, alone = study.summarize({"ippo": rows(0.0), "srpo:tau=1": rows(1.0)})
    assert list(alone) == ["srpo:tau=1-ippo"]


def test_every_setting_builds_its_configs(study):
    for name, setting in study.ENV_SETTINGS.items():
        for method in ("ippo", "srpo", "mappo"):
            cfg = study.method_config(setting, method, setting["steps"])
            assert cfg.env == setting["env"] and cfg.total_steps == setting["steps"]
            assert (cfg.tau == setting["tau"]) or method != "srpo"


def test_overcooked_without_the_package_names_the_extra(study, tmp_path, monkeypatch):
    # the package hidden (make install installs it), in this process and in the script run as a program
    monkeypatch.setitem(sys.modules, "overcooked_ai_py", None)
    monkeypatch.setitem(sys.modules, "overcooked_ai_py.mdp", None)
    with pytest.raises(MissingDependencyError, match=r"rqe\[overcooked\]"):
        study.main(["--env", "overcooked:cramped_room", "--out", str(tmp_path / "out")] + TINY)
    assert not (tmp_path / "out").exists()          # refused before anything was written
    hidden = ("import runpy, sys; sys.modules['overcooked_ai_py'] = None; sys.argv = sys.argv[1:]; "
              "runpy.run_path(sys.argv[0], run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", hidden, str(SCRIPT), "--env", "overcooked:asymmetric_advantages",
                          "--out", str(tmp_path / "o2")], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=120)
    assert run.returncode == 2 and "pip install 'rqe[overcooked]'" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "o2").exists()


def test_overcooked_study_trains_on_shaped_and_evaluates_on_sparse_reward(study, tmp_path):
    pytest.importorskip("overcooked_ai_py.mdp.overcooked_mdp")
    out = tmp_path / "out"
    summary = study.main(["--env", "overcooked:cramped_room", "--env-arg", "horizon=8", "--runs", str(tmp_path / "r"),
                          "--out", str(out)] + TINY)
    written = _check_summary(summary, out, "overcooked:cramped_room", 2, ["random", "stay"])
    assert written["env_kwargs"] == {"horizon": 8, "reward_shaping": 1.0}
    assert written["eval_env_kwargs"] == {"horizon": 8, "reward_shaping": 0.0}
    # 8 steps cannot cook a soup: with the sparse reward of evaluation every return is exactly 0
    for m in written["methods"].values():
        assert m["self_play"]["mean"] == 0.0 and all(x["mean"] == 0.0 for x in m["heldout"].values())


@pytest.mark.slow
def test_script_trains_and_evaluates_on_two_worker_processes(tmp_path):
    # seeds trained (--backend process; auto would batch Tag) and evaluated on spawned worker processes, the script
    # run as a program
    tiny = [a for a in TINY if a not in ("--workers", "1")]
    run = subprocess.run([sys.executable, str(SCRIPT), "--env", "tag", "--env-arg", "max_cycles=8", "--workers", "2",
                          "--backend", "process",
                          "--runs", str(tmp_path / "runs"), "--out", str(tmp_path / "out"), "--no-figure"] + tiny,
                         capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": ""},
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert {m["engine"] for m in written["timing"]["train"].values()} == {"process"}
    assert written["timing"]["workers"] == 2
    for m in written["methods"].values():
        _interval(m["cross_play"])


def test_rescore_rewrites_a_committed_summary_unchanged_and_adds_a_baseline(study, tmp_path):
    """--rescore recomputes the intervals and differences from the stored per-seed values (the committed Tag study
    comes out the same); --baseline adds each method minus each of the other study's methods."""
    committed = ROOT / "examples" / "results" / "tag_study" / "summary.json"
    original = json.loads(committed.read_text())
    out, other = tmp_path / "out", tmp_path / "other"
    for folder in (out, other):
        folder.mkdir()
        (folder / "summary.json").write_text(committed.read_text())
    same = study.main(["--env", "tag", "--rescore", "--out", str(out), "--no-figure"])
    assert same["methods"] == original["methods"] and same["differences"] == original["differences"]
    # the baseline: the same study with every IPPO value 1 lower
    shifted = json.loads(committed.read_text())
    rows = shifted["methods"]["ippo"]["per_seed"]
    for key in ("self_play", "cross_play"):
        rows[key] = [v - 1.0 for v in rows[key]]
    rows["heldout"] = {p: [v - 1.0 for v in vs] for p, vs in rows["heldout"].items()}
    (other / "summary.json").write_text(json.dumps(shifted))
    summary = study.main(["--env", "tag", "--rescore", "--out", str(out), "--baseline", str(other / "summary.json"),
                          "--no-figure"])
    vs = summary["vs_baseline"]
    assert sorted(vs) == ["ippo-ippo", "ippo-srpo", "srpo-ippo", "srpo-srpo"]
    assert vs["ippo-ippo"]["cross_play"]["mean"] == pytest.approx(1.0)
    assert vs["srpo-ippo"]["heldout:greedy"]["mean"] == pytest.approx(original["differences"]["srpo-ippo"][
        "heldout:greedy"]["mean"] + 1.0)
    assert vs["srpo-srpo"]["self_play"]["mean"] == pytest.approx(0.0)
    assert "minus each method of the baseline" in (out / "summary.md").read_text()
    assert json.loads((out / "summary.json").read_text())["baseline"] == str(other / "summary.json")


def test_rescore_and_baseline_errors_name_the_problem(study, tmp_path):
    with pytest.raises(FileFormatError, match="no study summary"):
        study.main(["--env", "tag", "--rescore", "--out", str(tmp_path / "empty"), "--no-figure"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text((ROOT / "examples" / "results" / "tag_study" / "summary.json").read_text())
    with pytest.raises(FileFormatError, match="baseline"):
        study.main(["--env", "tag", "--rescore", "--out", str(out), "--baseline", str(tmp_path / "nope.json"),
                    "--no-figure"])
    hanabi = ROOT / "examples" / "results" / "hanabi_study" / "summary.json"
    with pytest.raises(ParameterError, match="'hanabi'"):
        study.main(["--env", "tag", "--rescore", "--out", str(out), "--baseline", str(hanabi), "--no-figure"])
