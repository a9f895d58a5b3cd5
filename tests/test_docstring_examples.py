"""The runnable examples in the docstrings of the core modules pass (``python -m doctest`` style)."""

import doctest
import importlib

import pytest

MODULES = ["rqe", "rqe.game", "rqe.results", "rqe._validation", "rqe.io", "rqe.cli", "rqe.library",
           "rqe.library._registry", "rqe.library.classic", "rqe.library.cooperative", "rqe.library.experimental",
           "rqe.library.generators"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
