"""Export behaviour strategies as OpenSpiel ``TabularPolicy`` objects and evaluate them with OpenSpiel's
own code (``exploitability``, ``nash_conv``, ``expected_game_score``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rqe.errors import GameError, ParameterError
from rqe.openspiel._pyspiel import open_spiel_python
from rqe.openspiel.tree import GameTree

__all__ = ["to_tabular_policy", "from_tabular_policy", "exploitability", "nash_conv", "expected_returns"]


def _pyspiel_game(tree: GameTree) -> Any:
    """The OpenSpiel game behind ``tree``; a tree read from an ``.efg`` file has none."""
    if tree.game is None:
        raise GameError(f"{tree!r} was not built from an OpenSpiel game (e.g. it was read from an .efg file); "
                        "use ExtensiveGame.exploitability, or ExtensiveGame.to_pyspiel() to evaluate with OpenSpiel")
    return tree.game


def to_tabular_policy(tree: GameTree, behaviour: np.ndarray) -> Any:
    """``open_spiel.python.policy.TabularPolicy`` playing ``behaviour`` (flat over ``tree``'s slots).

    >>> from rqe.openspiel import build_tree, to_tabular_policy
    >>> tree = build_tree("kuhn_poker")
    >>> pol = to_tabular_policy(tree, tree.uniform_strategy())
    >>> float(pol.policy_for_key("0")[0])
    0.5
    """
    policy = open_spiel_python("policy")
    behaviour = np.asarray(behaviour, dtype=np.float64)
    if behaviour.shape != (tree.n_slots,):
        raise ParameterError(f"behaviour must have {tree.n_slots} entries, got shape {behaviour.shape}")
    tabular = policy.TabularPolicy(_pyspiel_game(tree))
    for I, key in enumerate(tree.infoset_keys):
        row = tabular.policy_for_key(key)
        row[:] = 0.0
        row[list(tree.infoset_actions[I])] = behaviour[tree.offsets[I]:tree.offsets[I + 1]]
    return tabular


def from_tabular_policy(tree: GameTree, tabular: Any) -> np.ndarray:
    """The flat behaviour vector of an OpenSpiel ``TabularPolicy`` over ``tree``'s slots."""
    out = np.empty(tree.n_slots)
    for I, key in enumerate(tree.infoset_keys):
        out[tree.offsets[I]:tree.offsets[I + 1]] = tabular.policy_for_key(key)[list(tree.infoset_actions[I])]
    return out


def nash_conv(tree: GameTree, behaviour: np.ndarray) -> float:
    """OpenSpiel's NashConv: ``sum_i (best-response value_i - value_i)``."""
    exploit = open_spiel_python("algorithms.exploitability")
    return float(exploit.nash_conv(_pyspiel_game(tree), to_tabular_policy(tree, behaviour)))


def exploitability(tree: GameTree, behaviour: np.ndarray) -> float:
    """OpenSpiel's ``exploitability`` (NashConv / N; 2-player constant-sum games) or NashConv / N otherwise."""
    return nash_conv(tree, behaviour) / tree.n_players


def expected_returns(tree: GameTree, behaviour: np.ndarray) -> np.ndarray:
    """Expected utility of every player, from OpenSpiel's ``expected_game_score.policy_value``."""
    score = open_spiel_python("algorithms.expected_game_score")
    pol = to_tabular_policy(tree, behaviour)
    return np.asarray(score.policy_value(_pyspiel_game(tree).new_initial_state(), [pol] * tree.n_players), dtype=np.float64)
