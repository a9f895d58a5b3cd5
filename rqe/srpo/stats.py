"""Bootstrap confidence intervals over seeds, and paired differences between methods.

With a handful of seeds a mean alone says little; every figure of the studies carries a 95% percentile-bootstrap
interval (B. Efron and R. Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13): resample the per-seed
values with replacement ``n_boot`` times, take the mean of each resample, report the 2.5% and 97.5% quantiles.
Paired differences (method A minus method B evaluated on the same seeds and partners) resample the seed pairs
together, which removes the variation both methods share.

Examples
--------
>>> summary = bootstrap_ci([1.0, 2.0, 3.0, 4.0], seed=0)
>>> summary["mean"], summary["ci95"][0] < 2.5 < summary["ci95"][1]
(2.5, True)
>>> paired_difference([2.0, 3.0, 4.0], [1.0, 2.0, 3.5], seed=0)["mean"]
0.8333333333333334
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from rqe.errors import ParameterError

__all__ = ["bootstrap_ci", "paired_difference", "difference_ci", "method_differences"]


def bootstrap_ci(values: Sequence[float], n_boot: int = 10_000, seed: int = 0,
                 level: float = 0.95) -> dict[str, object]:
    """``{"mean": m, "ci95": [lo, hi], "n": n}``: the mean of ``values`` and its percentile-bootstrap interval.

    One value gives the interval ``[m, m]`` (no spread can be estimated); ``seed`` makes the resampling repeatable.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise ParameterError(f"bootstrap needs a non-empty list of finite numbers, got {values!r}")
    if not 0 < level < 1 or int(n_boot) < 1:
        raise ParameterError(f"level must lie in (0, 1) and n_boot be >= 1, got {level!r}, {n_boot!r}")
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(int(n_boot), x.size))].mean(1)
    tail = (1 - level) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return {"mean": float(x.mean()), "ci95": [float(lo), float(hi)], "n": int(x.size)}


def paired_difference(a: Sequence[float], b: Sequence[float], n_boot: int = 10_000, seed: int = 0) -> dict[str, object]:
    """Mean of ``a[i] - b[i]`` over paired seeds with its bootstrap interval, and the share of pairs with ``a > b``."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ParameterError(f"paired values need equal lengths, got {x.shape} and {y.shape}")
    out = bootstrap_ci(x - y, n_boot=n_boot, seed=seed)
    out["share_a_greater"] = float(np.mean(x > y))
    return out


def difference_ci(a: Sequence[float], b: Sequence[float], n_boot: int = 10_000, seed: int = 0) -> dict[str, object]:
    """Difference of means ``mean(a) - mean(b)`` of two independent groups (e.g. two methods' seeds), with the
    interval from resampling each group independently, and the share of resamples where it is positive.

    >>> difference_ci([3.0, 4.0, 5.0], [1.0, 2.0, 3.0], seed=0)["mean"]
    2.0
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    for z in (x, y):
        if z.ndim != 1 or z.size == 0 or not np.all(np.isfinite(z)):
            raise ParameterError("difference_ci needs two non-empty lists of finite numbers")
    rng = np.random.default_rng(seed)
    dx = x[rng.integers(0, x.size, size=(int(n_boot), x.size))].mean(1)
    dy = y[rng.integers(0, y.size, size=(int(n_boot), y.size))].mean(1)
    diff = dx - dy
    lo, hi = np.quantile(diff, [0.025, 0.975])
    return {"mean": float(x.mean() - y.mean()), "ci95": [float(lo), float(hi)],
            "share_positive": float(np.mean(diff > 0)), "n": [int(x.size), int(y.size)]}


def method_differences(rows: Mapping[str, Mapping[str, Sequence[float | None]]],
                       pairs: Iterable[tuple[str, str]], keys: Sequence[str],
                       other_rows: Mapping[str, Mapping[str, Sequence[float | None]]] | None = None,
                       ) -> dict[str, dict[str, dict[str, object]]]:
    """Method ``a`` minus method ``b`` on each measure, for each pair ``(a, b)``: under ``f"{a}-{b}"``, ``{key:
    difference_ci(rows[a][key], other_rows[b][key])}`` (independent groups of seeds, :func:`difference_ci`).

    ``rows[method][key]`` holds one value per seed; ``other_rows`` (default ``rows``) lets ``b`` come from another
    study, e.g. a baseline run. A measure that either side has not got, or holds ``None`` for (not measured for that
    method), is left out of that pair's entry rather than guessed; a key that no method of either side has (a typo)
    and a method that is not there are ``ParameterError``.

    Examples
    --------
    >>> rows = {"srpo": {"cross_play": [3.0, 4.0, 5.0]}, "ippo": {"cross_play": [1.0, 2.0, 3.0]}}
    >>> d = method_differences(rows, [("srpo", "ippo")], ["cross_play"])
    >>> d["srpo-ippo"]["cross_play"]["mean"]
    2.0
    """
    other_side = "rows" if other_rows is None else "other_rows"
    other_rows = rows if other_rows is None else other_rows
    known = {key for table in (rows, other_rows) for row in table.values() for key in row}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ParameterError(f"no method has the measures {unknown}; they have {sorted(known)}")
    out: dict[str, dict[str, dict[str, object]]] = {}
    for a, b in pairs:
        for method, table, side in ((a, rows, "rows"), (b, other_rows, other_side)):
            if method not in table:
                raise ParameterError(f"no per-seed values for {method!r} in {side}; it has {sorted(table)}")
        mine, theirs = rows[a], other_rows[b]
        out[f"{a}-{b}"] = {key: difference_ci(mine[key], theirs[key]) for key in keys
                           if key in mine and key in theirs and None not in list(mine[key]) + list(theirs[key])}
    return out
