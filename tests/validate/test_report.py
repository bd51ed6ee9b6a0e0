"""The validation report files (snapshot of the text)."""

from __future__ import annotations

import pandas as pd

from oncocohort.validate import validate_study, write_validation_report

from .conftest import make_patients, make_protocol

SNAPSHOT = """\
Validation report: mini
5 error(s), 1 warning(s)

ERRORS (the run stops until they are fixed)
  patients:
    - patient P2 [line 3] column 'arm': value 'placebo'; expected one of ici or ici_mwa (an arm id, label or alias of the protocol), or empty for a screened patient never allocated (unknown_arm)
    - patient P3 [line 4] column 'age': value '130'; expected a value between 0 and 120 (out_of_range)
    - patient P2 [line 3] column 'death_date': value '2022-12-31'; expected a death date on or after treatment start (2023-02-01) (date_before_treatment_start)
    - patient P2 [line 3] column 'last_contact_date': value '2022-12-31'; expected a last contact date on or after treatment start (2023-02-01) (date_before_treatment_start)
    - patient P2 [line 3] column 'progression_date': value '2023-09-01'; expected a progression date on or before the death date (2022-12-31) (date_after_death)

WARNINGS (the run goes on)
  patients:
    - patient P1 [line 2] column 'last_contact_date': value '2025-08-01'; expected a date on or before the data cutoff 2025-06-30 (censored at the cutoff) (after_cutoff)
"""


def test_report_text_and_csv(tmp_path) -> None:
    patients = make_patients(arm=["ici", "placebo", "ici"], age=["61", "70", "130"],
                             death_date=[None, "2022-12-31", None],
                             last_contact_date=["2025-08-01", "2022-12-31", "2024-05-01"])
    study = validate_study(make_protocol(), {"patients": patients}, raise_on_error=False)
    csv_path, txt_path = write_validation_report(study.problems, tmp_path, title="mini")
    assert txt_path.read_text(encoding="utf-8") == SNAPSHOT
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["severity", "table", "row", "location", "column", "value", "expected", "rule"]
    assert list(frame["rule"]) == ["unknown_arm", "out_of_range", "date_before_treatment_start",
                                   "date_before_treatment_start", "date_after_death", "after_cutoff"]
    assert list(frame["row"]) == ["P2", "P3", "P2", "P2", "P2", "P1"]


def test_no_problems(tmp_path) -> None:
    study = validate_study(make_protocol(), {"patients": make_patients()})
    _, txt = write_validation_report(study.problems, tmp_path)
    assert txt.read_text() == "Validation report\n0 error(s), 0 warning(s)\nNo problems found.\n"


def test_excel_datetime_cells_are_shown_as_dates() -> None:
    """openpyxl reads date cells as datetime.datetime: a report shows '2023-09-04', not
    '2023-09-04 00:00:00', both as the value and in the location of a lesion row."""
    import datetime as dt

    from oncocohort.validate._collect import display

    assert display(dt.datetime(2023, 9, 4)) == "2023-09-04"
    assert display(dt.datetime(2023, 9, 4, 14, 30)) == "2023-09-04 14:30:00"
    assert display(dt.date(2023, 9, 4)) == "2023-09-04"
    lesions = pd.DataFrame({"patient_id": ["P9"], "visit_date": [dt.datetime(2023, 9, 4)], "lesion_id": ["T1"],
                            "lesion_type": ["target"], "longest_diameter_mm": [20.0]})
    study = validate_study(make_protocol(), {"patients": make_patients(), "lesions": lesions}, raise_on_error=False)
    (problem,) = [p for p in study.problems if p.rule == "unknown_patient"]
    assert problem.location == "line 2 (visit_date 2023-09-04, lesion_id T1)"
