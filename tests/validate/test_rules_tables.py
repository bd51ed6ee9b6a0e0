"""Rules of the lesion, response, AE, treatment and lab tables, and between them and patients."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.validate import validate_study

from .conftest import by_rule, make_patients, make_protocol

ALL_TABLES = {name: f"{name}.csv" for name in ("lesions", "visit_responses", "adverse_events", "treatments", "labs")}


@pytest.fixture
def protocol():
    return make_protocol(data=ALL_TABLES, response={"criteria": "recist1.1"})


def lesions(**columns) -> pd.DataFrame:
    frame = pd.DataFrame({
        "patient_id": ["P1", "P1", "P1", "P2"],
        "visit_date": ["2023-01-05", "2023-01-05", "2023-03-07", "2023-01-30"],
        "lesion_id": ["T1", "NT1", "T1", "T1"],
        "lesion_type": ["Target", "non_target", "target", "TARGET"],
        "longest_diameter_mm": ["32", "", "20.5", "41"],
        "nontarget_status": ["", "Present", "", ""],
    })
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_valid_tables_are_typed_with_canonical_categories(check, protocol) -> None:
    tables = {"patients": make_patients(best_response=[None, None, None]), "lesions": lesions(),
              "adverse_events": pd.DataFrame({"patient_id": ["P1"], "term": ["Transaminitis"], "grade": ["2"],
                                              "onset_date": ["2023-02-01"], "resolution_date": [""],
                                              "attribution": ["Drug related"], "onset_time": ["14:30"],
                                              "serious": ["No"]}),
              "treatments": pd.DataFrame({"patient_id": ["P2"], "kind": ["Procedure"], "name": ["MWA"],
                                          "start_date": ["2023-02-08"], "end_date": ["2023-02-08"],
                                          "stop_reason": ["Completed"]}),
              "labs": pd.DataFrame({"patient_id": ["P1"], "date": ["2023-01-07"], "test": ["AFP"], "value": ["523.4"],
                                    "unit": ["ng/ml"]}),
              "visit_responses": pd.DataFrame({"patient_id": ["P3"], "visit_date": ["2023-05-01"],
                                               "overall_response": ["Partial response"]})}
    study = validate_study(protocol, tables)
    assert study.problems == ()
    assert list(study.tables["lesions"]["lesion_type"]) == ["target", "non-target", "target", "target"]
    assert list(study.tables["lesions"]["nontarget_status"].fillna("-")) == ["-", "present", "-", "-"]
    assert study.tables["adverse_events"].loc[0, "attribution"] == "treatment"
    assert not study.tables["adverse_events"].loc[0, "serious"]
    assert study.tables["treatments"].loc[0, "kind"] == "procedure"
    assert study.tables["visit_responses"].loc[0, "overall_response"] == "PR"


def test_rows_of_unknown_patients(check, protocol) -> None:
    problems = check({"patients": make_patients(), "lesions": lesions(patient_id=["P1", "P1", "P9", "P2"])}, protocol)
    (problem,) = by_rule(problems, "unknown_patient")
    assert (problem.table, problem.row, problem.column, problem.location) == (
        "lesions", "P9", "patient_id", "line 4 (visit_date 2023-03-07, lesion_id T1)")
    assert problem.expected == "a patient_id listed in the patients table"


def test_negative_diameter_and_unknown_lesion_type(check, protocol) -> None:
    problems = check({"patients": make_patients(), "lesions": lesions(longest_diameter_mm=["32", "", "-4", "41"],
                                                                     lesion_type=["target", "non-target", "target", "tumour"])},
                     protocol)
    (negative,) = by_rule(problems, "out_of_range")
    assert (negative.table, negative.row, negative.column, negative.value, negative.expected) == (
        "lesions", "P1", "longest_diameter_mm", "-4", "a non-negative value")
    (unknown,) = by_rule(problems, "unknown_category")
    assert (unknown.row, unknown.column, unknown.value, unknown.expected) == (
        "P2", "lesion_type", "tumour", "one of target, non-target or new")


def test_duplicate_lesion_rows(check, protocol) -> None:
    problems = check({"patients": make_patients(), "lesions": lesions(visit_date=["2023-01-05"] * 3 + ["2023-01-30"])},
                     protocol)
    assert [(p.row, p.column, p.location) for p in by_rule(problems, "duplicate_row")] == [
        ("P1", "lesion_id", "line 2 (visit_date 2023-01-05, lesion_id T1)"),
        ("P1", "lesion_id", "line 4 (visit_date 2023-01-05, lesion_id T1)")]


def test_imaging_after_death(check, protocol) -> None:
    problems = check({"patients": make_patients(), "lesions": lesions(visit_date=["2023-01-05", "2023-01-05",
                                                                                  "2023-03-07", "2024-02-01"])},
                     protocol)
    (problem,) = by_rule(problems, "date_after_death")
    assert (problem.table, problem.row, problem.column, problem.value, problem.expected) == (
        "lesions", "P2", "visit_date", "2024-02-01", "a date on or before the patient's death date (2024-01-05)")


def test_mrecist_needs_the_viable_diameter_column(check) -> None:
    protocol = make_protocol(data={"lesions": "lesions.csv"}, response={"criteria": "mrecist"})
    (problem,) = by_rule(check({"patients": make_patients(), "lesions": lesions()}, protocol), "missing_column")
    assert (problem.table, problem.column) == ("lesions", "viable_diameter_mm")
    assert "mRECIST measures the viable tumour diameter" in problem.expected


def ae(**columns) -> pd.DataFrame:
    frame = pd.DataFrame({"patient_id": ["P1", "P3"], "term": ["Fatigue", "Rash"], "grade": ["2", "3"],
                          "onset_date": ["2023-02-01", "2023-04-01"], "resolution_date": ["", "2023-04-20"],
                          "attribution": ["treatment", "procedure"]})
    for name, values in columns.items():
        frame[name] = values
    return frame


@pytest.mark.parametrize(("grade", "rule", "expected"), [
    ("6", "out_of_range", "a value between 1 and 5"), ("0", "out_of_range", "a value between 1 and 5"),
    ("2.5", "not_an_integer", "a whole number"), ("severe", "not_a_number", "a number")])
def test_ctcae_grade_outside_1_to_5(check, protocol, grade, rule, expected) -> None:
    problems = check({"patients": make_patients(), "adverse_events": ae(grade=["2", grade])}, protocol)
    (problem,) = problems
    assert (problem.table, problem.row, problem.column, problem.value, problem.rule, problem.expected) == (
        "adverse_events", "P3", "grade", grade, rule, expected)
    assert problem.location == "line 3 (term Rash, onset_date 2023-04-01)"


def test_ae_resolution_before_onset_and_unknown_attribution(check, protocol) -> None:
    problems = check({"patients": make_patients(),
                      "adverse_events": ae(resolution_date=["2023-01-20", ""], attribution=["treatment", "radiation"])},
                     protocol)
    assert [(p.rule, p.row, p.column, p.value) for p in problems] == [
        ("unknown_category", "P3", "attribution", "radiation"), ("date_order", "P1", "resolution_date", "2023-01-20")]
    assert problems[1].expected == "a resolution date on or after the onset date (2023-02-01)"


def test_missing_required_ae_values(check, protocol) -> None:
    problems = check({"patients": make_patients(), "adverse_events": ae(term=["Fatigue", " "], grade=["", "3"])},
                     protocol)
    assert [(p.rule, p.row, p.column) for p in problems] == [("missing_value", "P3", "term"),
                                                            ("missing_value", "P1", "grade")]


def test_treatment_end_before_start_and_after_cutoff_warning(check, protocol) -> None:
    treatments = pd.DataFrame({"patient_id": ["P1", "P3"], "kind": ["drug", "drug"], "name": ["sintilimab"] * 2,
                               "start_date": ["2023-01-10", "2025-07-02"], "end_date": ["2022-12-01", ""],
                               "stop_reason": ["progression", "ongoing"]})
    problems = check({"patients": make_patients(), "treatments": treatments}, protocol)
    assert [(p.severity, p.rule, p.row, p.column) for p in problems] == [
        ("error", "date_order", "P1", "end_date"), ("warning", "after_cutoff", "P3", "start_date")]
    assert problems[0].expected.startswith("an end date on or after the start date (2023-01-10")  # not "a end"


def test_negative_lab_values(check, protocol) -> None:
    labs = pd.DataFrame({"patient_id": ["P1", "P2"], "date": ["2023-01-07", "2023-02-01"], "test": ["afp", "alt"],
                         "value": ["12", "-3"], "unit": ["ng/ml", "U/l"]})
    (problem,) = check({"patients": make_patients(), "labs": labs}, protocol)
    assert (problem.table, problem.row, problem.column, problem.value, problem.expected) == (
        "labs", "P2", "value", "-3", "a non-negative value")


def test_duplicate_visit_responses_and_unknown_response(check, protocol) -> None:
    visits = pd.DataFrame({"patient_id": ["P1", "P1", "P3"], "visit_date": ["2023-03-01", "2023-03-01", "2023-05-01"],
                           "overall_response": ["SD", "stable disease", "great"]})
    problems = check({"patients": make_patients(), "visit_responses": visits}, protocol)
    assert [(p.rule, p.row) for p in problems] == [("unknown_category", "P3"), ("duplicate_row", "P1"),
                                                  ("duplicate_row", "P1")]
    assert problems[0].expected.startswith("one of CR, PR, SD, PD, NE, NON-CR/NON-PD")


def test_lab_test_names_are_normalised(protocol) -> None:
    labs = pd.DataFrame({"patient_id": ["P1"] * 4, "date": ["2023-01-07"] * 4,
                         "test": ["AFP", "Alpha-fetoprotein", "TBIL", "Prothrombin Time"], "value": ["1"] * 4})
    study = validate_study(protocol, {"patients": make_patients(), "labs": labs})
    assert list(study.tables["labs"]["test"]) == ["afp", "afp", "total_bilirubin", "prothrombin_time"]


def test_bad_onset_time_and_yes_no(check, protocol) -> None:
    problems = check({"patients": make_patients(), "adverse_events": ae(onset_time=["25:00", "8:30"],
                                                                        serious=["maybe", "Y"])}, protocol)
    assert [(p.rule, p.row, p.column, p.value, p.expected) for p in problems] == [
        ("unparseable_time", "P1", "onset_time", "25:00", "a time of day HH:MM"),
        ("unknown_boolean", "P1", "serious", "maybe", "yes or no (also y/n, true/false, 1/0)")]
