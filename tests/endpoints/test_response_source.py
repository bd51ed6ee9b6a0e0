"""Progression date resolution, adequate assessments and the choice of response source."""

from __future__ import annotations

import pandas as pd

from oncocohort.endpoints import (
    ResponseData,
    derive_adequate_assessments,
    evaluate_study_responses,
    resolve_progression_date,
)
from oncocohort.protocol.schema import ResponseSettings

T = pd.Timestamp


def test_progression_recorded_and_derived_uses_earlier_date_with_note():
    recorded = pd.Series([T("2024-05-01"), T("2024-03-01"), pd.NaT, T("2024-02-01")], index=["a", "b", "c", "d"])
    derived = pd.Series([T("2024-04-22"), T("2024-04-22"), T("2024-06-17")], index=["a", "b", "c"])
    out, notes = resolve_progression_date(recorded, derived, derived_source="lesions (mrecist)")
    # a: derived earlier; b: recorded earlier; c: derived only; d: recorded only
    assert out.loc["a", "progression_date"] == T("2024-04-22")
    assert out.loc["b", "progression_date"] == T("2024-03-01")
    assert out.loc["c", "progression_date"] == T("2024-06-17")
    assert out.loc["d", "progression_date"] == T("2024-02-01")
    assert out.loc["a", "progression_source"].startswith("lesions (mrecist); earlier")
    assert out.loc["b", "progression_source"].startswith("recorded; earlier")
    assert out.loc["c", "progression_source"] == "lesions (mrecist)"
    assert out.loc["d", "progression_source"] == "recorded"
    assert len(notes) == 1 and notes[0].count == 2
    assert set(notes[0].details["patients"]) == {"a", "b"}


def test_no_note_when_only_one_source():
    out, notes = resolve_progression_date(pd.Series([T("2024-01-05")], index=["a"]),
                                          pd.Series([], dtype="datetime64[ns]"), derived_source="visit_responses")
    assert notes == () and out.loc["a", "progression_source"] == "recorded"


def test_adequate_assessments_skip_ne_and_baseline_and_fall_back_to_patient_dates():
    visits = pd.DataFrame({"patient_id": ["a", "a", "a", "a"],
                           "visit_date": pd.to_datetime(["2024-01-01", "2024-02-26", "2024-04-22", "2024-06-17"]),
                           "is_baseline": [True, False, False, False],
                           "overall_response": [None, "SD", "NE", "PD"]})
    responses = ResponseData(visits, pd.DataFrame({"patient_id": []}), "lesions (mrecist)")
    patients = pd.DataFrame({"patient_id": ["a", "b"],
                             "last_assessment_date": pd.to_datetime([pd.NaT, "2024-05-05"]),
                             "progression_date": pd.to_datetime([pd.NaT, "2024-07-01"])})
    out = derive_adequate_assessments(responses, patients)
    got = {(p, str(d.date())) for p, d in zip(out["patient_id"], out["assessment_date"])}
    assert got == {("a", "2024-02-26"), ("a", "2024-06-17"), ("b", "2024-05-05"), ("b", "2024-07-01")}


def test_source_order_lesions_then_visit_responses_then_recorded():
    patients = pd.DataFrame({"patient_id": ["a"], "treatment_start_date": pd.to_datetime(["2024-01-01"])})
    settings = ResponseSettings(criteria="recist1.1")
    vr = pd.DataFrame({"patient_id": ["a", "a"], "visit_date": pd.to_datetime(["2024-02-26", "2024-04-22"]),
                       "overall_response": ["PR", "PD"]})
    got = evaluate_study_responses({"patients": patients, "visit_responses": vr,
                                    "lesions": pd.DataFrame({"patient_id": []})}, settings)
    assert got.source == "visit_responses"
    assert got.best.set_index("patient_id").loc["a", "progression_date"] == T("2024-04-22")
    assert evaluate_study_responses({"patients": patients}, settings).source == "recorded"
    lesions = pd.DataFrame({
        "patient_id": ["a"] * 3, "visit_date": pd.to_datetime(["2024-01-01", "2024-02-26", "2024-04-22"]),
        "lesion_id": ["T1"] * 3, "lesion_type": ["target"] * 3, "is_lymph_node": [False] * 3,
        "longest_diameter_mm": [40.0, 20.0, 40.0], "short_axis_mm": [float("nan")] * 3,
        "viable_diameter_mm": [float("nan")] * 3, "nontarget_status": [None] * 3})
    got = evaluate_study_responses({"patients": patients, "lesions": lesions, "visit_responses": vr}, settings)
    assert got.source == "lesions (recist1.1)"
    best = got.best.set_index("patient_id").loc["a"]
    # 40 → 20 mm is −50 % (PR); 20 → 40 mm is +100 % over the nadir and +20 mm → PD at 2024-04-22
    assert best["best_response"] == "PR" and best["progression_date"] == T("2024-04-22")


def test_visit_responses_without_treatment_start_left_out_with_note():
    patients = pd.DataFrame({"patient_id": ["a", "b"], "treatment_start_date": pd.to_datetime(["2024-01-01", None])})
    vr = pd.DataFrame({"patient_id": ["a", "b"], "visit_date": pd.to_datetime(["2024-02-26", "2024-02-26"]),
                       "overall_response": ["SD", "SD"]})
    got = evaluate_study_responses({"patients": patients, "visit_responses": vr},
                                   ResponseSettings(criteria="mrecist", min_sd_days=42))
    assert got.best["patient_id"].tolist() == ["a"]
    assert any("without treatment_start_date" in n.message and n.count == 1 for n in got.notes)


def test_assessments_after_the_data_cutoff_are_not_used():
    """A CR seen after the cutoff is not the best response and a post-cutoff scan is not the last
    adequate assessment (PFS would otherwise run to the cutoff without a scan in between)."""
    patients = pd.DataFrame({"patient_id": ["a"], "treatment_start_date": pd.to_datetime(["2024-01-01"])})
    settings = ResponseSettings(criteria="recist1.1")
    lesions = pd.DataFrame({
        "patient_id": ["a"] * 4,
        "visit_date": pd.to_datetime(["2024-01-01", "2024-02-26", "2025-08-01", "2025-09-29"]),
        "lesion_id": ["T1"] * 4, "lesion_type": ["target"] * 4, "is_lymph_node": [False] * 4,
        "longest_diameter_mm": [40.0, 36.0, 0.0, 0.0], "short_axis_mm": [float("nan")] * 4,
        "viable_diameter_mm": [float("nan")] * 4, "nontarget_status": [None] * 4})
    vr = pd.DataFrame({"patient_id": ["a", "a"], "visit_date": pd.to_datetime(["2024-02-26", "2025-08-01"]),
                       "overall_response": ["SD", "PD"]})
    whole = evaluate_study_responses({"patients": patients, "lesions": lesions}, settings)
    assert whole.best.set_index("patient_id").loc["a", "best_response"] == "CR"  # without a cutoff
    got = evaluate_study_responses({"patients": patients, "lesions": lesions}, settings,
                                   data_cutoff=T("2025-06-30"))
    assert got.best.set_index("patient_id").loc["a", "best_response"] == "SD"
    (note,) = [n for n in got.notes if "after the data cutoff" in n.message]
    assert note.count == 2 and note.details["patient_ids"] == ["a"] and note.message.startswith("lesions:")
    assessed = derive_adequate_assessments(got, patients.assign(last_assessment_date=pd.NaT, progression_date=pd.NaT))
    assert assessed["assessment_date"].max() == T("2024-02-26")
    got = evaluate_study_responses({"patients": patients, "visit_responses": vr}, settings,
                                   data_cutoff=T("2025-06-30"))
    best = got.best.set_index("patient_id").loc["a"]
    assert best["best_response"] == "SD" and pd.isna(best["progression_date"])
