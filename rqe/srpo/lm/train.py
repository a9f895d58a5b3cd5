"""Token-level policy-gradient fine-tuning of two debating language models: IPPO and SRPO.

Both algorithms roll out R-round debates between agent 0 (seat 0) and agent 1 (seat 1) on freshly drawn
problems, score each completion with the exact-match reward ``c[t, i]`` (agent ``i``, round ``t``) and
update every agent with a clipped policy-gradient step on its own sampled tokens
(``docs/rqe-math.md`` section 8; [QZLM] Sec. 5 and App. C, where the language-model setting uses
``tau = 10`` and no entropy bonus).

Returns (computed by :func:`debate_returns`, discount ``gamma``):

* IPPO: both agents share the team reward ``r_t = (c[t, 0] + c[t, 1]) / 2`` and each round's completion
  is credited with ``G_t = sum_{s >= t} gamma^(s-t) r_s``.
* SRPO, agent 1 the *hero* and agent 0 its *adversary* (``phi`` replacing the partner): the hero's reward
  is its own correctness ``c[t, 1]``, propagated back across rounds, ``G_t = sum_{s >= t} gamma^(s-t)
  c[s, 1]``; the adversary's reward in round ``t`` is minus the hero's reward in the next round,
  ``-c[t+1, 1]`` (0 in the last round, whose completion no one reads), likewise propagated back.

Token-level KL penalties enter the reward of each sampled token ``y_j`` through the k1 estimator
``k1_j = log pi(y_j | .) - log pi_target(y_j | .)`` on the agent's own samples, summed from ``j`` to the
end of the completion:

* SRPO adversary: target = the hero's current policy on the adversary's prompt, weight ``1 / tau``
  (the ``(1/tau) KL(phi || theta_-i)`` term);
* hero (and both IPPO agents): target = the frozen reference (base) model, weight ``ref_kl``.

So the return of token ``j`` is ``G_t - w * sum_{k >= j} k1_k``, the advantage subtracts the batch mean of
``G_t`` (per agent and round), and the loss is the PPO clipped surrogate averaged over tokens (with
``ppo_epochs = 1`` it is the plain on-policy policy gradient), minus ``entropy_coef`` times the token
entropy.

Example
-------
>>> from rqe.srpo.lm.policy import TinyTransformerPolicy
>>> base = TinyTransformerPolicy.create(d_model=16, n_layers=1, n_heads=2, seed=0, device="cpu")
>>> result = train_lm(base, LMTrainConfig(algorithm="srpo", iterations=1, batch_size=2, max_new_tokens=4,
...                                       device="cpu"))
>>> len(result.history)
1
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from rqe._optional import require
from rqe.errors import ParameterError
from rqe.srpo.lm.debate import run_debate
from rqe.srpo.lm.policy import Policy, resolve_device
from rqe.srpo.lm.task import make_problems

torch = require("torch", "srpo", "language-model fine-tuning")
from rqe.srpo.ppo import clipped_surrogate  # noqa: E402  (after the torch check above)

__all__ = ["LMTrainConfig", "LMTrainResult", "debate_returns", "token_returns", "train_lm", "ALGORITHMS"]

ALGORITHMS = ("ippo", "srpo")


@dataclass(frozen=True)
class LMTrainConfig:
    """Every hyper-parameter of :func:`train_lm`, with its default.

    Attributes
    ----------
    algorithm : {"ippo", "srpo"}
    rounds : int
        Debate rounds R.
    difficulty : tuple of int
        Problem levels drawn during training (see :func:`rqe.srpo.lm.task.make_problems`).
    iterations, batch_size : int
        Updates, and debates (problems) per update.
    lr, grad_clip, clip, ppo_epochs : float, float, float, int
        Adam step size, gradient-norm clip, PPO ratio clip, passes over each batch.
    gamma : float
        Discount across rounds.
    tau : float
        SRPO risk aversion: the adversary's KL to the hero has weight ``1 / tau`` ([QZLM]: tau = 10).
    ref_kl : float
        Weight of the KL to the reference model (hero, and both IPPO agents).
    entropy_coef : float
        Entropy bonus (the paper uses 0 for language models).
    max_new_tokens, temperature, max_answer_chars
        Sampling settings of the rollouts.
    seed : int
        Seeds the problem stream and token sampling.
    device : str
        ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"``...
    log_every : int
        Log a line every this many iterations (0: never).
    """

    algorithm: str = "srpo"
    rounds: int = 2
    difficulty: tuple[int, ...] = (1, 2, 3)
    iterations: int = 100
    batch_size: int = 32
    lr: float = 1e-4
    grad_clip: float = 1.0
    clip: float = 0.2
    ppo_epochs: int = 1
    gamma: float = 1.0
    tau: float = 10.0
    ref_kl: float = 0.05
    entropy_coef: float = 0.0
    max_new_tokens: int = 24
    temperature: float = 1.0
    max_answer_chars: int = 32
    seed: int = 0
    device: str = "auto"
    log_every: int = 10

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ParameterError(f"algorithm must be one of {ALGORITHMS}, got {self.algorithm!r}")
        for name in ("rounds", "iterations", "batch_size", "ppo_epochs", "max_new_tokens"):
            if int(getattr(self, name)) < 1:
                raise ParameterError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not self.tau > 0:
            raise ParameterError(f"tau must be > 0 (the adversary's KL weight is 1/tau), got {self.tau}")
        for name in ("lr", "temperature"):
            if not getattr(self, name) > 0:
                raise ParameterError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("ref_kl", "entropy_coef", "clip", "grad_clip"):
            if getattr(self, name) < 0:
                raise ParameterError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0.0 <= self.gamma <= 1.0:
            raise ParameterError(f"gamma must be in [0, 1], got {self.gamma}")


@dataclass
class LMTrainResult:
    """Trained agents and the training log.

    ``agents[0]`` sits in seat 0 (the adversary in SRPO), ``agents[1]`` in seat 1 (the hero in SRPO).
    ``history`` has one dict of metrics per iteration (accuracies of the sampled debates, mean k1 KL
    estimates, losses).
    """

    agents: tuple[Policy, Policy]
    reference: Policy
    config: LMTrainConfig
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def hero(self) -> Policy:
        """The agent evaluated as "the trained agent" of the run: agent 1 (the hero in SRPO)."""
        return self.agents[1]

    def save(self, directory: str | Path) -> None:
        """Write ``agent0/``, ``agent1/``, ``config.json`` and ``history.json`` into ``directory``."""
        from rqe._files import write_text
        from rqe._files import make_folder

        path = make_folder(directory)
        for i, agent in enumerate(self.agents):
            agent.save(path / f"agent{i}")
        write_text(path / "config.json", json.dumps(asdict(self.config), indent=1))
        write_text(path / "history.json", json.dumps({"seconds": self.seconds, "history": self.history}))


def _discounted(rewards: np.ndarray, gamma: float) -> np.ndarray:
    returns = np.zeros_like(rewards)
    running = np.zeros_like(rewards[0])
    for t in range(rewards.shape[0] - 1, -1, -1):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def debate_returns(correct: np.ndarray, algorithm: str, gamma: float = 1.0) -> np.ndarray:
    """Per-round returns ``G[t, i, b]`` of each agent's completion, from exact-match rewards ``correct[t, i, b]``.

    See the module docstring: IPPO credits both agents with the discounted team reward; SRPO credits the
    hero (agent 1) with its own discounted reward and the adversary (agent 0) with minus the hero's
    next-round reward, discounted.

    Example
    -------
    >>> c = np.array([[[1.0], [0.0]], [[1.0], [1.0]]])     # round 1: agent 0 right; round 2: both right
    >>> debate_returns(c, "ippo")[:, :, 0].tolist()
    [[1.5, 1.5], [1.0, 1.0]]
    >>> debate_returns(c, "srpo")[:, :, 0].tolist()
    [[-1.0, 1.0], [0.0, 1.0]]
    """
    correct = np.asarray(correct, dtype=float)
    if correct.ndim != 3 or correct.shape[1] != 2:
        raise ParameterError(f"correct must have shape (rounds, 2, batch), got {correct.shape}")
    if algorithm == "ippo":
        team = correct.mean(axis=1)
        returns = _discounted(team, gamma)
        return np.stack([returns, returns], axis=1)
    if algorithm == "srpo":
        hero = _discounted(correct[:, 1], gamma)
        adversary_reward = np.zeros_like(correct[:, 1])
        adversary_reward[:-1] = -correct[1:, 1]
        return np.stack([_discounted(adversary_reward, gamma), hero], axis=1)
    raise ParameterError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")


def token_returns(sequence_return: Any, k1: Any, mask: Any, weight: float) -> Any:
    """Return of each token: ``G - weight * sum_{k >= j} k1_k`` over the real tokens of each completion.

    Example
    -------
    >>> token_returns(torch.tensor([1.0]), torch.tensor([[0.5, 0.25, 9.0]]), torch.tensor([[1, 1, 0]]), 2.0)
    tensor([[-0.5000,  0.5000,  0.0000]])
    """
    k1 = k1 * mask
    to_go = torch.flip(torch.cumsum(torch.flip(k1, [1]), 1), [1])
    return (sequence_return[:, None] - weight * to_go) * mask


def _kl_plan(config: LMTrainConfig, agents: tuple[Policy, Policy], reference: Policy) -> list[tuple[Policy, float]]:
    """(target policy, weight) of the KL penalty of each seat."""
    if config.algorithm == "srpo":
        return [(agents[1], 1.0 / config.tau), (reference, config.ref_kl)]
    return [(reference, config.ref_kl), (reference, config.ref_kl)]


def train_lm(base: Policy, config: LMTrainConfig = LMTrainConfig(), *, agents: tuple[Policy, Policy] | None = None,
             log: Any = None) -> LMTrainResult:
    """Fine-tune two agents from ``base`` with IPPO or SRPO (see the module docstring).

    Parameters
    ----------
    base : Policy
        The pre-trained model: the reference for the KL penalties, and (unless ``agents`` is given) the
        starting point of both agents, which are independent copies. ``base`` itself is not changed.
    config : LMTrainConfig
    agents : pair of Policy, optional
        Start from these (they are trained in place).
    log : callable, optional
        Receives one-line progress strings.

    Returns
    -------
    LMTrainResult
    """
    device = resolve_device(config.device)
    reference = base.clone().to(device).eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    agents = tuple(agents) if agents is not None else (base.clone(), base.clone())
    for agent in agents:
        agent.to(device).train()
        for p in agent.parameters():
            p.requires_grad_(True)
    optimizers = [torch.optim.Adam(agent.parameters(), lr=config.lr) for agent in agents]
    rng = np.random.default_rng(config.seed)
    generator = torch.Generator(device=device).manual_seed(int(config.seed))
    plan = _kl_plan(config, agents, reference)
    history: list[dict] = []
    start = time.perf_counter()
    for iteration in range(config.iterations):
        problems = make_problems(config.batch_size, config.difficulty, rng=rng)
        rollout = run_debate(agents, problems, config.rounds, max_new_tokens=config.max_new_tokens,
                             temperature=config.temperature, generator=generator,
                             max_answer_chars=config.max_answer_chars)
        returns = debate_returns(rollout.correct, config.algorithm, config.gamma)
        # old log-probabilities, the KL targets' log-probabilities, token advantages: all before any update
        batches: list[list[dict]] = [[], []]
        kl_means = [[], []]
        with torch.no_grad():
            for t in range(config.rounds):
                for seat in (0, 1):
                    g = rollout.generations[t][seat]
                    ids = (g.prompt_ids, g.prompt_mask, g.response_ids, g.response_mask)
                    old = g.logprobs if config.temperature == 1.0 else agents[seat].log_probs(*ids)
                    target, weight = plan[seat]
                    k1 = (old - target.log_probs(*ids)) if weight > 0 else torch.zeros_like(old)
                    mask = g.response_mask.float()
                    seq_return = torch.as_tensor(returns[t, seat], dtype=torch.float32, device=device)
                    tok_return = token_returns(seq_return, k1, mask, weight)
                    advantage = (tok_return - seq_return.mean()) * mask
                    batches[seat].append({"ids": ids, "old": old, "advantage": advantage, "mask": mask})
                    kl_means[seat].append(float((k1 * mask).sum(1).mean()))
        losses = [0.0, 0.0]
        for _ in range(config.ppo_epochs):
            for seat in (0, 1):
                total_tokens = sum(float(b["mask"].sum()) for b in batches[seat])
                optimizers[seat].zero_grad()
                loss_value = 0.0
                for b in batches[seat]:
                    logp, entropy = agents[seat].log_probs(*b["ids"], with_entropy=True)
                    ratio = torch.exp(logp - b["old"])
                    surrogate = -clipped_surrogate(ratio, b["advantage"], config.clip)  # min(r A, clip(r) A)
                    loss = -((surrogate + config.entropy_coef * entropy) * b["mask"]).sum() / max(total_tokens, 1.0)
                    loss.backward()
                    loss_value += loss.item()
                if config.grad_clip > 0:
                    torch.nn.utils.clip_grad_norm_(list(agents[seat].parameters()), config.grad_clip)
                optimizers[seat].step()
                losses[seat] = loss_value
        record = {
            "iteration": iteration + 1,
            "accuracy_agent0": float(rollout.correct[-1, 0].mean()),
            "accuracy_agent1": float(rollout.correct[-1, 1].mean()),
            "joint_accuracy": float(rollout.correct[-1].min(axis=0).mean()),
            "round1_accuracy_agent1": float(rollout.correct[0, 1].mean()),
            "kl_agent0": float(np.mean(kl_means[0])),
            "kl_agent1": float(np.mean(kl_means[1])),
            "loss_agent0": losses[0],
            "loss_agent1": losses[1],
        }
        history.append(record)
        if log is not None and config.log_every and (iteration + 1) % config.log_every == 0:
            recent = history[-config.log_every:]
            log(f"{config.algorithm} seed {config.seed} it {iteration + 1}: "
                f"acc0 {np.mean([h['accuracy_agent0'] for h in recent]):.3f} "
                f"acc1 {np.mean([h['accuracy_agent1'] for h in recent]):.3f} "
                f"joint {np.mean([h['joint_accuracy'] for h in recent]):.3f} "
                f"kl0 {np.mean([h['kl_agent0'] for h in recent]):.3f} "
                f"kl1 {np.mean([h['kl_agent1'] for h in recent]):.3f}")
    for agent in agents:
        agent.eval()
    return LMTrainResult(agents=agents, reference=reference, config=config, history=history,
                         seconds=time.perf_counter() - start)


def with_overrides(config: LMTrainConfig, **changes: Any) -> LMTrainConfig:
    """A copy of ``config`` with ``changes`` (validated like the original)."""
    return replace(config, **changes)
