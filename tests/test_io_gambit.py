"""Cross-check rqe.io against Gambit itself (pygambit): each reads the other's .nfg files identically."""

from pathlib import Path

import numpy as np
import pytest

from rqe import library
from rqe.io import dumps, loads, read_game
from rqe.io._text import distinct_labels

gbt = pytest.importorskip("pygambit")

DATA = Path(__file__).parent / "data" / "nfg"
# Gambit 16.7's reader turns the escaped backslash its writer emits ("\\") into three backslashes, so titles
# with backslashes do not survive Gambit's own round trip; payoffs and names are compared for every file.
BACKSLASH_TITLE = {"escaped_strings.nfg"}
# Repeated and empty labels: Gambit 17 renames them its own way (wait_1, wait_2, _2), rqe its way (wait, wait#1, 2,
# see rqe.io._text.distinct_labels); payoffs are compared, names are not.
RENAMED_LABELS = {"duplicate_labels.nfg"}


def gambit_payoffs(game):
    """Payoff tensor ``(N, n_1, ..., n_N)`` of a pygambit strategic game (pygambit 16 and 17)."""
    return np.stack([np.asarray(table, dtype=object).astype(float) for table in game.to_arrays()])


def gambit_names(game):
    """Player labels and strategy labels, as rqe reads them (empty -> number, repeats -> ``#k``)."""
    players = list(game.players)
    if players and isinstance(players[0], str):  # pygambit 17: labels
        strategies = [game.get_strategies(p) for p in players]
    else:
        strategies = [[s.label for s in p.strategies] for p in players]
        players = [p.label for p in players]
    return tuple(distinct_labels(players)), tuple(tuple(distinct_labels(s)) for s in strategies)


@pytest.mark.parametrize("path", sorted(DATA.glob("*.nfg")), ids=lambda p: p.name)
def test_gambit_and_rqe_read_the_same_game(path):
    theirs = gbt.read_nfg(str(path))
    ours = read_game(path)
    assert np.array_equal(gambit_payoffs(theirs), ours.payoffs)
    if path.name not in RENAMED_LABELS:
        assert gambit_names(theirs) == (ours.player_names, ours.action_names)
    if path.name not in BACKSLASH_TITLE:
        assert theirs.title == ours.title


@pytest.mark.parametrize("path", sorted(DATA.glob("*.nfg")), ids=lambda p: p.name)
def test_rqe_reads_what_gambit_writes(path):
    ours = read_game(path)
    again = loads(gbt.read_nfg(str(path)).to_nfg())
    assert np.array_equal(again.payoffs, ours.payoffs)
    if path.name not in RENAMED_LABELS:
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
