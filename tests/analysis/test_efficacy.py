"""Table II of seed 001 through efficacy_summary: counts, ORR/DCR with Clopper–Pearson CIs, p-values.

R 4.2.2 values (``binom.test(x, n)$conf.int``, ``fisher.test(m)``, ``chisq.test(m, correct = FALSE)``)::

    binom.test(3, 31)  -> 0.020419862687792119 0.257539064627735459
    binom.test(6, 21)  -> 0.112809403921940818 0.521751118247113732
    binom.test(16, 31) -> 0.330605973051757374 0.698454349287658705
    binom.test(17, 21) -> 0.580933958816472029 0.945536431821593193
    fisher.test(matrix(c(3,28,6,15), 2, byrow=TRUE))$p.value                -> 0.13329770300440161
    chisq.test(matrix(c(16,15,17,4), 2, byrow=TRUE), correct=FALSE)$p.value -> 0.031098390992677246
    # evaluable only (NE left out): ORR 3/29 vs 6/20, DCR 16/29 vs 17/20
    fisher.test(matrix(c(3,26,6,14), 2, byrow=TRUE))$p.value                -> 0.13277539338676228
    fisher.test(matrix(c(16,13,17,3), 2, byrow=TRUE))$p.value  (expected 6.53 >= 5 -> chi2 used instead)
    chisq.test(matrix(c(16,13,17,3), 2, byrow=TRUE), correct=FALSE)$p.value -> 0.028645437110860102
    fisher.test(matrix(c(1,2,13,13,2, 2,4,11,3,1), 2, byrow=TRUE))$p.value -> 0.15917770114995966
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.analysis import efficacy_summary
from tests.analysis.builders import expand_counts

TABLE_II = {"ici": {"CR": 1, "PR": 2, "SD": 13, "PD": 13, "NE": 2},
            "ici_mwa": {"CR": 2, "PR": 4, "SD": 11, "PD": 3, "NE": 1}}


@pytest.fixture
def table_ii(two_arm_protocol):
    adsl = expand_counts(TABLE_II, "best_response")
    return efficacy_summary(adsl, two_arm_protocol)


def test_table_ii_counts_and_rates(table_ii):
    d = table_ii.to_dict()
    assert d["population"] == "intention-to-treat"
    assert d["by_arm"]["ici"]["counts"] == TABLE_II["ici"]
    assert d["by_arm"]["ici_mwa"]["counts"] == TABLE_II["ici_mwa"]
    # printed: ORR 9.7 vs 28.6 %, DCR 51.6 vs 81.0 %
    assert round(100 * d["by_arm"]["ici"]["orr"]["estimate"], 1) == 9.7
    assert round(100 * d["by_arm"]["ici_mwa"]["orr"]["estimate"], 1) == 28.6
    assert round(100 * d["by_arm"]["ici"]["dcr"]["estimate"], 1) == 51.6
    assert round(100 * d["by_arm"]["ici_mwa"]["dcr"]["estimate"], 1) == 81.0
    r = {"ici": {"orr": (0.020419862687792119, 0.257539064627735459),
                 "dcr": (0.330605973051757374, 0.698454349287658705)},
         "ici_mwa": {"orr": (0.112809403921940818, 0.521751118247113732),
                     "dcr": (0.580933958816472029, 0.945536431821593193)}}
    for arm, measures in r.items():
        for m, (lo, hi) in measures.items():
            assert d["by_arm"][arm][m]["lower"] == pytest.approx(lo, rel=1e-9)
            assert d["by_arm"][arm][m]["upper"] == pytest.approx(hi, rel=1e-9)


def test_table_ii_p_values_to_printed_precision(table_ii):
    t = table_ii.to_dict()["tests"]
    assert t["orr_test"] == "fisher" and round(t["orr_p"], 3) == 0.133
    assert t["dcr_test"] == "chisq" and round(t["dcr_p"], 3) == 0.031
    assert t["orr_p"] == pytest.approx(0.13329770300440161, rel=1e-9)
    assert t["dcr_p"] == pytest.approx(0.031098390992677246, rel=1e-9)
    assert t["distribution_p"] == pytest.approx(0.15917770114995966, rel=1e-7)


def test_evaluable_sensitivity(table_ii):
    s = table_ii.to_dict()["sensitivity"]
    assert s["population"] == "evaluable"
    assert s["by_arm"]["ici"]["orr"]["n"] == 29 and s["by_arm"]["ici_mwa"]["dcr"]["n"] == 20
    assert s["tests"]["orr_p"] == pytest.approx(0.13277539338676228, rel=1e-9)
    assert s["tests"]["dcr_test"] == "chisq"
    assert s["tests"]["dcr_p"] == pytest.approx(0.028645437110860102, rel=1e-9)


def test_missing_and_irecist_values_are_mapped(two_arm_protocol):
    adsl = expand_counts({"ici": {"iCR": 1, "iUPD": 2, "NON-CR/NON-PD": 1}, "ici_mwa": {"PR": 2}}, "best_response")
    adsl.loc[len(adsl)] = ["P999", "ici_mwa", pd.NA, True]
    res = efficacy_summary(adsl, two_arm_protocol)
    d = res.to_dict()
    assert d["by_arm"]["ici"]["counts"] == {"CR": 1, "PR": 0, "SD": 1, "PD": 2, "NE": 0}
    assert d["by_arm"]["ici_mwa"]["counts"]["NE"] == 1 and d["by_arm"]["ici_mwa"]["n_not_evaluated"] == 1
    assert any("not assessable" in n for n in d["notes"])


def test_single_arm_has_estimates_and_null_tests_with_reason(single_arm_protocol):
    arm = single_arm_protocol.arm_ids[0]
    adsl = expand_counts({arm: {"CR": 2, "PR": 5, "SD": 6, "PD": 3}}, "best_response")
    d = efficacy_summary(adsl, single_arm_protocol).to_dict()
    assert d["by_arm"][arm]["orr"]["estimate"] == pytest.approx(7 / 16)
    assert d["tests"]["orr_p"] is None and "single-arm" in d["tests"]["orr_p_reason"]
    assert d["tests"]["dcr_p"] is None and d["tests"]["dcr_p_reason"]


def test_agrees_with_the_response_engine_rates(two_arm_protocol):
    """Cross-check against oncocohort.response.rates.response_rates (same definitions, separate code)."""
    from oncocohort.response.rates import response_rates
    from tests.analysis.builders import synthetic_study

    adsl = synthetic_study(two_arm_protocol, n=70, seed=3).adsl
    mine = efficacy_summary(adsl, two_arm_protocol).to_dict()
    theirs = response_rates(adsl[["patient_id", "best_response"]], adsl[["patient_id", "arm"]]).table
    for _, r in theirs.iterrows():
        block = mine if r["population"] == "intention-to-treat" else mine["sensitivity"]
        group = block["overall"] if r["arm"] == "All patients" else block["by_arm"][r["arm"]]
        est = group[r["measure"].lower()]
        assert (est["x"], est["n"]) == (r["x"], r["n"])
        assert est["estimate"] == pytest.approx(r["estimate"]) and est["lower"] == pytest.approx(r["lower"])
