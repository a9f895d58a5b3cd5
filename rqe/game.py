"""Finite n-player games in normal form, and mixed strategy profiles.

Conventions (see ``docs/rqe-math.md`` section 1):

* ``payoffs[i, a_1, ..., a_N]`` is the *utility* of player ``i`` (higher is better) when player ``j`` plays
  action ``a_j``. It is a float64 array of shape ``(N, n_1, ..., n_N)``. Costs are converted at the edge
  (``Game(-costs)``), never inside solvers.
* A mixed profile is a tuple of 1-D probability vectors, one per player: :class:`Profile`.
* For player ``i``, ``M_i = game.payoff_matrix(i)`` is the ``|A_i| x |A_{-i}|`` matrix
  ``M_i[a_i, a_{-i}] = u_i(a_i, a_{-i})``; the joint action ``a_{-i}`` of the other players is flattened in
  C order over the other players in increasing index, the same order as :func:`product_distribution`.

Example
-------
>>> import numpy as np
>>> from rqe import Game
>>> stag_hunt = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]], title="Stag hunt")
>>> stag_hunt.shape
(2, 2)
>>> stag_hunt.expected_payoffs(([1, 0], [1, 0]))
array([4., 4.])
>>> float(stag_hunt.nash_gap(([0.5, 0.5], [0.5, 0.5])))
0.5
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rqe._validation import check_index, real_array
from rqe.errors import GameError, ProfileError

__all__ = ["Game", "Profile", "product_distribution", "as_profile", "as_game"]

#: Absolute tolerance used to accept a probability vector as summing to one.
PROBABILITY_ATOL = 1e-8


class Profile(tuple):
    """A validated mixed-strategy profile: a tuple of 1-D float64 probability vectors, one per player.

    Each vector must be finite, non-negative and sum to one within ``atol``; it is then renormalised exactly
    and stored read-only. ``Profile`` is a ``tuple``, so it can be unpacked and indexed as one.

    Parameters
    ----------
    strategies : sequence of array_like
        One probability vector per player.
    shape : tuple of int, optional
        Expected number of actions per player (a game's ``shape``); checked when given.
    atol : float
        Tolerance on ``|sum(x_i) - 1|`` and on negative entries.

    Examples
    --------
    >>> from rqe import Profile
    >>> p = Profile([[0.25, 0.75], [1, 0, 0]])
    >>> p.shape
    (2, 3)
    >>> Profile.uniform((2, 4))[1]
    array([0.25, 0.25, 0.25, 0.25])
    """

    def __new__(cls, strategies: Sequence[Any], shape: Sequence[int] | None = None, atol: float = PROBABILITY_ATOL):
        atol = _tolerance(atol, "atol", ProfileError)
        if isinstance(strategies, np.ndarray) and strategies.ndim == 2:
            strategies = list(strategies)
        if isinstance(strategies, (str, bytes)) or not isinstance(strategies, (Sequence, np.ndarray)):
            raise ProfileError(f"a profile must be a sequence of probability vectors, got {type(strategies).__name__}")
        vectors = []
        for i, s in enumerate(strategies):
            try:
                x = np.array(s, dtype=np.float64)
            except OverflowError:
                raise ProfileError(f"strategy of player {i} holds a number beyond float range") from None
            except (TypeError, ValueError) as exc:
                raise ProfileError(f"strategy of player {i} must be a vector of numbers: {exc}") from exc
            if x.ndim != 1 or x.size == 0:
                raise ProfileError(f"strategy of player {i} must be a non-empty 1-D vector, got shape {x.shape}")
            if not np.all(np.isfinite(x)):
                raise ProfileError(f"strategy of player {i} has non-finite entries: {x.tolist()}")
            if x.min() < -atol:
                k = int(np.argmin(x))
                raise ProfileError(f"strategy of player {i} has a negative probability {x[k]:.6g} at action {k}")
            total = x.sum()
            if abs(total - 1.0) > atol:
                raise ProfileError(f"strategy of player {i} must sum to 1, sums to {total:.12g}")
            x = np.clip(x, 0.0, None)
            x = x / x.sum()
            x.setflags(write=False)
            vectors.append(x)
        if not vectors:
            raise ProfileError("a profile needs at least one player's strategy")
        if shape is not None:
            shape = _profile_shape(shape)
            if len(vectors) != len(shape):
                raise ProfileError(f"profile has {len(vectors)} strategies, the game has {len(shape)} players")
            for i, (x, n) in enumerate(zip(vectors, shape)):
                if x.size != n:
                    raise ProfileError(f"strategy of player {i} has {x.size} entries, the player has {n} actions")
        return super().__new__(cls, vectors)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of actions of each player."""
        return tuple(x.size for x in self)

    @classmethod
    def uniform(cls, shape: Sequence[int]) -> Profile:
        """The profile in which every player mixes uniformly over its actions."""
        return cls([np.full(n, 1.0 / n) for n in _profile_shape(shape)])

    @classmethod
    def pure(cls, shape: Sequence[int], actions: Sequence[int]) -> Profile:
        """The pure profile in which player ``i`` plays ``actions[i]`` for sure."""
        shape = _profile_shape(shape)
        actions = _pure_actions(actions, shape)
        vectors = []
        for n, a in zip(shape, actions):
            e = np.zeros(n)
            e[a] = 1.0
            vectors.append(e)
        return cls(vectors)

    def allclose(self, other: Sequence[Any], atol: float = 1e-8) -> bool:
        """True when ``other`` has the same shape and every probability is within ``atol``."""
        atol = _tolerance(atol, "atol", ProfileError)
        if isinstance(other, (str, bytes)) or not isinstance(other, (Sequence, np.ndarray)):
            return False
        return len(self) == len(other) and all(
            np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=0.0, atol=atol) for x, y in zip(self, other)
        )

    def __repr__(self) -> str:
        inner = ", ".join(np.array2string(x, precision=4, separator=", ") for x in self)
        return f"Profile({inner})"


def _tolerance(value: Any, name: str, error: type = GameError) -> float:
    """A finite tolerance >= 0."""
    try:
        v = float(value) if not isinstance(value, (bool, str, bytes)) and value is not None else None
    except (TypeError, ValueError, OverflowError):
        v = None
    if v is None or not np.isfinite(v) or v < 0:
        raise error(f"{name} must be a finite number >= 0, got {value!r:.40}")
    return v


def _order(order: Any, size: int) -> tuple[int, ...]:
    """A permutation of ``0..size-1``."""
    if isinstance(order, (str, bytes)) or not isinstance(order, (Sequence, np.ndarray)):
        raise GameError(f"order must be a permutation of 0..{size - 1}, got {type(order).__name__}")
    items = list(order)
    if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in items) or \
            sorted(int(k) for k in items) != list(range(size)):
        raise GameError(f"order must be a permutation of 0..{size - 1}, got {items!r:.80}")
    return tuple(int(k) for k in items)


def _profile_shape(shape: Any) -> tuple[int, ...]:
    """Action counts ``(n_1, ..., n_N)``, each an integer >= 1."""
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)):
        raise ProfileError(f"shape must be a sequence of action counts, got {type(shape).__name__}")
    out = []
    for i, n in enumerate(shape):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 2 ** 40:
            raise ProfileError(f"shape[{i}] must be an integer number of actions >= 1, got {n!r:.40}")
        out.append(int(n))
    if not out:
        raise ProfileError("shape must have at least one player")
    return tuple(out)


def _pure_actions(actions: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """One action index per player, each in range."""
    if isinstance(actions, (str, bytes)) or not isinstance(actions, (Sequence, np.ndarray)):
        raise ProfileError(f"actions must be one action index per player, got {type(actions).__name__}")
    if len(actions) != len(shape):
        raise ProfileError(f"need one action per player ({len(shape)}), got {len(actions)}")
    return tuple(check_index(a, "action", n, ProfileError, where=f" of player {i}")
                 for i, (a, n) in enumerate(zip(actions, shape)))


def as_profile(profile: Sequence[Any], shape: Sequence[int] | None = None) -> Profile:
    """Return ``profile`` as a :class:`Profile`, validating it (and its shape when given)."""
    if isinstance(profile, Profile) and (shape is None or profile.shape == tuple(shape)):
        return profile
    return Profile(profile, shape=shape)


def as_game(game: Any, name: str = "game") -> Game:
    """``game`` as a :class:`Game`: a Game itself, or a pair ``(A, B)`` of equal-shape payoff matrices.

    Every public function that takes a game calls this first. A pair of matrices (the row player's and the
    column player's payoffs, as nashpy and QuantEcon take them) becomes ``Game.from_bimatrix(A, B)``; anything
    else is a :class:`~rqe.errors.GameError` that shows the one-line fix, rather than an ``AttributeError``
    deep inside a solver.

    >>> as_game(([[4, 0], [3, 3]], [[4, 3], [0, 3]])).shape
    (2, 2)
    >>> as_game([[4, 0], [3, 3]])
    Traceback (most recent call last):
    ...
    rqe.errors.GameError: game must be an rqe.Game or a pair of payoff matrices (A, B), got list; build the game with rqe.Game.from_bimatrix(A, B) (A: row player's payoffs, B: column player's), rqe.Game.zero_sum(A) or rqe.Game(payoffs)
    """
    if isinstance(game, Game):
        return game
    if isinstance(game, (tuple, list)) and len(game) == 2 and not isinstance(game[0], (int, float, complex)):
        try:
            A, B = (np.asarray(m) for m in game)
        except (TypeError, ValueError, OverflowError):  # ragged nested lists
            A = B = None
        if A is not None and A.ndim == 2 and A.shape == B.shape and A.dtype != object:
            return Game.from_bimatrix(A, B)
    raise GameError(f"{name} must be an rqe.Game or a pair of payoff matrices (A, B), got {type(game).__name__}; "
                    f"build the game with rqe.Game.from_bimatrix(A, B) (A: row player's payoffs, B: column "
                    f"player's), rqe.Game.zero_sum(A) or rqe.Game(payoffs)")


def product_distribution(vectors: Sequence[np.ndarray]) -> np.ndarray:
    """The flattened product distribution of independent mixed strategies, in C order.

    ``product_distribution([x, y])[a * len(y) + b] == x[a] * y[b]``. With no vectors it is ``[1.0]``.

    >>> product_distribution([np.array([0.5, 0.5]), np.array([0.2, 0.8])])
    array([0.1, 0.4, 0.1, 0.4])
    """
    joint = np.ones(1)
    for v in vectors:
        joint = np.multiply.outer(joint, np.asarray(v, dtype=np.float64)).ravel()
    return joint


class Game:
    """A finite game in normal form with ``N >= 1`` players.

    ``payoffs[i, a_1, ..., a_N]`` is the utility of player ``i`` (higher is better), stored as a read-only
    float64 array of shape ``(N, n_1, ..., n_N)``.

    Parameters
    ----------
    payoffs : array_like
        Utilities, shape ``(N, n_1, ..., n_N)`` with ``n_i >= 1``; must be finite.
    title : str
        A human-readable title.
    player_names : sequence of str, optional
        Defaults to ``"1", "2", ...`` (as Gambit numbers players).
    action_names : sequence of sequence of str, optional
        Defaults to ``"1", "2", ...`` for each player.
    costs : sequence of 1-D arrays, optional
        For collaborative games ``u_i(a) = R(a) - c_i(a_i)``: the private cost ``c_i`` of each action. Set by
        :meth:`from_shared_reward`; used by free-riding measures (``docs/rqe-math.md`` section 6).

    Examples
    --------
    >>> g = Game([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], title="Matching pennies")
    >>> g.n_players, g.shape
    (2, (2, 2))
    >>> g.is_zero_sum()
    False
    >>> Game.zero_sum([[1, -1], [-1, 1]]).is_zero_sum()
    True
    """

    __slots__ = ("_payoffs", "title", "player_names", "action_names", "costs")

    def __init__(
        self,
        payoffs: Any,
        title: str = "",
        player_names: Sequence[str] | None = None,
        action_names: Sequence[Sequence[str]] | None = None,
        costs: Sequence[Any] | None = None,
    ):
        array = real_array(payoffs, "payoffs")
        if array.ndim < 2:
            raise GameError(
                f"payoffs must have shape (N, n_1, ..., n_N) with N >= 1 players, got an array of shape {array.shape}"
            )
        n_players = array.shape[0]
        if array.ndim != n_players + 1:
            raise GameError(
                f"payoffs of shape {array.shape} describe {n_players} players on the first axis but "
                f"{array.ndim - 1} action axes; expected shape (N, n_1, ..., n_N) with N = {array.ndim - 1}"
            )
        for i, n in enumerate(array.shape[1:]):
            if n < 1:
                raise GameError(f"player {i} has an empty action set (shape {array.shape})")
        array.setflags(write=False)
        self._payoffs = array
        if not isinstance(title, str):
            raise GameError(f"title must be a string, got {type(title).__name__}")
        self.title = title
        self.player_names = self._check_names(player_names, n_players, "player_names")
        if action_names is None:
            self.action_names = tuple(tuple(str(k + 1) for k in range(n)) for n in array.shape[1:])
        else:
            if isinstance(action_names, (str, bytes)) or not isinstance(action_names, Sequence):
                raise GameError(f"action_names must be a list of name lists, one per player, got "
                                f"{type(action_names).__name__}")
            if len(action_names) != n_players:
                raise GameError(f"action_names must have one list per player ({n_players}), got {len(action_names)}")
            self.action_names = tuple(
                self._check_names(names, n, f"action_names[{i}]") for i, (names, n) in enumerate(zip(action_names, array.shape[1:]))
            )
        self.costs = None if costs is None else self._check_costs(costs, array.shape[1:])

    @staticmethod
    def _check_names(names: Sequence[str] | None, count: int, what: str) -> tuple[str, ...]:
        if names is None:
            return tuple(str(k + 1) for k in range(count))
        if isinstance(names, (str, bytes)):
            raise GameError(f"{what} must be a sequence of strings, got the string {names!r}")
        try:
            names = tuple(names)
        except TypeError:
            raise GameError(f"{what} must be a sequence of strings, got {type(names).__name__}") from None
        if len(names) != count:
            raise GameError(f"{what} must have {count} entries, got {len(names)}: {list(names)}")
        for name in names:
            if not isinstance(name, str):
                raise GameError(f"{what} must contain strings, got {name!r}")
        if len(set(names)) != len(names):
            raise GameError(f"{what} must be distinct, got {list(names)}")
        return names

    @staticmethod
    def _check_costs(costs: Sequence[Any], shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
        if isinstance(costs, (str, bytes, dict)) or not isinstance(costs, (Sequence, np.ndarray)):
            raise GameError(f"costs must be one cost vector per player, got {type(costs).__name__}")
        if len(costs) != len(shape):
            raise GameError(f"costs must have one vector per player ({len(shape)}), got {len(costs)}")
        out = []
        for i, (c, n) in enumerate(zip(costs, shape)):
            c = real_array(c, f"costs[{i}]", ndim=1)
            if c.size != n:
                raise GameError(f"costs[{i}] must have {n} entries (one per action), got {c.size}")
            c.setflags(write=False)
            out.append(c)
        return tuple(out)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_bimatrix(cls, A: Any, B: Any, **kwargs: Any) -> Game:
        """Two-player game from the row player's matrix ``A`` and the column player's matrix ``B``.

        ``A[r, c]`` and ``B[r, c]`` are the utilities when the row player plays ``r`` and the column player ``c``.

        >>> Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]).payoffs.shape
        (2, 2, 2)
        """
        A = real_array(A, "A", ndim=2)
        B = real_array(B, "B", ndim=2)
        if A.shape != B.shape:
            raise GameError(f"A and B must have the same shape, got {A.shape} and {B.shape}")
        return cls(np.stack([A, B]), **kwargs)

    @classmethod
    def zero_sum(cls, A: Any, **kwargs: Any) -> Game:
        """Two-player zero-sum game: the row player gets ``A``, the column player ``-A``.

        >>> Game.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]).is_zero_sum()
        True
        """
        A = real_array(A, "A", ndim=2)
        return cls(np.stack([A, -A]), **kwargs)

    @classmethod
    def identical_interest(cls, U: Any, **kwargs: Any) -> Game:
        """Game in which every player receives the common utility ``U[a_1, ..., a_N]`` (a team game).

        >>> Game.identical_interest([[2, 0], [0, 1]]).is_potential()
        True
        """
        U = real_array(U, "U")
        if U.ndim < 1:
            raise GameError("U must have one axis per player, got a scalar")
        return cls(np.stack([U] * U.ndim), **kwargs)

    @classmethod
    def from_shared_reward(cls, R: Any, costs: Sequence[Any], **kwargs: Any) -> Game:
        """Collaborative game ``u_i(a) = R(a) - c_i(a_i)`` (``docs/rqe-math.md`` section 6).

        Parameters
        ----------
        R : array_like, shape ``(n_1, ..., n_N)``
            The shared reward.
        costs : sequence of 1-D arrays
            ``costs[i][a_i]`` is player ``i``'s private cost of action ``a_i``.

        Examples
        --------
        >>> g = Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
        >>> g.payoffs[0].tolist()
        [[0.6, 0.6], [1.0, 0.0]]
        """
        R = real_array(R, "R")
        if R.ndim < 1:
            raise GameError("R must have one axis per player, got a scalar")
        checked = cls._check_costs(costs, R.shape)
        payoffs = np.empty((R.ndim, *R.shape))
        for i, c in enumerate(checked):
            shape = [1] * R.ndim
            shape[i] = -1
            payoffs[i] = R - c.reshape(shape)
        return cls(payoffs, costs=checked, **kwargs)

    # ------------------------------------------------------------------ basic properties
    @property
    def payoffs(self) -> np.ndarray:
        """Read-only utilities, shape ``(N, n_1, ..., n_N)``."""
        return self._payoffs

    @property
    def n_players(self) -> int:
        """Number of players ``N``."""
        return self._payoffs.shape[0]

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of actions of each player, ``(n_1, ..., n_N)``."""
        return self._payoffs.shape[1:]

    @property
    def n_profiles(self) -> int:
        """Number of pure strategy profiles ``n_1 * ... * n_N``."""
        return math.prod(self.shape)

    def __repr__(self) -> str:
        title = f"{self.title!r}, " if self.title else ""
        return f"Game({title}players={self.n_players}, shape={self.shape})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Game):
            return NotImplemented
        same_costs = (self.costs is None) == (other.costs is None) and (
            self.costs is None or all(np.array_equal(a, b) for a, b in zip(self.costs, other.costs))
        )
        return (
            self.shape == other.shape
            and np.array_equal(self._payoffs, other._payoffs)
            and self.title == other.title
            and self.player_names == other.player_names
            and self.action_names == other.action_names
            and same_costs
        )

    __hash__ = None  # type: ignore[assignment]

    def replace(self, **changes: Any) -> Game:
        """A copy with some of ``payoffs``, ``title``, ``player_names``, ``action_names``, ``costs`` replaced."""
        fields = dict(
            payoffs=self._payoffs, title=self.title, player_names=self.player_names,
            action_names=self.action_names, costs=self.costs,
        )
        unknown = set(changes) - set(fields)
        if unknown:
            raise GameError(f"cannot replace unknown fields {sorted(unknown)}; known: {sorted(fields)}")
        fields.update(changes)
        return Game(**fields)

    # ------------------------------------------------------------------ payoffs of profiles
    def payoff_matrix(self, player: int) -> np.ndarray:
        """``M_i``: the ``|A_i| x |A_{-i}|`` matrix ``M_i[a_i, a_{-i}] = u_i(a_i, a_{-i})``.

        ``a_{-i}`` is flattened in C order over the other players in increasing index, matching
        :func:`product_distribution` of their strategies (``docs/rqe-math.md`` section 1).
        """
        i = self._check_player(player)
        return np.moveaxis(self._payoffs[i], i, 0).reshape(self.shape[i], -1)

    def others(self, player: int) -> tuple[int, ...]:
        """The indices of the players other than ``player``, in increasing order."""
        i = self._check_player(player)
        return tuple(j for j in range(self.n_players) if j != i)

    def action_values(self, profile: Sequence[Any]) -> tuple[np.ndarray, ...]:
        """Expected utility of each pure action of each player against the others' mixed strategies.

        ``action_values(x)[i][a] = E_{a_{-i} ~ x_{-i}}[u_i(a, a_{-i})] = (M_i x_{-i})[a]``.
        """
        x = as_profile(profile, self.shape)
        values = []
        for i in range(self.n_players):
            table = np.moveaxis(self._payoffs[i], i, 0)
            for j in reversed(self.others(i)):
                table = table @ x[j]
            values.append(table)
        return tuple(values)

    def expected_payoffs(self, profile: Sequence[Any]) -> np.ndarray:
        """``U_i(x) = E_{a ~ x}[u_i(a)]`` for every player, as a float64 vector of length ``N``."""
        x = as_profile(profile, self.shape)
        return np.array([v @ xi for v, xi in zip(self.action_values(x), x)])

    def pure_payoffs(self, actions: Sequence[int]) -> np.ndarray:
        """The utility vector ``u(a)`` of a pure profile ``a = (a_1, ..., a_N)``."""
        return self._payoffs[(slice(None), *_pure_actions(actions, self.shape))].copy()

    def regrets(self, profile: Sequence[Any]) -> np.ndarray:
        """Each player's largest gain from a unilateral deviation: ``max_a v_i[a] - U_i(x)`` (>= 0)."""
        x = as_profile(profile, self.shape)
        return np.array([max(v.max() - v @ xi, 0.0) for v, xi in zip(self.action_values(x), x)])

    def nash_gap(self, profile: Sequence[Any]) -> float:
        """The largest unilateral gain ``max_i (max_a v_i[a] - U_i(x))``; zero exactly at a Nash equilibrium."""
        return float(self.regrets(profile).max())

    def best_responses(self, profile: Sequence[Any], atol: float = 1e-12) -> tuple[np.ndarray, ...]:
        """For each player, the indices of the pure best responses to the others' strategies in ``profile``.

        An action is a best response when its value is within ``atol`` of the best value.
        """
        atol = _tolerance(atol, "atol")
        return tuple(np.flatnonzero(v >= v.max() - atol) for v in self.action_values(profile))

    def welfare(self, profile: Sequence[Any]) -> float:
        """Utilitarian welfare ``sum_i U_i(x)``."""
        return float(self.expected_payoffs(profile).sum())

    # ------------------------------------------------------------------ transformations
    def permute_players(self, order: Sequence[int]) -> Game:
        """The same game with players reordered: new player ``k`` is old player ``order[k]``."""
        order = _order(order, self.n_players)
        payoffs = np.stack([np.transpose(self._payoffs[order[k]], order) for k in range(self.n_players)])
        costs = None if self.costs is None else [self.costs[k] for k in order]
        return Game(
            payoffs, title=self.title, player_names=[self.player_names[k] for k in order],
            action_names=[self.action_names[k] for k in order], costs=costs,
        )

    def permute_actions(self, player: int, order: Sequence[int]) -> Game:
        """The same game with player ``player``'s actions reordered: new action ``k`` is old ``order[k]``."""
        i = self._check_player(player)
        order = list(_order(order, self.shape[i]))
        payoffs = np.take(self._payoffs, order, axis=i + 1)
        names = list(self.action_names)
        names[i] = tuple(self.action_names[i][k] for k in order)
        costs = None if self.costs is None else [c[order] if j == i else c for j, c in enumerate(self.costs)]
        return Game(payoffs, title=self.title, player_names=self.player_names, action_names=names, costs=costs)

    # ------------------------------------------------------------------ classification
    def _scale(self) -> float:
        # Classification tolerances are relative to the payoff magnitude, so that rescaling a game (which
        # changes nothing strategically) does not change its class because of rounding.
        return max(1.0, float(np.abs(self._payoffs).max()))

    def is_symmetric(self, atol: float = 1e-12) -> bool:
        """True when every permutation of players leaves the game unchanged.

        Formally ``u_{pi(i)}(a_{pi^{-1}(1)}, ..., a_{pi^{-1}(N)}) = u_i(a)`` for all ``pi``; adjacent
        transpositions generate all permutations, so it checks those. ``atol`` is relative to
        ``max(1, max |u|)``, as in the other ``is_*`` checks.
        """
        atol = _tolerance(atol, "atol")
        if len(set(self.shape)) > 1:
            return False
        for k in range(self.n_players - 1):
            order = list(range(self.n_players))
            order[k], order[k + 1] = order[k + 1], order[k]
            if not np.allclose(self.permute_players(order).payoffs, self._payoffs, rtol=0.0,
                               atol=atol * self._scale()):
                return False
        return True

    def is_zero_sum(self, atol: float = 1e-12) -> bool:
        """True when ``sum_i u_i(a) = 0`` for every pure profile ``a``."""
        atol = _tolerance(atol, "atol")
        return bool(np.all(np.abs(self._payoffs.sum(axis=0)) <= atol * self._scale()))

    def is_constant_sum(self, atol: float = 1e-12) -> bool:
        """True when ``sum_i u_i(a)`` is the same for every pure profile ``a``."""
        atol = _tolerance(atol, "atol")
        total = self._payoffs.sum(axis=0)
        return bool(np.ptp(total) <= atol * self._scale())

    def _candidate_potential(self) -> np.ndarray:
        # Monderer & Shapley (1996): walk from the all-zeros profile, changing one player's action at a time.
        phi = np.zeros(self.shape)
        for i in range(self.n_players):
            index_to = [slice(None)] * (i + 1) + [slice(0, 1)] * (self.n_players - i - 1)
            index_from = [slice(None)] * i + [slice(0, 1)] * (self.n_players - i)
            phi = phi + self._payoffs[i][tuple(index_to)] - self._payoffs[i][tuple(index_from)]
        return phi

    def is_potential(self, atol: float = 1e-9) -> bool:
        """True when the game has an exact potential ``phi``: ``u_i(a'_i, a_{-i}) - u_i(a) = phi(a'_i, a_{-i}) - phi(a)``."""
        atol = _tolerance(atol, "atol")
        phi = self._candidate_potential()
        for i in range(self.n_players):
            residual = self._payoffs[i] - phi
            if not np.all(np.ptp(residual, axis=i) <= atol * self._scale()):
                return False
        return True

    def potential(self, atol: float = 1e-9) -> np.ndarray:
        """The exact potential, normalised so that ``phi(0, ..., 0) = 0``.

        Raises :class:`~rqe.errors.GameError` when the game is not an exact potential game.

        >>> Game.identical_interest([[2, 0], [0, 1]]).potential().tolist()
        [[0.0, -2.0], [-2.0, -1.0]]
        """
        atol = _tolerance(atol, "atol")
        if not self.is_potential(atol):
            raise GameError(f"{self!r} is not an exact potential game (checked with atol={atol})")
        return self._candidate_potential()

    def _check_player(self, player: int) -> int:
        return check_index(player, "player index", self.n_players, GameError)


def pure_profiles(shape: Sequence[int]):
    """Iterate over all pure profiles of a game of the given shape, in C order."""
    return itertools.product(*(range(int(n)) for n in shape))
