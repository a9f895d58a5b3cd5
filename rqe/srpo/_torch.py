"""The one place where the SRPO layer imports torch (an optional dependency: ``pip install 'rqe[srpo]'``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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


#: Rollouts over at most this many environment copies run on one CPU thread (:func:`rollout_threads`).
SMALL_ROLLOUT = 1024


@contextmanager
def cpu_threads(n: int, device: Any = "cpu") -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads on CPU (restored afterwards); a no-op on other devices.

    >>> with cpu_threads(1):
    ...     torch.get_num_threads()
    1
    """
    before = torch.get_num_threads()
    if torch.device(device).type != "cpu" or before == n:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def rollout_threads(copies: int, device: Any = "cpu") -> Any:
    """The thread setting of a rollout over ``copies`` environment copies: one thread up to :data:`SMALL_ROLLOUT`.

    A step of such a rollout works on tensors of a few thousand numbers, below what torch splits between threads,
    except for the matrix products, where a second thread only adds synchronisation (and, on a busy machine,
    waits for a descheduled thread); larger rollouts keep the threads the caller set.

    >>> with rollout_threads(64):
    ...     torch.get_num_threads()
    1
    """
    return cpu_threads(1, device) if copies <= SMALL_ROLLOUT else nullcontext()
