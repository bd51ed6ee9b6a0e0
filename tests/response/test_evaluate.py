"""The engine's contract: result shape, columns, settings, notes and argument errors."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from oncocohort.errors import InputError
from oncocohort.response import ResponseEvaluation, evaluate
from tests.response.helpers import lesion, table, target_series

DATES = ["2021-01-01", "2021-02-12", "2021-03-26", "2021-05-07"]


def two_patients():
    # A: 40 -> 20 (PR, -50 %) -> 0 (CR) -> 0 (CR); B: non-target only, present throughout
    rows = target_series("A", DATES, [40, 20, 0, 0])
    rows += [lesion("B", d, "N1", "non-target", status="present") for d in DATES]
    return table(rows)


def test_result_is_a_frozen_record_with_the_contract_columns():
    res = evaluate(two_patients(), "recist1.1")
    assert isinstance(res, ResponseEvaluation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.best = None  # type: ignore[misc]
    for col in ("patient_id", "visit_date", "target_sum_mm", "pct_change_baseline", "pct_change_nadir",
                "target_response", "nontarget_response", "new_lesion", "overall_response",
                "nadir_sum_mm", "baseline_sum_mm", "overall_rule", "target_rule"):
        assert col in res.visits.columns, col
    for col in ("patient_id", "best_response", "best_pct_change", "best_response_date",
                "first_response_date", "progression_date"):
        assert col in res.best.columns, col
    assert len(res.visits) == 8 and res.visits["is_baseline"].sum() == 2


def test_calls_and_best_for_two_patients_with_notes():
    res = evaluate(two_patients(), "recist1.1", confirm=True, min_sd_days=42)
    b = res.best.set_index("patient_id")
    # A: PR at day 42, CR at 84 and 126 (42 days apart): confirmed CR; first response day 42
    assert b.loc["A", "best_response"] == "CR" and b.loc["A", "best_pct_change"] == -100.0
    assert b.loc["A", "first_response_date"] == pd.Timestamp(DATES[1])
    assert b.loc["A", "best_response_date"] == pd.Timestamp(DATES[2])
    # B: non-target only -> NON-CR/NON-PD from day 42 (>= 42 days)
    assert b.loc["B", "best_response"] == "NON-CR/NON-PD" and pd.isna(b.loc["B", "best_pct_change"])
    assert res.notes[0].message == "treatment start not given; the baseline visit date was used"
    assert res.notes[0].count == 2
    s = res.summary()
    assert s["best_response"].tolist() == ["CR", "NON-CR/NON-PD"] and s["percent"].tolist() == [50.0, 50.0]
    assert res.to_frame().equals(res.best)


def test_treatment_start_sets_the_sd_clock_and_the_window():
    # SD at 2021-02-12: 42 days after a 2021-01-01 start but only 12 days after a 2021-02-01 start
    rows = table(target_series("A", DATES[:2], [40, 40]))
    assert evaluate(rows, "recist1.1", min_sd_days=42).best["best_response"].iloc[0] == "SD"
    late = evaluate(rows, "recist1.1", min_sd_days=42, treatment_start=pd.Series({"A": "2021-02-01"}))
    assert late.best["best_response"].iloc[0] == "NE"
    assert late.best["treatment_start"].iloc[0] == pd.Timestamp("2021-02-01")
    assert evaluate(rows, "recist1.1", window_days=30).best["best_response"].iloc[0] == "NE"


@pytest.mark.parametrize("kw, argument", [
    (dict(criteria="who"), "criteria"),
    (dict(min_sd_days=-1), "min_sd_days"),
    (dict(confirm_progression="yes"), "confirm_progression"),
    (dict(treatment_start={"A": "not a date"}), "treatment_start"),
])
def test_bad_arguments_name_the_argument(kw, argument):
    kw.setdefault("criteria", "recist1.1")
    with pytest.raises(InputError) as exc:
        evaluate(two_patients(), **kw)
    assert exc.value.argument == argument


def test_lesions_must_be_a_dataframe():
    with pytest.raises(InputError, match="lesions: must be a pandas DataFrame"):
        evaluate([1, 2], "recist1.1")


def test_two_start_dates_for_one_patient_are_refused():
    with pytest.raises(InputError, match=r"treatment_start: has more than one date for patient\(s\) \['A'\]"):
        evaluate(two_patients(), "recist1.1", treatment_start=pd.Series(["2021-01-01", "2021-01-02"], index=["A", "A"]))


def test_an_empty_lesions_table_gives_empty_tables():
    res = evaluate(table([]), "irecist", treatment_start={"A": "2021-01-01"})
    assert len(res.visits) == 0 and len(res.best) == 0
    assert {"overall_response", "irecist_rule"} <= set(res.visits.columns)
