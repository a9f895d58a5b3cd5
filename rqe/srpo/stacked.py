"""Batched networks of a population (:mod:`rqe.srpo.population`): S MLPs of one shape as one set of weight tensors.

Every layer of S tanh MLPs (:func:`rqe.srpo.networks._mlp`) is one weight tensor of shape ``(S, out, in)`` and one
bias of shape ``(S, 1, out)``; the forward pass is one batched product ``torch.baddbmm`` per layer, the same
``x W^T + b`` as ``nn.Linear`` for each of the S slices (up to the rounding of the last bit). A learner of every
seed (:class:`StackedLearner`) is a stacked actor, a stacked critic and one Adam over both: Adam acts element by
element, so one Adam over stacked weights is S independent Adams. It runs the multi-tensor (``foreach``) kernels,
which compute exactly what the single-tensor loop of a single run's Adam computes (same operations, fewer calls).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rqe.srpo._torch import torch

__all__ = ["StackedMLP", "StackedLearner", "stacked_forward", "clip_per_seed"]

nn = torch.nn


def stacked_forward(weights: Sequence[Any], biases: Sequence[Any], x: Any) -> Any:
    """``x`` (G, N, in) through G tanh MLPs given per layer as weights (G, out, in) and biases (G, 1, out).

    >>> import torch
    >>> w, b = [torch.eye(2).expand(3, 2, 2)], [torch.ones(3, 1, 2)]
    >>> stacked_forward(w, b, torch.zeros(3, 4, 2)).shape
    torch.Size([3, 4, 2])
    """
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        x = torch.baddbmm(b, x, w.transpose(1, 2))
        if i < last:
            x = torch.tanh(x)
    return x


class StackedMLP(nn.Module):
    """S tanh MLPs of the same shape as one module: weight ``(S, out, in)`` and bias ``(S, 1, out)`` per layer.

    Built from S ``nn.Sequential`` MLPs (:func:`rqe.srpo.networks._mlp`); input ``(S, N, in)``, output ``(S, N, out)``.

    >>> import torch
    >>> from rqe.srpo.networks import Actor
    >>> actors = [Actor(8, 5, generator=torch.Generator().manual_seed(s)) for s in range(3)]
    >>> stacked = StackedMLP([a.net for a in actors])
    >>> x = torch.randn(3, 4, 8)
    >>> bool(torch.allclose(stacked(x)[1], actors[1](x[1]), atol=1e-6))
    True
    """

    def __init__(self, modules: Sequence[Any]):
        super().__init__()
        layers = [[m for m in seq if isinstance(m, nn.Linear)] for seq in modules]
        depth = len(layers[0])
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.stack([ls[i].weight.detach() for ls in layers]).clone()) for i in range(depth)])
        self.biases = nn.ParameterList(
            [nn.Parameter(torch.stack([ls[i].bias.detach() for ls in layers]).unsqueeze(1).clone())
             for i in range(depth)])

    def forward(self, x: Any) -> Any:
        return stacked_forward(list(self.weights), list(self.biases), x)

    def shape_key(self) -> tuple[tuple[int, ...], ...]:
        """The shapes of the layers but the seed axis (networks with equal keys can be stacked further)."""
        return tuple(tuple(w.shape[1:]) for w in self.weights)

    def ordered(self) -> list[Any]:
        """Parameters in the order of ``nn.Sequential.parameters()`` (weight, bias per layer)."""
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def load_from(self, modules: Sequence[Any]) -> None:
        fresh = StackedMLP(modules)
        with torch.no_grad():
            for mine, theirs in zip(self.ordered(), fresh.ordered()):
                mine.copy_(theirs)

    def seed_state(self, k: int, template: Any) -> dict[str, Any]:
        """Seed ``k``'s weights as the ``state_dict`` of the ``nn.Sequential`` ``template``."""
        names = list(template.state_dict())
        values = [p.detach()[k] if j % 2 == 0 else p.detach()[k, 0] for j, p in enumerate(self.ordered())]
        return {name: value.clone() for name, value in zip(names, values)}


class StackedLearner:
    """One learner of every seed: stacked actor and critic, one Adam over both (= S independent Adams)."""

    def __init__(self, name: str, learners: list[Any], adam_eps: float):
        first = learners[0]
        self.name = name
        self.actor = StackedMLP([lr.actor.net for lr in learners])
        self.critic = StackedMLP([lr.critics["v"].net for lr in learners])
        self.base_lr, self.ent_coef, self.kl_coef = first.base_lr, first.ent_coef, first.kl_coef
        self.critic_input = first.critic_input
        self.params = self.actor.ordered() + self.critic.ordered()
        self.optimizer = torch.optim.Adam(self.params, lr=self.base_lr, eps=adam_eps, foreach=True)

    def value(self, x: Any) -> Any:
        return self.critic(x).squeeze(-1)

    # -- moving state between the population and its seeds' single-run learners (for checkpoints)
    def to_seeds(self, learners: list[Any]) -> None:
        for k, learner in enumerate(learners):
            learner.actor.net.load_state_dict(self.actor.seed_state(k, learner.actor.net))
            learner.critics["v"].net.load_state_dict(self.critic.seed_state(k, learner.critics["v"].net))
            state = learner.optimizer.state_dict()
            group = self.optimizer.param_groups[0]
            state["param_groups"][0]["lr"] = group["lr"]
            state["state"] = {}
            for j, p in enumerate(self.params):
                if p in self.optimizer.state:
                    s = self.optimizer.state[p]
                    # even positions are weights (S, out, in), odd ones biases (S, 1, out)
                    pick = (lambda t: t[k].clone()) if j % 2 == 0 else (lambda t: t[k, 0].clone())
                    state["state"][j] = {"step": s["step"].clone(), "exp_avg": pick(s["exp_avg"]),
                                         "exp_avg_sq": pick(s["exp_avg_sq"])}
            learner.optimizer.load_state_dict(state)

    def from_seeds(self, learners: list[Any]) -> None:
        self.actor.load_from([lr.actor.net for lr in learners])
        self.critic.load_from([lr.critics["v"].net for lr in learners])
        states = [lr.optimizer.state_dict() for lr in learners]
        self.optimizer.state.clear()
        if not states[0]["state"]:
            return
        for j, p in enumerate(self.params):
            per_seed = [st["state"][j] for st in states]
            shape = lambda t: t.reshape(p.shape[1:])  # noqa: E731
            self.optimizer.state[p] = {
                "step": per_seed[0]["step"].clone(),
                "exp_avg": torch.stack([shape(s["exp_avg"]) for s in per_seed]).to(p.device),
                "exp_avg_sq": torch.stack([shape(s["exp_avg_sq"]) for s in per_seed]).to(p.device)}


def clip_per_seed(params: list[Any], max_norm: float) -> None:
    """``clip_grad_norm_`` for each seed separately (the norm over that seed's slices of every parameter).

    The squared norms are summed in double precision, one reduction per parameter, then every gradient is scaled
    by its seed's ``min(1, max_norm / (norm + 1e-6))`` (as ``torch.nn.utils.clip_grad_norm_`` does per run).

    >>> import torch
    >>> p = torch.zeros(2, 3, requires_grad=True)
    >>> p.grad = torch.tensor([[3.0, 4.0, 0.0], [0.3, 0.4, 0.0]])
    >>> clip_per_seed([p], 1.0)
    >>> [round(float(n), 4) for n in p.grad.norm(dim=1)]
    [1.0, 0.5]
    """
    grads = [p.grad for p in params if p.grad is not None]
    S = grads[0].shape[0]
    norm = torch.sqrt(sum((g.reshape(S, -1).double() ** 2).sum(1) for g in grads)).to(grads[0].dtype)
    coef = (max_norm / (norm + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.reshape(S, *([1] * (g.dim() - 1))))
