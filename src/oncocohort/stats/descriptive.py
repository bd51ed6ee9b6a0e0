"""Descriptive statistics for baseline tables: R's type-7 quantiles, continuous and categorical
summaries with missing values counted and shown, never silently dropped.

Quantiles (R's default, ``quantile(x, probs, type = 7)``) [1, definition 7]: with the sorted
sample x_(1) ≤ … ≤ x_(n) and h = (n − 1)p + 1 (1-based),

    Q(p) = x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋)),

computed as R does, (1 − γ)·x_(⌊h⌋) + γ·x_(⌊h⌋+1) with γ = h − ⌊h⌋, and only where γ > 0 and the
two order statistics differ (so the result is bit-identical to R's).

References
----------
[1] Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat 1996;50:361–365.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncocohort.errors import InputError


@dataclass(frozen=True, slots=True)
class ContinuousSummary:
    """n, missing, median (range), quartiles (IQR), mean and SD of one continuous variable.

    Statistics are None when no non-missing value exists (sd also when n < 2). ``q1``/``q3`` are
    type-7 quartiles (R's ``quantile`` default); ``sd`` uses the n − 1 denominator (R's ``sd``).
    """

    n: int
    n_missing: int
    median: float | None
    min: float | None
    max: float | None
    q1: float | None
    q3: float | None
    mean: float | None
    sd: float | None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{f: getattr(self, f) for f in self.__dataclass_fields__}])

    summary = to_frame


@dataclass(frozen=True, slots=True)
class CategoricalSummary:
    """Counts and percentages per level plus a "missing" count.

    ``percent`` uses the total number of records (missing included) as denominator, so the
    percentages of the levels and of the missing row add up to 100 and nothing disappears;
    ``percent_of_non_missing`` uses the non-missing records.
    """

    levels: tuple[str, ...]
    counts: npt.NDArray[np.int64]
    n_missing: int
    n_total: int
    percent: npt.NDArray[np.float64]
    percent_missing: float | None
    percent_of_non_missing: npt.NDArray[np.float64]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "level": [*self.levels, "missing"],
            "n": [*self.counts.tolist(), self.n_missing],
            "percent": [*self.percent.tolist(), self.percent_missing],
            "percent_of_non_missing": [*self.percent_of_non_missing.tolist(), np.nan],
        })

    summary = to_frame


def quantile_type7(x: Any, probs: Any) -> npt.NDArray[np.float64]:
    """Sample quantiles of x at ``probs`` by R's default type 7 (R: ``quantile(x, probs)``).

    x must be non-empty and free of missing values (R: ``na.rm = FALSE`` stops on NA).
    """
    values = _as_numeric(x, "x")
    if np.isnan(values).any():
        raise InputError("x", f"contains {int(np.isnan(values).sum())} missing value(s); remove them first")
    if values.size == 0:
        raise InputError("x", "must contain at least one value")
    p = np.atleast_1d(np.asarray(probs, dtype=np.float64))
    if p.ndim != 1 or not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise InputError("probs", "must be probabilities in [0, 1]")
    xs = np.sort(values)
    n = xs.size
    # R: index <- 1 + max(n - 1, 0) * probs; lo <- floor(index); hi <- ceiling(index)
    index = (n - 1) * p  # 0-based here
    lo = np.floor(index).astype(np.int64)
    hi = np.ceil(index).astype(np.int64)
    q = xs[lo]
    gamma = index - lo
    interpolate = (index > lo) & (xs[hi] != q)  # R interpolates only where it changes the value
    q = np.where(interpolate, (1.0 - gamma) * q + gamma * xs[hi], q)
    q.setflags(write=False)
    return q


def summarize_continuous(x: Any) -> ContinuousSummary:
    """n, n_missing, median, min, max, q1, q3 (type 7), mean and SD (n − 1) of x.

    Missing values (NaN, None) are counted in ``n_missing`` and excluded from the statistics
    (R: ``summary(x)`` / ``quantile(x, na.rm = TRUE)``).
    """
    values = _as_numeric(x, "x")
    missing = np.isnan(values)
    v = values[~missing]
    n, n_missing = int(v.size), int(missing.sum())
    if n == 0:
        return ContinuousSummary(0, n_missing, None, None, None, None, None, None, None)
    q1, med, q3 = (float(q) for q in quantile_type7(v, [0.25, 0.5, 0.75]))
    sd = float(np.std(v, ddof=1)) if n >= 2 else None  # R: sd() is NA for one value
    return ContinuousSummary(n, n_missing, med, float(v.min()), float(v.max()), q1, q3, float(v.mean()), sd)


def summarize_categorical(values: Any, levels: Sequence[Any]) -> CategoricalSummary:
    """Counts and percentages of ``values`` for each of ``levels`` (in that order) and missing.

    Missing means None / NaN / pd.NA. A value that is neither missing nor one of ``levels`` is an
    error (InputError listing the unexpected values), never an uncounted row. When the values and
    the levels are all numbers they are matched as numbers (so 1, 1.0 and "1" are one level: a
    pandas integer column with a missing value turns float); otherwise by their text form.
    """
    if len(levels) == 0:
        raise InputError("levels", "must list at least one level")
    level_text = [str(v) for v in levels]
    if len(set(level_text)) != len(level_text):
        raise InputError("levels", f"contains duplicates: {level_text}")
    series = pd.Series(values, dtype=object)
    is_missing = series.isna().to_numpy()
    text = series.astype(str).to_numpy()
    numeric_values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    numeric_levels = pd.to_numeric(pd.Series(list(levels), dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    if not np.isnan(numeric_levels).any() and not np.isnan(numeric_values[~is_missing]).any():
        if len(np.unique(numeric_levels)) != len(numeric_levels):
            raise InputError("levels", f"contains numerically equal duplicates: {level_text}")
        codes = pd.Categorical(numeric_values, categories=numeric_levels).codes
    else:
        codes = pd.Categorical(text, categories=level_text).codes
    unknown = (codes < 0) & ~is_missing
    if unknown.any():
        found = sorted(set(text[unknown].tolist()))
        raise InputError("values", f"contains values not in levels {level_text}: {found}")
    counts = np.bincount(codes[codes >= 0], minlength=len(level_text)).astype(np.int64)
    n_total = int(series.size)
    n_missing = int(is_missing.sum())
    n_present = n_total - n_missing
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = 100.0 * counts / n_total if n_total else np.full(len(counts), np.nan)
        pct_present = 100.0 * counts / n_present if n_present else np.full(len(counts), np.nan)
    for arr in (counts, percent, pct_present):
        arr.setflags(write=False)
    pct_missing = 100.0 * n_missing / n_total if n_total else None
    return CategoricalSummary(tuple(level_text), counts, n_missing, n_total, percent, pct_missing, pct_present)


def _as_numeric(x: Any, name: str) -> npt.NDArray[np.float64]:
    try:
        arr = pd.to_numeric(pd.Series(x, dtype=object), errors="raise").to_numpy(dtype=np.float64,
                                                                                na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"must be numeric ({exc})") from None
    if np.isinf(arr).any():
        raise InputError(name, "contains infinite values")
    return arr
