"""Table V of seed 001 through safety_summary: every p-value to the printed precision.

Patients per arm (ICIs + MWA n = 21, ICIs n = 31) with each adverse event are rebuilt from the
published counts: the grade 3–4 patients get grade 3, the remaining any-grade patients grade 1.
Printed p-values: two-sided Fisher exact (R ``fisher.test``); "-" where neither arm has an event.
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.analysis import safety_summary
from tests.analysis.builders import expand_counts

# term: (grade 3-4 MWA, grade 3-4 ICI, printed p, any MWA, any ICI, printed p) ; None = "-"
TABLE_V = {
    "Fatigue": (0, 0, None, 0, 2, "0.509"),
    "Transaminitis": (7, 0, "0.001", 7, 11, ">0.999"),
    "Fever": (0, 0, None, 4, 2, "0.207"),
    "Diarrhea": (0, 0, None, 8, 13, ">0.999"),
    "Pneumonitis": (0, 0, None, 4, 2, "0.207"),
    "Hyperbilirubinemia": (5, 3, "0.244", 18, 20, "0.118"),
    "Hypothyroidism": (0, 0, None, 0, 2, "0.509"),
    "Pruritus": (0, 0, None, 2, 11, "0.050"),
    "Rash": (0, 0, None, 2, 11, "0.050"),
    "Hyperthyroidism": (0, 0, None, 0, 1, ">0.999"),
    "Hypoalbuminemia": (0, 0, None, 13, 11, "0.090"),
    "Nausea": (0, 0, None, 0, 1, ">0.999"),
}


def _printed(p: float) -> str:
    return ">0.999" if p > 0.999 else f"{p:.3f}"


@pytest.fixture
def table_v(two_arm_protocol):
    adsl = expand_counts({"ici_mwa": {"x": 21}, "ici": {"x": 31}}, "x")
    adsl["discontinued_toxicity"] = [True] * 3 + [False] * 18 + [True] * 5 + [False] * 26
    adsl["discontinued_progression"] = [True] * 11 + [False] * 10 + [True] * 19 + [False] * 12
    ids = {a: adsl.loc[adsl["arm"] == a, "patient_id"].tolist() for a in ("ici_mwa", "ici")}
    rows = []
    for term, (g3_m, g3_i, _, any_m, any_i, _) in TABLE_V.items():
        for arm, g3, n_any in (("ici_mwa", g3_m, any_m), ("ici", g3_i, any_i)):
            for k, pid in enumerate(ids[arm][:n_any]):
                rows.append({"patient_id": pid, "reporting_group": term, "ctcae_term": term, "term": term,
                             "grade": 3 if k < g3 else 1, "included": True, "window": "on-treatment"})
    rows.append({"patient_id": ids["ici"][0], "reporting_group": "Fatigue", "ctcae_term": "Fatigue",
                 "term": "Fatigue", "grade": 4, "included": False, "window": None})  # outside every window
    return safety_summary(adsl, pd.DataFrame(rows), two_arm_protocol)


def test_every_table_v_p_value(table_v):
    d = table_v.to_dict()
    terms = {r["term"]: r for r in d["terms"]}
    assert list(terms) == list(TABLE_V)  # protocol reporting-group order
    for term, (g3_m, g3_i, p3, any_m, any_i, p_any) in TABLE_V.items():
        row = terms[term]
        assert row["by_arm"]["ici_mwa"]["any_grade"] == any_m and row["by_arm"]["ici"]["any_grade"] == any_i
        assert row["by_arm"]["ici_mwa"]["grade_3_plus"] == g3_m and row["by_arm"]["ici"]["grade_3_plus"] == g3_i
        assert _printed(row["p_any"]) == p_any, term
        if p3 is None:
            assert row["p_grade3"] is None and row["p_grade3_reason"] == "no patient with the event in either arm"
        else:
            assert _printed(row["p_grade3"]) == p3, term


def test_percentages_grade5_and_exclusions(table_v):
    d = table_v.to_dict()
    row = next(r for r in d["terms"] if r["term"] == "Hyperbilirubinemia")
    assert round(row["by_arm"]["ici_mwa"]["any_grade_percent"], 1) == 85.7
    assert round(row["by_arm"]["ici"]["grade_3_plus_percent"], 1) == 9.7
    assert row["by_arm"]["ici"]["grade_5"] == 0 and row["p_grade5"] is None
    fatigue = next(r for r in d["terms"] if r["term"] == "Fatigue")
    assert fatigue["by_arm"]["ici"]["grade_3_plus"] == 0  # the excluded grade-4 event does not count
    assert any("outside every safety window" in n for n in d["notes"])


def test_discontinuation(table_v):
    """R: fisher.test(matrix(c(3,18,5,26),2,byrow=TRUE)) p = 1; matrix(c(11,10,19,12),...) p = 0.57644513300974121."""
    d = table_v.to_dict()["discontinuation"]
    assert d["toxicity_p"] == pytest.approx(1.0) and d["progression_p"] == pytest.approx(0.57644513300974121, rel=1e-9)
    disc = d["by_arm"]
    assert (disc["ici_mwa"]["toxicity"], disc["ici"]["toxicity"]) == (3, 5)
    assert (disc["ici_mwa"]["progression"], disc["ici"]["progression"]) == (11, 19)
    assert round(disc["ici_mwa"]["toxicity_percent"], 1) == 14.3
    assert round(disc["ici"]["progression_percent"], 1) == 61.3


def test_worst_grade_counts_once_and_grade5_on_its_own(two_arm_protocol):
    adsl = expand_counts({"ici": {"x": 2}, "ici_mwa": {"x": 2}}, "x")
    ae = pd.DataFrame({"patient_id": ["P000", "P000", "P002"], "reporting_group": ["Transaminitis"] * 3,
                       "ctcae_term": ["Alanine aminotransferase increased", "Aspartate aminotransferase increased",
                                      "Alanine aminotransferase increased"],
                       "term": ["ALT up", "AST up", "ALT up"], "grade": [2, 5, 1], "included": [True] * 3,
                       "window": ["on-treatment"] * 3})
    row = next(r for r in safety_summary(adsl, ae, two_arm_protocol).to_dict()["terms"] if r["term"] == "Transaminitis")
    assert row["by_arm"]["ici"] == {"any_grade": 1, "grade_3_plus": 1, "grade_5": 1, "any_grade_percent": 50.0,
                                    "grade_3_plus_percent": 50.0, "grade_5_percent": 50.0}
    assert row["by_arm"]["ici_mwa"]["any_grade"] == 1 and row["by_arm"]["ici_mwa"]["grade_3_plus"] == 0


def test_no_adverse_events_at_all(two_arm_protocol):
    adsl = expand_counts({"ici": {"x": 3}, "ici_mwa": {"x": 2}}, "x")
    empty = pd.DataFrame(columns=["patient_id", "reporting_group", "ctcae_term", "term", "grade", "included",
                                  "window"])
    d = safety_summary(adsl, empty, two_arm_protocol).to_dict()
    assert len(d["terms"]) == len(two_arm_protocol.safety.reporting_groups)
    assert all(r["p_any"] is None and r["p_any_reason"] for r in d["terms"])
    assert d["any_event"]["by_arm"]["ici"]["any_grade"] == 0 and d["by_window"] == []
    assert d["discontinuation"]["by_arm"]["ici"]["toxicity"] is None  # columns absent: null with reason
    assert d["discontinuation"]["by_arm"]["ici"]["toxicity_reason"]
