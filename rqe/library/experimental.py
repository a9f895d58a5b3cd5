"""Laboratory 2x2 games with observed play, used to fit QRE and RQE (``docs/rqe-math.md`` section 9).

Payoffs are the points of the experiments: ``R1`` the row player's, ``R2`` the column player's, indexed
``[row action, column action]``, rows U/D and columns L/R. The observed frequencies are of the row player's
first action U and the column player's first action L, as used in Mazumdar, Panaganti & Shi (ICLR 2025).
The Selten-Chmura payoffs agree with the Gambit catalogue's files ``catalog/selten2008/game*.nfg``.
"""

from __future__ import annotations

from dataclasses import dataclass


from rqe.errors import GameError, ParameterError
from rqe.game import Game, Profile
from rqe.library._registry import register
from rqe.library._util import check_int

__all__ = ["ghp2003", "selten_chmura", "LabData", "SELTEN_CHMURA", "GHP2003"]

#: game number -> (R1, R2, observed frequency of U, observed frequency of L)
SELTEN_CHMURA: dict[int, tuple[list[list[float]], list[list[float]], float, float]] = {
    1: ([[10, 0], [9, 10]], [[8, 18], [9, 8]], 0.079, 0.69),
    2: ([[9, 0], [6, 8]], [[4, 13], [7, 5]], 0.217, 0.527),
    3: ([[8, 0], [7, 10]], [[6, 14], [7, 4]], 0.163, 0.793),
    4: ([[7, 0], [5, 9]], [[4, 11], [6, 2]], 0.286, 0.736),
    5: ([[7, 0], [4, 8]], [[2, 9], [5, 1]], 0.327, 0.664),
    6: ([[7, 1], [3, 8]], [[1, 7], [5, 0]], 0.445, 0.596),
    7: ([[10, 4], [9, 14]], [[12, 22], [9, 8]], 0.141, 0.564),
    8: ([[9, 3], [6, 11]], [[7, 16], [7, 5]], 0.25, 0.586),
    9: ([[8, 3], [7, 13]], [[9, 17], [7, 4]], 0.254, 0.827),
    10: ([[7, 2], [5, 11]], [[6, 13], [6, 2]], 0.366, 0.699),
    11: ([[7, 2], [4, 10]], [[4, 11], [5, 1]], 0.331, 0.652),
    12: ([[7, 3], [3, 10]], [[3, 9], [5, 0]], 0.439, 0.604),
}

#: game number -> (R1, R2, observed frequency of U, observed frequency of L)
GHP2003: dict[int, tuple[list[list[float]], list[list[float]], float, float]] = {
    4: ([[200, 160], [370, 10]], [[160, 10], [200, 370]], 0.47, 0.65),
}

_ACTIONS = [["U", "D"], ["L", "R"]]


@dataclass(frozen=True)
class LabData:
    """Observed laboratory play of a 2x2 game.

    Attributes
    ----------
    row_first : float
        Observed frequency of the row player's first action (U).
    column_first : float
        Observed frequency of the column player's first action (L).
    source : str
        Where the numbers come from.
    """

    row_first: float
    column_first: float
    source: str

    @property
    def profile(self) -> Profile:
        """The observed frequencies as a mixed profile ``([U, D], [L, R])``."""
        return Profile([[self.row_first, 1 - self.row_first], [self.column_first, 1 - self.column_first]])


def _check_game_number(game: int, table: dict, name: str) -> int:
    try:
        number = check_int(game, "game", min(table), max(table))
    except ParameterError:
        raise ParameterError(f"{name} has games {', '.join(map(str, table))}; got game={game!r}") from None
    return number


@register("experimental")
def selten_chmura(game: int = 1) -> Game:
    """One of the 12 two-by-two games of Selten & Chmura's experiment (``game`` = 1..12).

    Games 1-6 are constant-sum, 7-12 their non-constant-sum counterparts; each has a unique, completely
    mixed Nash equilibrium. Observed play: :func:`rqe.library.lab_data` ``("selten_chmura", game=k)``.
    Game 1's column payoffs are ``[[8, 18], [9, 8]]`` (constant sum 18 with the row payoffs), as in
    ``docs/rqe-math.md`` and Gambit's catalogue; one executed notebook cell of MPS has 10 instead of 8.

    Reference: R. Selten & T. Chmura, Stationary concepts for experimental 2x2-games, *American Economic
    Review* 98(3), 938-966, 2008 (``docs/rqe-math.md`` section 9).

    Examples
    --------
    >>> g = selten_chmura(game=1)
    >>> g.payoffs[0].tolist(), g.payoffs[1].tolist()
    ([[10.0, 0.0], [9.0, 10.0]], [[8.0, 18.0], [9.0, 8.0]])
    >>> g.is_constant_sum()
    True
    """
    number = _check_game_number(game, SELTEN_CHMURA, "selten_chmura")
    R1, R2, _, _ = SELTEN_CHMURA[number]
    return Game.from_bimatrix(R1, R2, title=f"Selten-Chmura (2008) game {number}", action_names=_ACTIONS)


@register("experimental")
def ghp2003(game: int = 4) -> Game:
    """Goeree, Holt & Palfrey's (2003) generalised matching pennies game 4.

    Row payoffs ``[[200, 160], [370, 10]]``, column payoffs ``[[160, 10], [200, 370]]`` (cents). The unique
    Nash equilibrium is mixed; observed play departs from it in the direction risk aversion predicts.

    Reference: J. Goeree, C. Holt, T. Palfrey, Risk averse behavior in generalized matching pennies games,
    *Games and Economic Behavior* 45(1), 97-113, 2003; values as in ``docs/rqe-math.md`` section 9.

    Examples
    --------
    >>> ghp2003().payoffs[0].tolist()
    [[200.0, 160.0], [370.0, 10.0]]
    """
    number = _check_game_number(game, GHP2003, "ghp2003")
    R1, R2, _, _ = GHP2003[number]
    return Game.from_bimatrix(R1, R2, title=f"Goeree-Holt-Palfrey (2003) game {number}", action_names=_ACTIONS)


def lab_data(name: str, **params) -> LabData:
    """Observed laboratory frequencies for an experimental game of the library.

    Examples
    --------
    >>> lab_data("selten_chmura", game=3).row_first
    0.163
    >>> lab_data("ghp2003").profile[1].tolist()
    [0.65, 0.35]
    """
    if name == "selten_chmura":
        unknown = set(params) - {"game"}
        if unknown:
            raise ParameterError(f"lab_data('selten_chmura') takes only game=1..12, got {sorted(unknown)}")
        number = _check_game_number(params.get("game", 1), SELTEN_CHMURA, "selten_chmura")
        _, _, u, l = SELTEN_CHMURA[number]
        return LabData(u, l, f"Selten & Chmura (2008), game {number}; frequencies as used by Mazumdar, "
                             "Panaganti & Shi (ICLR 2025)")
    if name == "ghp2003":
        unknown = set(params) - {"game"}
        if unknown:
            raise ParameterError(f"lab_data('ghp2003') takes only game=4, got {sorted(unknown)}")
        number = _check_game_number(params.get("game", 4), GHP2003, "ghp2003")
        _, _, u, l = GHP2003[number]
        return LabData(u, l, f"Goeree, Holt & Palfrey (2003), game {number}")
    raise GameError(f"no laboratory data for {name!r}; available: selten_chmura (game=1..12), ghp2003 (game=4)")


