"""Actor and critic networks shared by every algorithm of the SRPO layer (2 x 64 tanh MLPs by default)."""

from __future__ import annotations

import math
from typing import Any

from rqe.srpo._torch import torch

nn = torch.nn

__all__ = ["Actor", "Critic", "FixedPolicy", "sample_actions", "load_actor"]


def _mlp(in_dim: int, out_dim: int, hidden: int, layers: int, out_gain: float, generator: Any,
         init: str = "orthogonal") -> Any:
    """A tanh MLP. ``init="orthogonal"``: orthogonal weights (gain sqrt 2, last layer ``out_gain``), zero biases
    (CleanRL); ``"uniform"``: PyTorch's default ``nn.Linear`` initialisation, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``
    for weights and biases (what the authors' gridworld script uses), drawn from ``generator``."""
    dims = [in_dim] + [hidden] * layers
    modules: list[Any] = []
    for a, b in zip(dims[:-1], dims[1:]):
        modules += [nn.Linear(a, b), nn.Tanh()]
    modules.append(nn.Linear(dims[-1], out_dim))
    gains = [math.sqrt(2.0)] * layers + [out_gain]
    with torch.no_grad():
        for layer, gain in zip([m for m in modules if isinstance(m, nn.Linear)], gains):
            if init == "uniform":
                bound = 1.0 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)
            else:
                nn.init.orthogonal_(layer.weight, gain=gain, generator=generator)
                nn.init.zeros_(layer.bias)
    return nn.Sequential(*modules)


class Actor(nn.Module):
    """Policy network: observation -> action logits (``hidden`` x ``layers`` tanh MLP, orthogonal init).

    >>> import torch
    >>> actor = Actor(8, 5, generator=torch.Generator().manual_seed(0))
    >>> actor(torch.zeros(3, 8)).shape
    torch.Size([3, 5])
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64, layers: int = 2, generator: Any = None,
                 init: str = "orthogonal"):
        super().__init__()
        self.obs_dim, self.n_actions, self.hidden, self.layers = obs_dim, n_actions, hidden, layers
        self.net = _mlp(obs_dim, n_actions, hidden, layers, 0.01, generator, init)

    def forward(self, obs: Any) -> Any:
        return self.net(obs)

    def spec(self) -> dict[str, int]:
        return {"obs_dim": self.obs_dim, "n_actions": self.n_actions, "hidden": self.hidden, "layers": self.layers}


class Critic(nn.Module):
    """Value network: input (observation, or global state for centralised critics) -> scalar value."""

    def __init__(self, in_dim: int, hidden: int = 64, layers: int = 2, generator: Any = None,
                 init: str = "orthogonal"):
        super().__init__()
        self.net = _mlp(in_dim, 1, hidden, layers, 1.0, generator, init)

    def forward(self, x: Any) -> Any:
        return self.net(x).squeeze(-1)


class FixedPolicy(nn.Module):
    """A policy that ignores its observation: always ``action`` ("idle" partner), or uniform when ``action`` is None.

    >>> import torch
    >>> FixedPolicy(5, action=4)(torch.zeros(2, 8)).argmax(-1).tolist()
    [4, 4]
    """

    def __init__(self, n_actions: int, action: int | None = None):
        super().__init__()
        self.n_actions, self.action = int(n_actions), action

    def forward(self, obs: Any) -> Any:
        logits = torch.zeros(*obs.shape[:-1], self.n_actions, device=obs.device)
        if self.action is not None:
            logits = logits - 1e9
            logits[..., self.action] = 0.0
        return logits


def sample_actions(logits: Any, generator: Any) -> Any:
    """Sample one action per row of ``logits`` with the Gumbel-max trick, drawing only from ``generator``."""
    from rqe.srpo.ppo import gumbel_argmax

    return gumbel_argmax(logits, torch.rand(logits.shape, generator=generator, device=logits.device))


def load_actor(spec: dict[str, int], state: dict[str, Any], device: Any = "cpu") -> Any:
    """Rebuild an :class:`Actor` from its ``spec()`` and ``state_dict()``."""
    actor = Actor(**spec)
    actor.load_state_dict(state)
    return actor.to(device).eval()
