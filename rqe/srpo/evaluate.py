"""Evaluation of trained collaborative agents: self-play, cross-play, held-out partners, solo value, free-riding.

Measures (``docs/rqe-math.md`` sections 6 and 8; [QZLM Sec. 5]):

* *team return* of a pairing: the mean, over seats, of each seat's episode return (shared reward minus own private
  costs), policies acting stochastically;
* *self-play*: a run's own seat policies together; *cross-play*: run ``a``'s seat-0 policy with run ``b``'s seat-1
  policy and vice versa (averaged), across seeds and algorithms; the drop from self-play to off-diagonal cross-play
  measures how well agents generalise to partners they were not trained with;
* *held-out partners*: a policy evaluated against a set of partner policies it never trained with;
* *solo value*: a run's return when its partner is replaced by an idle agent (always the last action: "stay" in
  the gridworld, "D" in collaborate/defect) or a uniformly random agent;
* *free-riding degree* (Definition 4.1 of [QZLM], section 6): ``|E c_1 - E c_2|``, the gap in the private costs
  paid per episode by the two members of a team.

On an environment with legal-action masks (``legal_mask()``, Hanabi) every policy samples from its logits masked
to the legal actions; on one whose episodes end at different times (``horizon`` None, Hanabi) each copy plays
exactly one episode and what it earns after its end is not counted.

Results are plain dictionaries written as JSON; :func:`plot_crossplay` and :func:`plot_curves` draw PNGs
(matplotlib is imported only there).
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
from rqe.srpo._torch import make_generator, resolve_device, torch
from rqe.srpo.envs import make_env
from rqe.srpo.networks import FixedPolicy, load_actor, sample_actions
from rqe.srpo.ppo import mask_logits

__all__ = ["Run", "PairResult", "load_run", "find_runs", "evaluate_pair", "evaluate_against", "solo_values",
           "crossplay", "summarize_crossplay", "plot_crossplay", "plot_curves", "policy_probabilities"]


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


@dataclass
class PairResult:
    """Mean episode return and private cost of each seat, team return and free-riding degree of one pairing."""

    returns: np.ndarray
    costs: np.ndarray
    episodes: int

    @property
    def team_return(self) -> float:
        return float(self.returns.mean())

    @property
    def free_riding(self) -> float:
        return float(abs(self.costs[0] - self.costs[1])) if self.costs.size == 2 else float(np.ptp(self.costs))


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


@torch.no_grad()
def evaluate_pair(policies: list[Any], env: str = "cooking", env_kwargs: dict[str, Any] | None = None,
                  episodes: int = 64, seed: int = 0, device: Any = "cpu") -> PairResult:
    """Play ``episodes`` episodes (in parallel, one per environment copy) with ``policies[k]`` in seat ``k``.

    Each copy plays one episode: ``horizon`` steps, or, when the environment's ``horizon`` is None, until the copy's
    first ``done`` (at most ``max_episode_length`` steps; a copy still playing then is an error). Actions are
    sampled from the logits masked to ``legal_mask()`` when the environment has one.

    >>> from rqe.srpo.networks import FixedPolicy
    >>> r = evaluate_pair([FixedPolicy(2, 0), FixedPolicy(2, 1)], env="collaborate_defect", episodes=8)
    >>> r.returns.round(3).tolist(), round(r.free_riding, 3)
    ([0.6, 1.0], 0.4)
    """
    device = resolve_device(device)
    environment = make_env(env, episodes, device, **dict(env_kwargs or {}))
    if len(policies) != environment.n_agents:
        raise ParameterError(f"need one policy per seat ({environment.n_agents}), got {len(policies)}")
    generator = make_generator(seed, device)
    obs = environment.reset(generator)
    returns = torch.zeros(environment.n_agents, episodes, device=device)
    costs = torch.zeros_like(returns)
    horizon = environment.horizon
    masked = hasattr(environment, "legal_mask")
    if horizon is None:
        horizon = getattr(environment, "max_episode_length", None)
        if horizon is None:
            raise ParameterError(f"environment {env!r} has neither a horizon nor a max_episode_length to bound an "
                                 f"episode")
        playing = torch.ones(episodes, device=device)
    else:
        playing = None            # every copy ends exactly at the horizon
    for _ in range(horizon):
        legal = environment.legal_mask() if masked else None
        actions = []
        for k, p in enumerate(policies):
            logits = p(obs[k])
            actions.append(sample_actions(logits if legal is None else
                                          mask_logits(logits, legal[k, :, :logits.shape[-1]]), generator))
        step = environment.step(torch.stack(actions), generator)
        if playing is None:
            returns += step.rewards
            costs += step.costs
        else:
            returns += step.rewards * playing
            costs += step.costs * playing
            playing = playing * (~step.done).float()
        obs = step.obs
        if playing is not None and not bool(playing.any()):
            break
    if playing is not None and bool(playing.any()):
        raise ParameterError(f"{int(playing.sum())} of {episodes} episodes of {env!r} did not end within "
                             f"max_episode_length = {horizon} steps")
    return PairResult(returns.mean(1).cpu().numpy().astype(float), costs.mean(1).cpu().numpy().astype(float), episodes)


def evaluate_against(policy: Any, partners: list[Any], env: str = "cooking", env_kwargs: dict | None = None,
                     episodes: int = 64, seed: int = 0, device: Any = "cpu") -> dict[str, float]:
    """Mean and std of ``policy``'s own return with each held-out partner (both seat arrangements, 2 players)."""
    own = []
    for j, partner in enumerate(partners):
        a = evaluate_pair([policy, partner], env, env_kwargs, episodes, seed + 2 * j, device)
        b = evaluate_pair([partner, policy], env, env_kwargs, episodes, seed + 2 * j + 1, device)
        own.append(0.5 * (a.returns[0] + b.returns[1]))
    return {"mean": float(np.mean(own)), "std": float(np.std(own)), "per_partner": [float(x) for x in own]}


def solo_values(run: Run, episodes: int = 64, seed: int = 0, device: Any = "cpu") -> dict[str, float]:
    """Return of each seat's policy when the partner is idle (last action always) or uniformly random."""
    n_actions = run.seats[0].n_actions
    partners = {"idle": FixedPolicy(n_actions, n_actions - 1), "random": FixedPolicy(n_actions, None)}
    out = {}
    for name, partner in partners.items():
        a = evaluate_pair([run.seats[0], partner], run.env, run.env_kwargs, episodes, seed, device)
        b = evaluate_pair([partner, run.seats[1]], run.env, run.env_kwargs, episodes, seed + 1, device)
        out[name] = float(0.5 * (a.returns[0] + b.returns[1]))
    return out


def _pair_job(job: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one (row, column) cell of the cross-play matrix (top level so it can run in another process)."""
    a, b = load_run(job["a"]), load_run(job["b"])
    kw = dict(env=a.env, env_kwargs=a.env_kwargs, episodes=job["episodes"], device="cpu")
    if job["a"] == job["b"]:
        r = evaluate_pair([a.seats[0], a.seats[1]], seed=job["seed"], **kw)
        return {"i": job["i"], "j": job["j"], "team": r.team_return, "free_riding": r.free_riding,
                "costs": r.costs.tolist()}
    ab = evaluate_pair([a.seats[0], b.seats[1]], seed=job["seed"], **kw)
    ba = evaluate_pair([b.seats[0], a.seats[1]], seed=job["seed"] + 1, **kw)
    cost_a = 0.5 * (ab.costs[0] + ba.costs[1])
    cost_b = 0.5 * (ab.costs[1] + ba.costs[0])
    return {"i": job["i"], "j": job["j"], "team": 0.5 * (ab.team_return + ba.team_return),
            "free_riding": 0.5 * (ab.free_riding + ba.free_riding), "costs": [cost_a, cost_b]}


def crossplay(run_dirs: list[str | Path], episodes: int = 64, seed: int = 0, workers: int = 1,
              backend: str = "auto") -> dict[str, Any]:
    """Cross-play matrices of team return and free-riding degree over all pairs of runs, plus solo values.

    Cell ``(a, b)`` pairs run ``a``'s seat-0 policy with run ``b``'s seat-1 policy and vice versa (averaged); the
    diagonal is self-play. All runs must share an environment. Cells are independent jobs, run in parallel with
    :func:`rqe.srpo.parallel.run_jobs` when ``workers > 1``.
    """
    from rqe.srpo.parallel import run_jobs

    paths = [str(p) for p in find_runs(list(run_dirs))]
    runs = [load_run(p) for p in paths]
    envs = {(r.env, json.dumps(r.env_kwargs, sort_keys=True, default=str)) for r in runs}
    if len(envs) != 1:
        raise ParameterError(f"cross-play needs runs on one environment, got {sorted(envs)}")
    n = len(runs)
    jobs = [{"i": i, "j": j, "a": paths[i], "b": paths[j], "episodes": episodes, "seed": seed + 7 * (i * n + j)}
            for i in range(n) for j in range(i, n)]
    team = np.zeros((n, n))
    free = np.zeros((n, n))
    for cell in run_jobs(_pair_job, jobs, workers=workers, backend=backend):
        i, j = cell["i"], cell["j"]
        team[i, j] = team[j, i] = cell["team"]
        free[i, j] = free[j, i] = cell["free_riding"]
    solo = [solo_values(r, episodes, seed, "cpu") for r in runs]
    result = {
        "labels": [r.label for r in runs], "algos": [r.algo for r in runs], "paths": paths,
        "env": runs[0].env, "env_kwargs": runs[0].env_kwargs, "episodes": episodes,
        "team_return": team.tolist(), "free_riding": free.tolist(), "solo": solo,
    }
    result["summary"] = summarize_crossplay(result)
    return result


def _mean_std(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {"mean": float(arr.mean()) if arr.size else float("nan"),
            "std": float(arr.std(ddof=1)) if arr.size > 1 else 0.0, "n": int(arr.size)}


def summarize_crossplay(result: dict[str, Any]) -> dict[str, Any]:
    """Per algorithm: self-play and off-diagonal (different seeds) cross-play return, free-riding, solo values;
    per pair of algorithms: mean team return across them (held-out partners)."""
    algos = result["algos"]
    team = np.asarray(result["team_return"])
    free = np.asarray(result["free_riding"])
    names = sorted(set(algos))
    summary: dict[str, Any] = {"per_algo": {}, "between_algos": {}}
    for name in names:
        idx = [k for k, a in enumerate(algos) if a == name]
        off = [team[i, j] for i, j in itertools.permutations(idx, 2) if i < j]
        off_free = [free[i, j] for i, j in itertools.permutations(idx, 2) if i < j]
        summary["per_algo"][name] = {
            "self_play_return": _mean_std([team[i, i] for i in idx]),
            "crossplay_return": _mean_std(off),
            "self_play_free_riding": _mean_std([free[i, i] for i in idx]),
            "crossplay_free_riding": _mean_std(off_free),
            "solo_idle": _mean_std([result["solo"][i]["idle"] for i in idx]),
            "solo_random": _mean_std([result["solo"][i]["random"] for i in idx]),
        }
    for x in names:
        for y in names:
            if x < y:
                ix = [k for k, a in enumerate(algos) if a == x]
                iy = [k for k, a in enumerate(algos) if a == y]
                summary["between_algos"][f"{x}|{y}"] = _mean_std([team[i, j] for i in ix for j in iy])
    return summary


def plot_crossplay(result: dict[str, Any], path: str | Path, key: str = "team_return") -> Path:
    """Heatmap PNG of a cross-play matrix (``key``: ``"team_return"`` or ``"free_riding"``), drawn by
    :func:`rqe.plot.crossplay_heatmap`."""
    from rqe import plot

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
