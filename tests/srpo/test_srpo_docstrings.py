"""The runnable examples in the SRPO layer's docstrings pass."""

import doctest
import importlib

import pytest

pytest.importorskip("torch")

MODULES = ["rqe.srpo._torch", "rqe.srpo.envs", "rqe.srpo.networks", "rqe.srpo.memory", "rqe.srpo.config",
           "rqe.srpo.trainer", "rqe.srpo.evaluate", "rqe.srpo.parallel", "rqe.srpo.algorithms", "rqe.srpo.ppo",
           "rqe.srpo.population", "rqe.srpo.population_fcp", "rqe.srpo.zoo", "rqe.srpo.stats", "rqe.srpo.play", "rqe.srpo.shaping"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
