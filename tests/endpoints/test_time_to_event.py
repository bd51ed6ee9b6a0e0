"""Each censoring rule pinned with small hand-made patients; expected times are worked out in the comments.

Origin 2024-01-01 throughout unless stated; scheduled assessments every 56 days (day 56 = 2024-02-26,
day 112 = 2024-04-22, day 168 = 2024-06-17). Data cutoff 2025-06-30 unless stated.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.endpoints import (
    DAYS_PER_MONTH,
    derive_duration_of_response,
    derive_endpoint,
    derive_overall_survival,
    derive_progression_free_survival,
    derive_time_to_progression,
)
from oncocohort.protocol.schema import EndpointRule

T = pd.Timestamp
CUTOFF = T("2025-06-30")
START = "2024-01-01"
OS = EndpointRule(events=["death"], censor_at="last_contact")
PFS = EndpointRule(events=["progression", "death"], censor_at="last_adequate_assessment")
TTP = EndpointRule(events=["progression"], censor_at="last_adequate_assessment")


def subjects(*rows: dict) -> pd.DataFrame:
    cols = ("treatment_start_date", "diagnosis_date", "enrollment_date", "death_date", "last_contact_date",
            "progression_date", "new_therapy_date", "first_response_date")
    df = pd.DataFrame(list(rows))
    for c in cols:
        df[c] = pd.to_datetime(df[c]) if c in df else pd.NaT
        df[c] = df[c].astype("datetime64[ns]")
    df["arm"] = "a"
    df["progression_source"] = "lesions (mrecist)"
    if "treatment_start_date" in df:
        df["treatment_start_date"] = df["treatment_start_date"].fillna(T(START))
    return df.set_index("patient_id")


def assessments(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"patient_id": [p for p, _ in pairs],
                         "assessment_date": pd.to_datetime([d for _, d in pairs]).astype("datetime64[ns]")})


def row(frame: pd.DataFrame, pid: str) -> pd.Series:
    return frame.set_index("patient_id").loc[pid]


def run(subj, ass, rule, endpoint="pfs", cutoff=CUTOFF, interval=56):
    out, notes = derive_endpoint(subj, ass, rule, endpoint=endpoint, data_cutoff=cutoff,
                                 assessment_interval_days=interval)
    return out, notes


# --- OS ------------------------------------------------------------------------------------------

def test_os_death_is_event_and_alive_censored_at_last_contact():
    subj = subjects({"patient_id": "dead", "death_date": "2024-03-01", "last_contact_date": "2024-03-01"},
                    {"patient_id": "alive", "last_contact_date": "2024-07-01"})
    out, _ = derive_overall_survival(subj, OS, data_cutoff=CUTOFF)
    dead, alive = row(out, "dead"), row(out, "alive")
    # 2024-01-01 → 2024-03-01: 31 + 29 = 60 days (leap year)
    assert (dead.event, dead.time_days, dead.event_source) == (1, 60, "death")
    assert pd.isna(dead.censor_reason)
    # 2024-01-01 → 2024-07-01: 182 days; months = 182 / 30.4375
    assert (alive.event, alive.time_days, alive.censor_reason) == (0, 182, "alive_at_last_contact")
    assert alive.time_months == pytest.approx(182 / 30.4375)
    assert DAYS_PER_MONTH == 30.4375


def test_os_death_after_cutoff_is_censored_at_cutoff():
    subj = subjects({"patient_id": "late", "death_date": "2024-08-01", "last_contact_date": "2024-08-01"},
                    {"patient_id": "contact", "last_contact_date": "2024-09-01"})
    out, _ = derive_overall_survival(subj, OS, data_cutoff=T("2024-06-30"))
    late, contact = row(out, "late"), row(out, "contact")
    # cutoff 2024-06-30 is day 181
    assert (late.event, late.time_days, late.censor_reason) == (0, 181, "event_after_data_cutoff")
    assert (contact.event, contact.time_days, contact.censor_reason) == (0, 181, "data_cutoff")


def test_os_origin_diagnosis_and_max_follow_up():
    rule = EndpointRule(events=["death"], origin="diagnosis", max_follow_up_months=12)
    subj = subjects({"patient_id": "long", "diagnosis_date": "2023-01-01", "last_contact_date": "2024-06-01"},
                    {"patient_id": "event_at_limit", "diagnosis_date": "2023-01-01", "death_date": "2024-01-01",
                     "last_contact_date": "2024-01-01"})
    out, _ = derive_endpoint(subj, assessments([]), rule, endpoint="os", data_cutoff=CUTOFF)
    # 12 months = floor(12 * 30.4375) = floor(365.25) = 365 days → 2024-01-01
    long = row(out, "long")
    assert (long.event, long.time_days, long.censor_reason) == (0, 365, "max_follow_up")
    assert long.end_date == T("2024-01-01")
    # a death on day 365 is inside the limit and stays an event
    assert row(out, "event_at_limit").event == 1


# --- PFS -----------------------------------------------------------------------------------------

def test_pfs_progression_event_and_censoring_at_last_adequate_assessment():
    subj = subjects({"patient_id": "pd", "progression_date": "2024-04-22", "last_contact_date": "2024-08-01"},
                    {"patient_id": "free", "last_contact_date": "2024-12-01"})
    ass = assessments([("pd", "2024-02-26"), ("pd", "2024-04-22"), ("free", "2024-02-26"), ("free", "2024-06-17")])
    out, _ = run(subj, ass, PFS)
    pd_, free = row(out, "pd"), row(out, "free")
    assert (pd_.event, pd_.time_days, pd_.event_source) == (1, 112, "progression: lesions (mrecist)")
    # censored at the last adequate assessment (day 168), not at last contact (day 335)
    assert (free.event, free.time_days, free.censor_reason) == (0, 168, "no_event_at_last_adequate_assessment")


def test_pfs_death_before_first_scheduled_assessment_is_event_even_with_missed_visit_rule():
    rule = PFS.model_copy(update={"censor_after_missed_assessments": 2})
    subj = subjects({"patient_id": "early_death", "death_date": "2024-01-31", "last_contact_date": "2024-01-31"})
    out, _ = run(subj, assessments([]), rule)
    r = row(out, "early_death")
    # no assessment yet; death on day 30 < first scheduled assessment (day 56) → event at death
    assert (r.event, r.time_days, r.event_source) == (1, 30, "death")


def test_pfs_alive_without_post_baseline_assessment_censored_at_day_0():
    subj = subjects({"patient_id": "no_scan", "last_contact_date": "2024-05-01"})
    # a baseline scan before treatment start is not post-baseline
    out, _ = run(subj, assessments([("no_scan", "2023-12-20"), ("no_scan", "2024-01-01")]), PFS)
    r = row(out, "no_scan")
    assert (r.event, r.time_days, r.censor_reason) == (0, 0, "no_adequate_post_baseline_assessment")
    assert r.end_date == T(START)


def test_day_0_censoring_is_noted_and_an_evaluated_best_response_flagged():
    """Patients-only studies without last_assessment_date: a patient with a recorded PR was assessed,
    yet is censored at day 0 (FDA Table A); the note lists every day-0 patient and flags that one."""
    subj = subjects({"patient_id": "pr_no_date", "last_contact_date": "2024-09-01"},
                    {"patient_id": "never_assessed", "last_contact_date": "2024-09-01"},
                    {"patient_id": "scanned", "last_contact_date": "2024-09-01"})
    subj["best_response"] = pd.Series(["PR", pd.NA, "SD"], index=subj.index, dtype="string")
    out, notes = run(subj, assessments([("scanned", "2024-02-26")]), PFS)
    assert row(out, "pr_no_date").time_days == 0 and row(out, "scanned").time_days == 56
    (note,) = [n for n in notes if "day 0" in n.message]
    assert note.count == 2 and note.details["patient_ids"] == ["pr_no_date", "never_assessed"]
    assert "1 of them have an evaluated best response" in note.message
    assert "patients.last_assessment_date" in note.message
    _, os_notes = derive_overall_survival(subj, OS, data_cutoff=CUTOFF)
    assert not [n for n in os_notes if "day 0" in n.message]  # OS is not assessment-based


def test_pfs_new_therapy_before_progression_censors_at_last_assessment_before_it():
    rule = PFS.model_copy(update={"censor_at_new_therapy": True})
    subj = subjects(
        # scans day 56, 112; new therapy 2024-05-01 (day 121); PD 2024-06-17 → censored at day 112
        {"patient_id": "switch", "new_therapy_date": "2024-05-01", "progression_date": "2024-06-17",
         "last_contact_date": "2024-09-01"},
        # new therapy after progression: the progression stands
        {"patient_id": "after_pd", "new_therapy_date": "2024-05-01", "progression_date": "2024-04-22",
         "last_contact_date": "2024-09-01"},
        # new therapy on the day of a scan: that scan counts as before it → censored on that day (day 56)
        {"patient_id": "same_day", "new_therapy_date": "2024-02-26", "death_date": "2024-08-01",
         "last_contact_date": "2024-08-01"},
        # new therapy before any post-baseline scan → censored at the origin
        {"patient_id": "before_scan", "new_therapy_date": "2024-01-20", "last_contact_date": "2024-09-01"})
    ass = assessments([("switch", "2024-02-26"), ("switch", "2024-04-22"), ("switch", "2024-06-17"),
                       ("after_pd", "2024-02-26"), ("after_pd", "2024-04-22"),
                       ("same_day", "2024-02-26"), ("before_scan", "2024-02-26")])
    out, _ = run(subj, ass, rule)
    assert tuple(row(out, "switch")[["event", "time_days", "censor_reason"]]) == (0, 112, "new_anticancer_therapy")
    assert tuple(row(out, "after_pd")[["event", "time_days"]]) == (1, 112)
    assert tuple(row(out, "same_day")[["event", "time_days", "censor_reason"]]) == (0, 56, "new_anticancer_therapy")
    assert tuple(row(out, "before_scan")[["event", "time_days", "censor_reason"]]) == (0, 0, "new_anticancer_therapy")


def test_pfs_without_new_therapy_option_ignores_new_therapy():
    subj = subjects({"patient_id": "switch", "new_therapy_date": "2024-05-01", "progression_date": "2024-06-17",
                     "last_contact_date": "2024-09-01"})
    out, _ = run(subj, assessments([("switch", "2024-04-22"), ("switch", "2024-06-17")]), PFS)
    assert tuple(row(out, "switch")[["event", "time_days"]]) == (1, 168)


def test_pfs_event_after_two_missed_assessments_censored_at_last_adequate_assessment():
    rule = PFS.model_copy(update={"censor_after_missed_assessments": 2})
    subj = subjects(
        # last scan day 56; PD at day 169 (2024-06-18): gap 113 > 2·56 → censored at day 56
        {"patient_id": "gap", "progression_date": "2024-06-18", "last_contact_date": "2024-07-01"},
        # PD found at the scheduled day-168 scan after a day-56 scan: gap 112 = 2·56 → one missed, event
        {"patient_id": "one_missed", "progression_date": "2024-06-17", "last_contact_date": "2024-07-01"},
        # death with no scan at all, day 121 (2024-05-01) > 112 → censored at the origin
        {"patient_id": "death_no_scan", "death_date": "2024-05-01", "last_contact_date": "2024-05-01"})
    ass = assessments([("gap", "2024-02-26"), ("gap", "2024-06-18"), ("one_missed", "2024-02-26"),
                       ("one_missed", "2024-06-17")])
    out, _ = run(subj, ass, rule)
    assert tuple(row(out, "gap")[["event", "time_days", "censor_reason"]]) == (0, 56, "event_after_missed_assessments")
    assert tuple(row(out, "one_missed")[["event", "time_days"]]) == (1, 168)
    assert tuple(row(out, "death_no_scan")[["event", "time_days", "censor_reason"]]) == (
        0, 0, "event_after_missed_assessments")


def test_pfs_progression_after_cutoff_censored_at_last_assessment_before_cutoff():
    subj = subjects({"patient_id": "late_pd", "progression_date": "2024-06-17", "last_contact_date": "2024-07-01"},
                    {"patient_id": "late_death", "death_date": "2024-08-01", "last_contact_date": "2024-08-01"},
                    {"patient_id": "summary_only", "progression_date": "2024-06-17",
                     "last_contact_date": "2024-07-01"})
    ass = assessments([("late_pd", "2024-02-26"), ("late_pd", "2024-06-17"), ("late_death", "2024-02-26"),
                       ("late_death", "2024-04-22"), ("summary_only", "2024-06-17")])
    out, _ = run(subj, ass, PFS, cutoff=T("2024-05-31"))
    # cutoff 2024-05-31 = day 151; the last scan on or before it is day 56 (late_pd), day 112 (late_death):
    # progression-free is documented up to that scan, not up to the cutoff (FDA Tables A-B)
    assert tuple(row(out, "late_pd")[["event", "time_days", "censor_reason"]]) == (0, 56, "event_after_data_cutoff")
    assert tuple(row(out, "late_death")[["event", "time_days", "censor_reason"]]) == (0, 112,
                                                                                      "event_after_data_cutoff")
    # no assessment on or before the cutoff is known: the cutoff itself
    assert tuple(row(out, "summary_only")[["event", "time_days"]]) == (0, 151)
    os_out, _ = derive_overall_survival(subj, OS, data_cutoff=T("2024-05-31"))
    assert row(os_out, "late_death").time_days == 151  # OS (last contact) still at the cutoff


def test_pfs_origin_enrollment_with_max_follow_up():
    rule = PFS.model_copy(update={"origin": "enrollment", "max_follow_up_months": 2})
    subj = subjects({"patient_id": "p", "enrollment_date": "2024-01-11", "progression_date": "2024-06-17",
                     "last_contact_date": "2024-07-01"})
    out, _ = run(subj, assessments([("p", "2024-02-26"), ("p", "2024-06-17")]), rule)
    # limit floor(2 * 30.4375) = 60 days from 2024-01-11 → 2024-03-11; PD on day 158 is beyond → censored
    # at the last adequate assessment within the limit, 2024-02-26 (day 46), not at the limit itself
    r = row(out, "p")
    assert (r.event, r.time_days, r.censor_reason, r.end_date) == (0, 46, "max_follow_up", T("2024-02-26"))
    out, _ = run(subj, assessments([("p", "2024-06-17")]), rule)  # no assessment within the limit
    assert tuple(row(out, "p")[["time_days", "end_date"]]) == (60, T("2024-03-11"))


def test_progression_and_death_same_day_counts_as_progression():
    subj = subjects({"patient_id": "p", "progression_date": "2024-03-01", "death_date": "2024-03-01",
                     "last_contact_date": "2024-03-01"})
    out, _ = run(subj, assessments([("p", "2024-03-01")]), PFS)
    assert row(out, "p").event_source.startswith("progression")


# --- TTP and DoR ---------------------------------------------------------------------------------

def test_ttp_death_without_progression_is_censored():
    subj = subjects({"patient_id": "died", "death_date": "2024-05-01", "last_contact_date": "2024-05-01"},
                    {"patient_id": "pd", "progression_date": "2024-04-22", "last_contact_date": "2024-05-01"})
    ass = assessments([("died", "2024-02-26"), ("pd", "2024-02-26"), ("pd", "2024-04-22")])
    out, _ = derive_time_to_progression(subj, ass, TTP, data_cutoff=CUTOFF, assessment_interval_days=56)
    assert tuple(row(out, "died")[["event", "time_days", "censor_reason"]]) == (0, 56, "death_without_progression")
    assert tuple(row(out, "pd")[["event", "time_days"]]) == (1, 112)


def test_dor_runs_from_first_response_and_skips_patients_without_one():
    rule = EndpointRule(events=["progression", "death"], censor_at="last_adequate_assessment")
    subj = subjects({"patient_id": "resp", "first_response_date": "2024-02-26", "progression_date": "2024-06-17",
                     "last_contact_date": "2024-07-01"},
                    {"patient_id": "ongoing", "first_response_date": "2024-02-26", "last_contact_date": "2024-07-01"},
                    {"patient_id": "none", "last_contact_date": "2024-07-01"})
    ass = assessments([("resp", "2024-02-26"), ("resp", "2024-04-22"), ("resp", "2024-06-17"),
                       ("ongoing", "2024-02-26"), ("ongoing", "2024-04-22")])
    out, _ = derive_duration_of_response(subj, ass, rule, data_cutoff=CUTOFF, assessment_interval_days=56)
    assert set(out["patient_id"]) == {"resp", "ongoing"}
    # 2024-02-26 → 2024-06-17 = 112 days
    assert tuple(row(out, "resp")[["event", "time_days"]]) == (1, 112)
    # the response scan itself is day 0 of DoR; next scan 2024-04-22 = day 56
    assert tuple(row(out, "ongoing")[["event", "time_days", "censor_reason"]]) == (
        0, 56, "no_event_at_last_adequate_assessment")


def test_output_columns_and_types():
    subj = subjects({"patient_id": "x", "last_contact_date": "2024-02-01"})
    out, _ = derive_progression_free_survival(subj, assessments([]), PFS, data_cutoff=CUTOFF,
                                              assessment_interval_days=56)
    assert list(out.columns) == ["patient_id", "arm", "endpoint", "origin_date", "end_date", "time_days",
                                 "time_months", "event", "censor_reason", "event_source"]
    assert out["event"].dtype == "int64" and out["time_days"].dtype == "int64" and out["time_months"].dtype == "float64"


def test_missing_origin_is_left_out_with_a_note():
    rule = OS.model_copy(update={"origin": "enrollment"})
    subj = subjects({"patient_id": "x", "last_contact_date": "2024-02-01"})
    out, notes = derive_endpoint(subj, assessments([]), rule, endpoint="os", data_cutoff=CUTOFF)
    assert out.empty and "enrollment_date" in notes[0].message


def test_row_order_does_not_change_results():
    subj = subjects({"patient_id": "a", "progression_date": "2024-04-22", "last_contact_date": "2024-08-01"},
                    {"patient_id": "b", "last_contact_date": "2024-12-01"},
                    {"patient_id": "c", "death_date": "2024-02-01", "last_contact_date": "2024-02-01"})
    ass = assessments([("a", "2024-02-26"), ("b", "2024-06-17"), ("b", "2024-02-26"), ("a", "2024-04-22")])
    one, _ = run(subj, ass, PFS)
    two, _ = run(subj.iloc[::-1], ass.iloc[::-1], PFS)
    pd.testing.assert_frame_equal(one.set_index("patient_id").sort_index(), two.set_index("patient_id").sort_index())


def test_missed_assessment_rule_not_applied_to_summary_dates_only():
    rule = PFS.model_copy(update={"censor_after_missed_assessments": 2})
    # only patients.last_assessment_date / progression_date known (both 2024-07-01, day 182): the gap from the
    # origin cannot be read as missed visits, so the progression stands
    subj = subjects({"patient_id": "summary", "progression_date": "2024-07-01", "last_contact_date": "2024-08-01"})
    ass = assessments([("summary", "2024-07-01")]).assign(source="patients.last_assessment_date")
    out, notes = run(subj, ass, rule)
    assert tuple(row(out, "summary")[["event", "time_days"]]) == (1, 182)
    assert any("missed-assessment rule not applied" in n.message for n in notes)
