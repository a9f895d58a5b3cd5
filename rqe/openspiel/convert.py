"""Conversion between :class:`rqe.Game` and OpenSpiel normal-form games (``docs/rqe-math.md`` section 1).

OpenSpiel stores a normal-form game as a ``pyspiel.MatrixGame`` (two players: row and column utilities) or
a ``pyspiel.TensorGame`` (``N`` players: one utility tensor each). Both use utilities (higher is better) with
player ``i``'s action on axis ``i``, exactly like ``Game.payoffs[i]``, so the conversion copies float64 arrays
and round trips are exact. Names: the game's ``long_name`` is the rqe title, action names are kept;
OpenSpiel has no player names, so those are not carried across.

Example
-------
>>> from rqe import Game
>>> from rqe.openspiel import from_pyspiel, to_pyspiel
>>> g = Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]], title="Stag hunt",
...                        action_names=[["Stag", "Hare"], ["Stag", "Hare"]])
>>> back = from_pyspiel(to_pyspiel(g))
>>> bool((back.payoffs == g.payoffs).all()), back.title, back.action_names[0]
(True, 'Stag hunt', ('Stag', 'Hare'))
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from rqe.errors import GameError, ParameterError
from rqe.game import Game
from rqe.openspiel._pyspiel import pyspiel

__all__ = ["from_pyspiel", "to_pyspiel", "load_pyspiel_game", "load_game_spec", "is_normal_form"]


def _short_name(title: str) -> str:
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", title).strip("_").lower()
    return slug or "rqe_game"


def load_pyspiel_game(name: Any) -> Any:
    """Load an OpenSpiel game from a name with parameters, e.g. ``"kuhn_poker(players=3)"``.

    A ``pyspiel.Game`` passed in is returned unchanged.
    """
    ps = pyspiel()
    if isinstance(name, ps.Game):
        return name
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"an OpenSpiel game name such as 'kuhn_poker' or 'matrix_sh' is needed, got {name!r}")
    try:
        return ps.load_game(name.strip())
    except ps.SpielError as exc:
        raise ParameterError(f"OpenSpiel cannot load the game {name!r}: {str(exc).strip()}") from exc


def is_normal_form(game: Any) -> bool:
    """True for one-shot simultaneous-move OpenSpiel games (matrix, tensor and normal-form games)."""
    ps = pyspiel()
    if isinstance(game, (ps.MatrixGame, ps.TensorGame, ps.NormalFormGame)):
        return True
    return game.get_type().dynamics == ps.GameType.Dynamics.SIMULTANEOUS and game.max_game_length() == 1 \
        and game.max_chance_outcomes() == 0


def from_pyspiel(game: Any) -> Game:
    """The :class:`rqe.Game` of an OpenSpiel matrix, tensor or normal-form game.

    ``payoffs[i, a_1, ..., a_N]`` is OpenSpiel's utility of player ``i`` at the joint action ``a``.
    Sequential games have no normal form here: use :func:`rqe.openspiel.reduced_normal_form`.

    Parameters
    ----------
    game : pyspiel.MatrixGame, pyspiel.TensorGame, pyspiel.Game or str
        A loaded game or a name (``"matrix_sh"``, ``"blotto(coins=4,fields=2)"``).

    Examples
    --------
    >>> from rqe.openspiel import from_pyspiel
    >>> g = from_pyspiel("matrix_sh")
    >>> g.title, g.payoffs[0].tolist(), g.action_names[1]
    ('Stag Hunt', [[2.0, 0.0], [1.0, 1.0]], ('Stag', 'Hare'))
    """
    ps = pyspiel()
    game = load_pyspiel_game(game)
    title = game.get_type().long_name
    if isinstance(game, ps.MatrixGame):
        payoffs = np.stack([np.array(game.row_utilities(), dtype=np.float64),
                            np.array(game.col_utilities(), dtype=np.float64)])
        names = [[game.row_action_name(a) for a in range(game.num_rows())],
                 [game.col_action_name(a) for a in range(game.num_cols())]]
        return Game(payoffs, title=title, action_names=_distinct(names))
    if not isinstance(game, ps.TensorGame):
        if not is_normal_form(game):
            raise GameError(
                f"{game.get_type().short_name!r} is a sequential (extensive-form) game; use "
                "rqe.openspiel.reduced_normal_form(game) for its reduced normal form or the agent-form solvers"
            )
        game = ps.extensive_to_tensor_game(game)
    shape = tuple(game.shape())
    payoffs = np.stack([np.array(game.player_utilities(i), dtype=np.float64).reshape(shape)
                        for i in range(game.num_players())])
    names = [[game.action_name(i, a) for a in range(n)] for i, n in enumerate(shape)]
    return Game(payoffs, title=title, action_names=_distinct(names))


def _distinct(names: list[list[str]]) -> list[list[str]]:
    """OpenSpiel allows repeated action names; rqe needs distinct ones, so suffix the repeats."""
    out = []
    for row in names:
        seen: dict[str, int] = {}
        fixed = []
        for name in row:
            count = seen.get(name, 0)
            seen[name] = count + 1
            fixed.append(name if count == 0 else f"{name}#{count}")
        out.append(fixed)
    return out


def to_pyspiel(game: Game, short_name: str | None = None) -> Any:
    """The OpenSpiel game of an :class:`rqe.Game`: a ``MatrixGame`` for 2 players, else a ``TensorGame``.

    The title becomes the OpenSpiel ``long_name`` (and, slugified, the ``short_name`` unless given); action
    names are kept; utilities are copied exactly.

    >>> from rqe import Game
    >>> from rqe.openspiel import to_pyspiel
    >>> m = to_pyspiel(Game.zero_sum([[1, -1], [-1, 1]], title="Matching pennies"))
    >>> type(m).__name__, m.get_type().short_name, m.row_utilities().tolist()
    ('MatrixGame', 'matching_pennies', [[1.0, -1.0], [-1.0, 1.0]])
    """
    ps = pyspiel()
    if not isinstance(game, Game):
        raise GameError(f"to_pyspiel needs an rqe.Game, got {type(game).__name__}")
    title = game.title or "rqe game"
    short = short_name or _short_name(title)
    names = [list(a) for a in game.action_names]
    if game.n_players == 2:
        return ps.create_matrix_game(short, title, names[0], names[1],
                                     game.payoffs[0].tolist(), game.payoffs[1].tolist())
    return ps.create_tensor_game(short, title, names, [game.payoffs[i].ravel().tolist() for i in range(game.n_players)])


def load_game_spec(spec: str) -> Game:
    """Load ``"openspiel:<name>(params)"`` (or just ``"<name>(params)"``) as an :class:`rqe.Game`.

    Normal-form games convert directly; small sequential games give their reduced normal form (see
    :func:`rqe.openspiel.reduced_normal_form`), refused with :class:`~rqe.errors.ProblemSizeError` when it
    would be too large.

    >>> from rqe.openspiel import load_game_spec
    >>> load_game_spec("openspiel:matrix_pd").shape
    (2, 2)
    >>> load_game_spec("openspiel:kuhn_poker").shape
    (27, 64)
    """
    if not isinstance(spec, str):
        raise ParameterError(f"spec must be a string like 'openspiel:matrix_sh', got {spec!r}")
    name = spec[len("openspiel:"):] if spec.startswith("openspiel:") else spec
    game = load_pyspiel_game(name)
    if is_normal_form(game):
        return from_pyspiel(game)
    from rqe.openspiel.reduced import reduced_normal_form

    return reduced_normal_form(game).game
