"""The runnable examples in the docstrings of the Nash, correlated, security and dynamics modules pass."""

import doctest
import importlib

import pytest

MODULES = ["rqe.solvers.nash", "rqe.solvers.nash_pure", "rqe.solvers.support_enumeration",
           "rqe.solvers.vertex_enumeration", "rqe.solvers.lemke_howson", "rqe.solvers.zero_sum_lp",
           "rqe.solvers.security", "rqe.solvers.correlated", "rqe.solvers.dynamics", "rqe.solvers.polish",
           "rqe.solvers._scale", "rqe.solvers.exact_vertex_enumeration", "rqe.solvers.global_newton"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    if name == "rqe.solvers.correlated":
        pytest.importorskip("cvxpy")
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0 and tried > 0
