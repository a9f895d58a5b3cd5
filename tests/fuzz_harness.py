"""A harness of bad (and odd but valid) API calls: every call must return a valid answer or raise an rqe error.

Each *template* is a public call with one argument left open; each *value* is something a user might pass there
by mistake (wrong type, empty, non-finite, beyond float range, complex, extreme but finite). ``sweep()`` runs
every template with every value and classifies the outcome:

* ``"ok"``: the call returned; a returned Game, Profile or solver result is checked to be valid;
* ``"rqe"``: it raised an :class:`rqe.errors.RQEError` with a non-empty message;
* ``"raw"``: anything else (the defect this harness exists to find).

Run it directly for the counts: ``python -m tests.fuzz_harness``.
"""

from __future__ import annotations

import math
import signal
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

import rqe
from rqe import Game, Profile, library
from rqe.errors import RQEError

#: Values tried in every open argument: types a user may pass by mistake and extreme but finite numbers.
VALUES: list[tuple[str, Any]] = [
    ("None", None), ("True", True), ("str", "a"), ("empty-str", ""), ("-1", -1), ("0", 0), ("1", 1),
    ("2.5", 2.5), ("-0.5", -0.5), ("1e308", 1e308), ("1e-320", 1e-320), ("10**400", 10 ** 400),
    ("-10**400", -(10 ** 400)), ("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("complex", 1 + 2j),
    ("empty-list", []), ("[1]", [1]), ("ragged", [[1, 2], [3]]), ("dict", {"a": 1}), ("object", object()),
    ("nan-array", np.array([np.nan])), ("np.int64", np.int64(3)), ("(2, 0)", (2, 0)), ("bytes", b"x"),
    ("complex-matrix", [[1 + 1j, 0], [0, 1]]), ("huge-int-matrix", [[10 ** 400, 0], [0, 1]]),
    ("3d", np.zeros((2, 2, 2))), ("bool-matrix", [[True, False], [False, True]]),
]


def _stag_hunt() -> Game:
    return Game.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]], title="Stag hunt")


_OK_PAYOFFS = [[[4, 0], [3, 3]], [[4, 3], [0, 3]]]
_OK_PROFILE = ([0.5, 0.5], [0.5, 0.5])


def _templates() -> dict[str, Callable[[Any], Any]]:
    g = _stag_hunt()
    cd = library.get("collaborate_defect")
    t: dict[str, Callable[[Any], Any]] = {
        # Game and its constructors
        "Game(payoffs)": lambda v: Game(v),
        "Game(title)": lambda v: Game(_OK_PAYOFFS, title=v),
        "Game(player_names)": lambda v: Game(_OK_PAYOFFS, player_names=v),
        "Game(action_names)": lambda v: Game(_OK_PAYOFFS, action_names=v),
        "Game(costs)": lambda v: Game(_OK_PAYOFFS, costs=v),
        "from_bimatrix(A)": lambda v: Game.from_bimatrix(v, [[1, 0], [0, 1]]),
        "from_bimatrix(B)": lambda v: Game.from_bimatrix([[1, 0], [0, 1]], v),
        "zero_sum": lambda v: Game.zero_sum(v),
        "identical_interest": lambda v: Game.identical_interest(v),
        "from_shared_reward(R)": lambda v: Game.from_shared_reward(v, [[0.1, 0.0], [0.1, 0.0]]),
        "from_shared_reward(costs)": lambda v: Game.from_shared_reward([[1, 1], [1, 0]], v),
        # Game methods
        "payoff_matrix": lambda v: g.payoff_matrix(v),
        "others": lambda v: g.others(v),
        "action_values": lambda v: g.action_values(v),
        "expected_payoffs": lambda v: g.expected_payoffs(v),
        "pure_payoffs": lambda v: g.pure_payoffs(v),
        "nash_gap": lambda v: g.nash_gap(v),
        "best_responses(profile)": lambda v: g.best_responses(v),
        "best_responses(atol)": lambda v: g.best_responses(_OK_PROFILE, atol=v),
        "welfare": lambda v: g.welfare(v),
        "permute_players": lambda v: g.permute_players(v),
        "permute_actions(player)": lambda v: g.permute_actions(v, [1, 0]),
        "permute_actions(order)": lambda v: g.permute_actions(0, v),
        "is_symmetric(atol)": lambda v: g.is_symmetric(atol=v),
        "is_zero_sum(atol)": lambda v: g.is_zero_sum(atol=v),
        "is_potential(atol)": lambda v: g.is_potential(atol=v),
        "replace(title)": lambda v: g.replace(title=v),
        "replace(payoffs)": lambda v: g.replace(payoffs=v),
        # Profile
        "Profile(strategies)": lambda v: Profile(v),
        "Profile(shape)": lambda v: Profile(_OK_PROFILE, shape=v),
        "Profile(atol)": lambda v: Profile(_OK_PROFILE, atol=v),
        "Profile.uniform": lambda v: Profile.uniform(v),
        "Profile.pure(shape)": lambda v: Profile.pure(v, [0, 0]),
        "Profile.pure(actions)": lambda v: Profile.pure((2, 2), v),
        # Nash and friends
        "solve_nash(game)": lambda v: rqe.solve_nash(v),
        "solve_nash(method)": lambda v: rqe.solve_nash(g, method=v),
        "solve_nash(tol)": lambda v: rqe.solve_nash(g, tol=v),
        "solve_nash(max_size)": lambda v: rqe.solve_nash(g, method="support_enumeration", max_size=v),
        "security_strategies": lambda v: rqe.security_strategies(g, max_size=v),
        "fictitious_play(n_iter)": lambda v: rqe.fictitious_play(g, v),
        "fictitious_play(init)": lambda v: rqe.fictitious_play(g, 50, init=v),
        "regret_matching(rng)": lambda v: rqe.regret_matching(g, 50, mode="sampled", rng=v),
        "regret_matching(mode)": lambda v: rqe.regret_matching(g, 50, mode=v),
        "replicator(dt)": lambda v: rqe.replicator_dynamics(g, 50, dt=v),
        # QRE
        "solve_qre(lam)": lambda v: rqe.solve_qre(g, v),
        "solve_qre(tol)": lambda v: rqe.solve_qre(g, 1.0, tol=v),
        "solve_qre(max_iter)": lambda v: rqe.solve_qre(g, 1.0, max_iter=v),
        "solve_qre(init)": lambda v: rqe.solve_qre(g, 1.0, init=v),
        "qre_path(lam_max)": lambda v: rqe.qre_path(g, v, max_steps=200),
        "fit_qre(observed)": lambda v: rqe.fit_qre(g, v),
        "solve_qre_batch(stack)": lambda v: rqe.solve_qre_batch(v, 1.0),
        "solve_qre_batch(lam)": lambda v: rqe.solve_qre_batch(np.stack([g.payoffs] * 2), v),
        # RQE
        "solve_rqe(tau)": lambda v: rqe.solve_rqe(g, v, 0.5),
        "solve_rqe(epsilon)": lambda v: rqe.solve_rqe(g, 1.0, v),
        "solve_rqe(penalty)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, penalty=v),
        "solve_rqe(regularizer)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, regularizer=v),
        "solve_rqe(method)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, method=v),
        "solve_rqe(tol)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, tol=v),
        "solve_rqe(max_iter)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, max_iter=v),
        "solve_rqe(init)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, init=v),
        "solve_rqe(n_starts)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, n_starts=v),
        "solve_rqe(rng)": lambda v: rqe.solve_rqe(g, 1.0, 0.5, n_starts=2, rng=v),
        "is_tractable(tau)": lambda v: rqe.is_tractable(g, v, 0.5, samples=16),
        "rqe_residual(strategies)": lambda v: rqe.rqe_residual(g, v, 1.0, 0.5),
        "solve_rqe_batch(stack)": lambda v: rqe.solve_rqe_batch(v, 1.0, 0.5),
        "solve_rqe_batch(tau)": lambda v: rqe.solve_rqe_batch(np.stack([g.payoffs] * 2), v, 0.5),
        "solve_rqe_batch(epsilon)": lambda v: rqe.solve_rqe_batch(np.stack([g.payoffs] * 2), 1.0, v),
        # analysis
        "free_riding_degree(profile)": lambda v: rqe.free_riding_degree(cd, v),
        "free_riding_degree(game)": lambda v: rqe.free_riding_degree(v, _OK_PROFILE),
        "price_of_anarchy(equilibria)": lambda v: rqe.price_of_anarchy(g, v),
        "solo_value(player)": lambda v: rqe.solo_value(cd, _OK_PROFILE, player=v),
        "QuadraticGame(H)": lambda v: rqe.QuadraticGame(v, [0.0, 0.0], 0.5),
        "QuadraticGame(rho)": lambda v: rqe.QuadraticGame([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0], v),
        # library
        "library.get(name)": lambda v: library.get(v),
        "library.get(cost)": lambda v: library.get("collaborate_defect", cost=v),
        "library.get(n_players)": lambda v: library.get("collaborate_defect", n_players=v),
        "library.get(coordination n_actions)": lambda v: library.get("coordination", n_actions=v),
        "library.get(random shape)": lambda v: library.get("random_uniform", shape=v),
        "library.get(random seed)": lambda v: library.get("random_uniform", seed=v),
        "library.get(random rng)": lambda v: library.get("random_uniform", rng=v),
        "library.get(selten_chmura game)": lambda v: library.get("selten_chmura", game=v),
        # files
        "read_game(source)": lambda v: rqe.read_game(v),
        "read_game(format)": lambda v: rqe.read_game("tests/data/nfg/pd.nfg", format=v),
    }
    return t


@dataclass(frozen=True)
class Outcome:
    template: str
    value: str
    kind: str          # "ok", "rqe" or "raw"
    detail: str = ""


def _check_valid(result: Any) -> None:
    """A returned object must be usable: games and profiles finite, solver profiles on the simplex."""
    if isinstance(result, Game):
        assert np.all(np.isfinite(result.payoffs))
    elif isinstance(result, Profile):
        assert all(np.all(np.isfinite(x)) and abs(x.sum() - 1) < 1e-8 for x in result)
    for eq in getattr(result, "equilibria", ()) or ():
        strategies = getattr(eq, "strategies", None)
        if strategies is not None and not isinstance(strategies, np.ndarray):
            for x in strategies:
                x = np.asarray(x, dtype=float)
                assert np.all(np.isfinite(x)) and x.min() >= -1e-12 and abs(x.sum() - 1) < 1e-6


class _Hang(BaseException):
    """Raised by the alarm when a call runs past its time limit."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def run_call(name: str, call: Callable[[Any], Any], label: str, value: Any, limit_s: int = 30) -> Outcome:
    """Run one call and classify what happened; a call still running after ``limit_s`` seconds is a hang."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit_s)
    try:
        return _classify(name, call, label, value)
    except _Hang:
        return Outcome(name, label, "raw", f"still running after {limit_s} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _classify(name: str, call: Callable[[Any], Any], label: str, value: Any) -> Outcome:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call(value)
        _check_valid(result)
    except RQEError as exc:
        if not str(exc).strip():
            return Outcome(name, label, "raw", f"{type(exc).__name__} with an empty message")
        return Outcome(name, label, "rqe")
    except AssertionError as exc:
        return Outcome(name, label, "raw", f"invalid answer returned: {exc!r}")
    except Exception as exc:  # noqa: BLE001 - classifying every other exception is the point
        return Outcome(name, label, "raw", f"{type(exc).__name__}: {str(exc)[:120]}")
    return Outcome(name, label, "ok")


def sweep(templates: dict[str, Callable[[Any], Any]] | None = None, trace: bool = False) -> Iterator[Outcome]:
    """Every template with every value, in a fixed order (``trace`` prints each call's time to stderr)."""
    import sys
    import time
    templates = _templates() if templates is None else templates
    for name, call in templates.items():
        for label, value in VALUES:
            start = time.perf_counter()
            if trace:
                print(f"{name} <- {label} ...", end="", file=sys.stderr, flush=True)
            outcome = run_call(name, call, label, value)
            if trace:
                print(f" {outcome.kind} {time.perf_counter() - start:.3f}s", file=sys.stderr, flush=True)
            yield outcome


def main() -> None:
    import sys
    import time
    outcomes = []
    for o in sweep(trace=True):
        outcomes.append(o)
    counts = Counter(o.kind for o in outcomes)
    print(f"{len(outcomes)} calls: {dict(counts)}")
    for o in outcomes:
        if o.kind == "raw":
            print(f"  {o.template} <- {o.value}: {o.detail}")


if __name__ == "__main__":
    main()
