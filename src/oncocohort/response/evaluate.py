"""The response engine: lesion measurements (or recorded calls) to per-visit and best responses.

:func:`evaluate` reads one :class:`~oncocohort.response.criteria.ResponseCriteria` and applies the
rules in order — target sum, target response, non-target response, new lesions, reappearance after
CR, the overall table, iRECIST confirmation, best overall response — each a function of its own
module. :func:`best_overall_response` starts from recorded per-visit calls and shares the last step.

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247.
[2] Lencioni R, Llovet JM. mRECIST for HCC. Semin Liver Dis 2010;30:52–60.
[3] Seymour L, et al. iRECIST. Lancet Oncol 2017;18:e143–e152.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.errors import DataValidationError, InputError, Note, ValidationProblem
from oncocohort.response._grid import visit_grid
from oncocohort.response.best import CATEGORY, as_start_dates, check_best_response_settings, derive_best_overall_response
from oncocohort.response.check_lesions import check_lesions
from oncocohort.response.criteria import CriteriaName, ResponseCriteria, get_criteria
from oncocohort.response.irecist import confirm_irecist_progression
from oncocohort.response.new_lesions import flag_new_lesions
from oncocohort.response.nontarget import derive_nontarget_response
from oncocohort.response.overall import derive_overall_response, flag_reappearance_after_cr
from oncocohort.response.target import derive_target_response, derive_target_sum

VISIT_COLUMNS = [
    "patient_id", "visit_date", "is_baseline", "target_sum_mm", "baseline_sum_mm", "nadir_sum_mm",
    "pct_change_baseline", "pct_change_nadir", "target_response", "nontarget_response", "new_lesion",
    "overall_response", "overall_rule", "target_rule", "nontarget_rule", "new_lesion_rule",
    "n_targets", "n_targets_assessed", "target_sum_assessed_mm", "n_nontargets", "n_nontargets_progressing",
    "new_lesion_count", "new_lesion_sum_mm", "n_new_not_counted", "baseline_date",
]


@dataclass(frozen=True, slots=True)
class ResponseEvaluation:
    """Per-visit and best responses, with the data decisions that produced them.

    Attributes
    ----------
    criteria : the criteria applied (None when recorded calls were summarised).
    visits : one row per patient and visit (baseline included, ``is_baseline``): sums, baseline,
        nadir used, per cent changes, target / non-target / new-lesion calls, ``overall_response``
        and the rule that decided each call (``overall_rule`` names the table row; iRECIST adds
        ``recist_response``, ``irecist_rule``, ``iupd_date``, ``progression_date``).
    best : one row per patient: ``best_response, best_response_date, best_pct_change,
        first_response_date, progression_date, treatment_start, n_assessments, best_response_rule``.
    problems : warning-level data problems (baseline target-selection limits, unmeasurable targets).
    notes : data decisions (rows not used, fallbacks).
    settings : the best-response settings used.
    """

    criteria: ResponseCriteria | None
    visits: pd.DataFrame
    best: pd.DataFrame
    problems: tuple[ValidationProblem, ...]
    notes: tuple[Note, ...]
    settings: dict[str, Any]

    def summary(self) -> pd.DataFrame:
        """Number and per cent of patients per best response, in rank order."""
        counts = self.best["best_response"].value_counts()
        order = [c for c in ("CR", "iCR", "PR", "iPR", "SD", "iSD", "NON-CR/NON-PD", "PD", "iCPD", "iUPD", "NE")
                 if c in counts.index]
        n = counts.reindex(order).astype(int)
        return pd.DataFrame({"best_response": order, "n": n.to_numpy(),
                             "percent": 100.0 * n.to_numpy() / max(len(self.best), 1)})

    def to_frame(self) -> pd.DataFrame:
        """The per-patient best-response table (a copy)."""
        return self.best.copy()


def evaluate(lesions: pd.DataFrame, criteria: CriteriaName | ResponseCriteria, *,
             treatment_start: Mapping[Any, Any] | pd.Series | None = None, confirm: bool = False,
             min_sd_days: int | None = None, confirm_days: int = 28, window_days: int | None = None,
             confirm_progression: bool = False) -> ResponseEvaluation:
    """Per-visit and best overall response from the ``lesions`` table.

    Parameters
    ----------
    lesions : the template's lesions table (one row per lesion per imaging visit).
    criteria : ``"recist1.1"`` [1], ``"mrecist"`` [2], ``"irecist"`` [3] (RECIST 1.1 measurements
        with iUPD/iCPD confirmation), or a :class:`ResponseCriteria` (e.g. from ``get_criteria``).
    treatment_start : mapping or Series patient_id → start date; patients without one use their
        baseline visit date (recorded as a Note).
    confirm : CR/PR must be confirmed at ≥ ``confirm_days`` ([1] §4.4.2).
    min_sd_days : SD counts only this many days or more after treatment start ([1] §4.4.3).
    confirm_days : interval for CR/PR confirmation (4 weeks = 28 days).
    window_days : best response only from assessments within this many days of treatment start.
    confirm_progression : apply iRECIST confirmation to the criteria's progression (seed 002: mRECIST
        with iRECIST confirmation of pseudoprogression); implied by ``"irecist"``.

    Examples
    --------
    >>> res = evaluate(lesions, "mrecist", confirm=True, min_sd_days=42)   # doctest: +SKIP
    >>> res.best[["patient_id", "best_response", "best_pct_change"]]       # doctest: +SKIP
    """
    crit = get_criteria(criteria)
    if not isinstance(confirm_progression, (bool, np.bool_)):
        raise InputError("confirm_progression", f"must be True or False, got {confirm_progression!r}")
    if confirm_progression and not crit.confirm_progression:
        crit = dataclasses.replace(crit, confirm_progression=True)
    check_best_response_settings(confirm, min_sd_days, confirm_days, window_days)
    if not isinstance(lesions, pd.DataFrame):
        raise InputError("lesions", f"must be a pandas DataFrame, got {type(lesions).__name__}")
    checked = check_lesions(lesions, crit)
    # Every rule groups by patient; integer codes (in patient-id order) are factorised once here
    # instead of once per grouping, and the ids are put back on the way out.
    codes, patient_ids = pd.factorize(checked.lesions["patient_id"], sort=True)
    les = checked.lesions.assign(patient_id=codes)
    grid = visit_grid(les)
    sums = derive_target_sum(les, grid, crit)
    visits = pd.concat([grid, sums, derive_target_response(sums, grid, crit),
                        derive_nontarget_response(les, grid), flag_new_lesions(les, grid, crit)], axis=1)
    visits = flag_reappearance_after_cr(visits, crit)
    visits = pd.concat([visits, derive_overall_response(visits, crit)], axis=1)
    columns = list(VISIT_COLUMNS)
    if crit.confirm_progression:
        i = confirm_irecist_progression(visits, crit)
        visits = visits.rename(columns={"overall_response": "recist_response"})
        visits = pd.concat([visits, i], axis=1)
        columns += ["recist_response", "irecist_rule", "iupd_date", "progression_date"]
    for col in ("target_response", "nontarget_response"):  # "none" (no such disease) is shown as NA
        visits[col] = visits[col].mask(visits[col] == "none")
    visits = visits[columns]

    notes = list(checked.notes)
    start = as_start_dates(treatment_start)
    start.index = patient_ids.get_indexer(start.index) if len(start) else start.index
    baseline = grid.loc[grid["is_baseline"].to_numpy(), ["patient_id", "visit_date"]].set_index("patient_id")["visit_date"]
    missing = baseline.index.difference(start.dropna().index)
    if len(missing):
        notes.append(Note("treatment start not given; the baseline visit date was used", len(missing),
                          {"patients": [str(p) for p in patient_ids[missing[:20]]]}))
    start = pd.concat([start.dropna()[lambda s: s.index.isin(baseline.index)], baseline.loc[missing]])
    best, more = derive_best_overall_response(visits, start, confirm=confirm, min_sd_days=min_sd_days,
                                              confirm_days=confirm_days, window_days=window_days)
    visits["patient_id"] = patient_ids[visits["patient_id"].to_numpy()]
    best["patient_id"] = patient_ids[best["patient_id"].to_numpy()]
    settings = dict(criteria=crit.name, confirm=confirm, min_sd_days=min_sd_days, confirm_days=confirm_days,
                    window_days=window_days, confirm_progression=crit.confirm_progression)
    return ResponseEvaluation(crit, visits, best, checked.warnings, tuple(notes + more), settings)


def best_overall_response(visit_responses: pd.DataFrame, *,
                          treatment_start: Mapping[Any, Any] | pd.Series | None = None, confirm: bool = False,
                          min_sd_days: int | None = None, confirm_days: int = 28,
                          window_days: int | None = None) -> ResponseEvaluation:
    """Best overall response from recorded per-visit calls (template table ``visit_responses``).

    ``visit_responses`` has ``patient_id, visit_date, overall_response`` with RECIST/mRECIST labels
    (CR, PR, SD, NON-CR/NON-PD, PD, NE) or iRECIST labels (iCR, iPR, iSD, iUPD, iCPD, NE); an
    empty call counts as NE. The rule is :func:`derive_best_overall_response`'s, so ``.best`` has
    the same columns as :func:`evaluate`'s (``best_pct_change`` is NaN: no measurements).
    ``treatment_start`` is required when ``min_sd_days`` or ``window_days`` is set.
    """
    check_best_response_settings(confirm, min_sd_days, confirm_days, window_days)
    v = check_visit_responses(visit_responses)
    start = as_start_dates(treatment_start)
    if min_sd_days is not None or window_days is not None:
        lacking = pd.Index(v["patient_id"].unique()).difference(start.dropna().index)
        if len(lacking):
            raise InputError("treatment_start", f"needed for every patient when min_sd_days or window_days is set; "
                             f"missing for {len(lacking)} patient(s), e.g. {list(map(str, lacking[:5]))}")
    best, notes = derive_best_overall_response(v, start, confirm=confirm, min_sd_days=min_sd_days,
                                               confirm_days=confirm_days, window_days=window_days)
    if v["overall_response"].isna().any():
        notes.insert(0, Note("empty per-visit responses were counted as NE", int(v["overall_response"].isna().sum())))
    settings = dict(criteria=None, confirm=confirm, min_sd_days=min_sd_days, confirm_days=confirm_days,
                    window_days=window_days, confirm_progression=False)
    return ResponseEvaluation(None, v, best, (), tuple(notes), settings)


def check_visit_responses(visit_responses: pd.DataFrame) -> pd.DataFrame:
    """The ``visit_responses`` table checked: columns, dates, known labels, one call per visit."""
    table = "visit_responses"
    if not isinstance(visit_responses, pd.DataFrame):
        raise InputError("visit_responses", f"must be a pandas DataFrame, got {type(visit_responses).__name__}")
    missing = [c for c in ("patient_id", "visit_date", "overall_response") if c not in visit_responses.columns]
    if missing:
        raise DataValidationError([ValidationProblem(table, None, c, "", "a required column", rule="missing_column")
                                   for c in missing])
    v = visit_responses[["patient_id", "visit_date", "overall_response"]].copy()
    v["visit_date"] = pd.to_datetime(v["visit_date"], errors="coerce")
    v["overall_response"] = v["overall_response"].astype("string").str.strip()
    problems: list[ValidationProblem] = []
    known = ", ".join(CATEGORY)
    bad = v["overall_response"].notna() & ~v["overall_response"].isin(list(CATEGORY)).fillna(False)
    for pid, d, val in v.loc[bad.to_numpy(bool)].itertuples(index=False, name=None):
        problems.append(ValidationProblem(table, str(pid), "overall_response", str(val), f"one of {known}",
                                          rule="unknown_category", location=f"visit {_day(d)}"))
    for pid, d, val in v.loc[v["visit_date"].isna().to_numpy()].itertuples(index=False, name=None):
        problems.append(ValidationProblem(table, str(pid), "visit_date", "", "a date", rule="missing_value"))
    dup = v.duplicated(["patient_id", "visit_date"], keep="first") & v["visit_date"].notna()
    for pid, d, val in v.loc[dup.to_numpy()].itertuples(index=False, name=None):
        problems.append(ValidationProblem(table, str(pid), "visit_date", _day(d), "one response per patient and visit",
                                          rule="duplicate_visit", location=f"visit {_day(d)}"))
    if problems:
        raise DataValidationError(problems)
    return v.sort_values(["patient_id", "visit_date"], kind="stable").reset_index(drop=True)


def _day(d) -> str:
    return "?" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")
