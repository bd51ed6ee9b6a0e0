"""Overall time-point response: one case per row of each criteria's combination table.

Each case builds one patient (baseline 2021-01-01, follow-up 2021-03-01) from lesion measurements
whose target / non-target / new-lesion categories are worked out by hand in the comment, and
checks the call and the table row that decided it (``overall_rule``).
RECIST 1.1 §4.3.4 Table 1 (target disease) and Table 2 (non-target disease only); mRECIST
(Lencioni & Llovet 2010) Table 3 has the same rows on viable diameters.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.response import MRECIST, RECIST11, derive_overall_response, evaluate
from tests.response.helpers import calls, lesion, table

B, F = "2021-01-01", "2021-03-01"
# target category -> (baseline mm, follow-up mm); one target of 50 mm at baseline.
TARGET = {
    "CR": (50, 0),      # disappeared
    "PR": (50, 30),     # -40 % from baseline
    "SD": (50, 50),     # no change
    "PD": (50, 70),     # +40 % and +20 mm over nadir 50
    "NE": (50, None),   # not measured
}
# non-target category -> follow-up status (present at baseline)
NONTARGET = {"CR": "absent", "NON-CR/NON-PD": "present", "PD": "unequivocal progression", "NE": None}


def one_patient(target, nontarget, new) -> pd.DataFrame:
    rows = []
    if target is not None:
        b, f = TARGET[target]
        rows += [lesion("P1", B, "T1", "target", b), lesion("P1", F, "T1", "target", f)]
    if nontarget is not None:
        rows += [lesion("P1", B, "N1", "non-target", status="present"),
                 lesion("P1", F, "N1", "non-target", status=NONTARGET[nontarget])]
    if new:  # extrahepatic, so mRECIST's intrahepatic rule does not apply
        rows.append(lesion("P1", F, "X1", "new", 12, site="lung"))
    return table(rows)


# (tag = the table row covered, target, non-target, new lesion, expected call)
CASES = [
    ("Table 1 row 1: CR + CR", "CR", "CR", False, "CR"),
    ("Table 1 row 1: CR + CR", "CR", None, False, "CR"),  # no non-target disease at baseline
    ("Table 1 row 2: CR + non-CR/non-PD", "CR", "NON-CR/NON-PD", False, "PR"),
    ("Table 1 row 3: CR + not evaluated", "CR", "NE", False, "PR"),
    ("Table 1 row 4: PR + non-PD or not all evaluated", "PR", "NON-CR/NON-PD", False, "PR"),
    ("Table 1 row 4: PR + non-PD or not all evaluated", "PR", "NE", False, "PR"),
    ("Table 1 row 5: SD + non-PD or not all evaluated", "SD", "NON-CR/NON-PD", False, "SD"),
    ("Table 1 row 5: SD + non-PD or not all evaluated", "SD", "NE", False, "SD"),
    ("Table 1 row 6: not all evaluated + non-PD", "NE", "NON-CR/NON-PD", False, "NE"),
    ("Table 1 row 7: target PD", "PD", "CR", False, "PD"),
    ("Table 1 row 7: target PD", "PD", "NE", True, "PD"),
    ("Table 1 row 8 / Table 2 row 4: non-target PD", "PR", "PD", False, "PD"),
    ("Table 1 row 8 / Table 2 row 4: non-target PD", None, "PD", False, "PD"),
    ("Table 1 row 9 / Table 2 row 5: new lesion", "CR", "CR", True, "PD"),
    ("Table 1 row 9 / Table 2 row 5: new lesion", None, "NON-CR/NON-PD", True, "PD"),
    ("Table 2 row 1: non-target CR", None, "CR", False, "CR"),
    ("Table 2 row 2: non-CR/non-PD", None, "NON-CR/NON-PD", False, "NON-CR/NON-PD"),
    ("Table 2 row 3: not all evaluated", None, "NE", False, "NE"),
]


@pytest.mark.parametrize("criteria", ["recist1.1", "mrecist"])
@pytest.mark.parametrize("row, target, nontarget, new, expected", CASES, ids=[f"{c[0]}|{c[1]}|{c[2]}|{c[3]}" for c in CASES])
def test_time_point_table_row(criteria, row, target, nontarget, new, expected):
    res = evaluate(one_patient(target, nontarget, new), criteria)
    follow = res.visits.loc[~res.visits["is_baseline"]].iloc[0]
    # the lesion data produce the intended categories (NA: no such disease at baseline)
    assert (None if pd.isna(follow["target_response"]) else follow["target_response"]) == target
    assert (None if pd.isna(follow["nontarget_response"]) else follow["nontarget_response"]) == nontarget
    assert bool(follow["new_lesion"]) is new
    assert follow["overall_response"] == expected
    assert follow["overall_rule"] == row


def test_every_table_row_has_a_case():
    tags = {c[0] for c in CASES} | {"no disease at baseline"}
    assert {r.source for r in RECIST11.overall_table} == tags
    assert MRECIST.overall_table == RECIST11.overall_table  # Lencioni & Llovet Table 3 = RECIST Table 1


def test_no_disease_at_baseline_row_directly():
    # Unreachable from a lesions table (a baseline visit has at least one lesion), so tested on
    # the combination step alone: no target, no non-target, no new lesion -> NE; new lesion -> PD.
    v = pd.DataFrame({"is_baseline": [False, False], "target_response": ["none", "none"],
                      "nontarget_response": ["none", "none"], "new_lesion": [False, True]})
    out = derive_overall_response(v, RECIST11)
    assert list(out["overall_response"]) == ["NE", "PD"]
    assert list(out["overall_rule"]) == ["no disease at baseline", "Table 1 row 9 / Table 2 row 5: new lesion"]


def test_non_target_only_patient_has_no_target_sum():
    res = evaluate(one_patient(None, "NON-CR/NON-PD", False), "recist1.1")
    f = res.visits.iloc[1]
    assert pd.isna(f["target_response"]) and pd.isna(f["target_sum_mm"]) and f["n_targets"] == 0
    assert calls(res) == ["NON-CR/NON-PD"]


def test_non_target_reappearing_after_overall_cr_is_pd():
    # target 30 -> 0, non-target present -> absent (overall CR) -> non-target present again: PD
    rows = [lesion("P1", d, "T1", "target", mm) for d, mm in zip([B, F, "2021-05-01"], [30, 0, 0])]
    rows += [lesion("P1", d, "N1", "non-target", status=s)
             for d, s in zip([B, F, "2021-05-01"], ["present", "absent", "present"])]
    res = evaluate(table(rows), "recist1.1")
    assert calls(res) == ["CR", "PD"]
    assert res.visits.iloc[2]["nontarget_rule"] == "reappearance after CR"
    assert res.visits.iloc[2]["overall_rule"] == "Table 1 row 8 / Table 2 row 4: non-target PD"
