"""The docstring examples of the RQE modules run as written."""

import doctest
import importlib
import pkgutil

import pytest

import rqe.risk
import rqe.solvers.rqe

MODULES = ["rqe.risk", "rqe.results", "rqe.solvers.rqe"] + [
    f"rqe.solvers.rqe.{m.name}" for m in pkgutil.iter_modules(rqe.solvers.rqe.__path__)]
#: every public function of these modules carries an example
WITH_EXAMPLES = {"rqe.risk", "rqe.solvers.rqe.solve", "rqe.solvers.rqe.batch", "rqe.solvers.rqe.fit",
                 "rqe.solvers.rqe.branches", "rqe.solvers.rqe.tractability", "rqe.solvers.rqe.problem"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
    assert tried > 0 or name not in WITH_EXAMPLES
