"""Cold start of the compiled solvers: say so, once, before a compile that the on-disk cache cannot spare.

Numba compiles each kernel on its first call with a new signature and keeps the machine code in
``__pycache__`` (``cache=True``), so only the kernels a call needs are compiled, once per install. A compile
of these kernels takes seconds to minutes; :func:`announce_compile` prints ``"rqe: compiling solvers, first use
only"`` to stderr when one of the dispatchers it is given has no compiled version in this process and no
entry in its on-disk cache index (a compile is then certain).
"""

from __future__ import annotations

import sys

__all__ = ["announce_compile", "COMPILE_NOTICE"]

COMPILE_NOTICE = "rqe: compiling solvers, first use only (cached for later runs)"


def _will_compile(dispatcher) -> bool:
    if dispatcher.overloads:  # compiled (or loaded) in this process already
        return False
    try:
        return not dispatcher._cache._cache_file._load_index()
    except Exception:  # a Numba without this cache layout: say nothing rather than guess
        return False


def announce_compile(*dispatchers) -> bool:
    """Print :data:`COMPILE_NOTICE` to stderr when any of ``dispatchers`` is about to compile; True if printed.

    >>> announce_compile()
    False
    """
    if any(_will_compile(d) for d in dispatchers):
        print(COMPILE_NOTICE, file=sys.stderr, flush=True)
        return True
    return False
