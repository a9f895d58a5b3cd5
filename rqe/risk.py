"""Penalties (convex risk measures in dual form) and regularisers used by the QRE and RQE solvers.

Strategic risk aversion (``docs/rqe-math.md`` section 2, [QZLM] eq. 1, [MPS] Def. 5): player ``i`` with
expected action values ``v = M_i^T x_i`` over the others' joint actions evaluates its strategy against an
adversary ``p`` that stays close to the others' actual play ``q = x_{-i}``::

    U^tau(v, q) = min_{p in Delta}  <v, p> + (1/tau) D(p, q).

Every penalty here is a phi-divergence ``D(p, q) = sum_k q_k phi(p_k / q_k)`` with ``phi`` strictly convex.
With ``r = p / q`` the minimiser satisfies ``phi'(r_k) = -tau (v_k + mu)`` (``mu`` normalises ``p``), and
its sensitivities have a common form used by the solvers' Newton steps::

    dp/dv = -tau (diag(s) - s s^T / S),        dp/dq = diag(r) - s r^T / S,
    s_k = q_k / phi''(r_k),  S = sum_k s_k.

Bounded rationality ([QZLM] eq. 2): a strictly convex separable regulariser ``nu(x) = sum_a h(x_a)`` is
subtracted with weight ``epsilon``; its *quantal response* to values ``g`` is
``argmax_{y in Delta} <y, g> - epsilon nu(y)``.

References: [MPS] Mazumdar, Panaganti, Shi, ICLR 2025; [QZLM] Qu, Zhang, Lanzetti, Mazumdar, 2026.

Examples
--------
>>> import numpy as np
>>> from rqe.risk import KL, NegativeEntropy
>>> v, q = np.array([1.0, 0.0]), np.array([0.5, 0.5])
>>> p = KL().adversary(v, q, tau=1.0)       # the adversary shifts weight to the bad outcome
>>> bool(p[1] > 0.5)
True
>>> round(KL().risk_value(v, q, tau=1.0), 6)  # entropic risk -(1/tau) log E_q exp(-tau v)
0.379885
>>> NegativeEntropy().response(np.array([0.0, np.log(3.0)]), 1.0).round(6).tolist()
[0.25, 0.75]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rqe.errors import ParameterError

__all__ = [
    "Penalty", "KL", "ReverseKL", "PhiDivergence",
    "Regularizer", "NegativeEntropy", "LogBarrier", "SeparableRegularizer",
    "get_penalty", "get_regularizer",
]


def _core():
    """The compiled RQE core (:mod:`rqe.solvers.rqe._kernels`), imported on first use: the closed forms below are
    its kernels, so that each is written once; importing it loads Numba."""
    from rqe.solvers.rqe import _kernels

    return _kernels


def _vector(a: np.ndarray) -> np.ndarray:
    """A writable float64 copy (one compiled specialisation of the core serves every caller)."""
    return np.array(a, dtype=np.float64)


def _brentq(*args, **kwargs):
    """:func:`scipy.optimize.brentq`, imported on first use: the default (compiled) RQE path never needs it, and
    importing scipy.optimize costs about half a second."""
    from scipy.optimize import brentq as scipy_brentq

    return scipy_brentq(*args, **kwargs)


def _inverse_increasing(f: Callable, y: float) -> float:
    """``r > 0`` with ``f(r) = y`` for an increasing ``f`` on ``(0, inf)``; ``0`` when ``f(0+) >= y``.

    Brent's method on ``s = log r`` so that tiny and huge roots are found in a few dozen steps.
    """
    lo, hi = -700.0, 0.0
    if f(np.array([np.exp(lo)]))[0] >= y:
        return 0.0
    while f(np.array([np.exp(hi)]))[0] < y:
        hi += 10.0
        if hi > 700.0:
            return float(np.exp(700.0))
    s = _brentq(lambda t: f(np.array([np.exp(t)]))[0] - y, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)
    return float(np.exp(s))


# ---------------------------------------------------------------------------------------------- penalties
class Penalty:
    """A phi-divergence penalty ``D(p, q) = sum_k q_k phi(p_k / q_k)`` (``docs/rqe-math.md`` section 2).

    Subclasses give ``phi``, ``phi'`` and ``phi''`` and may override :meth:`adversary` with a closed form.
    ``tau = 0`` means risk neutrality: the adversary is ``q`` itself and ``U^0 = <v, q>``.
    """

    name = "phi"

    def phi(self, r: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def dphi(self, r: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def d2phi(self, r: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- the divergence and its gradient in p (used by first-order methods on the auxiliary game)
    def divergence(self, p: np.ndarray, q: np.ndarray) -> float:
        """``D(p, q) = sum_k q_k phi(p_k / q_k)``."""
        return float(np.sum(q * self.phi(p / q)))

    def grad_p(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """``dD/dp_k = phi'(p_k / q_k)``."""
        return self.dphi(p / q)

    def hess_pp(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Diagonal of ``d^2 D / dp^2``: ``phi''(r_k) / q_k``."""
        return self.d2phi(p / q) / q

    def hess_pq(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Diagonal of ``d^2 D / dp dq``: ``-phi''(r_k) r_k / q_k``."""
        r = p / q
        return -self.d2phi(r) * r / q

    # -- the inner minimisation
    def adversary(self, v: np.ndarray, q: np.ndarray, tau: float) -> np.ndarray:
        """``argmin_p <v, p> + (1/tau) D(p, q)``, found from ``phi'(r_k) = -tau (v_k + mu)`` by a 1-D root."""
        v = np.asarray(v, dtype=np.float64)
        q = np.asarray(q, dtype=np.float64)
        if tau == 0.0:
            return q / q.sum()
        if not (np.all(np.isfinite(v)) and np.all(np.isfinite(q))):
            return np.full(q.shape, np.nan)
        total = 1.0  # sum_k q_k r_k = 1, the constraint under which dp/dq = diag(r) - s r^T / S
        v = v - v.min()

        def ratios(mu: float) -> np.ndarray:
            return np.array([self._dphi_inverse(-tau * (vk + mu)) for vk in v])

        def excess(mu: float) -> float:
            return float(np.dot(q, ratios(mu)) - total)

        lo, hi = -1.0, 1.0
        while excess(lo) < 0:
            lo *= 2.0
            if lo < -1e12:  # no finite multiplier: not a usable point (callers treat NaN as a failed step)
                return np.full(q.shape, np.nan)
        while excess(hi) > 0:
            hi *= 2.0
            if hi > 1e12:
                return np.full(q.shape, np.nan)
        mu = _brentq(excess, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)
        p = q * ratios(mu)
        return p / p.sum()

    def _dphi_inverse(self, y: float) -> float:
        """``r >= 0`` with ``phi'(r) = y`` (``0`` when ``phi'(0+) >= y``), by Brent's method on ``log r``."""
        return _inverse_increasing(self.dphi, y)

    def risk_value(self, v: np.ndarray, q: np.ndarray, tau: float) -> float:
        """``U^tau(v, q) = min_p <v, p> + (1/tau) D(p, q)`` ([QZLM] eq. 1)."""
        if tau == 0.0:
            return float(np.dot(v, q) / q.sum())
        p = self.adversary(v, q, tau)
        return float(np.dot(v, p) + self.divergence(p, q) / tau)

    def sensitivities(self, p: np.ndarray, q: np.ndarray, tau: float) -> tuple[np.ndarray, np.ndarray]:
        """``(s, r)`` with ``dp/dv = -tau (diag(s) - s s^T/S)`` and ``dp/dq = diag(r) - s r^T/S``."""
        r = p / q
        d2 = self.d2phi(r)
        s = np.where(p > 0, q / np.where(d2 > 0, d2, np.inf), 0.0)
        return s, r

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class KL(Penalty):
    """Kullback-Leibler penalty ``D(p, q) = sum_k p_k log(p_k / q_k)`` (``phi(r) = r log r``).

    Closed forms (entropic risk, ``docs/rqe-math.md`` section 2)::

        U^tau(v, q) = -(1/tau) log sum_k q_k exp(-tau v_k),   p_k ∝ q_k exp(-tau v_k).

    >>> import numpy as np
    >>> KL().adversary(np.array([0.0, 1.0]), np.array([0.5, 0.5]), tau=np.log(3.0)).round(6).tolist()
    [0.75, 0.25]
    """

    name = "kl"

    def phi(self, r):
        r = np.asarray(r, dtype=np.float64)
        return np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)

    def dphi(self, r):
        return np.log(r) + 1.0

    def d2phi(self, r):
        return 1.0 / np.asarray(r, dtype=np.float64)

    def divergence(self, p, q):
        mask = p > 0
        return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))

    def adversary(self, v, q, tau):
        if tau == 0.0:
            return q / q.sum()
        p = _vector(v)
        _core().kl_risk_into(p, _vector(q) / np.sum(q), float(tau), p)
        return p

    def risk_value(self, v, q, tau):
        p = _vector(v)
        return float(_core().kl_risk_into(p, _vector(q) / np.sum(q), float(tau), p))

    def sensitivities(self, p, q, tau):
        return p.copy(), p / q


class ReverseKL(Penalty):
    """Reverse KL penalty ``D(p, q) = KL(q || p) = sum_k q_k log(q_k / p_k)`` (``phi(r) = -log r``).

    Adversary (``docs/rqe-math.md`` section 2): ``p_k = q_k / (tau (v_k + mu))`` with ``mu > -min v``
    the unique root of ``sum_k p_k = 1`` (found by safeguarded Newton on a convex decreasing function).

    >>> import numpy as np
    >>> p = ReverseKL().adversary(np.array([1.0, 0.0]), np.array([0.5, 0.5]), tau=1.0)
    >>> round(float(p.sum()), 12), bool(p[1] > p[0])
    (1.0, True)
    """

    name = "reverse_kl"

    def phi(self, r):
        return -np.log(r)

    def dphi(self, r):
        return -1.0 / np.asarray(r, dtype=np.float64)

    def d2phi(self, r):
        return 1.0 / np.asarray(r, dtype=np.float64) ** 2

    def divergence(self, p, q):
        return float(np.sum(q * np.log(q / p)))

    def adversary(self, v, q, tau):
        v = np.asarray(v, dtype=np.float64)
        q = np.asarray(q, dtype=np.float64)
        if tau == 0.0:
            return q / q.sum()
        total = 1.0  # sum_k p_k = 1 (q need not be normalised: p = q r with sum q r = 1, as in dp/dq above)
        support = q > 0
        if not support.any() or not np.all(np.isfinite(v)) or not np.all(np.isfinite(q)):
            return np.full(q.shape, np.nan)
        w = np.where(support, v - v[support].min(), 0.0)  # min over the support is 0: the root has mu > 0
        qs = q[support]
        ws = w[support]
        # f(mu) = sum q_k / (tau (w_k + mu)) - 1 is convex and decreasing on mu > 0; start where one term alone
        # reaches 1 (f >= 0, left of the root) so that Newton increases mu monotonically to it.
        mu = float(np.max(qs / tau - ws))
        for _ in range(200):
            d = ws + mu
            f = float(np.sum(qs / d) / tau - total)
            fp = float(-np.sum(qs / d**2) / tau)
            if fp == 0.0 or not np.isfinite(fp):
                break
            step = -f / fp
            mu += step
            if abs(step) <= 1e-16 * max(mu, 1e-300):
                break
        p = q / (tau * (w + mu))
        return p / p.sum()


class PhiDivergence(Penalty):
    """A general convex penalty ``D(p, q) = sum_k q_k phi(p_k / q_k)`` given by ``phi`` and its derivatives.

    The adversary is found numerically (1-D roots for ``r_k`` and the multiplier ``mu``), with ``r_k = 0``
    where ``phi'(0+) >= -tau (v_k + mu)`` (the KKT conditions of the inner minimisation).

    Parameters
    ----------
    phi, dphi, d2phi : callables on arrays
        ``phi`` strictly convex on ``r > 0`` with ``phi(1) = 0``.
    name : str
        A label.

    Examples
    --------
    >>> import numpy as np
    >>> chi2 = PhiDivergence(lambda r: (r - 1) ** 2, lambda r: 2 * (r - 1), lambda r: 2 + 0 * r, "chi2")
    >>> p = chi2.adversary(np.array([1.0, 0.0]), np.array([0.5, 0.5]), tau=1.0)
    >>> p.round(6).tolist()
    [0.375, 0.625]
    """

    def __init__(self, phi: Callable, dphi: Callable, d2phi: Callable, name: str = "phi"):
        for label, f in (("phi", phi), ("dphi", dphi), ("d2phi", d2phi)):
            if not callable(f):
                raise ParameterError(f"PhiDivergence needs a callable {label}, got {f!r}")
        self._phi, self._dphi, self._d2phi, self.name = phi, dphi, d2phi, str(name)

    def phi(self, r):
        return np.asarray(self._phi(np.asarray(r, dtype=np.float64)), dtype=np.float64)

    def dphi(self, r):
        return np.asarray(self._dphi(np.asarray(r, dtype=np.float64)), dtype=np.float64)

    def d2phi(self, r):
        return np.asarray(self._d2phi(np.asarray(r, dtype=np.float64)), dtype=np.float64) * np.ones(np.shape(r))

    def __repr__(self) -> str:
        return f"PhiDivergence(name={self.name!r})"


# ---------------------------------------------------------------------------------------------- regularisers
#: the RQE core's regulariser codes (as run-time int64: one compiled specialisation for both)
_ENTROPY, _LOG_BARRIER = np.int64(0), np.int64(1)

class Regularizer:
    """A strictly convex separable regulariser ``nu(x) = sum_a h(x_a)`` (``docs/rqe-math.md`` section 3)."""

    name = "regularizer"

    def h(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def dh(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def d2h(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def value(self, x: np.ndarray) -> float:
        """``nu(x) = sum_a h(x_a)``."""
        return float(np.sum(self.h(np.asarray(x, dtype=np.float64))))

    def grad(self, x: np.ndarray) -> np.ndarray:
        """``grad nu(x)_a = h'(x_a)``."""
        return self.dh(np.asarray(x, dtype=np.float64))

    def hess_diag(self, x: np.ndarray) -> np.ndarray:
        """Diagonal of the Hessian, ``h''(x_a) > 0``."""
        return self.d2h(np.asarray(x, dtype=np.float64))

    def bregman(self, x: np.ndarray, r: np.ndarray) -> float:
        """``D_nu(x, r) = sum_a h(x_a) - h(r_a) - h'(r_a) (x_a - r_a) >= 0``.

        With ``r = response(g, epsilon)`` (so ``g - epsilon h'(r)`` is constant on the simplex),
        ``epsilon D_nu(x, r) = max_y [<y, g> - epsilon nu(y)] - [<x, g> - epsilon nu(x)]``: the regularised
        best-response gain at ``x`` (``docs/rqe-math.md`` section 4).

        >>> import numpy as np
        >>> round(NegativeEntropy().bregman(np.array([0.5, 0.5]), np.array([0.25, 0.75])), 6)
        0.143841
        """
        x = np.asarray(x, dtype=np.float64)
        r = np.asarray(r, dtype=np.float64)
        with np.errstate(all="ignore"):
            terms = self.h(x) - self.h(r) - self.dh(r) * (x - r)
        value = float(np.sum(terms))
        return max(value, 0.0) if np.isfinite(value) else np.inf

    def response(self, g: np.ndarray, epsilon: float) -> np.ndarray:
        """The quantal response ``argmax_{y in Delta} <y, g> - epsilon nu(y)``.

        Generic version: ``h'(y_a) = (g_a - lam) / epsilon`` with ``lam`` the root of ``sum_a y_a = 1``.
        """
        g = np.asarray(g, dtype=np.float64)
        if epsilon <= 0:
            raise ParameterError(f"epsilon must be > 0 for a quantal response, got {epsilon}")

        def inv(t: float) -> float:  # y > 0 with h'(y) = t
            return _inverse_increasing(self.dh, t)

        def excess(lam: float) -> float:
            return sum(inv((ga - lam) / epsilon) for ga in g) - 1.0

        lo, hi = float(g.max()) - 1.0, float(g.max()) + 1.0
        while excess(lo) < 0:
            lo -= 2.0 * (hi - lo)
        while excess(hi) > 0:
            hi += 2.0 * (hi - lo)
        lam = _brentq(excess, lo, hi, xtol=1e-15, rtol=1e-15)
        y = np.array([inv((ga - lam) / epsilon) for ga in g])
        return y / y.sum()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class NegativeEntropy(Regularizer):
    """``nu(x) = sum_a x_a log x_a``: its quantal response is the logit ``softmax(g / epsilon)`` ([MP95]).

    >>> import numpy as np
    >>> NegativeEntropy().response(np.zeros(3), 0.1).tolist() == [1 / 3] * 3
    True
    """

    name = "entropy"

    def h(self, x):
        return np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)

    def dh(self, x):
        return np.log(x) + 1.0

    def d2h(self, x):
        return 1.0 / x

    def bregman(self, x, r):
        return float(_core()._bregman(_vector(x), _vector(r), _ENTROPY))

    def response(self, g, epsilon):
        y = np.empty(np.shape(g))
        _core().response_into(_vector(g), float(epsilon), _ENTROPY, y)
        return y


class LogBarrier(Regularizer):
    """``nu(x) = -sum_a log x_a`` (used in [MPS]'s experiments).

    Quantal response ``y_a = epsilon / (lam - g_a)``, ``lam > max g`` the root of ``sum_a y_a = 1`` (Newton
    from the left of the root, where it increases monotonically).

    >>> import numpy as np
    >>> y = LogBarrier().response(np.array([1.0, 0.0]), 0.5)
    >>> round(float(y.sum()), 12), bool(y[0] > y[1])
    (1.0, True)
    """

    name = "log_barrier"

    def h(self, x):
        return -np.log(x)

    def dh(self, x):
        return -1.0 / x

    def d2h(self, x):
        return 1.0 / x**2

    def bregman(self, x, r):
        return float(_core()._bregman(_vector(x), _vector(r), _LOG_BARRIER))

    def response(self, g, epsilon):
        if epsilon <= 0:
            raise ParameterError(f"epsilon must be > 0 for a quantal response, got {epsilon}")
        y = np.empty(np.shape(g))
        _core().response_into(_vector(g), float(epsilon), _LOG_BARRIER, y)
        return y


class SeparableRegularizer(Regularizer):
    """A general strictly convex separable regulariser ``nu(x) = sum_a h(x_a)`` from ``h, h', h''``.

    >>> import numpy as np
    >>> quad = SeparableRegularizer(lambda x: x**2, lambda x: 2 * x, lambda x: 2 + 0 * x, "quadratic")
    >>> quad.response(np.array([0.0, 0.0]), 1.0).tolist()
    [0.5, 0.5]
    """

    def __init__(self, h: Callable, dh: Callable, d2h: Callable, name: str = "separable"):
        for label, f in (("h", h), ("dh", dh), ("d2h", d2h)):
            if not callable(f):
                raise ParameterError(f"SeparableRegularizer needs a callable {label}, got {f!r}")
        self._h, self._dh, self._d2h, self.name = h, dh, d2h, str(name)

    def h(self, x):
        return np.asarray(self._h(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    def dh(self, x):
        return np.asarray(self._dh(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    def d2h(self, x):
        return np.asarray(self._d2h(np.asarray(x, dtype=np.float64)), dtype=np.float64) * np.ones(np.shape(x))

    def __repr__(self) -> str:
        return f"SeparableRegularizer(name={self.name!r})"


_PENALTIES = {"kl": KL, "reverse_kl": ReverseKL}
_REGULARIZERS = {"entropy": NegativeEntropy, "log_barrier": LogBarrier}


def get_penalty(penalty: str | Penalty) -> Penalty:
    """A :class:`Penalty` from its name (``"kl"``, ``"reverse_kl"``) or the instance itself."""
    if isinstance(penalty, Penalty):
        return penalty
    if isinstance(penalty, str) and penalty.lower().replace("-", "_") in _PENALTIES:
        return _PENALTIES[penalty.lower().replace("-", "_")]()
    raise ParameterError(f"unknown penalty {penalty!r}; expected one of {sorted(_PENALTIES)} or a Penalty instance")


def get_regularizer(regularizer: str | Regularizer) -> Regularizer:
    """A :class:`Regularizer` from its name (``"entropy"``, ``"log_barrier"``) or the instance itself."""
    if isinstance(regularizer, Regularizer):
        return regularizer
    if isinstance(regularizer, str):
        key = regularizer.lower().replace("-", "_")
        key = {"negative_entropy": "entropy", "logbarrier": "log_barrier"}.get(key, key)
        if key in _REGULARIZERS:
            return _REGULARIZERS[key]()
    raise ParameterError(
        f"unknown regularizer {regularizer!r}; expected one of {sorted(_REGULARIZERS)} or a Regularizer instance"
    )
