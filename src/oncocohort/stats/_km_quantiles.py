"""Quantiles of a step survival curve with R's flat-spot (midpoint) rule.

The p-quantile of a survival curve S is the first time at which the distribution function
F = 1 − S reaches p: t_p = min{t : S(t) <= 1 − p} [1, §4.5]. Two refinements make the result agree
with R's ``quantile.survfit`` (survival 3.x) exactly:

1. **Flat spot at p.** When F equals p within a tolerance ``tol`` = sqrt(machine eps) over an interval
   [t_j, t_{j+1}), the quantile is the midpoint (t_j + t_{j+1}) / 2 — the usual convention for an
   empirical median with an even number of observations. If the flat is the end of the curve, its
   right end is the last time of the curve (a censoring time), so a plateau at exactly 0.5 that is
   never left gives (t_j + t_max) / 2.
2. **Confidence limits** use the same rule on the pointwise band: the lower limit of t_p is the
   p-quantile of the lower curve, the upper limit that of the upper curve (Brookmeyer–Crowley
   inversion of the pointwise interval [2]; R does the same). Band values R stores as NA (S = 0 on
   the log scale, S in {0, 1} on the log-log scale) are skipped, and a quantile that the curve never
   reaches is NaN ("not reached").

References
----------
[1] Klein JP, Moeschberger ML. Survival Analysis, 2nd ed. Springer 2003, §4.5.
[2] Brookmeyer R, Crowley J. A confidence interval for the median survival time.
    Biometrics 1982;38:29–41.
[3] R package survival 3.5-3, ``quantile.survfit`` (function ``findq``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))


def curve_quantiles(
    time: FloatArray, surv: FloatArray, probs: FloatArray, *, first_time: float = 0.0, tol: float = TOLERANCE
) -> FloatArray:
    """p-quantiles (NaN where not reached) of the step curve ``surv`` jumping at ``time``.

    ``surv`` may contain NaN (undefined band values); the curve starts at S = 1 at ``first_time``.
    Mirrors R's ``findq(c(first_time, time), c(0, 1 - surv), probs, tol)`` [3].
    """
    probs = np.asarray(probs, dtype=np.float64)
    x = np.concatenate(([first_time], time))
    cdf = np.concatenate(([0.0], 1.0 - surv))
    out = np.full(probs.shape, np.nan)
    if np.all(np.isnan(cdf)) or np.nanmax(cdf) < probs.min():
        return out  # the band never drops below 1 - p for any requested p
    x_last = x[-1]
    # Keep the first point of each distinct F value: a censoring time repeats F and only the time of
    # the jump matters (R drops duplicated y, NaN included).
    _, first = np.unique(cdf, return_index=True)
    keep = np.sort(first)
    x, cdf = x[keep], cdf[keep]
    idx_low = _constant_right(cdf + tol, probs)   # first point with F >= p - tol
    idx_high = _constant_right(cdf - tol, probs)  # first point with F >= p + tol
    both = ~np.isnan(idx_low) & ~np.isnan(idx_high)
    # No flat at p: both indices coincide. A flat at p (|F - p| < tol): they are neighbours and the
    # quantile is the midpoint of the flat [1].
    out[both] = (x[idx_low[both].astype(np.intp)] + x[idx_high[both].astype(np.intp)]) / 2
    out[probs == 0] = x[0]
    if not np.isnan(cdf[-1]):
        # A flat at p that is the end of the curve: its right end is the last observed time.
        at_end = (np.abs(probs - cdf[-1]) < tol) & ~np.isnan(idx_low)
        out[at_end] = (x[idx_low[at_end].astype(np.intp)] + x_last) / 2
    return out


def _constant_right(knots: FloatArray, values: FloatArray) -> FloatArray:
    """Index of the smallest knot >= value (NaN outside [min, max] of the non-NaN knots).

    This is R's ``approx(knots, seq_along(knots), values, method = "constant", f = 1)`` with its
    default ``rule = 1``: pairs with NaN knots are dropped and the rest sorted by knot.
    """
    valid = np.flatnonzero(~np.isnan(knots))
    result = np.full(values.shape, np.nan)
    if valid.size == 0:
        return result
    order = valid[np.argsort(knots[valid], kind="stable")]
    sorted_knots = knots[order]
    inside = (values >= sorted_knots[0]) & (values <= sorted_knots[-1])
    pos = np.searchsorted(sorted_knots, values[inside], side="left")
    result[inside] = order[pos]
    return result
