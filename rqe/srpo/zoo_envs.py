"""SRPO environments from established packages, by name: Tag (MPE), Hanabi (OpenSpiel), Overcooked-AI.

:func:`make` builds any of :data:`ENV_NAMES` with rqe's vectorised interface (:mod:`rqe.srpo.envs`), so a trainer
needs only a name lookup; :func:`partners` gives the scripted partners of an environment for held-out evaluation;
:data:`PAPER_SETTINGS` records the paper's SRPO settings per environment ([QZLM Sec. 5], ``docs/rqe-math.md``
section 8).

| name | what | needs |
|---|---|---|
| ``tag`` | :class:`rqe.srpo.tag.Tag` (torch, vectorised) | torch |
| ``tag:reference`` | ``mpe2``'s ``simple_tag`` via ``PettingZooEnv`` | ``pip install 'rqe[tag]'`` |
| ``hanabi``, ``hanabi:2p``, ``hanabi:4p`` | :class:`rqe.srpo.hanabi.Hanabi` (3 x 3) | ``rqe[openspiel]`` |
| ``overcooked:<layout>`` | :func:`rqe.srpo.overcooked.overcooked_env` | ``rqe[overcooked]`` |

Seats: Tag's predators (2, or ``num_adversaries=3``), every Hanabi player (4 by default), both cooks. With more
than two seats the trainer shares one policy across them (``docs/rqe-math.md`` section 8,
:func:`rqe.srpo.algorithms.policy_sharing`). None of these environments has private costs, so no free-riding
degree is reported on them (:mod:`rqe.srpo.evaluate`).

Keyword arguments go to the environment: ``Tag`` takes :class:`~rqe.srpo.tag.TagRules` fields, ``prey`` and
``dtype``; ``Hanabi`` takes ``players``, ``colors``, ``ranks`` and OpenSpiel's other parameters; Overcooked takes
``horizon`` and ``reward_shaping``. Without the package an environment needs,
:class:`rqe.errors.MissingDependencyError` names the extra to install.

Reference: [QZLM] C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training Generalizable Collaborative Agents via
Strategic Risk Aversion*, arXiv 2602.21515, 2026.

>>> env = make("tag", 4)
>>> env.n_agents, env.n_actions, env.horizon
(2, (5, 5), 100)
>>> sorted(partners("tag"))
['greedy', 'random', 'still']
>>> PAPER_SETTINGS["tag"]
{'tau': 10.0, 'epsilon': 0.01}
"""

from __future__ import annotations

from typing import Any

from rqe.errors import ParameterError

__all__ = ["make", "partners", "is_zoo_env", "ENV_NAMES", "PAPER_SETTINGS"]

#: Names :func:`make` knows (``overcooked:`` takes any layout shipped with overcooked-ai; these two are tested).
ENV_NAMES = ("tag", "tag:reference", "hanabi", "hanabi:2p", "hanabi:4p", "overcooked:cramped_room",
             "overcooked:asymmetric_advantages")

#: The paper's SRPO settings (risk aversion ``tau``, entropy / bounded rationality ``epsilon``) per environment;
#: Overcooked-AI is not in the paper (its cooking gridworld uses tau 10, eps 0.1).
PAPER_SETTINGS: dict[str, dict[str, float] | None] = {
    "tag": {"tau": 10.0, "epsilon": 0.01},
    "hanabi": {"tau": 0.01, "epsilon": 0.001},
    "overcooked": None,
}


def is_zoo_env(name: str) -> bool:
    """Whether :func:`make` handles ``name`` (for a registry that dispatches to it).

    >>> is_zoo_env("overcooked:cramped_room"), is_zoo_env("cooking")
    (True, False)
    """
    return isinstance(name, str) and (name in ENV_NAMES or name.startswith("overcooked:"))


def _family(name: str) -> str:
    if not is_zoo_env(name):
        raise ParameterError(f"unknown environment {name!r}; expected one of {ENV_NAMES}")
    return name.split(":")[0]


def make(name: str, n_envs: int, device: Any = "cpu", **kwargs: Any) -> Any:
    """Build environment ``name`` (one of :data:`ENV_NAMES`) with ``n_envs`` copies on ``device``.

    >>> make("tag", 2, speed=3)
    Traceback (most recent call last):
    ...
    rqe.errors.ParameterError: unknown Tag rule in ['speed']: ...
    """
    return _make(name, _family(name), n_envs, device, kwargs)


def _check_keywords(constructor: Any, name: str, kwargs: dict[str, Any], *fixed: Any) -> None:
    """Refuse keywords ``constructor`` does not take, before calling it (a TypeError raised inside the
    constructor is then what it is, not mistaken for a bad keyword)."""
    import inspect

    try:
        inspect.signature(constructor).bind_partial(*fixed, **kwargs)
    except TypeError as exc:
        raise ParameterError(f"environment {name!r} does not take these arguments {sorted(kwargs)}: {exc}") from None


def _make(name: str, family: str, n_envs: int, device: Any, kwargs: dict[str, Any]) -> Any:
    if family == "tag":
        from rqe.srpo import tag

        if name == "tag":
            _check_keywords(tag.Tag, name, kwargs, n_envs)
            return tag.Tag(n_envs, device=device, **kwargs)
        prey = kwargs.pop("prey", "flee")
        seed = int(kwargs.pop("seed", 0))
        _check_keywords(tag.TagRules, name, kwargs)
        return tag.reference_tag(n_envs, tag.TagRules(**kwargs), prey=prey, seed=seed, device=device)
    if family == "hanabi":
        from rqe.srpo.hanabi import Hanabi

        if name != "hanabi":
            players = int(name.split(":")[1][0])
            if kwargs.get("players", players) != players:
                raise ParameterError(f"{name!r} has {players} players, got players={kwargs['players']}")
            kwargs["players"] = players
        _check_keywords(Hanabi, name, kwargs, n_envs)
        return Hanabi(n_envs, device=device, **kwargs)
    from rqe.srpo.overcooked import overcooked_env

    _check_keywords(overcooked_env, name, kwargs, name.split(":", 1)[1], n_envs)
    return overcooked_env(name.split(":", 1)[1], n_envs, device=device, **kwargs)


def partners(name: str, env: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Scripted partners of environment ``name`` (policies ``obs -> logits``, as rqe's actors).

    Tag: ``greedy`` (chase the nearest prey), ``random``, ``still``. Hanabi: ``rule_bot`` and ``random`` (mask
    their logits with ``env.legal_mask()``); pass ``env`` (or the same keyword arguments as :func:`make`).
    Overcooked: ``random``, ``stay``.
    """
    family = _family(name)
    if family == "tag":
        from rqe.srpo import tag

        return tag.tag_partners(env.rules if env is not None else make(name, 1, **kwargs).rules)
    if family == "hanabi":
        from rqe.srpo.hanabi import hanabi_partners

        return hanabi_partners(env if env is not None else make(name, 1, **kwargs))
    from rqe.srpo.overcooked import overcooked_partners

    return overcooked_partners()
