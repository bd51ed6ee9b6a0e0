"""Patients-table rules: each with a small bad table, asserting table, row, column, value and message."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.errors import DataValidationError
from oncocohort.validate import validate_study

from .conftest import by_rule, make_patients, make_protocol


def test_a_valid_table_has_no_problems_and_is_typed(check) -> None:
    study = validate_study(make_protocol(), {"patients": make_patients()})
    assert study.problems == ()
    patients = study.tables["patients"]
    assert list(patients["arm"]) == ["ici", "ici_mwa", "ici_mwa"]  # label "ICIs + MWA" -> id
    assert list(patients["sex"]) == ["male", "female", "male"]  # alias m -> male
    assert list(patients["hbsag"]) == ["positive", "negative", "negative"]  # level label -> level
    assert list(patients["pvtt"]) == ["no", "yes", "no"]  # boolean word N -> "no"
    assert str(patients["treatment_start_date"].dtype) == "datetime64[ns]"
    assert patients["age"].dtype == "float64"
    assert list(patients["best_response"]) == ["PR", "PD", "SD"]


def test_duplicate_patient_ids_report_every_row(check) -> None:
    problems = by_rule(check({"patients": make_patients(patient_id=["P1", "P2", "P1"])}), "duplicate_patient_id")
    assert [(p.table, p.row, p.column, p.location) for p in problems] == [
        ("patients", "P1", "patient_id", "line 2"), ("patients", "P1", "patient_id", "line 4")]
    assert problems[0].expected == "a unique patient id (this id appears more than once)"


def test_unknown_arm_names_the_allowed_arms(check) -> None:
    (problem,) = by_rule(check({"patients": make_patients(arm=["ici", "placebo", "MWA + ICIs"])}), "unknown_arm")
    assert (problem.row, problem.column, problem.value) == ("P2", "arm", "placebo")
    assert problem.expected.startswith("one of ici or ici_mwa (an arm id, label or alias of the protocol)")


def test_empty_arm_is_a_screened_patient_who_needs_no_dates(check) -> None:
    patients = make_patients(arm=["ici", "", "ici"], treatment_start_date=["2023-01-10", "", "2023-03-01"],
                             last_contact_date=["2024-06-01", "", "2024-05-01"], death_date=[None, None, None],
                             progression_date=[None, None, None])
    assert check({"patients": patients}) == []


def test_allocated_patient_needs_treatment_start_and_last_contact(check) -> None:
    patients = make_patients(treatment_start_date=["", "2023-02-01", "2023-03-01"],
                             last_contact_date=["2024-06-01", "2024-01-05", ""])
    problems = by_rule(check({"patients": patients}), "missing_value")
    assert [(p.row, p.column) for p in problems] == [("P1", "treatment_start_date"), ("P3", "last_contact_date")]
    assert problems[1].expected.startswith("a date (required for an allocated patient without a death date")


def test_missing_required_variable_value_and_column(check) -> None:
    problems = check({"patients": make_patients(age=["61", "", "55"])})
    (missing,) = by_rule(problems, "missing_value")
    assert (missing.row, missing.column, missing.expected) == ("P2", "age", "a value (protocol variable 'age' is required)")
    problems = check({"patients": make_patients().drop(columns=["age", "ecog"])})
    absent = by_rule(problems, "missing_column")
    assert [(p.column, p.severity) for p in absent] == [("age", "error"), ("ecog", "warning")]
    assert absent[0].row is None and absent[0].value == "(column absent)"


def test_missing_template_column_is_reported_once(check) -> None:
    (problem,) = by_rule(check({"patients": make_patients().drop(columns=["death_date"])}), "missing_column")
    assert (problem.table, problem.column) == ("patients", "death_date")
    assert problem.expected == "a column named 'death_date' (template column; see docs/data-template.md)"


def test_best_response_column_required_without_lesions_or_visits(check) -> None:
    (problem,) = by_rule(check({"patients": make_patients().drop(columns=["best_response"])}), "missing_column")
    assert problem.column == "best_response"
    assert "no lesions or visit_responses table to derive it from" in problem.expected


def test_unknown_category_of_a_protocol_variable(check) -> None:
    (problem,) = by_rule(check({"patients": make_patients(ecog=["0", "3", "1.0"])}), "unknown_category")
    assert (problem.row, problem.column, problem.value) == ("P2", "ecog", "3")
    assert problem.expected == "one of 0 or 1 (protocol variable levels, their labels or aliases)"


@pytest.mark.parametrize(("ages", "row", "value"), [(["61", "-1", "55"], "P2", "-1"), (["61", "70", "130"], "P3", "130")])
def test_age_outside_0_120(check, ages, row, value) -> None:
    (problem,) = by_rule(check({"patients": make_patients(age=ages)}), "out_of_range")
    assert (problem.row, problem.column, problem.value, problem.expected) == (row, "age", value, "a value between 0 and 120")


def test_age_bounds_apply_even_when_the_protocol_gives_none(check) -> None:
    protocol = make_protocol(variables=[{"name": "age", "type": "continuous"}])
    (problem,) = by_rule(check({"patients": make_patients(age=["61", "121", "55"])}, protocol), "out_of_range")
    assert (problem.row, problem.value, problem.expected) == ("P2", "121", "a value between 0 and 120")


def test_text_in_a_number_column(check) -> None:
    (problem,) = by_rule(check({"patients": make_patients(age=["61", "sixty", "55,5"])}), "not_a_number")
    assert (problem.row, problem.column, problem.value, problem.expected) == ("P2", "age", "sixty", "a number")


def test_death_progression_contact_before_treatment_start(check) -> None:
    patients = make_patients(death_date=[None, "2023-01-05", None], progression_date=["2022-12-01", None, None],
                             last_contact_date=["2024-06-01", "2023-01-05", "2023-02-01"])
    problems = by_rule(check({"patients": patients}), "date_before_treatment_start")
    assert [(p.row, p.column, p.value) for p in problems] == [
        ("P2", "death_date", "2023-01-05"), ("P1", "progression_date", "2022-12-01"),
        ("P2", "last_contact_date", "2023-01-05"), ("P3", "last_contact_date", "2023-02-01")]
    assert problems[0].expected == "a death date on or after treatment start (2023-02-01)"


def test_last_contact_after_death(check) -> None:
    (problem,) = by_rule(check({"patients": make_patients(last_contact_date=["2024-06-01", "2024-02-01", "2024-05-01"])}),
                         "date_after_death")
    assert (problem.row, problem.column, problem.value) == ("P2", "last_contact_date", "2024-02-01")
    assert problem.expected == "a last contact date on or before the death date (2024-01-05)"


def test_events_after_the_cutoff_are_warnings_and_do_not_stop(check) -> None:
    patients = make_patients(last_contact_date=["2025-07-15", "2024-01-05", "2024-05-01"])
    study = validate_study(make_protocol(), {"patients": patients})  # no raise: warnings only
    (problem,) = study.warnings
    assert (problem.severity, problem.rule, problem.row, problem.column) == ("warning", "after_cutoff", "P1",
                                                                              "last_contact_date")
    assert problem.expected == "a date on or before the data cutoff 2025-06-30 (censored at the cutoff)"


def test_endpoint_origin_column_and_values_required(check) -> None:
    protocol = make_protocol(endpoints={"os": {"events": ["death"], "origin": "diagnosis"}})
    problems = check({"patients": make_patients()}, protocol)
    (problem,) = by_rule(problems, "missing_column")
    assert (problem.column, problem.expected) == (
        "diagnosis_date", "a column named 'diagnosis_date' (endpoint os starts at diagnosis; see docs/data-template.md)")
    problems = check({"patients": make_patients(diagnosis_date=["2022-12-01", "", "2024-01-01"])}, protocol)
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("missing_value", "P2", "diagnosis_date"), ("date_order", "P3", "diagnosis_date")]


def test_every_problem_is_reported_at_once_in_the_exception() -> None:
    patients = make_patients(patient_id=["P1", "P1", "P3"], arm=["ici", "x", "ici"], age=["61", "70", "200"],
                             treatment_start_date=["2023-01-10", "2023-02-01", "31/31/2023"])
    with pytest.raises(DataValidationError) as info:
        validate_study(make_protocol(), {"patients": patients})
    rules = sorted(p.rule for p in info.value.problems)
    assert rules == ["duplicate_patient_id", "duplicate_patient_id", "out_of_range", "unknown_arm", "unparseable_date"]
    assert str(info.value).startswith("5 error(s) in the input data:\n")


def test_identifying_columns_are_removed_with_a_warning(check) -> None:
    patients = make_patients()
    patients["Patient Name"] = ["A", "B", "C"]
    patients["MRN"] = ["1", "2", "3"]
    study = validate_study(make_protocol(), {"patients": patients})
    assert "Patient Name" not in study.tables["patients"] and "MRN" not in study.raw["patients"]
    assert [(p.column, p.rule, p.severity) for p in study.problems] == [
        ("Patient Name", "identifying_column", "warning"), ("MRN", "identifying_column", "warning")]
    assert "not carried into the database or any output" in study.problems[0].expected


def test_an_unknown_column_is_kept_as_text_with_a_warning(check) -> None:
    study = validate_study(make_protocol(), {"patients": make_patients(smoker=["y", "n", "y"])})
    (problem,) = study.problems
    assert (problem.column, problem.rule) == ("smoker", "unused_column")
    assert list(study.tables["patients"]["smoker"]) == ["y", "n", "y"]


def test_an_eligibility_variable_without_a_column(check) -> None:
    protocol = make_protocol(eligibility=[{"id": "child_pugh_a", "description": "Child-Pugh A",
                                           "variable": "child_pugh", "operator": "in", "values": ["A5", "A6"]}])
    (problem,) = check({"patients": make_patients()}, protocol)
    assert (problem.table, problem.row, problem.column, problem.rule) == ("patients", None, "child_pugh",
                                                                           "missing_column")
    assert problem.expected == ("a column named 'child_pugh' (read by eligibility criterion 'child_pugh_a'; "
                                "declare it under the protocol's variables)")


def test_empty_rows_are_ignored_with_a_warning_and_lines_stay_right(check) -> None:
    patients = make_patients()
    blank = {c: "" for c in patients.columns}
    patients = pd.concat([patients.iloc[:1], pd.DataFrame([blank, {c: None for c in patients.columns}]),
                          patients.iloc[1:]], ignore_index=True)
    patients.loc[4, "age"] = "150"  # P3, now on file line 6
    study = validate_study(make_protocol(), {"patients": patients}, raise_on_error=False)
    assert [(p.rule, p.severity, p.row, p.location, p.value) for p in study.problems] == [
        ("out_of_range", "error", "P3", "line 6", "150"),
        ("empty_rows", "warning", None, "", "2 empty row(s)")]
    assert study.problems[1].expected == "a value in some column; rows ignored (lines 3, 4)"
    assert list(study.tables["patients"].index) == [0, 1, 2]
    assert list(study.raw["patients"]["patient_id"]) == ["P1", "P2", "P3"]


def test_subsequent_therapy_before_treatment_start(check) -> None:
    (problem,) = check({"patients": make_patients(new_therapy_date=["2022-12-01", None, None])})
    assert (problem.rule, problem.row, problem.column, problem.expected) == (
        "date_before_treatment_start", "P1", "new_therapy_date",
        "a subsequent therapy date on or after treatment start (2023-01-10)")


def test_comma_grouped_digits_are_ambiguous_not_a_decimal_comma(check) -> None:
    """'1,520' (thousands separator in one export, decimal comma in another) is reported, never read
    as 1.52 — an AFP would cross its 400 ng/ml cut; '55,5' and '0,750' stay decimal commas."""
    protocol = make_protocol(variables=[{"name": "age", "type": "continuous"},
                                        {"name": "afp", "type": "continuous", "unit": "ng/ml", "min": 0}])
    patients = make_patients(age=["55,5", "61", "70"])
    patients["afp"] = ["1,520", "0,750", "12,000,000"]
    study = validate_study(protocol, {"patients": patients}, raise_on_error=False)
    problems = by_rule(study.problems, "ambiguous_number")
    assert [(p.table, p.row, p.column, p.value) for p in problems] == [
        ("patients", "P1", "afp", "1,520"), ("patients", "P3", "afp", "12,000,000")]
    assert problems[0].severity == "error" and "thousands separator" in problems[0].expected
    assert not by_rule(study.problems, "not_a_number")  # reported once, under its own rule
    typed = study.tables["patients"]
    assert typed["age"].tolist()[0] == 55.5 and typed["afp"].tolist()[1] == 0.75
    assert typed["afp"].isna().tolist() == [True, False, True]
