r"""Agent-form (behaviour-strategy) QRE and RQE computed on the game tree.

The game tree is that of a sequential OpenSpiel game with perfect recall (:func:`~rqe.openspiel.build_tree`).
A behaviour profile ``sigma`` gives a distribution ``sigma(.|I)`` at every information set ``I``.

**Agent QRE** [MP95; McKelvey & Palfrey 1998, *Quantal response equilibria for extensive form games*]:
every infoset is played by its own agent who logit-responds to the conditional expected utility of its
player,

.. math:: \sigma(a|I) = \frac{\exp(\lambda_i Q_i(I, a))}{\sum_b \exp(\lambda_i Q_i(I, b))},\qquad
          Q_i(I, a) = \frac{\sum_{h \in I} \rho_{-i}(h)\, V_i(ha)}{\sum_{h \in I} \rho_{-i}(h)},

where ``rho_{-i}(h)`` is the probability that chance and the other players reach ``h`` and ``V_i(ha)`` the
expected utility of ``i`` after ``a`` at ``h`` when everyone follows ``sigma`` (Bayes' rule on the infoset,
well defined because a logit profile reaches every history that chance can reach). This is a different
object from the logit QRE of the (reduced) normal form; :func:`solve_agent_qre` is tested against this
definition.

**Agent RQE** (the extension of ``docs/rqe-math.md`` sections 2-4 to trees used here). Only the other
players' moves are risky (chance is risk neutral). Player ``i`` evaluates continuation play with the nested
entropic risk, the KL penalty taken node by node over the other players' moves:

.. math:: V_i^\tau(z) = u_i(z),\quad V_i^\tau(h) = \sum_c P(c|h) V_i^\tau(hc) \text{ (chance)},\quad
          V_i^\tau(h) = \sum_a \sigma(a|I) V_i^\tau(ha) \text{ (own move)},

.. math:: V_i^\tau(h) = \min_{p \in \Delta} \sum_a p_a V_i^\tau(ha) + \tfrac{1}{\tau_i} KL(p \| \sigma(.|I_h))
          = -\tfrac{1}{\tau_i}\log \sum_a \sigma(a|I_h) e^{-\tau_i V_i^\tau(ha)} \text{ (another player's move)}.

By the chain rule of KL this equals ``min_p E_p[u_i] + (1/tau_i) E_p[sum_h KL(p(.|h) || sigma(.|I_h))]``
over adversarial behaviour ``p`` of the other players, the adversary of section 4 on the tree; its
minimiser is ``p*(a|h) ∝ sigma(a|I_h) exp(-tau_i V_i^tau(ha))``. The risk-adjusted action value at an
infoset weighs its histories by the *adversarial* reach ``w(h)`` (chance times ``p*`` of the other
players' moves on the path):

.. math:: Q_i^\tau(I, a) = \frac{\sum_{h\in I} w(h)\, V_i^\tau(ha)}{\sum_{h\in I} w(h)},\qquad
          \sigma(.|I) = \mathrm{softmax}(Q_i^\tau(I, .)/\epsilon_i).

``Q^tau(I, .)`` is the gradient of the concave root objective ``V_i^tau(root)`` with respect to
``sigma(.|I)`` (envelope theorem; perfect recall makes the objective multilinear for fixed ``p``), divided by
``i``'s own reach of ``I`` and by ``sum_h w(h)``. So an agent RQE is a profile in which every agent ``I``
maximises ``V_i^tau(root) - epsilon_i * r_i(I) * sum_a sigma(a|I) log sigma(a|I)`` with the weight
``r_i(I)`` = own reach x adversarial reach of ``I`` fixed at the equilibrium (the same normalisation by
which the agent QRE uses conditional rather than ex-ante payoffs). With ``tau = 0`` it is the agent QRE with
``lam = 1/epsilon``. Every infoset with a unique history and no later moves of the others is exactly the
matrix RQE of section 3.

Both are solved as the fixed point ``y = lam * Q(softmax(y))`` in logit coordinates (for the RQE
``lam = 1/epsilon``). On trees with at most a few hundred infoset actions: pseudo-arclength continuation of
``y - s lam Q(softmax(y)) = 0`` from ``s = 0`` to ``s = 1`` with dense Newton correctors (it passes folds of
the branch, where the agent RQE of tiny_hanabi at ``tau = 1, epsilon = 0.2`` lies); otherwise, or if that
fails: continuation in ``lam`` from 0 (predictor ``y`` scaled with ``lam``, steps halved when
the corrector fails; if continuation stalls, as at a fold of the branch, one Newton solve at the target lam
from the last point) with a Jacobian-free Newton-Krylov corrector (``scipy.optimize.newton_krylov``). The
``iterations`` reported count evaluations of ``Q``. The certificate is the fixed-point residual
``max_I max_a |sigma(a|I) - softmax(lam Q(I))_a|``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe._validation import per_player, positive_float, positive_int
from rqe.errors import ConvergenceError, ParameterError
from rqe.game import Profile
from rqe.openspiel import _kernels
from rqe.openspiel._homotopy import arclength, dense_newton
from rqe.openspiel.tree import GameTree, build_tree
from rqe.results import Equilibrium
from rqe.solvers.rqe._kernels import softmax_blocks

__all__ = ["AgentFormResult", "solve_agent_qre", "solve_agent_rqe", "agent_q_values", "agent_residual"]


def _as_tree(game: Any) -> GameTree:
    return game if isinstance(game, GameTree) else build_tree(game)


def _softmax(y: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``softmax(y)`` within every infoset block ``offsets[I]:offsets[I+1]`` (the RQE core's entropy response)."""
    out = np.empty(len(y))
    softmax_blocks(np.ascontiguousarray(y, dtype=np.float64), offsets, out)
    return out


def _residual(sigma: np.ndarray, logits: np.ndarray, offsets: np.ndarray) -> float:
    """The agent-form certificate ``max |sigma - softmax(logits)|`` over all infosets (``logits = lam Q``)."""
    return float(np.max(np.abs(np.asarray(sigma) - _softmax(logits, offsets))))


def _slot_player(tree: GameTree) -> np.ndarray:
    return tree.infoset_player[tree.slot_infoset].astype(np.int64)


def agent_q_values(tree: GameTree, sigma: np.ndarray, tau: Any = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``(Q, root_values)``: the (risk-adjusted when ``tau > 0``) infoset action values of every slot and each
    player's (risk-adjusted) value at the root, for the behaviour profile ``sigma`` (flat over slots).

    >>> from rqe.openspiel import build_tree, agent_q_values
    >>> tree = build_tree("kuhn_poker")
    >>> q, root = agent_q_values(tree, tree.uniform_strategy())
    >>> [round(float(v), 4) for v in root]   # uniform play: player 1 wins 1/8 on average
    [0.125, -0.125]
    """
    taus = per_player(tau, tree.n_players, "tau")
    sigma = np.ascontiguousarray(sigma, dtype=np.float64)
    if sigma.shape != (tree.n_slots,):
        raise ParameterError(f"sigma must have one entry per infoset action ({tree.n_slots}), got shape {sigma.shape}")
    Q, root, _ = _kernels.all_q_values(tree.kind, tree.player, tree.infoset, tree.first_edge, tree.n_edges,
                                       tree.edge_child, tree.edge_prob, tree.edge_slot, tree.returns, sigma,
                                       _slot_player(tree), np.asarray(taus, dtype=np.float64))
    return Q, root


def agent_residual(tree: GameTree, sigma: np.ndarray, lam: Any, tau: Any = 0.0) -> float:
    """``max |sigma - softmax(lam_i Q^tau(I, .))|`` over all infosets: zero exactly at an agent QRE/RQE.

    ``lam`` is the logit precision (``1/epsilon`` for the RQE).
    """
    lams = per_player(lam, tree.n_players, "lam")
    Q, _ = agent_q_values(tree, sigma, tau)
    return _residual(sigma, lams[_slot_player(tree)] * Q, tree.offsets)


@dataclass(frozen=True)
class AgentFormResult:
    """An agent-form QRE or RQE of a tree game.

    Attributes
    ----------
    tree : GameTree
    behaviour : numpy.ndarray
        ``sigma`` flat over slots (``tree.offsets`` delimit the infosets).
    q_values : numpy.ndarray
        ``Q_i^tau(I, a)`` at the solution (risk neutral for the QRE).
    values : numpy.ndarray
        Each player's (risk-adjusted for the RQE) value at the root.
    expected_returns : numpy.ndarray
        Each player's risk-neutral expected utility under ``behaviour``.
    residual : float
        The fixed-point residual ``max |sigma - softmax(lam Q)|``.
    converged, iterations, method, parameters : as for every rqe result
    equilibria : tuple of Equilibrium
        One record whose ``strategies`` is a :class:`~rqe.Profile` with one vector per *infoset*
        (``extra["infosets"]`` lists their keys and ``extra["players"]`` their players).
    """

    tree: GameTree
    behaviour: np.ndarray
    q_values: np.ndarray
    values: np.ndarray
    expected_returns: np.ndarray
    residual: float
    converged: bool
    iterations: int
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def equilibria(self) -> tuple[Equilibrium, ...]:
        t = self.tree
        profile = Profile([self.behaviour[t.offsets[I]:t.offsets[I + 1]] for I in range(t.n_infosets)])
        return (Equilibrium(profile, self.expected_returns.copy(), self.residual,
                            {"infosets": t.infoset_keys, "players": t.infoset_player.tolist(),
                             "values": self.values.tolist()}),)

    def strategy_at(self, key: str) -> dict[int, float]:
        """``{OpenSpiel action: probability}`` at the infoset with information-state string ``key``."""
        I = self.tree.infoset_keys.index(key)
        probs = self.behaviour[self.tree.offsets[I]:self.tree.offsets[I + 1]]
        return dict(zip(self.tree.infoset_actions[I], probs.tolist()))

    def policy(self) -> Any:
        """The profile as an ``open_spiel.python.policy.TabularPolicy``."""
        from rqe.openspiel.policy import to_tabular_policy

        return to_tabular_policy(self.tree, self.behaviour)

    def exploitability(self) -> float:
        """OpenSpiel's ``exploitability`` (2-player constant-sum) or ``nash_conv`` / N otherwise."""
        from rqe.openspiel.policy import exploitability

        return exploitability(self.tree, self.behaviour)

    def __repr__(self) -> str:
        return (f"AgentFormResult({self.method}, game={self.tree.short_name!r}, "
                f"values={np.array2string(self.values, precision=4)}, residual={self.residual:.2e}, "
                f"converged={self.converged})")


#: Trees with at most this many infoset actions get a dense Newton corrector (finite-difference Jacobian):
#: deterministic and quadratically convergent, where Newton-Krylov's inner Krylov solves can stall at a
#: residual far from the fixed point (seen on tiny_hanabi at tau 1, eps 0.2).
_DENSE_NEWTON_SLOTS = 400


def _solve(tree: GameTree, lams: np.ndarray, taus: np.ndarray, tol: float, max_iter: int, steps: int,
           init: np.ndarray | None) -> tuple[np.ndarray, float, int, str]:
    from scipy.optimize import newton_krylov
    from scipy.optimize import NoConvergence

    slot_player = _slot_player(tree)
    lam_slot = lams[slot_player]
    offsets = tree.offsets
    args = (tree.kind, tree.player, tree.infoset, tree.first_edge, tree.n_edges, tree.edge_child,
            tree.edge_prob, tree.edge_slot, tree.returns)
    evaluations = 0

    def q_of(y: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        evaluations += 1
        sigma = _softmax(y, offsets)
        return _kernels.all_q_values(*args, sigma, slot_player, taus)[0]

    def corrector(y: np.ndarray, scale: float) -> np.ndarray | None:
        """Newton-Krylov on F(y) = y - scale * lam * Q(softmax(y)); None when it fails. Intermediate
        continuation points are solved loosely, the requested lam to ``tol``."""
        def F(z: np.ndarray) -> np.ndarray:
            return z - scale * lam_slot * q_of(z)
        size = 1.0 + float(np.max(np.abs(y)))
        f_tol = max(0.1 * tol, 1e-14 * size) if scale >= 1.0 else 1e-7 * size
        if y.size <= _DENSE_NEWTON_SLOTS:
            return dense_newton(F, y, f_tol, max_iter)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                z = newton_krylov(F, y, f_tol=f_tol, maxiter=max_iter, method="lgmres")
        except (NoConvergence, ValueError, FloatingPointError, np.linalg.LinAlgError):
            return None
        return z if np.all(np.isfinite(z)) else None

    if init is None and tree.n_slots <= _DENSE_NEWTON_SLOTS:
        f_tol = max(0.1 * tol, 1e-14)
        z = arclength(lambda y, scale: y - scale * lam_slot * q_of(y), lambda y: -lam_slot * q_of(y),
                       tree.n_slots, f_tol)
        if z is not None:
            sigma = _softmax(z, offsets)
            res = _residual(sigma, lam_slot * q_of(z), offsets)
            return sigma, res, evaluations, "arclength+newton"
    y = np.zeros(tree.n_slots) if init is None else np.log(np.clip(init, 1e-300, None))
    previous = 0.0 if init is None else 1.0
    targets = list(np.linspace(0.0, 1.0, steps + 1)[1:]) if init is None else [1.0]
    failures = 0
    while targets:
        scale = targets[0]
        predictor = y * (scale / previous) if previous > 0 else y
        z = corrector(predictor, scale)
        if z is None:
            failures += 1
            if failures > 12 or scale - previous < 1e-6:
                break
            targets.insert(0, 0.5 * (previous + scale))  # shorter continuation step
            continue
        y, previous = z, scale
        targets.pop(0)
    if 0.0 < previous < 1.0:
        # continuation stalled (e.g. at a fold of the branch): try the target lam directly from the last point;
        # whatever it returns is judged by the certificate below
        z = corrector(y / previous, 1.0)
        if z is not None:
            y, previous = z, 1.0
    sigma = _softmax(y, offsets)
    # the certificate at the requested lam (previous < 1: not at the last continuation point)
    res = _residual(sigma, lam_slot * q_of(y), offsets)
    return sigma, res, evaluations, "continuation+newton_krylov"


def _finish(tree: GameTree, sigma: np.ndarray, taus: np.ndarray, res: float, iterations: int, method: str,
            tol: float, raise_on_failure: bool, parameters: dict[str, Any]) -> AgentFormResult:
    Q, root = agent_q_values(tree, sigma, taus)
    _, expected = agent_q_values(tree, sigma, 0.0)
    converged = bool(res <= tol)
    if not converged and raise_on_failure:
        raise ConvergenceError(f"agent-form solver stopped at residual {res:.3e} > tol {tol:.1e}", res, iterations)
    for a in (sigma, Q, root, expected):
        a.setflags(write=False)
    return AgentFormResult(tree, sigma, Q, root, expected, res, converged, iterations, method, parameters)


def solve_agent_qre(game: Any, lam: Any, *, tol: float = 1e-12, max_iter: int = 100, steps: int | None = None,
                    init: np.ndarray | None = None,
                    raise_on_failure: bool = False) -> AgentFormResult:
    """Agent (behaviour-strategy) logit QRE of a sequential game, on the tree (module docstring).

    Parameters
    ----------
    game : str, pyspiel.Game or GameTree
    lam : float or one per player
        Logit precision ``lam >= 0``.
    tol : float
        Target fixed-point residual.
    steps : int, optional
        Continuation steps from ``lam = 0`` (default ``max(4, ceil(2 max(lam) * payoff range))`` capped at 200).
    max_iter : int
        Newton iterations per continuation step.

    Examples
    --------
    >>> from rqe.openspiel import solve_agent_qre
    >>> r = solve_agent_qre("kuhn_poker", lam=2.0)
    >>> r.converged, r.residual < 1e-10
    (True, True)
    """
    tree = _as_tree(game)
    lams = per_player(lam, tree.n_players, "lam")
    return _run(tree, lams, np.zeros(tree.n_players), tol, max_iter, steps, init,
                raise_on_failure, "agent_qre", {"lam": lams.tolist()})


def solve_agent_rqe(game: Any, tau: Any, epsilon: Any, *, tol: float = 1e-12, max_iter: int = 100,
                    steps: int | None = None, init: np.ndarray | None = None, raise_on_failure: bool = False) -> AgentFormResult:
    """Agent (behaviour-strategy) RQE with nested KL risk over the other players' moves (module docstring).

    ``sigma(.|I) = softmax(Q_i^tau(I, .) / epsilon_i)`` at every infoset; ``tau = 0`` is the agent QRE with
    ``lam = 1/epsilon``. ``values`` are the risk-adjusted root values ``V_i^tau(root)``.

    >>> from rqe.openspiel import solve_agent_rqe
    >>> r = solve_agent_rqe("kuhn_poker", tau=0.5, epsilon=0.5)
    >>> r.converged, bool(r.values[0] < r.expected_returns[0])   # risk-adjusted value below the mean
    (True, True)
    """
    tree = _as_tree(game)
    taus = per_player(tau, tree.n_players, "tau")
    eps = per_player(epsilon, tree.n_players, "epsilon", strict=True)
    return _run(tree, 1.0 / eps, taus, tol, max_iter, steps, init, raise_on_failure,
                "agent_rqe", {"tau": taus.tolist(), "epsilon": eps.tolist(), "penalty": "kl",
                              "regularizer": "entropy"})


def _run(tree, lams, taus, tol, max_iter, steps, init, raise_on_failure, method, params):
    tol = positive_float(tol, "tol")
    max_iter = positive_int(max_iter, "max_iter")
    spread = float(np.ptp(tree.returns[tree.kind == 0])) if tree.n_nodes else 1.0
    if steps is None:
        steps = int(min(200, max(4, np.ceil(2 * lams.max() * max(spread, 1e-12) * (1 + taus.max())))))
    steps = positive_int(steps, "steps")
    if init is not None:
        init = np.asarray(init, dtype=np.float64)
        if init.shape != (tree.n_slots,):
            raise ParameterError(f"init must have one entry per infoset action ({tree.n_slots}), got {init.shape}")
    sigma, res, iterations, how = _solve(tree, lams, np.asarray(taus, dtype=np.float64), tol, max_iter, steps,
                                         init)
    params = dict(params, tol=tol, steps=steps, game=tree.short_name)
    return _finish(tree, sigma, taus, res, iterations, f"{method}:{how}", tol, raise_on_failure, params)
