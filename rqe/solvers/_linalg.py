"""Small dense linear-algebra kernels shared by the jitted solvers."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def solve_inplace(M, rhs, rel_tol):
    """Solve ``M z = rhs`` by Gaussian elimination with partial pivoting, overwriting both.

    Returns False when a pivot is below ``rel_tol`` times the largest absolute entry of ``M`` (numerically
    singular); otherwise the solution is left in ``rhs``.
    """
    size = M.shape[0]
    scale = 0.0
    for r in range(size):
        for c in range(size):
            v = abs(M[r, c])
            if v > scale:
                scale = v
    if scale == 0.0:
        return False
    threshold = rel_tol * scale
    for col in range(size):
        piv = col
        best = abs(M[col, col])
        for r in range(col + 1, size):
            v = abs(M[r, col])
            if v > best:
                best = v
                piv = r
        if best <= threshold:
            return False
        if piv != col:
            for c in range(col, size):
                tmp = M[col, c]
                M[col, c] = M[piv, c]
                M[piv, c] = tmp
            tmp = rhs[col]
            rhs[col] = rhs[piv]
            rhs[piv] = tmp
        inv = 1.0 / M[col, col]
        for r in range(col + 1, size):
            f = M[r, col] * inv
            if f != 0.0:
                for c in range(col + 1, size):
                    M[r, c] -= f * M[col, c]
                rhs[r] -= f * rhs[col]
    for r in range(size - 1, -1, -1):
        acc = rhs[r]
        for c in range(r + 1, size):
            acc -= M[r, c] * rhs[c]
        rhs[r] = acc / M[r, r]
    return True


@njit(cache=True)
def next_combination(idx, n):
    """Advance the sorted index array ``idx`` to the next k-combination of ``range(n)``; False when done."""
    k = idx.shape[0]
    i = k - 1
    while i >= 0 and idx[i] == n - k + i:
        i -= 1
    if i < 0:
        return False
    idx[i] += 1
    for j in range(i + 1, k):
        idx[j] = idx[j - 1] + 1
    return True
