"""Command-line entry points of the SRPO layer: ``rqe train`` and ``rqe crossplay``.

``rqe.cli`` calls :func:`register` to add the subcommands; each sets ``func(args) -> int``.

Examples::

    rqe train srpo --env cooking --steps 200000 --seed 0 --out runs/srpo0
    rqe train srpo --env cooking --preset paper --steps 2000000 --seed 0 --out runs/srpo0   # the paper's settings
    rqe train ippo --env cooking --steps 200000 --seeds 0 1 2 --out runs/ --workers 2   # one folder per seed
    rqe train srpo --preset paper --seeds 0-15 --backend batched --out runs/          # 16 seeds in one process
    rqe train srpo --env collaborate_defect --set tau=10 epsilon=0.2 norm_adv=false --out runs/cd
    rqe train srpo --env cooking --steps 200000 --seed 0 --out runs/srpo0 --resume      # continue exactly
    rqe train selfplay --env cooking --seeds 0 1 2 --workers 2 --out pop/              # population in parallel
    rqe train fcp --env cooking --partners pop/ --out runs/fcp0                        # FCP on that population
    rqe train fcp --partners zoo:greedy --seeds 0-1 --backend batched --out runs/br    # best response to a partner
    rqe crossplay runs/ --out results/crossplay --workers 2
    rqe train srpo --env hanabi --env-arg players=4 --steps 20000 --out runs/h4    # shared policy + adversary
    rqe train srpo --env tag --env-arg num_adversaries=3 --out runs/tag3           # 3 collaborating predators
    rqe crossplay runs/ --out results/xp --seating all                               # every N-seat mixture
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "main"]


def _parse_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _pairs(items: list[str] | None, what: str) -> dict[str, Any]:
    from rqe.errors import ParameterError

    out = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"{what} expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        out[key.strip().replace("-", "_")] = _parse_value(value)
    return out


def register(subparsers: Any) -> None:
    """Add ``train`` and ``crossplay`` to an ``argparse`` subparsers object."""
    from rqe.srpo.config import ALGORITHMS

    train = subparsers.add_parser("train", help="train collaborative agents (IPPO, MAPPO, SRPO, FCP, ...)",
                                  description="Train agents with one of the SRPO layer's algorithms.")
    train.add_argument("algo", choices=ALGORITHMS)
    train.add_argument("--env", default="cooking", help="cooking, collaborate_defect or matrix (default cooking)")
    train.add_argument("--env-arg", nargs="*", metavar="KEY=VALUE", help="environment options (e.g. game=stag_hunt)")
    train.add_argument("--steps", type=int, default=200_000,
                       help="training budget in environment steps, the same for every algorithm")
    train.add_argument("--preset", default="tuned", choices=("tuned", "paper"),
                       help="hyper-parameters: 'paper' = the paper's gridworld runs [QZLM App. D.2] (eps 0.1, lr 6e-4, "
                            "8 envs x 128 steps, 4 full-batch epochs, no normalisation/clipping/annealing); "
                            "'tuned' (default) = this package's earlier settings. --set overrides either")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--seeds", nargs="+", metavar="SEEDS",
                       help="several seeds (e.g. 0 1 2, or 0-15): one sub-folder <algo>-seed<k> each")
    train.add_argument("--out", required=True, help="output folder (metrics.csv, checkpoint.pt, policies.pt)")
    train.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N")
    train.add_argument("--resume", action="store_true", help="continue from the folder's checkpoint exactly")
    train.add_argument("--checkpoint-every", type=int, default=None, metavar="K", help="checkpoint every K updates")
    train.add_argument("--set", nargs="*", metavar="KEY=VALUE", help="any TrainConfig field, e.g. tau=10 epsilon=0.1")
    train.add_argument("--partners", nargs="+", metavar="DIR",
                       help="fcp/mep/trajedi: train against these runs' snapshots (or scripted zoo partners, "
                            "zoo:greedy) instead of an own population; --set partner_snapshots=fcp keeps the first, "
                            "middle and final snapshot of each run")
    train.add_argument("--workers", type=int, default=1, help="parallel jobs for --seeds (default 1)")
    train.add_argument("--backend", default="auto", choices=("auto", "serial", "process", "ray", "batched"),
                       help="how --seeds run: one after another (serial), in --workers processes or Ray, or all "
                            "together in this process with batched networks (batched; ippo, mappo, selfplay, srpo, "
                            "adversarial, fcp with --partners; two-player environments that take their noise from the "
                            "trainer: cooking, matrix games, tag; CUDA when present)")
    train.add_argument("--threads", type=int, default=1, help="torch threads in this process (default 1)")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.set_defaults(func=_train)

    cross = subparsers.add_parser("crossplay", help="cross-play evaluation of trained runs",
                                  description="Cross-play matrices, solo values and free-riding of trained runs.")
    cross.add_argument("dirs", nargs="+", help="run folders (with policies.pt) or folders containing them")
    cross.add_argument("--out", required=True, help="output folder (crossplay.json, PNG heatmaps and curves)")
    cross.add_argument("--episodes", type=int, default=64)
    cross.add_argument("--seed", type=int, default=0)
    cross.add_argument("--workers", type=int, default=1)
    cross.add_argument("--backend", default="auto", choices=("auto", "serial", "process", "ray"))
    cross.add_argument("--seating", default="one", choices=("one", "all"),
                       help="N > 2 seats: the row run in one seat and the column run in the others ('one', default), "
                            "or every mixture of the two runs ('all'); the same for two players")
    cross.add_argument("--no-plots", action="store_true")
    cross.set_defaults(func=_crossplay)


def _train(args: argparse.Namespace) -> int:
    from rqe.srpo._torch import torch
    from rqe.srpo.config import TrainConfig
    from rqe.srpo.parallel import run_jobs, train_job

    from rqe.errors import ParameterError

    if args.threads < 1:
        raise ParameterError(f"--threads must be >= 1, got {args.threads}")
    if args.workers < 1:
        raise ParameterError(f"--workers must be >= 1, got {args.workers}")
    torch.set_num_threads(args.threads)
    overrides = _pairs(args.set, "--set")
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = set(overrides) - fields
    if unknown:
        raise ParameterError(f"unknown --set fields {sorted(unknown)}; known: {sorted(fields)}")
    base = dict(algo=args.algo, env=args.env, env_kwargs=_pairs(args.env_arg, "--env-arg"), total_steps=args.steps,
                device=args.device, preset=args.preset, **overrides)
    if args.checkpoint_every is not None:
        base["checkpoint_every"] = args.checkpoint_every
    if args.partners:
        from rqe.srpo.evaluate import find_runs

        zoo = [p for p in args.partners if p.startswith("zoo:")]
        folders = [p for p in args.partners if not p.startswith("zoo:")]
        base["partner_runs"] = [str(p) for p in find_runs(folders)] + zoo if folders else zoo
    from rqe.srpo.population import parse_seeds

    out = Path(args.out)
    seeds = parse_seeds(args.seeds) if args.seeds else [args.seed]
    if args.backend == "batched":
        return _train_batched(TrainConfig(**{**base, "seed": seeds[0]}), seeds, out, args)
    jobs = []
    for seed in seeds:
        config = TrainConfig(**{**base, "seed": seed})
        folder = out if args.seeds is None else out / f"{args.algo}-seed{seed}"
        jobs.append({"config": config.to_dict(), "out": str(folder), "resume": args.resume,
                     "progress": not args.no_progress and (args.workers <= 1 or len(jobs) == 0)})
    summaries = run_jobs(train_job, jobs, workers=args.workers, backend=args.backend)
    for s in summaries:
        last = s["final_return_seat0"]
        last = "n/a (already finished)" if last is None else f"{last:.4g}"
        print(f"{s['algo']} seed {s['seed']}: {s['updates']} updates, {s['env_steps']} env steps, "
              f"{s['time_s']:.1f}s, last return (seat 0) {last} -> {s['out']}")
    return 0


def _train_batched(config: Any, seeds: list[int], out: Path, args: argparse.Namespace) -> int:
    from rqe.srpo.population import make_population

    population = make_population(config, seeds, out)
    history = population.train(progress=not args.no_progress, resume=args.resume)
    for k, run in enumerate(population.runs):
        last = f"{history[-1][k]['return_seat0']:.4g}" if history else "n/a (already finished)"
        print(f"{config.algo} seed {run.cfg.seed}: {run.update} updates, {run.env_steps} env steps, "
              f"{population.elapsed:.1f}s for the whole population, last return (seat 0) {last} -> {run.out_dir}")
    return 0


def _crossplay(args: argparse.Namespace) -> int:
    from rqe.srpo._torch import torch
    from rqe.srpo.evaluate import crossplay, find_runs, plot_crossplay, plot_curves

    from rqe._files import write_text
    from rqe.errors import OutputError, ParameterError

    torch.set_num_threads(1)
    if args.episodes < 1 or args.workers < 1:
        raise ParameterError(f"--episodes and --workers must be >= 1, got {args.episodes} and {args.workers}")
    out = Path(args.out)
    result = crossplay(args.dirs, episodes=args.episodes, seed=args.seed, workers=args.workers, backend=args.backend,
                       seating=args.seating)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {str(out)!r}: {exc.strerror or exc}", path=str(out)) from exc
    write_text(out / "crossplay.json", json.dumps(result, indent=2))
    if not args.no_plots:
        plot_crossplay(result, out / "crossplay_return.png", "team_return")
        if result["free_riding"] is not None:
            plot_crossplay(result, out / "crossplay_free_riding.png", "free_riding")
        plot_curves(find_runs(args.dirs), out / "training_curves.png")
    for name, s in result["summary"]["per_algo"].items():
        sp, xp, fr = s["self_play_return"], s["crossplay_return"], s.get("self_play_free_riding")
        line = (f"{name:12s} self-play {sp['mean']:8.3f} ± {sp['std']:.3f}   cross-play {xp['mean']:8.3f} ± "
                f"{xp['std']:.3f}")
        print(line + (f"   free-riding {fr['mean']:.3f} ± {fr['std']:.3f}" if fr else "   (no private costs)"))
    print(f"wrote {out / 'crossplay.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m rqe.srpo.cli ...``) with the same subcommands."""
    from rqe.errors import RQEError

    parser = argparse.ArgumentParser(prog="rqe", description="SRPO training and cross-play")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except RQEError as exc:
        print(f"rqe: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
