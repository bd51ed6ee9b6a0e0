"""Log-rank test and the Fleming–Harrington G^ρ family, optionally stratified, as R's ``survdiff``.

At each distinct event time t_i (within a stratum) let n_i, d_i be the totals at risk and dying and
n_ig, d_ig those of group g. With a weight w_i,

    O_g = sum_i w_i d_ig,      E_g = sum_i w_i d_i n_ig / n_i,
    V_gh = sum_{i: n_i > 1} w_i² d_i (n_i − d_i) / (n_i (n_i − 1)) · n_ig (δ_gh − n_ih / n_i)   [1, §7.3]

(the hypergeometric variance of the k-group 2 × k table at t_i). ``rho = 0`` gives w_i = 1, the
log-rank (Mantel–Haenszel) test [2]; ``rho = ρ > 0`` gives w_i = S(t_i−)^ρ with S the Kaplan–Meier
estimate of the pooled sample within the stratum, evaluated just before t_i — the Fleming–Harrington
G^ρ test [3]. ``rho = 1`` is what R calls the Peto & Peto modification of the Gehan–Wilcoxon test; it is
*not* the variant with S̃(t) = prod (1 − d_i / (n_i + 1)).

With strata, O, E and V are summed over strata [1, §7.5]. The statistic drops the groups with
E_g = 0 (no one of that group at risk at any event time) and one further group, because the O − E
sum to zero:

    χ² = (O − E)' V⁻¹ (O − E)   on df = #{g : E_g > 0} − 1 degrees of freedom.

With fewer than two groups having E_g > 0 (e.g. no events at all) there is no test: statistic 0,
df 0 (R prints df = −1 in the no-event case) and p-value NaN.

Matching R call: ``survdiff(Surv(time, event) ~ group + strata(strata), rho = rho)``.

References
----------
[1] Klein JP, Moeschberger ML. Survival Analysis, 2nd ed. Springer 2003, §7.3 and §7.5.
[2] Mantel N. Evaluation of survival data and two new rank order statistics arising in its
    consideration. Cancer Chemother Rep 1966;50:163–170.
[3] Harrington DP, Fleming TR. A class of rank test procedures for censored survival data.
    Biometrika 1982;69:553–566.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import chdtrc  # upper chi-square tail, as R's pchisq(lower.tail = FALSE)

from oncocohort.errors import InputError, Note
from oncocohort.stats._survival_counts import count_events
from oncocohort.stats._validation import as_event_array, as_float_array, check_same_length
from oncocohort.stats.kaplan_meier import factorize_groups

FloatArray = npt.NDArray[np.float64]


def _read_only(values: Any) -> FloatArray:
    arr = np.array(values, dtype=np.float64)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True)
class LogRankResult:
    """Result of :func:`logrank_test`; per-group arrays follow ``groups`` (sorted levels)."""

    statistic: float
    df: int
    p_value: float
    groups: tuple[Any, ...]
    n: FloatArray
    observed: FloatArray
    expected: FloatArray
    variance: FloatArray
    rho: float
    strata: tuple[Any, ...] = ()
    n_dropped: int = 0
    notes: tuple[Note, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Per-group table as R prints it: N, Observed, Expected, (O−E)²/E, (O−E)²/V."""
        o_e = self.observed - self.expected
        with np.errstate(divide="ignore", invalid="ignore"):
            return pd.DataFrame({
                "group": list(self.groups), "n": self.n, "observed": self.observed, "expected": self.expected,
                "(O-E)^2/E": o_e**2 / self.expected, "(O-E)^2/V": o_e**2 / np.diag(self.variance),
            })

    def summary(self) -> pd.DataFrame:
        """One row: test name, chi-square, df, p."""
        name = "log-rank" if self.rho == 0 else f"Fleming-Harrington G^{self.rho:g}"
        if self.strata:
            name += f" stratified ({len(self.strata)} strata)"
        return pd.DataFrame([{"test": name, "statistic": self.statistic, "df": self.df, "p_value": self.p_value}])


def logrank_test(time: Any, event: Any, group: Any, *, strata: Any = None, rho: float = 0.0) -> LogRankResult:
    """Compare survival between k >= 2 groups (formulas and conventions: module docstring).

    Parameters
    ----------
    time, event : follow-up times (finite, >= 0) and 1 = event / 0 = censored.
    group : group labels; rows with a missing group (or stratum) are left out and counted, as R does.
    strata : optional stratum labels; the test is then stratified (sums over strata).
    rho : weight exponent ρ >= 0 of S(t−)^ρ; 0 = log-rank, 1 = Peto & Peto / Fleming–Harrington G¹.

    Examples
    --------
    >>> r = logrank_test([1, 2, 3, 4], [1, 1, 1, 1], ["a", "b", "a", "b"])
    >>> round(r.statistic, 4), r.df
    (0.6154, 1)
    """
    rho = float(rho)
    if not np.isfinite(rho) or rho < 0:
        raise InputError("rho", f"must be a finite number >= 0, got {rho!r}")
    t = as_float_array(time, "time")
    e = as_event_array(event, "event")
    n = check_same_length(time=t, event=e, group=group, strata=strata)
    codes, levels, _ = factorize_groups(group, n, "group")
    keep = codes >= 0
    stratum_levels: list[Any] = []
    if strata is not None:
        s_codes, stratum_levels, _ = factorize_groups(strata, n, "strata")
        keep &= s_codes >= 0
    n_dropped = int(n - keep.sum())
    if n_dropped:
        t, e, codes = t[keep], e[keep], codes[keep]
        if strata is not None:
            s_codes = s_codes[keep]
        codes, levels = _recode(codes, levels)
    if len(levels) < 2:
        raise InputError("group", f"needs at least 2 distinct non-missing levels, found {len(levels)}")
    k = len(levels)
    observed, expected, variance = np.zeros(k), np.zeros(k), np.zeros((k, k))
    if strata is None:
        parts = [(t, e, codes)]
    else:
        parts = [(t[s_codes == s], e[s_codes == s], codes[s_codes == s]) for s in range(len(stratum_levels))]
    for t_s, e_s, c_s in parts:  # loop over strata (few), each one vectorised over its times
        if t_s.size:
            o, ex, v = _stratum_sums(t_s, e_s, c_s, k, rho)
            observed += o
            expected += ex
            variance += v
    statistic, df = _chi_square(observed, expected, variance)
    p_value = float(chdtrc(df, statistic)) if df > 0 else float("nan")
    notes = (Note("rows with a missing group or stratum were left out", count=n_dropped),) if n_dropped else ()
    return LogRankResult(
        statistic=statistic, df=df, p_value=p_value, groups=tuple(levels),
        n=_read_only(np.bincount(codes, minlength=k)), observed=_read_only(observed),
        expected=_read_only(expected), variance=_read_only(variance), rho=rho,
        strata=tuple(stratum_levels), n_dropped=n_dropped, notes=notes)


def _recode(codes: npt.NDArray[np.intp], levels: list[Any]) -> tuple[npt.NDArray[np.intp], list[Any]]:
    """Drop levels that no kept row has, renumbering codes 0..k'-1."""
    present = np.bincount(codes, minlength=len(levels)) > 0
    if present.all():
        return codes, levels
    new_code = np.cumsum(present) - 1
    return new_code[codes], [lv for lv, p in zip(levels, present) if p]


def _stratum_sums(
    time: FloatArray, event: npt.NDArray[np.int8], code: npt.NDArray[np.intp], k: int, rho: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """O, E and V of one stratum from its per-time, per-group counts (no loop over times or rows)."""
    counts = count_events(time, event, code=code, n_codes=k)
    n_risk_g = counts.n_risk
    d_g = counts.n_event
    d = d_g.sum(axis=1)
    n_risk = n_risk_g.sum(axis=1)
    if rho == 0:
        w = np.ones_like(d)
    else:
        # S(t_i−) of the pooled Kaplan–Meier within the stratum: product over earlier times [3].
        km = np.cumprod(1.0 - d / n_risk)
        w = np.concatenate(([1.0], km[:-1])) ** rho
    at_event = d > 0
    w, d, n_risk, d_g, n_risk_g = w[at_event], d[at_event], n_risk[at_event], d_g[at_event], n_risk_g[at_event]
    observed = w @ d_g
    expected = (w * d / n_risk) @ n_risk_g
    # Hypergeometric factor; n_i = 1 contributes nothing (R skips it; 0/0 otherwise) [1, §7.3].
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(n_risk > 1, w**2 * d * (n_risk - d) / (n_risk * (n_risk - 1)), 0.0)
    variance = np.diag(c @ n_risk_g) - n_risk_g.T @ (n_risk_g * (c / n_risk)[:, None])
    return observed, expected, variance


def _chi_square(observed: FloatArray, expected: FloatArray, variance: FloatArray) -> tuple[float, int]:
    """(O − E)' V⁻¹ (O − E) over groups with E > 0 less the first of them, and its df (as R's survdiff)."""
    used = np.flatnonzero(expected > 0)
    df = used.size - 1
    if df < 1:
        return 0.0, max(df, 0)  # R: "No test, actually": chi-square 0
    idx = used[1:]
    diff = (observed - expected)[idx]
    v = variance[np.ix_(idx, idx)]
    try:
        solved = np.linalg.solve(v, diff)
    except np.linalg.LinAlgError:
        solved = np.linalg.lstsq(v, diff, rcond=None)[0]  # singular V (e.g. a group only in one stratum)
    return float(diff @ solved), int(df)
