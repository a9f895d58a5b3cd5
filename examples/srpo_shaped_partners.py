"""Behaviour-preferring partners of the cooking gridworld: train them, and measure whether they show their preference.

Each partner kind of :data:`rqe.srpo.shaping.SHAPINGS` is trained (:func:`rqe.srpo.zoo.train_shaped_partners`,
the paper's settings ``--preset paper``, ``--seeds`` seeds per kind in one batched population, ``--steps`` env steps
per seed) by two recipes (``--recipes``): ``ippo``, ZSC-Eval's (Wang et al., 2024; :mod:`rqe.srpo.shaping`), seat 0
learning from the task reward plus weighted event counts and seat 1 from the task reward alone; and ``selfplay``,
one shared policy learning from the shaped reward in both seats. Two unshaped controls get the same budget:
``unshaped_ippo`` (its seat-0 agent) and ``unshaped_selfplay`` (the shared policy).

Measured per run (:func:`rqe.srpo.zoo.heldout_play`, true rewards, stochastic policies): the seat-0 agent's events
per episode (onion 0 / onion 1 pickups, steps ending next to the pot, moves, deliveries) and the team return, (a)
with the scripted greedy partner (both seat arrangements), (b) with its own training teammate. ``preference``
gives, per recipe and kind, the statistic its shaping targets (onion 0 share of pickups, onion 1 share, pot-side
steps, moves) with the greedy partner per seed, the controls' values (mean over seeds), and per seed whether the
value lies on the shaped side of the unshaped self-play agent's (an agent that picks nothing has no onion share: not
shown) and whether the agent is active (at least :data:`ACTIVE_PICKUPS` pickups per episode with the greedy partner;
an idle agent avoids the pot and moves little trivially). The unshaped IPPO control is reported beside it.

Runs go to ``--runs`` (outside the repository; resumed if present); results to ``--out``:

    nice python examples/srpo_shaped_partners.py --runs /work/shaped_runs/shaped_partners --steps 400000 --seeds 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

EVENT_KEYS = ("own_onion0", "own_onion1", "own_pot_side", "own_move", "own_deliveries", "own_pickups",
              "team_return", "partner_deliveries")
#: an agent picking fewer onions per episode with the greedy partner is idle (it left the work to its partner)
ACTIVE_PICKUPS = 0.5
#: per kind: the statistic its shaping targets, and the direction the shaping pushes it
TARGETS = {"prefers_onion0": ("onion0_share", +1), "prefers_onion1": ("onion1_share", +1),
           "avoids_pot_side": ("own_pot_side", -1), "moves_little": ("own_move", -1)}


def _measure(agent, partner, episodes: int, seed: int) -> dict:
    from rqe.srpo.zoo import heldout_play

    r = heldout_play(agent, partner, episodes=episodes, seed=seed, agent_seats=(0, 1))
    out = {k: r[k] for k in EVENT_KEYS}
    picks = r["own_onion0"] + r["own_onion1"]
    out["onion0_share"] = r["own_onion0"] / picks if picks > 0 else float("nan")
    out["onion1_share"] = r["own_onion1"] / picks if picks > 0 else float("nan")
    return out


def _env_steps(folder: Path) -> int:
    """Env steps a run took (last row of its metrics.csv): the budget rounded down to whole rollouts."""
    import csv

    with open(folder / "metrics.csv", newline="") as fh:
        return int(float(list(csv.DictReader(fh))[-1]["env_steps"]))


def _mean(rows: list[dict]) -> dict:
    """Means over seeds; an onion share is the mean onion count over the mean pickup count (NaN if none)."""
    out = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    picks = out["own_onion0"] + out["own_onion1"]
    for o in (0, 1):
        out[f"onion{o}_share"] = out[f"own_onion{o}"] / picks if picks > 0 else float("nan")
    return out


def _nan_to_none(value):
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="/work/shaped_runs/shaped_partners", help="trained runs (not committed)")
    parser.add_argument("--steps", type=int, default=400_000, help="environment steps per seed")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--episodes", type=int, default=256, help="evaluation episodes per pairing")
    parser.add_argument("--recipes", nargs="+", default=["ippo", "selfplay"], choices=("ippo", "selfplay"),
                        help="how the shaped partners are trained (rqe.srpo.zoo.train_shaped_partners's algo)")
    parser.add_argument("--out", default="examples/results/shaped_partners.json")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from rqe._files import write_text
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.evaluate import load_run
    from rqe.srpo.population import PopulationTrainer
    from rqe.srpo.shaping import SHAPINGS
    from rqe.srpo.zoo import SHAPED_KINDS, partner_zoo, train_shaped_partners

    runs, seeds = Path(args.runs), list(range(args.seeds))
    timing = {}
    folders = {}                                    # result name -> (folder of the kind's runs, algorithm)
    for recipe in args.recipes:
        for kind in SHAPED_KINDS:
            start = time.perf_counter()
            train_shaped_partners(runs / recipe, args.steps, seeds=seeds, kinds=[kind], algo=recipe)
            timing[f"{recipe}:{kind}"] = time.perf_counter() - start
            folders[f"{recipe}:{kind}"] = (runs / recipe / kind, recipe)
    for algo in ("ippo", "selfplay"):
        control = f"unshaped_{algo}"
        start = time.perf_counter()
        cfg = TrainConfig(algo=algo, env="cooking", preset="paper", total_steps=args.steps, device="cpu")
        population = PopulationTrainer(cfg, seeds, runs / control)
        resume = all((run.out_dir / "checkpoint.pt").is_file() for run in population.runs)
        population.train(progress=False, resume=resume)
        timing[control] = time.perf_counter() - start
        folders[control] = (runs / control, algo)

    greedy = partner_zoo()["greedy"]
    results: dict = {}
    steps: set[int] = set()
    for name, (folder, algo) in folders.items():
        per_seed = []
        for s in seeds:
            run = load_run(folder / f"{algo}-seed{s}")
            agent, teammate = run.seats            # the shaped (or control) seat 0 and its training teammate
            steps.add(_env_steps(folder / f"{algo}-seed{s}"))
            per_seed.append({"seed": s, "with_greedy": _measure(agent, greedy, args.episodes, 100 + s),
                             "with_teammate": _measure(agent, teammate, args.episodes, 200 + s)})
        kind = name.split(":", 1)[-1]
        results[name] = {
            "algo": algo, "shaping": run.env_kwargs.get("shaping") if kind in SHAPINGS else None,
            "with_greedy": _mean([r["with_greedy"] for r in per_seed]),
            "with_teammate": _mean([r["with_teammate"] for r in per_seed]),
            "per_seed": per_seed,
        }
        g = results[name]["with_greedy"]
        print(f"{name}: with greedy onion0 {g['own_onion0']:.2f} onion1 {g['own_onion1']:.2f} pot-side "
              f"{g['own_pot_side']:.1f} moves {g['own_move']:.1f} deliveries {g['own_deliveries']:.2f} "
              f"team {g['team_return']:.1f}", flush=True)

    preference = {}
    controls = ("unshaped_ippo", "unshaped_selfplay")
    for name in results:
        if name in controls:
            continue
        stat, sign = TARGETS[name.split(":", 1)[1]]
        versus = {c: results[c]["with_greedy"][stat] for c in controls}
        rows = [r["with_greedy"] for r in results[name]["per_seed"]]
        values = [r[stat] for r in rows]
        # the reference is the unshaped self-play agent (the unshaped IPPO seat 0 may free-ride: nothing to compare)
        shown = [bool(sign * (v - versus["unshaped_selfplay"]) > 0) for v in values]     # False when v is NaN
        active = [bool(r["own_pickups"] >= ACTIVE_PICKUPS) for r in rows]
        preference[name] = {"statistic": stat, "direction": "higher" if sign > 0 else "lower",
                            "kind_per_seed": values, **versus, "shown_per_seed_vs_unshaped_selfplay": shown,
                            "own_pickups_per_seed": [r["own_pickups"] for r in rows], "active_per_seed": active,
                            "shown_and_active_per_seed": [a and b for a, b in zip(shown, active)]}
    summary = {
        "setting": "cooking gridworld, the paper's rules; TrainConfig(preset='paper'); behaviour-preferring partners "
                   "from rqe.srpo.zoo.train_shaped_partners (recipe ippo: seat 0 shaped, seat 1 true reward; recipe "
                   "selfplay: the shared policy shaped in both seats); measured with rqe.srpo.zoo.heldout_play "
                   "(true rewards, both seat arrangements)",
        "env_steps_per_seed": sorted(steps), "seeds": seeds, "episodes_per_pairing": args.episodes,
        "events_note": "per episode of 50 steps: own_onion0/own_onion1 = pickups of onion 0 at (3,4) / onion 1 at "
                       "(4,3); own_pot_side = steps ending next to the pot; own_move = non-stay actions; "
                       "onion shares are null when the agent picked nothing; active: at least "
                       f"{ACTIVE_PICKUPS} own pickups per episode with the greedy partner",
        "command": "python examples/srpo_shaped_partners.py " + " ".join(sys.argv[1:]),
        "preference": preference, "results": results, "train_wall_s": timing,
    }
    summary = _nan_to_none(summary)
    write_text(Path(args.out), json.dumps(summary, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
