"""Seymour et al. 2017 (iRECIST) Table 2, one case per row and column.

Each case is a three-visit patient given directly as per-visit categories and measurements
(baseline, previous visit, current visit) and run through ``confirm_irecist_progression``.
Column "no previous iUPD": the previous visit is iSD. Column "previous iUPD": the previous visit is
an iUPD whose progressing categories and measurements are given (the confirmation reference).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.response import IRECIST, confirm_irecist_progression, derive_overall_response

SD_VISIT = dict(t="SD", nt="NON-CR/NON-PD", new=False, tsum=50.0, up=0, n_new=0, new_sum=0.0)


def visit(**kw):
    return {**SD_VISIT, **kw}


def run(previous, current):
    rows = [visit(), previous, current]
    v = pd.DataFrame({
        "patient_id": "P1", "visit_date": pd.to_datetime(["2021-01-01", "2021-02-12", "2021-03-26"]),
        "is_baseline": [True, False, False],
        "target_response": [r["t"] for r in rows], "nontarget_response": [r["nt"] for r in rows],
        "new_lesion": [r["new"] for r in rows], "target_sum_assessed_mm": [r["tsum"] for r in rows],
        "n_nontargets_progressing": [r["up"] for r in rows], "new_lesion_count": [r["n_new"] for r in rows],
        "new_lesion_sum_mm": [r["new_sum"] for r in rows]})
    v["overall_response"] = derive_overall_response(v, IRECIST)["overall_response"]
    return confirm_irecist_progression(v, IRECIST)["overall_response"].tolist()[1:]


# previous iUPD references (the visit that was iUPD)
UPD_T = visit(t="PD", tsum=70.0)
UPD_NT = visit(nt="PD", up=1)
UPD_NEW = visit(new=True, n_new=1, new_sum=10.0)
UPD_T_NT = visit(t="PD", tsum=70.0, nt="PD", up=1)
UPD_ALL = visit(t="PD", tsum=70.0, nt="PD", up=1, new=True, n_new=1, new_sum=10.0)

CASES = [
    # (Table 2 row, previous visit, current visit, expected current call)
    ("row 1 target iCR, non-target iCR, no new; no previous iUPD", visit(), visit(t="CR", nt="CR", tsum=0.0), "iCR"),
    ("row 1; previous iUPD (reset)", UPD_T, visit(t="CR", nt="CR", tsum=0.0), "iCR"),
    ("row 2 target iCR, non-target non-iCR/non-iUPD; no previous", visit(), visit(t="CR", tsum=0.0), "iPR"),
    ("row 2; previous iUPD", UPD_T, visit(t="CR", tsum=0.0), "iPR"),
    ("row 3 target iPR; no previous", visit(), visit(t="PR", tsum=30.0), "iPR"),
    ("row 3; previous iUPD", UPD_NT, visit(t="PR", tsum=30.0), "iPR"),
    ("row 4 target iSD; no previous", visit(), visit(), "iSD"),
    ("row 4; previous iUPD", UPD_NEW, visit(), "iSD"),
    ("row 5 new lesions, no change; previous iUPD", UPD_NEW, visit(new=True, n_new=1, new_sum=12.0), "iUPD"),
    ("row 5 new lesions grew >= 5 mm; previous iUPD", UPD_NEW, visit(new=True, n_new=1, new_sum=15.0), "iCPD"),
    ("row 5 more new lesions; previous iUPD", UPD_NEW, visit(new=True, n_new=2, new_sum=12.0), "iCPD"),
    ("row 6 non-target iUPD; no previous", visit(), visit(nt="PD", up=1), "iUPD"),
    ("row 6 no further non-target increase; previous iUPD", UPD_NT, visit(nt="PD", up=1), "iUPD"),
    ("row 6 further non-target increase; previous iUPD", UPD_NT, visit(nt="PD", up=2), "iCPD"),
    ("row 7 target iUPD; no previous", visit(), visit(t="PD", tsum=70.0), "iUPD"),
    ("row 7 sum +4 mm; previous iUPD", UPD_T, visit(t="PD", tsum=74.0), "iUPD"),
    ("row 7 sum +5 mm; previous iUPD", UPD_T, visit(t="PD", tsum=75.0), "iCPD"),
    ("row 8 target and non-target iUPD; no previous", visit(), visit(t="PD", tsum=70.0, nt="PD", up=1), "iUPD"),
    ("row 8 no further increase; previous iUPD", UPD_T_NT, visit(t="PD", tsum=71.0, nt="PD", up=1), "iUPD"),
    ("row 8 further non-target; previous iUPD", UPD_T_NT, visit(t="PD", tsum=71.0, nt="PD", up=2), "iCPD"),
    ("row 8 target +6 mm; previous iUPD", UPD_T_NT, visit(t="PD", tsum=76.0, nt="PD", up=1), "iCPD"),
    ("row 9 all categories iUPD; no previous", visit(), visit(t="PD", tsum=70.0, nt="PD", up=1, new=True, n_new=1,
                                                               new_sum=10.0), "iUPD"),
    ("row 9 no change; previous iUPD", UPD_ALL, UPD_ALL, "iUPD"),
    ("row 9 additional new lesion; previous iUPD", UPD_ALL, {**UPD_ALL, "n_new": 2}, "iCPD"),
    ("row 10 new lesion only; no previous", visit(), visit(new=True, n_new=1, new_sum=10.0), "iUPD"),
    ("row 10 target now progressing, not at iUPD; previous iUPD", UPD_NEW,
     visit(t="PD", tsum=70.0, new=True, n_new=1, new_sum=10.0), "iCPD"),
]


@pytest.mark.parametrize("row, previous, current, expected", CASES, ids=[c[0] for c in CASES])
def test_irecist_table_2(row, previous, current, expected):
    calls = run(previous, current)
    assert calls[0] == ("iSD" if previous is SD_VISIT or previous == visit() else "iUPD")
    assert calls[1] == expected, row
