"""The runnable examples in the analysis modules' docstrings pass."""

import doctest
import importlib

import pytest

MODULES = ["rqe.analysis", "rqe.analysis.quadratic", "rqe.analysis.welfare", "rqe.analysis.free_riding",
           "rqe.analysis.theorems", "rqe.analysis.sweeps", "rqe.analysis.verify", "rqe.analysis.figures",
           "rqe.analysis.cli"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
