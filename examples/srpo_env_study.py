"""SRPO against IPPO on Tag, Hanabi or Overcooked: self-play, N-seat cross-play and held-out partners over seeds.

One study per environment (``--env``), each with its settings in :data:`ENV_SETTINGS`:

* ``tag``: MPE ``simple_tag`` (:class:`rqe.srpo.tag.Tag`, the paper's scenario: 2 predators, 1 fleeing prey,
  2 obstacles, 100 steps) with the authors' reward scale 0.1; the paper's SRPO settings tau 10, eps 0.01
  ([QZLM Sec. 5], ``docs/rqe-math.md`` section 8);
* ``hanabi``: OpenSpiel's Hanabi with 3 colours, 3 ranks and 4 players, one policy shared by every seat (SRPO: one
  adversary on a seat drawn per copy), the paper's tau 0.01, eps 0.001;
* ``overcooked:cramped_room`` and ``overcooked:asymmetric_advantages``: Overcooked-AI kitchens (``pip install
  'rqe[overcooked]'``), horizon 400, the package's shaped reward (weight 1) in training and the sparse soup reward
  in evaluation, rqe's tuned PPO preset with gamma 0.99, GAE lambda 0.95, eps 0.01 and a 2 x 128 network on
  rollouts of 10 copies x 400 steps (the settings of the package's own ``human_aware_rl`` PPO runs, entropy 0.1 and
  gamma 0.964, had not learned to cook after 248,000 env steps: ``docs/srpo-envs-study.md``). The paper has no
  Overcooked runs; SRPO takes tau 1, the value that did not collapse in the cooking gridworld's 2M-step ablation.

Every method (default ``ippo srpo``; ``mappo`` and variants such as ``srpo:tau=1`` also work) is trained with the
same budget of ``--steps`` environment steps per seed, with the batched population backend where it supports the
environment and seed by seed on ``--workers`` processes otherwise (``--backend``; the engine used, and why the
batched one was refused, are kept in the JSON under ``timing.train``): Tag (2 predators) trains batched; Overcooked
(draws its own noise) and Hanabi (legal-action masks, 4 players) train on processes. Then, per seed:

* ``self_play``: team return (mean over seats of each seat's episode return) of the seed's own team;
* ``cross_play``: mean team return of the seed mixed with every other seed of its method over the seatings
  ``--seating`` of :func:`rqe.srpo.play.seatings` (``one``: the seed in one seat and the other seed in every other
  seat, over the seats; ``all``: every mixture; the same with two seats);
* ``cross_method[other]``: the same with every seed of each other method (partners it never trained with);
* ``heldout[partner]``: the seed's policy in one seat and a scripted partner in every other, over the seats
  (:func:`rqe.srpo.play.heldout_values`; Tag: greedy, random and still predators; Hanabi: the rule bot and random
  legal moves; Overcooked: random and stay cooks; overcooked-ai's planning agents are not wrapped);
* ``free_riding``: the free-riding degree of the seed's own team, only where the environment has private costs
  (none of these has: it is ``null``).

Each figure is ``{"mean", "ci95", "n"}`` over seeds (percentile bootstrap, :func:`rqe.srpo.stats.bootstrap_ci`);
``differences["<srpo method>-<method>"]`` holds each SRPO method minus each other method (independent groups of
seeds, :func:`rqe.srpo.stats.difference_ci`). Written to ``--out`` (default ``examples/results/<env>_study``):
``summary.json`` (settings, budget, timing, per-seed values), ``summary.md`` (tables) and ``crossplay_heldout.png``.
Trained runs go to ``--runs`` (not committed); an existing finished run is resumed, not retrained.

Default budgets (``steps`` in :data:`ENV_SETTINGS`) are set so that IPPO and SRPO x 8 seeds, training and
evaluation, take about an hour on 2 cores, from the env steps per CPU second of short runs of this script
(``docs/srpo-envs-study.md``).

``--baseline OTHER/summary.json`` adds each method minus each of another study's methods on the same environment
(``vs_baseline``, :func:`compare_with`), e.g. a variant trained with another budget (``--methods srpo --steps
600000 --out DIR``) against the main study; ``--rescore`` rewrites ``--out``'s summary from its stored per-seed
values, nothing trained or evaluated (with ``--baseline`` it adds the comparison to a finished study).

``--measure STEPS`` times one seed of each method and writes ``speed.json`` with the fitting budget;
``--measure-backends STEPS`` times ``--seeds`` seeds batched against ``--workers`` processes and adds them to
``speed.json`` under ``"backends"``.

Run (from the repository root, this checkout's ``rqe`` importable: ``pip install -e .`` or ``PYTHONPATH=$PWD``):

    nice python examples/srpo_env_study.py --env hanabi            # --seeds 8 --workers 2 by default

Reference: [QZLM] C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training Generalizable Collaborative Agents via
Strategic Risk Aversion*, arXiv 2602.21515, 2026.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from rqe.srpo.config import method_folder as run_folder, parse_method as method_spec

_OVERCOOKED = dict(
    env_kwargs={"horizon": 400, "reward_shaping": 1.0}, eval_env_kwargs={"horizon": 400, "reward_shaping": 0.0},
    config=dict(preset="tuned", epsilon=0.01, gamma=0.99, gae_lambda=0.95, hidden=128, n_envs=10, n_steps=400,
                anneal_lr=False),
    episodes=8, seating="one", tau=1.0,
    source="overcooked-ai's shaped reward in training, sparse in evaluation; rqe's tuned PPO preset with gamma "
           "0.99, GAE lambda 0.95, eps 0.01, 2 x 128 units, 10 copies x 400 steps; tau 1 from the cooking "
           "gridworld's 2M-step ablation (the paper has no Overcooked runs)",
)

#: Per environment: the environment and its training / evaluation keyword arguments, the TrainConfig fields of
#: every method (``config``), SRPO's ``tau``, the default budget ``steps`` (env steps per seed and method), the
#: evaluation ``episodes`` per seating and the cross-play ``seating``.
ENV_SETTINGS: dict[str, dict[str, Any]] = {
    "tag": dict(
        env="tag", env_kwargs={"reward_scale": 0.1}, eval_env_kwargs={"reward_scale": 0.1},
        config=dict(preset="tuned", epsilon=0.01), tau=10.0, steps=2_500_000, episodes=64, seating="one",
        source="the paper's Tag settings (tau 10, eps 0.01; the authors' reward scale 0.1); rqe's tuned PPO preset",
    ),
    "hanabi": dict(
        env="hanabi", env_kwargs={"players": 4, "colors": 3, "ranks": 3},
        eval_env_kwargs={"players": 4, "colors": 3, "ranks": 3},
        config=dict(preset="tuned", epsilon=0.001), tau=0.01, steps=400_000, episodes=32, seating="one",
        source="the paper's Hanabi settings (3 colours, 3 ranks, 4 players, one shared policy, tau 0.01, "
               "eps 0.001); rqe's tuned PPO preset",
    ),
    "overcooked:cramped_room": dict(env="overcooked:cramped_room", steps=400_000, **_OVERCOOKED),
    "overcooked:asymmetric_advantages": dict(env="overcooked:asymmetric_advantages", steps=300_000, **_OVERCOOKED),
}
TAU_ALGOS = ("srpo", "adversarial")


def method_config(setting: dict[str, Any], method: str, steps: int) -> Any:
    """The :class:`rqe.srpo.TrainConfig` of ``method`` on ``setting`` (seed 0)."""
    from rqe.srpo.config import TrainConfig

    algo, overrides = method_spec(method)
    fields = dict(setting["config"])
    if algo in TAU_ALGOS:
        fields["tau"] = setting["tau"]
    fields.update(overrides)
    return TrainConfig(algo=algo, env=setting["env"], env_kwargs=dict(setting["env_kwargs"]), total_steps=steps,
                       device="cpu", **fields)


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def train_method(cfg: Any, seeds: list[int], folder: Path, backend: str, workers: int) -> dict[str, Any]:
    """Train (or resume) ``seeds`` of ``cfg`` into ``folder/<algo>-seed<k>``; the engine used and the timing."""
    from rqe.errors import ParameterError
    from rqe.srpo.parallel import run_jobs, train_job
    from rqe.srpo.population import PopulationTrainer

    wall, cpu = time.perf_counter(), _cpu_seconds()
    paths = [folder / f"{cfg.algo}-seed{s}" for s in seeds]
    done = [(p / "checkpoint.pt").exists() for p in paths]
    engine, why = backend, None
    if backend in ("auto", "batched"):
        try:
            population = PopulationTrainer(cfg, seeds, folder)
            engine = "batched"
        except ParameterError as exc:
            if backend == "batched":
                raise
            engine, why = ("process" if workers > 1 else "serial"), str(exc)
    if engine == "batched":
        population.train(progress=False, resume=all(done))
        steps = population.env_steps
    else:
        jobs = [{"config": cfg.replace(seed=s).to_dict(), "out": str(p), "resume": d}
                for s, p, d in zip(seeds, paths, done)]
        summaries = run_jobs(train_job, jobs, workers=workers, backend=engine)
        steps = summaries[0]["env_steps"]
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    fresh = not any(done)
    return {"engine": engine, "not_batched_because": why, "env_steps_per_seed": int(steps),
            "wall_s": wall, "cpu_s": cpu, "trained_now": fresh,
            "env_steps_per_cpu_s": steps * len(seeds) / cpu if fresh and cpu > 0 else None,
            "env_steps_per_wall_s": steps * len(seeds) / wall if fresh and wall > 0 else None}


def _eval_job(job: dict[str, Any]) -> dict[str, Any]:
    """Every measure of one seed of one method (module docstring); top level so it runs in a worker process."""
    from rqe.srpo.evaluate import load_run
    from rqe.srpo.play import evaluate_pair, heldout_values, mixed_team

    def load(path: str) -> Any:
        return dataclasses.replace(load_run(path), env_kwargs=dict(job["eval_env_kwargs"]))

    own = load(job["run"])
    kw = dict(env=own.env, env_kwargs=own.env_kwargs, episodes=job["episodes"])
    seed = job["seed"]
    pair = evaluate_pair(list(own.seats), seed=seed, **kw)
    out: dict[str, Any] = {"self_play": pair.team_return, "free_riding": pair.free_riding, "cross_method": {}}
    teams = [mixed_team(own.seats, load(p).seats, how=job["seating"], seed=seed + 100 * (j + 1), **kw)["team"]
             for j, p in enumerate(job["same_method"])]
    out["cross_play"] = float(np.mean(teams)) if teams else None
    for other, runs in job["other_methods"].items():
        out["cross_method"][other] = float(np.mean(
            [mixed_team(own.seats, load(p).seats, how=job["seating"], seed=seed + 10_000 + 100 * j, **kw)["team"]
             for j, p in enumerate(runs)]))
    out["heldout"] = heldout_values(own, None, job["episodes"], seed + 50_000)
    return out


def evaluate_methods(setting: dict[str, Any], folders: dict[str, list[str]], episodes: int, seating: str,
                     workers: int) -> tuple[dict[str, dict[str, Any]], float]:
    """Per method, per-seed lists of every measure; and the evaluation's wall time."""
    from rqe.srpo.parallel import run_jobs

    start = time.perf_counter()
    jobs, keys = [], []
    for method, runs in folders.items():
        for k, run in enumerate(runs):
            jobs.append({"run": run, "same_method": [r for j, r in enumerate(runs) if j != k],
                         "other_methods": {m: r for m, r in folders.items() if m != method},
                         "eval_env_kwargs": setting["eval_env_kwargs"], "episodes": episodes, "seating": seating,
                         "seed": 1_000_000 * (k + 1)})
            keys.append(method)
    results = run_jobs(_eval_job, jobs, workers=workers, backend="process" if workers > 1 else "serial")
    per_seed: dict[str, dict[str, Any]] = {}
    for method, r in zip(keys, results):
        rows = per_seed.setdefault(method, {"self_play": [], "cross_play": [], "free_riding": [],
                                            "cross_method": {}, "heldout": {}})
        for key in ("self_play", "cross_play", "free_riding"):
            rows[key].append(r[key])
        for group in ("cross_method", "heldout"):
            for name, value in r[group].items():
                rows[group].setdefault(name, []).append(value)
    return per_seed, time.perf_counter() - start


def summarize(per_seed: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bootstrap intervals per method; each SRPO method (``srpo`` and variants such as ``srpo:tau=1``) minus each
    other method, under the key ``"<srpo method>-<other>"`` (a variant is compared with ``srpo`` once, as
    ``srpo-<variant>``)."""
    from rqe.srpo.stats import bootstrap_ci, method_differences

    def ci(values: list[Any]) -> dict[str, Any] | None:
        return None if not values or any(v is None for v in values) else bootstrap_ci(values)

    methods = {}
    for method, rows in per_seed.items():
        methods[method] = {"self_play": ci(rows["self_play"]), "cross_play": ci(rows["cross_play"]),
                           "free_riding": ci(rows["free_riding"]),
                           "cross_method": {m: ci(v) for m, v in rows["cross_method"].items()},
                           "heldout": {p: ci(v) for p, v in rows["heldout"].items()}}
    srpo = [m for m in per_seed if method_spec(m)[0] == "srpo"]
    pairs = [(m, o) for m in srpo for o in per_seed if o != m and (o not in srpo or m == "srpo")]
    partners = list(dict.fromkeys(p for r in per_seed.values() for p in r["heldout"]))
    return methods, method_differences(_flat(per_seed), pairs, _measures(partners))


def _flat(per_seed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per method the per-seed values of the compared measures: self-play, cross-play, ``heldout:<partner>``."""
    return {m: {"self_play": r["self_play"], "cross_play": r["cross_play"],
                **{f"heldout:{p}": v for p, v in r["heldout"].items()}} for m, r in per_seed.items()}


def _measures(partners: list[str]) -> list[str]:
    return ["self_play", "cross_play"] + [f"heldout:{p}" for p in partners]


def compare_with(summary: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Each method of ``summary`` minus each method of ``other``, another study on the same environment (e.g. a
    variant trained with another budget beside the main study): self-play, cross-play and the held-out partners
    both have, from the per-seed values (independent groups of seeds, :func:`rqe.srpo.stats.method_differences`)."""
    from rqe.errors import ParameterError
    from rqe.srpo.stats import method_differences

    if other.get("env") != summary["env"]:
        raise ParameterError(f"the baseline is a study of {other.get('env')!r}, this one of {summary['env']!r}")
    mine = _flat({m: e["per_seed"] for m, e in summary["methods"].items()})
    theirs = _flat({m: e["per_seed"] for m, e in other["methods"].items()})
    partners = [p for p in summary["partners"] if p in other.get("partners", [])]
    return method_differences(mine, [(m, o) for m in mine for o in theirs], _measures(partners), theirs)


def _fmt(x: dict[str, Any] | None) -> str:
    return "-" if x is None else f"{x['mean']:.3g} [{x['ci95'][0]:.3g}, {x['ci95'][1]:.3g}]"


def markdown(summary: dict[str, Any]) -> str:
    """The tables of ``summary`` (team returns, mean over seeds [95% bootstrap interval])."""
    methods, partners = summary["methods"], summary["partners"]
    others = sorted({o for m in methods.values() for o in m["cross_method"]})
    lines = [f"# SRPO study on {summary['env']}", "", f"{summary['budget_note']}. Settings: {summary['source']}.", "",
             "Team return, mean over seeds [95% bootstrap interval]; cross-play over the seatings "
             f"'{summary['seating']}'. Written by `examples/srpo_env_study.py`.", "",
             "| method | self-play | cross-play | " + " | ".join(f"with {o}" for o in others + partners) + " |",
             "|---" * (3 + len(others) + len(partners)) + "|"]
    for name, m in methods.items():
        cells = [_fmt(m["self_play"]), _fmt(m["cross_play"])] + [_fmt(m["cross_method"].get(o)) for o in others]
        cells += [_fmt(m["heldout"][p]) for p in partners]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if summary["differences"]:
        lines += ["", "Each SRPO method minus each other method (independent seeds, bootstrap interval of the "
                  "difference of means):", "",
                  "| comparison | self-play | cross-play | " + " | ".join(partners) + " |",
                  "|---" * (3 + len(partners)) + "|"]
        for name, d in summary["differences"].items():
            cells = [_fmt(d.get("self_play")), _fmt(d.get("cross_play"))] + [_fmt(d[f"heldout:{p}"]) for p in partners]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if summary.get("vs_baseline"):
        common = [p for p in partners if any(f"heldout:{p}" in d for d in summary["vs_baseline"].values())]
        lines += ["", f"Each method minus each method of the baseline `{summary['baseline']}` "
                  f"({summary['baseline_budget_note']}; independent seeds):", "",
                  "| comparison | self-play | cross-play | " + " | ".join(common) + " |",
                  "|---" * (3 + len(common)) + "|"]
        for name, d in summary["vs_baseline"].items():
            cells = [_fmt(d.get(k)) for k in _measures(common)]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if not summary["private_costs"]:
        lines += ["", "No private costs on this environment: no free-riding degree."]
    return "\n".join(lines) + "\n"


def figure(summary: dict[str, Any], path: Path) -> Path:
    """Bars of cross-play, cross-method (with two methods) and held-out partner returns per method with their 95%
    intervals."""
    from rqe._optional import require
    from rqe._files import save_figure

    require("matplotlib", "plot", "the study figure")
    from matplotlib.figure import Figure

    methods = list(summary["methods"])
    two = len(methods) == 2          # with two methods, each one's bar "other method" is the cross-method return
    groups = ["cross_play"] + (["other method"] if two else []) + [f"heldout:{p}" for p in summary["partners"]]
    fig = Figure(figsize=(1.6 + 1.3 * len(groups), 3.6))
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / max(1, len(methods))
    for i, method in enumerate(methods):
        m = summary["methods"][method]
        cells = [m["cross_play"]] + (list(m["cross_method"].values()) if two else [])
        cells += [m["heldout"][p] for p in summary["partners"]]
        x = np.arange(len(groups)) + (i - (len(methods) - 1) / 2) * width
        means = np.array([np.nan if c is None else c["mean"] for c in cells])
        lo = np.array([np.nan if c is None else c["mean"] - c["ci95"][0] for c in cells])
        hi = np.array([np.nan if c is None else c["ci95"][1] - c["mean"] for c in cells])
        ax.bar(x, means, width, yerr=np.vstack([lo, hi]), capsize=3, label=method)
    ax.set_xticks(np.arange(len(groups)), [g.replace("heldout:", "with ").replace("_", " ") for g in groups])
    ax.set_ylabel("team return (95% bootstrap CI)")
    ax.set_title(f"{summary['env']}: {summary['seeds']} seeds, {summary['env_steps_per_seed']} env steps each",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path)


def _pairs(items: list[str], flag: str) -> dict[str, Any]:
    """``["a=1", "b=x"]`` -> ``{"a": 1, "b": "x"}`` (values read as JSON where they parse)."""
    from rqe.errors import ParameterError

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(f"{flag} takes KEY=VALUE, got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def eval_calls(seeds: int, methods: int, seats: int, seatings: int, partners: int) -> int:
    """Seatings played by the evaluation (one :func:`rqe.srpo.play.evaluate_pair` each): per seed and method, its
    own team, ``seatings`` with each other seed and with every seed of each other method, ``seats`` per partner.

    >>> eval_calls(8, 2, 2, 2, 3)      # Tag: 16 jobs of 1 + 7*2 + 8*2 + 3*2
    592
    """
    per_job = 1 + (seeds - 1) * seatings + (methods - 1) * seeds * seatings + partners * seats
    return methods * seeds * per_job


def measure(setting: dict[str, Any], args: argparse.Namespace, steps: int, episodes: int, seating: str,
            n_seats: int, out: Path) -> dict[str, Any]:
    """Env steps per CPU second of one seed of each method and CPU seconds per evaluated seating, in this process
    (one torch thread); the budget per seed that fits ``args.hour_cpu_s`` for ``args.seeds`` seeds. Written to
    ``out/speed.json``."""
    import os

    from rqe._files import write_text
    from rqe.srpo.play import evaluate_pair, seatings
    from rqe.srpo.trainer import Trainer
    from rqe.srpo import zoo_envs

    speed: dict[str, Any] = {"env": args.env, "steps_measured": steps, "episodes": episodes, "seating": seating,
                             "load_average_before": list(os.getloadavg()), "methods": {}}
    policies = {}
    for method in args.methods:
        trainer = Trainer(method_config(setting, method, steps), None)
        cpu, wall = time.process_time(), time.perf_counter()
        trainer.train(progress=False)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        speed["methods"][method] = {"env_steps": trainer.env_steps, "cpu_s": cpu, "wall_s": wall,
                                    "env_steps_per_cpu_s": trainer.env_steps / cpu}
        policies[method] = trainer.policies()
    first = next(iter(policies.values()))
    kw = dict(env=setting["env"], env_kwargs=setting["eval_env_kwargs"], episodes=episodes)
    cpu = time.process_time()
    samples = 3
    for k in range(samples):
        evaluate_pair(first, seed=k, **kw)
    per_call = (time.process_time() - cpu) / samples
    partners = len(zoo_envs.partners(setting["env"], **setting["eval_env_kwargs"]))
    calls = eval_calls(args.seeds, len(args.methods), n_seats, len(seatings(n_seats, seating)), partners)
    train_cpu_per_step = sum(args.seeds / m["env_steps_per_cpu_s"] for m in speed["methods"].values())
    budget = (args.hour_cpu_s - calls * per_call) / train_cpu_per_step
    speed.update({"eval_cpu_s_per_seating": per_call, "eval_seatings": calls, "eval_cpu_s": calls * per_call,
                  "seeds": args.seeds, "hour_cpu_s": args.hour_cpu_s, "fitting_steps_per_seed": int(budget),
                  "load_average_after": list(os.getloadavg())})
    write_text(out / "speed.json", json.dumps(speed, indent=2))
    print(json.dumps(speed, indent=2))
    return speed


def measure_backends(setting: dict[str, Any], args: argparse.Namespace, steps: int, out: Path,
                     argv: list[str] | None) -> dict[str, Any]:
    """Train ``args.seeds`` seeds of each method for ``steps`` env steps with the batched backend (one process, one
    torch thread) and as ``args.workers`` worker processes, interleaved over two rounds (batched first in the first
    round, processes first in the second), with :func:`train_method` as the study does (folders in a temporary
    directory). Env steps of all seeds per wall and per CPU second (this process and its finished workers), with
    the load average around each run; written under ``"backends"`` in ``out/speed.json``."""
    import os
    import tempfile

    from rqe._files import write_text

    seeds = list(range(args.seeds))
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(2):
            for method in args.methods:
                order = ("batched", "process") if round_ == 0 else ("process", "batched")
                for engine in order:
                    cfg = method_config(setting, method, steps)
                    load = list(os.getloadavg())
                    folder = Path(tmp) / f"{round_}-{engine}" / run_folder(method)
                    t = train_method(cfg, seeds, folder, engine, args.workers)
                    runs.append({"round": round_, "method": method, "engine": t["engine"],
                                 "env_steps": t["env_steps_per_seed"] * len(seeds), "wall_s": t["wall_s"],
                                 "cpu_s": t["cpu_s"], "load_average_before": load,
                                 "load_average_after": list(os.getloadavg())})
                    print(f"round {round_} {method} {engine}: {runs[-1]['env_steps'] / t['wall_s']:.0f} env steps / "
                          f"wall s, {runs[-1]['env_steps'] / t['cpu_s']:.0f} / CPU s", flush=True)
    totals: dict[str, Any] = {}
    for method in args.methods:
        totals[method] = {}
        for engine in ("batched", "process"):
            mine = [r for r in runs if r["method"] == method and r["engine"] == engine]
            steps_all = sum(r["env_steps"] for r in mine)
            totals[method][engine] = {"env_steps_per_wall_s": steps_all / sum(r["wall_s"] for r in mine),
                                      "env_steps_per_cpu_s": steps_all / sum(r["cpu_s"] for r in mine)}
        b, q = totals[method]["batched"], totals[method]["process"]
        totals[method]["batched_over_process"] = {k: b[k] / q[k] for k in b}
    backends = {"command": "python examples/srpo_env_study.py " + " ".join(sys.argv[1:] if argv is None else argv),
                "seeds": args.seeds, "env_steps_per_seed": steps, "workers": args.workers,
                "cpu_count": os.cpu_count(), "totals": totals, "runs": runs}
    path = out / "speed.json"
    speed = json.loads(path.read_text()) if path.exists() else {"env": args.env}
    speed["backends"] = backends
    write_text(path, json.dumps(speed, indent=2))
    print(json.dumps(totals, indent=2))
    return backends


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, choices=sorted(ENV_SETTINGS))
    parser.add_argument("--methods", nargs="+", default=["ippo", "srpo"])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=None, help="env steps per seed and method (default: per env)")
    parser.add_argument("--episodes", type=int, default=None, help="evaluation episodes per seating (default: per env)")
    parser.add_argument("--seating", choices=("one", "all"), default=None, help="cross-play seatings (default: per env)")
    parser.add_argument("--backend", choices=("auto", "batched", "process", "serial"), default="auto",
                        help="auto: batched where the environment supports it, else processes")
    parser.add_argument("--workers", type=int, default=2, help="processes for training and evaluation")
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="TrainConfig fields for every method (e.g. n_envs=4 n_steps=8 for a smoke test)")
    parser.add_argument("--env-arg", nargs="*", default=[], metavar="KEY=VALUE",
                        help="environment arguments for training and evaluation (e.g. max_cycles=10)")
    parser.add_argument("--measure", type=int, default=None, metavar="STEPS",
                        help="instead of the study: train one seed of each method for STEPS env steps, time it and "
                             "an evaluation sample, and write speed.json with the budget that fits --hour-cpu-s")
    parser.add_argument("--measure-backends", type=int, default=None, metavar="STEPS",
                        help="instead of the study: train --seeds seeds of each method for STEPS env steps batched "
                             "and on --workers processes, interleaved, and write their speeds under 'backends' in "
                             "speed.json")
    parser.add_argument("--hour-cpu-s", type=float, default=7200.0,
                        help="CPU seconds the study may take (--measure; default 2 cores x 1 hour)")
    parser.add_argument("--runs", default=None, help="trained runs (default runs/<env>_study; not committed)")
    parser.add_argument("--out", default=None, help="default examples/results/<env>_study")
    parser.add_argument("--no-figure", action="store_true")
    parser.add_argument("--baseline", default=None, metavar="SUMMARY",
                        help="another study's summary.json on the same env: add each method minus each of its "
                             "methods (vs_baseline)")
    parser.add_argument("--rescore", action="store_true",
                        help="rewrite --out's summary from its stored per-seed values (with --baseline: add "
                             "vs_baseline); nothing trained or evaluated")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train, evaluate and write the study; returns the summary."""
    from rqe._files import make_folder
    from rqe.errors import ParameterError
    from rqe.srpo._torch import torch
    from rqe.srpo.zoo_envs import make

    args = parse_args(argv)
    torch.set_num_threads(1)
    setting = dict(ENV_SETTINGS[args.env])
    name = args.env.replace(":", "_")
    if args.seeds < 2:
        raise ParameterError(f"cross-play needs at least two seeds, got --seeds {args.seeds}")
    if args.workers < 1:
        raise ParameterError(f"--workers must be >= 1, got {args.workers}")
    setting["config"] = {**setting["config"], **_pairs(args.set, "--set")}
    extra = _pairs(args.env_arg, "--env-arg")
    setting["env_kwargs"] = {**setting["env_kwargs"], **extra}
    setting["eval_env_kwargs"] = {**setting["eval_env_kwargs"], **extra}
    steps = args.steps or setting["steps"]
    episodes = args.episodes or setting["episodes"]
    seating = args.seating or setting["seating"]
    probe = make(setting["env"], 1, **setting["eval_env_kwargs"])     # a missing extra fails here, named
    private_costs, n_seats = bool(getattr(probe, "private_costs", True)), int(probe.n_agents)
    runs = Path(args.runs or f"runs/{name}_study")
    out = make_folder(args.out or f"examples/results/{name}_study")
    if args.rescore:
        return rescore(out, args.baseline, figure_too=not args.no_figure)
    if args.measure is not None:
        return measure(setting, args, args.measure, episodes, seating, n_seats, out)
    if args.measure_backends is not None:
        return measure_backends(setting, args, args.measure_backends, out, argv)
    seeds = list(range(args.seeds))

    timing, folders, configs = {}, {}, {}
    for method in args.methods:
        cfg = method_config(setting, method, steps)
        configs[method] = {k: v for k, v in cfg.to_dict().items() if k != "seed"}
        timing[method] = train_method(cfg, seeds, runs / run_folder(method), args.backend, args.workers)
        folders[method] = [str(runs / run_folder(method) / f"{cfg.algo}-seed{s}") for s in seeds]
        print(f"{method}: {timing[method]['env_steps_per_seed']} env steps per seed x {len(seeds)} seeds "
              f"({timing[method]['engine']}) in {timing[method]['wall_s']:.0f}s", flush=True)
    per_seed, eval_s = evaluate_methods(setting, folders, episodes, seating, args.workers)
    methods, differences = summarize(per_seed)
    for method, entry in methods.items():
        entry.update({"seeds": len(seeds), "config": configs[method], "per_seed": per_seed[method]})
    summary = {
        "env": args.env, "env_kwargs": setting["env_kwargs"], "eval_env_kwargs": setting["eval_env_kwargs"],
        "seats": n_seats, "private_costs": private_costs, "source": setting["source"], "seeds": len(seeds),
        "env_steps_per_seed": timing[args.methods[0]]["env_steps_per_seed"], "episodes": episodes,
        "seating": seating, "partners": sorted(next(iter(per_seed.values()))["heldout"]),
        "budget_note": f"{steps} env steps per seed and method, {len(seeds)} seeds, {episodes} evaluation "
                       f"episodes per seating",
        "timing": {"train": timing, "eval_wall_s": eval_s, "workers": args.workers},
        "methods": methods, "differences": differences,
    }
    return write_summary(summary, out, args.baseline, figure_too=not args.no_figure)


def write_summary(summary: dict[str, Any], out: Path, baseline: str | None, figure_too: bool) -> dict[str, Any]:
    """Write ``summary.json``, ``summary.md`` and (``figure_too``) the figure into ``out``; with ``baseline`` (another
    study's ``summary.json``) add ``vs_baseline`` (:func:`compare_with`) first."""
    from rqe._files import write_text
    from rqe.errors import FileFormatError

    if baseline is not None:
        try:
            other = json.loads(Path(baseline).read_text())
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"cannot read the baseline summary ({exc})", path=str(baseline)) from exc
        summary.update(vs_baseline=compare_with(summary, other), baseline=str(baseline),
                       baseline_budget_note=other.get("budget_note", ""))
    write_text(out / "summary.json", json.dumps(summary, indent=2))
    write_text(out / "summary.md", markdown(summary))
    if figure_too:
        figure(summary, out / "crossplay_heldout.png")
    print(f"wrote {out / 'summary.json'}, {out / 'summary.md'}" + (" and the figure" if figure_too else ""))
    return summary


def rescore(out: Path, baseline: str | None, figure_too: bool) -> dict[str, Any]:
    """Rewrite ``out``'s summary from its stored per-seed values (intervals and differences recomputed; nothing
    trained or evaluated), with ``vs_baseline`` against ``baseline`` when given."""
    from rqe.errors import FileFormatError

    try:
        summary = json.loads((out / "summary.json").read_text())
        per_seed = {m: e["per_seed"] for m, e in summary["methods"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FileFormatError(f"no study summary with per-seed values to rescore ({exc})",
                              path=str(out / "summary.json")) from exc
    methods, summary["differences"] = summarize(per_seed)
    for method, entry in methods.items():
        summary["methods"][method].update(entry)
    for key in ("vs_baseline", "baseline", "baseline_budget_note"):
        summary.pop(key, None)
    return write_summary(summary, out, baseline, figure_too)


if __name__ == "__main__":
    from rqe.errors import RQEError

    try:
        main()
    except RQEError as exc:
        print(f"srpo_env_study: error: {' '.join(str(exc).split())}", file=sys.stderr)
        raise SystemExit(2) from None
