"""iRECIST (Seymour et al. 2017): iUPD, confirmation to iCPD, reset, and the progression date.

Each scenario is tagged with the row of Seymour 2017 Table 2 ("time-point response with previous
iUPD in any category") or the "Confirming progression" rule it covers. Visits are 6 weeks apart
(42 days >= the 28-day minimum before a confirmation) unless a test says otherwise.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.response import evaluate
from tests.response.helpers import best_row, calls, lesion, table, target_series

DATES = pd.date_range("2021-01-01", periods=7, freq="42D").strftime("%Y-%m-%d").tolist()


def run(rows, criteria="irecist", **kw):
    return evaluate(table(rows), criteria, **kw)


def test_target_growth_confirms_at_the_next_assessment_and_dates_progression_at_iupd():
    # Table 2 row "target iUPD; non-target non-iUPD; new no": 50 -> 50 (iSD) -> 70 (+40 % over
    # nadir 50: iUPD) -> 75 (+5 mm over the iUPD sum 70: iCPD)
    res = run(target_series("P1", DATES[:4], [50, 50, 70, 75]))
    assert calls(res) == ["iSD", "iUPD", "iCPD"]
    assert res.visits["irecist_rule"].iloc[3] == "iCPD: target sum increased >= 5 mm since iUPD"
    b = best_row(res)
    assert b["best_response"] == "iSD"
    assert b["progression_date"] == pd.Timestamp(DATES[2])  # the iUPD, not the confirming scan
    assert res.visits["recist_response"].tolist()[1:] == ["SD", "PD", "PD"]


def test_unconfirmed_iupd_stays_iupd_and_increases_add_up():
    # 70 (iUPD) -> 74 (+4: no) -> 76 (+6 since the iUPD: yes). EORTC FAQ: increases are additive.
    res = run(target_series("P1", DATES[:5], [50, 50, 70, 74, 76]))
    assert calls(res) == ["iSD", "iUPD", "iUPD", "iCPD"]
    assert res.visits["irecist_rule"].iloc[3] == "iUPD: no further increase"
    assert best_row(res)["progression_date"] == pd.Timestamp(DATES[2])


def test_non_progression_after_iupd_resets_and_a_later_progression_is_iupd_again():
    # Table 2 rows 1-4 after iUPD: 50 -> 70 (iUPD) -> 50 (0 % vs nadir 50: iSD, reset) -> 70
    # (iUPD again, a new episode) -> 71 (+1 mm: stays iUPD). No confirmed progression.
    res = run(target_series("P1", DATES[:5], [50, 70, 50, 70, 71]))
    assert calls(res) == ["iUPD", "iSD", "iUPD", "iUPD"]
    assert res.visits["irecist_rule"].iloc[2] == "reset: no progression after iUPD"
    assert res.visits["iupd_date"].iloc[4] == pd.Timestamp(DATES[3])  # the new episode's iUPD
    b = best_row(res)
    assert b["best_response"] == "iSD" and pd.isna(b["progression_date"])


def test_reset_to_icr_after_iupd():
    res = run(target_series("P1", DATES[:3], [20, 30, 0]))
    assert calls(res) == ["iUPD", "iCR"]


def test_ne_between_iupd_and_confirmation_keeps_it_pending():
    res = run(target_series("P1", DATES[:5], [50, 50, 70, None, 76]))
    assert calls(res) == ["iSD", "iUPD", "NE", "iCPD"]
    assert best_row(res)["progression_date"] == pd.Timestamp(DATES[2])


def test_a_scan_earlier_than_28_days_cannot_confirm():
    dates = ["2021-01-01", "2021-02-12", "2021-02-26", "2021-03-26"]  # 14 then 42 days after the iUPD
    res = run(target_series("P1", dates, [50, 70, 80, 80]))
    assert calls(res) == ["iUPD", "iUPD", "iCPD"]
    assert res.visits["irecist_rule"].iloc[2] == "iUPD: too early to confirm"


def _with_nontargets(statuses_n1, statuses_n2, target=(50, 50, 50, 50)):
    rows = target_series("P1", DATES[:4], list(target))
    for d, s1, s2 in zip(DATES, statuses_n1, statuses_n2):
        rows += [lesion("P1", d, "N1", "non-target", status=s1), lesion("P1", d, "N2", "non-target", status=s2)]
    return rows


@pytest.mark.parametrize("n2_at_confirmation, expected, rule", [
    # Table 2 "target iSD; non-target iUPD; new no": remains iUPD unless further non-target increase
    ("present", "iUPD", "iUPD: no further increase"),
    ("unequivocal progression", "iCPD", "iCPD: further non-target progression since iUPD"),
])
def test_non_target_iupd(n2_at_confirmation, expected, rule):
    up = "unequivocal progression"
    rows = _with_nontargets(["present", "present", up, up], ["present", "present", "present", n2_at_confirmation])
    res = run(rows)
    assert calls(res) == ["iSD", "iUPD", expected]
    assert res.visits["irecist_rule"].iloc[3] == rule


@pytest.mark.parametrize("follow_up, expected, rule", [
    # Table 2 "new lesions yes": iCPD when new lesions grew >= 5 mm in sum or in number, else iUPD
    ([("X1", 12)], "iUPD", "iUPD: no further increase"),
    ([("X1", 15)], "iCPD", "iCPD: new lesions grew >= 5 mm since iUPD"),
    ([("X1", 10), ("X2", 3)], "iCPD", "iCPD: additional new lesion since iUPD"),
])
def test_new_lesion_iupd(follow_up, expected, rule):
    rows = target_series("P1", DATES[:3], [50, 50, 50])
    rows.append(lesion("P1", DATES[1], "X1", "new", 10, site="lung"))
    rows += [lesion("P1", DATES[2], lid, "new", mm, site="lung") for lid, mm in follow_up]
    res = run(rows)
    assert calls(res) == ["iUPD", expected]
    assert res.visits["irecist_rule"].iloc[2] == rule


def test_progression_in_a_category_not_progressing_at_iupd_confirms():
    # iUPD by target growth (50 -> 70); next scan target unchanged (+0 mm) but a new lesion appears
    rows = target_series("P1", DATES[:3], [50, 70, 70]) + [lesion("P1", DATES[2], "X1", "new", 4, site="lung")]
    res = run(rows)
    assert calls(res) == ["iUPD", "iCPD"]
    assert res.visits["irecist_rule"].iloc[2] == "iCPD: new lesion, none at iUPD"


def test_visits_after_icpd_stay_icpd_and_best_stops_there():
    res = run(target_series("P1", DATES[:5], [50, 70, 80, 30, 20]))
    assert calls(res) == ["iUPD", "iCPD", "iCPD", "iCPD"]
    assert best_row(res)["best_response"] == "iCPD"


def test_unconfirmed_iupd_as_best_response():
    res = run(target_series("P1", DATES[:2], [50, 70]))
    b = best_row(res)
    assert b["best_response"] == "iUPD" and pd.isna(b["progression_date"])


def test_mrecist_with_confirmation_of_progression_seed_002():
    # viable 20 -> 30 (+50 % over nadir: iUPD) -> 36 (+6 mm: iCPD); plain mRECIST says PD, PD
    rows = target_series("P1", DATES[:3], [20, 30, 36])
    assert calls(run(rows, "mrecist")) == ["PD", "PD"]
    res = run(rows, "mrecist", confirm_progression=True)
    assert calls(res) == ["iUPD", "iCPD"]
    assert res.criteria.name == "mrecist" and res.criteria.confirm_progression
    assert res.settings["confirm_progression"] is True
