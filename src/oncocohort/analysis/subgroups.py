"""Subgroup analyses for a forest plot: per-level medians, log-rank, HR and treatment interaction.

For each endpoint in ``protocol.cox.endpoints`` and each variable in ``protocol.subgroups`` (a
categorical or cut-derived variable), one row per level (plus an "All patients" row first):

* n and events per arm, Kaplan–Meier median with CI per arm (times in months) and each arm's
  curve for the subgroup Kaplan–Meier figure (same layout as ``survival``; at-risk grid of the
  endpoint);
* log-rank p between arms within the level (R ``survdiff``);
* HR of the experimental arm vs the reference arm within the level, unadjusted Cox model with the
  protocol's ties, Wald CI and p;
* the treatment-by-subgroup interaction p, the same on every row of a variable: Wald test of the
  interaction terms in the Cox model
  ``h(t) = h0(t) exp(β_a·arm + Σ_l γ_l·[level l] + Σ_l δ_l·arm·[level l])``, H0: all δ_l = 0,
  χ² = δ̂' V̂_δ⁻¹ δ̂ on (levels − 1) df (R: ``coxph(Surv(t, e) ~ arm * subgroup)`` then
  ``wald.test`` / ``anova``-free Wald on the δ block).

A single-arm study has no treatment comparison: its rows give the per-level medians, and
``levels_logrank_p`` (log-rank across the levels) and the HR of each level against the reference
level (``level_hr`` relative to ``reference_level``) replace the between-arm statistics.

References
----------
[1] Wang R, Lagakos SW, Ware JH, Hunter DJ, Drazen JM. Statistics in medicine — reporting of subgroup
    analyses in clinical trials. N Engl J Med 2007;357:2189–2194 (interaction tests, forest plots).
[2] Therneau TM, Grambsch PM. Modeling Survival Data. Springer 2000, §3.4 (Wald tests of coefficient blocks).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.analysis._common import NOT_REACHED_REASON, SINGLE_ARM_REASON, is_two_arm, put_stat
from oncocohort.analysis._design import (
    FIT_ERRORS,
    FIT_ERRORS_OR_IMPORT,
    Design,
    Term,
    build_design,
    covariate_levels,
    fit_cox,
    reference_level,
    wald_test,
)
from oncocohort.analysis.cox_models import model_frame
from oncocohort.analysis.survival import at_risk_grid, curve_dict
from oncocohort.errors import Note
from oncocohort.protocol import Protocol
from oncocohort.stats import kaplan_meier, logrank_test

ALL = "All patients"


@dataclass(frozen=True, slots=True)
class SubgroupAnalyses:
    """``rows[endpoint]`` is the forest-plot table (list of row dicts, null-with-reason convention)."""

    rows: dict[str, tuple[dict[str, Any], ...]]
    notes: tuple[Note, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {ep: list(r) for ep, r in self.rows.items()}

    def to_frame(self) -> pd.DataFrame:
        frames = [pd.DataFrame(list(r)).assign(endpoint=ep) for ep, r in self.rows.items() if r]
        if not frames:
            return pd.DataFrame()
        out = pd.concat(frames, ignore_index=True)
        return out.drop(columns=[c for c in out.columns if c == "by_arm" or c.endswith("_reason")])

    summary = to_frame


def subgroup_analyses(adsl: pd.DataFrame, adtte: pd.DataFrame, protocol: Protocol, *,
                      endpoints: list[str] | None = None) -> SubgroupAnalyses:
    """Forest-plot rows per endpoint (module docstring)."""
    present = set(adtte["endpoint"].astype(str).unique()) if len(adtte) else set()
    endpoints = endpoints if endpoints is not None else [e for e in protocol.cox.endpoints if e in present]
    out = {}
    numeric = [v for v in protocol.subgroups if v in adsl.columns and covariate_levels(adsl[v]) is None]
    notes = [Note(f"subgroup variable '{v}' is continuous: left out (give it cut-points and use the cut "
                  "variable)") for v in numeric]
    notes += [Note(f"subgroup variable '{v}' is not in the subject-level table: left out")
              for v in protocol.subgroups if v not in adsl.columns]
    for ep in endpoints:
        variables = [v for v in protocol.subgroups if v in adsl.columns and v not in numeric]
        frame = model_frame(adsl, adtte, ep, variables)
        frame = frame.loc[frame["arm"].isin(protocol.arm_ids).fillna(False).to_numpy(dtype=bool)]
        grid = tuple(at_risk_grid(frame["time_months"].to_numpy(np.float64)))
        rows = [_level_row(frame, protocol, ALL, ALL, None, grid)]
        for var in variables:
            levels = covariate_levels(frame[var]) or []
            interaction, why = interaction_test(frame, var, protocol)
            ref_level = reference_level(var, levels, protocol)
            for level in levels:
                sub = frame.loc[(frame[var].astype(str) == level).to_numpy(dtype=bool)]
                row = _level_row(sub, protocol, var, level, ref_level, grid)
                row["variable_label"] = _variable_label(var, protocol)
                if is_two_arm(protocol):
                    put_stat(row, "interaction_p", None if interaction is None else interaction[2], why)
                    row["interaction_df"] = None if interaction is None else interaction[1]
                else:
                    put_stat(row, "interaction_p", None, SINGLE_ARM_REASON)
                    _single_arm_level_hr(row, frame, var, level, ref_level, protocol)
                rows.append(row)
            if not is_two_arm(protocol):
                p = _levels_logrank(frame, var)
                for row in rows[-len(levels):]:
                    put_stat(row, "levels_logrank_p", p, "fewer than two levels with patients, or no events")
        out[ep] = tuple(rows)
    return SubgroupAnalyses(out, tuple(notes))


def interaction_test(frame: pd.DataFrame, variable: str, protocol: Protocol
                     ) -> tuple[tuple[float, int, float] | None, str | None]:
    """Wald test of the arm × ``variable`` interaction terms: (χ², df, p) or (None, reason)."""
    if not is_two_arm(protocol):
        return None, SINGLE_ARM_REASON
    data = frame.dropna(subset=[variable, "arm", "time_months", "event"])
    design = build_design(data, ["arm", variable], protocol)
    arm_terms = [t for t in design.terms if t.covariate == "arm"]
    sub_terms = [t for t in design.terms if t.covariate == variable]
    if not arm_terms or not sub_terms:
        return None, "the subgroup or the arm has a single observed level"
    x = design.data.copy()
    terms = list(design.terms)
    inter = []
    for t in sub_terms:
        name = f"x{len(terms)}"
        x[name] = x[arm_terms[0].column] * x[t.column]
        if x[name].sum() == 0:
            continue  # no experimental-arm patient in this level: the interaction is not estimable
        terms.append(Term(f"{arm_terms[0].name}:{t.name}", name, "interaction", t.level, t.reference))
        inter.append(len(terms) - 1)
    if not inter:
        return None, "no level has patients of both arms"
    if int(x["event"].sum()) == 0:
        return None, "no events"
    design2 = Design(x, tuple(terms), design.n_dropped, design.notes)
    try:
        fit = fit_cox(design2, ties=protocol.cox.ties)
    except ImportError:
        return None, "Cox engine (oncocohort.stats.cox) not available"
    except FIT_ERRORS as exc:
        return None, f"interaction model not fitted ({exc})"
    result = wald_test(fit, inter)
    if result is None or not np.isfinite(result[2]):
        return None, ("not estimable: an interaction coefficient is infinite or not identifiable "
                      "(e.g. a subgroup level without events in one arm)")
    return result, None


def _level_row(sub: pd.DataFrame, protocol: Protocol, variable: str, level: str, ref_level: str | None,
               grid: tuple[float, ...]) -> dict[str, Any]:
    arms = list(protocol.arm_ids)
    s = protocol.analysis
    time = sub["time_months"].to_numpy(np.float64)
    event = sub["event"].to_numpy(np.int64)
    arm = sub["arm"].astype(str).to_numpy(dtype=object)
    row: dict[str, Any] = {"variable": variable, "level": level, "reference_level": ref_level,
                           "n": int(len(sub)), "events": int(event.sum()), "by_arm": {}}
    for a in arms:
        m = arm == a
        cell: dict[str, Any] = {"n": int(m.sum()), "events": int(event[m].sum())}
        if m.any():
            fit = kaplan_meier(time[m], event[m], conf_type=s.km_conf_type, conf_level=s.conf_level)
            med = fit.median()
            vals, why = (med.estimate, med.lower, med.upper), NOT_REACHED_REASON
        else:
            fit, vals, why = None, (None, None, None), "no patient"
        for key, v in zip(("median", "median_lower", "median_upper"), vals, strict=True):
            put_stat(cell, key, v, why)
        cell["curve"] = None if fit is None else curve_dict(fit, grid)  # the subgroup KM figure (Fig. 8)
        if fit is None:
            cell["curve_reason"] = "no patient"
        row["by_arm"][a] = cell
    if not is_two_arm(protocol):
        for key in ("logrank_p", "hr", "hr_lower", "hr_upper", "hr_p"):
            put_stat(row, key, None, SINGLE_ARM_REASON)
        return row
    ref, trt = arms
    counts = {a: int((arm == a).sum()) for a in arms}
    if min(counts.values()) == 0:
        why = "an arm has no patient in this subgroup"
        for key in ("logrank_p", "hr", "hr_lower", "hr_upper", "hr_p"):
            put_stat(row, key, None, why)
        return row
    lr = logrank_test(time, event, arm)
    put_stat(row, "logrank_p", lr.p_value, "no events")
    _arm_hr(row, sub, protocol)
    return row


def _arm_hr(row: dict[str, Any], sub: pd.DataFrame, protocol: Protocol) -> None:
    keys = ("hr", "hr_lower", "hr_upper", "hr_p")
    design = build_design(sub, ["arm"], protocol)
    if int(design.data["event"].sum()) == 0 or not design.terms:
        for k in keys:
            put_stat(row, k, None, "no events" if design.terms else "a single arm observed")
        return
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            fit = fit_cox(design, ties=protocol.cox.ties)
    except ImportError:
        for k in keys:
            put_stat(row, k, None, "Cox engine (oncocohort.stats.cox) not available")
        return
    except FIT_ERRORS as exc:
        for k in keys:
            put_stat(row, k, None, f"model not fitted ({exc})")
        return
    values, why = fit.term_summary(0, protocol.analysis.conf_level)
    for k, v in zip(keys, values, strict=True):
        put_stat(row, k, v, why)
    row["hr_warnings"] = list(fit.warnings)


def _single_arm_level_hr(row: dict[str, Any], frame: pd.DataFrame, var: str, level: str, ref_level: str,
                         protocol: Protocol) -> None:
    """Single-arm: HR of this level against the reference level (univariable Cox on the variable)."""
    keys = ("level_hr", "level_hr_lower", "level_hr_upper", "level_hr_p")
    if level == ref_level:
        for k in keys:
            put_stat(row, k, None, "reference level")
        return
    data = frame.dropna(subset=[var])
    design = build_design(data, [var], protocol)
    idx = [i for i, t in enumerate(design.terms) if t.level == level]
    if not idx or int(design.data["event"].sum()) == 0:
        for k in keys:
            put_stat(row, k, None, "not estimable (no patient in the level or no events)")
        return
    try:
        fit = fit_cox(design, ties=protocol.cox.ties)
    except FIT_ERRORS_OR_IMPORT as exc:
        for k in keys:
            put_stat(row, k, None, f"model not fitted ({exc})")
        return
    values, why = fit.term_summary(idx[0], protocol.analysis.conf_level)
    for k, v in zip(keys, values, strict=True):
        put_stat(row, k, v, why)


def _levels_logrank(frame: pd.DataFrame, var: str) -> float | None:
    data = frame.dropna(subset=[var])
    if data[var].astype(str).nunique() < 2 or int(data["event"].sum()) == 0:
        return None
    res = logrank_test(data["time_months"].to_numpy(np.float64), data["event"].to_numpy(np.int64),
                       data[var].astype(str).to_numpy(dtype=object))
    return res.p_value


def _variable_label(var: str, protocol: Protocol) -> str:
    for v in protocol.variables:
        if v.name == var:
            return v.label or var
        if v.cut is not None and v.cut.name == var:
            return v.cut.label or v.label or var
    return var
