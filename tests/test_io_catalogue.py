"""Every ``.nfg`` and ``.efg`` of Gambit's own catalogue reads, as pygambit and OpenSpiel read it.

The catalogue is other people's data and is not part of rqe: point ``RQE_GAMBIT_GAMES`` at a folder holding
a checkout of Gambit's games (e.g. ``contrib/games``, ``catalog`` and ``tests/test_games`` from
https://github.com/gambitproject/gambit) to run these tests; they are skipped otherwise.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from rqe.io import read_game

FOLDER = os.environ.get("RQE_GAMBIT_GAMES")
pytestmark = pytest.mark.skipif(not FOLDER, reason="set RQE_GAMBIT_GAMES to a folder of Gambit's games")
NFG = sorted(Path(FOLDER).rglob("*.nfg")) if FOLDER else []
EFG = sorted(Path(FOLDER).rglob("*.efg")) if FOLDER else []


@pytest.mark.parametrize("path", NFG, ids=lambda p: str(p.relative_to(FOLDER)))
def test_catalogue_nfg_reads_as_gambit_reads_it(path):
    ours = read_game(path)
    gbt = pytest.importorskip("pygambit")
    theirs = np.stack([np.asarray(t, dtype=object).astype(float) for t in gbt.read_nfg(str(path)).to_arrays()])
    assert np.array_equal(theirs, ours.payoffs)


@pytest.mark.parametrize("path", EFG, ids=lambda p: str(p.relative_to(FOLDER)))
def test_catalogue_efg_reads_round_trips_and_matches_openspiel_and_gambit(path):
    from rqe.errors import GameError, ProblemSizeError
    from rqe.io import dumps, read_efg
    from tests.efg_compare import tree_signature

    game = read_efg(path)
    assert read_efg(dumps(game, "efg")) == game
    try:
        tree = game.tree()
    except GameError as exc:  # imperfect recall: Gambit agrees
        assert "perfect recall" in str(exc)
        gbt = pytest.importorskip("pygambit")
        try:
            theirs = gbt.read_efg(str(path))
        except ValueError:
            return
        assert not theirs.is_perfect_recall
        return
    if tree.n_nodes <= 100_000:
        pytest.importorskip("pyspiel")
        from rqe.openspiel import build_tree

        assert tree_signature(build_tree(game.to_pyspiel())) == tree_signature(tree)
    try:
        mine = game.reduced_normal_form().game.payoffs
    except ProblemSizeError:
        return
    gbt = pytest.importorskip("pygambit")
    try:
        theirs = gbt.read_efg(str(path))
    except ValueError:  # pygambit 17 refuses some files (e.g. repeated node labels)
        return
    arrays = np.stack([np.asarray(a, dtype=object).astype(float) for a in theirs.to_arrays()])
    assert arrays.shape == mine.shape
    cells = lambda p: sorted(map(tuple, p.reshape(len(p), -1).T.round(9).tolist()))  # noqa: E731
    assert cells(arrays) == cells(mine)
