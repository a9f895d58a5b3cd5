"""Analysis on top of the solvers: welfare, free-riding, quadratic games, the SRPO theorems, sweeps, figures.

* :mod:`rqe.analysis.welfare`: utilitarian / egalitarian welfare, price of anarchy and of stability.
* :mod:`rqe.analysis.free_riding`: free-riding degree ([QZLM] Def. 4.1) and solo values.
* :mod:`rqe.analysis.quadratic`: quadratic aggregative games and their Gaussian RQE ([QZLM] Sec. 4.1).
* :mod:`rqe.analysis.theorems` and :mod:`rqe.analysis.verify`: [QZLM] Theorems 4.1 and 4.2 checked at scale.
* :mod:`rqe.analysis.sweeps`: parallel sweeps (process pool or Ray).
* :mod:`rqe.analysis.figures`: [QZLM] Figure 1.

The mathematics is in ``docs/rqe-math.md`` sections 5 and 6. Names are imported lazily.

>>> from rqe.analysis import QuadraticGame, free_riding_degree
>>> round(QuadraticGame(-1.0, 1.0, [1.0, 1.0]).tau_max(1.0), 12)
2.0
"""

from __future__ import annotations

from rqe._lazy import lazy_exports

_LAZY: dict[str, str] = {
    "optimal_welfare": "rqe.analysis.welfare",
    "equilibrium_payoffs": "rqe.analysis.welfare",
    "price_of_anarchy": "rqe.analysis.welfare",
    "price_of_stability": "rqe.analysis.welfare",
    "welfare_gaps": "rqe.analysis.welfare",
    "welfare_summary": "rqe.analysis.welfare",
    "expected_costs": "rqe.analysis.free_riding",
    "free_riding_degree": "rqe.analysis.free_riding",
    "max_free_riding": "rqe.analysis.free_riding",
    "solo_value": "rqe.analysis.free_riding",
    "QuadraticGame": "rqe.analysis.quadratic",
    "GaussianRQE": "rqe.analysis.quadratic",
    "example_4_1": "rqe.analysis.quadratic",
    "CheckResult": "rqe.analysis.theorems",
    "check_theorem_4_1": "rqe.analysis.theorems",
    "check_theorem_4_2": "rqe.analysis.theorems",
    "theorem_4_2_bound": "rqe.analysis.theorems",
    "check_tractable_monotone": "rqe.analysis.theorems",
    "compare_rqe_nash_welfare": "rqe.analysis.theorems",
    "run_verification": "rqe.analysis.verify",
    "parallel_map": "rqe.analysis.sweeps",
    "grid_sweep": "rqe.analysis.sweeps",
    "ensemble_sweep": "rqe.analysis.sweeps",
    "srpo_fig1": "rqe.analysis.figures",
    "srpo_fig1_data": "rqe.analysis.figures",
}

__all__ = list(_LAZY)


__getattr__, __dir__ = lazy_exports("rqe.analysis", _LAZY, globals())
