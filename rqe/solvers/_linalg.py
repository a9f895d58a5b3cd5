"""The dense linear solver shared by every jitted solver (LU with partial pivoting), and combinatorics helpers.

One elimination for the whole project: :func:`lu_factor` / :func:`lu_solve` (QRE path tracing, which also needs
the determinant's sign, :func:`lu_det_sign`), :func:`lu_solve_inplace` (Newton steps with a caller's pivot
buffer, no allocation) and :func:`solve_inplace` (support enumeration); the Gauss-Jordan tableau :func:`pivot` of vertex
enumeration and Lemke-Howson.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def lu_factor(A, piv, rel_tol):
    """In-place LU factorisation with partial pivoting of the square ``A`` (multipliers below the diagonal).

    Returns False when a pivot is at most ``rel_tol`` times the largest absolute entry of ``A`` (numerically
    singular) or ``A`` is zero.
    """
    n = A.shape[0]
    scale = 0.0
    for i in range(n):
        for j in range(n):
            if abs(A[i, j]) > scale:
                scale = abs(A[i, j])
    if scale == 0.0:
        return False
    tiny = rel_tol * scale
    for k in range(n):
        p = k
        big = abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > big:
                big = abs(A[i, k])
                p = i
        piv[k] = p
        if big <= tiny:
            return False
        if p != k:
            for j in range(n):
                tmp = A[k, j]
                A[k, j] = A[p, j]
                A[p, j] = tmp
        inv = 1.0 / A[k, k]
        for i in range(k + 1, n):
            f = A[i, k] * inv
            A[i, k] = f
            if f != 0.0:
                for j in range(k + 1, n):
                    A[i, j] -= f * A[k, j]
    return True


@njit(cache=True, error_model="numpy")
def lu_det_sign(A, piv):
    """Sign of the determinant of a matrix factorised in place by :func:`lu_factor`."""
    sign = 1.0
    for k in range(A.shape[0]):
        if piv[k] != k:
            sign = -sign
        if A[k, k] < 0.0:
            sign = -sign
    return sign


@njit(cache=True, error_model="numpy")
def lu_solve(A, piv, b):
    """Solve ``A x = b`` in place in ``b`` with the factors from :func:`lu_factor`."""
    n = A.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for i in range(n):
        s = b[i]
        for j in range(i):
            s -= A[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= A[i, j] * b[j]
        b[i] = s / A[i, i]


@njit(cache=True, error_model="numpy")
def lu_solve_inplace(M, rhs, piv, rel_tol):
    """Solve ``M z = rhs`` (both overwritten; ``z`` left in ``rhs``) with the pivot buffer ``piv``.

    Returns False when ``M`` is numerically singular (see :func:`lu_factor`).
    """
    if not lu_factor(M, piv, rel_tol):
        return False
    lu_solve(M, piv, rhs)
    return True


@njit(cache=True, error_model="numpy")
def solve_inplace(M, rhs, rel_tol):
    """Solve ``M z = rhs`` by :func:`lu_factor` and :func:`lu_solve`, overwriting both.

    Returns False when a pivot is below ``rel_tol`` times the largest absolute entry of ``M`` (numerically
    singular); otherwise the solution is left in ``rhs``.
    """
    return lu_solve_inplace(M, rhs, np.empty(M.shape[0], np.int64), rel_tol)


@njit(cache=True)
def pivot(T, row, col):
    """Gauss-Jordan pivot of the tableau ``T`` on ``(row, col)``: the row divided by the pivot, ``col`` eliminated
    from every other row (exactly 0 and 1 in that column), as simplex-type pivoting needs."""
    p = T[row, col]
    width = T.shape[1]
    for j in range(width):
        T[row, j] /= p
    for i in range(T.shape[0]):
        if i == row:
            continue
        f = T[i, col]
        if f != 0.0:
            for j in range(width):
                T[i, j] -= f * T[row, j]
        T[i, col] = 0.0
    T[row, col] = 1.0


@njit(cache=True, error_model="numpy")
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
