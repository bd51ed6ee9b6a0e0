"""Best overall response: confirmation of CR/PR, minimum SD duration, window, and recorded calls.

Small tricky subject tables in the style of admiralonco's examples. Treatment starts 2021-01-01;
``day`` is days after it. RECIST 1.1 §4.4.1–§4.4.3 and Table 3.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.errors import DataValidationError, InputError
from oncocohort.response import best_overall_response, evaluate
from tests.response.helpers import target_series

START = pd.Timestamp("2021-01-01")


def recorded(*calls_by_day, pid="P1"):
    return pd.DataFrame({"patient_id": pid, "visit_date": [START + pd.Timedelta(days=d) for d, _ in calls_by_day],
                         "overall_response": [c for _, c in calls_by_day]})


def bor(df, **kw):
    kw.setdefault("treatment_start", {"P1": START})
    return best_overall_response(df, **kw).best.set_index("patient_id").loc["P1"]


CONFIRM = dict(confirm=True, confirm_days=28, min_sd_days=42)


@pytest.mark.parametrize("name, visits, settings, expected", [
    ("CR confirmed 30 days later", [(30, "CR"), (60, "CR")], CONFIRM, "CR"),
    ("CR twice 20 days apart: unconfirmed, second is SD-like at day 50 >= 42", [(30, "CR"), (50, "CR")], CONFIRM, "SD"),
    ("CR then PR (Table 3 note): PR", [(30, "CR"), (60, "PR")], CONFIRM, "PR"),
    ("PR, NE, PR: NE between confirmations is allowed", [(30, "PR"), (45, "NE"), (70, "PR")], CONFIRM, "PR"),
    ("PR, SD, PR: SD breaks the confirmation", [(30, "PR"), (45, "SD"), (70, "PR")], CONFIRM, "SD"),
    ("PR then PD: SD if long enough (day 45 >= 42)", [(45, "PR"), (90, "PD")], CONFIRM, "SD"),
    ("PR then PD: PD if SD too short (day 30 < 42)", [(30, "PR"), (60, "PD")], CONFIRM, "PD"),
    ("CR then NE, too short for SD: NE", [(30, "CR"), (60, "NE")], CONFIRM, "NE"),
    ("SD too early then PD: PD", [(30, "SD"), (80, "PD")], dict(min_sd_days=42), "PD"),
    ("SD too early then NE: NE", [(30, "SD"), (80, "NE")], dict(min_sd_days=42), "NE"),
    ("SD at day 42 exactly counts", [(42, "SD"), (80, "PD")], dict(min_sd_days=42), "SD"),
    ("no confirmation asked: a single CR is CR", [(30, "CR"), (60, "PD")], {}, "CR"),
    ("response after progression does not count", [(40, "PD"), (80, "PR")], {}, "PD"),
    ("non-target only disease", [(50, "NON-CR/NON-PD")], dict(min_sd_days=42), "NON-CR/NON-PD"),
    ("non-target only, too early", [(30, "NON-CR/NON-PD"), (60, "NE")], dict(min_sd_days=42), "NE"),
    ("window excludes a late PR", [(60, "SD"), (200, "PR")], dict(window_days=180), "SD"),
    ("empty call is NE", [(60, None)], {}, "NE"),
])
def test_best_response_table(name, visits, settings, expected):
    assert bor(recorded(*visits), **settings)["best_response"] == expected, name


def test_dates_of_best_first_response_and_progression():
    b = bor(recorded((30, "SD"), (60, "PR"), (100, "PR"), (140, "CR"), (180, "CR"), (220, "PD")), **CONFIRM)
    assert b["best_response"] == "CR"
    assert b["best_response_date"] == START + pd.Timedelta(days=140)
    assert b["first_response_date"] == START + pd.Timedelta(days=60)   # first confirmed PR
    assert b["progression_date"] == START + pd.Timedelta(days=220)
    assert b["n_assessments"] == 6
    assert b["best_response_rule"] == "CR confirmed >= 28 days later"


def test_irecist_recorded_calls_date_progression_at_the_episode_first_iupd():
    # iUPD (day 40) reset by iSD (80); a new episode iUPD (120) -> NE -> iCPD (200): progression day 120
    b = bor(recorded((40, "iUPD"), (80, "iSD"), (120, "iUPD"), (160, "NE"), (200, "iCPD")))
    assert b["best_response"] == "iSD"
    assert b["progression_date"] == START + pd.Timedelta(days=120)


def test_assessments_before_treatment_start_are_ignored_with_a_note():
    res = best_overall_response(recorded((-10, "PR"), (60, "SD")), treatment_start={"P1": START})
    assert res.best["best_response"].iloc[0] == "SD"
    assert res.notes[0].message.startswith("assessments on or before treatment start")


def test_patient_without_assessments_in_the_window_is_ne():
    b = bor(recorded((400, "PR")), window_days=180)
    assert b["best_response"] == "NE" and b["n_assessments"] == 0
    assert b["best_response_rule"] == "no assessment after treatment start in the window"


def test_unknown_label_and_duplicate_visit_are_reported_together():
    df = recorded((30, "Partial response"), (60, "SD"), (60, "PD"))
    with pytest.raises(DataValidationError) as exc:
        best_overall_response(df)
    assert str(exc.value) == (
        "2 error(s) in the input data:\n"
        "[error] visit_responses, patient P1, visit 2021-01-31, column 'overall_response': value "
        "'Partial response' — expected one of CR, PR, SD, NON-CR/NON-PD, PD, NE, iCR, iPR, iSD, "
        "NON-iCR/NON-iUPD, iUPD, iCPD (unknown_category)\n"
        "[error] visit_responses, patient P1, visit 2021-03-02, column 'visit_date': value '2021-03-02' — "
        "expected one response per patient and visit (duplicate_visit)")


@pytest.mark.parametrize("kw, argument", [
    (dict(min_sd_days=42), "treatment_start"),
    (dict(confirm_days=0, treatment_start={"P1": START}), "confirm_days"),
    (dict(window_days=-1, treatment_start={"P1": START}), "window_days"),
    (dict(confirm="yes"), "confirm"),
])
def test_bad_settings_name_the_argument(kw, argument):
    with pytest.raises(InputError) as exc:
        best_overall_response(recorded((30, "SD")), **kw)
    assert exc.value.argument == argument


def test_same_best_from_measurements_and_from_their_recorded_calls():
    dates = ["2021-01-01", "2021-02-12", "2021-03-26", "2021-05-07", "2021-06-18"]
    res = evaluate(pd.concat([pd.DataFrame(target_series("P1", dates, [50, 30, 28, 29, 40])),
                              pd.DataFrame(target_series("P2", dates, [50, 45, 60, 70, 80]))]),
                   "recist1.1", treatment_start={"P1": START, "P2": START}, **CONFIRM)
    v = res.visits.loc[~res.visits["is_baseline"], ["patient_id", "visit_date", "overall_response"]]
    again = best_overall_response(v, treatment_start={"P1": START, "P2": START}, **CONFIRM)
    cols = ["patient_id", "best_response", "best_response_date", "first_response_date", "progression_date"]
    pd.testing.assert_frame_equal(res.best[cols], again.best[cols])
    assert res.best["best_response"].tolist() == ["PR", "SD"]
    # P1: 50 -> 28 is the largest shrinkage (-44 %); P2 best is -10 %; PD at 70 (+55 % over nadir 45)
    assert res.best["best_pct_change"].tolist() == pytest.approx([-44.0, -10.0])
