"""Cooking gridworld study: self-play, cross-play and held-out partners, with bootstrap intervals over seeds.

Each method is trained as one batched population (``rqe.srpo.population``, ``--preset paper`` settings of
[QZLM App. D.2]: eps 0.1, tau 10, lr 6e-4, 8 envs x 128 steps, 4 full-batch epochs), every method with the same
budget of ``--steps`` environment steps per seed. Then, per seed:

* ``self_play``: team return of the seed's own pair (mean of the two seats' episode returns);
* ``cross_play``: mean team return of the seed's seat-0 policy with every other seed's seat-1 policy and vice versa;
* ``heldout[partner]``: team return with each partner of the held-out zoo (:func:`rqe.srpo.zoo.partner_zoo`: greedy,
  one-onion specialists, noisy-greedy at 0.1 / 0.3 / 0.5, lazy, random), each trained policy in its own seat;
  beside it ``own_deliveries[partner]`` (onions the trained agent delivered per episode) and
  ``free_riding[partner]`` (``|E c_agent - E c_partner|``);
* ``free_riding``: the free-riding degree of the seed's own pair;
* ``with_method[other]``: mean team return with every seed of each other method (both seat arrangements), other
  methods' agents being partners this one never trained with (except FCP's with self-play, below);
* ``br_normalised[partner]``: the best-response-normalised score of ZSC-Eval (BR-Prox, Wang et al. 2024): the seed's
  ``heldout[partner]`` divided by the team return of the best response *found* to that partner
  (``br_reference[partner]``, :func:`best_found`: the highest return with it of one trained policy, a seed of a
  trained best response or of any method here; ``null`` where that return is not positive). The trained best
  responses alone can settle on a worse response than other agents find (letting a working partner do
  everything), so they are one candidate among others: the scores are at most 1 and upper bounds on BR-Prox.

FCP (``--methods fcp``; Strouse et al., NeurIPS 2021) is trained at the same budget, batched
(``rqe.srpo.population_fcp``), as a best response to a pool made of this study's self-play runs
(``<runs>/selfplay/selfplay-seed*``, the same seeds, which must be trained first: ``selfplay`` is trained before
``fcp`` when both are listed): from each run its first (initial weights), middle (the snapshot nearest half the
run) and final policies (``partner_snapshots="fcp"``, ``rqe.srpo.memory.partner_files``). FCP therefore trained
with the self-play agents: its ``with_method["selfplay"]`` (and self-play's ``with_method["fcp"]``, the same
pairings) is not a held-out score (the summary says so).

Best responses (``--br-steps``, none by default; ``--br-seeds``, default 2): for each zoo partner, FCP with a pool
of that one scripted partner (``partner_runs=["zoo:NAME"]``): the same PPO (``--preset paper``), ``--br-steps`` env
steps per seed, the agent's seat drawn every update so it learns both seats; every partner and seed in one batched
population (``FCPPopulationTrainer(pools=...)``) into ``<runs>/br/<partner>/fcp-seed<k>`` (resumed like the other
runs). Only the scripted partners of ``partner_zoo()`` get one (``best_response["partners_without"]`` lists the
others). Its own team return with the partner (both seats, per seed) is ``best_response["team_return"][partner]``.

With ``--shaped-steps N`` the held-out partners also include the behaviour-preferring partners of ZSC-Eval's recipe
(:func:`rqe.srpo.zoo.train_shaped_partners`: ``prefers_onion0``, ``prefers_onion1``, ``avoids_pot_side``,
``moves_little``, self-play shaped in both seats, N env steps, seed 0), trained under ``<runs>/shaped`` (resumed if there).

Every figure is ``{"mean": m, "ci95": [lo, hi]}`` (percentile bootstrap over seeds, ``rqe.srpo.stats``);
``differences`` holds SRPO minus each other method (independent groups of seeds, bootstrap interval).

The budget is stated in the output (the paper's: 2M env steps per seed, 30 runs). Whatever comes out is what is
written. ``--figures`` redraws ``crossplay_heldout.png`` and, from the runs' ``metrics.csv``, ``training_curves.json``
/ ``training_curves.png`` without evaluating again.  ``--rescore`` rewrites ``summary.json`` / ``summary.md`` from the per-seed
values in ``--out``'s ``summary.json`` (:func:`summarise`), nothing trained or evaluated. ``--baseline OTHER/summary.json``
adds each method minus each of another run's methods (``vs_baseline``, :func:`compare_with`).

Run (``--train-only`` trains or resumes and stops; ``--methods`` with no name and ``--br-steps N`` trains only the
best responses):

    nice python examples/srpo_cooking_study.py --seeds 8 --steps 2000000 --br-steps 500000 --shaped-steps 400000 \\
        --methods ippo mappo selfplay fcp srpo            # examples/results/cooking_study
    nice python examples/srpo_cooking_study.py --seeds 8 --steps 307200 --br-steps 500000 --shaped-steps 400000 \\
        --methods srpo srpo:tau=1 srpo:tau=100 srpo:epsilon=0.01 --runs runs/cooking_ablation \\
        --out examples/results/cooking_ablation
    python examples/srpo_cooking_study.py --rescore --out examples/results/cooking_ablation_2m \\
        --baseline examples/results/cooking_study/summary.json    # the 2M ablation beside the study
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from rqe.srpo.config import method_folder as run_folder, parse_method as method_spec
from rqe.srpo.stats import method_differences


def _pair_metrics(policies, episodes, seed):
    from rqe.srpo.evaluate import evaluate_pair

    r = evaluate_pair(policies, env="cooking", episodes=episodes, seed=seed)
    return r.team_return, r.free_riding


def shaped_heldout(args) -> dict:
    """The trained behaviour-preferring partners (``--shaped-steps`` > 0), trained or resumed first; else none."""
    if not args.shaped_steps:
        return {}
    from rqe.srpo.zoo import shaped_partners, train_shaped_partners

    root = Path(args.runs) / "shaped"
    train_shaped_partners(root, args.shaped_steps, seeds=[0])
    return shaped_partners(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="*", default=["ippo", "mappo", "selfplay", "srpo"])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=150_000, help="environment steps per seed and method")
    parser.add_argument("--episodes", type=int, default=64, help="evaluation episodes per pairing")
    parser.add_argument("--runs", default="runs/cooking_study", help="trained runs (not committed)")
    parser.add_argument("--out", default="examples/results/cooking_study")
    parser.add_argument("--train-only", action="store_true", help="train (or resume) the populations and stop")
    parser.add_argument("--br-steps", type=int, default=0,
                        help="env steps per seed of each zoo partner's best response (the study: 500000; default 0: "
                             "no best responses, br_normalised null)")
    parser.add_argument("--br-seeds", type=int, default=2, help="seeds of each best response")
    parser.add_argument("--figures", action="store_true",
                        help="only redraw the figures and training_curves.json from --out's summary.json and --runs")
    parser.add_argument("--rescore", action="store_true",
                        help="only recompute --out's summary (intervals, best-response normalisation, differences, "
                             "tables, figure) from the per-seed values in its summary.json, without evaluating")
    parser.add_argument("--baseline", default=None, metavar="SUMMARY",
                        help="with --rescore: also each method here minus each method of another study's summary.json "
                             "(the same seeds and evaluation), on self-play, cross-play and the scripted partners")
    parser.add_argument("--shaped-steps", type=int, default=0, metavar="N",
                        help="also hold out behaviour-preferring partners trained for N env steps (0: none)")
    args = parser.parse_args()
    if "fcp" in args.methods and "selfplay" in args.methods:    # FCP's pool is this study's self-play runs
        args.methods.remove("selfplay")
        args.methods.insert(args.methods.index("fcp"), "selfplay")

    if args.figures:
        figures(Path(args.out), Path(args.runs))
        return
    if args.rescore:
        rescore(Path(args.out), Path(args.runs), args.baseline)
        return
    import torch

    torch.set_num_threads(1)
    from rqe._files import write_text
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.population import make_population
    from rqe.srpo.zoo import heldout_play, partner_zoo

    out, runs = Path(args.out), Path(args.runs)
    out.mkdir(parents=True, exist_ok=True)
    seeds = list(range(args.seeds))
    zoo = {**partner_zoo(), **shaped_heldout(args)}
    per_seed: dict[str, dict[str, list]] = {}
    trained: dict[str, list] = {}
    timing = {}
    for method in args.methods:
        algo, overrides = method_spec(method)
        if algo == "fcp":
            overrides.update(partner_runs=_selfplay_pool(runs, seeds, args.steps), partner_snapshots="fcp",
                             memory_capacity=max(64, 3 * len(seeds)))   # the whole pool: 3 checkpoints per seed
        cfg = TrainConfig(algo=algo, env="cooking", preset="paper", total_steps=args.steps, device="cpu",
                          checkpoint_every=50, **overrides)
        folder = runs / run_folder(method)
        population = make_population(cfg, seeds, folder)
        resume = all((folder / f"{algo}-seed{s}" / "checkpoint.pt").exists() for s in seeds)
        population.train(progress=False, resume=resume)
        if args.train_only:
            print(f"{method}: {population.env_steps} env steps per seed x {len(seeds)} seeds, "
                  f"{population.elapsed:.0f}s in updates", flush=True)
            continue
        # population.elapsed: seconds spent in updates (restored from the checkpoints when the runs already exist)
        timing[method] = {"train_s": population.elapsed, "env_steps_per_seed": population.env_steps}
        policies = [run.policies() for run in population.runs]
        trained[method] = policies
        start = time.perf_counter()
        rows: dict[str, list] = {"self_play": [], "cross_play": [], "free_riding": []}
        for k, pair in enumerate(policies):
            team, fr = _pair_metrics(pair, args.episodes, seed=1000 + k)
            rows["self_play"].append(team)
            rows["free_riding"].append(fr)
            cross = []
            for j, other in enumerate(policies):
                if j != k:
                    cross.append(_pair_metrics([pair[0], other[1]], args.episodes, seed=2000 + 31 * k + j)[0])
                    cross.append(_pair_metrics([other[0], pair[1]], args.episodes, seed=3000 + 31 * k + j)[0])
            rows["cross_play"].append(float(np.mean(cross)) if cross else float("nan"))
            for name, partner in zoo.items():
                seats = [heldout_play(pair[i], partner, episodes=args.episodes, seed=4000 + k, agent_seats=(i,))
                         for i in range(2)]
                for key, metric in (("heldout", "team_return"), ("own_deliveries", "own_deliveries"),
                                    ("free_riding_with", "free_riding")):
                    rows.setdefault(f"{key}:{name}", []).append(float(np.mean([s[metric] for s in seats])))
        timing[method]["eval_wall_s"] = time.perf_counter() - start
        per_seed[method] = rows
        print(f"{method}: trained {population.env_steps} env steps per seed x {len(seeds)} seeds in "
              f"{timing[method]['train_s']:.0f}s; self-play {np.mean(rows['self_play']):.1f}, "
              f"cross-play {np.mean(rows['cross_play']):.1f}", flush=True)

    best = _best_responses(args, runs, zoo)
    if args.train_only:
        return
    # other methods' agents as held-out partners: seed i of A with every seed of B, in both seat arrangements
    for method, policies in trained.items():
        for other, partners in trained.items():
            if other == method:
                continue
            values = []
            for k, pair in enumerate(policies):
                teams = []
                for j, partner_pair in enumerate(partners):
                    teams.append(_pair_metrics([pair[0], partner_pair[1]], args.episodes, seed=5000 + 31 * k + j)[0])
                    teams.append(_pair_metrics([partner_pair[0], pair[1]], args.episodes, seed=6000 + 31 * k + j)[0])
                values.append(float(np.mean(teams)))
            per_seed[method][f"with_method:{other}"] = values

    summary = summarise({
        "setting": "cooking gridworld, the paper's rules (rqe.srpo.envs.CookingGridworld, rules='paper')",
        "config": "TrainConfig(preset='paper') (eps 0.1, tau 10, lr 6e-4, 8 envs x 128 steps, 4 full-batch epochs)",
        "budget_note": f"{args.steps} env steps per seed and method (the paper: 2M); {args.seeds} seeds; "
                       f"{args.episodes} evaluation episodes per pairing",
        "partners": list(zoo), "timing": timing, "best_response": best}, per_seed)
    write_text(out / "summary.json", json.dumps(summary, indent=2))
    write_text(out / "summary.md", _markdown(summary))
    figures(out, runs)
    print(f"wrote {out / 'summary.json'} and {out / 'summary.md'}")


def best_found(per_seed: dict, best_response: dict | None, partners: list[str]) -> dict:
    """The normaliser of ``br_normalised``: per partner, the highest team return with that partner that one trained
    policy of the study reached, and which policy it was.

    The candidates are every seed of each trained best response (``best_response["per_seed"]``) and every seed of
    every method (``per_seed[method]["heldout:<partner>"]``). ZSC-Eval's BR-Prox divides by the return of a best
    response trained against the partner; here such a response is one candidate among others, because the trained
    ones can settle on a worse response (with the greedy partner, a best response that lets the partner do all
    the work scores below agents that share it). The result is the best response *found*, a lower bound on the
    true best response's return, so the scores are upper bounds on BR-Prox, at most 1 for every seed, and they
    depend on the methods evaluated together.
    """
    reference = {}
    for partner in partners:
        candidates = [(f"best response seed {k}", v)
                      for k, v in enumerate((best_response or {}).get("per_seed", {}).get(partner, []))]
        for method, rows in per_seed.items():
            candidates += [(f"{method} seed {k}", v) for k, v in enumerate(rows.get(f"heldout:{partner}", []))]
        if candidates:
            policy, value = max(candidates, key=lambda c: c[1])
            reference[partner] = {"team_return": float(value), "policy": policy}
    return reference


def summarise(meta: dict, per_seed: dict) -> dict:
    """The summary document: ``meta`` (settings, ``partners``, ``timing``, ``best_response``) with, per method, every
    figure as ``{"mean", "ci95"}`` over seeds from ``per_seed[method]`` (the rows of per-seed values), the
    best-response-normalised scores (:func:`best_found`) and SRPO minus each other method."""
    from rqe.srpo.stats import bootstrap_ci

    partners, timing = meta["partners"], meta["timing"]
    per_seed = {m: {k: v for k, v in rows.items() if not k.startswith("br_normalised:")} for m, rows in per_seed.items()}
    reference = best_found(per_seed, meta.get("best_response"), partners)
    summary = {**meta, "methods": {}, "br_reference": reference}
    for method, rows in per_seed.items():
        entry = {"seeds": len(rows["self_play"]), "env_steps_per_seed": timing[method]["env_steps_per_seed"],
                 "self_play": bootstrap_ci(rows["self_play"]), "cross_play": bootstrap_ci(rows["cross_play"]),
                 "free_riding": bootstrap_ci(rows["free_riding"]), "heldout": {}, "own_deliveries": {},
                 "free_riding_with": {}, "br_normalised": {}, "per_seed": rows}
        for name in partners:
            for key in ("heldout", "own_deliveries", "free_riding_with"):
                entry[key][name] = bootstrap_ci(rows[f"{key}:{name}"])
            br = reference.get(name, {}).get("team_return")
            if br is not None and br > 0:
                rows[f"br_normalised:{name}"] = [v / br for v in rows[f"heldout:{name}"]]
                entry["br_normalised"][name] = bootstrap_ci(rows[f"br_normalised:{name}"])
            else:
                entry["br_normalised"][name] = None
        if method == "fcp":
            entry["note"] = ("FCP trained with the self-play runs' checkpoints (first, middle, final of every "
                             "self-play seed): its with_method['selfplay'] (and self-play's with_method['fcp'], the "
                             "same pairings) is not held-out")
        entry["with_method"] = {key.split(":", 1)[1]: bootstrap_ci(v) for key, v in rows.items()
                                if key.startswith("with_method:")}
        summary["methods"][method] = entry
    if "srpo" in per_seed:
        keys = ["self_play", "cross_play"] + [f"heldout:{name}" for name in partners]
        summary["differences"] = method_differences(per_seed, [("srpo", o) for o in per_seed if o != "srpo"], keys)
    return summary


def rescore(out: Path, runs: Path, baseline: str | None = None) -> None:
    """Rewrite ``out``'s ``summary.json``, ``summary.md`` and figures from the per-seed values it holds
    (:func:`summarise`), e.g. after a change to how scores are summarised; nothing is trained or evaluated.

    With ``baseline`` (another run's ``summary.json``, e.g. the main study beside an ablation), the summary also gets
    ``vs_baseline[f"{method}-{other}"]``: each method here minus each method there (independent groups of seeds,
    :func:`rqe.srpo.stats.difference_ci`) on self-play, cross-play and every scripted partner of
    :func:`rqe.srpo.zoo.partner_zoo` both evaluated (trained partners are retrained per run, so they are left out)."""
    from rqe._files import write_text

    path = out / "summary.json"
    if not path.is_file():
        raise SystemExit(f"--rescore needs {path}, written by an earlier run of this script")
    old = json.loads(path.read_text())
    meta = {k: v for k, v in old.items() if k not in ("methods", "br_reference", "differences")}
    summary = summarise(meta, {m: entry["per_seed"] for m, entry in old["methods"].items()})
    if baseline is not None:
        summary["vs_baseline"] = compare_with(summary, json.loads(Path(baseline).read_text()))
        summary["baseline"] = str(baseline)
    write_text(path, json.dumps(summary, indent=2))
    write_text(out / "summary.md", _markdown(summary))
    figures(out, runs)
    print(f"rescored {path}")


def compare_with(summary: dict, other: dict) -> dict:
    """Each method of ``summary`` minus each method of ``other`` (see :func:`rescore`)."""
    from rqe.srpo.zoo import partner_zoo

    scripted = [p for p in summary["partners"] if p in other["partners"] and p in partner_zoo()]
    keys = ["self_play", "cross_play"] + [f"heldout:{p}" for p in scripted]
    mine = {m: e["per_seed"] for m, e in summary["methods"].items()}
    theirs = {m: e["per_seed"] for m, e in other["methods"].items()}
    return method_differences(mine, [(m, o) for m in mine for o in theirs], keys, theirs)


def _selfplay_pool(runs: Path, seeds: list[int], steps: int) -> list[str]:
    """FCP's partner runs: this study's self-play seeds, each trained to the end (its final ``policies.pt``) with
    the same budget ``steps``."""
    folders = [(runs / "selfplay" / f"selfplay-seed{s}").resolve() for s in seeds]
    missing = [str(f) for f in folders if not (f / "policies.pt").exists()]
    if missing:
        raise SystemExit(f"fcp trains against this study's self-play runs; train them first (--methods selfplay "
                         f"fcp, same --seeds and --steps): missing {missing}")
    other = [str(f) for f in folders if json.loads((f / "config.json").read_text())["total_steps"] != steps]
    if other:
        raise SystemExit(f"fcp's pool must be the self-play runs of this budget ({steps} env steps); {other} differ")
    return [str(f) for f in folders]


def _best_responses(args, runs: Path, zoo: dict) -> dict | None:
    """Train (or resume) a best response to each zoo partner and measure its team return with that partner.

    Returns the summary's ``best_response`` entry (per partner and seed, ``per_seed``, the candidates of
    :func:`best_found`), or ``None`` without best responses or with ``--train-only``.
    """
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.population import make_population
    from rqe.srpo.stats import bootstrap_ci
    from rqe.srpo.zoo import heldout_play, partner_zoo

    if args.br_steps <= 0:
        return None
    seeds = list(range(args.br_seeds))
    scripted = [name for name in zoo if name in partner_zoo()]    # pool entries "zoo:NAME" are the scripted ones
    without = [name for name in zoo if name not in scripted]
    cfg = TrainConfig(algo="fcp", env="cooking", preset="paper", total_steps=args.br_steps, device="cpu",
                      checkpoint_every=50)
    folder = runs / "br"
    population = make_population(cfg, seeds, folder, pools={name: [f"zoo:{name}"] for name in scripted})
    resume = all((folder / name / f"fcp-seed{s}" / "checkpoint.pt").exists() for name in scripted for s in seeds)
    population.train(progress=False, resume=resume)
    print(f"best responses to {len(scripted)} partners: {population.env_steps} env steps per seed x {len(seeds)} seeds "
          f"each, {population.elapsed:.0f}s in updates", flush=True)
    if args.train_only:
        return None
    runs_of = {name: population.runs[i * len(seeds):(i + 1) * len(seeds)] for i, name in enumerate(scripted)}
    per_partner = {name: [heldout_play(run.policies()[0], zoo[name], episodes=args.episodes, seed=8000 + k,
                                       agent_seats=(0, 1))["team_return"] for k, run in enumerate(runs_of[name])]
                   for name in scripted}
    return {"how": "FCP with a pool of the one scripted partner (partner_runs=['zoo:NAME']), TrainConfig(preset="
                   "'paper'), the agent's seat drawn every update; team return with the partner over both seats",
            "steps_per_seed": args.br_steps, "seeds": len(seeds),
            "team_return": {name: bootstrap_ci(v) for name, v in per_partner.items()},
            "per_seed": per_partner, "train_s": population.elapsed, "partners_without": without}


def training_curves(runs: Path, methods: list[str], points: int = 20) -> dict:
    """Per method, the training return (mean of the two seats' logged rollout returns, i.e. with the partners the
    method trains against: its adversaries for SRPO, the pool for FCP) at ``points`` evenly spaced updates, mean
    and bootstrap interval over seeds, read from each seed's ``metrics.csv``."""
    import csv

    from rqe.srpo.stats import bootstrap_ci

    curves = {}
    for method in methods:
        algo, _ = method_spec(method)
        files = sorted((runs / run_folder(method)).glob(f"{algo}-seed*/metrics.csv"))
        if not files:
            continue
        per_seed = []
        for f in files:
            with f.open() as handle:
                rows = list(csv.DictReader(handle))
            per_seed.append([(int(r["env_steps"]), (float(r["return_seat0"]) + float(r["return_seat1"])) / 2)
                             for r in rows])
        n = min(len(r) for r in per_seed)
        picks = sorted({round(i * (n - 1) / (points - 1)) for i in range(points)})
        curves[method] = {"env_steps": [per_seed[0][i][0] for i in picks],
                          "training_return": [bootstrap_ci([seed[i][1] for seed in per_seed]) for i in picks]}
    return curves


def figures(out: Path, runs: Path) -> None:
    """``crossplay_heldout.png`` (self-play, cross-play and held-out team returns with their intervals) and, from
    the runs' logs, ``training_curves.json`` / ``training_curves.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rqe._files import save_figure, write_text

    summary = json.loads((out / "summary.json").read_text())
    methods = summary["methods"]
    columns = ["self_play", "cross_play"] + [f"heldout:{p}" for p in summary["partners"]]

    def cell(entry, key):
        return entry["heldout"][key.split(":", 1)[1]] if key.startswith("heldout:") else entry[key]

    fig, ax = plt.subplots(figsize=(min(16, max(8, 0.3 * len(columns) * len(methods))), 5))
    width = 0.8 / len(methods)
    for j, (name, entry) in enumerate(methods.items()):
        xs = [i + (j - (len(methods) - 1) / 2) * width for i in range(len(columns))]
        means = [cell(entry, c)["mean"] for c in columns]
        lo = [m - cell(entry, c)["ci95"][0] for m, c in zip(means, columns)]
        hi = [cell(entry, c)["ci95"][1] - m for m, c in zip(means, columns)]
        ax.bar(xs, means, width, yerr=[lo, hi], capsize=2, label=name)
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels([c.replace("heldout:", "") for c in columns], rotation=45, ha="right")
    ax.set_ylabel("team return (mean over seeds, 95% CI)")
    ax.set_title(summary["budget_note"], fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "crossplay_heldout.png")
    plt.close(fig)
    curves = training_curves(runs, list(methods))
    if not curves:
        return
    write_text(out / "training_curves.json", json.dumps({"note": training_curves.__doc__.split("\n\n")[0],
                                                         "curves": curves}, indent=2))
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, c in curves.items():
        means = [v["mean"] for v in c["training_return"]]
        ax.plot(c["env_steps"], means, label=name)
        ax.fill_between(c["env_steps"], [v["ci95"][0] for v in c["training_return"]],
                        [v["ci95"][1] for v in c["training_return"]], alpha=0.2)
    ax.set_xlabel("env steps per seed")
    ax.set_ylabel("training rollout return")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "training_curves.png")
    plt.close(fig)


def _fmt(x: dict, digits: int = 1) -> str:
    return f"{x['mean']:.{digits}f} [{x['ci95'][0]:.{digits}f}, {x['ci95'][1]:.{digits}f}]"


def _markdown(summary: dict) -> str:
    methods = summary["methods"]
    lines = [f"# Cooking gridworld study ({summary['budget_note']})", "",
             "Team return, mean over seeds [95% bootstrap interval]. Written by `examples/srpo_cooking_study.py`.", "",
             "| method | self-play | cross-play | free-riding (own pair) | " +
             " | ".join(summary["partners"]) + " |",
             "|---" * (4 + len(summary["partners"])) + "|"]
    for name, m in methods.items():
        cells = [_fmt(m["self_play"]), _fmt(m["cross_play"]), _fmt(m["free_riding"])]
        cells += [_fmt(m["heldout"][p]) for p in summary["partners"]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Own deliveries per episode of the trained agent with each held-out partner:", "",
              "| method | " + " | ".join(summary["partners"]) + " |", "|---" * (1 + len(summary["partners"])) + "|"]
    for name, m in methods.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(m["own_deliveries"][p]) for p in summary["partners"]) + " |")
    others = sorted({o for m in methods.values() for o in m.get("with_method", {})})
    if others:
        lines += ["", "Team return with the agents of the other methods (held-out partners, every seed, both seats):",
                  "", "| method | " + " | ".join(f"with {o}" for o in others) + " |", "|---" * (1 + len(others)) + "|"]
        for name, m in methods.items():
            lines.append(f"| {name} | " + " | ".join(_fmt(m["with_method"][o]) if o in m["with_method"] else "-"
                                                     for o in others) + " |")
    reference = summary.get("br_reference")
    if reference:
        best = summary.get("best_response")
        trained = (f"trained best responses ({best['steps_per_seed']} env steps x {best['seeds']} seeds) and "
                   if best else "")
        lines += ["", f"Best-response-normalised team return (as ZSC-Eval's BR-Prox, divided by the best response "
                      f"found: the highest team return with the partner of one policy among the {trained}every seed "
                      f"of every method here; - where it is not positive):", "",
                  "| method | " + " | ".join(summary["partners"]) + " |", "|---" * (1 + len(summary["partners"])) + "|"]
        for name, m in methods.items():
            scores = [_fmt(m["br_normalised"][p], 2) if m["br_normalised"].get(p) else "-" for p in summary["partners"]]
            lines.append(f"| {name} | " + " | ".join(scores) + " |")
        lines.append("| best response found (team return) | " + " | ".join(
            f"{reference[p]['team_return']:.1f} ({reference[p]['policy']})" if p in reference else "-"
            for p in summary["partners"]) + " |")
        if best:
            lines.append("| trained best response (team return) | " + " | ".join(
                _fmt(best["team_return"][p]) if p in best["team_return"] else "-" for p in summary["partners"]) + " |")
    notes = [f"{name}: {m['note']}" for name, m in methods.items() if m.get("note")]
    if notes:
        lines += [""] + notes
    if "differences" in summary:
        lines += ["", "SRPO minus each method (independent seeds, bootstrap interval of the difference of means):", "",
                  "| comparison | self-play | cross-play | " + " | ".join(summary["partners"]) + " |",
                  "|---" * (3 + len(summary["partners"])) + "|"]
        for name, d in summary["differences"].items():
            cells = [_fmt(d["self_play"]), _fmt(d["cross_play"])] + [_fmt(d[f"heldout:{p}"])
                                                                     for p in summary["partners"]]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
