"""Markov games: a small model, finite-horizon RQE by backward induction, discounted RQ value iteration and
Q-learning [MPS; ZM25] (``docs/rqe-math.md`` section 7), and the two-agent cliff walk. Pure numpy/Numba."""

from rqe.markov.cliff import ACTIONS, cliff_occupancy, cliff_walk
from rqe.markov.model import MarkovGame
from rqe.markov.solve import (
    MarkovRQEResult,
    evaluate_policy,
    rqe_q_learning,
    rqe_value_iteration,
    solve_markov_rqe,
    stage_games,
)

__all__ = ["MarkovGame", "MarkovRQEResult", "solve_markov_rqe", "rqe_value_iteration", "rqe_q_learning",
           "evaluate_policy", "stage_games", "cliff_walk", "cliff_occupancy", "ACTIONS"]
