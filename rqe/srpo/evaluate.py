"""Evaluation of trained collaborative agents with N seats: self-play, cross-play, held-out partners, solo value,
free-riding.

Measures (``docs/rqe-math.md`` sections 6 and 8; [QZLM Sec. 5]):

* *team return* of a seating: the mean, over seats, of each seat's episode return (shared reward minus own private
  costs), policies acting stochastically;
* *self-play*: a run's own seat policies together; *cross-play* between runs ``a`` (row) and ``b`` (column): the
  mean team return over the seat assignments of :func:`seatings` that mix the two runs, each seat keeping its
  seat's policy of the run that sits there. ``seating="one"`` (default): ``a``'s policy in one seat and ``b``'s in
  the other ``N - 1``, over the ``N`` choices of that seat (a newcomer joining a team; ad-hoc teamplay); the
  matrix is not symmetric for ``N > 2``. ``seating="all"``: every assignment of the two runs to the ``N`` seats
  with both present (``2^N - 2`` of them, a symmetric matrix), the mixtures of the zero-shot-coordination
  literature for Hanabi. With two players both are the usual pair of seatings ``(a, b)`` and ``(b, a)``. The
  drop from self-play to off-diagonal cross-play measures how well agents generalise to partners they were not
  trained with (across seeds and algorithms);
* *held-out partners*: a policy in one seat and a scripted partner in every other seat, over the ``N`` seats
  (:func:`evaluate_against`; :func:`heldout_values` uses the environment's scripted partners,
  :func:`rqe.srpo.zoo_envs.partners`: Hanabi's rule bot and random legal moves, Tag's greedy, random and still
  predators, Overcooked's random and stay cooks);
* *solo value*: a run's return in one seat when every other seat is an idle agent (always the last action:
  "stay" in the gridworld, "D" in collaborate/defect, *wait* in Hanabi, where it must still move when its turn
  comes: a uniformly random legal move) or a uniformly random agent;
* *free-riding degree* (Definition 4.1 of [QZLM], section 6): ``max_i E c_i - min_j E c_j``, the largest gap in
  the private costs paid per episode by members of a team (``|E c_1 - E c_2|`` for two). Reported only on
  environments with private costs (``env.private_costs``: the cooking gridworld and matrix games with costs such
  as collaborate/defect); Tag, Hanabi and Overcooked have a shared reward only, and there it is ``None``.

On an environment with legal-action masks (``legal_mask()``, Hanabi) every policy samples from its logits masked
to the legal actions; on one whose episodes end at different times (``horizon`` None, Hanabi) each copy plays
exactly one episode and what it earns after its end is not counted.

Playing one seating, mixtures of two teams, held-out partners and solo values live in :mod:`rqe.srpo.play`
(re-exported here). Results are plain dictionaries written as JSON; :func:`plot_crossplay` and :func:`plot_curves`
draw PNGs (matplotlib is imported only there).

>>> seatings(3)                      # 0: the row run, 1: the column run
[(0, 1, 1), (1, 0, 1), (1, 1, 0)]
"""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rqe._files import save_figure
from rqe.errors import ParameterError
from rqe.srpo._torch import resolve_device, torch
from rqe.srpo.networks import load_actor
from rqe.srpo.play import (SEATINGS, PairResult, evaluate_against, evaluate_pair, heldout_values, mixed_team,
                           seatings, solo_values)

__all__ = ["Run", "PairResult", "load_run", "find_runs", "evaluate_pair", "evaluate_against", "solo_values",
           "heldout_values", "seatings", "mixed_team", "crossplay", "summarize_crossplay", "plot_crossplay",
           "plot_curves", "policy_probabilities", "SEATINGS"]


@dataclass
class Run:
    """A trained run: its label (``"srpo/seed3"``), algorithm, seed, environment and one policy per seat."""

    label: str
    algo: str
    seed: int
    env: str
    env_kwargs: dict[str, Any]
    seats: list[Any]
    path: str | None = None


def load_run(path: str | Path, device: Any = "cpu") -> Run:
    """Load ``policies.pt`` written by :meth:`rqe.srpo.Trainer.export_policies` (a run directory or the file)."""
    path = Path(path)
    file = path / "policies.pt" if path.is_dir() else path
    if not file.exists():
        raise ParameterError(f"no trained policies at {file} (train first with `rqe train`)")
    from rqe.errors import FileFormatError
    from rqe.srpo.trainer import load_policies_file

    data = load_policies_file(file, resolve_device(device))
    try:
        seats = [load_actor(s["spec"], s["state"], resolve_device(device)) for s in data["seats"]]
        name = f"{data['algo']}/seed{data['seed']}"
        return Run(name, data["algo"], int(data["seed"]), data["env"], dict(data["env_kwargs"]), seats,
                   str(file.parent))
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise FileFormatError(f"policies file does not describe a trained run ({exc})", path=str(file)) from exc


def find_runs(paths: list[str | Path]) -> list[Path]:
    """Run directories (holding ``policies.pt``) in ``paths`` or anywhere below them, sorted."""
    found: set[Path] = set()
    for p in map(Path, paths):
        if (p / "policies.pt").exists():
            found.add(p)
        elif p.is_dir():
            found.update(f.parent for f in p.rglob("policies.pt"))
        else:
            raise ParameterError(f"{p} is neither a run directory nor a folder of runs")
    if not found:
        raise ParameterError(f"no run directories (with policies.pt) under {[str(p) for p in paths]}")
    return sorted(found)


def _pair_job(job: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one (row, column) cell of the cross-play matrix (top level so it can run in another process)."""
    a, b = load_run(job["a"]), load_run(job["b"])
    kw = dict(env=a.env, env_kwargs=a.env_kwargs, episodes=job["episodes"], device="cpu")
    if job["a"] == job["b"]:
        r = evaluate_pair(list(a.seats), seed=job["seed"], **kw)
        return {"i": job["i"], "j": job["j"], "team": r.team_return, "free_riding": r.free_riding,
                "costs": r.costs.tolist()}
    cell = mixed_team(a.seats, b.seats, how=job["seating"], seed=job["seed"], **kw)
    return {"i": job["i"], "j": job["j"], **cell}


def crossplay(run_dirs: list[str | Path], episodes: int = 64, seed: int = 0, workers: int = 1,
              backend: str = "auto", seating: str = "one") -> dict[str, Any]:
    """Cross-play matrices of team return and free-riding degree over all pairs of runs, plus solo values and, on
    environments with scripted partners, held-out partner values.

    Cell ``(a, b)``: run ``a`` (row) and run ``b`` (column) mixed over :func:`seatings` ``seating`` (module
    docstring; with two players, ``a``'s seat-0 policy with ``b``'s seat-1 policy and vice versa); the diagonal is
    self-play. The matrix is symmetric for two players and for ``seating="all"``; with ``"one"`` and ``N > 2``
    row ``a`` is the run in one seat, column ``b`` the run in the others. ``free_riding`` is None on environments
    without private costs. All runs must share an environment. Cells are independent jobs, run in parallel with
    :func:`rqe.srpo.parallel.run_jobs` when ``workers > 1``.
    """
    from rqe.srpo.parallel import run_jobs

    paths = [str(p) for p in find_runs(list(run_dirs))]
    runs = [load_run(p) for p in paths]
    envs = {(r.env, json.dumps(r.env_kwargs, sort_keys=True, default=str)) for r in runs}
    if len(envs) != 1:
        raise ParameterError(f"cross-play needs runs on one environment, got {sorted(envs)}")
    n, seats = len(runs), len(runs[0].seats)
    if any(len(r.seats) != seats for r in runs):
        raise ParameterError(f"cross-play needs runs with the same number of seats, got {[len(r.seats) for r in runs]}")
    stride = max(7, len(seatings(seats, seating)))      # seeds of different cells never overlap
    symmetric = seats == 2 or seating == "all"
    jobs = [{"i": i, "j": j, "a": paths[i], "b": paths[j], "episodes": episodes, "seating": seating,
             "seed": seed + stride * (i * n + j)} for i in range(n) for j in range(i if symmetric else 0, n)]
    team, free = np.zeros((n, n)), np.zeros((n, n))
    private = True
    for cell in run_jobs(_pair_job, jobs, workers=workers, backend=backend):
        i, j = cell["i"], cell["j"]
        private = cell["free_riding"] is not None
        for matrix, value in ((team, cell["team"]), (free, cell["free_riding"] or 0.0)):
            matrix[i, j] = value
            if symmetric:
                matrix[j, i] = value
    result = {
        "labels": [r.label for r in runs], "algos": [r.algo for r in runs], "paths": paths,
        "env": runs[0].env, "env_kwargs": runs[0].env_kwargs, "episodes": episodes, "seats": seats,
        "seating": seating, "symmetric": symmetric, "private_costs": private,
        "team_return": team.tolist(), "free_riding": free.tolist() if private else None,
        "solo": [solo_values(r, episodes, seed, "cpu") for r in runs],
        "heldout": [heldout_values(r, None, episodes, seed, "cpu") for r in runs],
    }
    result["summary"] = summarize_crossplay(result)
    return result


def _mean_std(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {"mean": float(arr.mean()) if arr.size else float("nan"),
            "std": float(arr.std(ddof=1)) if arr.size > 1 else 0.0, "n": int(arr.size)}


def summarize_crossplay(result: dict[str, Any]) -> dict[str, Any]:
    """Per algorithm: self-play and off-diagonal (different seeds) cross-play return, free-riding (where there are
    private costs), solo and held-out partner values; per pair of algorithms: mean team return across them
    (``"x|y"``: ``x`` in the rows; both orders when the matrix is not symmetric)."""
    algos = result["algos"]
    team = np.asarray(result["team_return"])
    free = None if result.get("free_riding") is None else np.asarray(result["free_riding"])
    symmetric = result.get("symmetric", True)
    names = sorted(set(algos))
    members = {name: [k for k, a in enumerate(algos) if a == name] for name in names}
    summary: dict[str, Any] = {"per_algo": {}, "between_algos": {}}
    for name, idx in members.items():
        pairs = [(i, j) for i, j in itertools.permutations(idx, 2) if i < j or not symmetric]
        entry = {"self_play_return": _mean_std([team[i, i] for i in idx]),
                 "crossplay_return": _mean_std([team[i, j] for i, j in pairs])}
        if free is not None:
            entry["self_play_free_riding"] = _mean_std([free[i, i] for i in idx])
            entry["crossplay_free_riding"] = _mean_std([free[i, j] for i, j in pairs])
        for kind in ("idle", "random"):
            entry[f"solo_{kind}"] = _mean_std([result["solo"][i][kind] for i in idx])
        heldout = result.get("heldout") or [{}] * len(algos)
        for partner in sorted(heldout[idx[0]]):
            entry[f"heldout_{partner}"] = _mean_std([heldout[i][partner] for i in idx])
        summary["per_algo"][name] = entry
    for x in names:
        for y in names:
            if x < y or (x != y and not symmetric):
                summary["between_algos"][f"{x}|{y}"] = _mean_std([team[i, j] for i in members[x] for j in members[y]])
    return summary


def plot_crossplay(result: dict[str, Any], path: str | Path, key: str = "team_return") -> Path:
    """Heatmap PNG of a cross-play matrix (``key``: ``"team_return"`` or ``"free_riding"``), drawn by
    :func:`rqe.plot.crossplay_heatmap`."""
    from rqe import plot

    if result.get(key) is None:
        raise ParameterError(f"the cross-play result holds no {key!r} matrix (free-riding needs private costs)")

    fig = plot.crossplay_heatmap(np.asarray(result[key]), result["labels"], title=key.replace("_", " "))
    return save_figure(fig, path)


def plot_curves(run_dirs: list[str | Path], path: str | Path, metric: str = "return_seat0") -> Path:
    """Training curves (``metric`` per update from each run's ``metrics.csv``), one line per run, drawn by
    :func:`rqe.plot.training_curves`."""
    from rqe import plot

    curves = {}
    for run in find_runs(list(run_dirs)):
        try:
            with open(run / "metrics.csv") as fh:
                rows = [r for r in csv.DictReader(fh) if r.get(metric)]
        except OSError:
            rows = []      # a run without metrics draws no curve
        curves[run.name] = (np.array([float(r["env_steps"]) for r in rows]), np.array([float(r[metric]) for r in rows]))
    fig = plot.training_curves(curves, ylabel=metric)
    return save_figure(fig, path)


@torch.no_grad()
def policy_probabilities(actor: Any, obs: Any) -> np.ndarray:
    """Action probabilities of ``actor`` at one observation (a mixed strategy, for matrix games)."""
    return torch.softmax(actor(torch.as_tensor(obs, dtype=torch.float32)[None]), -1)[0].cpu().numpy().astype(float)
