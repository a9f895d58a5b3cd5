"""All extreme Nash equilibria of a two-player game by vertex enumeration of the best-response polytopes.

With payoffs shifted to be positive (``A, B > 0``; shifting does not change equilibria), the best-response
polytopes are [vS07, eq. 3.2]

    P = {x in R^m : x >= 0,  B^T x <= 1},        Q = {y in R^n : A y <= 1,  y >= 0}.

Label ``i < m`` belongs to ``x`` when ``x_i = 0`` and to ``y`` when ``(A y)_i = 1``; label ``m + j`` belongs to
``x`` when ``(B^T x)_j = 1`` and to ``y`` when ``y_j = 0``. A pair of vertices ``(x, y) != (0, 0)`` whose labels
cover ``{0, ..., m + n - 1}`` (completely labelled) gives, normalised, an extreme Nash equilibrium; every
extreme equilibrium arises this way, degenerate games included [vS07, Thm 3.4; Avis et al. 2010].

The vertices come from Qhull (``scipy.spatial.ConvexHull``) applied to the polar of each polytope, as in
QuantEcon. Unlike a facet's simplex, the label set of a vertex is computed from the constraints it makes tight
(after refining the vertex on them), so degenerate vertices (more than ``dim`` tight constraints, i.e. a
non-simplicial polar facet that Qhull triangulates) keep all their labels. Completely labelled pairs are then
matched in a jitted kernel on bit masks.

References
----------
[vS07] B. von Stengel, *Equilibrium computation for two-player games in strategic and extensive form*,
Chapter 3 of *Algorithmic Game Theory* (2007).
D. Avis, G. Rosenberg, R. Savani, B. von Stengel, *Enumeration of Nash equilibria for two-player games*,
Economic Theory 42 (2010).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations
from math import comb
from typing import Any

import numpy as np
from numba import njit

from rqe.game import Game
from rqe.results import Equilibrium
from rqe.solvers._common import GAP_TOL, certify, check_game, check_size, check_tol, sort_equilibria

__all__ = ["vertex_enumeration", "VertexEnumerationResult", "polytope_vertices"]

#: Default limit on the upper-bound-theorem estimate of the number of vertices of either polytope.
MAX_VERTICES = 2e6


@dataclass(frozen=True)
class VertexEnumerationResult:
    """What :func:`vertex_enumeration` found: all extreme equilibria (``complete``) and diagnostics."""

    equilibria: tuple[Equilibrium, ...]
    degenerate: bool
    complete: bool
    n_vertices: tuple[int, int]
    rejected: int
    method: str = "vertex_enumeration"
    converged: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)


def max_vertices(dim: int, n_facets: int) -> int:
    """McMullen's upper bound on the number of vertices of a ``dim``-polytope with ``n_facets`` facets."""
    if dim <= 1:
        return 2
    half_floor, half_ceil = dim // 2, (dim + 1) // 2
    return comb(n_facets - half_ceil, half_floor) + comb(n_facets - half_floor - 1, half_ceil - 1)


def polytope_vertices(G: np.ndarray, h: np.ndarray, interior: np.ndarray, qhull_options: str | None = None):
    """Vertices of the bounded polytope ``{z : G z <= h}`` with ``interior`` strictly inside, and their labels.

    Returns ``(vertices, tight)``: ``vertices`` of shape ``(v, d)`` and a boolean ``(v, k)`` array marking the
    constraints each vertex makes tight (relative tolerance ``1e-9``).

    >>> G = np.array([[-1.0, 0], [0, -1], [1, 1]]); h = np.array([0.0, 0, 1])
    >>> V, T = polytope_vertices(G, h, np.array([0.2, 0.2]))
    >>> sorted(map(tuple, (V.round(12) + 0.0).tolist()))
    [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
    """
    k, d = G.shape
    slack = h - G @ interior
    if d == 1:
        candidates = [h[r] / G[r, 0] for r in range(k) if G[r, 0] != 0]
        lo = max(c for r, c in zip(range(k), candidates) if G[r, 0] < 0) if any(G[:, 0] < 0) else None
        hi = min(c for r, c in zip(range(k), candidates) if G[r, 0] > 0) if any(G[:, 0] > 0) else None
        raw = np.array([[lo], [hi]])
    else:
        from scipy.spatial import ConvexHull

        points = G / slack[:, None]
        hull = ConvexHull(points, qhull_options=qhull_options)
        normals, offsets = hull.equations[:, :-1], hull.equations[:, -1]
        raw = interior + normals / (-offsets)[:, None]
    return _refine_and_label(G, h, raw)


def _refine_and_label(G: np.ndarray, h: np.ndarray, raw: np.ndarray):
    d = G.shape[1]
    row_scale = np.abs(G).max(axis=1) + np.abs(h)
    vertices, labels = [], []
    seen = set()
    for z in raw:
        tight = np.abs(G @ z - h) <= 1e-7 * row_scale
        if tight.sum() >= d:
            # refine on the tight constraints (least squares on an overdetermined, consistent system)
            z = np.linalg.lstsq(G[tight], h[tight], rcond=None)[0]
            tight = np.abs(G @ z - h) <= 1e-9 * row_scale
        key = tuple(np.round(z, 9) + 0.0)
        if key in seen:
            continue
        seen.add(key)
        vertices.append(z)
        labels.append(tight)
    return np.array(vertices).reshape(-1, d), np.array(labels, dtype=bool).reshape(-1, G.shape[0])


def _masks(labels: np.ndarray) -> np.ndarray:
    """Pack boolean label rows into ``uint64`` words (label ``k`` is bit ``k % 64`` of word ``k // 64``)."""
    v, k = labels.shape
    words = (k + 63) // 64
    out = np.zeros((v, words), dtype=np.uint64)
    for lab in range(k):
        out[:, lab // 64] |= labels[:, lab].astype(np.uint64) << np.uint64(lab % 64)
    return out


@njit(cache=True)
def _complementary_pairs(mask_x, mask_y, full):
    """All ``(a, b)`` with ``mask_x[a] | mask_y[b] == full`` (word-wise)."""
    vx, words = mask_x.shape
    vy = mask_y.shape[0]
    cap = 16
    out = np.empty((cap, 2), dtype=np.int64)
    count = 0
    for a in range(vx):
        for b in range(vy):
            ok = True
            for w in range(words):
                if (mask_x[a, w] | mask_y[b, w]) != full[w]:
                    ok = False
                    break
            if ok:
                if count == cap:
                    bigger = np.empty((2 * cap, 2), dtype=np.int64)
                    bigger[:cap] = out
                    out = bigger
                    cap *= 2
                out[count, 0] = a
                out[count, 1] = b
                count += 1
    return out[:count].copy()


def vertex_enumeration(game: Game, *, tol: float = GAP_TOL, max_size: float = MAX_VERTICES,
                       qhull_options: str | None = None) -> VertexEnumerationResult:
    """All extreme Nash equilibria of a two-player game (degenerate games included).

    Parameters
    ----------
    game : Game
        A two-player game.
    tol : float
        Largest Nash gap of a returned equilibrium.
    max_size : float
        Limit on the upper-bound estimate of the number of vertices of a best-response polytope, checked
        before the polytopes are built.
    qhull_options : str, optional
        Passed to ``scipy.spatial.ConvexHull``.

    Returns
    -------
    VertexEnumerationResult
        ``complete`` is True unless a completely labelled pair failed the Nash-gap check (then a warning).

    Examples
    --------
    A degenerate game with a continuum of equilibria (the column player is indifferent):

    >>> from rqe import Game
    >>> g = Game.from_bimatrix([[1, 0], [0, 1]], [[1, 1], [1, 1]])
    >>> r = vertex_enumeration(g)
    >>> r.degenerate, len(r.equilibria)
    (True, 4)
    >>> [tuple(x.round(12).tolist() for x in e.strategies) for e in r.equilibria]
    [([1.0, 0.0], [1.0, 0.0]), ([1.0, 0.0], [0.5, 0.5]), ([0.0, 1.0], [0.5, 0.5]), ([0.0, 1.0], [0.0, 1.0])]
    """
    game = check_game(game, players=2, method="vertex_enumeration")
    tol = check_tol(tol)
    m, n = game.shape
    estimate = max(max_vertices(m, m + n), max_vertices(n, m + n))
    check_size(float(estimate), float(max_size), "vertices (upper bound theorem)", "vertex_enumeration")
    A = game.payoffs[0] - game.payoffs[0].min() + 1.0
    B = game.payoffs[1] - game.payoffs[1].min() + 1.0
    # P: labels 0..m-1 are -x_i <= 0, labels m..m+n-1 are (B^T x)_j <= 1
    Gp = np.vstack([-np.eye(m), B.T])
    hp = np.concatenate([np.zeros(m), np.ones(n)])
    xp = np.full(m, 0.5 / (m * B.max()))
    # Q: labels 0..m-1 are (A y)_i <= 1, labels m..m+n-1 are -y_j <= 0
    Gq = np.vstack([A, -np.eye(n)])
    hq = np.concatenate([np.ones(m), np.zeros(n)])
    yq = np.full(n, 0.5 / (n * A.max()))
    Vx, Lx = polytope_vertices(Gp, hp, xp, qhull_options)
    Vy, Ly = polytope_vertices(Gq, hq, yq, qhull_options)
    Vx[Lx[:, :m]] = 0.0  # coordinates on a tight non-negativity constraint are exactly zero
    Vy[Ly[:, m:]] = 0.0
    degenerate = bool((Lx.sum(axis=1) > m).any() or (Ly.sum(axis=1) > n).any())
    keep_x = Vx.sum(axis=1) > 1e-12
    keep_y = Vy.sum(axis=1) > 1e-12
    Vx, Lx, Vy, Ly = Vx[keep_x], Lx[keep_x], Vy[keep_y], Ly[keep_y]
    full = _masks(np.ones((1, m + n), dtype=bool))[0]
    pairs = _complementary_pairs(_masks(Lx), _masks(Ly), full) if len(Vx) and len(Vy) else np.empty((0, 2), int)
    candidates = [(Vx[a] / Vx[a].sum(), Vy[b] / Vy[b].sum()) for a, b in pairs]
    equilibria, rejected = certify(game, candidates, tol, atol_same=1e-9)
    if rejected:
        warnings.warn(f"vertex enumeration: {rejected} completely labelled vertex pairs failed the Nash-gap check "
                      f"(tol={tol:g}); the game may be numerically ill-conditioned", RuntimeWarning, stacklevel=2)
    return VertexEnumerationResult(
        equilibria=sort_equilibria(equilibria), degenerate=degenerate, complete=rejected == 0,
        n_vertices=(int(keep_x.sum()) + 1, int(keep_y.sum()) + 1), rejected=int(rejected),
        parameters={"tol": tol, "qhull_options": qhull_options},
    )
