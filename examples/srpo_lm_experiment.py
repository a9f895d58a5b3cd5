"""IPPO versus SRPO for a pair of debating language models: cross-play joint accuracy over several seeds.

The small-scale version of the SRPO language-model experiment (docs/rqe-math.md section 8; [QZLM] Sec. 5):

1. pre-train one small character-level transformer on arithmetic word problems (the shared "base model",
   as every run of the paper starts from the same pre-trained LLM);
2. for each seed, fine-tune a debating pair from it with IPPO and with SRPO (agent 0 the adversary, agent 1
   the hero, tau = 10);
3. evaluate on held-out problems (greedy decoding, R rounds) the trained agent of every run (agent 1: the
   hero in SRPO) in seat 1 with
   * its training partner (self-play; for SRPO a copy of the hero, since its training partner is an
     adversary; the hero-with-adversary score is also reported),
   * the partner of every other run (cross-play; the partner of an IPPO run is its agent 0, of an SRPO run
     its hero), split into same-algorithm / other-algorithm partners,
   * the untrained base model,
   with the debate diagnostics (agreement, flip rate, how often a correct agent is talked out of its answer).

Spread is reported as the standard deviation across seeds (of each trained agent's mean over its partners).

Usage (about 30-40 CPU minutes on a shared 2-core machine with the defaults)::

    nice python examples/srpo_lm_experiment.py --out examples/results/srpo_lm_experiment

``--quick`` runs a seconds-long smoke version.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import warnings

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from rqe.srpo.lm.evaluate import play, solo_accuracy  # noqa: E402
from rqe.srpo.lm.policy import TinyTransformerPolicy  # noqa: E402
from rqe.srpo.lm.pretrain import PretrainConfig, pretrain  # noqa: E402
from rqe.srpo.lm.task import make_problems  # noqa: E402
from rqe.srpo.lm.train import LMTrainConfig, train_lm  # noqa: E402


def mean_std(values):
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("examples/results/srpo_lm_experiment"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--pretrain-steps", type=int, default=600)
    parser.add_argument("--iterations", type=int, default=120)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tau", type=float, default=10.0)
    parser.add_argument("--ref-kl", type=float, default=0.05)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--difficulty", type=int, nargs="+", default=[1])
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--n-layers", type=int, default=2)
    parser.add_argument("--eval-problems", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--save-models", type=Path, default=None,
                        help="also save the base model and every run's agents under this directory")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run (seconds)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Mean of empty slice")
    if args.quick:
        args.pretrain_steps, args.iterations, args.batch_size, args.eval_problems = 20, 2, 4, 10
        args.d_model, args.n_layers, args.seeds = 32, 1, args.seeds[:2]
    torch.set_num_threads(args.threads)
    log = lambda line: print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)  # noqa: E731
    started = time.perf_counter()
    difficulty = tuple(args.difficulty)

    base = TinyTransformerPolicy.create(d_model=args.d_model, n_layers=args.n_layers, n_heads=4 if args.d_model >= 64
                                        else 2, seed=0, device=args.device)
    pre = pretrain(base, PretrainConfig(steps=args.pretrain_steps, difficulty=difficulty, seed=0,
                                        eval_every=max(1, args.pretrain_steps // 4)), log=log)
    held_out = make_problems(args.eval_problems, difficulty, rng=np.random.default_rng(987_654))
    if args.save_models is not None:
        base.save(args.save_models / "base")

    runs = []
    for seed in args.seeds:
        for algorithm in ("ippo", "srpo"):
            config = LMTrainConfig(algorithm=algorithm, rounds=args.rounds, difficulty=difficulty,
                                   iterations=args.iterations, batch_size=args.batch_size, lr=args.lr, tau=args.tau,
                                   ref_kl=args.ref_kl, seed=seed, device=args.device,
                                   log_every=max(1, args.iterations // 4))
            result = train_lm(base, config, log=log)
            name = f"{algorithm}-s{seed}"
            if args.save_models is not None:
                result.save(args.save_models / name)
            # the agent under test sits in seat 1; the partner an other run lends sits in seat 0
            partner = result.agents[0] if algorithm == "ippo" else result.hero
            runs.append({"name": name, "algorithm": algorithm, "seed": seed, "agent": result.hero,
                         "partner": partner, "pair": result.agents, "seconds": result.seconds,
                         "last_train_joint": float(np.mean([h["joint_accuracy"] for h in result.history[-10:]]))})
            log(f"trained {name} in {result.seconds:.0f} s")

    rounds = args.rounds
    base_stats = play(base, base, held_out, rounds)
    names = [r["name"] for r in runs]
    cross = np.full((len(runs), len(runs)), np.nan)
    per_run = {}
    for i, run in enumerate(runs):
        entry = {
            "algorithm": run["algorithm"], "seed": run["seed"], "training_seconds": run["seconds"],
            "training_joint_accuracy_last10": run["last_train_joint"],
            "solo_accuracy": solo_accuracy(run["agent"], held_out),
            "self_play": play(run["partner"], run["agent"], held_out, rounds).as_dict(),
            "with_training_partner": play(run["pair"][0], run["pair"][1], held_out, rounds).as_dict(),
            "with_base": play(base, run["agent"], held_out, rounds).as_dict(),
            "cross_play": {},
        }
        for j, other in enumerate(runs):
            if i == j:
                continue
            stats = play(other["partner"], run["agent"], held_out, rounds)
            cross[i, j] = stats.joint_accuracy
            entry["cross_play"][other["name"]] = stats.as_dict()
        per_run[run["name"]] = entry
        log(f"evaluated {run['name']}: self-play {entry['self_play']['joint_accuracy']:.3f}, "
            f"cross-play {np.nanmean(cross[i]):.3f}, with base {entry['with_base']['joint_accuracy']:.3f}")

    summary = {}
    for algorithm in ("ippo", "srpo"):
        rows = [i for i, r in enumerate(runs) if r["algorithm"] == algorithm]
        same = [np.nanmean([cross[i, j] for j in rows if j != i]) if len(rows) > 1 else np.nan for i in rows]
        other = [np.nanmean([cross[i, j] for j in range(len(runs)) if runs[j]["algorithm"] != algorithm])
                 for i in rows]
        every = [np.nanmean(cross[i]) for i in rows]

        def agg(key, field="joint_accuracy"):
            return mean_std([per_run[names[i]][key][field] for i in rows])

        diag = {}
        for field in ("agreement", "flip_rate", "talked_out"):
            diag[field] = {
                "cross_play": mean_std([np.nanmean([per_run[names[i]]["cross_play"][n][field]
                                                    for n in per_run[names[i]]["cross_play"]]) for i in rows]),
                "with_base": agg("with_base", field),
                "self_play": agg("self_play", field),
            }
        summary[algorithm] = {
            "self_play": agg("self_play"),
            "with_training_partner": agg("with_training_partner"),
            "cross_play_all": mean_std(every),
            "cross_play_same_algorithm": mean_std(same),
            "cross_play_other_algorithm": mean_std(other),
            "with_base": agg("with_base"),
            "solo_accuracy": mean_std([per_run[names[i]]["solo_accuracy"] for i in rows]),
            "diagnostics": diag,
        }

    result = {
        "description": "IPPO vs SRPO debate fine-tuning of a character-level transformer on arithmetic word "
                       "problems; joint accuracy = both agents exactly right after the last round (held out, "
                       "greedy decoding). Values are mean and sample std across seeds.",
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"device": str(base.device), "torch_threads": torch.get_num_threads()},
        "pretrain": {"steps": pre.steps, "seconds": pre.seconds, "held_out_accuracy": pre.accuracy,
                     "history": pre.history},
        "base": {"solo_accuracy": solo_accuracy(base, held_out), "self_play": base_stats.as_dict()},
        "summary": summary,
        "cross_play_matrix": {"rows_agent_seat1": names, "columns_partner_seat0": names,
                              "joint_accuracy": [[None if np.isnan(v) else float(v) for v in row] for row in cross]},
        "runs": per_run,
        "total_seconds": time.perf_counter() - started,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from rqe._files import write_text

    write_text(f"{args.out}.json", json.dumps(result, indent=1))
    lines = [
        "# IPPO vs SRPO: debating language models, cross-play joint accuracy",
        "",
        f"Base model: {args.d_model}-wide {args.n_layers}-layer character transformer, {pre.steps} pre-training "
        f"steps in {pre.seconds:.0f} s, held-out solo accuracy {pre.accuracy:.3f}; base with base joint "
        f"accuracy {base_stats.joint_accuracy:.3f}. Fine-tuning: {args.iterations} iterations x "
        f"{args.batch_size} debates, {rounds} rounds, tau = {args.tau}, ref KL {args.ref_kl}, seeds {args.seeds}. "
        f"Held-out problems: {args.eval_problems}, difficulty {list(difficulty)}. Total {result['total_seconds'] / 60:.1f} min.",
        "",
        "| algorithm | self-play | with training partner | cross-play (all) | cross-play same alg. | "
        "cross-play other alg. | with base model | solo |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for algorithm, s in summary.items():
        cells = [f"{s[k][0]:.3f} ± {s[k][1]:.3f}" for k in ("self_play", "with_training_partner", "cross_play_all",
                                                            "cross_play_same_algorithm", "cross_play_other_algorithm",
                                                            "with_base", "solo_accuracy")]
        lines.append(f"| {algorithm} | " + " | ".join(cells) + " |")
    lines += ["", "Diagnostics in cross-play (mean ± std across seeds):", "",
              "| algorithm | agreement | flip rate | talked out |", "|---|---|---|---|"]
    for algorithm, s in summary.items():
        d = s["diagnostics"]
        lines.append(f"| {algorithm} | " + " | ".join(f"{d[f]['cross_play'][0]:.3f} ± {d[f]['cross_play'][1]:.3f}"
                                                      for f in ("agreement", "flip_rate", "talked_out")) + " |")
    lines += ["", "Cross-play matrix (rows: agent in seat 1; columns: partner in seat 0):", "",
              "| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for i, name in enumerate(names):
        lines.append(f"| {name} | " + " | ".join("-" if np.isnan(v) else f"{v:.3f}" for v in cross[i]) + " |")
    write_text(f"{args.out}.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
