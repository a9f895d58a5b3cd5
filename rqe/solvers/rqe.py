"""Risk-averse quantal response equilibria (RQE): exact solutions with certificates, branches, fits, batches.

Mathematics (``docs/rqe-math.md`` sections 2-4): player ``i`` maximises

    U_i^{tau,eps}(x_i, x_{-i}) = min_{p in Delta(A_{-i})} x_i^T M_i p + (1/tau_i) D(p, x_{-i}) - eps_i nu(x_i)

([QZLM] eq. 1-2; [MPS] Def. 5). ``tau_i >= 0`` is the degree of risk aversion (penalty weight ``1/tau_i``;
``tau = 0`` is risk neutral and gives the logit QRE with ``lam = 1/eps``), ``eps_i > 0`` the bounded
rationality. ``x*`` is an RQE when every ``x_i*`` maximises ``U_i^{tau,eps}(., x*_{-i})``.

Certificate: the residual of a result is ``max_i [max_y U_i^{tau,eps}(y, x_{-i}) - U_i^{tau,eps}(x_i, x_{-i})]``,
the concave best-response maximisation solved by Newton's method in log coordinates ``y = softmax(z)``
(coordinates far below the others, e.g. ``1e-200``, move to their optimum in one step instead of staying
frozen as in ``y`` coordinates), from ``x_i``, the regularised response and the uniform strategy. For KL +
negative entropy the reported gap is a rigorous upper bound: by the concave-convex minimax theorem
``max_y U_i^{tau,eps}(y, x_{-i}) = min_p [eps_i logsumexp(M_i p / eps_i) + KL(p || x_{-i}) / tau_i]``, and
the value of the right side at ``p = p_i(y)`` equals ``U_i^{tau,eps}(y, x_{-i}) + eps_i KL(y || softmax(M_i
p_i(y) / eps_i))``. ``converged`` is True only when the residual is below ``min(tol, 1e-10)`` and the
fixed-point residual ``max_i ||x_i - R_i(M_i p_i(x))||_1`` is below ``STATIONARITY_TOL = 1e-6``.

Methods (:func:`solve_rqe`):

* ``"fixed_point"``: damped iteration of the 2N-player stationarity system ``x_i = R_i(M_i p_i)``,
  ``p_i = argmin_p <M_i^T x_i, p> + D(p, x_{-i})/tau_i`` (for KL + entropy ``x_i = softmax(M_i p_i/eps_i)``,
  ``p_i ∝ x_{-i} ⊙ exp(-tau_i M_i^T x_i)``), then a Newton polish in log coordinates;
* ``"extragradient"``: entropic mirror-prox (extragradient) on the auxiliary 2N-player game of section 4,
  convergent where that game is monotone ([MPS] Thm 6-7), then the same Newton polish;
* ``"continuation"``: the logit QRE path from the centroid (``tau = 0``, precision ``s/eps`` for
  ``s: 0 -> 1``), then continuation in ``tau`` from ``0`` to its value, by pseudo-arclength predictor-corrector
  (it follows the branch through folds, [T05]);
* ``"auto"``: ``"fixed_point"`` when the game is tractable, else ``"continuation"``; if that fails, the other.

With ``n_starts > 1`` (or ``method="all"``) seeded random and near-pure starting points are added and every
distinct RQE found is reported in ``equilibria``.

References: [MPS] Mazumdar, Panaganti, Shi, ICLR 2025; [QZLM] Qu, Zhang, Lanzetti, Mazumdar, 2026;
[ZM25], [ZM26] Zhang, Mazumdar; [MP95] McKelvey, Palfrey; [T05] Turocy.

Examples
--------
>>> import rqe
>>> game = rqe.Game.from_bimatrix([[200, 160], [370, 10]], [[160, 10], [200, 370]], title="GHP game 4")
>>> result = rqe.solve_rqe(game, tau=[0.001, 0.06], epsilon=[170, 110], regularizer="log_barrier")
>>> result.converged, result.residual < 1e-10
(True, True)
>>> [round(float(x[0]), 3) for x in result.strategies]
[0.468, 0.654]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rqe._coerce import as_game
from rqe._validation import per_player, positive_float, positive_int
from rqe.errors import ConvergenceError, GameError, ParameterError, ProblemSizeError
from rqe.game import Game, Profile
from rqe.results import Equilibrium, make_equilibrium
from rqe.risk import KL, LogBarrier, NegativeEntropy, Penalty, Regularizer, ReverseKL, get_penalty, get_regularizer
from rqe.solvers._rqe_model import RQEModel

__all__ = [
    "RQEResult", "Tractability", "RQEBranches", "Bifurcation", "RQEFit", "RQEBatchResult",
    "solve_rqe", "is_tractable", "rqe_branches", "fit_rqe", "solve_rqe_batch", "rqe_residual",
]

#: a result is called converged only when its certificate is below this (and below ``tol``)
CERTIFICATE_TOL = 1e-10
#: is_tractable's criterion for KL + negative entropy, never tractable on the whole simplex
KL_ENTROPY_CRITERION = ("not monotone: KL + negative entropy (coupling -diag(1/x_j)/tau_i unbounded at the simplex "
                        "boundary); margin from interior samples, a heuristic only")
#: ... and its fixed-point residual ``max_i ||x_i - R_i(M_i p_i(x))||_1`` below this
STATIONARITY_TOL = 1e-6
METHODS = ("auto", "fixed_point", "extragradient", "continuation", "all")


# ====================================================================================== result types
@dataclass(frozen=True)
class Tractability:
    """Which tractability criterion was checked and by how much it holds (``docs/rqe-math.md`` section 4).

    Attributes
    ----------
    tractable : bool
        True when the criterion holds (the RQE is then unique and first-order methods converge).
    criterion : str
        ``"eps1*tau1*eps2*tau2 >= 1"`` ([MPS] Thm 3 as used in their code), or
        ``"sampled monotonicity"`` (minimum eigenvalue of the symmetrised Jacobian of the auxiliary game's
        pseudo-gradient on the simplices' tangent spaces, over sampled points), or ``"risk neutral"``.
    margin : float
        ``eps1 tau1 eps2 tau2 - 1`` for the closed-form criterion, the smallest sampled eigenvalue (scaled by
        the payoff range) for the numerical one.
    weaker_margin : float or None
        For the 2-player closed-form pairs, ``16 eps1 eps2 tau1 tau2 - 1`` ([ZM26]'s weaker sufficient
        monotonicity condition ``16 eps1 eps2 tau1 tau2 > 1``).
    """

    tractable: bool
    criterion: str
    margin: float
    weaker_margin: float | None = None

    def __bool__(self) -> bool:
        return bool(self.tractable)


@dataclass(frozen=True)
class RQEResult:
    """The result of :func:`solve_rqe`.

    Attributes
    ----------
    strategies : Profile
        The principal RQE (the continuation branch's end when that method ran, else the first found).
    adversaries : tuple of numpy.ndarray
        ``p_i`` over the other players' joint actions (C order, as ``game.payoff_matrix(i)``'s columns).
    values : numpy.ndarray
        Risk-adjusted values ``U_i^{tau,eps}(x_i, x_{-i})``.
    residual : float
        The section-4 certificate (largest best-response gain) at ``strategies``.
    converged : bool
        ``residual < min(tol, 1e-10)``.
    iterations : int
        Iterations of the method (fixed-point + Newton steps, or continuation steps).
    method : str
    tractable : Tractability
    equilibria : tuple of Equilibrium
        Every distinct RQE found (each with ``extra["adversaries"]``, ``extra["values"]``).
    parameters : dict
    """

    strategies: Profile
    adversaries: tuple
    values: np.ndarray
    residual: float
    converged: bool
    iterations: int
    method: str
    tractable: Tractability
    equilibria: tuple
    parameters: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"RQEResult(strategies={self.strategies!r}, residual={self.residual:.2e}, converged={self.converged},"
                f" method={self.method!r}, n_equilibria={len(self.equilibria)}, tractable={self.tractable.tractable})")


# ====================================================================================== validation
def _prepare(game: Any, tau: Any, epsilon: Any, penalty: Any, regularizer: Any) -> RQEModel:
    if not isinstance(game, Game):
        raise GameError(f"game must be an rqe.Game, got {type(game).__name__}")
    n = game.n_players
    tau_v = per_player(tau, n, "tau", minimum=0.0)
    eps_v = per_player(epsilon, n, "epsilon", minimum=0.0, strict=True)
    pen = get_penalty(penalty)
    reg = get_regularizer(regularizer)
    if game.n_profiles * n > 2_000_000:
        raise ProblemSizeError(f"game with {game.n_profiles} pure profiles is too large for the RQE solver "
                               f"(limit 2e6 payoff entries)")
    return RQEModel(game, tau_v, eps_v, pen, reg)


# ====================================================================================== Newton polish
def _newton(model: RQEModel, w: np.ndarray, max_iter: int = 60) -> tuple[np.ndarray, float, int]:
    """Damped Newton on the stationarity system ``F(w) = 0`` (``w = (log x, lam)``); returns ``(w, |F|, its)``."""
    F, J = model.system(w)
    norm = float(np.max(np.abs(F)))
    scale = model.payoff_scale * max(model.scale, 1e-300) + float(np.max(model.eps))
    it = 0
    for it in range(1, max_iter + 1):
        if not np.isfinite(norm):
            break
        try:
            d = np.linalg.solve(J, -F)
        except np.linalg.LinAlgError:
            d = np.linalg.lstsq(J, -F, rcond=None)[0]
        if not np.all(np.isfinite(d)):
            break
        big = float(np.max(np.abs(d[:model.n_x])))
        t = 1.0 if big <= 5.0 else 5.0 / big
        merit = float(F @ F)
        accepted = False
        for _ in range(40):
            cand = w + t * d
            Fc = model.system(cand, jacobian=False)[0]
            mc = float(Fc @ Fc)
            if np.isfinite(mc) and mc <= (1.0 - 1e-4 * t) * merit:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        w = cand
        F, J = model.system(w)
        new_norm = float(np.max(np.abs(F)))
        done = new_norm <= 1e-15 * scale or (new_norm >= 0.5 * norm and new_norm <= 1e-12 * scale)
        norm = new_norm
        if done:
            break
    return w, norm, it


def _normalise(model: RQEModel, w: np.ndarray) -> list[np.ndarray]:
    xs = model.strategies(w)
    return [x / x.sum() for x in xs]


# ====================================================================================== fixed point
def _damped_fixed_point(model: RQEModel, xs: list[np.ndarray], max_iter: int, tol: float = 1e-9
                        ) -> tuple[list[np.ndarray], int]:
    """``x <- (1-a) x + a R(M p(x))`` (geometric mixing in log space for the logit response), ``a`` adaptive."""
    alpha = 0.5
    logit = model.is_logit()
    prev = math.inf
    it = 0
    for it in range(1, max_iter + 1):
        target = model.fixed_point_map(xs)
        change = max(float(np.max(np.abs(t - x))) for t, x in zip(target, xs))
        if change < tol:
            xs = target
            break
        if change > prev:
            alpha = max(alpha * 0.5, 1e-3)
        else:
            alpha = min(alpha * 1.1, 1.0)
        prev = change
        new = []
        for x, t in zip(xs, target):
            if logit:
                y = np.exp((1 - alpha) * np.log(x) + alpha * np.log(np.maximum(t, 1e-300)))
            else:
                y = (1 - alpha) * x + alpha * t
            y = np.maximum(y, 1e-300)
            new.append(y / y.sum())
        xs = new
    return xs, it


# ====================================================================================== extragradient
def _extragradient(model: RQEModel, xs: list[np.ndarray], max_iter: int, tol: float = 1e-9
                   ) -> tuple[list[np.ndarray], int]:
    """Entropic mirror-prox on the auxiliary game: players ascend ``x_i^T M_i p_i - eps_i nu(x_i)``, adversaries
    descend ``x_i^T M_i p_i + D(p_i, x_{-i}) / tau_i`` (``docs/rqe-math.md`` section 4)."""
    N = model.n_players
    ps = [model.joint(xs, i) for i in range(N)]
    spread = model.payoff_scale + float(np.max(model.eps))
    tau = model.tau
    eta = 0.1 / (spread + float(np.max(1.0 / np.maximum(tau, 1e-12), initial=0.0) if np.any(tau > 0) else 0.0))
    eta = max(eta, 1e-6)

    def grads(xs_, ps_):
        gx, gp = [], []
        for i in range(N):
            q = model.joint(xs_, i)
            p = ps_[i] if tau[i] > 0 else q
            gx.append(model.M[i] @ p - model.eps[i] * model.regularizer.grad(xs_[i]))
            if tau[i] > 0:
                gp.append(model.M[i].T @ xs_[i] + model.penalty.grad_p(ps_[i], q) / tau[i])
            else:
                gp.append(np.zeros_like(q))
        return gx, gp

    def step(v, g, sign):
        logits = np.log(np.maximum(v, 1e-300)) + sign * eta * g
        logits -= logits.max()
        y = np.exp(logits)
        y = np.maximum(y / y.sum(), 1e-300)
        return y / y.sum()

    it = 0
    for it in range(1, max_iter + 1):
        gx, gp = grads(xs, ps)
        xh = [step(xs[i], gx[i], +1) for i in range(N)]
        ph = [step(ps[i], gp[i], -1) if tau[i] > 0 else ps[i] for i in range(N)]
        gx, gp = grads(xh, ph)
        new_x = [step(xs[i], gx[i], +1) for i in range(N)]
        new_p = [step(ps[i], gp[i], -1) if tau[i] > 0 else ps[i] for i in range(N)]
        change = max(float(np.max(np.abs(a - b))) for a, b in zip(new_x + new_p, xs + ps))
        xs, ps = new_x, new_p
        if change < tol:
            break
    return xs, it


# ====================================================================================== continuation
def _tangent(Jw: np.ndarray, Ft: np.ndarray, previous: np.ndarray | None) -> np.ndarray | None:
    A = np.hstack([Jw, Ft[:, None]])
    if not np.all(np.isfinite(A)):
        return None
    # null vector of the n x (n+1) matrix A: last right singular vector
    _, _, vt = np.linalg.svd(A)
    t = vt[-1]
    if previous is not None and float(t @ previous) < 0:
        t = -t
    elif previous is None and t[-1] < 0:
        t = -t
    return t


def _continuation(model: RQEModel, w0: np.ndarray, homotopy, max_steps: int = 2000,
                  theta_end: float = 1.0) -> tuple[np.ndarray | None, int, list]:
    """Pseudo-arclength continuation of ``F(w; theta) = 0`` from ``theta = 0`` to ``theta_end``.

    ``homotopy(theta)`` sets the model's deformation. Returns ``(w at theta_end or None, steps, path)`` where
    ``path`` lists ``(theta, w)`` points.
    """

    def F_at(w, theta, jac=True):
        homotopy(theta)
        return model.system(w, jacobian=jac)

    def F_theta(w, theta):
        # central differences; one-sided at theta < h, where the deformation (a tau multiplier) must stay >= 0
        h = 1e-6
        lo = theta - h if theta >= h else theta
        hi = theta + h
        Fp = F_at(w, hi, jac=False)[0]
        Fm = F_at(w, lo, jac=False)[0]
        return (Fp - Fm) / (hi - lo)

    scale = model.payoff_scale + float(np.max(model.eps))
    theta = 0.0
    w = w0.copy()
    F, J = F_at(w, theta)
    w, _, _ = _newton_fixed_theta(model, homotopy, w, theta)
    h = 0.05
    t_prev = None
    path = [(theta, w.copy())]
    steps = 0
    while steps < max_steps:
        steps += 1
        F, J = F_at(w, theta)
        t = _tangent(J, F_theta(w, theta), t_prev)
        if t is None:
            return None, steps, path
        u = np.concatenate([w, [theta]])
        pred = u + h * t
        if pred[-1] > theta_end and theta < theta_end:
            # land exactly on theta_end with a fixed-theta Newton from the interpolated point
            frac = (theta_end - theta) / (pred[-1] - theta)
            w_end = w + frac * (pred[:-1] - w)
            w_fin, norm, _ = _newton_fixed_theta(model, homotopy, w_end, theta_end)
            if norm <= 1e-9 * scale:
                path.append((theta_end, w_fin.copy()))
                return w_fin, steps, path
            h *= 0.5
            if h < 1e-10:
                return None, steps, path
            continue
        # corrector: Newton on [F(w, theta); t.(u - pred)] = 0
        v = pred.copy()
        ok = False
        for k in range(12):
            Fv, Jv = F_at(v[:-1], v[-1])
            Ftv = F_theta(v[:-1], v[-1])
            G = np.concatenate([Fv, [t @ (v - pred)]])
            A = np.vstack([np.hstack([Jv, Ftv[:, None]]), t[None, :]])
            if not np.all(np.isfinite(A)) or not np.all(np.isfinite(G)):
                break
            try:
                dv = np.linalg.solve(A, -G)
            except np.linalg.LinAlgError:
                break
            v = v + dv
            if not np.all(np.isfinite(v)):
                break
            if float(np.max(np.abs(dv))) < 1e-11 and float(np.max(np.abs(Fv))) < 1e-8 * scale:
                ok = True
                break
        if ok and float(np.max(np.abs(v[:-1] - w))) < 2.0 and v[-1] >= theta_end > theta:
            # the corrector crossed theta_end: land on it from the interpolated point
            frac = (theta_end - theta) / (v[-1] - theta)
            w_fin, norm, _ = _newton_fixed_theta(model, homotopy, w + frac * (v[:-1] - w), theta_end)
            if norm <= 1e-9 * scale:
                path.append((theta_end, w_fin.copy()))
                return w_fin, steps, path
            h *= 0.5
            if h < 1e-10:
                return None, steps, path
        elif ok and float(np.max(np.abs(v[:-1] - w))) < 2.0:
            w, theta = v[:-1], float(v[-1])
            t_prev = t
            path.append((theta, w.copy()))
            h = min(h * (1.5 if k <= 3 else 1.0), 0.5)
            if theta < -0.25:
                return None, steps, path
        else:
            h *= 0.5
            if h < 1e-9:
                return None, steps, path
    return None, steps, path


def _newton_fixed_theta(model, homotopy, w, theta):
    homotopy(theta)
    return _newton(model, w)


def _qre_then_tau(model: RQEModel, max_steps: int) -> tuple[np.ndarray | None, int]:
    """Logit-QRE path ``s: 0 -> 1`` at ``tau = 0``, then ``tau: 0 -> tau`` at full payoffs."""
    centroid = [np.full(n, 1.0 / n) for n in model.shape]
    model.set_homotopy(0.0, 0.0)
    w0 = model.initial_w(centroid)
    w, steps_a, _ = _continuation(model, w0, lambda th: model.set_homotopy(th, 0.0), max_steps)
    if w is None:
        model.set_homotopy(1.0, 1.0)
        return None, steps_a
    if np.all(model.base_tau == 0):
        model.set_homotopy(1.0, 1.0)
        return w, steps_a
    w2, steps_b, _ = _continuation(model, w, lambda th: model.set_homotopy(1.0, th), max_steps)
    model.set_homotopy(1.0, 1.0)
    return w2, steps_a + steps_b


# ====================================================================================== multistart
def _starts(model: RQEModel, n_starts: int, rng: np.random.Generator) -> list[list[np.ndarray]]:
    starts = []
    shape = model.shape
    n_pure = int(np.prod(shape))
    if n_pure <= 64:
        for idx in np.ndindex(*shape):
            prof = []
            for n, a in zip(shape, idx):
                x = np.full(n, 0.1 / n)
                x[a] += 0.9
                prof.append(x)
            starts.append(prof)
    rng.shuffle(starts)
    starts = starts[: max(n_starts - 1, 0) // 2 + 1] if n_starts > 1 else []
    while len(starts) < n_starts - 1:
        starts.append([rng.dirichlet(np.ones(n)) for n in shape])
    return starts


def _solve_from(model: RQEModel, xs: list[np.ndarray], method: str, max_iter: int) -> tuple[list[np.ndarray], int]:
    xs = [np.maximum(np.asarray(x, dtype=np.float64), 1e-300) for x in xs]
    xs = [x / x.sum() for x in xs]
    if method == "extragradient":
        xs, it1 = _extragradient(model, xs, max_iter)
    else:
        xs, it1 = _damped_fixed_point(model, xs, min(max_iter, 300), tol=1e-5)
    w, _, it2 = _newton(model, model.initial_w(xs))
    return _normalise(model, w), it1 + it2


def _distinct(found: list[tuple[list[np.ndarray], float]], atol: float = 1e-6) -> list[tuple[list[np.ndarray], float]]:
    out: list[tuple[list[np.ndarray], float]] = []
    for xs, res in found:
        if any(all(np.max(np.abs(a - b)) < atol for a, b in zip(xs, ys)) for ys, _ in out):
            continue
        out.append((xs, res))
    return out


# ====================================================================================== public API
def rqe_residual(game: Game, strategies: Any, tau: Any, epsilon: Any, penalty: Any = "kl",
                 regularizer: Any = "entropy") -> float:
    """The section-4 certificate ``max_i [max_y U_i^{tau,eps}(y, x_{-i}) - U_i^{tau,eps}(x_i, x_{-i})]``.

    >>> import rqe
    >>> g = rqe.Game.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> rqe_residual(g, ([0.5, 0.5], [0.5, 0.5]), tau=1.0, epsilon=0.5) < 1e-12
    True
    """
    model = _prepare(game, tau, epsilon, penalty, regularizer)
    xs = [np.asarray(x, dtype=np.float64) for x in Profile(strategies, shape=game.shape)]
    if any(np.any(x <= 0) for x in xs):
        return math.inf
    return model.certificate(xs)[0]


def solve_rqe(game: Game, tau: Any, epsilon: Any, penalty: str | Penalty = "kl",
              regularizer: str | Regularizer = "entropy", method: str = "auto", *, tol: float = 1e-10,
              max_iter: int = 5000, init: Any = None, n_starts: int = 1, rng: Any = None,
              raise_on_failure: bool = False) -> RQEResult:
    """Compute risk-averse quantal response equilibria of an n-player game (``docs/rqe-math.md`` sections 2-4).

    Parameters
    ----------
    game : Game
        Utilities ``payoffs[i, a_1, ..., a_N]`` (maximised).
    tau : float or sequence
        Degree of risk aversion per player, ``>= 0`` (``0``: risk neutral, i.e. the logit QRE).
    epsilon : float or sequence
        Bounded rationality per player, ``> 0``.
    penalty : {"kl", "reverse_kl"} or rqe.risk.Penalty
    regularizer : {"entropy", "log_barrier"} or rqe.risk.Regularizer
    method : {"auto", "fixed_point", "extragradient", "continuation", "all"}
        ``"all"`` runs every method and the multistart search.
    tol : float
        Required certificate; ``converged`` needs ``residual < min(tol, 1e-10)``.
    max_iter : int
        Iteration budget of the first-order phase (and continuation steps).
    init : profile, optional
        Starting profile for ``"fixed_point"`` / ``"extragradient"``.
    n_starts : int
        Number of starting points; above 1 the search reports every distinct RQE it finds.
    rng : numpy.random.Generator or int, optional
        Seed source for the extra starts.
    raise_on_failure : bool
        Raise :class:`~rqe.errors.ConvergenceError` instead of returning ``converged=False``.

    Returns
    -------
    RQEResult

    Examples
    --------
    >>> import rqe
    >>> pennies = rqe.Game.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> r = rqe.solve_rqe(pennies, tau=0.5, epsilon=1.0)
    >>> r.converged, [x.round(6).tolist() for x in r.strategies]
    (True, [[0.5, 0.5], [0.5, 0.5]])
    """
    game = as_game(game)  # a Game, or a pair of payoff matrices (A, B); else an error showing the fix
    model = _prepare(game, tau, epsilon, penalty, regularizer)
    if method not in METHODS:
        raise ParameterError(f"unknown method {method!r}; expected one of {METHODS}")
    tol = positive_float(tol, "tol")
    max_iter = positive_int(max_iter, "max_iter")
    n_starts = positive_int(n_starts, "n_starts")
    if rng is None or isinstance(rng, (int, np.integer)):
        rng = np.random.default_rng(rng)
    elif not isinstance(rng, np.random.Generator):
        raise ParameterError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")
    init_xs = None
    if init is not None:
        init_xs = [np.asarray(x, dtype=np.float64) for x in Profile(init, shape=game.shape)]
    threshold = min(tol, CERTIFICATE_TOL)
    tractable = _tractability(model, 32, np.random.default_rng(0))

    found: list[tuple[list[np.ndarray], float]] = []
    iterations = 0
    used = []

    nonstationary: set[int] = set()

    def record(xs):
        res, _ = model.certificate(xs)
        found.append((xs, res))
        if not model.stationarity(xs) < STATIONARITY_TOL:
            nonstationary.add(id(xs))
            return math.inf
        return res

    centroid = [np.full(n, 1.0 / n) for n in model.shape]
    if method == "all":
        order = ["continuation", "fixed_point", "extragradient"]
    elif method == "auto":
        # KL + entropy is never certified tractable; its interior-sampled margin still guides the method order
        likely = tractable.tractable or (tractable.criterion == KL_ENTROPY_CRITERION and tractable.margin > 0)
        order = ["fixed_point", "continuation"] if (likely or init_xs is not None) else \
            ["continuation", "fixed_point"]
    else:
        order = [method]
    fast = (game.n_players == 2 and type(model.penalty) is KL and type(model.regularizer) in _REG_CODES
            and order[0] == "fixed_point")
    if fast:
        # Numba kernel: damped fixed point + Newton in log coordinates + certificate
        start = init_xs if init_xs is not None else centroid
        x1, x2 = (np.maximum(np.asarray(x, dtype=np.float64), 1e-300) for x in start)
        x1, x2 = x1 / x1.sum(), x2 / x2.sum()
        o1, o2, res, its, st = _kernels().solve_robust(
            np.ascontiguousarray(model.base_M[0]), np.ascontiguousarray(model.base_M[1]), x1, x2,
            model.base_tau[0], model.base_tau[1], model.eps[0], model.eps[1], _REG_CODES[type(model.regularizer)],
            60, min(max_iter, 500))
        iterations += int(its)
        used.append("fixed_point")
        order = order[1:]
        found.append(([o1, o2], float(res) if np.isfinite(res) else math.inf))
        if not st < STATIONARITY_TOL:
            nonstationary.add(id(found[-1][0]))
        elif res < threshold:
            order = []
    for m in order:
        if m == "continuation":
            w, steps = _qre_then_tau(model, max_iter)
            iterations += steps
            used.append(m)
            if w is not None:
                xs = _normalise(model, w)
                res = record(xs)
            else:
                # the path did not reach the target: report the last usable point honestly (its certificate)
                res = record(centroid) if not found else math.inf
        else:
            xs, its = _solve_from(model, init_xs if init_xs is not None else centroid, m, max_iter)
            iterations += its
            used.append(m)
            res = record(xs)
        if res < threshold and method != "all":
            break
    if n_starts > 1 or method == "all":
        for start in _starts(model, max(n_starts, 8 if method == "all" else n_starts), rng):
            xs, its = _solve_from(model, start, "fixed_point", max_iter)
            iterations += its
            record(xs)
        used.append("multistart")
    good = sorted([f for f in found if f[1] < threshold and id(f[0]) not in nonstationary], key=lambda f: f[1])
    principal = next((f for f in found if f[1] < threshold and id(f[0]) not in nonstationary), None)
    if principal is None:
        principal = min(found, key=lambda f: f[1] if np.isfinite(f[1]) else math.inf)
    distinct = _distinct([principal] + [g for g in good if g is not principal]) if good else []
    xs_p, res_p = principal
    converged = bool(res_p < threshold) and id(xs_p) not in nonstationary
    if not converged and raise_on_failure:
        raise ConvergenceError(f"solve_rqe did not reach the certificate {threshold:g} (residual {res_p:.3e})",
                               residual=res_p, iterations=iterations)
    profile = Profile(xs_p, shape=game.shape)
    adversaries = tuple(_readonly(p) for p in model.adversaries(list(profile)))
    values = _readonly(model.values(list(profile)))
    equilibria = []
    for xs, res in distinct:
        if xs is xs_p:
            prof, advs, vals = profile, adversaries, values
        else:
            prof = Profile(xs, shape=game.shape)
            advs, vals = tuple(_readonly(p) for p in model.adversaries(list(prof))), _readonly(model.values(list(prof)))
        equilibria.append(make_equilibrium(game, prof, res, adversaries=advs, values=vals,
                                           tau=model.base_tau.tolist(), epsilon=model.eps.tolist()))
    params = dict(tau=model.base_tau.tolist(), epsilon=model.eps.tolist(), penalty=model.penalty.name,
                  regularizer=model.regularizer.name, tol=tol, max_iter=max_iter, n_starts=n_starts,
                  certificate_threshold=threshold)
    return RQEResult(profile, adversaries, values, float(res_p), converged, int(iterations), "+".join(used),
                     tractable, tuple(equilibria), params)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


# ====================================================================================== tractability
def is_tractable(game: Game, tau: Any, epsilon: Any, penalty: Any = "kl", regularizer: Any = "entropy", *,
                 samples: int = 256, rng: Any = 0) -> Tractability:
    """Check the tractability condition of ``docs/rqe-math.md`` section 4 and report criterion and margin.

    * 2 players with (KL, log-barrier) or (reverse KL, negative entropy): ``eps1 tau1 eps2 tau2 >= 1``
      ([MPS] Thm 3 with the constants of their code); ``weaker_margin`` reports [ZM26]'s
      ``16 eps1 eps2 tau1 tau2 - 1``.
    * otherwise: numerical monotonicity of the auxiliary 2N-player game. Its pseudo-gradient is
      ``F = (-(M_i p_i - eps_i grad nu(x_i)), M_i^T x_i + grad_p D(p_i, x_{-i}) / tau_i)_i``; the symmetric part of
      ``dF`` (with one positive weight per player-adversary pair, which keeps the cancelling ``x_i``-``p_i``
      blocks antisymmetric), restricted to the simplices' tangent spaces, must be positive definite. It is
      evaluated at ``samples`` points drawn from the simplices; the margin is the smallest eigenvalue
      found for the best weights tried. A sampled check is evidence, not a proof (points near the boundary,
      ``_sampled_monotonicity(..., boundary=True)``, often give a negative margin where uniform points do not).
    * KL + negative entropy (some ``tau_i > 0``): never tractable. The ``p_i``-``x_j`` block of the symmetrised
      Jacobian is ``-diag(1/x_j) / (2 tau_i)``, against diagonal blocks ``eps_j diag(1/x_j)`` and
      ``diag(1/p_i) / tau_i``; positive definiteness needs ``4 eps_j tau_i x_ja > p_ia``, which fails as
      ``x_ja -> 0``. The margin reported is the interior-sampled (uniform) one, a heuristic only.
    * all ``tau_i = 0``: the logit QRE game, checked the same way without adversaries.

    >>> import rqe
    >>> g = rqe.Game.from_bimatrix([[1, 0], [0, 1]], [[0, 1], [1, 0]])
    >>> t = rqe.is_tractable(g, tau=[2.0, 2.0], epsilon=[0.5, 0.5], penalty="kl", regularizer="log_barrier")
    >>> t.tractable, t.criterion, t.margin
    (True, 'eps1*tau1*eps2*tau2 >= 1', 0.0)
    """
    model = _prepare(game, tau, epsilon, penalty, regularizer)
    return _tractability(model, positive_int(samples, "samples"), np.random.default_rng(rng))


def _tractability(model: RQEModel, samples: int, rng: np.random.Generator) -> Tractability:
    pen, reg = model.penalty, model.regularizer
    tau_v, eps_v = model.base_tau, model.eps
    pair = (type(pen), type(reg))
    if model.n_players == 2 and pair in ((KL, LogBarrier), (ReverseKL, NegativeEntropy)) and np.all(tau_v > 0):
        prod = float(np.prod(eps_v * tau_v))
        return Tractability(prod >= 1.0, "eps1*tau1*eps2*tau2 >= 1", prod - 1.0, 16.0 * prod - 1.0)
    if pair == (KL, NegativeEntropy) and np.any(tau_v > 0):
        # the p_i-x_j block of the symmetrised Jacobian is -diag(1/x_j)/(2 tau_i) against the diagonal blocks
        # eps_j diag(1/x_j) and diag(1/p_i)/tau_i: positive definiteness needs 4 eps_j tau_i x_ja > p_ia, which
        # fails as x_ja -> 0 with p_ia fixed. The auxiliary game is never monotone on the whole simplex.
        interior = _sampled_monotonicity(model, samples, rng)
        return Tractability(False, KL_ENTROPY_CRITERION, interior.margin)
    return _sampled_monotonicity(model, samples, rng)


def _pseudo_jacobian(model: RQEModel, xs, ps) -> tuple[np.ndarray, np.ndarray]:
    """Jacobian ``dF`` of the auxiliary game's pseudo-gradient at ``(x, p)`` and each row's player index."""
    N = model.n_players
    sizes = list(model.shape) + [model.M[i].shape[1] for i in range(N)]
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    D = np.zeros((offs[-1], offs[-1]))
    owner = np.concatenate([np.full(n, k % N) for k, n in enumerate(sizes)])
    for i in range(N):
        xi = slice(offs[i], offs[i + 1])
        D[xi, xi] = model.eps[i] * np.diag(model.regularizer.hess_diag(xs[i]))
        q = model.joint(xs, i)
        if model.tau[i] > 0:
            pi = slice(offs[N + i], offs[N + i + 1])
            D[xi, pi] = -model.M[i]
            D[pi, xi] = model.M[i].T
            D[pi, pi] = np.diag(model.penalty.hess_pp(ps[i], q)) / model.tau[i]
            hpq = model.penalty.hess_pq(ps[i], q) / model.tau[i]
            for j in model.others[i]:
                xj = slice(offs[j], offs[j + 1])
                D[pi, xj] = hpq[:, None] * model.dq_dx(xs, i, j)
        else:
            for j in model.others[i]:
                xj = slice(offs[j], offs[j + 1])
                D[xi, xj] = -model.M[i] @ model.dq_dx(xs, i, j)
    return D, owner


def _tangent_basis(model: RQEModel) -> np.ndarray:
    """Orthonormal basis of the tangent spaces of the simplices (x blocks, then p blocks with tau > 0)."""
    N = model.n_players
    sizes = list(model.shape) + [model.M[i].shape[1] for i in range(N)]
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    bases = []
    for k in range(2 * N):
        if k >= N and model.tau[k - N] == 0:
            continue
        n = sizes[k]
        if n < 2:
            continue
        B = np.zeros((offs[-1], n - 1))
        Q, _ = np.linalg.qr(np.vstack([np.ones(n), np.eye(n)[:-1]]).T)
        B[offs[k]:offs[k + 1], :] = Q[:, 1:]
        bases.append(B)
    return np.hstack(bases) if bases else np.zeros((offs[-1], 0))


def _inside(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, 1e-12)
    return x / x.sum()


def _sampled_monotonicity(model: RQEModel, samples: int, rng: np.random.Generator,
                          boundary: bool = False) -> Tractability:
    N = model.n_players
    if all(n == 1 for n in model.shape):
        return Tractability(True, "sampled monotonicity", math.inf)
    T = _tangent_basis(model)
    if T.shape[1] == 0:
        return Tractability(True, "sampled monotonicity", math.inf)
    jacobians = []
    for k in range(samples):
        # with boundary=True every other point is from Dirichlet(0.1), near the simplices' boundary
        alpha = 0.1 if (boundary and k % 2 == 1) else 1.0
        xs = [_inside(rng.dirichlet(np.full(n, alpha))) for n in model.shape]
        ps = [_inside(rng.dirichlet(np.full(model.M[i].shape[1], alpha))) for i in range(N)]
        D, owner = _pseudo_jacobian(model, xs, ps)
        jacobians.append(D)
    scale = model.payoff_scale + float(np.max(model.eps))

    def worst(log_w):
        w = np.exp(np.concatenate([[0.0], log_w]))[owner]
        m = math.inf
        for D in jacobians:
            WD = w[:, None] * D
            A = T.T @ ((WD + WD.T) / 2) @ T
            m = min(m, float(np.linalg.eigvalsh(A)[0]) / w.max())
        return m

    best = worst(np.zeros(N - 1))
    if N > 1 and best <= 0:
        grid = np.linspace(-8, 8, 17) if N == 2 else None
        if grid is not None:
            for lw in grid:
                best = max(best, worst(np.array([lw])))
        else:
            from scipy.optimize import minimize
            res = minimize(lambda lw: -worst(lw), np.zeros(N - 1), method="Nelder-Mead",
                           options=dict(maxiter=60, xatol=1e-2, fatol=1e-6))
            best = max(best, -float(res.fun))
    criterion = "sampled monotonicity" if np.any(model.tau > 0) else "sampled monotonicity (risk neutral)"
    return Tractability(bool(best > 0), criterion, best / scale)


# ====================================================================================== branches
@dataclass(frozen=True)
class Bifurcation:
    """A change in the number of RQE between two grid points, located by bisection.

    ``tau`` is the midpoint of the final bracket ``interval``; ``n_before`` / ``n_after`` count the RQE found
    at the grid points on either side. At a pitchfork (as in the collaborate/defect game, ``docs/rqe-math.md``
    section 6) two branches merge into a third; at a fold two branches meet and vanish.
    """

    tau: float
    interval: tuple
    n_before: int
    n_after: int


@dataclass(frozen=True)
class RQEBranches:
    """The RQE correspondence over a grid of ``tau`` values (:func:`rqe_branches`).

    Attributes
    ----------
    taus : numpy.ndarray
        The grid.
    equilibria : tuple of tuple of Profile
        All distinct RQE found at each grid point.
    branches : tuple of dict
        Each branch as ``{"taus": array, "strategies": list of Profile}``, linked across grid points by
        continuation (each point is Newton-continued from the branch's previous point).
    bifurcations : tuple of Bifurcation
    converged : bool
        Every reported point has a certificate below 1e-10.
    method : str
    parameters : dict
    """

    taus: np.ndarray
    equilibria: tuple
    branches: tuple
    bifurcations: tuple
    converged: bool
    method: str
    parameters: dict = field(default_factory=dict)


def _all_rqe(model: RQEModel, seeds: list[list[np.ndarray]], n_starts: int, seed: int) -> list[list[np.ndarray]]:
    found = []
    for xs in seeds:
        w, _, _ = _newton(model, model.initial_w(xs))
        cand = _normalise(model, w)
        if model.certificate(cand)[0] < CERTIFICATE_TOL:
            found.append((cand, 0.0))
    for start in _starts(model, n_starts, np.random.default_rng(seed)) if n_starts > 1 else []:
        cand, _ = _solve_from(model, start, "fixed_point", 500)
        if model.certificate(cand)[0] < CERTIFICATE_TOL:
            found.append((cand, 0.0))
    if not seeds:
        w, _ = _qre_then_tau(model, 2000)
        if w is not None:
            cand = _normalise(model, w)
            if model.certificate(cand)[0] < CERTIFICATE_TOL:
                found.append((cand, 0.0))
    return [xs for xs, _ in _distinct(found)]


def rqe_branches(game: Game, taus: Any, epsilon: Any, penalty: Any = "kl", regularizer: Any = "entropy", *,
                 n_starts: int = 16, seed: int = 0, refine: int = 30) -> RQEBranches:
    """Follow every RQE branch over a grid of risk-aversion values and locate bifurcations.

    At each ``tau`` in ``taus`` (the same value for every player) the solver continues each branch by Newton's
    method from its point at the previous grid value and adds a seeded multistart search (``n_starts``
    starts: near-pure profiles and Dirichlet draws), keeping every distinct point whose section-4 certificate
    is below 1e-10. Where the number of RQE changes between neighbouring grid values, the change is located
    by ``refine`` bisection steps (each solving from the lower end's points plus the same multistart).

    >>> import rqe
    >>> g = rqe.Game.from_shared_reward([[1, 1], [1, 0]], [[0.4, 0.0], [0.4, 0.0]])
    >>> b = rqe.rqe_branches(g, [0.1, 2.0], epsilon=0.2, refine=20)
    >>> [len(e) for e in b.equilibria], round(b.bifurcations[0].tau, 3)
    ([3, 1], 0.829)
    """
    grid = np.asarray(taus, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ParameterError(f"taus must be a non-empty 1-D grid of finite values >= 0, got {taus!r}")
    if np.any(np.diff(grid) <= 0):
        raise ParameterError("taus must be strictly increasing")
    n_starts = positive_int(n_starts, "n_starts")
    model = _prepare(game, 1.0, epsilon, penalty, regularizer)

    def solve_at(tau_value, seeds, starts=n_starts):
        model.base_tau = np.full(model.n_players, float(tau_value))
        model.set_homotopy(1.0, 1.0)
        return _all_rqe(model, seeds, starts, seed)

    per_tau = []
    branches: list[dict] = []
    bifurcations = []
    previous: list[list[np.ndarray]] = []
    for k, tau_value in enumerate(grid):
        sols = solve_at(tau_value, previous)
        # link to branches by nearest previous point
        used = set()
        for xs in sols:
            best, best_d = None, math.inf
            for b_idx, br in enumerate(branches):
                if k == 0 or br["taus"][-1] != grid[k - 1] or b_idx in used:
                    continue
                d = max(float(np.max(np.abs(a - c))) for a, c in zip(xs, br["strategies"][-1]))
                if d < best_d:
                    best, best_d = b_idx, d
            if best is not None and best_d < 0.25:
                used.add(best)
                branches[best]["taus"].append(float(tau_value))
                branches[best]["strategies"].append(Profile(xs, shape=game.shape))
            else:
                branches.append({"taus": [float(tau_value)], "strategies": [Profile(xs, shape=game.shape)]})
        if k > 0 and len(sols) != len(previous):
            lo, hi = float(grid[k - 1]), float(tau_value)
            lo_sols, n_lo, n_hi = previous, len(previous), len(sols)
            for _ in range(refine):
                mid = 0.5 * (lo + hi)
                mid_sols = solve_at(mid, lo_sols, starts=1)
                if len(mid_sols) == n_lo:
                    lo, lo_sols = mid, mid_sols
                else:
                    hi, n_hi = mid, len(mid_sols)
            # the counts reported are those at the grid points: next to a bifurcation the Jacobian is nearly
            # singular and Newton may stop at certified near-duplicates, so counts there are not reliable
            bifurcations.append(Bifurcation(0.5 * (lo + hi), (lo, hi), len(previous), len(sols)))
        per_tau.append(tuple(Profile(xs, shape=game.shape) for xs in sols))
        previous = sols
    out_branches = tuple({"taus": np.array(b["taus"]), "strategies": b["strategies"]} for b in branches)
    params = dict(epsilon=model.eps.tolist(), penalty=model.penalty.name, regularizer=model.regularizer.name,
                  n_starts=n_starts, seed=seed, refine=refine)
    return RQEBranches(grid, tuple(per_tau), out_branches, tuple(bifurcations),
                       all(len(s) > 0 for s in per_tau), "newton-continuation+multistart", params)


# ====================================================================================== batch
@dataclass(frozen=True)
class RQEBatchResult:
    """RQE of many same-shaped 2-player games (:func:`solve_rqe_batch`).

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        ``(X1, X2)`` with ``X1[b]`` player 1's RQE strategy in game ``b`` (shapes ``(B, n1)``, ``(B, n2)``).
    residuals : numpy.ndarray
        The section-4 certificate of each game.
    converged : numpy.ndarray of bool
        ``residual < 1e-10`` per game.
    iterations : numpy.ndarray
    n_fallback : int
        Games the Numba kernel left above the certificate and that were re-solved by :func:`solve_rqe`
        (continuation).
    method : str
    parameters : dict
    """

    strategies: tuple
    residuals: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    n_fallback: int
    method: str
    parameters: dict = field(default_factory=dict)

    @property
    def all_converged(self) -> bool:
        return bool(np.all(self.converged))


_REG_CODES = {NegativeEntropy: 0, LogBarrier: 1}


def _kernels():
    from rqe.solvers import _rqe_kernels
    return _rqe_kernels


def solve_rqe_batch(payoffs_stack: Any, tau: Any, epsilon: Any, penalty: str = "kl", regularizer: str = "entropy",
                    *, max_iter: int = 60, fallback: bool = True) -> RQEBatchResult:
    """Solve many same-shaped 2-player games at once with the KL penalty (Numba, parallel over games).

    Each game is solved by Newton's method on the stationarity system of ``docs/rqe-math.md`` section 4 (from
    the centroid after three fixed-point steps; if that misses the certificate, after a longer damped fixed
    point), and certified by the section-4 best-response gap. Games still above ``1e-10`` are re-solved by
    :func:`solve_rqe` (continuation) when ``fallback`` is True.

    Parameters
    ----------
    payoffs_stack : array_like, shape ``(B, 2, n1, n2)``
        ``payoffs_stack[b]`` is the payoff tensor of game ``b`` (as ``Game.payoffs``).
    tau, epsilon : float, shape ``(2,)`` or shape ``(B, 2)``
    penalty : "kl"
    regularizer : "entropy" or "log_barrier"

    Examples
    --------
    >>> import numpy as np
    >>> stack = np.random.default_rng(0).uniform(-1, 1, size=(100, 2, 2, 2))
    >>> out = solve_rqe_batch(stack, tau=0.5, epsilon=0.5)
    >>> out.strategies[0].shape, bool(out.all_converged), bool(out.residuals.max() < 1e-10)
    ((100, 2), True, True)
    """
    stack = np.asarray(payoffs_stack, dtype=np.float64)
    if stack.ndim != 4 or stack.shape[1] != 2:
        raise GameError(f"payoffs_stack must have shape (B, 2, n1, n2), got {stack.shape}")
    if not np.all(np.isfinite(stack)):
        raise GameError("payoffs_stack must be finite")
    B, _, n1, n2 = stack.shape
    if get_penalty(penalty).name != "kl":
        raise ParameterError(f"solve_rqe_batch supports penalty='kl' only, got {penalty!r}")
    reg = get_regularizer(regularizer)
    if type(reg) not in _REG_CODES:
        raise ParameterError(f"solve_rqe_batch supports regularizer 'entropy' or 'log_barrier', got {regularizer!r}")

    def per_game(value, name, strict):
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 2:
            if arr.shape != (B, 2):
                raise ParameterError(f"{name} per game must have shape ({B}, 2), got {arr.shape}")
            for row in arr:
                per_player(row, 2, name, minimum=0.0, strict=strict)
            return np.ascontiguousarray(arr)
        return np.tile(per_player(value, 2, name, minimum=0.0, strict=strict), (B, 1))

    taus = per_game(tau, "tau", False)
    epss = per_game(epsilon, "epsilon", True)
    max_iter = positive_int(max_iter, "max_iter")
    M1s = np.ascontiguousarray(stack[:, 0])
    M2s = np.ascontiguousarray(np.transpose(stack[:, 1], (0, 2, 1)))
    X1, X2, res, its, stat = _kernels().solve_batch(M1s, M2s, taus, epss, _REG_CODES[type(reg)], max_iter, 200)
    conv = (res < CERTIFICATE_TOL) & (stat < STATIONARITY_TOL)
    bad = np.flatnonzero(~conv)
    if fallback:
        for b in bad:
            r = solve_rqe(Game(stack[b]), taus[b], epss[b], "kl", reg, method="continuation")
            if r.converged or r.residual < res[b] or not np.isfinite(res[b]):
                X1[b], X2[b], res[b], conv[b] = r.strategies[0], r.strategies[1], r.residual, r.converged
                its[b] += r.iterations
    for a in (X1, X2, res, its):
        a.setflags(write=False)
    conv.setflags(write=False)
    return RQEBatchResult((X1, X2), res, conv, its, int(bad.size if fallback else 0), "newton-batch",
                          dict(tau=tau, epsilon=epsilon, penalty="kl", regularizer=reg.name, max_iter=max_iter))


# ====================================================================================== fitting
@dataclass(frozen=True)
class RQEFit:
    """Maximum-likelihood ``(tau_i, eps_i)`` from observed play (:func:`fit_rqe`).

    Attributes
    ----------
    tau, epsilon : numpy.ndarray
        Fitted parameters per player.
    log_likelihood : float
        ``sum_i n_i sum_a f_ia log x_ia`` at the fit (``f`` observed frequencies, ``x`` the fitted RQE).
    kl_divergence : float
        ``sum_i KL(f_i || x_i)``: zero for a perfect fit.
    predicted, observed : Profile
    tractable : Tractability
        The tractability check at the fitted parameters.
    equilibria : tuple of Equilibrium
        The fitted RQE.
    converged : bool
        The optimiser's success flag and a certified RQE at the optimum.
    method : str
    parameters : dict
    """

    tau: np.ndarray
    epsilon: np.ndarray
    log_likelihood: float
    kl_divergence: float
    predicted: Profile
    observed: Profile
    tractable: Tractability
    equilibria: tuple
    converged: bool
    method: str
    parameters: dict = field(default_factory=dict)


def _quick_solver(model: RQEModel):
    """A warm-started RQE solve of ``model`` at new ``(tau, eps)``: ``solve(tau, eps, start) -> (xs, res)``."""
    fast = model.n_players == 2 and type(model.penalty) is KL and type(model.regularizer) in _REG_CODES
    M1 = np.ascontiguousarray(model.base_M[0])
    M2 = np.ascontiguousarray(model.base_M[1]) if model.n_players > 1 else None
    code = _REG_CODES.get(type(model.regularizer), 0)

    def solve(tau, eps, start):
        if fast:
            o1, o2, res, _, st = _kernels().solve_robust(M1, M2, start[0].copy(), start[1].copy(), tau[0], tau[1],
                                                         eps[0], eps[1], code, 60, 300)
            xs, res = [o1, o2], float(res)
        else:
            model.base_tau, model.eps = np.asarray(tau, float), np.asarray(eps, float)
            model.set_homotopy(1.0, 1.0)
            xs, _ = _solve_from(model, start, "fixed_point", 300)
            res = model.certificate(xs)[0]
            st = model.stationarity(xs)
        if not (res < CERTIFICATE_TOL and st < STATIONARITY_TOL):
            model.base_tau, model.eps = np.asarray(tau, float), np.asarray(eps, float)
            model.set_homotopy(1.0, 1.0)
            w, _ = _qre_then_tau(model, 2000)
            if w is not None:
                cand = _normalise(model, w)
                r2 = model.certificate(cand)[0]
                if r2 < res or (r2 < CERTIFICATE_TOL and model.stationarity(cand) < STATIONARITY_TOL):
                    xs, res = cand, r2
        return xs, res

    return solve


def fit_rqe(game: Game, observed: Any, penalty: Any = "kl", regularizer: Any = "log_barrier", *,
            n_obs: Any = 1.0, shared: bool = False, tractable: bool = False, starts: Any = None,
            tau_bounds: tuple = (1e-4, 1e3), epsilon_bounds: tuple | None = None) -> RQEFit:
    """Maximum-likelihood fit of ``(tau_i, eps_i)`` to observed play (``docs/rqe-math.md`` section 9).

    Maximises ``L(tau, eps) = sum_i n_i sum_a f_ia log x_ia(tau, eps)`` where ``x(tau, eps)`` is the RQE
    (warm-started Newton, continuation when that fails) and ``f_i`` the observed frequencies of player ``i``.
    Parameters are optimised in log space within bounds; with ``tractable=True`` (2 players, closed-form
    criterion pairs) the constraint ``eps1 tau1 eps2 tau2 >= 1`` of section 4 is imposed (SLSQP). Several
    starting points are tried and the best kept. For a 2x2 game two frequencies cannot pin down four
    parameters: the fit is one maximiser among many (``shared=True`` fits one ``(tau, eps)`` for everyone).

    Parameters
    ----------
    observed : profile-like
        Frequencies or counts per player (normalised here).
    n_obs : float or sequence
        Number of observations per player (weights of the log-likelihood).
    starts : sequence of (tau, eps) pairs, optional
        Starting points (scalars or per player); default: a small grid scaled by the payoff spread.

    Examples
    --------
    >>> import rqe
    >>> game = rqe.Game.from_bimatrix([[9, 0], [6, 8]], [[4, 13], [7, 5]])
    >>> fit = rqe.fit_rqe(game, ([0.217, 0.783], [0.527, 0.473]), tractable=True)
    >>> fit.kl_divergence < 1e-8, fit.tractable.tractable
    (True, True)
    """
    from scipy.optimize import minimize

    model = _prepare(game, 1.0, 1.0, penalty, regularizer)
    N = game.n_players
    obs = []
    for i, f in enumerate(observed):
        f = np.asarray(f, dtype=np.float64)
        if f.shape != (game.shape[i],) or np.any(f < 0) or not np.all(np.isfinite(f)) or f.sum() <= 0:
            raise ParameterError(f"observed play of player {i} must be {game.shape[i]} non-negative counts or "
                                 f"frequencies, got {f.tolist()}")
        obs.append(f / f.sum())
    if len(obs) != N:
        raise ParameterError(f"observed must have one distribution per player ({N}), got {len(obs)}")
    weights = per_player(n_obs, N, "n_obs", minimum=0.0, strict=True)
    spread = float(np.ptp(game.payoffs)) or 1.0
    if epsilon_bounds is None:
        epsilon_bounds = (1e-4 * spread, 1e3 * spread)
    if tractable and not (N == 2 and (type(model.penalty), type(model.regularizer)) in
                          ((KL, LogBarrier), (ReverseKL, NegativeEntropy))):
        raise ParameterError("tractable=True needs 2 players and (kl, log_barrier) or (reverse_kl, entropy)")
    solve = _quick_solver(model)
    k = 1 if shared else N
    lo = np.log(np.concatenate([np.full(k, tau_bounds[0]), np.full(k, epsilon_bounds[0])]))
    hi = np.log(np.concatenate([np.full(k, tau_bounds[1]), np.full(k, epsilon_bounds[1])]))
    state = {"start": [np.full(n, 1.0 / n) for n in game.shape]}

    def unpack(theta):
        tau = np.exp(theta[:k]) * np.ones(N)
        eps = np.exp(theta[k:]) * np.ones(N)
        return tau, eps

    def loss(theta):
        tau, eps = unpack(np.clip(theta, lo, hi))
        xs, res = solve(tau, eps, state["start"])
        if not np.isfinite(res) or any(not np.all(np.isfinite(x)) for x in xs):
            return 1e6
        if res < CERTIFICATE_TOL:
            state["start"] = [x.copy() for x in xs]
        return -float(sum(w * (f[f > 0] @ np.log(np.maximum(x[f > 0], 1e-300))) for w, f, x in
                          zip(weights, obs, xs)))

    if starts is None:
        starts = [(t / spread, e * spread) for t in (1.0, 5.0) for e in (0.1, 0.5)]
    constraints = []
    if tractable:
        # log(eps1 tau1 eps2 tau2) >= 0
        # (a hair inside, so that rounding cannot leave the fit just outside)
        constraints = [dict(type="ineq",
                            fun=lambda th: float(np.sum(th[:k]) * (N // k) + np.sum(th[k:]) * (N // k)) - 1e-9)]
    best = None
    for tau0, eps0 in starts:
        theta0 = np.log(np.concatenate([np.broadcast_to(np.asarray(tau0, float), (k,)) if k == 1 or np.ndim(tau0)
                                        else np.full(k, tau0),
                                        np.broadcast_to(np.asarray(eps0, float), (k,)) if k == 1 or np.ndim(eps0)
                                        else np.full(k, eps0)]))
        if tractable and np.sum(theta0) * (N // k) < 0:
            theta0[k:] += -np.sum(theta0) * (N // k) / (2 * k) + 1e-3
        theta0 = np.clip(theta0, lo, hi)
        state["start"] = [np.full(n, 1.0 / n) for n in game.shape]
        if tractable:
            res = minimize(loss, theta0, method="SLSQP", bounds=list(zip(lo, hi)), constraints=constraints,
                           options=dict(maxiter=200, ftol=1e-12))
        else:
            res = minimize(loss, theta0, method="L-BFGS-B", bounds=list(zip(lo, hi)),
                           options=dict(maxiter=300, ftol=1e-14, gtol=1e-10))
        if best is None or res.fun < best.fun:
            best = res
    tau, eps = unpack(np.clip(best.x, lo, hi))
    result = solve_rqe(game, tau, eps, model.penalty, model.regularizer)
    xs = list(result.strategies)
    ll = float(sum(w * (f[f > 0] @ np.log(x[f > 0])) for w, f, x in zip(weights, obs, xs)))
    kl = float(sum(f[f > 0] @ np.log(f[f > 0] / x[f > 0]) for f, x in zip(obs, xs)))
    check = is_tractable(game, tau, eps, model.penalty, model.regularizer, samples=32)
    return RQEFit(_readonly(tau), _readonly(eps), ll, kl, result.strategies, Profile(obs, shape=game.shape), check,
                  result.equilibria, bool(best.success) and result.converged,
                  "SLSQP" if tractable else "L-BFGS-B",
                  dict(penalty=model.penalty.name, regularizer=model.regularizer.name, shared=shared,
                       tractable_constraint=tractable, n_obs=weights.tolist(), tau_bounds=tau_bounds,
                       epsilon_bounds=epsilon_bounds))
