"""Classic two-player games from the textbooks, with their usual payoffs (utilities, higher is better)."""

from __future__ import annotations

import numpy as np

from rqe.errors import ParameterError
from rqe.game import Game
from rqe.library._registry import register
from rqe.library._util import check_int, check_real, check_shape

__all__ = [
    "prisoners_dilemma", "stag_hunt", "battle_of_the_sexes", "chicken", "matching_pennies",
    "rock_paper_scissors", "coordination", "hi_lo",
]


def _symmetric(A, title: str, actions: list[str]) -> Game:
    A = np.asarray(A, dtype=float)
    return Game.from_bimatrix(A, A.T, title=title, action_names=[actions, actions])


@register("classic")
def prisoners_dilemma(T: float = 5.0, R: float = 3.0, P: float = 1.0, S: float = 0.0) -> Game:
    """Prisoner's dilemma: actions C (cooperate) and D (defect).

    Row payoffs ``[[R, S], [T, P]]``, the column player's the transpose, with ``T > R > P > S``
    (temptation, reward, punishment, sucker). Defaults are Axelrod's tournament values (5, 3, 1, 0).
    D strictly dominates C; (D, D) is the unique Nash equilibrium and (C, C) is better for both.

    Reference: A. Rapoport & A. Chammah, *Prisoner's Dilemma*, 1965; R. Axelrod, *The Evolution of
    Cooperation*, 1984.

    Examples
    --------
    >>> prisoners_dilemma().payoffs[0].tolist()
    [[3.0, 0.0], [5.0, 1.0]]
    """
    T, R, P, S = (check_real(v, k) for v, k in ((T, "T"), (R, "R"), (P, "P"), (S, "S")))
    if not T > R > P > S:
        raise ParameterError(f"a prisoner's dilemma needs T > R > P > S, got T={T:g}, R={R:g}, P={P:g}, S={S:g}")
    return _symmetric([[R, S], [T, P]], "Prisoner's dilemma", ["C", "D"])


@register("classic")
def stag_hunt(stag: float = 4.0, hare: float = 3.0, sucker: float = 0.0) -> Game:
    """Stag hunt: actions Stag and Hare.

    Hunting stag together pays ``stag`` each; hare pays ``hare`` whatever the other does; hunting stag alone
    pays ``sucker``. With ``stag > hare > sucker`` both (Stag, Stag) (payoff dominant) and (Hare, Hare)
    (risk dominant when ``hare - sucker > stag - hare``) are strict Nash equilibria, plus one mixed.

    Reference: B. Skyrms, *The Stag Hunt and the Evolution of Social Structure*, Cambridge UP, 2004;
    J. Harsanyi & R. Selten, *A General Theory of Equilibrium Selection in Games*, MIT Press, 1988.

    Examples
    --------
    >>> stag_hunt().payoffs[0].tolist()
    [[4.0, 0.0], [3.0, 3.0]]
    """
    stag, hare, sucker = check_real(stag, "stag"), check_real(hare, "hare"), check_real(sucker, "sucker")
    if not stag > hare > sucker:
        raise ParameterError(f"a stag hunt needs stag > hare > sucker, got {stag:g}, {hare:g}, {sucker:g}")
    return _symmetric([[stag, sucker], [hare, hare]], "Stag hunt", ["Stag", "Hare"])


@register("classic")
def battle_of_the_sexes(high: float = 2.0, low: float = 1.0) -> Game:
    """Battle of the sexes (Bach or Stravinsky): both want to meet but prefer different concerts.

    Row payoffs ``[[high, 0], [0, low]]``, column payoffs ``[[low, 0], [0, high]]`` with ``high > low > 0``;
    two pure equilibria and one mixed in which each player goes to the preferred concert with probability
    ``high / (high + low)``.

    Reference: R. D. Luce & H. Raiffa, *Games and Decisions*, 1957; M. Osborne & A. Rubinstein, *A Course in
    Game Theory*, MIT Press, 1994 (values 2 and 1).

    Examples
    --------
    >>> battle_of_the_sexes().payoffs[1].tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    """
    high, low = check_real(high, "high"), check_real(low, "low")
    if not high > low > 0:
        raise ParameterError(f"battle of the sexes needs high > low > 0, got high={high:g}, low={low:g}")
    return Game.from_bimatrix([[high, 0], [0, low]], [[low, 0], [0, high]], title="Battle of the sexes",
                              action_names=[["Bach", "Stravinsky"], ["Bach", "Stravinsky"]])


@register("classic")
def chicken(win: float = 1.0, crash: float = -10.0) -> Game:
    """Chicken (hawk-dove): actions Swerve and Straight.

    Row payoffs ``[[0, -win], [win, crash]]`` (symmetric) with ``crash < -win < 0``: the one who swerves
    loses face, and both going straight is a crash. Two asymmetric pure equilibria and one mixed.

    Reference: A. Rapoport & A. Chammah, The game of chicken, *American Behavioral Scientist* 10(3), 1966;
    J. Maynard Smith & G. Price, The logic of animal conflict, *Nature* 246, 1973 (hawk-dove).

    Examples
    --------
    >>> chicken().payoffs[0].tolist()
    [[0.0, -1.0], [1.0, -10.0]]
    """
    win, crash = check_real(win, "win"), check_real(crash, "crash")
    if not (win > 0 and crash < -win):
        raise ParameterError(f"chicken needs win > 0 and crash < -win, got win={win:g}, crash={crash:g}")
    return _symmetric([[0, -win], [win, crash]], "Chicken", ["Swerve", "Straight"])


@register("classic")
def matching_pennies(stake: float = 1.0) -> Game:
    """Matching pennies: the row player wins ``stake`` when the coins match, the column player otherwise.

    Zero-sum; the unique equilibrium is uniform mixing.

    Reference: J. von Neumann & O. Morgenstern, *Theory of Games and Economic Behavior*, 1944;
    M. Osborne & A. Rubinstein, *A Course in Game Theory*, 1994.

    Examples
    --------
    >>> matching_pennies().payoffs[0].tolist()
    [[1.0, -1.0], [-1.0, 1.0]]
    """
    stake = check_real(stake, "stake", positive=True)
    return Game.zero_sum([[stake, -stake], [-stake, stake]], title="Matching pennies",
                         action_names=[["Heads", "Tails"], ["Heads", "Tails"]])


@register("classic")
def rock_paper_scissors(win: float = 1.0, lose: float = 1.0) -> Game:
    """Rock-paper-scissors: rock beats scissors beats paper beats rock.

    Winning pays ``win`` and losing costs ``lose``; zero-sum when ``win == lose``. The unique equilibrium is
    uniform mixing whenever ``win, lose > 0``.

    Reference: J. Hofbauer & K. Sigmund, *Evolutionary Games and Population Dynamics*, Cambridge UP, 1998.

    Examples
    --------
    >>> rock_paper_scissors().payoffs[0].tolist()
    [[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]
    """
    win, lose = check_real(win, "win", positive=True), check_real(lose, "lose", positive=True)
    A = np.array([[0, -lose, win], [win, 0, -lose], [-lose, win, 0]])
    return _symmetric(A, "Rock-paper-scissors", ["Rock", "Paper", "Scissors"])


@register("classic")
def coordination(n_actions: int = 2, n_players: int = 2) -> Game:
    """Pure coordination: every player gets 1 when all choose the same action, 0 otherwise.

    An identical-interest game with ``n_actions`` equally good pure equilibria.

    Reference: T. Schelling, *The Strategy of Conflict*, Harvard UP, 1960.

    Examples
    --------
    >>> coordination().payoffs[0].tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    n = check_int(n_actions, "n_actions", 1)
    N = check_int(n_players, "n_players", 1, maximum=12)
    check_shape((n,) * N)
    U = np.zeros((n,) * N)
    for k in range(n):
        U[(k,) * N] = 1.0
    actions = [str(k + 1) for k in range(n)]
    return Game.identical_interest(U, title="Pure coordination", action_names=[actions] * N)


@register("classic")
def hi_lo(high: float = 2.0, low: float = 1.0) -> Game:
    """Hi-lo: a common-interest game with payoffs ``[[high, 0], [0, low]]`` for both, ``high > low > 0``.

    (Hi, Hi) is better for everyone than (Lo, Lo), yet both are strict equilibria.

    Reference: M. Bacharach, *Beyond Individual Choice*, Princeton UP, 2006; J. Harsanyi & R. Selten,
    *A General Theory of Equilibrium Selection in Games*, 1988.

    Examples
    --------
    >>> hi_lo().payoffs[1].tolist()
    [[2.0, 0.0], [0.0, 1.0]]
    """
    high, low = check_real(high, "high"), check_real(low, "low")
    if not high > low > 0:
        raise ParameterError(f"hi-lo needs high > low > 0, got high={high:g}, low={low:g}")
    return Game.identical_interest([[high, 0], [0, low]], title="Hi-lo", action_names=[["Hi", "Lo"], ["Hi", "Lo"]])
