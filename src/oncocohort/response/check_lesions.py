"""Checks of the ``lesions`` table before any response is derived, and the baseline of each patient.

Every problem is collected and raised at once as :class:`~oncocohort.errors.DataValidationError`,
each naming the patient, the visit and the lesion. Baseline target-selection limits (RECIST 1.1
§3.3.2 [1]: at most 5 targets, at most 2 per organ) and the measurability of baseline targets
(§3.1.1 [1]) are not fatal: they come back as warning-level problems on the result.

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.errors import DataValidationError, Note, ValidationProblem
from oncocohort.response.criteria import ResponseCriteria

TABLE = "lesions"
REQUIRED = ("patient_id", "visit_date", "lesion_id", "lesion_type")
LESION_TYPES = ("target", "non-target", "new")
NONTARGET_STATUSES = ("present", "absent", "unequivocal progression")
DIAMETERS = ("longest_diameter_mm", "short_axis_mm", "viable_diameter_mm")


@dataclass(frozen=True, slots=True)
class CheckedLesions:
    """The lesions table in canonical form, with ``baseline_date`` and ``is_baseline_visit`` added."""

    lesions: pd.DataFrame
    warnings: tuple[ValidationProblem, ...]
    notes: tuple[Note, ...]


def check_lesions(lesions: pd.DataFrame, criteria: ResponseCriteria) -> CheckedLesions:
    """Validate the lesions table; find each patient's baseline visit; report selection-limit warnings.

    Steps: (1) required columns; (2) missing ids and dates, unknown ``lesion_type`` and
    ``nontarget_status``, negative diameters, a diameter > 0 for a lesion marked absent, a lesion
    recorded twice at one visit; (3) baseline = the visit flagged ``is_baseline`` (two flagged visits
    is an error) or else the patient's first visit; visits before it are dropped with a Note;
    (4) every follow-up target / non-target lesion has its baseline row, no ``new`` lesion at
    baseline, every baseline target measured; (5) warnings for RECIST 1.1 §3.3.2 limits and §3.1.1
    measurability [1]. Raises DataValidationError listing all errors of steps 1–4.
    """
    missing = [c for c in REQUIRED if c not in lesions.columns]
    if missing:
        raise DataValidationError([ValidationProblem(TABLE, None, c, "", "a required column", rule="missing_column")
                                   for c in missing])
    df = lesions.copy()
    for col in ("site", "nontarget_status"):
        if col not in df.columns:
            df[col] = pd.NA
    for col in DIAMETERS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float) if col in df.columns else np.nan
    for col in ("is_lymph_node", "typical_hcc_pattern", "is_baseline"):
        df[col] = df[col].astype("boolean") if col in df.columns else pd.Series(pd.NA, index=df.index, dtype="boolean")
    df["visit_date"] = pd.to_datetime(df["visit_date"], errors="coerce")
    for col in ("lesion_type", "nontarget_status", "site"):
        df[col] = _normalise(df[col])
    df["is_lymph_node"] = df["is_lymph_node"].fillna(False).astype(bool)

    problems: list[ValidationProblem] = []
    add = _collector(df, problems)
    add(df["patient_id"].isna(), "patient_id", "patient_id", "a patient id", "missing_value")
    add(df["visit_date"].isna(), "visit_date", "visit_date", "a date", "missing_value")
    add(df["lesion_id"].isna(), "lesion_id", "lesion_id", "a lesion id", "missing_value")
    add(~df["lesion_type"].isin(LESION_TYPES).fillna(False).astype(bool), "lesion_type", "lesion_type",
        "one of " + ", ".join(LESION_TYPES), "unknown_category")
    status_bad = df["nontarget_status"].notna() & ~df["nontarget_status"].isin(NONTARGET_STATUSES).fillna(False)
    add(status_bad.astype(bool), "nontarget_status", "nontarget_status",
        "one of " + ", ".join(NONTARGET_STATUSES) + " (or empty: not assessed)", "unknown_category")
    for col in DIAMETERS:
        add((df[col] < 0).to_numpy(), col, col, "a diameter >= 0 mm", "negative_diameter")
        absent = (df["nontarget_status"] == "absent").fillna(False).to_numpy() & (df[col] > 0).to_numpy()
        add(absent, col, col, "empty or 0 for a lesion marked absent", "diameter_for_absent_lesion")
    key = ["patient_id", "visit_date", "lesion_id"]
    dup = df.duplicated(key, keep=False) & df[key].notna().all(axis=1)
    add(dup.to_numpy(), "lesion_id", "lesion_id", "one row per lesion per visit", "duplicate_lesion")
    # Baseline checks run on the rows whose keys are usable, so one pass reports everything.
    usable = (df[["patient_id", "visit_date", "lesion_id"]].notna().all(axis=1)
              & df["lesion_type"].isin(LESION_TYPES).fillna(False)).to_numpy(bool)
    if not usable.all():
        df = df.loc[usable].copy()
    add = _collector(df, problems)
    df, notes = _assign_baseline(df, problems, add)
    base = df["is_baseline_visit"].to_numpy()
    ltype = df["lesion_type"].to_numpy()
    # [1] §3.3: target and non-target lesions are chosen at baseline; a lesion first seen later is new.
    ids = pd.MultiIndex.from_frame(df[["patient_id", "lesion_type", "lesion_id"]])
    orphan = ~base & (ltype != "new") & ~ids.isin(ids[base])
    add(orphan & (ltype == "target"), "lesion_id", "lesion_id",
        "a baseline row for this target lesion (target lesions are chosen at baseline)", "target_without_baseline")
    add(orphan & (ltype == "non-target"), "lesion_id", "lesion_id",
        "a baseline row for this non-target lesion", "nontarget_without_baseline")
    add(base & (ltype == "new"), "lesion_type", "lesion_type",
        "target or non-target at the baseline visit (new lesions appear after baseline)", "new_at_baseline")
    measure = measured_diameter(df, criteria)
    add(base & (ltype == "target") & np.isnan(measure), criteria.diameter, criteria.diameter,
        "a measurement of every target lesion at baseline", "unmeasured_baseline_target")
    if problems:
        raise DataValidationError(problems)
    return CheckedLesions(df.reset_index(drop=True), tuple(_selection_warnings(df, measure, criteria)), tuple(notes))


def _normalise(values: pd.Series) -> np.ndarray:
    """Lower-case, stripped text as an object array (None where missing).

    The string work is done once per distinct value (via the categories), not once per row, so
    a million-row table costs what its few category labels cost.
    """
    cat = pd.Categorical(values)
    labels = np.asarray(pd.Index(cat.categories.astype(str)).str.strip().str.lower(), dtype=object)
    # code -1 (missing) takes the appended None
    return np.concatenate([labels, np.array([None], dtype=object)])[cat.codes]


def measured_diameter(df: pd.DataFrame, criteria: ResponseCriteria) -> np.ndarray:
    """Measured diameter per row: short axis for nodes, else the criteria's diameter ([1] §3.2).

    With ``criteria.extrahepatic_diameter`` (mRECIST), a non-nodal lesion outside the liver whose
    ``criteria.diameter`` is empty at baseline is measured by that column at every visit, so one
    lesion is never summed in two different measures.
    """
    node = df["is_lymph_node"].to_numpy(dtype=bool)
    main = df[criteria.diameter].to_numpy(float)
    if criteria.extrahepatic_diameter is not None and len(df):
        site = df["site"]
        extra = ~node & site.notna().to_numpy(bool) & ~site.isin(criteria.intrahepatic_sites).to_numpy(bool)
        flag = pd.Series(extra & df["is_baseline_visit"].to_numpy(bool) & np.isnan(main), index=df.index)
        other = flag.groupby([df["patient_id"], df["lesion_id"]], sort=False).transform("max").to_numpy(bool)
        main = np.where(other, df[criteria.extrahepatic_diameter].to_numpy(float), main)
    return np.where(node, df[criteria.node_diameter].to_numpy(float), main)


def _assign_baseline(df: pd.DataFrame, problems: list[ValidationProblem], add) -> tuple[pd.DataFrame, list[Note]]:
    flagged = df["is_baseline"].fillna(False).to_numpy(dtype=bool)
    flagged_dates = df.loc[flagged].groupby("patient_id")["visit_date"].agg(["min", "nunique"])
    two = df["patient_id"].isin(flagged_dates.index[flagged_dates["nunique"] > 1]).to_numpy() & flagged
    add(two, "is_baseline", "is_baseline", "a single baseline visit per patient", "two_baselines")
    first = df.groupby("patient_id")["visit_date"].transform("min")
    df["baseline_date"] = df["patient_id"].map(flagged_dates["min"]).fillna(first).astype("datetime64[ns]")
    before = (df["visit_date"] < df["baseline_date"]).to_numpy()
    notes: list[Note] = []
    if before.any():
        notes.append(Note("lesion rows dated before the patient's flagged baseline visit were not used",
                          int(before.sum()), {"patients": sorted(map(str, df.loc[before, "patient_id"].unique()))}))
        df = df.loc[~before].copy()
    df["is_baseline_visit"] = (df["visit_date"] == df["baseline_date"]).to_numpy()
    return df, notes


def _selection_warnings(df: pd.DataFrame, measure: np.ndarray, criteria: ResponseCriteria) -> list[ValidationProblem]:
    """Warnings for baseline targets beyond the limits ([1] §3.3.2) or below measurable size ([1] §3.1.1).

    Counts are grouped once; Python only loops over the offending patients to word the warnings.
    """
    base_t = df["is_baseline_visit"].to_numpy() & (df["lesion_type"] == "target").to_numpy()
    t = df.loc[base_t, ["patient_id", "visit_date", "lesion_id", "site", "is_lymph_node"]].assign(m=measure[base_t])
    out: list[ValidationProblem] = []
    total = t.groupby("patient_id").agg(n=("lesion_id", "size"), visit=("visit_date", "first"))
    for pid, n, visit in total.loc[total["n"] > criteria.max_targets].itertuples(name=None):
        out.append(ValidationProblem(TABLE, str(pid), "lesion_type", f"{n} target lesions",
                                     f"at most {criteria.max_targets} target lesions in total (RECIST 1.1 §3.3.2)",
                                     "warning", "too_many_targets", f"visit {_visit(visit)}"))
    per_site = t.dropna(subset=["site"]).groupby(["patient_id", "site"]).size().rename("n").reset_index()
    over = per_site.loc[per_site["n"] > criteria.max_targets_per_site]
    for pid, site, n in over.itertuples(index=False, name=None):
        out.append(ValidationProblem(TABLE, str(pid), "site", f"{n} target lesions in {site}",
                                     f"at most {criteria.max_targets_per_site} target lesions per organ "
                                     "(RECIST 1.1 §3.3.2)", "warning", "too_many_targets_per_site"))
    node = t["is_lymph_node"].to_numpy(bool)
    minimum = np.where(node, criteria.min_target_node_mm, criteria.min_target_mm)
    small = t.assign(minimum=minimum, kind=np.where(node, "node short axis", "diameter")).loc[t["m"].to_numpy() < minimum]
    cols = ["patient_id", "visit_date", "lesion_id", "m", "minimum", "kind"]
    for pid, visit, lid, m, lim, kind in small[cols].itertuples(index=False, name=None):
        out.append(ValidationProblem(TABLE, str(pid), criteria.diameter, f"{m:g}",
                                     f"a measurable target at baseline ({kind} >= {lim:g} mm, RECIST 1.1 §3.1.1)",
                                     "warning", "target_not_measurable", f"visit {_visit(visit)}, lesion {lid}"))
    return out


def _collector(df: pd.DataFrame, problems: list[ValidationProblem]):
    """A function adding one problem per True row of a mask, naming patient, visit and lesion."""

    def add(mask, column: str, value_col: str, expected: str, rule: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        sub = df.loc[mask, ["patient_id", "visit_date", "lesion_id", value_col]]
        for pid, visit, lid, value in sub.itertuples(index=False, name=None):
            problems.append(ValidationProblem(
                TABLE, None if pd.isna(pid) else str(pid), column, "" if _isna(value) else _text(value),
                expected, "error", rule, f"visit {_visit(visit)}, lesion {'?' if _isna(lid) else lid}"))

    return add


def _isna(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _visit(visit) -> str:
    return "?" if _isna(visit) else pd.Timestamp(visit).strftime("%Y-%m-%d")
