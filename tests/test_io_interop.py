"""Every .nfg rqe writes with default strategy names loads in OpenSpiel (``pyspiel.load_nfg_game``) and in
pygambit with the same payoffs; with names it loads in pygambit (OpenSpiel's reader takes counts only, and no
double quote inside a string)."""

import numpy as np
import pytest

from rqe import Game, library
from rqe.io import dumps, loads

pyspiel = pytest.importorskip("pyspiel")


def _games():
    rng = np.random.default_rng(20261201)
    games = [Game(rng.integers(-9, 10, size=(len(shape), *shape)).astype(float), title=f"integers {shape}")
             for shape in [(2, 2), (3, 2), (2, 3, 2), (1, 4), (2, 2, 2, 2)]]
    tricky = np.array([0.1, 1 / 3, -1e-5, 3e16, -2.5e-300, 123456.789, 0.0, -7.0])
    games.append(Game(tricky.reshape(2, 2, 2), title="floats with a \\ backslash"))
    games.append(Game(rng.normal(size=(3, 2, 3, 2)), player_names=["Ann", "Bob", "Cy"], title="normal"))
    return games


def _openspiel_payoffs(text):
    tensor = pyspiel.extensive_to_tensor_game(pyspiel.load_nfg_game(text))
    return np.stack([np.array(tensor.player_utilities(i)) for i in range(tensor.num_players())])


@pytest.mark.parametrize("game", _games(), ids=lambda g: g.title)
def test_openspiel_reads_what_rqe_writes(game):
    text = dumps(game, "nfg")
    assert text.splitlines()[0].endswith("{ " + " ".join(map(str, game.shape)) + " }")
    assert np.array_equal(_openspiel_payoffs(text), game.payoffs)
    assert loads(text) == game


@pytest.mark.parametrize("game", _games(), ids=lambda g: g.title)
def test_pygambit_reads_what_rqe_writes_in_counts_form(game, tmp_path):
    gbt = pytest.importorskip("pygambit")
    target = tmp_path / "game.nfg"
    target.write_text(dumps(game, "nfg"))
    theirs = gbt.read_nfg(str(target))
    payoffs = np.stack([np.asarray(t, dtype=object).astype(float) for t in theirs.to_arrays()])
    assert np.array_equal(payoffs, game.payoffs)


def test_openspiel_cannot_read_a_quote_in_a_title():
    # OpenSpiel's reader ends a string at the first '"'; Gambit's escape \" is the only way to write one
    text = dumps(Game.zero_sum([[1]], title='say "hi"'), "nfg")
    assert loads(text).title == 'say "hi"'
    with pytest.raises(pyspiel.SpielError):
        pyspiel.load_nfg_game(text)


def test_names_are_written_when_given():
    game = library.get("prisoners_dilemma")
    text = dumps(game, "nfg")
    assert '{ "' in text.splitlines()[2]  # the names form
    assert loads(text) == game
