"""The one place where the SRPO layer imports torch (an optional dependency: ``pip install 'rqe[srpo]'``)."""

from __future__ import annotations

from typing import Any

from rqe._optional import require
from rqe.errors import ParameterError

torch = require("torch", "srpo", "the SRPO learning layer")


def resolve_device(device: Any = "auto") -> Any:
    """``"auto"`` -> CUDA when available, else CPU; anything else is passed to :class:`torch.device`.

    >>> resolve_device("cpu").type
    'cpu'
    """
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ParameterError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}") from exc


def make_generator(seed: int, device: Any) -> Any:
    """A seeded :class:`torch.Generator` on ``device`` (no global RNG state is ever used)."""
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator
