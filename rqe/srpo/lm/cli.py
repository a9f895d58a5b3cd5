"""``rqe train-lm``: pre-train (or load) a base language model, fine-tune a debating pair with IPPO or SRPO,
evaluate it, and save everything.

``register(subparsers)`` adds the command to the main ``rqe`` parser; ``python -m rqe.srpo.lm.cli ...`` runs
it on its own. Example (a few CPU minutes)::

    rqe train-lm --algorithm srpo --pretrain-steps 600 --iterations 100 --out runs/srpo-lm-0

writes ``runs/srpo-lm-0/base/`` (the pre-trained model), ``agent0/`` and ``agent1/`` (seat 0 and seat 1;
in SRPO the adversary and the hero), ``config.json``, ``history.json`` and ``evaluation.json`` (held-out
joint accuracy of the trained pair, of the agent with a copy of itself and with the untrained base model,
with the debate diagnostics). ``--base DIR`` starts from a saved policy (also any local Hugging Face
causal-LM directory) instead of pre-training one; ``--model gpt2`` pre-trains a small GPT-2 initialised
locally instead of the in-project transformer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from rqe.errors import RQEError

__all__ = ["register", "main"]


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--algorithm", choices=("ippo", "srpo"), default="srpo")
    parser.add_argument("--out", type=Path, required=True, help="directory for models, logs and evaluation")
    parser.add_argument("--base", type=Path, default=None, help="start from this saved policy (skips pre-training)")
    parser.add_argument("--model", choices=("tiny", "gpt2"), default="tiny", help="architecture to pre-train")
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--n-layers", type=int, default=2)
    parser.add_argument("--n-heads", type=int, default=4)
    parser.add_argument("--pretrain-steps", type=int, default=600)
    parser.add_argument("--difficulty", type=int, nargs="+", default=[1])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--tau", type=float, default=10.0)
    parser.add_argument("--ref-kl", type=float, default=0.05)
    parser.add_argument("--gamma", type=float, default=1.0)
    parser.add_argument("--ppo-epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--eval-problems", type=int, default=200)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--quiet", action="store_true")


def _handler(args: argparse.Namespace) -> int:
    import numpy as np

    from rqe._optional import require

    torch = require("torch", "srpo", "rqe train-lm")
    from rqe.srpo.lm.evaluate import play, solo_accuracy
    from rqe.srpo.lm.policy import HFPolicy, TinyTransformerPolicy, load_policy
    from rqe.srpo.lm.pretrain import PretrainConfig, pretrain
    from rqe.srpo.lm.task import make_problems
    from rqe.srpo.lm.train import LMTrainConfig, train_lm

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    log = None if args.quiet else (lambda line: print(line, flush=True))
    difficulty = tuple(args.difficulty)
    # the configuration is checked before anything is trained or written
    config = LMTrainConfig(algorithm=args.algorithm, rounds=args.rounds, difficulty=difficulty,
                           iterations=args.iterations, batch_size=args.batch_size, lr=args.lr, tau=args.tau,
                           ref_kl=args.ref_kl, gamma=args.gamma, ppo_epochs=args.ppo_epochs, seed=args.seed,
                           device=args.device)
    from rqe._files import write_text
    from rqe._files import make_folder

    out = make_folder(args.out)
    report: dict = {}
    if args.base is not None:
        base = load_policy(args.base, device=args.device)
    else:
        if args.model == "tiny":
            base = TinyTransformerPolicy.create(d_model=args.d_model, n_layers=args.n_layers, n_heads=args.n_heads,
                                                seed=args.seed, device=args.device)
        else:
            base = HFPolicy.tiny_gpt2(n_layer=args.n_layers, n_embd=args.d_model, n_head=args.n_heads,
                                      seed=args.seed, device=args.device)
        result = pretrain(base, PretrainConfig(steps=args.pretrain_steps, difficulty=difficulty, seed=args.seed),
                          log=log)
        report["pretrain"] = {"steps": result.steps, "seconds": result.seconds, "accuracy": result.accuracy}
    base.save(out / "base")
    trained = train_lm(base, config, log=log)
    trained.save(out)
    held_out = make_problems(args.eval_problems, difficulty, rng=np.random.default_rng(args.seed + 20_000))
    pair = play(trained.agents[0], trained.agents[1], held_out, args.rounds)
    report.update({
        "training_seconds": trained.seconds,
        "solo_accuracy": {"base": solo_accuracy(base, held_out), "agent0": solo_accuracy(trained.agents[0], held_out),
                          "agent1": solo_accuracy(trained.agents[1], held_out)},
        "trained_pair": pair.as_dict(),
        "agent1_with_copy": play(trained.hero, trained.hero, held_out, args.rounds).as_dict(),
        "agent1_with_base": play(base, trained.hero, held_out, args.rounds).as_dict(),
        "base_with_base": play(base, base, held_out, args.rounds).as_dict(),
    })
    write_text(out / "evaluation.json", json.dumps(report, indent=1))
    if log is not None:
        log(f"joint accuracy (held out, {args.eval_problems} problems): trained pair {pair.joint_accuracy:.3f}, "
            f"agent 1 with a copy {report['agent1_with_copy']['joint_accuracy']:.3f}, "
            f"with the base model {report['agent1_with_base']['joint_accuracy']:.3f}, "
            f"base with base {report['base_with_base']['joint_accuracy']:.3f}; saved to {out}")
    return 0


def _run(args: argparse.Namespace) -> int:
    try:
        return _handler(args)
    except RQEError as exc:
        print(f"rqe: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``train-lm`` to the ``rqe`` command's subparsers (sets ``func`` to the handler)."""
    parser = subparsers.add_parser(
        "train-lm", help="fine-tune two debating language models with IPPO or SRPO",
        description="Pre-train (or load) a base model on arithmetic word problems, fine-tune a debating pair "
                    "with IPPO or SRPO (docs/rqe-math.md section 8), evaluate and save it.")
    _add_arguments(parser)
    parser.set_defaults(func=_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``train-lm`` as a stand-alone program."""
    parser = argparse.ArgumentParser(prog="rqe")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["train-lm", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
