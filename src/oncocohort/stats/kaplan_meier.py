"""Kaplan–Meier estimator with Greenwood variance, Nelson–Aalen cumulative hazard and R-exact summaries.

For distinct times t_1 < ... < t_m with n_i subjects at risk (time >= t_i) and d_i events at t_i,

    S(t)      = prod_{t_i <= t} (1 − d_i / n_i)                           (Kaplan–Meier [1])
    σ²(t)     = sum_{t_i <= t} d_i / (n_i (n_i − d_i))                    (Greenwood, variance of −log S [2])
    Λ(t)      = sum_{t_i <= t} d_i / n_i                                   (Nelson–Aalen [3])
    var Λ(t)  = sum_{t_i <= t} d_i / n_i²

With case weights, n_i and d_i are sums of weights (R ``survfit(..., weights = w)``). Conventions, all
as R's ``survfit(Surv(time, status) ~ 1, conf.type = ...)`` (survival 3.5-3) [4]:

* one row per distinct time, censor-only times included; a censoring tied with an event at t_i is
  still at risk at t_i (events precede censorings);
* ``std_err`` is σ(t), the standard error of −log S (R's ``fit$std.err``), not of S;
* pointwise 1 − α intervals with z = Φ⁻¹(1 − α/2):
  ``log``      exp(log S ± z σ), upper limit capped at 1;
  ``log-log``  exp(−exp(log(−log S) ± z σ / log S)), undefined where S = 1;
  ``plain``    S ± z S σ, truncated to [0, 1];
* where S = 0 (n_i = d_i, Greenwood divides by zero) ``std_err`` and every limit are NaN, as R's NA.

Quantiles, landmark summaries and the restricted mean live in ``_km_quantiles`` and ``rmst``.

References
----------
[1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. JASA 1958;53:457–481.
[2] Greenwood M. The natural duration of cancer. Rep Public Health Med Subj 1926;33:1–26.
[3] Aalen O. Nonparametric inference for a family of counting processes. Ann Stat 1978;6:701–726.
[4] Therneau TM. survival: ``survfit.formula``, ``survfit_confint``; vignette "methods", §"Single outcome".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtri  # scipy.special, not scipy.stats: a fraction of the import time

from oncocohort.errors import InputError, Note
from oncocohort.stats._km_quantiles import curve_quantiles
from oncocohort.stats._survival_counts import count_events
from oncocohort.stats._validation import as_event_array, as_float_array, as_weights, check_same_length
from oncocohort.stats.rmst import RestrictedMean, restricted_mean

ConfType = Literal["log", "log-log", "plain"]
FloatArray = npt.NDArray[np.float64]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
TABLE_COLUMNS = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper", "cumhaz", "std_chaz")


def _read_only(values: Any) -> FloatArray:
    """A read-only float64 view (no copy of arrays we just computed; 10^7-row curves are common)."""
    arr = np.asarray(values, dtype=np.float64).view()
    arr.setflags(write=False)
    return arr


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


@dataclass(frozen=True, slots=True)
class QuantileEstimate:
    """The p-quantile of the event-time distribution (p = 0.5: median) with its confidence interval.

    ``None`` means "not reached": the curve (or the band limit) never drops to 1 − p.
    """

    probability: float
    estimate: float | None
    lower: float | None
    upper: float | None
    conf_type: str
    conf_level: float

    def __str__(self) -> str:
        def fmt(v: float | None) -> str:
            return "NR" if v is None else f"{v:g}"
        return (f"{fmt(self.estimate)} ({100 * self.conf_level:g}% CI {fmt(self.lower)}–{fmt(self.upper)})")


@dataclass(frozen=True, slots=True)
class SurvivalAtTimes:
    """Survival at chosen times, as R's ``summary(fit, times = times, extend = TRUE)``.

    ``n_risk`` is the number at risk at each time (0 after the last observation), ``n_event`` and
    ``n_censor`` count what happened in (previous time, this time], ``std_err`` is the SE of S(t)
    itself (σ·S, the survival scale summary() prints).
    """

    time: FloatArray
    n_risk: FloatArray
    n_event: FloatArray
    n_censor: FloatArray
    surv: FloatArray
    std_err: FloatArray
    lower: FloatArray
    upper: FloatArray
    conf_type: str
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        cols = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper")
        return pd.DataFrame({c: getattr(self, c) for c in cols})


@dataclass(frozen=True, slots=True)
class KaplanMeierResult:
    """A fitted Kaplan–Meier curve; arrays are read-only and aligned with ``time`` (see module docstring)."""

    time: FloatArray
    n_risk: FloatArray
    n_event: FloatArray
    n_censor: FloatArray
    surv: FloatArray
    std_err: FloatArray
    lower: FloatArray
    upper: FloatArray
    cumhaz: FloatArray
    std_chaz: FloatArray
    n: int
    n_events: float
    conf_type: str
    conf_level: float
    notes: tuple[Note, ...] = ()

    @property
    def table(self) -> pd.DataFrame:
        """One row per distinct time, columns as R's survfit object (``std_err`` on the −log S scale)."""
        return pd.DataFrame({c: getattr(self, c) for c in TABLE_COLUMNS})

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def quantile(self, p: float) -> QuantileEstimate:
        """p-quantile of the event time with the Brookmeyer–Crowley CI, as R's ``quantile(fit, p)``."""
        if not 0 <= p <= 1:
            raise InputError("p", f"must be a probability in [0, 1], got {p!r}")
        probs = np.array([p], dtype=np.float64)
        est, lo, hi = (curve_quantiles(self.time, curve, probs)[0] for curve in (self.surv, self.lower, self.upper))
        return QuantileEstimate(float(p), _none_if_nan(est), _none_if_nan(lo), _none_if_nan(hi),
                                self.conf_type, self.conf_level)

    def median(self) -> QuantileEstimate:
        """Median survival time with CI (the median line of R's ``print(fit)``)."""
        return self.quantile(0.5)

    def survival_at(self, times: Any) -> SurvivalAtTimes:
        """S(t) with CI, n at risk and events between consecutive requested times (sorted, unique).

        As R's ``summary(fit, times, extend = TRUE)``: before the first time S = 1 with limits 1 and
        n_risk = n; after the last time S is carried forward and n_risk = 0.
        """
        t = np.unique(as_float_array(times, "times", allow_negative=True))
        row = np.searchsorted(self.time, t, side="right") - 1   # last curve time <= t (−1: none)
        has_row = row >= 0
        r = np.maximum(row, 0)
        surv = np.where(has_row, self.surv[r], 1.0)
        std_log = np.where(has_row, self.std_err[r], 0.0)
        lower = np.where(has_row, self.lower[r], 1.0)
        upper = np.where(has_row, self.upper[r], 1.0)
        first_at_or_after = np.searchsorted(self.time, t, side="left")
        n_risk_ext = np.append(self.n_risk, 0.0)  # nobody is at risk after the last observed time
        n_risk = np.where(first_at_or_after == 0, self.n_risk[0] if self.n_risk.size else 0.0,
                          n_risk_ext[first_at_or_after])
        cum_event = np.concatenate(([0.0], np.cumsum(self.n_event)))[row + 1]
        cum_censor = np.concatenate(([0.0], np.cumsum(self.n_censor)))[row + 1]
        return SurvivalAtTimes(
            _read_only(t), _read_only(n_risk), _read_only(np.diff(cum_event, prepend=0.0)),
            _read_only(np.diff(cum_censor, prepend=0.0)), _read_only(surv), _read_only(surv * std_log),
            _read_only(lower), _read_only(upper), self.conf_type, self.conf_level)

    def number_at_risk(self, times: Any) -> FloatArray:
        """Numbers at risk at the given times (for an at-risk table under a plot)."""
        return self.survival_at(times).n_risk

    def rmst(self, tau: float) -> RestrictedMean:
        """Restricted mean survival time on [0, tau] with R's standard error (``print(fit, rmean = tau)``)."""
        return restricted_mean(self.time, self.n_risk, self.n_event, self.surv, tau, conf_level=self.conf_level)

    def plot_frame(self) -> pd.DataFrame:
        """Step-curve points from (0, 1) on: draw ``surv``/``lower``/``upper`` with ``drawstyle="steps-post"``."""
        start = 0.0 if self.time.size == 0 else min(0.0, float(self.time[0]))
        return pd.DataFrame({
            "time": np.concatenate(([start], self.time)),
            "surv": np.concatenate(([1.0], self.surv)),
            "lower": np.concatenate(([1.0], self.lower)),
            "upper": np.concatenate(([1.0], self.upper)),
        })

    def censor_marks(self) -> pd.DataFrame:
        """Times with at least one censoring and the curve height there (tick marks on a plot)."""
        has = self.n_censor > 0
        return pd.DataFrame({"time": self.time[has], "surv": self.surv[has], "n_censor": self.n_censor[has]})

    def summary(self) -> pd.DataFrame:
        """One row as R's ``print(fit)``: n, events, median and its CI (None = not reached)."""
        med = self.median()
        return pd.DataFrame([{"n": self.n, "events": self.n_events, "median": med.estimate,
                              "lower": med.lower, "upper": med.upper}])


@dataclass(frozen=True, slots=True)
class KaplanMeierGroups(Mapping[Any, KaplanMeierResult]):
    """One Kaplan–Meier curve per group level (levels sorted); behaves as a read-only mapping."""

    curves: dict[Any, KaplanMeierResult]
    n_dropped: int = 0
    notes: tuple[Note, ...] = ()

    def __getitem__(self, level: Any) -> KaplanMeierResult:
        return self.curves[level]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.curves)

    def __len__(self) -> int:
        return len(self.curves)

    def summary(self) -> pd.DataFrame:
        """One row per group: n, events, median and CI."""
        rows = [fit.summary().assign(group=level) for level, fit in self.curves.items()]
        return pd.concat(rows, ignore_index=True)[["group", "n", "events", "median", "lower", "upper"]]

    def to_frame(self) -> pd.DataFrame:
        """All tables stacked with a leading ``group`` column."""
        frames = [fit.table.assign(group=level) for level, fit in self.curves.items()]
        out = pd.concat(frames, ignore_index=True)
        return out[["group", *TABLE_COLUMNS]]


def kaplan_meier(
    time: Any,
    event: Any,
    *,
    weights: Any = None,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
) -> KaplanMeierResult:
    """Kaplan–Meier estimate of S(t) for right-censored data (formulas and conventions: module docstring).

    Parameters
    ----------
    time : follow-up times (finite, >= 0).
    event : 1 = event, 0 = censored (booleans accepted).
    weights : optional positive case weights (frequency or sampling weights; counts become sums).
    conf_type : "log" (R default), "log-log" or "plain".
    conf_level : level of the pointwise intervals.

    Equivalent R call: ``survfit(Surv(time, event) ~ 1, weights = weights, conf.type = conf_type,
    conf.int = conf_level)``.

    Examples
    --------
    >>> fit = kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1])
    >>> fit.surv.tolist()
    [0.75, 0.5, 0.0]
    """
    _check_conf(conf_type, conf_level)
    t, e, w = _validated(time, event, weights)
    counts = count_events(t, e, weights=w)
    return _fit_from_counts(counts.time, counts.n_risk[:, 0], counts.n_event[:, 0], counts.n_exit[:, 0],
                            n=t.size, conf_type=conf_type, conf_level=conf_level)


def kaplan_meier_by(
    time: Any,
    event: Any,
    group: Any,
    *,
    weights: Any = None,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
) -> KaplanMeierGroups:
    """One Kaplan–Meier curve per level of ``group`` (R ``survfit(Surv(time, event) ~ group)``).

    Rows with a missing group value are left out, as R does, and counted in ``n_dropped`` and a note.
    All groups are counted in one pass over the data.
    """
    _check_conf(conf_type, conf_level)
    t, e, w = _validated(time, event, weights)
    codes, levels, n_dropped = factorize_groups(group, t.size, "group")
    keep = codes >= 0
    if n_dropped:
        t, e, codes = t[keep], e[keep], codes[keep]
        w = None if w is None else w[keep]
    counts = count_events(t, e, code=codes, n_codes=len(levels), weights=w)
    n_per_level = np.bincount(codes, minlength=len(levels))
    n_risk = counts.n_risk
    notes = (Note("rows with a missing group value were left out", count=n_dropped),) if n_dropped else ()
    curves = {}
    for j, level in enumerate(levels):  # loop over groups (few), the tables are already counted
        rows = counts.n_exit[:, j] > 0  # this group's own distinct times
        curves[level] = _fit_from_counts(counts.time[rows], n_risk[rows, j], counts.n_event[rows, j],
                                         counts.n_exit[rows, j], n=int(n_per_level[j]), conf_type=conf_type,
                                         conf_level=conf_level, notes=notes)
    return KaplanMeierGroups(curves, n_dropped, notes)


def factorize_groups(values: Any, n: int, name: str) -> tuple[npt.NDArray[np.intp], list[Any], int]:
    """Integer codes (−1 = missing), sorted levels as Python scalars, and the number of missing values."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(name, f"must be one-dimensional, got shape {arr.shape}")
    if len(arr) != n:
        raise InputError(name, f"has length {len(arr)}, expected {n}")
    if arr.dtype.kind in "biu" and arr.size and int(arr.max()) - int(arr.min()) < 1 << 20:
        # Integer codes (arms 0/1, ECOG 0-4): counting beats hashing and needs no sort of the levels.
        low = int(arr.min())
        shifted = arr.astype(np.intp) - low
        present = np.bincount(shifted) > 0
        codes = (np.cumsum(present) - 1)[shifted]
        as_level = bool if arr.dtype.kind == "b" else int
        return codes, [as_level(int(v) + low) for v in np.flatnonzero(present)], 0
    codes, uniques = pd.factorize(arr, sort=True)  # hash-based, O(n); NaN/None -> -1
    levels = [u.item() if hasattr(u, "item") else u for u in np.asarray(uniques)]
    n_missing = int((codes < 0).sum())
    if not levels:
        raise InputError(name, "has no non-missing values")
    return codes.astype(np.intp, copy=False), levels, n_missing


def km_confidence_limits(
    surv: FloatArray, std_err: FloatArray, conf_type: str, conf_level: float
) -> tuple[FloatArray, FloatArray]:
    """Pointwise limits of S from σ = SE(−log S), as R's ``survfit_confint`` (formulas: module docstring)."""
    z = float(ndtri(1 - (1 - conf_level) / 2))  # Φ⁻¹, as R's qnorm
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(surv > 0, surv, np.nan)  # S = 0: every limit is NA in R
        if conf_type == "log":
            lower = s * np.exp(-z * std_err)  # = exp(log S − z σ)
            upper = np.minimum(s * np.exp(z * std_err), 1.0)
        elif conf_type == "log-log":
            s = np.where(s < 1, s, np.nan)  # log(−log 1) = −inf: undefined before the first event
            half = z * std_err / np.log(s)
            lower = np.exp(-np.exp(np.log(-np.log(s)) - half))
            upper = np.exp(-np.exp(np.log(-np.log(s)) + half))
        else:  # plain
            lower = np.maximum(s - z * s * std_err, 0.0)
            upper = np.minimum(s + z * s * std_err, 1.0)
    return lower, upper


def _fit_from_counts(
    time: FloatArray, n_risk: FloatArray, n_event: FloatArray, n_exit: FloatArray, *, n: int,
    conf_type: str, conf_level: float, notes: tuple[Note, ...] = (),
) -> KaplanMeierResult:
    """Build the curve from per-time counts (the pure numerical core)."""
    d, r = n_event, n_risk
    surv = np.cumprod(1.0 - d / r).astype(np.float64, copy=False)  # [1]; an event at time 0 simply gives S(0) < 1
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood [2]; d = n gives 1/0 -> inf, reported as NaN (R: NA) where S = 0.
        greenwood = np.cumsum(np.where(d > 0, d / (r * (r - d)), 0.0))
    std_err = np.where(surv > 0, np.sqrt(greenwood), np.nan)
    cumhaz = np.cumsum(d / r)  # Nelson–Aalen [3]
    std_chaz = np.sqrt(np.cumsum(d / (r * r)))
    lower, upper = km_confidence_limits(surv, std_err, conf_type, conf_level)
    n_events = float(d.sum())
    return KaplanMeierResult(
        _read_only(time), _read_only(r), _read_only(d), _read_only(n_exit - d), _read_only(surv),
        _read_only(std_err), _read_only(lower), _read_only(upper), _read_only(cumhaz), _read_only(std_chaz),
        n=int(n), n_events=int(n_events) if n_events.is_integer() else n_events,
        conf_type=conf_type, conf_level=float(conf_level), notes=notes)


def _validated(time: Any, event: Any, weights: Any) -> tuple[FloatArray, npt.NDArray[np.int8], FloatArray | None]:
    t = as_float_array(time, "time")
    e = as_event_array(event, "event")
    n = check_same_length(time=t, event=e)
    if n == 0:
        raise InputError("time", "is empty: at least one observation is needed")
    return t, e, as_weights(weights, n)


def _check_conf(conf_type: str, conf_level: float) -> None:
    if conf_type not in CONF_TYPES:
        raise InputError("conf_type", f"must be one of {', '.join(CONF_TYPES)}; got {conf_type!r}")
    if not 0 < conf_level < 1:
        raise InputError("conf_level", f"must be strictly between 0 and 1, got {conf_level!r}")
