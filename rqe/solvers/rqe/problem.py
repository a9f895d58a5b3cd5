"""The RQE problem as a value: game, risk aversion, bounded rationality, penalty and regulariser.

``docs/rqe-math.md`` sections 2-3: player ``i`` maximises
``U_i^{tau,eps}(x_i, x_{-i}) = min_p x_i^T M_i p + D(p, x_{-i}) / tau_i - eps_i nu(x_i)``.
An :class:`RQEProblem` is frozen: algorithms that deform it (continuation in the payoff scale or in ``tau``)
build new problems with :meth:`RQEProblem.deformed` / :meth:`RQEProblem.with_parameters` instead of mutating.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from rqe._validation import per_player
from rqe.errors import GameError, ProblemSizeError
from rqe.game import Game, as_game
from rqe.risk import KL, LogBarrier, NegativeEntropy, Penalty, Regularizer, ReverseKL, get_penalty, get_regularizer

__all__ = ["RQEProblem", "CERTIFICATE_TOL", "STATIONARITY_TOL", "MAX_PAYOFF_ENTRIES", "REG_CODES", "PEN_CODES"]

#: a result is called converged only when its certificate is below this (and below ``tol``) ...
CERTIFICATE_TOL = 1e-10
#: ... and its fixed-point residual ``max_i ||x_i - R_i(M_i p_i(x))||_1`` below this
STATIONARITY_TOL = 1e-6
#: games with more payoff entries than this are refused
MAX_PAYOFF_ENTRIES = 2_000_000
#: regulariser codes of the compiled kernels (:mod:`rqe.solvers.rqe._kernels`)
REG_CODES = {NegativeEntropy: 0, LogBarrier: 1}
#: penalty codes of the compiled kernels (:mod:`rqe.solvers.rqe._kernels_nplayer`)
PEN_CODES = {KL: 0, ReverseKL: 1}


def _readonly(a: Any) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class RQEProblem:
    """One RQE problem: ``game`` with per-player ``tau`` (``>= 0``) and ``epsilon`` (``> 0``), a penalty ``D``
    and a regulariser ``nu``; ``scale`` and ``tau_scale`` deform it to payoffs ``scale * u`` and risk aversion
    ``tau_scale * tau`` (the homotopies of section 4; both 1 for the problem itself).

    Build it with :meth:`create`, which validates. Derived arrays (``M``, ``tau_eff``) are read-only.

    >>> import rqe
    >>> g = rqe.Game.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> problem = RQEProblem.create(g, 0.5, 1.0)
    >>> problem.tau.tolist(), problem.deformed(0.5, 0.0).tau_eff.tolist(), problem.tau_eff.tolist()
    ([0.5, 0.5], [0.0, 0.0], [0.5, 0.5])
    """

    game: Game
    tau: np.ndarray
    epsilon: np.ndarray
    penalty: Penalty
    regularizer: Regularizer
    scale: float = 1.0
    tau_scale: float = 1.0

    @classmethod
    def create(cls, game: Any, tau: Any, epsilon: Any, penalty: Any = "kl", regularizer: Any = "entropy"
               ) -> RQEProblem:
        """Validate the inputs (typed errors from :mod:`rqe.errors`) and build the problem."""
        game = as_game(game)  # a Game, or a pair of payoff matrices (A, B); else an error showing the fix
        n = game.n_players
        if game.n_profiles * n > MAX_PAYOFF_ENTRIES:
            raise ProblemSizeError(f"game with {game.n_profiles} pure profiles is too large for the RQE solver "
                                   f"(limit {MAX_PAYOFF_ENTRIES:.0e} payoff entries)")
        # per_player returns fresh read-only float64 vectors
        return cls(game, per_player(tau, n, "tau", minimum=0.0),
                   per_player(epsilon, n, "epsilon", minimum=0.0, strict=True),
                   get_penalty(penalty), get_regularizer(regularizer))

    def with_parameters(self, tau: Any = None, epsilon: Any = None) -> RQEProblem:
        """The same game at other ``(tau, epsilon)`` (validated)."""
        n = self.game.n_players
        return replace(self,
                       tau=self.tau if tau is None else _readonly(per_player(tau, n, "tau", minimum=0.0)),
                       epsilon=self.epsilon if epsilon is None else _readonly(
                           per_player(epsilon, n, "epsilon", minimum=0.0, strict=True)))

    def deformed(self, scale: float, tau_scale: float) -> RQEProblem:
        """The problem with payoffs ``scale * u`` and risk aversion ``tau_scale * tau``."""
        return replace(self, scale=float(scale), tau_scale=float(tau_scale))

    @cached_property
    def base_M(self) -> tuple:
        """``M_i`` (player ``i``'s actions x the others' joint actions, C order), undeformed, C-contiguous."""
        payoffs = self.game.payoffs
        if self.game.n_players == 2:
            # Game.payoff_matrix for two players: u_1 as is, u_2 transposed (its own actions as rows)
            mats = (np.array(payoffs[0], dtype=np.float64), np.ascontiguousarray(payoffs[1].T, dtype=np.float64))
        else:
            mats = tuple(np.ascontiguousarray(self.game.payoff_matrix(i), dtype=np.float64)
                         for i in range(self.game.n_players))
        for m in mats:
            m.setflags(write=False)
        return tuple(mats)

    @property
    def n_players(self) -> int:
        return self.game.n_players

    @property
    def shape(self) -> tuple:
        return self.game.shape

    @property
    def tau_eff(self) -> np.ndarray:
        return self.tau if self.tau_scale == 1.0 else _readonly(self.tau_scale * self.tau)

    @property
    def compiled(self) -> bool:
        """True when the compiled 2-player kernels apply (KL penalty, entropy or log-barrier)."""
        return self.n_players == 2 and type(self.penalty) is KL and type(self.regularizer) in REG_CODES

    @property
    def compiled_general(self) -> bool:
        """True when the general compiled kernels apply instead (:mod:`._kernels_nplayer`: any number of
        players, KL or reverse KL, entropy or log-barrier); user-supplied hooks (any other penalty or
        regulariser, subclasses included) stay on the NumPy path."""
        return (not self.compiled and type(self.penalty) in PEN_CODES and type(self.regularizer) in REG_CODES)

    @property
    def reg_code(self) -> int:
        return REG_CODES[type(self.regularizer)]

    @property
    def pen_code(self) -> int:
        return PEN_CODES[type(self.penalty)]
