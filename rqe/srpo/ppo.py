"""The PPO pieces every trainer of the SRPO layer shares: sampling, GAE, the clipped loss with its KL term.

Each function works on any leading batch shape, so the one-run :class:`rqe.srpo.trainer.Trainer` and the
population trainer :mod:`rqe.srpo.population` (a leading seed axis) compute the same mathematics with the same
code. Shapes: time first for :func:`gae`; samples on the last axis (before the action axis) for :func:`ppo_loss`.

References: J. Schulman et al., *Proximal Policy Optimization Algorithms* (2017) and *High-Dimensional Continuous
Control Using Generalized Advantage Estimation* (2016); the KL term is SRPO's adversary penalty, ``docs/rqe-math.md``
section 8 and [QZLM] eq. 9.
"""

from __future__ import annotations

from typing import Any

from rqe.srpo._torch import torch

__all__ = ["mask_logits", "gumbel_argmax", "gae", "clipped_surrogate", "ppo_loss"]


def mask_logits(logits: Any, mask: Any = None) -> Any:
    """``logits`` with the illegal actions (``mask`` false) set to ``finfo(dtype).min / 2``; unchanged without a mask.

    The policy is then ``softmax`` over the legal actions only: an illegal action has probability exactly 0 (its
    ``exp`` underflows) and a finite log-probability, so entropies and KL terms stay finite (never NaN) and no
    gradient reaches an illegal action's logit. Half the smallest float keeps a sum of two such logits finite.
    ``mask`` is a bool tensor broadcastable to ``logits`` (an environment's ``legal_mask()``) with at least one legal
    action per row.

    >>> import torch
    >>> torch.softmax(mask_logits(torch.zeros(1, 3), torch.tensor([[True, False, True]])), -1).tolist()
    [[0.5, 0.0, 0.5]]
    """
    if mask is None:
        return logits
    return logits.masked_fill(~mask, torch.finfo(logits.dtype).min / 2)


def gumbel_argmax(logits: Any, uniforms: Any) -> Any:
    """Sample from ``softmax(logits)`` with the Gumbel-max trick, given uniforms of the same shape.

    >>> import torch
    >>> gumbel_argmax(torch.tensor([[0.0, 50.0]]), torch.tensor([[0.5, 0.5]])).tolist()
    [1]
    """
    u = uniforms.clamp(1e-20, 1.0)
    return (logits - torch.log(-torch.log(u))).argmax(dim=-1)


def gae(rewards: Any, values: Any, next_value: Any, dones: Any, gamma: float, lam: float) -> Any:
    """GAE(gamma, lambda) advantages, time on the first axis.

    ``dones[t]`` marks that step ``t`` ended an episode (no bootstrap across it); the last step bootstraps from
    ``next_value`` unless it ended an episode, so a rollout cut inside an episode is bootstrapped from the critic:
    ``delta_t = r_t + gamma (1 - d_t) V_{t+1} - V_t``, ``A_t = delta_t + gamma lam (1 - d_t) A_{t+1}``.

    >>> import torch
    >>> gae(torch.ones(2, 1), torch.zeros(2, 1), torch.full((1,), 10.0), torch.zeros(2, 1), 0.5, 1.0).tolist()
    [[4.0], [6.0]]
    """
    # the elementwise parts for every step at once (the same float operations, in the same order, as step by step),
    # then one multiply and one add per step for the recursion
    nonterminal = 1.0 - dones.float()
    next_values = torch.cat([values[1:], next_value[None]])
    delta = rewards + gamma * next_values * nonterminal - values
    decay = gamma * lam * nonterminal
    adv = torch.empty_like(delta)
    last = delta[-1]
    adv[-1] = last
    for t in range(rewards.shape[0] - 2, -1, -1):
        last = torch.add(delta[t], decay[t] * last, out=adv[t])
    return adv


def clipped_surrogate(ratio: Any, adv: Any, clip_coef: float) -> Any:
    """PPO's clipped surrogate loss per sample: ``max(-A r, -A clip(r, 1 - c, 1 + c))`` for ratio ``r`` and advantage ``A``.

    Minimising it is maximising ``min(r A, clip(r, 1 - c, 1 + c) A)`` (Schulman et al. 2017, eq. 7); used by
    :func:`ppo_loss` and by the language-model trainer :func:`rqe.srpo.lm.train.train_lm` (per token).

    >>> import torch
    >>> clipped_surrogate(torch.tensor([0.5, 1.5]), torch.tensor([1.0, 1.0]), 0.2).tolist()
    [-0.5, -1.2000000476837158]
    """
    return torch.max(-adv * ratio, -adv * ratio.clamp(1 - clip_coef, 1 + clip_coef))


def ppo_loss(logits: Any, actions: Any, old_logp: Any, adv: Any, weight: Any, new_v: Any, old_v: Any,
             returns: Any, *, clip_coef: float, vf_coef: float, ent_coef: float, norm_adv: bool,
             clip_vloss: bool, ref_probs: Any = None, kl_coef: float = 0.0,
             kl_direction: str = "adversary||partner", mask: Any = None) -> tuple[Any, dict[str, Any]]:
    """The clipped PPO loss, reduced over the sample axis (the last axis of ``actions``).

    ``loss = pg - ent_coef * H + vf_coef * 0.5 (V - R)^2 + kl_coef * KL``, with the weighted clipped surrogate
    ``pg = sum_n w_n max(-A_n r_n, -A_n clip(r_n, 1 - c, 1 + c)) / sum_n w_n``. The KL term (when ``ref_probs``
    is given) is ``KL(pi || ref)`` for ``kl_direction="adversary||partner"`` (the paper's eq. 9) and
    ``KL(ref || pi)`` for ``"partner||adversary"`` (the authors' gridworld script). Returns the loss (one per
    leading index) and detached statistics of the same shape. ``mask`` (legal actions, the shape of ``logits``):
    every term is computed under the masked policy (:func:`mask_logits`), the one the actions were sampled from.
    """
    log_all = torch.log_softmax(mask_logits(logits, mask), -1)
    probs = log_all.exp()
    new_logp = log_all.gather(-1, actions[..., None])[..., 0]
    # sums over the legal actions only: an illegal action's log-probability is about -1.7e38, and a coefficient
    # above ~2 times it overflows the backward pass to inf, and 0 * inf to NaN (the paper's Hanabi tau = 0.01)
    legal = (lambda x: x) if mask is None else (lambda x: torch.where(mask, x, torch.zeros_like(x)))  # noqa: E731
    entropy = -legal(probs * log_all).sum(-1).mean(-1)
    log_ratio = new_logp - old_logp
    ratio = log_ratio.exp()
    if norm_adv and adv.shape[-1] > 1:
        adv = (adv - adv.mean(-1, keepdim=True)) / (adv.std(-1, keepdim=True) + 1e-8)
    surrogate = clipped_surrogate(ratio, adv, clip_coef)
    pg_loss = (weight * surrogate).sum(-1) / weight.sum(-1).clamp(min=1e-12)
    if clip_vloss:
        clipped = old_v + (new_v - old_v).clamp(-clip_coef, clip_coef)
        v_loss = 0.5 * torch.max((new_v - returns) ** 2, (clipped - returns) ** 2).mean(-1)
    else:
        v_loss = 0.5 * ((new_v - returns) ** 2).mean(-1)
    loss = pg_loss - ent_coef * entropy + vf_coef * v_loss
    kl_ref = torch.zeros_like(loss)
    if ref_probs is not None:
        log_ref = ref_probs.clamp(min=1e-12).log()
        if kl_direction == "adversary||partner":
            kl_ref = (probs * legal(log_all - log_ref)).sum(-1).mean(-1)
        else:
            kl_ref = (ref_probs * legal(log_ref - log_all)).sum(-1).mean(-1)
        loss = loss + kl_coef * kl_ref
    with torch.no_grad():
        stats = {"pg_loss": pg_loss.detach(), "v_loss": v_loss.detach(), "entropy": entropy.detach(),
                 "kl_ref": kl_ref.detach(), "approx_kl": ((ratio - 1) - log_ratio).mean(-1),
                 "clipfrac": ((ratio - 1.0).abs() > clip_coef).float().mean(-1)}
    return loss, stats
