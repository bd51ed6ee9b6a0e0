"""Adverse-event windows, exclusion bookkeeping, worst grade, reporting groups, CTCAE checks.

Patient A: drug 2024-01-01 → last dose 2024-03-31, window 90 days after → through 2024-06-29.
Patient B: drug from 2024-01-01 (ongoing), MWA procedure on 2024-01-15.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.endpoints import (
    assign_procedure_window,
    derive_adae,
    derive_worst_grade,
    flag_discontinuation,
    flag_grade_defined,
    map_ctcae_terms,
    summarise_adverse_events,
)
from oncocohort.protocol.schema import ProcedureWindow, SafetySettings

T = pd.Timestamp
CUTOFF = T("2025-06-30")
SAFETY = SafetySettings(
    days_after_last_dose=90, procedures=["MWA"],
    procedure_windows=[ProcedureWindow(name="0–24 h", start_hours=0, end_hours=24),
                       ProcedureWindow(name="1–30 days", start_hours=24, end_hours=720)],
    reporting_groups={"Transaminitis": ["Alanine aminotransferase increased", "Aspartate aminotransferase increased"],
                      "Rash": ["Rash maculo-papular", "Rash acneiform"]})
WINDOWS = SAFETY.procedure_windows


def patients(ids=("A", "B"), arms=("ici", "ici_mwa"), deaths=(None, None)):
    return pd.DataFrame({"patient_id": list(ids), "arm": pd.Series(list(arms), dtype="string"),
                         "treatment_start_date": pd.to_datetime(["2024-01-01"] * len(ids)),
                         "death_date": pd.to_datetime(list(deaths))})


def treatments():
    return pd.DataFrame({"patient_id": ["A", "B", "B"], "kind": ["drug", "drug", "procedure"],
                         "name": ["sintilimab", "camrelizumab", "mwa"],
                         "start_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15"]),
                         "end_date": pd.to_datetime(["2024-03-31", None, None]),
                         "stop_reason": pd.Series(["toxicity", "ongoing", None], dtype="string")})


def events(rows):
    df = pd.DataFrame(rows, columns=["patient_id", "term", "grade", "onset_date", "attribution", "onset_time"])
    df["onset_date"] = pd.to_datetime(df["onset_date"])
    df["resolution_date"] = pd.NaT
    return df


def adae_of(rows, analysed=("A", "B"), pts=None):
    pts = patients() if pts is None else pts
    flag = pd.Series(pts["patient_id"].isin(analysed).to_numpy(), index=pts["patient_id"])
    return derive_adae(events(rows), treatments(), pts, flag, SAFETY, data_cutoff=CUTOFF)


# --- windows -------------------------------------------------------------------------------------

def test_procedure_window_without_onset_time_counts_procedure_day_and_next_as_0_24h():
    ev = events([("B", "Fever", 1, d, "procedure", None)
                 for d in ("2024-01-15", "2024-01-16", "2024-01-17", "2024-02-14", "2024-02-15", "2024-01-14")])
    got = assign_procedure_window(ev, treatments(), procedures=["MWA"], windows=WINDOWS)
    # day difference d → hours 24·max(d−1, 0): d=0,1 → 0 h; d=2 → 24 h; d=30 → 696 h; d=31 → 720 h (outside);
    # the day before the procedure has no procedure on or before it
    assert got["hours"].tolist()[:5] == [0.0, 0.0, 24.0, 696.0, 720.0]
    assert got["window"].tolist()[:5] == ["procedure 0–24 h", "procedure 0–24 h", "procedure 1–30 days",
                                          "procedure 1–30 days", pd.NA]
    assert pd.isna(got["window"].iloc[5]) and pd.isna(got["procedure_date"].iloc[5])


def test_procedure_window_with_onset_time_uses_exact_hours():
    ev = events([("B", "Fever", 1, "2024-01-15", "procedure", "18:00"),
                 ("B", "Fever", 1, "2024-01-16", "procedure", "10:00")])
    got = assign_procedure_window(ev, treatments(), procedures=["MWA"], windows=WINDOWS)
    # counted from 00:00 of the procedure day: 18 h → 0–24 h; next day 10:00 = 34 h → 1–30 days
    assert got["hours"].tolist() == [18.0, 34.0]
    assert got["window"].tolist() == ["procedure 0–24 h", "procedure 1–30 days"]
    # with a recorded procedure start time (14:00) the next morning is 20 h after it
    tr = treatments().assign(start_time=[None, None, "14:00"])
    got = assign_procedure_window(ev, tr, procedures=["MWA"], windows=WINDOWS)
    assert got["hours"].tolist() == [4.0, 20.0]
    assert got["window"].tolist() == ["procedure 0–24 h", "procedure 0–24 h"]


def test_events_outside_every_window_are_kept_as_excluded_with_reason():
    rows = [("A", "Fatigue", 1, "2024-02-01", "treatment", None),      # on treatment
            ("A", "Fatigue", 2, "2024-06-29", "treatment", None),      # last dose + 90 days: still inside
            ("A", "Fatigue", 2, "2024-06-30", "treatment", None),      # day 91 after last dose: outside
            ("A", "Nausea", 1, "2023-12-30", "treatment", None),       # before first dose
            ("B", "Fever", 2, "2024-03-01", "procedure", None),        # 46 days after MWA, but on ongoing drug
            ("B", "Pain", 1, "2023-12-01", "procedure", None),         # before everything
            ("B", "Fever", 1, "2025-07-01", "treatment", None)]        # after the data cutoff
    adae, _, notes = adae_of(rows)
    assert len(adae) == len(rows)  # nothing lost
    assert adae["included"].tolist() == [True, True, False, False, True, False, False]
    assert adae["window"].tolist()[:2] == ["on-treatment", "on-treatment"]
    assert adae["window"].iloc[4] == "on-treatment"
    reasons = adae["exclusion_reason"].tolist()
    assert reasons[2] == "after_treatment_window" and reasons[3] == "before_first_dose"
    assert reasons[5] == "outside_procedure_windows;before_first_dose"
    assert reasons[6] == "after_data_cutoff"
    assert pd.isna(reasons[0])
    assert any("kept as excluded" in n.message and n.count == 4 for n in notes)


def test_events_of_patients_not_analysed_are_excluded_not_dropped():
    adae, _, _ = adae_of([("A", "Fatigue", 1, "2024-02-01", "treatment", None)], analysed=("B",))
    assert not adae["included"].iloc[0] and adae["exclusion_reason"].iloc[0] == "patient_not_analysed"


# --- worst grade and groups ----------------------------------------------------------------------

def test_reporting_group_counts_a_patient_once_at_worst_grade():
    rows = [("B", "ALT increased", 2, "2024-02-01", "treatment", None),
            ("B", "Aspartate aminotransferase increased", 3, "2024-02-10", "treatment", None),
            ("B", "Transaminitis", 1, "2024-03-01", "treatment", None),
            ("A", "Transaminitis", 1, "2024-02-01", "treatment", None),
            ("A", "Rash", 2, "2024-02-01", "treatment", None)]
    adae, _, _ = adae_of(rows)
    assert adae["reporting_group"].tolist() == ["Transaminitis"] * 4 + ["Rash"]
    worst = derive_worst_grade(adae, by="reporting_group").set_index(["patient_id", "reporting_group"])
    assert worst.loc[("B", "Transaminitis"), "worst_grade"] == 3
    assert worst.loc[("B", "Transaminitis"), "n_events"] == 3
    summary = summarise_adverse_events(adae, {"ici": 31, "ici_mwa": 21}).set_index(["reporting_group", "arm"])
    trans_b = summary.loc[("Transaminitis", "ici_mwa")]
    assert (trans_b.n, trans_b.any_grade, trans_b.grade_3_plus, trans_b.grade_3_4, trans_b.grade_5) == (21, 1, 1, 1, 0)
    assert summary.loc[("Transaminitis", "ici"), "any_grade"] == 1
    assert summary.loc[("Rash", "ici_mwa"), "any_grade"] == 0  # zero rows kept
    assert summary.loc[("Any adverse event", "ici"), "any_grade"] == 1
    # by CTCAE term: ALT and AST are separate terms
    by_term = derive_worst_grade(adae, by="ctcae_term")
    assert set(by_term.loc[by_term["patient_id"] == "B", "ctcae_term"]) == {
        "Alanine aminotransferase increased", "Aspartate aminotransferase increased"}


def test_grade_5_counted_in_grade_3_plus_and_alone():
    pts = patients(deaths=(None, "2024-03-05"))
    adae, problems, _ = adae_of([("B", "Pneumonitis", 5, "2024-03-01", "treatment", None),
                                 ("B", "Pneumonitis", 2, "2024-02-01", "treatment", None)], pts=pts)
    s = summarise_adverse_events(adae, {"ici": 1, "ici_mwa": 1}).set_index(["reporting_group", "arm"])
    row = s.loc[("Pneumonitis", "ici_mwa")]
    assert (row.any_grade, row.grade_3_plus, row.grade_3_4, row.grade_5) == (1, 1, 0, 1)
    assert not [p for p in problems if p.rule.startswith("grade5")]


def test_grade_5_without_death_or_after_death_is_reported():
    pts = patients(deaths=("2024-02-01", None))
    _, problems, _ = adae_of([("A", "Pneumonitis", 5, "2024-02-10", "treatment", None),
                              ("B", "Pneumonitis", 5, "2024-02-10", "treatment", None)], pts=pts)
    rules = {(p.row, p.rule) for p in problems}
    assert ("A", "grade5_after_death") in rules and ("B", "grade5_without_death") in rules


# --- CTCAE terms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("recorded, expected", [
    ("Transaminitis", "Alanine aminotransferase increased"),
    ("hyperbilirubinemia", "Blood bilirubin increased"),
    ("Rash", "Rash maculo-papular"),
    ("Pyrexia", "Fever"),
    ("  fatigue ", "Fatigue"),
    ("rash maculopapular", None),   # not a CTCAE spelling nor a listed synonym → unknown
    ("Rash-maculo papular", "Rash maculo-papular"),  # hyphen/space difference ignored
])
def test_ctcae_synonyms(recorded, expected):
    got = map_ctcae_terms(pd.Series([recorded]))
    if expected is None:
        assert not got["term_known"].iloc[0] and got["ctcae_term"].iloc[0] == recorded.strip()
    else:
        assert got["term_known"].iloc[0] and got["ctcae_term"].iloc[0] == expected


def test_protocol_synonyms_extend_the_map():
    got = map_ctcae_terms(pd.Series(["Post-embolisation syndrome"]), synonyms={"post-embolisation syndrome": "Fever"})
    assert got["ctcae_term"].iloc[0] == "Fever" and got["term_match"].iloc[0] == "synonym"


def test_unknown_terms_are_warnings_and_kept():
    adae, problems, _ = adae_of([("A", "Wobbly knees", 2, "2024-02-01", "treatment", None)])
    assert adae["included"].iloc[0] and not adae["term_known"].iloc[0]
    assert [p.rule for p in problems] == ["unknown_ctcae_term"] and problems[0].severity == "warning"


def test_grade_that_does_not_exist_for_the_term_is_reported():
    # CTCAE v5.0: Fatigue has grades 1–3 only; Hepatic failure has no grade 1 or 2
    got = flag_grade_defined(pd.Series(["Fatigue", "Fatigue", "Hepatic failure", "Unknown thing"]),
                             pd.Series([3, 4, 2, 4]))
    assert got.tolist() == [True, False, False, True]
    _, problems, _ = adae_of([("A", "Fatigue", 4, "2024-02-01", "treatment", None)])
    assert [p.rule for p in problems] == ["undefined_ctcae_grade"]


def test_ctcae_version_recorded():
    adae, _, notes = derive_adae(events([("A", "Fatigue", 1, "2024-02-01", "treatment", None)]), treatments(),
                                 patients(), pd.Series([True, True], index=["A", "B"]),
                                 SAFETY.model_copy(update={"ctcae_version": "4.03"}), data_cutoff=CUTOFF)
    assert adae["ctcae_version"].iloc[0] == "4.03"
    assert any("4.03" in n.message for n in notes)


def test_discontinuation_flags_from_drug_stop_reason():
    tr = pd.concat([treatments(), pd.DataFrame({"patient_id": ["C"], "kind": ["drug"], "name": ["x"],
                                                 "start_date": [T("2024-01-01")], "end_date": [T("2024-02-01")],
                                                 "stop_reason": pd.Series(["progression"], dtype="string")})])
    got = flag_discontinuation(tr, pd.Series(["A", "B", "C", "D"]))
    assert got["discontinued_toxicity"].tolist() == [True, False, False, False]
    assert got["discontinued_progression"].tolist() == [False, False, True, False]


def test_missing_template_column_names_table_and_column():
    from oncocohort.errors import InputError

    bad = events([("A", "Fatigue", 1, "2024-02-01", "treatment", None)]).drop(columns=["grade"])
    with pytest.raises(InputError, match=r"adverse_events: missing template column\(s\) \['grade'\]"):
        derive_adae(bad, treatments(), patients(), pd.Series([True, True], index=["A", "B"]), SAFETY,
                    data_cutoff=CUTOFF)


def test_no_adverse_events_gives_typed_empty_table_and_zero_counts():
    adae, problems, notes = derive_adae(events([]), treatments(), patients(), pd.Series([True, True], index=["A", "B"]),
                                        SAFETY, data_cutoff=CUTOFF)
    assert adae.empty and adae["included"].dtype == bool and problems == () and notes == ()
    summary = summarise_adverse_events(adae, {"ici": 3, "ici_mwa": 2})
    assert summary["reporting_group"].tolist() == ["Any adverse event"] * 2
    assert summary["n"].tolist() == [3, 2] and (summary["any_grade"] == 0).all()
