"""Polish an approximate equilibrium (e.g. the end of the logit QRE path) to an exact Nash equilibrium.

Given a profile ``x`` close to a Nash equilibrium, guess the supports ``S_i = {a : x_i[a] > t}`` for decreasing
thresholds ``t`` and solve the indifference system on them (``docs/rqe-math.md`` section 1)

    (M_i x_{-i})_a = w_i  for a in S_i,     sum_{a in S_i} x_i[a] = 1,     x_i[a] = 0 off S_i,

by Levenberg-Marquardt from ``x``. A solution is accepted when it is a probability profile whose Nash gap is
at most ``tol``. For two players the system is linear; for more players it is polynomial, and a good start
(the end of the logit path, [MP95, T05]) is what makes Newton-type polishing reliable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rqe.game import Game

__all__ = ["polish_to_nash"]


def polish_to_nash(game: Game, profile: Sequence[np.ndarray], tol: float = 1e-9,
                   thresholds: Sequence[float] = (1e-2, 1e-3, 1e-4, 1e-6, 1e-9)):
    """Return ``(profile, supports)`` of a Nash equilibrium near ``profile``, or ``(None, None)``.

    >>> from rqe import Game
    >>> mp = Game.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> eq, supports = polish_to_nash(mp, ([0.52, 0.48], [0.47, 0.53]))
    >>> [x.round(12).tolist() for x in eq], supports
    ([[0.5, 0.5], [0.5, 0.5]], ((0, 1), (0, 1)))
    """
    from scipy.optimize import least_squares

    x0 = [np.clip(np.asarray(x, dtype=float), 0.0, None) for x in profile]
    x0 = [x / x.sum() for x in x0]
    tried = set()
    for t in thresholds:
        supports = tuple(tuple(int(a) for a in np.flatnonzero(x > t)) or (int(np.argmax(x)),) for x in x0)
        if supports in tried:
            continue
        tried.add(supports)
        sizes = [len(s) for s in supports]
        offsets = np.cumsum([0, *sizes])

        def unpack(z):
            out = []
            for i, s in enumerate(supports):
                x = np.zeros(game.shape[i])
                x[list(s)] = z[offsets[i]:offsets[i + 1]]
                out.append(x)
            return out

        def residual(z):
            xs = unpack(z)
            w = z[offsets[-1]:]
            res = []
            values = _action_values(game, xs)
            for i, s in enumerate(supports):
                res.append(values[i][list(s)] - w[i])
                res.append([xs[i].sum() - 1.0])
            return np.concatenate(res)

        start = np.concatenate([x0[i][list(s)] / max(x0[i][list(s)].sum(), 1e-300) for i, s in enumerate(supports)])
        w0 = [float(v[list(s)].mean()) for v, s in zip(_action_values(game, unpack(start)), supports)]
        try:
            sol = least_squares(residual, np.concatenate([start, w0]), method="lm", xtol=1e-15, ftol=1e-15,
                                gtol=1e-15, max_nfev=2000)
        except ValueError:  # fewer residuals than unknowns cannot happen here, but stay safe
            continue
        xs = unpack(sol.x)
        if any(x.min() < -1e-9 for x in xs):
            continue
        xs = [np.clip(x, 0.0, None) for x in xs]
        if any(x.sum() <= 0 for x in xs):
            continue
        xs = [x / x.sum() for x in xs]
        if game.nash_gap(xs) <= tol:
            return tuple(xs), supports
    return None, None


def _action_values(game: Game, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
    # like Game.action_values but without validating (intermediate iterates need not be probabilities)
    values = []
    for i in range(game.n_players):
        table = np.moveaxis(game.payoffs[i], i, 0)
        for j in reversed([j for j in range(game.n_players) if j != i]):
            table = table @ xs[j]
        values.append(table)
    return values
