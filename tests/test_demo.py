"""The demo of the README (``make demo``) runs quickly, prints both games and writes its figure."""

import importlib.util
import time
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.py"


def test_demo_runs_and_writes_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    spec = importlib.util.spec_from_file_location("rqe_demo", DEMO)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    out_file = tmp_path / "demo.png"
    start = time.perf_counter()
    assert demo.main(["--out", str(out_file)]) == 0
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    # long work says so from the first second: a compile notice, then a bar over the solves
    assert err.index("compiling the solvers on first use") < err.index("solving")
    assert "== Stag hunt ==" in out and "== Collaborate/defect (cost 0.4) ==" in out
    assert "free-riding" in out
    for label in ("Nash", "QRE lam=5", "RQE tau=2 eps=0.2", "RQE tau=8 eps=0.2"):
        assert label in out  # either a result row or a line saying the concept is not available
    assert out_file.stat().st_size > 10_000
    # the demo takes about 6 s with compiled kernels cached; the bound leaves room for a cold numba cache
    # on a loaded machine while still catching a hang
    assert elapsed < 120
