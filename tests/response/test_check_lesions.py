"""Wrong input: every problem at once, each naming patient, visit and lesion (snapshot texts)."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.errors import DataValidationError
from oncocohort.response import evaluate
from tests.response.helpers import lesion, table

B, F = "2021-01-01", "2021-03-01"


def test_all_problems_are_listed_with_patient_visit_and_lesion():
    rows = [
        lesion("P1", B, "T1", "target", 30),
        lesion("P1", F, "T9", "target", 20),                     # target without baseline
        lesion("P2", B, "T1", "tumour", 30),                      # unknown lesion type
        lesion("P3", B, "N1", "non-target", 12, status="absent"),  # diameter for an absent lesion
        lesion("P4", B, "T1", "target", 30),
        lesion("P4", B, "T1", "target", 31),                      # same lesion twice at one visit
    ]
    with pytest.raises(DataValidationError) as exc:
        evaluate(table(rows), "recist1.1")
    assert str(exc.value) == (
        "6 error(s) in the input data:\n"
        "[error] lesions, patient P2, visit 2021-01-01, lesion T1, column 'lesion_type': value 'tumour' — "
        "expected one of target, non-target, new (unknown_category)\n"
        "[error] lesions, patient P3, visit 2021-01-01, lesion N1, column 'longest_diameter_mm': value '12' — "
        "expected empty or 0 for a lesion marked absent (diameter_for_absent_lesion)\n"
        "[error] lesions, patient P3, visit 2021-01-01, lesion N1, column 'viable_diameter_mm': value '12' — "
        "expected empty or 0 for a lesion marked absent (diameter_for_absent_lesion)\n"
        "[error] lesions, patient P4, visit 2021-01-01, lesion T1, column 'lesion_id': value 'T1' — "
        "expected one row per lesion per visit (duplicate_lesion)\n"
        "[error] lesions, patient P4, visit 2021-01-01, lesion T1, column 'lesion_id': value 'T1' — "
        "expected one row per lesion per visit (duplicate_lesion)\n"
        "[error] lesions, patient P1, visit 2021-03-01, lesion T9, column 'lesion_id': value 'T9' — "
        "expected a baseline row for this target lesion (target lesions are chosen at baseline) "
        "(target_without_baseline)"
    )
    assert [p.row for p in exc.value.problems] == ["P2", "P3", "P3", "P4", "P4", "P1"]


def test_baseline_problems_target_without_baseline_and_two_baselines():
    rows = [lesion("P1", B, "T1", "target", 30), lesion("P1", F, "T9", "target", 20),
            lesion("P2", B, "T1", "target", 30), lesion("P2", F, "T1", "target", 30),
            lesion("P3", B, "T1", "target", None), lesion("P3", F, "X1", "new", 5)]
    df = table(rows)
    df["is_baseline"] = [True, False, True, True, True, False]
    with pytest.raises(DataValidationError) as exc:
        evaluate(df, "recist1.1")
    got = [(p.row, p.location, p.column, p.rule) for p in exc.value.problems]
    assert got == [
        ("P2", "visit 2021-01-01, lesion T1", "is_baseline", "two_baselines"),
        ("P2", "visit 2021-03-01, lesion T1", "is_baseline", "two_baselines"),
        ("P1", "visit 2021-03-01, lesion T9", "lesion_id", "target_without_baseline"),
        ("P3", "visit 2021-01-01, lesion T1", "longest_diameter_mm", "unmeasured_baseline_target"),
    ]
    assert str(exc.value.problems[2]) == (
        "[error] lesions, patient P1, visit 2021-03-01, lesion T9, column 'lesion_id': value 'T9' — expected a "
        "baseline row for this target lesion (target lesions are chosen at baseline) (target_without_baseline)")
    assert exc.value.to_frame().shape == (4, 8)


def test_unknown_status_and_missing_column():
    rows = [lesion("P1", B, "N1", "non-target", status="gone")]
    with pytest.raises(DataValidationError) as exc:
        evaluate(table(rows), "recist1.1")
    p = exc.value.problems[0]
    assert (p.column, p.value, p.expected) == (
        "nontarget_status", "gone", "one of present, absent, unequivocal progression (or empty: not assessed)")
    with pytest.raises(DataValidationError, match="column 'lesion_type': value '' — expected a required column"):
        evaluate(table(rows).drop(columns="lesion_type"), "recist1.1")


def test_new_lesion_at_baseline_is_an_error():
    rows = [lesion("P1", B, "T1", "target", 30), lesion("P1", B, "X1", "new", 10)]
    with pytest.raises(DataValidationError, match="new_at_baseline"):
        evaluate(table(rows), "recist1.1")


def test_selection_limits_are_warnings_on_the_result():
    # 6 targets, 3 of them in the liver; one of 8 mm (< 10 mm, not measurable)
    sites = ["liver", "liver", "liver", "lung", "bone", "adrenal"]
    sizes = [30, 20, 8, 15, 15, 15]
    rows = [lesion("P1", B, f"T{i}", "target", mm, site=s) for i, (s, mm) in enumerate(zip(sites, sizes))]
    rows += [lesion("P1", F, f"T{i}", "target", mm, site=s) for i, (s, mm) in enumerate(zip(sites, sizes))]
    res = evaluate(table(rows), "recist1.1")
    assert [p.rule for p in res.problems] == ["too_many_targets", "too_many_targets_per_site", "target_not_measurable"]
    assert all(p.severity == "warning" for p in res.problems)
    assert res.problems[1].value == "3 target lesions in liver"
    assert res.problems[2].location == "visit 2021-01-01, lesion T2"
    assert res.visits["overall_response"].iloc[1] == "SD"  # the call is still made


def test_flagged_baseline_drops_earlier_scans_with_a_note():
    rows = [lesion("P1", "2020-12-01", "T1", "target", 40), lesion("P1", B, "T1", "target", 30),
            lesion("P1", F, "T1", "target", 15)]
    df = table(rows)
    df["is_baseline"] = pd.array([pd.NA, True, pd.NA], dtype="boolean")
    res = evaluate(df, "recist1.1")
    assert res.visits["baseline_sum_mm"].iloc[0] == 30 and len(res.visits) == 2
    assert res.notes[0].message.startswith("lesion rows dated before") and res.notes[0].count == 1
