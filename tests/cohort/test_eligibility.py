"""Eligibility: each operator, missing values, follow-up from dates, first and all exclusion reasons."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.cohort import NOT_ALLOCATED, derive_eligibility, evaluate_criterion
from oncocohort.errors import InputError
from oncocohort.protocol.schema import Criterion


def crit(**kw) -> Criterion:
    return Criterion(id=kw.pop("id", "c"), description="d", **kw)


PATIENTS = pd.DataFrame({
    "patient_id": ["a", "b", "c", "d"],
    "arm": pd.Series(["x", "x", None, "y"], dtype="string"),
    "stage": ["IIa", "IV", None, "IIb"],
    "lesions": [1.0, 4.0, 3.0, float("nan")],
    "ecog": [0.0, 1.0, 2.0, float("nan")],   # numeric column read from a spreadsheet
    "mvi": ["no", "yes", "no", "no"],
    "treatment_start_date": pd.to_datetime(["2024-01-01"] * 4),
    "last_contact_date": pd.to_datetime(["2024-01-31", "2024-01-30", None, "2024-01-10"]),
    "death_date": pd.to_datetime([None, None, None, "2024-01-10"]),
})


@pytest.mark.parametrize("criterion, expected", [
    (crit(variable="stage", operator="in", values=["IIa", "IIb"]), [True, False, False, True]),
    (crit(variable="stage", operator="not_in", values=["IV"]), [True, False, False, True]),
    (crit(variable="lesions", operator="<=", value=3), [True, False, True, False]),
    (crit(variable="lesions", operator="<", value=3), [True, False, False, False]),
    (crit(variable="lesions", operator=">", value=1), [False, True, True, False]),
    (crit(variable="lesions", operator=">=", value=3), [False, True, True, False]),
    (crit(variable="lesions", operator="==", value=4), [False, True, False, False]),
    (crit(variable="lesions", operator="!=", value=4), [True, False, True, False]),
    (crit(variable="mvi", operator="==", value="no"), [True, False, True, True]),
    (crit(variable="mvi", operator="!=", value="no"), [False, True, False, False]),
    (crit(variable="stage", operator="not_missing"), [True, True, False, True]),
    # ECOG levels are text in the protocol; 0.0 read from a numeric column is level "0"
    (crit(variable="ecog", operator="in", values=["0", "1"]), [True, True, False, False]),
])
def test_operators(criterion, expected):
    assert evaluate_criterion(PATIENTS, criterion).tolist() == expected


def test_missing_value_fails_unless_missing_passes():
    c = crit(variable="lesions", operator="<=", value=3)
    assert evaluate_criterion(PATIENTS, c).tolist()[3] is False
    c = crit(variable="lesions", operator="<=", value=3, missing_passes=True)
    assert evaluate_criterion(PATIENTS, c).tolist()[3] is True


def test_min_follow_up_days_from_dates_or_death():
    c = crit(operator="min_follow_up_days", value=30)
    # a: 30 days → pass (≥); b: 29 days → fail; c: no last contact → fail; d: 9 days but died → pass
    assert evaluate_criterion(PATIENTS, c).tolist() == [True, False, False, True]


def test_unknown_variable_names_the_criterion():
    with pytest.raises(InputError, match="criterion c uses variable 'nope'"):
        evaluate_criterion(PATIENTS, crit(variable="nope", operator="not_missing"))


def test_text_value_against_numeric_column_is_an_error():
    with pytest.raises(InputError, match="not a number"):
        evaluate_criterion(PATIENTS, crit(variable="lesions", operator="<=", value="three"))


def test_first_reason_and_all_reasons():
    criteria = [crit(id="stage_ok", variable="stage", operator="in", values=["IIa", "IIb"]),
                crit(id="few_lesions", variable="lesions", operator="<=", value=3),
                crit(id="no_mvi", variable="mvi", operator="==", value="no")]
    t = derive_eligibility(PATIENTS, criteria).table
    assert t["analysed"].tolist() == [True, False, False, False]
    # b fails all three → first is stage_ok; c has no arm (first reason) and fails stage (missing);
    # d fails lesions (missing)
    assert t.loc["b", "exclusion_reason"] == "stage_ok"
    assert t.loc["b", "exclusion_reasons"] == "stage_ok;few_lesions;no_mvi"
    assert t.loc["c", "exclusion_reason"] == NOT_ALLOCATED
    assert t.loc["c", "exclusion_reasons"] == f"{NOT_ALLOCATED};stage_ok"
    assert t.loc["d", "exclusion_reason"] == "few_lesions"
    assert pd.isna(t.loc["a", "exclusion_reason"]) and pd.isna(t.loc["a", "exclusion_reasons"])
    assert t.loc["c", "allocated"] == False  # noqa: E712 - numpy bool


def test_eligible_but_not_allocated():
    t = derive_eligibility(PATIENTS, []).table
    assert t["eligible"].all()
    assert t.loc["c", "exclusion_reason"] == NOT_ALLOCATED
    assert t["analysed"].tolist() == [True, True, False, True]


def test_duplicate_criterion_ids_rejected():
    with pytest.raises(InputError, match="duplicate"):
        derive_eligibility(PATIENTS, [crit(id="x", variable="stage", operator="not_missing")] * 2)


def test_exclusion_for_a_missing_value_is_noted_per_criterion():
    """d (allocated) lacks 'lesions' and fails only for that: a note names the criterion and the patient;
    c (lacks 'stage' but never allocated) and b (really fails) are not listed; missing_passes silences it."""
    criteria = [crit(id="stage_ok", variable="stage", operator="in", values=["IIa", "IIb", "IV"]),
                crit(id="few_lesions", variable="lesions", operator="<=", value=3),
                crit(id="follow_up", operator="min_follow_up_days", value=20)]
    res = derive_eligibility(PATIENTS, criteria)
    assert [(n.details["criterion"], n.details["patient_ids"], n.count) for n in res.notes] == [
        ("few_lesions", ["d"], 1)]
    assert "not evaluable (value missing)" in res.notes[0].message
    relaxed = [criteria[0], crit(id="few_lesions", variable="lesions", operator="<=", value=3, missing_passes=True)]
    assert derive_eligibility(PATIENTS, relaxed).notes == ()
