"""New lesions: RECIST 1.1 §4.3.3 and mRECIST's rule for new intrahepatic nodules (Lencioni & Llovet 2010)."""

from __future__ import annotations

import pytest

from oncocohort.response import evaluate
from tests.response.helpers import calls, lesion, table

D = ["2021-01-01", "2021-03-01", "2021-05-01"]


def with_new(*new_rows):
    rows = [lesion("P1", d, "T1", "target", 40) for d in D]  # stable target: SD throughout
    return table(rows + list(new_rows))


@pytest.mark.parametrize("new, recist, mrecist", [
    # (new lesion rows, RECIST 1.1 calls, mRECIST calls)
    ([lesion("P1", D[1], "X1", "new", 12, site="liver", typical=True)], ["PD", "SD"], ["PD", "SD"]),
    # < 10 mm typical nodule: not HCC by mRECIST yet
    ([lesion("P1", D[1], "X1", "new", 8, site="liver", typical=True)], ["PD", "SD"], ["SD", "SD"]),
    # >= 10 mm but atypical: not yet; it grows 12 -> 23 mm (>= 10 mm interval growth): PD then
    ([lesion("P1", D[1], "X1", "new", 12, site="liver", typical=False),
      lesion("P1", D[2], "X1", "new", 23, site="liver", typical=False)], ["PD", "PD"], ["SD", "PD"]),
    # unknown pattern counts as atypical
    ([lesion("P1", D[1], "X1", "new", 15, site="liver")], ["PD", "SD"], ["SD", "SD"]),
    # extrahepatic new lesion: the RECIST rule applies under mRECIST too, whatever its size
    ([lesion("P1", D[1], "X1", "new", 6, site="lung")], ["PD", "SD"], ["PD", "SD"]),
    # a new lesion recorded absent does not count
    ([lesion("P1", D[1], "X1", "new", None, status="absent", site="lung")], ["SD", "SD"], ["SD", "SD"]),
])
def test_new_lesion_rules(new, recist, mrecist):
    assert calls(evaluate(with_new(*new), "recist1.1")) == recist
    assert calls(evaluate(with_new(*new), "mrecist")) == mrecist


def test_new_lesion_traceability_columns():
    res = evaluate(with_new(lesion("P1", D[1], "X1", "new", 8, site="liver", typical=True),
                            lesion("P1", D[1], "X2", "new", 11, site="bone")), "mrecist")
    v = res.visits.iloc[1]
    assert (v["new_lesion_count"], v["new_lesion_sum_mm"], v["n_new_not_counted"]) == (1, 11.0, 1)
    res = evaluate(with_new(lesion("P1", D[1], "X1", "new", 8, site="liver", typical=True)), "mrecist")
    assert res.visits.iloc[1]["new_lesion_rule"].startswith("new intrahepatic nodule(s) not meeting mRECIST")


def test_once_counted_a_nodule_keeps_counting_while_present():
    res = evaluate(with_new(lesion("P1", D[1], "X1", "new", 12, site="liver", typical=True),
                            lesion("P1", D[2], "X1", "new", 9, site="liver", typical=True)), "mrecist")
    assert calls(res) == ["PD", "PD"]
