"""The runnable examples in the docstrings of rqe.io's modules and rqe.extensive pass."""

import doctest
import importlib

import pytest

MODULES = ["rqe.io", "rqe.io._text", "rqe.io.nfg", "rqe.io.json", "rqe.io.efg", "rqe.extensive"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0
