"""The SRPO tests run tiny models on one torch thread: faster than two on a shared machine, and deterministic.

Function-scoped, so a test that changes the thread count (a CLI call, a benchmark helper) cannot leak it into the
next one: with two threads, torch's reductions may round differently from run to run, which breaks the bit-for-bit
resume tests when the tests run in another order.
"""

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread():
    try:
        import torch
    except ImportError:  # pragma: no cover
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
