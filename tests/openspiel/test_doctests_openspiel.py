"""The docstring examples of the OpenSpiel bridge and the Markov-game modules run as written."""

import doctest
import importlib

import pytest

MARKOV = ["rqe.markov.model", "rqe.markov.solve", "rqe.markov.cliff"]
OPENSPIEL = ["rqe.openspiel.convert", "rqe.openspiel.tree", "rqe.openspiel.reduced", "rqe.openspiel.agent",
             "rqe.openspiel.policy", "rqe.openspiel.solve"]


@pytest.mark.parametrize("name", MARKOV + OPENSPIEL)
def test_doctests(name):
    if name in OPENSPIEL:
        pytest.importorskip("pyspiel")
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried > 0
    assert failures == 0
