"""The docstring examples of the RQE modules run as written."""

import doctest

import pytest

import rqe.risk
import rqe.solvers._rqe_model
import rqe.solvers.rqe


@pytest.mark.parametrize("module", [rqe.risk, rqe.solvers.rqe, rqe.solvers._rqe_model])
def test_docstring_examples(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
    assert tried > 0 or module is rqe.solvers._rqe_model
