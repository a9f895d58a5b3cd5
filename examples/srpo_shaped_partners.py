"""Behaviour-preferring partners of the cooking gridworld: train them, and measure whether they show their preference.

ZSC-Eval's recipe (Wang et al., 2024; :mod:`rqe.srpo.shaping`): each partner kind of
:data:`rqe.srpo.shaping.SHAPINGS` is trained by IPPO with the paper's settings (``--preset paper``), seat 0 learning
from the task reward plus weighted event counts, seat 1 from the task reward alone; ``--seeds`` seeds per kind in
one batched population (:func:`rqe.srpo.zoo.train_shaped_partners`), ``--steps`` env steps per seed. Two unshaped
controls get the same budget: ``unshaped_ippo`` (the same recipe with no shaping; its seat-0 agent) and
``unshaped_selfplay`` (self-play, the shared policy).

Measured per run (:func:`rqe.srpo.zoo.heldout_play`, true rewards, stochastic policies, both seat arrangements):
the agent's events per episode (onion 0 / onion 1 pickups, steps ending next to the pot, moves, deliveries) and
the team return, (a) with the scripted greedy partner, (b) with its own training teammate. ``preference`` states,
per kind, the statistic its shaping targets (onion 0 share of pickups, onion 1 share, pot-side steps, moves) with the
greedy partner, for the kind and both controls (mean over seeds), and whether the kind's value lies on the shaped
side of both controls' values, for every seed of the kind.

Runs go to ``--runs`` (outside the repository; resumed if present); results to ``--out``:

    nice python examples/srpo_shaped_partners.py --runs /work/shaped_runs/shaped_partners --steps 400000 --seeds 2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

EVENT_KEYS = ("own_onion0", "own_onion1", "own_pot_side", "own_move", "own_deliveries", "own_pickups",
              "team_return", "partner_deliveries")
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
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="/work/shaped_runs/shaped_partners", help="trained runs (not committed)")
    parser.add_argument("--steps", type=int, default=400_000, help="environment steps per seed")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--episodes", type=int, default=256, help="evaluation episodes per pairing")
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
    for kind in SHAPED_KINDS:
        start = time.perf_counter()
        train_shaped_partners(runs, args.steps, seeds=seeds, kinds=[kind])
        timing[kind] = time.perf_counter() - start
    for control, algo in (("unshaped_ippo", "ippo"), ("unshaped_selfplay", "selfplay")):
        start = time.perf_counter()
        cfg = TrainConfig(algo=algo, env="cooking", preset="paper", total_steps=args.steps, device="cpu")
        population = PopulationTrainer(cfg, seeds, runs / control)
        resume = all((run.out_dir / "checkpoint.pt").is_file() for run in population.runs)
        population.train(progress=False, resume=resume)
        timing[control] = time.perf_counter() - start
        print(f"{control}: {population.env_steps} env steps per seed", flush=True)

    greedy = partner_zoo()["greedy"]
    results: dict = {}
    steps: set[int] = set()
    for name in (*SHAPED_KINDS, "unshaped_ippo", "unshaped_selfplay"):
        per_seed = []
        for s in seeds:
            algo = "selfplay" if name == "unshaped_selfplay" else "ippo"
            run = load_run(runs / name / f"{algo}-seed{s}")
            agent, teammate = run.seats
            steps.add(_env_steps(runs / name / f"{algo}-seed{s}"))
            per_seed.append({"seed": s, "with_greedy": _measure(agent, greedy, args.episodes, 100 + s),
                             "with_teammate": _measure(agent, teammate, args.episodes, 200 + s)})
        results[name] = {
            "shaping": SHAPINGS[name].to_dict() if name in SHAPINGS else None,
            "with_greedy": _mean([r["with_greedy"] for r in per_seed]),
            "with_teammate": _mean([r["with_teammate"] for r in per_seed]),
            "per_seed": per_seed,
        }
        g = results[name]["with_greedy"]
        print(f"{name}: with greedy onion0 {g['own_onion0']:.2f} onion1 {g['own_onion1']:.2f} pot-side "
              f"{g['own_pot_side']:.1f} moves {g['own_move']:.1f} deliveries {g['own_deliveries']:.2f} "
              f"team {g['team_return']:.1f}", flush=True)

    preference = {}
    for kind, (stat, sign) in TARGETS.items():
        controls = {c: results[c]["with_greedy"][stat] for c in ("unshaped_ippo", "unshaped_selfplay")}
        seeds_values = [r["with_greedy"][stat] for r in results[kind]["per_seed"]]
        shown = all(sign * (v - c) > 0 for v in seeds_values for c in controls.values())
        preference[kind] = {"statistic": stat, "direction": "higher" if sign > 0 else "lower",
                            "kind": results[kind]["with_greedy"][stat], "kind_per_seed": seeds_values,
                            **controls, "shown_by_every_seed_vs_both_controls": bool(shown)}
    summary = {
        "setting": "cooking gridworld, the paper's rules; TrainConfig(preset='paper'); IPPO with seat 0 shaped "
                   "(rqe.srpo.zoo.train_shaped_partners); measured with rqe.srpo.zoo.heldout_play (true rewards)",
        "env_steps_per_seed": sorted(steps), "seeds": seeds, "episodes_per_pairing": args.episodes,
        "events_note": "per episode of 50 steps: own_onion0/own_onion1 = pickups of onion 0 at (3,4) / onion 1 at "
                       "(4,3); own_pot_side = steps ending next to the pot; own_move = non-stay actions",
        "preference": preference, "results": results, "train_wall_s": timing,
    }
    write_text(Path(args.out), json.dumps(summary, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
