"""Nash vs QRE vs RQE on the stag hunt and the collaborate/defect game.

For each game this prints, side by side, the equilibria of every solution concept available in this
version of rqe (strategies, payoffs, welfare and, for the collaborative game, the free-riding degree
``|E_{x_1} c - E_{x_2} c|`` of ``docs/rqe-math.md`` section 6), then writes a figure with the payoff tables
and each equilibrium's strategies.

Parameters: Nash, all equilibria; logit QRE with ``lam = 1 / eps``, ``eps = 0.2``; RQE with ``eps = 0.2`` and
``tau = 2`` and ``tau = 8`` (QZLM Example 4.2: for small tau the collaborate/defect game has one symmetric
and two free-riding RQE, which merge into the symmetric one as tau grows).

Run:  python examples/demo.py --out demo.png
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from rqe import library  # noqa: E402
from rqe._files import write_bytes  # noqa: E402
from rqe._optional import require  # noqa: E402
from rqe.analysis.free_riding import free_riding_degree  # noqa: E402
from rqe.errors import NotAvailableError, RQEError  # noqa: E402
from rqe.parallel import Progress  # noqa: E402
from rqe.solvers import get_solver  # noqa: E402

EPSILON = 0.2
TAUS = (2.0, 8.0)


def runs():
    """(label, concept, keyword arguments) for every solve of the demo."""
    yield "Nash", "nash", {}
    yield f"QRE lam={1 / EPSILON:g}", "qre", {"lam": 1 / EPSILON}
    for tau in TAUS:
        yield f"RQE tau={tau:g} eps={EPSILON:g}", "rqe", {"tau": tau, "epsilon": EPSILON, "n_starts": 8,
                                                         "rng": np.random.default_rng(0)}


def free_riding(game, strategies):
    """|E_{x_1} c - E_{x_2} c| (QZLM Definition 4.1), for games with private costs."""
    return None if game.costs is None else free_riding_degree(game, strategies)


def solve_all(game, bar=None):
    """Every available concept's equilibria: a list of (label, strategies, payoffs, welfare, free-riding)."""
    rows, notes = [], []
    for label, concept, options in runs():
        try:
            solver = get_solver(concept)
            result = solver(game, **options)
        except NotAvailableError:
            notes.append(f"{label}: concept {concept!r} is not available in this version of rqe (skipped)")
            continue
        except RQEError as exc:
            notes.append(f"{label}: {exc}")
            continue
        finally:
            if bar is not None:
                bar.update(1)
        status = "" if result.converged else " [not converged]"
        for eq in result.equilibria:
            strategies = [np.asarray(x) for x in eq.strategies]
            rows.append((label + status, strategies, np.asarray(eq.payoffs), eq.welfare,
                         free_riding(game, strategies)))
    return rows, notes


def print_table(game, rows, notes):
    first = [names[0] for names in game.action_names]
    print(f"\n== {game.title} ==")
    header = f"{'concept':<28} " + " ".join(f"P({a}) p{i + 1}".rjust(10) for i, a in enumerate(first))
    header += f" {'payoffs':>16} {'welfare':>8}"
    if game.costs is not None:
        header += f" {'free-riding':>11}"
    print(header)
    for label, strategies, payoffs, welfare, degree in rows:
        line = f"{label:<28} " + " ".join(f"{x[0]:10.4f}" for x in strategies)
        line += f" {', '.join(f'{v:.3f}' for v in payoffs):>16} {welfare:8.3f}"
        if degree is not None:
            line += f" {degree:11.3f}"
        print(line)
    for note in notes:
        print(note)


def plot(results, out: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(results), figsize=(6 * len(results), 8), squeeze=False)
    for column, (game, rows, _) in enumerate(results):
        ax = axes[0, column]
        ax.set_title(game.title)
        ax.imshow(game.payoffs.sum(axis=0), cmap="Greens", alpha=0.6)
        for r in range(game.shape[0]):
            for c in range(game.shape[1]):
                ax.text(c, r, f"{game.payoffs[0, r, c]:g}, {game.payoffs[1, r, c]:g}", ha="center", va="center")
        ax.set_xticks(range(game.shape[1]), game.action_names[1])
        ax.set_yticks(range(game.shape[0]), game.action_names[0])
        ax.set_xlabel("player 2")
        ax.set_ylabel("player 1")

        ax = axes[1, column]
        if rows:
            labels, seen = [], {}
            for label, *_rest in rows:
                seen[label] = seen.get(label, 0) + 1
                labels.append(f"{label} #{seen[label]}")
            positions = np.arange(len(rows))
            for i in range(game.n_players):
                ax.bar(positions + (i - 0.5) * 0.4, [strategies[i][0] for _, strategies, *_ in rows], width=0.4,
                       label=f"player {i + 1}")
            ax.set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
            ax.legend()
        else:
            ax.text(0.5, 0.5, "no solver available yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"P({game.action_names[0][0]})")
        ax.set_title("equilibrium strategies")
    fig.tight_layout()
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format=out.suffix.lstrip(".").lower() or "png")
    plt.close(fig)
    write_bytes(out, buffer.getvalue())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("demo.png"), help="figure to write (png, pdf, svg)")
    parser.add_argument("--no-progress", action="store_true", help="no compile notice and progress bar")
    args = parser.parse_args(argv)
    if args.out.suffix.lower() not in (".png", ".pdf", ".svg"):
        parser.error(f"--out must end in .png, .pdf or .svg, got {args.out}")
    require("matplotlib", "plot", "the demo's figure")  # missing extras are reported before any work
    start = time.perf_counter()
    games = (library.get("stag_hunt"), library.get("collaborate_defect", cost=0.4))
    if not args.no_progress:
        print("compiling the solvers on first use (cached afterwards: the next run takes seconds) ...",
              file=sys.stderr, flush=True)
    bar = Progress(len(games) * len(list(runs())), desc="solving", enabled=not args.no_progress)
    bar.update(0)
    solved = [(game, *solve_all(game, bar)) for game in games]
    bar.close()
    results = []
    for game, rows, notes in solved:
        print_table(game, rows, notes)
        results.append((game, rows, notes))
    plot(results, args.out)
    print(f"\nwrote {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
