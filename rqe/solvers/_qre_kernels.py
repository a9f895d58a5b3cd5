"""Numba kernels for the logit quantal response equilibrium (``docs/rqe-math.md`` sections 1 and 3).

Everything here works on *flattened, scaled* data so that one compiled kernel serves every game shape:

* ``pay``: float64 ``(N, P)``, ``pay[i, p]`` the utility of player ``i`` at the pure profile with C-order flat
  index ``p`` (``P = n_1 * ... * n_N``), divided by the payoff range of the game;
* ``shape``: int64 ``(N,)`` numbers of actions; ``offsets``: int64 ``(N + 1,)`` start of each player's block in
  the concatenated strategy vector of length ``n = sum_i n_i``;
* ``weights``: float64 ``(N,)``, the precision of player ``i`` is ``s * weights[i]`` where ``s`` is the
  continuation parameter (``weights = 1`` for a common precision).

The QRE equations in log coordinates ``y = log x`` (as in [T05]) are, for every player ``i``,

    sum_k exp(y_ik) - 1 = 0,      y_ik - y_i0 - s w_i (v_ik - v_i0) = 0   (k >= 1),

with ``v_ik = (M_i x_{-i})_k`` the action values. The branch through ``(y, s) = (log uniform, 0)`` is the
principal branch [MP95]; :func:`trace_path` follows it by pseudo-arclength predictor-corrector continuation in
``(y, s)`` (so turning points in ``s`` are passed) and :func:`polish_nash` turns an end point into an exact
Nash equilibrium by solving the indifference equations on its support.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from rqe.solvers._linalg import lu_det_sign, lu_factor, lu_solve
from rqe.solvers.rqe._kernels import softmax_blocks

#: pivots at most this fraction of the largest entry count as singular
PIVOT_TOL = 1e-14

# status codes returned by trace_path
STATUS_DONE = 0          # reached the target precision / polished a Nash equilibrium
STATUS_MAX_STEPS = 1     # step budget exhausted
STATUS_STUCK = 2         # step size fell below its minimum
STATUS_LAM_MAX = 3       # (Nash mode) reached s_max before a Nash equilibrium could be polished


# ----------------------------------------------------------------------------------------- payoffs
@njit(cache=True)
def action_values(pay, shape, offsets, x, v, D, want_D):
    """Action values ``v[off_i + k] = (M_i x_{-i})_k`` and, if ``want_D``, their derivatives
    ``D[off_i + k, off_j + m] = d v_ik / d x_jm`` (zero for ``j == i``)."""
    N = shape.shape[0]
    P = pay.shape[1]
    v[:] = 0.0
    if want_D:
        D[:, :] = 0.0
    a = np.zeros(N, np.int64)
    pre = np.empty(N + 1)
    suf = np.empty(N + 1)
    for p in range(P):
        pre[0] = 1.0
        for j in range(N):
            pre[j + 1] = pre[j] * x[offsets[j] + a[j]]
        suf[N] = 1.0
        for j in range(N - 1, -1, -1):
            suf[j] = suf[j + 1] * x[offsets[j] + a[j]]
        for i in range(N):
            u = pay[i, p]
            v[offsets[i] + a[i]] += u * pre[i] * suf[i + 1]
            if want_D:
                row = offsets[i] + a[i]
                for j in range(N):
                    if j == i:
                        continue
                    c = u
                    for l in range(N):
                        if l != i and l != j:
                            c *= x[offsets[l] + a[l]]
                    D[row, offsets[j] + a[j]] += c
        # C-order odometer: the last player's action moves fastest
        k = N - 1
        while k >= 0:
            a[k] += 1
            if a[k] < shape[k]:
                break
            a[k] = 0
            k -= 1
    return v


@njit(cache=True)
def regrets(shape, offsets, x, v, out):
    """``out[i] = max_k v_ik - sum_k x_ik v_ik`` (clipped at 0); returns the largest."""
    worst = 0.0
    for i in range(shape.shape[0]):
        best = -np.inf
        mean = 0.0
        for k in range(offsets[i], offsets[i + 1]):
            if v[k] > best:
                best = v[k]
            mean += x[k] * v[k]
        r = best - mean
        if r < 0.0:
            r = 0.0
        out[i] = r
        if r > worst:
            worst = r
    return worst


# ----------------------------------------------------------------------------------------- QRE system
@njit(cache=True)
def to_probabilities(shape, offsets, y, x):
    """``x = exp(y)`` normalised per player (exact on the solution manifold, robust off it): the entropy response
    of the RQE core, player by player (:func:`rqe.solvers.rqe._kernels.softmax_blocks`)."""
    softmax_blocks(y, offsets, x)


@njit(cache=True)
def qre_system(pay, shape, offsets, weights, y, s, x, v, D, D_const, H, J, want_J):
    """Residual ``H(y, s)`` of the QRE equations and (if ``want_J``) its Jacobian ``J`` (``n x (n+1)``, the
    last column is ``dH/ds``). ``x = exp(y)`` (not renormalised, so that ``H`` is exact)."""
    N = shape.shape[0]
    n = offsets[N]
    for k in range(n):
        x[k] = np.exp(y[k])
    action_values(pay, shape, offsets, x, v, D, want_J and not D_const)
    for i in range(N):
        o = offsets[i]
        lam = s * weights[i]
        total = 0.0
        for k in range(o, offsets[i + 1]):
            total += x[k]
        H[o] = total - 1.0
        for k in range(o + 1, offsets[i + 1]):
            H[k] = y[k] - y[o] - lam * (v[k] - v[o])
    if not want_J:
        return
    J[:, :] = 0.0
    for i in range(N):
        o = offsets[i]
        lam = s * weights[i]
        for k in range(o, offsets[i + 1]):
            J[o, k] = x[k]
        for k in range(o + 1, offsets[i + 1]):
            J[k, k] = 1.0
            J[k, o] = -1.0
            J[k, n] = -weights[i] * (v[k] - v[o])
            for j in range(N):
                if j == i:
                    continue
                for m in range(offsets[j], offsets[j + 1]):
                    J[k, m] = -lam * (D[k, m] - D[o, m]) * x[m]


@njit(cache=True)
def newton_fixed_s(pay, shape, offsets, weights, y, s, tol, max_iter):
    """Newton's method on ``H(., s) = 0`` from ``y`` (updated in place), with backtracking on ``||H||``.

    Returns ``(converged, iterations, last step size)``; converged when the Newton step is below ``tol``
    (relative to ``1 + max|y|``).
    """
    N = shape.shape[0]
    n = offsets[N]
    x = np.empty(n)
    v = np.empty(n)
    D = np.zeros((n, n))
    H = np.empty(n)
    J = np.empty((n, n + 1))
    A = np.empty((n, n))
    piv = np.empty(n, np.int64)
    dy = np.empty(n)
    trial = np.empty(n)
    Ht = np.empty(n)
    step = np.inf
    qre_system(pay, shape, offsets, weights, y, s, x, v, D, False, H, J, True)
    norm = np.sum(H * H)
    for it in range(max_iter):
        A[:, :] = J[:, :n]
        if not lu_factor(A, piv, PIVOT_TOL):
            return False, it, step
        for k in range(n):
            dy[k] = -H[k]
        lu_solve(A, piv, dy)
        step = np.max(np.abs(dy))
        if not np.isfinite(step):
            return False, it, step
        # keep log-probabilities from jumping by more than 5 per iteration (exp overflow, wild steps)
        t = 1.0 if step <= 5.0 else 5.0 / step
        accepted = False
        for _ in range(40):
            for k in range(n):
                trial[k] = y[k] + t * dy[k]
            qre_system(pay, shape, offsets, weights, trial, s, x, v, D, False, Ht, J, False)
            new_norm = np.sum(Ht * Ht)
            if np.isfinite(new_norm) and (new_norm <= (1.0 - 1e-4 * t) * norm or new_norm <= 1e-30):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            # no decrease possible: at (or numerically at) a solution if the step is already tiny
            return step <= tol * (1.0 + np.max(np.abs(y))), it + 1, step
        y[:] = trial
        qre_system(pay, shape, offsets, weights, y, s, x, v, D, False, H, J, True)
        norm = np.sum(H * H)
        if t * step <= tol * (1.0 + np.max(np.abs(y))):
            return True, it + 1, step
    return False, max_iter, step


@njit(cache=True)
def fixed_point(pay, shape, offsets, lam, x, damping, tol, max_iter):
    """Damped logit fixed-point iteration ``x <- (1 - a) x + a softmax(lam_i v_i(x))`` in place.

    Returns ``(iterations, residual)``, residual = ``max |x - softmax(lam v(x))|``.
    """
    N = shape.shape[0]
    n = offsets[N]
    v = np.empty(n)
    D = np.zeros((1, 1))
    br = np.empty(n)
    res = np.inf
    for it in range(max_iter + 1):
        action_values(pay, shape, offsets, x, v, D, False)
        res = 0.0
        for i in range(N):
            for k in range(offsets[i], offsets[i + 1]):
                br[k] = lam[i] * v[k]
        to_probabilities(shape, offsets, br, br)
        for k in range(n):
            d = abs(br[k] - x[k])
            if d > res:
                res = d
        if res <= tol or it == max_iter:
            return it, res
        for k in range(n):
            x[k] = (1.0 - damping) * x[k] + damping * br[k]
    return max_iter, res


# ----------------------------------------------------------------------------------------- Nash polishing
@njit(cache=True)
def polish_near(pay, shape, offsets, x0, max_move, allow_degenerate, out):
    """Polish ``x0`` on the supports given by several thresholds; accept a result within ``max_move``
    (max-norm) of ``x0`` so that the equilibrium found is the one the branch approaches. Returns its gap.

    ``allow_degenerate`` admits singular indifference systems (solved in the least-squares sense): their
    solutions form a continuum, so the caller allows them only close to the end of the branch."""
    n = x0.shape[0]
    best = np.inf
    trial = np.empty(n)
    for threshold in (1e-3, 1e-6, 1e-9):
        g = polish_nash(pay, shape, offsets, x0, threshold, allow_degenerate, trial)
        if not np.isfinite(g):
            continue
        move = 0.0
        for k in range(n):
            move = max(move, abs(trial[k] - x0[k]))
        if move <= max_move and g < best:
            best = g
            out[:] = trial
            if g == 0.0:
                break
    return best


@njit(cache=True)
def polish_nash(pay, shape, offsets, x0, threshold, allow_degenerate, out):
    """Solve the indifference equations on the support ``{k : x0_k > threshold}`` by Newton's method.

    Unknowns: ``x_i`` on its support and the value ``u_i`` of each player; equations
    ``(M_i x_{-i})_k = u_i`` for ``k`` in the support and ``sum_k x_ik = 1``. The result is written to
    ``out`` (zero off the support) and its Nash gap (``max_i max_k v_ik - x_i . v_i``) is returned, or
    ``inf`` when the system is singular or the solution leaves the simplex.
    """
    N = shape.shape[0]
    n = offsets[N]
    support = np.zeros(n, np.bool_)
    for i in range(N):
        best = offsets[i]
        for k in range(offsets[i], offsets[i + 1]):
            if x0[k] > x0[best]:
                best = k
        for k in range(offsets[i], offsets[i + 1]):
            support[k] = x0[k] > threshold or k == best
    idx = np.empty(n, np.int64)        # unknown index of support action k
    M = 0
    for k in range(n):
        if support[k]:
            idx[k] = M
            M += 1
        else:
            idx[k] = -1
    size = M + N
    v = np.empty(n)
    D = np.zeros((n, n))
    F = np.empty(size)
    A = np.empty((size, size))
    A_copy = np.empty((size, size))
    piv = np.empty(size, np.int64)
    u = np.empty(N)
    for i in range(N):
        total = 0.0
        for k in range(offsets[i], offsets[i + 1]):
            out[k] = x0[k] if support[k] else 0.0
            total += out[k]
        for k in range(offsets[i], offsets[i + 1]):
            out[k] /= total
    action_values(pay, shape, offsets, out, v, D, True)
    for i in range(N):
        u[i] = 0.0
        for k in range(offsets[i], offsets[i + 1]):
            u[i] += out[k] * v[k]
    for it in range(30):
        # residuals
        r = 0
        for i in range(N):
            total = 0.0
            for k in range(offsets[i], offsets[i + 1]):
                if support[k]:
                    F[r] = v[k] - u[i]
                    r += 1
                    total += out[k]
            F[r] = total - 1.0
            r += 1
        # Jacobian in the unknowns (x on supports, u)
        A[:, :] = 0.0
        r = 0
        for i in range(N):
            for k in range(offsets[i], offsets[i + 1]):
                if not support[k]:
                    continue
                for j in range(N):
                    if j == i:
                        continue
                    for m in range(offsets[j], offsets[j + 1]):
                        if support[m]:
                            A[r, idx[m]] = D[k, m]
                A[r, M + i] = -1.0
                r += 1
            for k in range(offsets[i], offsets[i + 1]):
                if support[k]:
                    A[r, idx[k]] = 1.0
            r += 1
        A_copy[:, :] = A
        for q in range(size):
            F[q] = -F[q]
        if lu_factor(A, piv, PIVOT_TOL):
            lu_solve(A, piv, F)
        elif not allow_degenerate:
            return np.inf
        else:
            # degenerate supports (e.g. unequal sizes in a bimatrix game): the minimum-norm least-squares
            # Gauss-Newton step moves to the nearest point of the (consistent) indifference equations
            sol = np.linalg.lstsq(A_copy, F.copy(), 1e-12)[0]
            F[:] = sol
        step = 0.0
        for k in range(n):
            if support[k]:
                out[k] += F[idx[k]]
                step = max(step, abs(F[idx[k]]))
        for i in range(N):
            u[i] += F[M + i]
        action_values(pay, shape, offsets, out, v, D, True)
        if step <= 1e-15 or (N == 2 and it >= 2):
            break
        if not np.isfinite(step) or step > 10.0:
            return np.inf
    for k in range(n):
        if out[k] < -1e-12 or not np.isfinite(out[k]):
            return np.inf
        if out[k] < 0.0:
            out[k] = 0.0
    for i in range(N):
        total = 0.0
        for k in range(offsets[i], offsets[i + 1]):
            total += out[k]
        for k in range(offsets[i], offsets[i + 1]):
            out[k] /= total
    action_values(pay, shape, offsets, out, v, D, False)
    reg = np.empty(N)
    return regrets(shape, offsets, out, v, reg)


# ----------------------------------------------------------------------------------------- continuation
@njit(cache=True)
def _tangent(J, prev, A, piv, t):
    """Unit tangent ``t`` with ``J t = 0`` and ``prev . t > 0`` (solves ``[J; prev] t = e_last``).

    Returns the sign of ``det [J; t]`` (0.0 on failure). Since ``det [J; a] = (a . t) det [J; t]`` for every
    ``a``, it equals the sign of ``det [J; prev]``. Along a smooth curve without bifurcations this sign is
    constant when the tangent keeps its orientation, so a change reveals a step that jumped onto a part of
    the curve traversed the other way (e.g. across a tight fold).
    """
    m = J.shape[1]
    n = m - 1
    A[:n, :] = J
    A[n, :] = prev
    if not lu_factor(A, piv, PIVOT_TOL):
        return 0.0
    sign = lu_det_sign(A, piv)
    t[:] = 0.0
    t[n] = 1.0
    lu_solve(A, piv, t)
    norm = np.sqrt(np.sum(t * t))
    if not np.isfinite(norm) or norm == 0.0:
        return 0.0
    t /= norm
    return sign


@njit(cache=True)
def trace_path(pay, shape, offsets, weights, s_target, nash_mode, s_max, max_steps, record,
               h0, max_accel, polish_regret, nash_tol):
    """Follow the principal branch from ``(log uniform, 0)``.

    ``nash_mode = False``: stop at the first point of the branch with ``s = s_target`` (landed on exactly by
    Newton's method at fixed ``s``). ``nash_mode = True``: stop when a path point polishes to a Nash
    equilibrium with gap ``<= nash_tol`` (scaled payoffs), or at ``s = s_max``.

    Returns ``(status, count, points, gaps, z, nash, nash_gap, iterations)``: ``points[:count]`` the recorded
    branch points ``(y, s)`` (all accepted steps when ``record``, else only the last), ``gaps[:count]``
    their Nash gaps (scaled), ``z`` the final point, ``nash`` the polished profile (valid when
    ``nash_gap`` is finite), ``iterations`` the number of Newton iterations spent.
    """
    N = shape.shape[0]
    n = offsets[N]
    m = n + 1
    # tuning: first Newton correction and tangent turning per step, relative to their targets
    d_target = 0.1
    d_max = 1.0
    angle_target = 0.15
    cos_min = 0.8
    corr_tol = 1e-10
    max_corr = 12

    x = np.empty(n)
    v = np.empty(n)
    D = np.zeros((n, n))
    D_const = N == 2
    H = np.empty(n)
    J = np.empty((n, m))
    A = np.empty((m, m))
    piv = np.empty(m, np.int64)
    z = np.empty(m)
    zp = np.empty(m)
    zn = np.empty(m)
    t = np.empty(m)
    tn = np.empty(m)
    dz = np.empty(m)
    reg = np.empty(N)
    nash = np.zeros(n)
    nash_gap = np.inf
    capacity = 64 if record else 1
    points = np.empty((capacity, m))
    gaps = np.empty(capacity)

    for i in range(N):
        for k in range(offsets[i], offsets[i + 1]):
            z[k] = -np.log(shape[i])
    z[n] = 0.0
    if D_const:
        # two players: the value derivatives are the payoff matrices themselves
        for k in range(n):
            x[k] = 1.0
        action_values(pay, shape, offsets, x, v, D, True)
    qre_system(pay, shape, offsets, weights, z[:n], z[n], x, v, D, D_const, H, J, True)
    prev = np.zeros(m)
    prev[n] = 1.0
    orientation = _tangent(J, prev, A, piv, t)
    if orientation == 0.0:
        return STATUS_STUCK, 0, points, gaps, z, nash, nash_gap, 0
    count = 0
    to_probabilities(shape, offsets, z[:n], x)
    action_values(pay, shape, offsets, x, v, D, False)
    points[0, :] = z
    gaps[0] = regrets(shape, offsets, x, v, reg)
    count = 1
    if not nash_mode and s_target <= 0.0:
        return STATUS_DONE, count, points, gaps, z, nash, nash_gap, 0

    h = h0
    iterations = 0
    steps = 0
    status = STATUS_MAX_STEPS
    while steps < max_steps:
        if h < 1e-12 * (1.0 + np.max(np.abs(z))):
            status = STATUS_STUCK
            break
        for k in range(m):
            zp[k] = z[k] + h * t[k]
            zn[k] = zp[k]
        # corrector: Newton on H(z) = 0, t . (z - zp) = 0
        ok = False
        d1 = 0.0
        d_prev = 0.0
        for it in range(max_corr):
            qre_system(pay, shape, offsets, weights, zn[:n], zn[n], x, v, D, D_const, H, J, True)
            iterations += 1
            A[:n, :] = J
            A[n, :] = t
            if not lu_factor(A, piv, PIVOT_TOL):
                break
            for k in range(n):
                dz[k] = -H[k]
            acc = 0.0
            for k in range(m):
                acc += t[k] * (zn[k] - zp[k])
            dz[n] = -acc
            lu_solve(A, piv, dz)
            d = np.max(np.abs(dz))
            if not np.isfinite(d):
                break
            for k in range(m):
                zn[k] += dz[k]
            if it == 0:
                d1 = d
                if d1 > d_max:
                    break
            elif d > 0.5 * d_prev and d > 1e-9:
                break
            d_prev = d
            if d <= corr_tol * (1.0 + np.max(np.abs(zn))):
                ok = True
                break
        if not ok:
            h *= 0.5
            continue
        # tangent at the new point (Jacobian of the last corrector iterate, converged to corr_tol)
        qre_system(pay, shape, offsets, weights, zn[:n], zn[n], x, v, D, D_const, H, J, True)
        sign = _tangent(J, t, A, piv, tn)
        if sign == 0.0:
            h *= 0.5
            continue
        if sign != orientation:
            if h > 1e-6 * (1.0 + np.max(np.abs(z))):
                h *= 0.5
                continue
            # the flip persists for tiny steps: a bifurcation point, not a jump across a fold. Continue
            # straight through it (the tangent keeps its direction) with the orientation reversed.
            orientation = sign
        c = 0.0
        for k in range(m):
            c += t[k] * tn[k]
        if c < cos_min:
            h *= 0.5
            continue
        # --- the step is accepted
        steps += 1
        crossed_target = (not nash_mode) and zn[n] >= s_target
        crossed_max = nash_mode and zn[n] >= s_max
        if crossed_target or crossed_max:
            goal = s_target if crossed_target else s_max
            # land on s = goal from the secant interpolation between z and zn
            f = (goal - z[n]) / (zn[n] - z[n])
            y = np.empty(n)
            for k in range(n):
                y[k] = z[k] + f * (zn[k] - z[k])
            conv, its, _ = newton_fixed_s(pay, shape, offsets, weights, y, goal, 1e-13, 50)
            iterations += its
            if not conv:
                h *= 0.5
                steps -= 1
                continue
            for k in range(n):
                z[k] = y[k]
            z[n] = goal
            to_probabilities(shape, offsets, z[:n], x)
            action_values(pay, shape, offsets, x, v, D, False)
            g = regrets(shape, offsets, x, v, reg)
            if record and count == capacity:
                points = _grow(points)
                gaps = _grow1(gaps)
                capacity = points.shape[0]
            slot = count if record else 0
            points[slot, :] = z
            gaps[slot] = g
            count = count + 1 if record else 1
            if crossed_max:
                # one last polishing attempt at s_max
                gp = polish_near(pay, shape, offsets, x, max(1e-2, 100.0 * g), True, nash)
                if gp <= nash_tol:
                    nash_gap = gp
                    status = STATUS_DONE
                else:
                    status = STATUS_LAM_MAX
            else:
                status = STATUS_DONE
            break
        angle = np.arccos(min(1.0, c))
        for k in range(m):
            z[k] = zn[k]
            t[k] = tn[k]
        to_probabilities(shape, offsets, z[:n], x)
        action_values(pay, shape, offsets, x, v, D, False)
        g = regrets(shape, offsets, x, v, reg)
        if record and count == capacity:
            points = _grow(points)
            gaps = _grow1(gaps)
            capacity = points.shape[0]
        slot = count if record else 0
        points[slot, :] = z
        gaps[slot] = g
        count = count + 1 if record else 1
        if nash_mode and g <= polish_regret:
            gp = polish_near(pay, shape, offsets, x, max(1e-2, 100.0 * g), g <= 1e-3 * polish_regret, nash)
            if gp <= nash_tol:
                nash_gap = gp
                status = STATUS_DONE
                break
        # step size: keep the first correction near d_target and the turning near angle_target
        fd = np.sqrt(d_target / max(d1, 1e-12))
        fa = angle_target / max(angle, 1e-12)
        factor = min(fd, fa, max_accel)
        if factor < 0.5:
            factor = 0.5
        h *= factor
    if nash_mode and status != STATUS_DONE and not np.isfinite(nash_gap):
        to_probabilities(shape, offsets, z[:n], x)
        action_values(pay, shape, offsets, x, v, D, False)
        g = regrets(shape, offsets, x, v, reg)
        gp = polish_near(pay, shape, offsets, x, max(1e-2, 100.0 * g), True, nash)
        if gp <= nash_tol:
            nash_gap = gp
            status = STATUS_DONE
    return status, count, points, gaps, z, nash, nash_gap, iterations


@njit(cache=True)
def _grow(a):
    b = np.empty((2 * a.shape[0], a.shape[1]))
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _grow1(a):
    b = np.empty(2 * a.shape[0])
    b[: a.shape[0]] = a
    return b


# ----------------------------------------------------------------------------------------- batches
@njit(cache=True, parallel=True)
def batch_qre(pays, shape, offsets, weights, s_targets, max_steps, h0, max_accel, out, status, iterations):
    """Principal-branch QRE of many games of one shape at once (parallel over games).

    ``pays``: ``(B, N, P)`` scaled payoffs; ``s_targets``: ``(B,)`` scaled precisions (``weights`` ``(B, N)``
    per-player ratios). Writes the profiles (``(B, n)``), status codes and Newton iteration counts.
    """
    B = pays.shape[0]
    n = offsets[shape.shape[0]]
    for b in prange(B):
        st, count, pts, gaps, z, nash, ng, its = trace_path(
            pays[b], shape, offsets, weights[b], s_targets[b], False, np.inf, max_steps, False,
            h0, max_accel, 0.0, 0.0,
        )
        y = z[:n].copy()
        if st == STATUS_DONE and s_targets[b] > 0.0:
            conv, more, _ = newton_fixed_s(pays[b], shape, offsets, weights[b], y, s_targets[b], 1e-15, 5)
            its += more
        xb = np.empty(n)
        to_probabilities(shape, offsets, y, xb)
        out[b, :] = xb
        status[b] = st
        iterations[b] = its


@njit(cache=True)
def residual_scaled(pay, shape, offsets, lam, x):
    """``max |x - softmax(lam_i v_i(x))|`` for scaled payoffs and precisions ``lam`` (per player)."""
    N = shape.shape[0]
    n = offsets[N]
    v = np.empty(n)
    D = np.zeros((1, 1))
    action_values(pay, shape, offsets, x, v, D, False)
    br = np.empty(n)
    for i in range(N):
        for k in range(offsets[i], offsets[i + 1]):
            br[k] = lam[i] * v[k]
    to_probabilities(shape, offsets, br, br)
    worst = 0.0
    for k in range(n):
        d = abs(br[k] - x[k])
        if d > worst:
            worst = d
    return worst


@njit(cache=True, parallel=True)
def batch_residual(pays, shape, offsets, lams, xs):
    """:func:`residual_scaled` for every game of a batch."""
    B = pays.shape[0]
    out = np.empty(B)
    for b in prange(B):
        out[b] = residual_scaled(pays[b], shape, offsets, lams[b], xs[b])
    return out
