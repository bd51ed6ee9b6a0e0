"""Whole studies: every example study validates; a broken copy of each is rejected precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from oncocohort.errors import DataValidationError
from oncocohort.protocol import PRESETS, load_preset
from oncocohort.protocol.examples import example_study_path
from oncocohort.validate import ValidatedStudy, load_study, validate_study

from .conftest import make_patients, make_protocol


@pytest.fixture(scope="module")
def examples() -> dict[str, ValidatedStudy]:
    return {name: load_study(example_study_path(name)) for name in PRESETS}


@pytest.mark.parametrize("name", PRESETS)
def test_each_example_study_validates_without_problems(examples, name) -> None:
    study = examples[name]
    assert study.problems == ()
    assert study.protocol.study.synthetic is True
    # the example follows its preset except for the synthetic flag
    preset = load_preset(name)
    assert study.protocol.model_dump(exclude={"study"}) == preset.model_dump(exclude={"study"}), (
        "the example's protocol.yaml lags its preset: rerun src/oncocohort/protocol/examples/_build.py")
    named = {t for t in study.sources}
    assert named == {t for t in ("patients", "lesions", "visit_responses", "adverse_events", "treatments", "labs")
                     if getattr(preset.data, t) is not None}
    for table in named:
        assert len(study.sources[table]["sha256"]) == 64
        assert study.sources[table]["rows"] == len(study.tables[table]) >= 12
    patients = study.tables["patients"]
    assert patients["arm"].isna().sum() == 1  # one screened patient never allocated
    assert patients["patient_id"].is_unique


@pytest.mark.parametrize("name", PRESETS)
def test_each_example_has_screened_patients_failing_a_stated_criterion(examples, name) -> None:
    study = examples[name]
    patients = study.tables["patients"]
    failing = set()
    for criterion in study.protocol.eligibility:
        if criterion.operator == "in":
            failing |= set(patients.loc[~patients[criterion.variable].isin(criterion.values), "patient_id"])
        elif criterion.operator in ("<=", "=="):
            column = patients[criterion.variable]
            bad = column > criterion.value if criterion.operator == "<=" else column != criterion.value
            failing |= set(patients.loc[bad.fillna(False), "patient_id"])
        elif criterion.operator == "min_follow_up_days":
            end = patients["death_date"].fillna(patients["last_contact_date"])
            alive_short = patients["death_date"].isna() & ((end - patients["treatment_start_date"]).dt.days < criterion.value)
            failing |= set(patients.loc[alive_short, "patient_id"])
    allocated = set(patients.loc[patients["arm"].notna(), "patient_id"])
    assert len(failing & allocated) >= 2


@pytest.mark.parametrize("name", PRESETS)
def test_a_broken_copy_of_each_example_is_rejected_precisely(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    shutil.copytree(example_study_path(name).parent, folder)
    patients = pd.read_csv(folder / "patients.csv", dtype=str, keep_default_na=False)
    second = patients.loc[1, "patient_id"]
    patients.loc[1, "arm"] = "placebo"
    patients.to_csv(folder / "patients.csv", index=False)
    with pytest.raises(DataValidationError) as info:
        load_study(folder / "protocol.yaml")
    (problem,) = info.value.problems
    arms = load_preset(name).arm_ids
    allowed = arms[0] if len(arms) == 1 else f"one of {arms[0]} or {arms[1]}"
    assert str(problem) == (
        f"[error] patients, patient {second}, line 3, column 'arm': value 'placebo' — expected {allowed} "
        "(an arm id, label or alias of the protocol), or empty for a screened patient never allocated (unknown_arm)")


def test_tables_the_protocol_does_not_name_are_empty_with_typed_template_columns() -> None:
    study = validate_study(make_protocol(), {"patients": make_patients()})
    lesions = study.tables["lesions"]
    assert lesions.empty and lesions["visit_date"].dtype == "datetime64[ns]"
    assert lesions["longest_diameter_mm"].dtype == "float64" and str(lesions["is_baseline"].dtype) == "boolean"


def test_typed_and_empty_tables_share_dtypes(examples) -> None:
    study = examples["ici-mwa-retrospective"]
    empty = validate_study(make_protocol(), {"patients": make_patients()}).tables
    for table in ("lesions", "adverse_events", "treatments", "labs"):
        assert study.tables[table].dtypes.to_dict() == empty[table].dtypes.to_dict()


def test_unknown_table_name_is_an_input_error() -> None:
    from oncocohort.errors import InputError

    with pytest.raises(InputError, match="unknown table"):
        validate_study(make_protocol(), {"patients": make_patients(), "scans": make_patients()})
