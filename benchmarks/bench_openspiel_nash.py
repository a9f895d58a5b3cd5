"""Nash equilibrium of small poker games: rqe (reduced normal form + zero-sum LP, SciPy HiGHS) vs OpenSpiel's
sequence-form LP (``sequence_form_lp.solve_zero_sum_game``, cvxpy). Same game, both answers scored by
OpenSpiel's ``exploitability`` of the resulting behaviour policies.
"""

from __future__ import annotations

from benchmarks.harness import Row, time_call

CASE = "openspiel_nash"


def run(quick: bool) -> list[Row]:
    repeat = 3 if quick else 7
    try:
        import pyspiel
        from open_spiel.python import policy
        from open_spiel.python.algorithms import exploitability, sequence_form_lp
    except ImportError:
        return [Row(CASE, "kuhn_poker", "OpenSpiel sequence-form LP", float("nan"), None, 0,
                    note="open_spiel not installed")]
    from rqe.openspiel import solve_openspiel

    rows = []
    for name in ["kuhn_poker"]:
        game = pyspiel.load_game(name)
        timing, ours = time_call(lambda: solve_openspiel(game, "nash"), repeat=repeat)
        peer_timing, peer = time_call(lambda: sequence_form_lp.solve_zero_sum_game(game), repeat=repeat)
        merged = policy.merge_tabular_policies([peer[2], peer[3]], game)
        peer_exploit = float(exploitability.exploitability(game, merged))
        rows.append(Row(CASE, f"{name} (reduced NF {ours.parameters['shape'][0]}x{ours.parameters['shape'][1]})",
                        "OpenSpiel sequence-form LP (cvxpy)", timing.median, peer_timing.median, repeat,
                        ours.exploitability, peer_exploit, "OpenSpiel exploitability",
                        extra={"value_rqe": float(ours.equilibria[0].payoffs[0]), "value_peer": float(peer[0])}))
    return rows
