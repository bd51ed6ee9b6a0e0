"""Survival per endpoint, overall and by arm: Kaplan–Meier medians, landmarks, log-rank, follow-up, RMST.

For each endpoint of ``adtte`` (times in months, ``time_months`` = days / 30.4375):

* Kaplan–Meier curve with pointwise CIs of the protocol's ``analysis.km_conf_type`` (R's
  ``survfit(..., conf.type)``; default "log" as R), the median with the Brookmeyer–Crowley CI
  (inversion of the pointwise band, R's ``quantile(fit, 0.5)``; the seed paper's method);
* landmark survival at ``analysis.landmarks_months`` (R ``summary(fit, times, extend = TRUE)``), null
  with a reason at a time beyond a group's last follow-up unless its curve has reached 0;
* median follow-up by the reverse Kaplan–Meier method (Schemper & Smith 1996);
* restricted mean survival time on [0, τ], τ = ``analysis.rmst_tau_months``, with R's standard
  error (``print(fit, rmean = τ)``), and for two arms the difference (arm − reference)

      Δ = RMST_1(τ) − RMST_0(τ),   SE(Δ) = sqrt(SE_1² + SE_0²)   (independent arms),
      CI = Δ ± z_{1−α/2} SE(Δ),    p = 2 (1 − Φ(|Δ| / SE(Δ)))     (normal approximation)

  as Royston & Parmar (2013) and R's ``survRM2::rmst2`` do. When τ exceeds an arm's last
  follow-up time the curve is carried forward (as R's ``rmean``) and a note says so;
* log-rank test between arms (R ``survdiff``), two-arm studies only;
* everything a plot draws: the step curve from (0, 1) with its band, the censoring times and the
  curve height there, and numbers at risk on a common grid (every 3 months up to 36 months of
  follow-up, every 6 up to 72, else every 12).

References
----------
[1] Royston P, Parmar MKB. Restricted mean survival time: an alternative to the hazard ratio for the
    design and analysis of randomized trials with a time-to-event outcome. BMC Med Res Methodol 2013;13:152.
[2] Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time. Control Clin
    Trials 1996;17:343–346.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri  # scipy.stats.norm's own kernels; scipy.stats costs ~0.7 s to import

from oncocohort.analysis._common import (
    EndpointMapping,
    NOT_REACHED_REASON,
    SINGLE_ARM_REASON,
    arm_values,
    float_list,
    is_two_arm,
    put_stat,
)
from oncocohort.errors import Note
from oncocohort.protocol import Protocol
from oncocohort.stats import (
    KaplanMeierResult,
    LogRankResult,
    QuantileEstimate,
    RestrictedMean,
    SurvivalAtTimes,
    kaplan_meier,
    logrank_test,
    median_followup,
)

ENDPOINT_ORDER = ("os", "pfs", "ttp", "dor")
ENDPOINT_LABELS = {"os": "Overall survival", "pfs": "Progression-free survival", "ttp": "Time to progression",
                   "dor": "Duration of response"}


@dataclass(frozen=True, slots=True)
class RmstDifference:
    """RMST(arm) − RMST(reference) at τ with a normal-approximation CI and p (module docstring)."""

    tau: float
    arm: str
    reference: str
    estimate: float
    std_err: float
    lower: float
    upper: float
    z: float
    p: float
    conf_level: float
    method: str = ("difference of per-arm Kaplan-Meier RMSTs; SE = sqrt(SE_arm^2 + SE_reference^2); "
                   "normal approximation")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tau": self.tau, "arm": self.arm, "reference": self.reference,
                               "conf_level": self.conf_level, "method": self.method}
        for key in ("estimate", "std_err", "lower", "upper", "z", "p"):
            put_stat(out, key, getattr(self, key), "standard error is 0 (no events before tau)")
        return out


@dataclass(frozen=True, slots=True)
class GroupSurvival:
    """One Kaplan–Meier curve (overall, one arm or a subgroup) with its summaries."""

    fit: KaplanMeierResult
    median: QuantileEstimate
    landmarks: SurvivalAtTimes
    followup: QuantileEstimate
    rmst: RestrictedMean | None
    at_risk_times: tuple[float, ...]

    @property
    def n(self) -> int:
        return self.fit.n

    @property
    def events(self) -> int:
        return int(round(self.fit.n_events))

    def to_dict(self, *, with_curve: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "events": self.events}
        med = self.median
        put_stat(out, "median", med.estimate, NOT_REACHED_REASON)
        put_stat(out, "median_lower", med.lower, NOT_REACHED_REASON)
        put_stat(out, "median_upper", med.upper, NOT_REACHED_REASON)
        fu: dict[str, Any] = {"method": "reverse Kaplan-Meier"}
        why_fu = "not reached: the reverse Kaplan-Meier curve stays above 0.5"
        put_stat(fu, "median", self.followup.estimate, why_fu)
        put_stat(fu, "lower", self.followup.lower, why_fu)
        put_stat(fu, "upper", self.followup.upper, why_fu)
        out["followup"] = fu
        lm = self.landmarks
        fit = self.fit
        last = (float(fit.time[-1]), float(fit.surv[-1])) if fit.time.size else (0.0, 1.0)
        out["landmarks"] = [_landmark_dict(lm, i, *last) for i in range(lm.time.size)]
        if self.rmst is None:
            out["rmst"] = None
            out["rmst_reason"] = "no RMST horizon (analysis.rmst_tau_months) in the protocol"
        else:
            r = self.rmst
            out["rmst"] = {"tau": r.tau, "estimate": r.estimate, "std_err": r.std_err, "lower": r.lower,
                           "upper": r.upper, "conf_level": r.conf_level}
        if with_curve:
            out["curve"] = curve_dict(self.fit, self.at_risk_times)
        return out


@dataclass(frozen=True, slots=True)
class EndpointSurvival:
    """One endpoint: overall and per-arm curves, log-rank test and RMST difference."""

    endpoint: str
    label: str
    overall: GroupSurvival | None
    by_arm: dict[str, GroupSurvival | None]
    logrank: LogRankResult | None
    logrank_reason: str | None
    rmst_difference: RmstDifference | None
    rmst_difference_reason: str | None
    at_risk_times: tuple[float, ...]
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        empty = {"n": 0, "events": 0}
        out: dict[str, Any] = {"endpoint": self.endpoint, "label": self.label, "time_unit": "months"}
        out["overall"] = self.overall.to_dict() if self.overall else _empty_group(empty)
        out["by_arm"] = {a: (g.to_dict() if g is not None else _empty_group(empty)) for a, g in self.by_arm.items()}
        lr = self.logrank
        put_stat(out, "logrank_p", None if lr is None else lr.p_value, self.logrank_reason)
        out["logrank"] = None if lr is None else {
            "statistic": lr.statistic, "df": lr.df, "groups": [str(g) for g in lr.groups],
            "observed": float_list(lr.observed), "expected": float_list(lr.expected)}
        out["rmst_difference"] = None if self.rmst_difference is None else self.rmst_difference.to_dict()
        if self.rmst_difference is None:
            out["rmst_difference_reason"] = self.rmst_difference_reason
        out["at_risk_times"] = list(self.at_risk_times)
        out["notes"] = [str(n) for n in self.notes]
        return out

    def summary(self) -> pd.DataFrame:
        """One row per group: n, events, median and CI."""
        rows = []
        for name, g in [("overall", self.overall), *self.by_arm.items()]:
            if g is not None:
                rows.append({"group": name, "n": g.n, "events": g.events, "median": g.median.estimate,
                             "lower": g.median.lower, "upper": g.median.upper})
        return pd.DataFrame(rows)


@dataclass(frozen=True, slots=True)
class SurvivalSummary(EndpointMapping):
    """Survival results keyed by endpoint (os, pfs, ttp, dor); a read-only mapping."""

    endpoints: dict[str, EndpointSurvival]  # type: ignore[assignment]

    def summary(self) -> pd.DataFrame:
        frames = [v.summary().assign(endpoint=k) for k, v in self.endpoints.items()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def survival_summary(adtte: pd.DataFrame, protocol: Protocol, *, endpoints: list[str] | None = None
                     ) -> SurvivalSummary:
    """Kaplan–Meier, log-rank, follow-up and RMST for each endpoint (module docstring).

    Parameters
    ----------
    adtte : one row per patient and endpoint: ``patient_id, arm, endpoint, time_months, event``.
    protocol : supplies arms, design and ``analysis`` settings.
    endpoints : endpoints to analyse (default: the protocol's endpoints present in ``adtte``).
    """
    present = set(adtte["endpoint"].astype(str).unique()) if len(adtte) else set()
    if endpoints is None:
        endpoints = [e for e in ENDPOINT_ORDER if e in protocol.endpoints and e in present]
    out = {}
    for ep in endpoints:
        rows = adtte.loc[adtte["endpoint"].astype(str).to_numpy() == ep]
        rule = protocol.endpoints.get(ep)  # type: ignore[call-overload]
        label = (rule.label if rule is not None and rule.label else None) or ENDPOINT_LABELS.get(ep, ep)
        out[ep] = endpoint_survival(rows, protocol, endpoint=ep, label=label)
    return SurvivalSummary(out)


def endpoint_survival(rows: pd.DataFrame, protocol: Protocol, *, endpoint: str, label: str) -> EndpointSurvival:
    """All survival summaries of one endpoint's rows (arms as in the protocol, reference first)."""
    arms = list(protocol.arm_ids)
    settings = protocol.analysis
    arm = arm_values(rows).to_numpy(dtype=object)
    keep = np.isin(arm, arms)
    time = rows["time_months"].to_numpy(dtype=np.float64)[keep]
    event = rows["event"].to_numpy(dtype=np.int64)[keep]
    arm = arm[keep]
    notes: list[Note] = []
    if (~keep).sum():
        notes.append(Note(f"{endpoint}: rows without a protocol arm left out", int((~keep).sum())))
    grid = tuple(at_risk_grid(time))
    overall = group_survival(time, event, protocol, grid) if time.size else None
    by_arm = {a: (group_survival(time[arm == a], event[arm == a], protocol, grid) if (arm == a).any() else None)
              for a in arms}
    lr, lr_reason = None, None
    diff, diff_reason = None, None
    if not is_two_arm(protocol):
        lr_reason = diff_reason = SINGLE_ARM_REASON
    elif any(g is None for g in by_arm.values()):
        lr_reason = diff_reason = "an arm has no patient for this endpoint"
    else:
        lr = logrank_test(time, event, arm)
        if not np.isfinite(lr.p_value):
            lr_reason = "no events: the log-rank test has 0 degrees of freedom"
            lr = None
        ref, trt = arms
        if settings.rmst_tau_months is None:
            diff_reason = "no RMST horizon (analysis.rmst_tau_months) in the protocol"
        else:
            g_trt, g_ref = by_arm[trt], by_arm[ref]
            assert g_trt is not None and g_ref is not None and g_trt.rmst is not None and g_ref.rmst is not None
            diff = rmst_difference(g_trt.rmst, g_ref.rmst, arm=trt, reference=ref)
            tau = settings.rmst_tau_months
            short = [a for a in arms if time[arm == a].max() < tau]
            if short:
                notes.append(Note(f"{endpoint}: tau = {tau:g} months exceeds the last follow-up in arm(s) "
                                  f"{', '.join(short)}; the Kaplan-Meier curve is carried forward to tau"))
    return EndpointSurvival(endpoint, label, overall, by_arm, lr, lr_reason, diff, diff_reason, grid, tuple(notes))


def group_survival(time: np.ndarray, event: np.ndarray, protocol: Protocol, grid: tuple[float, ...]
                   ) -> GroupSurvival:
    """Kaplan–Meier curve and summaries of one group (times in months)."""
    s = protocol.analysis
    fit = kaplan_meier(time, event, conf_type=s.km_conf_type, conf_level=s.conf_level)
    landmarks = fit.survival_at(np.asarray(s.landmarks_months, dtype=np.float64)) if s.landmarks_months else \
        fit.survival_at(np.zeros(0))
    followup = median_followup(time, event, conf_type=s.km_conf_type, conf_level=s.conf_level)
    rmst = fit.rmst(s.rmst_tau_months) if s.rmst_tau_months is not None else None
    return GroupSurvival(fit, fit.median(), landmarks, followup, rmst, grid)


def rmst_difference(rmst_arm: RestrictedMean, rmst_ref: RestrictedMean, *, arm: str, reference: str
                    ) -> RmstDifference:
    """Δ = RMST_arm − RMST_ref with SE = sqrt(SE_arm² + SE_ref²), normal CI and two-sided p."""
    conf = rmst_arm.conf_level
    est = rmst_arm.estimate - rmst_ref.estimate
    se = float(np.hypot(rmst_arm.std_err, rmst_ref.std_err))
    zq = float(ndtri(1 - (1 - conf) / 2))
    if se > 0:
        z = est / se
        p = float(2 * ndtr(-abs(z)))  # 2 × upper normal tail
    else:  # no event before tau in either arm: Δ is exact (0 variance), no test
        z, p = float("nan"), float("nan")
    return RmstDifference(rmst_arm.tau, arm, reference, est, se, est - zq * se, est + zq * se, z, p, conf)


def at_risk_grid(time: np.ndarray) -> list[float]:
    """Plotted times for the number-at-risk table: 0, step, 2·step, … up to the last follow-up."""
    if time.size == 0:
        return [0.0]
    last = float(np.max(time))
    step = 3.0 if last <= 36 else 6.0 if last <= 72 else 12.0
    return [float(t) for t in np.arange(0.0, last + 1e-9, step)]


def curve_dict(fit: KaplanMeierResult, grid: tuple[float, ...]) -> dict[str, Any]:
    """What a Kaplan–Meier plot draws: steps with band, censoring marks, numbers at risk on ``grid``."""
    steps = fit.plot_frame()
    marks = fit.censor_marks()
    n_risk = fit.number_at_risk(np.asarray(grid, dtype=np.float64)) if grid else np.zeros(0)
    return {
        "conf_type": fit.conf_type, "conf_level": fit.conf_level, "drawstyle": "steps-post",
        "time": float_list(steps["time"]), "surv": float_list(steps["surv"]),
        "lower": float_list(steps["lower"]), "upper": float_list(steps["upper"]),
        "censor_times": float_list(marks["time"]), "censor_surv": float_list(marks["surv"]),
        "censor_counts": [int(c) for c in marks["n_censor"]],
        "at_risk": {"time": list(grid), "n": [int(round(v)) for v in np.asarray(n_risk)]},
    }


def _landmark_dict(lm: SurvivalAtTimes, i: int, last_time: float, last_surv: float) -> dict[str, Any]:
    """S(t) with its CI; null with a reason beyond the last follow-up unless the curve has reached 0
    there (the estimate is undefined after a last censored time: R's ``summary(fit, times)`` drops
    such times, ``extend = TRUE`` would carry the last value forward with no one at risk)."""
    out: dict[str, Any] = {"time": float(lm.time[i]), "n_risk": int(round(lm.n_risk[i]))}
    if lm.time[i] > last_time and last_surv > 0:
        beyond = (f"not estimable: beyond the last follow-up ({last_time:.1f} months) the Kaplan-Meier "
                  "curve is undefined")
        for key in ("surv", "std_err", "lower", "upper"):
            put_stat(out, key, None, beyond)
        return out
    why = "undefined: the curve has dropped to 0 (Greenwood variance undefined) or no event yet (log-log)"
    put_stat(out, "surv", lm.surv[i], why)
    put_stat(out, "std_err", lm.std_err[i], why)
    put_stat(out, "lower", lm.lower[i], why)
    put_stat(out, "upper", lm.upper[i], why)
    return out


def _empty_group(base: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key in ("median", "median_lower", "median_upper"):
        put_stat(out, key, None, "no patient in this group")
    out["curve"] = None
    out["curve_reason"] = "no patient in this group"
    return out
