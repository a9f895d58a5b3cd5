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
  methods' agents being partners this one never trained with.

With ``--shaped-steps N`` the held-out partners also include the behaviour-preferring partners of ZSC-Eval's recipe
(:func:`rqe.srpo.zoo.train_shaped_partners`: ``prefers_onion0``, ``prefers_onion1``, ``avoids_pot_side``,
``moves_little``, self-play shaped in both seats, N env steps, seed 0), trained under ``<runs>/shaped`` (resumed if there).

Every figure is ``{"mean": m, "ci95": [lo, hi]}`` (percentile bootstrap over seeds, ``rqe.srpo.stats``);
``differences`` holds SRPO minus each other method (independent groups of seeds, bootstrap interval). A
best-response-normalised score (ZSC-Eval's BR-Prox) is not computed: it needs a best response trained against each
partner, which this study does not train (``br_normalised`` is ``null``).

The budget is stated in the output; the paper's is 2M env steps per seed with 30 runs, far more than a shared CPU
allows here. Whatever comes out is what is written.

Run:  nice python examples/srpo_cooking_study.py --seeds 8 --steps 150000 --methods ippo mappo selfplay srpo
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def _pair_metrics(policies, episodes, seed):
    from rqe.srpo.evaluate import evaluate_pair

    r = evaluate_pair(policies, env="cooking", episodes=episodes, seed=seed)
    return r.team_return, r.free_riding


def method_spec(spec: str) -> tuple[str, dict]:
    """``"srpo"`` -> ``("srpo", {})``; ``"srpo:tau=1"`` or ``"srpo:tau=1,epsilon=0.01"`` -> the algorithm and overrides."""
    algo, _, rest = spec.partition(":")
    overrides: dict = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep or key not in ("tau", "epsilon"):
            raise SystemExit(f"method {spec!r}: variants set tau=... or epsilon=..., got {item!r}")
        overrides[key] = float(value)
    return algo, overrides


def run_folder(spec: str) -> str:
    """The folder name of a method spec: ``srpo:tau=1`` -> ``srpo_tau1``."""
    return spec.replace(":", "_").replace("=", "").replace(",", "_")


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
    parser.add_argument("--methods", nargs="+", default=["ippo", "mappo", "selfplay", "srpo"])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=150_000, help="environment steps per seed and method")
    parser.add_argument("--episodes", type=int, default=64, help="evaluation episodes per pairing")
    parser.add_argument("--runs", default="runs/cooking_study", help="trained runs (not committed)")
    parser.add_argument("--out", default="examples/results/cooking_study")
    parser.add_argument("--train-only", action="store_true", help="train (or resume) the populations and stop")
    parser.add_argument("--shaped-steps", type=int, default=0, metavar="N",
                        help="also hold out behaviour-preferring partners trained for N env steps (0: none)")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from rqe._files import write_text
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.population import PopulationTrainer
    from rqe.srpo.stats import bootstrap_ci, difference_ci
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
        cfg = TrainConfig(algo=algo, env="cooking", preset="paper", total_steps=args.steps, device="cpu",
                          checkpoint_every=50, **overrides)
        folder = runs / run_folder(method)
        population = PopulationTrainer(cfg, seeds, folder)
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

    summary: dict = {
        "setting": "cooking gridworld, the paper's rules (rqe.srpo.envs.CookingGridworld, rules='paper')",
        "config": "TrainConfig(preset='paper') (eps 0.1, tau 10, lr 6e-4, 8 envs x 128 steps, 4 full-batch epochs)",
        "budget_note": f"{args.steps} env steps per seed and method (the paper: 2M); {args.seeds} seeds; "
                       f"{args.episodes} evaluation episodes per pairing",
        "partners": list(zoo), "methods": {}, "timing": timing,
    }
    for method, rows in per_seed.items():
        entry = {"seeds": len(seeds), "env_steps_per_seed": timing[method]["env_steps_per_seed"],
                 "self_play": bootstrap_ci(rows["self_play"]), "cross_play": bootstrap_ci(rows["cross_play"]),
                 "free_riding": bootstrap_ci(rows["free_riding"]), "heldout": {}, "own_deliveries": {},
                 "free_riding_with": {}, "br_normalised": None, "per_seed": rows}
        for name in zoo:
            for key in ("heldout", "own_deliveries", "free_riding_with"):
                entry[key][name] = bootstrap_ci(rows[f"{key}:{name}"])
        entry["with_method"] = {key.split(":", 1)[1]: bootstrap_ci(v) for key, v in rows.items()
                                if key.startswith("with_method:")}
        summary["methods"][method] = entry
    if "srpo" in per_seed:
        summary["differences"] = {}
        for other in per_seed:
            if other == "srpo":
                continue
            d = {"self_play": difference_ci(per_seed["srpo"]["self_play"], per_seed[other]["self_play"]),
                 "cross_play": difference_ci(per_seed["srpo"]["cross_play"], per_seed[other]["cross_play"])}
            for name in zoo:
                d[f"heldout:{name}"] = difference_ci(per_seed["srpo"][f"heldout:{name}"],
                                                     per_seed[other][f"heldout:{name}"])
            summary["differences"][f"srpo-{other}"] = d
    write_text(out / "summary.json", json.dumps(summary, indent=2))
    write_text(out / "summary.md", _markdown(summary))
    print(f"wrote {out / 'summary.json'} and {out / 'summary.md'}")


def _fmt(x: dict) -> str:
    return f"{x['mean']:.1f} [{x['ci95'][0]:.1f}, {x['ci95'][1]:.1f}]"


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
