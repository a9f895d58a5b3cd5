"""Entropic mirror-prox (extragradient) on the auxiliary 2N-player game of ``docs/rqe-math.md`` section 4,
convergent where that game is monotone ([MPS] Thm 6-7); :func:`rqe.solvers.rqe.newton.newton` polishes
its answer."""

from __future__ import annotations

import numpy as np

from rqe.solvers.rqe.system import RQEModel

__all__ = ["extragradient"]


def extragradient(model: RQEModel, xs: list[np.ndarray], max_iter: int, tol: float = 1e-9
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
