"""Target-lesion sums and the target response: PD thresholds, nadir, nodes, missing measurements.

All numbers are worked by hand in the comments (RECIST 1.1 §4.3.1; mRECIST Lencioni & Llovet 2010).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.response import evaluate, get_criteria
from tests.response.helpers import calls, lesion, table, target_series

DATES = ["2021-01-01", "2021-03-01", "2021-05-01", "2021-07-01"]


def run(sums, criteria="recist1.1", **kw):
    return evaluate(table(target_series("P1", DATES[: len(sums)], sums)), criteria, **kw)


@pytest.mark.parametrize("sums, expected, why", [
    ([50, 60], "PD", "+10 mm = +20 % over nadir 50: both thresholds met exactly"),
    ([50, 59], "SD", "+18 % < 20 %"),
    ([20, 24], "SD", "+20 % over nadir 20 but only +4 mm < 5 mm absolute"),
    ([20, 25], "PD", "+25 % and +5 mm"),
    ([50, 35], "PR", "-30 % exactly is PR (at least a 30 % decrease)"),
    ([50, 35.5], "SD", "-29 %"),
    ([50, 0], "CR", "disappeared"),
])
def test_recist_thresholds(sums, expected, why):
    assert calls(run(sums)) == [expected], why


def test_pd_is_measured_from_the_nadir_not_the_baseline():
    # baseline 100 -> 50 (PR, nadir 50) -> 62: -38 % from baseline (still PR by baseline) but
    # +24 % and +12 mm over the nadir 50 -> PD.
    res = run([100, 50, 62])
    assert calls(res) == ["PR", "PD"]
    last = res.visits.iloc[-1]
    assert last["nadir_sum_mm"] == 50 and last["pct_change_baseline"] == pytest.approx(-38.0)
    assert last["pct_change_nadir"] == pytest.approx(24.0)
    assert last["target_rule"] == "sum >= 20% over nadir and >= 5 mm"


def test_nadir_is_the_smallest_earlier_complete_sum_and_skips_unmeasured_visits():
    # 80 -> 60 -> (not measured) -> 71: nadir 60 (the NE visit does not count), 71/60 = +18 % -> SD
    res = run([80, 60, None, 71])
    assert calls(res) == ["SD", "NE", "SD"]
    assert list(res.visits["nadir_sum_mm"]) == [80, 80, 60, 60]


def test_mrecist_has_no_absolute_rule_by_default_and_it_is_a_setting():
    # viable 10 -> 12: +20 % over nadir, +2 mm. mRECIST default: PD; with the 5 mm rule: SD.
    assert calls(run([10, 12], "mrecist")) == ["PD"]
    assert calls(run([10, 12], get_criteria("mrecist", pd_min_increase_mm=5.0))) == ["SD"]
    assert calls(run([10, 12], "recist1.1")) == ["SD"]


def test_mrecist_uses_the_viable_diameter():
    # longest stays 40 mm (necrotic tumour) while the enhancing part shrinks 30 -> 0: mRECIST CR,
    # RECIST 1.1 SD.
    rows = [lesion("P1", DATES[0], "T1", "target", 40, viable=30), lesion("P1", DATES[1], "T1", "target", 40, viable=0)]
    assert calls(evaluate(table(rows), "mrecist")) == ["CR"]
    assert calls(evaluate(table(rows), "recist1.1")) == ["SD"]


def test_nodes_below_10_mm_are_normal_for_cr_and_their_short_axis_is_summed():
    # liver 30 mm + node short axis 20 mm = 50; follow-up liver 0 + node 8 mm = 8 -> CR (node < 10).
    rows = [lesion("P1", DATES[0], "T1", "target", 30), lesion("P1", DATES[0], "L1", "target", 20, node=True),
            lesion("P1", DATES[1], "T1", "target", 0), lesion("P1", DATES[1], "L1", "target", 8, node=True),
            lesion("P1", DATES[2], "T1", "target", 0), lesion("P1", DATES[2], "L1", "target", 10, node=True)]
    res = evaluate(table(rows), "recist1.1")
    assert list(res.visits["target_sum_mm"]) == [50, 8, 10]
    # node grows to 10 mm: no longer normal, previous overall CR -> reappearance is PD
    assert calls(res) == ["CR", "PD"]
    assert res.visits.iloc[2]["target_rule"] == "reappearance after CR"


def test_growth_of_normal_nodes_is_not_progression():
    # three nodes 20 -> 4 mm each (CR, sum 12) -> 9 mm each (sum 27: +125 %, +15 mm) still all < 10 mm
    rows = []
    for d, mm in zip(DATES[:3], [20, 4, 9]):
        rows += [lesion("P1", d, f"L{i}", "target", mm, node=True, site=f"node{i}") for i in range(3)]
    assert calls(evaluate(table(rows), "recist1.1")) == ["CR", "CR"]


def test_reappearance_after_cr_is_pd_but_not_after_pr():
    # two liver lesions 30 + 20. Patient A: both gone (CR), then one back at 3 mm -> PD although
    # 3 mm is < 5 mm over the nadir 0. Patient B: 30 + 20 -> 20 + 0 (PR) -> 20 + 3: the lesion is
    # added back to the sum (23 vs nadir 20: +15 %) -> PR still (-54 % from 50).
    rows = []
    for pid, seq in (("A", [(30, 20), (0, 0), (3, 0)]), ("B", [(30, 20), (20, 0), (20, 3)])):
        for d, (a, b) in zip(DATES, seq):
            rows += [lesion(pid, d, "T1", "target", a), lesion(pid, d, "T2", "target", b)]
    res = evaluate(table(rows), "recist1.1")
    assert calls(res, "A") == ["CR", "PD"] and calls(res, "B") == ["PR", "PR"]


def test_missing_target_is_ne_unless_the_measured_ones_already_show_pd():
    # baseline 30 + 20 = 50; follow-up only T1 measured: 40 -> NE; 80 -> PD (partial 80 >= 60 and +30 mm)
    rows = [lesion("P1", DATES[0], "T1", "target", 30), lesion("P1", DATES[0], "T2", "target", 20),
            lesion("P1", DATES[1], "T1", "target", 40), lesion("P1", DATES[1], "T2", "target", None),
            lesion("P1", DATES[2], "T1", "target", 80)]
    res = evaluate(table(rows), "recist1.1")
    assert calls(res) == ["NE", "PD"]
    assert np.isnan(res.visits.iloc[1]["target_sum_mm"]) and res.visits.iloc[1]["target_sum_assessed_mm"] == 40
    assert res.visits.iloc[2]["target_rule"].startswith("partial sum already")


def test_pct_change_from_a_zero_nadir_is_undefined_not_infinite():
    res = run([20, 0, 5], "mrecist")
    assert calls(res) == ["CR", "PD"]
    assert pd.isna(res.visits.iloc[2]["pct_change_nadir"])
    assert res.visits.iloc[2]["pct_change_baseline"] == pytest.approx(-75.0)


def test_a_target_marked_absent_without_a_diameter_counts_as_zero():
    rows = [lesion("P1", DATES[0], "T1", "target", 30), lesion("P1", DATES[1], "T1", "target", None, status="absent")]
    res = evaluate(table(rows), "recist1.1")
    assert calls(res) == ["CR"] and res.visits["target_sum_mm"].iloc[1] == 0


def test_mrecist_measures_an_extrahepatic_target_without_viable_diameter_by_its_longest_diameter():
    # liver target viable 30 -> 10; lung target (no viable diameter recorded) longest 20 -> 20.
    # sum 50 -> 30 = -40 % -> PR. Without the fallback the lung target would be unmeasured (error).
    rows = [lesion("P1", DATES[0], "T1", "target", 40, viable=30), lesion("P1", DATES[0], "T2", "target", 20, viable=None, site="lung"),
            lesion("P1", DATES[1], "T1", "target", 40, viable=10), lesion("P1", DATES[1], "T2", "target", 20, viable=None, site="lung")]
    res = evaluate(table(rows), "mrecist")
    assert list(res.visits["target_sum_mm"]) == [50, 30] and calls(res) == ["PR"]
    with pytest.raises(Exception, match="unmeasured_baseline_target"):
        evaluate(table(rows), get_criteria("mrecist", extrahepatic_diameter=None))
