"""The runnable examples in the docstrings of rqe.srpo.lm pass."""

import doctest
import importlib

import pytest

pytest.importorskip("torch")

MODULES = ["rqe.srpo.lm", "rqe.srpo.lm.task", "rqe.srpo.lm.tokenizer", "rqe.srpo.lm.policy", "rqe.srpo.lm.debate",
           "rqe.srpo.lm.evaluate", "rqe.srpo.lm.pretrain", "rqe.srpo.lm.train", "rqe.srpo.lm.cli"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_importing_the_package_is_light():
    import subprocess
    import sys

    code = "import sys, rqe.srpo.lm, rqe.srpo.lm.task; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
