"""rqe works without open_spiel, and the bridge then names the extra to install."""

import subprocess
import sys
import textwrap


def test_import_rqe_without_open_spiel_and_bridge_names_extra():
    code = textwrap.dedent("""
        import sys
        sys.modules["pyspiel"] = None          # simulate open_spiel not being installed
        sys.modules["open_spiel"] = None
        import rqe, rqe.openspiel, rqe.markov
        assert rqe.Game is not None
        mg = rqe.markov.cliff_walk(size=3, horizon=2)   # Markov games need no OpenSpiel
        from rqe.errors import MissingDependencyError
        for call in (lambda: rqe.openspiel.from_pyspiel("matrix_sh"),
                     lambda: rqe.openspiel.build_tree("kuhn_poker"),
                     lambda: rqe.openspiel.load_game_spec("openspiel:matrix_pd")):
            try:
                call()
            except MissingDependencyError as exc:
                assert "rqe[openspiel]" in str(exc), str(exc)
            else:
                raise AssertionError("expected MissingDependencyError")
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=".", timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_import_rqe_does_not_import_pyspiel():
    code = "import sys, rqe, rqe.openspiel, rqe.markov; print('pyspiel' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
