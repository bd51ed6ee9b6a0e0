"""The ADAE-like adverse-event table: every recorded event, its CTCAE term, window and inclusion.

Source: CDISC ADaM OCCDS v1.0 (ADAE: one row per recorded event, TRTEMFL, analysis flags); CTCAE
v5.0 term list; the protocol's ``safety`` section. Rules live in :mod:`oncocohort.endpoints.safety`
and :mod:`oncocohort.endpoints.ctcae`; this module only assembles them.
"""

from __future__ import annotations

import pandas as pd

from oncocohort.endpoints.ctcae import check_adverse_event_terms, flag_grade_defined, map_ctcae_terms
from oncocohort.endpoints.safety import (
    ON_TREATMENT,
    assign_procedure_window,
    assign_reporting_group,
    check_grade5_against_deaths,
    derive_treatment_exposure,
    flag_treatment_emergent_ae,
)
from oncocohort.errors import InputError, Note, ValidationProblem
from oncocohort.protocol.schema import SafetySettings

ADAE_COLUMNS = ("patient_id", "arm", "term", "ctcae_term", "reporting_group", "grade", "onset_date", "onset_time",
                "attribution", "window", "included", "exclusion_reason", "term_known", "term_match", "grade_defined",
                "procedure", "procedure_date", "hours_after_procedure", "serious", "resolution_date", "ctcae_version")


def _require(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(table, f"missing template column(s) {missing}; present: {list(frame.columns)}")


def empty_adae() -> pd.DataFrame:
    """An ADAE table with no rows and the documented columns (typed as in a non-empty one)."""
    dtypes = {"grade": "Int64", "included": bool, "term_known": bool, "grade_defined": bool,
              "onset_date": "datetime64[ns]", "procedure_date": "datetime64[ns]", "resolution_date": "datetime64[ns]",
              "hours_after_procedure": "float64", "serious": "boolean"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "string")) for c in ADAE_COLUMNS})


def derive_adae(adverse_events: pd.DataFrame, treatments: pd.DataFrame, patients: pd.DataFrame,
                analysed: pd.Series, safety: SafetySettings, *, data_cutoff: pd.Timestamp
                ) -> tuple[pd.DataFrame, tuple[ValidationProblem, ...], tuple[Note, ...]]:
    """Every recorded adverse event with its CTCAE term, reporting group, window and inclusion flag.

    Steps
    -----
    1. CTCAE term and whether the recorded term is known (:func:`map_ctcae_terms`); whether the grade
       exists for the term (:func:`flag_grade_defined`).
    2. Reporting group (:func:`assign_reporting_group`).
    3. Window: a procedure-attributed event inside a procedure window gets that window
       (:func:`assign_procedure_window`); else an event inside the treatment-emergent window
       (:func:`flag_treatment_emergent_ae`) gets ``"on-treatment"``; else none.
    4. ``included`` = analysed patient, onset on or before the data cutoff, and a window. Otherwise
       ``exclusion_reason`` is ``patient_not_analysed``, ``after_data_cutoff``, or why it is outside
       the windows (``before_first_dose``, ``after_treatment_window``, ``no_treatment_start``,
       prefixed ``outside_procedure_windows;`` for procedure-attributed events).
    5. Warnings: unknown terms, undefined grades, grade-5 events without a matching death.
    """
    if adverse_events is None or not len(adverse_events):
        return empty_adae(), (), ()
    _require(adverse_events, "adverse_events", ("patient_id", "term", "grade", "onset_date"))
    if len(treatments):
        _require(treatments, "treatments", ("patient_id", "kind", "name", "start_date", "end_date", "stop_reason"))
    ae = adverse_events.reset_index(drop=True).copy()
    ae["patient_id"] = ae["patient_id"].astype(str)
    pid = patients["patient_id"].astype(str)
    arm = pd.Series(patients["arm"].astype("string").to_numpy(), index=pid)
    cutoff = pd.Timestamp(data_cutoff)

    terms = map_ctcae_terms(ae["term"], synonyms=safety.synonyms)
    grade = pd.to_numeric(ae["grade"], errors="coerce").astype("Int64")
    with_events = patients[patients["patient_id"].astype(str).isin(set(ae["patient_id"]))]
    exposure, notes = derive_treatment_exposure(treatments, with_events, data_cutoff=cutoff)
    te_reason = flag_treatment_emergent_ae(ae, exposure, days_after_last_dose=safety.days_after_last_dose,
                                           data_cutoff=cutoff)
    proc = assign_procedure_window(ae, treatments, procedures=safety.procedures, windows=safety.procedure_windows)
    attribution = ae.get("attribution", pd.Series(pd.NA, index=ae.index)).astype("string")
    is_proc = (attribution == "procedure").fillna(False)
    window = pd.Series(pd.NA, index=ae.index, dtype="string")
    window = window.mask(te_reason.isna(), ON_TREATMENT)
    window = window.mask(is_proc & proc["window"].notna(), proc["window"])

    is_analysed = ae["patient_id"].map(analysed.set_axis(analysed.index.astype(str))).fillna(False).astype(bool)
    late = ae["onset_date"] > cutoff
    reason = te_reason.where(window.isna(), pd.NA)
    reason = reason.mask(is_proc & window.isna(), "outside_procedure_windows;" + te_reason.fillna(""))
    reason = reason.str.rstrip(";")
    reason = reason.mask(late.fillna(False), "after_data_cutoff").mask(~is_analysed, "patient_not_analysed")
    included = is_analysed & ~late.fillna(False) & window.notna()

    out = pd.DataFrame({
        "patient_id": ae["patient_id"],
        "arm": ae["patient_id"].map(arm).astype("string"),
        "term": ae["term"].astype("string"),
        "ctcae_term": terms["ctcae_term"],
        "reporting_group": assign_reporting_group(ae["term"], terms["ctcae_term"], safety.reporting_groups),
        "grade": grade,
        "onset_date": ae["onset_date"].astype("datetime64[ns]"),
        "onset_time": ae.get("onset_time", pd.Series(pd.NA, index=ae.index)).astype("string"),
        "attribution": attribution,
        "window": window,
        "included": included.astype(bool),
        "exclusion_reason": reason.where(~included, pd.NA).astype("string"),
        "term_known": terms["term_known"],
        "term_match": terms["term_match"],
        "grade_defined": flag_grade_defined(terms["ctcae_term"], grade),
        "procedure": proc["procedure"],
        "procedure_date": proc["procedure_date"],
        "hours_after_procedure": proc["hours"].astype("float64"),
        "serious": ae.get("serious", pd.Series(pd.NA, index=ae.index)).astype("boolean"),
        "resolution_date": ae.get("resolution_date", pd.Series(pd.NaT, index=ae.index)).astype("datetime64[ns]"),
        "ctcae_version": safety.ctcae_version,
    })
    if "onset_time" in ae and is_proc.any() and "start_time" not in treatments:
        timed = int((is_proc & ae["onset_time"].notna()).sum())
        if timed:
            notes += (Note("procedure start times not recorded: hours after procedure counted from 00:00 of the "
                           "procedure day for events with onset_time", timed),)
    if safety.ctcae_version != "5.0":
        notes += (Note(f"CTCAE v{safety.ctcae_version} terms checked against the CTCAE v5.0 term list"),)
    problems = check_adverse_event_terms(out, ctcae_version=safety.ctcae_version)
    problems += check_grade5_against_deaths(out, patients)
    excluded = int((~out["included"]).sum())
    if excluded:
        notes += (Note("adverse events outside every window or population kept as excluded rows", excluded,
                       {"by_reason": out["exclusion_reason"].value_counts().to_dict()}),)
    return out, problems, notes
