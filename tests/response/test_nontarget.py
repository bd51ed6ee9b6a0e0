"""Non-target response (RECIST 1.1 §4.3.2): status, empty status with a diameter, missing lesions."""

from __future__ import annotations

from oncocohort.response import evaluate
from tests.response.helpers import lesion, table

D = ["2021-01-01", "2021-03-01"]


def nt_calls(follow_up_rows):
    rows = [lesion("P1", D[0], "N1", "non-target", status="present"),
            lesion("P1", D[0], "N2", "non-target", status="present")] + follow_up_rows
    v = evaluate(table(rows), "recist1.1").visits.iloc[1]
    return v["nontarget_response"], v["nontarget_rule"]


def test_all_absent_is_cr():
    assert nt_calls([lesion("P1", D[1], "N1", "non-target", status="absent"),
                     lesion("P1", D[1], "N2", "non-target", status="absent")])[0] == "CR"


def test_empty_status_is_judged_by_the_diameter():
    # N1 measured 0 mm (absent), N2 measured 7 mm (present) -> non-CR/non-PD
    assert nt_calls([lesion("P1", D[1], "N1", "non-target", 0), lesion("P1", D[1], "N2", "non-target", 7)])[0] == \
        "NON-CR/NON-PD"


def test_a_lesion_without_a_row_is_not_assessed_unless_another_progresses():
    assert nt_calls([lesion("P1", D[1], "N1", "non-target", status="absent")]) == \
        ("NE", "not every non-target lesion assessed")
    assert nt_calls([lesion("P1", D[1], "N1", "non-target", status="unequivocal progression")]) == \
        ("PD", "unequivocal progression")
