import numpy as np
import pytest

from rqe import Game
from rqe.errors import GameError, ParameterError, ProblemSizeError
from rqe.solvers.lemke_howson import lemke_howson, lemke_howson_all
from rqe.solvers.vertex_enumeration import vertex_enumeration
from tests.solvers.nash_helpers import key_set, quantecon_game, random_game


@pytest.mark.parametrize("m,n", [(2, 2), (3, 2), (3, 3), (4, 6), (5, 5), (8, 8), (12, 9)])
@pytest.mark.parametrize("degenerate", [False, True])
def test_every_label_equals_quantecon(m, n, degenerate):
    from quantecon.game_theory import lemke_howson as qe_lemke_howson

    rng = np.random.default_rng(m * 100 + n + degenerate)
    for _ in range(3):
        game = random_game(rng, m, n, degenerate)
        result = lemke_howson_all(game)
        qe_game = quantecon_game(game)
        assert result.labels == tuple(range(m + n))
        for label, (x, y), iterations in zip(result.labels, result.profiles, result.iterations):
            if degenerate:  # lexicographic ties depend on the (normalised) tableau: paths may differ
                continue
            qx, qy = qe_lemke_howson(qe_game, init_pivot=label)
            assert np.allclose(x, qx, atol=1e-12) and np.allclose(y, qy, atol=1e-12), label
            _, info = qe_lemke_howson(qe_game, init_pivot=label, full_output=True)
            assert iterations == info.num_iter
        assert all(e.residual < 1e-9 for e in result.equilibria)
        assert len(key_set(e.strategies for e in result.equilibria)) == len(result.equilibria)  # distinct
        if not degenerate:
            assert result.converged
        # every path ends at an extreme equilibrium, which vertex enumeration (exact when degenerate) also finds
        assert key_set(e.strategies for e in result.equilibria) <= key_set(
            e.strategies for e in vertex_enumeration(game).equilibria)


def test_single_label_and_known_example():
    g = Game.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    r = lemke_howson(g, init_label=1)
    assert r.labels == (1,) and r.iterations == (4,)
    x, y = r.equilibria[0].strategies
    assert np.allclose(x, [0, 1 / 3, 2 / 3]) and np.allclose(y, [1 / 3, 2 / 3])


def test_max_iter_reports_non_convergence():
    game = random_game(np.random.default_rng(3), 6, 6, degenerate=False)
    r = lemke_howson_all(game, max_iter=1)
    assert not r.converged and not any(r.label_converged)
    assert r.equilibria == ()


def test_bad_input():
    game = Game(np.random.default_rng(0).random((2, 2, 3)))
    with pytest.raises(ParameterError, match="0..4"):
        lemke_howson(game, init_label=5)
    with pytest.raises(ParameterError):
        lemke_howson_all(game, init_labels=["a"])
    with pytest.raises(ParameterError):
        lemke_howson(game, max_iter=0)
    with pytest.raises(GameError):
        lemke_howson(Game(np.zeros((3, 2, 2, 2))))
    with pytest.raises(ProblemSizeError, match="tableau"):
        lemke_howson(game, max_size=10)


@pytest.mark.parametrize("scale,shift", [(1e-12, 0.0), (1e6, 0.0), (1.0, 1e12), (1e200, 0.0), (-1.0, 0.0)])
def test_positive_affine_maps_leave_every_path_unchanged(scale, shift):
    rng = np.random.default_rng(77)
    game = Game(rng.integers(-5, 6, size=(2, 5, 4)).astype(float) + rng.random((2, 5, 4)))
    base = lemke_howson_all(game)
    if scale < 0:  # a negative scale is not a positive affine map: the single-label wrapper must agree anyway
        for label in base.labels:
            one = lemke_howson(game, label)
            assert np.array_equal(np.concatenate(one.profiles[0]), np.concatenate(base.profiles[label]))
            assert one.iterations[0] == base.iterations[label] and one.gaps[0] == base.gaps[label]
        return
    moved = lemke_howson_all(Game(game.payoffs * scale + shift))
    assert moved.iterations == base.iterations
    for p, q in zip(base.profiles, moved.profiles):
        assert np.allclose(np.concatenate(p), np.concatenate(q), atol=1e-9)
    assert all(e.residual <= 1e-9 for e in moved.equilibria) and len(moved.equilibria) == len(base.equilibria)
    for e, f in zip(base.equilibria, moved.equilibria):
        assert np.allclose(f.payoffs, e.payoffs * scale + shift, rtol=1e-9)
