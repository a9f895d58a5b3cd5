"""All extreme Nash equilibria of a two-player game by vertex enumeration of the best-response polytopes.

With payoffs shifted to be positive (``A, B > 0``; shifting does not change equilibria), the best-response
polytopes are [vS07]

    P = {x in R^m : x >= 0,  B^T x <= 1},        Q = {y in R^n : A y <= 1,  y >= 0}.

Label ``i < m`` belongs to ``x`` when ``x_i = 0`` and to ``y`` when ``(A y)_i = 1``; label ``m + j`` belongs to
``x`` when ``(B^T x)_j = 1`` and to ``y`` when ``y_j = 0``. A pair of vertices ``(x, y) != (0, 0)`` whose labels
cover ``{0, ..., m + n - 1}`` (completely labelled) gives, normalised, an extreme Nash equilibrium; every
extreme equilibrium arises this way, degenerate games included [vS07; Avis et al. 2010].

Each player's payoffs are first normalised onto ``[0, 1]`` and shifted to ``[1, 2]``
(:mod:`rqe.solvers._scale`), so nothing below depends on the payoffs' scale. Three ways to the vertices:

1. *Pivoting* (default, ``m + n <= 62``): one jitted call enumerates both polytopes by breadth-first search
   over their feasible bases (:mod:`rqe.solvers._vertex_pivoting`) and matches completely labelled pairs on
   bit masks. It is trusted only on a game it finds nondegenerate with every slack clearly zero or clearly
   positive, every pair certified, and an odd number of equilibria (as a nondegenerate game has).
2. *Exact* (whenever the pivoting search is not trusted, or ``exact=True``): the same search in integer
   arithmetic on the payoffs read as rationals (:mod:`rqe.solvers.exact_vertex_enumeration`), which decides
   every tie, degenerate games included, up to ``max_bases`` feasible bases.
3. *Qhull* (``qhull_options`` given, more than 62 labels, ``exact=False`` on a doubtful game, or past
   ``max_bases``): ``scipy.spatial.ConvexHull`` on the polar of each polytope, as in QuantEcon, with the label
   set of each vertex computed from the constraints it makes tight, so degenerate vertices keep all labels.

``complete=True`` means proved: by the exact search, or by an unambiguous floating-point one.

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

from rqe._validation import positive_int
from rqe.errors import ParameterError, ProblemSizeError
from rqe.game import Game, Profile
from rqe.results import Equilibrium
from rqe.solvers._common import GAP_TOL, certify, check_game, check_size, check_tol, sort_equilibria
from rqe.solvers._scale import check_finite, normalise, normalise_into
from rqe.solvers.exact_vertex_enumeration import BasisLimitError, exact_extreme_equilibria
from rqe.solvers._vertex_pivoting import AMBIGUOUS, DEGENERATE, LIMIT, MAX_VARIABLES, OK, pivoting_vertices

__all__ = ["vertex_enumeration", "VertexEnumerationResult", "polytope_vertices"]

#: Default limit on the upper-bound-theorem estimate of the number of vertices of either polytope.
MAX_VERTICES = 2e6
#: Default limit on the feasible bases visited by the exact search (per polytope).
MAX_BASES = 50_000


@dataclass(frozen=True)
class VertexEnumerationResult:
    """What :func:`vertex_enumeration` found: all extreme equilibria (``complete``) and diagnostics.

    ``exact`` says whether the exact search produced the list; ``doubt`` why floating point was not trusted
    (None when it was).
    """

    equilibria: tuple[Equilibrium, ...]
    degenerate: bool
    complete: bool
    n_vertices: tuple[int, int]
    rejected: int
    method: str = "vertex_enumeration"
    converged: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)
    exact: bool = False
    doubt: str | None = None

    @property
    def residual(self) -> float:
        """The largest relative Nash gap of the equilibria (0 when there are none)."""
        return max((e.residual for e in self.equilibria), default=0.0)

    @property
    def iterations(self) -> int:
        """Vertices enumerated (the method's unit of work)."""
        return int(sum(self.n_vertices))


def max_vertices(dim: int, n_facets: int) -> int:
    """McMullen's upper bound on the number of vertices of a ``dim``-polytope with ``n_facets`` facets."""
    if dim <= 1:
        return 2
    half_floor, half_ceil = dim // 2, (dim + 1) // 2
    return comb(n_facets - half_ceil, half_floor) + comb(n_facets - half_floor - 1, half_ceil - 1)


def polytope_vertices(G: np.ndarray, h: np.ndarray, interior: np.ndarray, qhull_options: str | None = None):
    """Vertices of the bounded polytope ``{z : G z <= h}`` with ``interior`` strictly inside, and their labels.

    Returns ``(vertices, tight, ambiguous)``: ``vertices`` of shape ``(v, d)``, a boolean ``(v, k)`` array
    marking the constraints each vertex makes tight (slack at most ``TIGHT`` relative to the row's scale, after
    refining the vertex on them), and whether some slack fell between ``TIGHT`` and ``LOOSE``, where floating
    point cannot tell a tight constraint from a loose one. Raises ``scipy.spatial.QhullError`` when Qhull
    fails and the polytope is too large for the brute-force fallback.

    >>> G = np.array([[-1.0, 0], [0, -1], [1, 1]]); h = np.array([0.0, 0, 1])
    >>> V, T, ambiguous = polytope_vertices(G, h, np.array([0.2, 0.2]))
    >>> sorted(map(tuple, (V.round(12) + 0.0).tolist())), ambiguous
    ([(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)], False)
    """
    k, d = G.shape
    slack = h - G @ interior
    if d == 1:
        candidates = [h[r] / G[r, 0] for r in range(k) if G[r, 0] != 0]
        lo = max(c for r, c in zip(range(k), candidates) if G[r, 0] < 0) if any(G[:, 0] < 0) else None
        hi = min(c for r, c in zip(range(k), candidates) if G[r, 0] > 0) if any(G[:, 0] > 0) else None
        raw = np.array([[lo], [hi]])
    else:
        from scipy.spatial import ConvexHull, QhullError

        points = G / slack[:, None]
        try:
            hull = ConvexHull(points, qhull_options=qhull_options)
        except QhullError:
            # Qhull gave up (precision); fall back to trying every square subsystem when that is affordable
            if comb(k, d) > 2e6:
                raise
            return _refine_and_label(G, h, _brute_force_vertices(G, h))
        normals, offsets = hull.equations[:, :-1], hull.equations[:, -1]
        raw = interior + normals / (-offsets)[:, None]
    check_finite(raw, "vertex_enumeration (Qhull vertices)")
    return _refine_and_label(G, h, raw)


#: Relative slack at or below which a constraint counts as tight at a refined vertex.
TIGHT = 1e-11
#: Relative slack above which a constraint is certainly loose; in between, floating point cannot decide.
LOOSE = 1e-7


def _brute_force_vertices(G: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Feasible solutions of every nonsingular ``d x d`` subsystem of ``G z = h`` (small polytopes only)."""
    k, d = G.shape
    scale = np.abs(G).max(axis=1) + np.abs(h)
    found = []
    for rows in combinations(range(k), d):
        sub = G[list(rows)]
        if abs(np.linalg.det(sub)) < 1e-12 * max(1.0, np.abs(sub).max()) ** d:
            continue
        z = np.linalg.solve(sub, h[list(rows)])
        if np.all(G @ z - h <= 1e-9 * scale):
            found.append(z)
    return np.array(found).reshape(-1, d)


def _refine_and_label(G: np.ndarray, h: np.ndarray, raw: np.ndarray):
    d = G.shape[1]
    row_scale = np.abs(G).max(axis=1) + np.abs(h)
    vertices, labels = [], []
    seen = set()
    ambiguous = False
    for z in raw:
        tight = np.abs(G @ z - h) <= LOOSE * row_scale
        if tight.sum() >= d:
            # refine on the tight constraints (least squares on an overdetermined, consistent system)
            z = np.linalg.lstsq(G[tight], h[tight], rcond=None)[0]
        slack = np.abs(G @ z - h) / row_scale
        tight = slack <= TIGHT
        if tight.sum() < d or ((slack > TIGHT) & (slack <= LOOSE)).any():
            ambiguous = True
        key = tuple(np.round(z, 9) + 0.0)
        if key in seen:
            continue
        seen.add(key)
        vertices.append(z)
        labels.append(tight)
    return np.array(vertices).reshape(-1, d), np.array(labels, dtype=bool).reshape(-1, G.shape[0]), ambiguous


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
                       qhull_options: str | None = None, exact: bool | str = "auto",
                       max_bases: int = MAX_BASES) -> VertexEnumerationResult:
    """All extreme Nash equilibria of a two-player game (degenerate games included).

    The payoffs are first normalised per player onto ``[0, 1]`` (:mod:`rqe.solvers._scale`), so the result
    does not depend on the payoffs' scale or offset. The floating-point enumeration (Qhull) is trusted only
    when it is unambiguous: every constraint at every vertex is either tight (relative slack at most
    ``1e-11``) or clearly loose (above ``1e-7``), no vertex has more tight constraints than its dimension
    (nondegenerate), Qhull succeeded and every completely labelled pair passed the gap check. Otherwise,
    with ``exact="auto"``, the enumeration is redone exactly (:mod:`rqe.solvers.exact_vertex_enumeration`,
    integer pivoting on the payoffs read as rationals), which decides every tie.

    Parameters
    ----------
    game : Game
        A two-player game.
    tol : float
        Largest relative Nash gap (gap over each player's payoff range) of a returned equilibrium.
    max_size : float
        Limit on the upper-bound estimate of the number of vertices of a best-response polytope, checked
        before the polytopes are built.
    qhull_options : str, optional
        Passed to ``scipy.spatial.ConvexHull``.
    exact : bool or "auto"
        ``True``: always enumerate exactly; ``False``: never (a doubtful float result is returned with
        ``complete=False``); ``"auto"`` (default): exactly when floating point cannot decide.
    max_bases : int
        Limit on the feasible bases visited by the exact search; past it the result is the float one with
        ``complete=False``.

    Returns
    -------
    VertexEnumerationResult
        ``complete`` is True when the enumeration is proved: exact, or unambiguous in floating point.

    Examples
    --------
    A degenerate game with a continuum of equilibria (the column player is indifferent):

    >>> from rqe import Game
    >>> g = Game.from_bimatrix([[1, 0], [0, 1]], [[1, 1], [1, 1]])
    >>> r = vertex_enumeration(g)
    >>> r.degenerate, len(r.equilibria), r.complete, r.exact
    (True, 4, True, True)
    >>> [tuple(x.round(12).tolist() for x in e.strategies) for e in r.equilibria]
    [([1.0, 0.0], [1.0, 0.0]), ([1.0, 0.0], [0.5, 0.5]), ([0.0, 1.0], [0.5, 0.5]), ([0.0, 1.0], [0.0, 1.0])]
    """
    game = check_game(game, players=2, method="vertex_enumeration")
    tol = check_tol(tol)
    if exact not in (True, False, "auto"):
        raise ParameterError(f"exact must be True, False or 'auto', got {exact!r}")
    max_bases = positive_int(max_bases, "max_bases")
    m, n = game.shape
    estimate = max(max_vertices(m, m + n), max_vertices(n, m + n))
    check_size(float(estimate), max_size, "vertices (upper bound theorem)", "vertex_enumeration")
    parameters = {"tol": tol, "qhull_options": qhull_options, "exact": exact, "max_bases": max_bases}
    doubt = "exact enumeration requested" if exact is True else None
    floating = None  # the floating-point answer, when there is one
    if exact is not True:
        if qhull_options is None and m + n <= MAX_VARIABLES:
            floating, doubt = _pivoting_enumeration(game, tol)
        else:
            floating, doubt = _float_enumeration(game, normalise(game), tol, qhull_options)
        if doubt is None:
            return _with(floating, parameters, complete=True, doubt=None)
        if exact is False:  # no exact arbiter: the Qhull path labels degenerate vertices in floating point
            floating = floating or _float_enumeration(game, normalise(game), tol, qhull_options)[0]
            return _with(floating, parameters, complete=False, doubt=doubt)
    try:
        found, degenerate, snapped = exact_extreme_equilibria(game.payoffs[0], game.payoffs[1], max_bases=max_bases)
    except BasisLimitError:
        if exact is True:
            raise ProblemSizeError(f"vertex_enumeration (exact): more than max_bases={max_bases} feasible bases; "
                                   f"pass a larger max_bases= or exact='auto'") from None
        floating = floating or _float_enumeration(game, normalise(game), tol, qhull_options)[0]
        warnings.warn(f"vertex enumeration: floating point could not decide ({doubt}) and the exact search "
                      f"stopped at max_bases={max_bases}; the result may be incomplete", RuntimeWarning,
                      stacklevel=2)
        return _with(floating, parameters, complete=False, doubt=doubt)
    candidates = [(np.array([float(v) for v in x]), np.array([float(v) for v in y])) for x, y in found]
    equilibria, rejected = certify(game, candidates, tol, atol_same=0.0)
    n_vertices = floating.n_vertices if floating is not None else (0, 0)
    return VertexEnumerationResult(
        equilibria=sort_equilibria(equilibria), degenerate=degenerate, complete=rejected == 0,
        n_vertices=n_vertices, rejected=int(rejected), parameters={**parameters, "snapped": snapped}, exact=True,
        doubt=doubt,
    )


def _with(result: VertexEnumerationResult, parameters: dict[str, Any], complete: bool,
          doubt: str | None) -> VertexEnumerationResult:
    return VertexEnumerationResult(result.equilibria, result.degenerate, complete, result.n_vertices,
                                   result.rejected, parameters=parameters, exact=False, doubt=doubt)


_PIVOTING_DOUBTS = {
    DEGENERATE: "the game is degenerate, or too close to degenerate for floating point (a ratio-test tie)",
    AMBIGUOUS: "a constraint's slack is too close to zero to decide in floating point",
    LIMIT: "more vertices than the pivoting search's limit",
}


@njit(cache=True)
def _pivoting_kernel(A_raw, B_raw, tight, loose, limit):
    """Normalise, enumerate both polytopes by pivoting, match completely labelled pairs: one compiled call.

    Returns ``(X, Y, relative gaps, payoffs in the original game, vertices of P, vertices of Q, flag)``.
    """
    m, n = A_raw.shape
    A = np.empty((m, n))
    B = np.empty((m, n))
    normalise_into(A_raw, A)
    normalise_into(B_raw, B)
    Bt = np.empty((n, m))
    for i in range(m):
        for j in range(n):
            Bt[j, i] = B[i, j] + 1.0
    Vx, Mx, flag = pivoting_vertices(Bt, tight, loose, limit)
    X = np.empty((0, m))
    Y = np.empty((0, n))
    gaps = np.empty(0)
    payoffs = np.empty((0, 2))
    if flag != OK:
        return X, Y, gaps, payoffs, Vx.shape[0], 0, flag
    Vy, My, flag = pivoting_vertices(A + 1.0, tight, loose, limit)
    if flag != OK:
        return X, Y, gaps, payoffs, Vx.shape[0], Vy.shape[0], flag
    full = (1 << (m + n)) - 1
    low_n = (1 << n) - 1
    count = 0
    cap = 8
    X = np.empty((cap, m))
    Y = np.empty((cap, n))
    gaps = np.empty(cap)
    payoffs = np.empty((cap, 2))
    row_values = np.empty(m)
    col_values = np.empty(n)
    for b in range(Vy.shape[0]):
        sy = Vy[b].sum()
        if sy <= 0.0:
            continue
        labels_y = ((My[b] & low_n) << m) | (My[b] >> n)
        for a in range(Vx.shape[0]):
            if (Mx[a] | labels_y) != full:
                continue
            sx = Vx[a].sum()
            if sx <= 0.0:
                continue
            if count == cap:
                cap *= 2
                X2 = np.empty((cap, m))
                Y2 = np.empty((cap, n))
                g2 = np.empty(cap)
                p2 = np.empty((cap, 2))
                X2[:count] = X[:count]
                Y2[:count] = Y[:count]
                g2[:count] = gaps[:count]
                p2[:count] = payoffs[:count]
                X, Y, gaps, payoffs = X2, Y2, g2, p2
            x = Vx[a] / sx
            y = Vy[b] / sy
            X[count] = x
            Y[count] = y
            u0 = 0.0
            u1 = 0.0
            r0 = 0.0
            r1 = 0.0
            for i in range(m):
                row_values[i] = 0.0
            for j in range(n):
                col_values[j] = 0.0
            for i in range(m):
                for j in range(n):
                    row_values[i] += A[i, j] * y[j]
                    col_values[j] += B[i, j] * x[i]
                    w = x[i] * y[j]
                    u0 += A_raw[i, j] * w
                    u1 += B_raw[i, j] * w
            for i in range(m):
                r0 += row_values[i] * x[i]
            for j in range(n):
                r1 += col_values[j] * y[j]
            gaps[count] = max(row_values.max() - r0, col_values.max() - r1, 0.0)
            payoffs[count, 0] = u0
            payoffs[count, 1] = u1
            count += 1
    return X[:count].copy(), Y[:count].copy(), gaps[:count].copy(), payoffs[:count].copy(), \
        Vx.shape[0], Vy.shape[0], OK


def _pivoting_enumeration(game: Game, tol: float):
    """The jitted pivoting enumeration (:mod:`rqe.solvers._vertex_pivoting`) and why not to trust it, if so.

    Returns ``(result or None, doubt or None)``; no result when the search stopped on a flag.
    """
    m, n = game.shape
    limit = 10 * max(max_vertices(m, m + n), max_vertices(n, m + n))
    payoffs_ab = game.payoffs
    X, Y, gaps, payoffs, vx, vy, flag = _pivoting_kernel(payoffs_ab[0], payoffs_ab[1], TIGHT, LOOSE, limit)
    if flag != OK:  # the search stopped early: no floating-point answer
        return None, _PIVOTING_DOUBTS[flag]
    for array in (X, Y, payoffs):
        array.setflags(write=False)
    good = gaps <= tol
    equilibria = [Equilibrium(tuple.__new__(Profile, (X[c], Y[c])), payoffs[c], float(gaps[c]))
                  for c in np.flatnonzero(good).tolist()]
    rejected = len(gaps) - len(equilibria)
    result = VertexEnumerationResult(sort_equilibria(equilibria) if len(equilibria) > 1 else tuple(equilibria),
                                     False, False, (int(vx), int(vy)), int(rejected))
    if rejected:
        return result, f"{rejected} completely labelled pairs failed the gap check (tol={tol:g})"
    if len(equilibria) % 2 == 0:
        # a nondegenerate game has an odd number of equilibria (a corollary of Lemke-Howson [vS07]): one was missed
        return result, f"an even number ({len(equilibria)}) of equilibria in a game found nondegenerate"
    return result, None


def _float_enumeration(game: Game, scaled, tol: float, qhull_options: str | None):
    """The Qhull enumeration on the normalised payoffs, and why it cannot be trusted (None when it can)."""
    from scipy.spatial import QhullError

    m, n = game.shape
    A = scaled.payoffs[0] + 1.0  # entries in [1, 2]: the polytopes are bounded and well scaled
    B = scaled.payoffs[1] + 1.0
    # P: labels 0..m-1 are -x_i <= 0, labels m..m+n-1 are (B^T x)_j <= 1
    Gp = np.vstack([-np.eye(m), B.T])
    hp = np.concatenate([np.zeros(m), np.ones(n)])
    xp = np.full(m, 0.25 / m)
    # Q: labels 0..m-1 are (A y)_i <= 1, labels m..m+n-1 are -y_j <= 0
    Gq = np.vstack([A, -np.eye(n)])
    hq = np.concatenate([np.ones(m), np.zeros(n)])
    yq = np.full(n, 0.25 / n)
    empty = VertexEnumerationResult((), False, False, (0, 0), 0)
    try:
        Vx, Lx, ambiguous_x = polytope_vertices(Gp, hp, xp, qhull_options)
        Vy, Ly, ambiguous_y = polytope_vertices(Gq, hq, yq, qhull_options)
    except QhullError as exc:
        return empty, f"Qhull failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    Vx[Lx[:, :m]] = 0.0  # coordinates on a tight non-negativity constraint are exactly zero
    Vy[Ly[:, m:]] = 0.0
    degenerate = bool((Lx.sum(axis=1) > m).any() or (Ly.sum(axis=1) > n).any())
    keep_x = Vx.sum(axis=1) > 1e-12
    keep_y = Vy.sum(axis=1) > 1e-12
    Vx, Lx, Vy, Ly = Vx[keep_x], Lx[keep_x], Vy[keep_y], Ly[keep_y]
    full = _masks(np.ones((1, m + n), dtype=bool))[0]
    pairs = _complementary_pairs(_masks(Lx), _masks(Ly), full) if len(Vx) and len(Vy) else np.empty((0, 2), int)
    candidates = [(Vx[a] / Vx[a].sum(), Vy[b] / Vy[b].sum()) for a, b in pairs]
    equilibria, rejected = certify(game, candidates, tol, atol_same=1e-9, scaled=scaled)
    result = VertexEnumerationResult(
        equilibria=sort_equilibria(equilibria), degenerate=degenerate, complete=False,
        n_vertices=(int(keep_x.sum()) + 1, int(keep_y.sum()) + 1), rejected=int(rejected),
    )
    if ambiguous_x or ambiguous_y:
        return result, "a constraint's slack is too close to zero to decide in floating point"
    if degenerate:
        return result, "the game is degenerate (a vertex with more tight constraints than its dimension)"
    if rejected:
        return result, f"{rejected} completely labelled pairs failed the gap check (tol={tol:g})"
    return result, None
