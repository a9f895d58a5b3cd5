"""SRPO: learning collaborative agents that generalise to new partners via strategic risk aversion (torch layer).

``docs/rqe-math.md`` section 8; [QZLM] C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training Generalizable
Collaborative Agents via Strategic Risk Aversion*, arXiv 2602.21515, 2026.

Modules: :mod:`~rqe.srpo.envs` (vectorised environments), :mod:`~rqe.srpo.networks`, :mod:`~rqe.srpo.memory`
(partner memory), :mod:`~rqe.srpo.config` (``TrainConfig``), :mod:`~rqe.srpo.trainer` (one PPO loop),
:mod:`~rqe.srpo.algorithms` (each algorithm a small object planning its matches), :mod:`~rqe.srpo.ppo` (sampling, GAE,
the clipped loss), :mod:`~rqe.srpo.population` (S seeds trained together with batched networks),
:mod:`~rqe.srpo.zoo` (held-out partners), :mod:`~rqe.srpo.shaping` (event-based reward shaping of
behaviour-preferring partners), :mod:`~rqe.srpo.stats` (bootstrap intervals), :mod:`~rqe.srpo.evaluate` (self-play, cross-play, solo value, free-riding), :mod:`~rqe.srpo.parallel`
(independent jobs on local processes or Ray), :mod:`~rqe.srpo.cli` (``rqe train`` and ``rqe crossplay``),
:mod:`~rqe.srpo.lm` (token-level SRPO for debating language models, ``rqe train-lm``).
torch is imported on first use of a name below.
"""

from __future__ import annotations

from rqe._lazy import lazy_exports

_LAZY = {
    "TrainConfig": "rqe.srpo.config",
    "ALGORITHMS": "rqe.srpo.config",
    "PRESETS": "rqe.srpo.config",
    "PopulationTrainer": "rqe.srpo.population",
    "Trainer": "rqe.srpo.trainer",
    "train": "rqe.srpo.trainer",
    "make_env": "rqe.srpo.envs",
    "CookingGridworld": "rqe.srpo.envs",
    "CookingGridworldReference": "rqe.srpo.envs",
    "MatrixGameEnv": "rqe.srpo.envs",
    "PettingZooEnv": "rqe.srpo.envs",
    "PartnerMemory": "rqe.srpo.memory",
    "evaluate_pair": "rqe.srpo.evaluate",
    "crossplay": "rqe.srpo.evaluate",
    "load_run": "rqe.srpo.evaluate",
    "run_jobs": "rqe.srpo.parallel",
}

__all__ = list(_LAZY)


__getattr__, __dir__ = lazy_exports("rqe.srpo", _LAZY, globals())
