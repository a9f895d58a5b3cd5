"""Seeded random game generators.

Every generator takes ``seed`` (an int, for reproducibility) or ``rng`` (a :class:`numpy.random.Generator`),
never both, and ``shape`` (actions per player) or ``n_actions`` and ``n_players``. The same seed always gives
the same game.

Reference for the families: E. Nudelman, J. Wortman, Y. Shoham, K. Leyton-Brown, Run the GAMUT: a
comprehensive approach to evaluating game-theoretic algorithms, *AAMAS* 2004.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from rqe.errors import ParameterError
from rqe.game import Game
from rqe.library._registry import register
from rqe._validation import MAX_PLAYERS
from rqe.library._util import check_int, check_real, check_shape

__all__ = [
    "random_uniform", "random_zero_sum", "random_identical_interest", "random_potential", "random_symmetric",
    "random_collaborative", "random_covariance",
]


def _rng(seed: Any, rng: Any) -> np.random.Generator:
    if rng is not None:
        if seed is not None:
            raise ParameterError("pass either seed or rng, not both")
        if not isinstance(rng, np.random.Generator):
            raise ParameterError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.default_rng(seed)


def _shape(shape: Sequence[int] | None, n_actions: int, n_players: int) -> tuple[int, ...]:
    if shape is not None:
        return check_shape(shape)
    return check_shape((check_int(n_actions, "n_actions", 1),) * check_int(n_players, "n_players", 1, MAX_PLAYERS))


def _square(shape: tuple[int, ...], name: str) -> int:
    if len(set(shape)) != 1:
        raise ParameterError(f"{name} needs the same number of actions for every player, got shape {shape}")
    return shape[0]


def _range(low: float, high: float) -> tuple[float, float]:
    low, high = check_real(low, "low"), check_real(high, "high")
    if not low < high:
        raise ParameterError(f"need low < high, got low={low:g}, high={high:g}")
    return low, high


@register("random")
def random_uniform(shape: tuple | None = None, n_actions: int = 3, n_players: int = 2, low: float = 0.0,
                   high: float = 1.0, seed: int | None = None, rng: np.random.Generator | None = None) -> Game:
    """A game with every payoff drawn independently and uniformly from ``[low, high)``.

    GAMUT's ``RandomGame``.

    Examples
    --------
    >>> g = random_uniform(shape=(2, 3), seed=0)
    >>> g.shape, bool(((g.payoffs >= 0) & (g.payoffs < 1)).all())
    ((2, 3), True)
    >>> random_uniform(seed=1) == random_uniform(seed=1)
    True
    """
    shape = _shape(shape, n_actions, n_players)
    low, high = _range(low, high)
    generator = _rng(seed, rng)
    payoffs = generator.uniform(low, high, size=(len(shape), *shape))
    return Game(payoffs, title=f"Random uniform game {shape}")


@register("random")
def random_zero_sum(shape: tuple | None = None, n_actions: int = 3, n_players: int = 2, low: float = -1.0,
                    high: float = 1.0, seed: int | None = None, rng: np.random.Generator | None = None) -> Game:
    """A zero-sum game: players ``1..N-1`` draw uniform payoffs, the last player gets minus their sum.

    For two players this is ``(A, -A)`` with ``A`` uniform on ``[low, high)`` (GAMUT's ``RandomZeroSum``).

    Examples
    --------
    >>> random_zero_sum(seed=0).is_zero_sum()
    True
    """
    shape = _shape(shape, n_actions, n_players)
    if len(shape) < 2:
        raise ParameterError(f"a zero-sum game needs at least 2 players, got shape {shape}")
    low, high = _range(low, high)
    generator = _rng(seed, rng)
    first = generator.uniform(low, high, size=(len(shape) - 1, *shape))
    payoffs = np.concatenate([first, -first.sum(axis=0, keepdims=True)])
    return Game(payoffs, title=f"Random zero-sum game {shape}")


@register("random")
def random_identical_interest(shape: tuple | None = None, n_actions: int = 3, n_players: int = 2,
                              low: float = 0.0, high: float = 1.0, seed: int | None = None,
                              rng: np.random.Generator | None = None) -> Game:
    """An identical-interest (team) game: one uniform payoff ``U(a)`` received by every player.

    Reference: GAMUT (Nudelman et al., AAMAS 2004), random games with common payoffs; J. Marschak & R. Radner,
    *Economic Theory of Teams*, Yale UP, 1972.

    Examples
    --------
    >>> g = random_identical_interest(seed=0)
    >>> bool((g.payoffs[0] == g.payoffs[1]).all())
    True
    """
    shape = _shape(shape, n_actions, n_players)
    low, high = _range(low, high)
    generator = _rng(seed, rng)
    U = generator.uniform(low, high, size=shape)
    return Game.identical_interest(U, title=f"Random identical-interest game {shape}")


@register("random")
def random_potential(shape: tuple | None = None, n_actions: int = 3, n_players: int = 2,
                     dummy_scale: float = 1.0, seed: int | None = None,
                     rng: np.random.Generator | None = None) -> Game:
    """An exact potential game ``u_i(a) = phi(a) + d_i(a_{-i})``.

    ``phi`` is uniform on ``[0, 1)``; each dummy term ``d_i``, which does not depend on player ``i``'s own
    action, is uniform on ``[0, dummy_scale)``. Every exact potential game has this form.

    Reference: D. Monderer & L. Shapley, Potential games, *Games and Economic Behavior* 14, 124-143, 1996.

    Examples
    --------
    >>> random_potential(seed=0).is_potential()
    True
    """
    shape = _shape(shape, n_actions, n_players)
    dummy_scale = check_real(dummy_scale, "dummy_scale", nonnegative=True)
    generator = _rng(seed, rng)
    phi = generator.uniform(0.0, 1.0, size=shape)
    payoffs = np.empty((len(shape), *shape))
    for i in range(len(shape)):
        dummy_shape = list(shape)
        dummy_shape[i] = 1
        payoffs[i] = phi + dummy_scale * generator.uniform(0.0, 1.0, size=dummy_shape)
    return Game(payoffs, title=f"Random potential game {shape}")


@register("random")
def random_symmetric(n_actions: int = 3, n_players: int = 2, low: float = 0.0, high: float = 1.0,
                     seed: int | None = None, rng: np.random.Generator | None = None) -> Game:
    """A symmetric game: ``u_i(a) = f(a_i, {a_j : j != i})`` for one function ``f`` of the own action and the
    multiset of the others' actions, drawn uniformly from ``[low, high)``.

    For two players the column player's matrix is the transpose of the row player's (GAMUT's
    ``SymmetricGame`` generalised to N players).

    Examples
    --------
    >>> random_symmetric(n_actions=2, n_players=3, seed=0).is_symmetric()
    True
    """
    n = check_int(n_actions, "n_actions", 1)
    N = check_int(n_players, "n_players", 1, MAX_PLAYERS)
    shape = check_shape((n,) * N)
    low, high = _range(low, high)
    generator = _rng(seed, rng)
    # f[own, others...] must not depend on the order of the others: draw one value per (own, sorted others).
    f = np.empty(shape)
    values: dict[tuple[int, ...], float] = {}
    for profile in itertools.product(range(n), repeat=N):
        key = (profile[0], *sorted(profile[1:]))
        if key not in values:
            values[key] = generator.uniform(low, high)
        f[profile] = values[key]
    payoffs = np.stack([np.moveaxis(f, 0, i) for i in range(N)])
    return Game(payoffs, title=f"Random symmetric game {shape}")


@register("random")
def random_collaborative(shape: tuple | None = None, n_actions: int = 3, n_players: int = 2,
                         cost_scale: float = 0.5, seed: int | None = None,
                         rng: np.random.Generator | None = None) -> Game:
    """A collaborative game ``u_i(a) = R(a) - c_i(a_i)``: a shared reward uniform on ``[0, 1)`` and private
    action costs uniform on ``[0, cost_scale)`` (``docs/rqe-math.md`` section 6). ``game.costs`` is set.

    Reference: C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training Generalizable Collaborative Agents via
    Strategic Risk Aversion*, arXiv 2602.21515, 2026 (collaborative games, Section 4.2).

    Examples
    --------
    >>> g = random_collaborative(seed=0)
    >>> g.costs is not None and g.is_potential()
    True
    """
    shape = _shape(shape, n_actions, n_players)
    cost_scale = check_real(cost_scale, "cost_scale", nonnegative=True)
    generator = _rng(seed, rng)
    R = generator.uniform(0.0, 1.0, size=shape)
    costs = [cost_scale * generator.uniform(0.0, 1.0, size=n) for n in shape]
    return Game.from_shared_reward(R, costs, title=f"Random collaborative game {shape}")


@register("random")
def random_covariance(shape: tuple | None = None, n_actions: int = 3, n_players: int = 2, rho: float = 0.0,
                      seed: int | None = None, rng: np.random.Generator | None = None) -> Game:
    """GAMUT's covariance game: for each pure profile the payoff vector ``(u_1(a), ..., u_N(a))`` is drawn from
    a multivariate normal with mean 0, variance 1 and correlation ``rho`` between every two players.

    ``rho = 1`` gives identical interests, ``rho = 0`` independent payoffs, and ``rho = -1/(N-1)`` (the
    smallest valid value) a zero-sum game. GAMUT then rescales payoffs to a fixed range; here they stay
    standard normal so that ``rho`` is the exact correlation.

    Reference: E. Nudelman et al., Run the GAMUT, AAMAS 2004 (``CovariantGame``); Y. Rinott & M. Scarsini,
    On the number of pure strategy Nash equilibria in random games, *Games and Economic Behavior* 33, 2000.

    Examples
    --------
    >>> g = random_covariance(rho=-1.0, seed=0)
    >>> bool(abs(g.payoffs.sum(axis=0)).max() < 1e-12)
    True
    """
    shape = _shape(shape, n_actions, n_players)
    N = len(shape)
    rho = check_real(rho, "rho")
    lowest = -1.0 / (N - 1) if N > 1 else -np.inf
    if not lowest - 1e-12 <= rho <= 1.0 + 1e-12:
        raise ParameterError(f"rho must be in [-1/(N-1), 1] = [{lowest:g}, 1] for {N} players, got {rho:g}")
    generator = _rng(seed, rng)
    covariance = np.full((N, N), rho) + (1.0 - rho) * np.eye(N)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    root = eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    # Snap numerically-zero components so that rho = 1 and rho = -1/(N-1) are exactly degenerate.
    root[np.abs(root) < 1e-14] = 0.0
    normal = generator.standard_normal(size=(N, int(np.prod(shape))))
    payoffs = (root @ normal).reshape((N, *shape))
    if rho == 1.0:
        payoffs = np.broadcast_to(payoffs[:1], payoffs.shape).copy()
    elif N > 1 and rho == lowest:
        payoffs[-1] = -payoffs[:-1].sum(axis=0)
    return Game(payoffs, title=f"Random covariance game {shape}, rho={rho:g}")
