"""Wilcoxon rank-sum (Mann–Whitney U) test with R's ``wilcox.test(x, y)`` defaults.

Statistic [1, 2]: rank the pooled sample (average ranks for ties); with R_x the rank sum of the
first sample, W = R_x − n_x(n_x + 1)/2 = U_x, the number of pairs (x_i, y_j) with x_i > y_j plus
half the tied pairs. R reports W (= U of the FIRST sample).

p-value (two-sided, μ = 0), as R:

* exact (default when n_x < 50 and n_y < 50 and there are no ties): with the null distribution
  of U from the generating function Π_{i=1}^{n_x} (1 − q^{n_y+i}) / (1 − q^i) [2],
  p = min(1, 2·P(U ≥ W)) if W > n_x n_y / 2, else min(1, 2·P(U ≤ W));
* normal approximation otherwise: z = (W − n_x n_y/2 − CC) / σ with
  σ² = (n_x n_y / 12)·[(N + 1) − Σ_k (t_k³ − t_k) / (N(N − 1))] (tie correction over tie groups
  of size t_k, N = n_x + n_y) and the continuity correction CC = sign(W − n_x n_y/2)·0.5 when
  ``correct`` is true; p = 2·min(Φ(z), 1 − Φ(z)). If an exact test was asked for but ties exist,
  R falls back to this approximation and warns "cannot compute exact p-value with ties".

Missing values (NaN/None) are dropped first, as R does (``x <- x[is.finite(x)]``); their number
is kept on the result.

References
----------
[1] Mann HB, Whitney DR. On a test of whether one of two random variables is stochastically
    larger than the other. Ann Math Stat 1947;18:50–60.
[2] Hollander M, Wolfe DA, Chicken E. Nonparametric Statistical Methods, 3rd ed. Wiley; 2014. §4.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtr  # the normal CDF scipy.stats.norm uses; not scipy.stats (import time)

from oncocohort.errors import InputError

TIES_WARNING = "cannot compute exact p-value with ties"  # R's wording
EXACT_MAX_N = 50  # R: exact <- (n.x < 50) && (n.y < 50)


@dataclass(frozen=True, slots=True)
class MannWhitneyResult:
    """Wilcoxon rank-sum / Mann–Whitney U test (R: ``wilcox.test(x, y)``)."""

    W: float
    p: float | None
    n_x: int
    n_y: int
    n_missing_x: int
    n_missing_y: int
    exact: bool
    correct: bool  # continuity correction actually applied
    has_ties: bool
    method: str
    warnings: tuple[str, ...] = ()
    reason: str | None = None  # why p is None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"method": self.method, "W": self.W, "p": self.p, "n_x": self.n_x,
                              "n_y": self.n_y, "warnings": "; ".join(self.warnings),
                              "reason": self.reason}])

    summary = to_frame


def mann_whitney_u(x: Any, y: Any, *, exact: bool | None = None, correct: bool = True) -> MannWhitneyResult:
    """Two-sided Wilcoxon rank-sum test of x against y (R: ``wilcox.test(x, y, exact, correct)``).

    Parameters
    ----------
    x, y : the two samples (NaN / None are dropped and counted).
    exact : None (R's default: exact when both samples have < 50 values and there are no ties),
        True (exact unless ties) or False (normal approximation).
    correct : continuity correction in the normal approximation (R's default True).
    """
    xs, miss_x = _finite_sample(x, "x")
    ys, miss_y = _finite_sample(y, "y")
    n_x, n_y = len(xs), len(ys)
    ranks = average_ranks(np.concatenate([xs, ys]))  # average ranks for ties, as R's rank()
    w = float(ranks[:n_x].sum() - n_x * (n_x + 1) / 2.0)
    _, tie_sizes = np.unique(ranks, return_counts=True)
    has_ties = bool((tie_sizes > 1).any())
    use_exact = (n_x < EXACT_MAX_N and n_y < EXACT_MAX_N) if exact is None else bool(exact)
    warnings: tuple[str, ...] = ()
    if use_exact and not has_ties:
        p = _exact_two_sided(w, n_x, n_y)
        return MannWhitneyResult(w, p, n_x, n_y, miss_x, miss_y, True, False, False,
                                 "Wilcoxon rank sum exact test")
    if use_exact and has_ties:
        warnings = (TIES_WARNING,)
    n = n_x + n_y
    t = tie_sizes.astype(np.float64)
    sigma = np.sqrt((n_x * n_y / 12.0) * ((n + 1) - np.sum(t**3 - t) / (n * (n - 1))))
    z = w - n_x * n_y / 2.0
    correction = float(np.sign(z)) * 0.5 if correct else 0.0  # R: sign(z) * 0.5 (0 when z == 0)
    method = "Wilcoxon rank sum test" + (" with continuity correction" if correct else "")
    if sigma == 0:  # every value tied: σ = 0 and R returns p = NaN; no test is possible
        return MannWhitneyResult(w, None, n_x, n_y, miss_x, miss_y, False, bool(correct), has_ties,
                                 method, warnings, "all values are tied: the rank-sum test is undefined")
    z = (z - correction) / sigma
    p = float(2.0 * min(ndtr(z), ndtr(-z)))  # norm.cdf(z), norm.sf(z)
    return MannWhitneyResult(w, p, n_x, n_y, miss_x, miss_y, False, bool(correct), has_ties, method, warnings)


def average_ranks(values: Any) -> npt.NDArray[np.float64]:
    """Ranks 1…n with ties given their average rank, as R's ``rank()`` and ``scipy.stats.rankdata``.

    Sort (stable), mark where a new value starts, and give each run of equal values
    first rank + (run length − 1) / 2; exact in floating point (whole and half numbers).
    """
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError("values", f"must be one-dimensional, got shape {arr.shape}")
    order = np.argsort(arr, kind="stable")
    ordered = arr[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    counts = np.diff(np.append(starts, arr.size))
    ranks = np.empty(arr.size, dtype=np.float64)
    ranks[order] = np.repeat(starts + 1 + (counts - 1) / 2.0, counts)
    return ranks


def wilcoxon_null_counts(n_x: int, n_y: int) -> list[int]:
    """Number of rankings giving U = 0 … n_x n_y (coefficients of the Gaussian binomial [2]).

    The generating function Σ_u c(u) q^u = Π_{i=1}^{n_x} (1 − q^{n_y+i}) / (1 − q^i) is built
    with exact integers: multiply by (1 − q^{n_y+i}) (a shifted subtraction), divide by
    (1 − q^i) (a running sum along each residue class mod i).
    """
    size = n_x * n_y + 1
    c = np.zeros(size, dtype=object)
    c[0] = 1
    for i in range(1, n_x + 1):
        shift = n_y + i
        if shift < size:
            c[shift:] = c[shift:] - c[:-shift]
        for r in range(min(i, size)):  # divide by (1 − q^i): c[k] += c[k − i], per residue class
            c[r::i] = np.cumsum(c[r::i])
    return [int(v) for v in c]


def _exact_two_sided(w: float, n_x: int, n_y: int) -> float:
    counts = wilcoxon_null_counts(n_x, n_y)
    total = comb(n_x + n_y, n_x)
    q = int(round(w))
    if w > n_x * n_y / 2.0:  # R: pwilcox(STATISTIC - 1, lower.tail = FALSE) = P(U >= W)
        tail = sum(counts[q:])
    else:  # R: pwilcox(STATISTIC) = P(U <= W)
        tail = sum(counts[: q + 1])
    return min(1.0, 2 * tail / total)  # exact integer ratio, correctly rounded by Python


def _finite_sample(values: Any, name: str) -> tuple[np.ndarray, int]:
    try:
        arr = np.asarray(pd.to_numeric(pd.Series(values, dtype=object), errors="raise"), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"must be numeric ({exc})") from None
    if np.isinf(arr).any():
        raise InputError(name, "contains infinite values")
    keep = np.isfinite(arr)
    if keep.sum() == 0:
        raise InputError(name, "has no non-missing observations")
    return arr[keep], int((~keep).sum())
