"""Cross-check rqe.io against Gambit itself (pygambit): each reads the other's .nfg files identically."""

from pathlib import Path

import numpy as np
import pytest

from rqe import library
from rqe.io import dumps, loads, read_game

gbt = pytest.importorskip("pygambit")

DATA = Path(__file__).parent / "data" / "nfg"
# Gambit 16.7's reader turns the escaped backslash its writer emits ("\\") into three backslashes, so titles
# with backslashes do not survive Gambit's own round trip; payoffs and names are compared for every file.
BACKSLASH_TITLE = {"escaped_strings.nfg"}


def gambit_payoffs(game):
    players = list(game.players)
    strategies = [list(p.strategies) for p in players]
    shape = tuple(len(s) for s in strategies)
    out = np.zeros((len(players), *shape))
    for index in np.ndindex(*shape):
        outcome = game[[strategies[i][a] for i, a in enumerate(index)]]
        for i, player in enumerate(players):
            out[(i, *index)] = 0.0 if outcome is None else float(outcome[player])
    return out


def gambit_names(game):
    return tuple(p.label for p in game.players), tuple(tuple(s.label for s in p.strategies) for p in game.players)


@pytest.mark.parametrize("path", sorted(DATA.glob("*.nfg")), ids=lambda p: p.name)
def test_gambit_and_rqe_read_the_same_game(path):
    theirs = gbt.read_nfg(str(path))
    ours = read_game(path)
    assert np.array_equal(gambit_payoffs(theirs), ours.payoffs)
    assert gambit_names(theirs) == (ours.player_names, ours.action_names)
    if path.name not in BACKSLASH_TITLE:
        assert theirs.title == ours.title


@pytest.mark.parametrize("path", sorted(DATA.glob("*.nfg")), ids=lambda p: p.name)
def test_rqe_reads_what_gambit_writes(path):
    ours = read_game(path)
    again = loads(gbt.read_nfg(str(path)).to_nfg())
    assert np.array_equal(again.payoffs, ours.payoffs)
    assert (again.player_names, again.action_names) == (ours.player_names, ours.action_names)


@pytest.mark.parametrize("outcome_version", [False, True])
@pytest.mark.parametrize("name,params", [("minimum_effort", {"n_levels": 3, "n_players": 3}),
                                         ("random_uniform", {"shape": (3, 2, 2), "seed": 1}),
                                         ("selten_chmura", {"game": 9})])
def test_gambit_reads_what_rqe_writes(tmp_path, name, params, outcome_version):
    game = library.get(name, **params)
    target = tmp_path / "game.nfg"
    target.write_text(dumps(game, "nfg", outcome_version=outcome_version))
    theirs = gbt.read_nfg(str(target))
    # decimals such as 0.123456789 are read by Gambit as exact decimals: equal after float conversion
    assert np.array_equal(gambit_payoffs(theirs), game.payoffs)
    assert theirs.title == game.title
    assert gambit_names(theirs) == (game.player_names, game.action_names)
