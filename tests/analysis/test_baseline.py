"""baseline_table on the published counts of seed 001 Table I, against R 4.2.2.

Categorical p-values (R: the test the paper's rule picks on the same table)::

    fisher.test(matrix(c(26,5,20,1),2))$p.value              sex       0.38178217277090859 (printed 0.380)
    chisq.test(matrix(c(13,18,12,9),2), correct=FALSE)       ECOG      0.28150377250106468 (printed 0.282)
    fisher.test(matrix(c(3,28,3,18),2))$p.value              HBsAg     0.67543564070472717 (printed 0.672)
    chisq.test(matrix(c(13,18,6,15),2), correct=FALSE)       AFP       0.32611636595570581 (printed 0.327)
    fisher.test(matrix(c(5,12,14,3,7,11),3))$p.value         CNLC 3x2  0.92793793056883667 (printed 0.895)
    chisq.test(matrix(c(13,18,9,12),2), correct=FALSE)       bilirubin 0.94737219608815337 (printed 0.943)
    chisq.test(matrix(c(17,14,8,13),2), correct=FALSE)       ALT       0.23572896361913051 (printed 0.236)
    chisq.test(matrix(c(23,8,15,6),2), correct=FALSE)        tumours   0.82543460906215393 (printed 0.822)

Several printed values (from SPSS) differ from R in the third decimal; the test choice of every row
agrees with the paper's footnote (Fisher when an expected count is < 5) and R's p is the reference.
Continuous (R ``wilcox.test(x, y)`` defaults, ``quantile(x)`` type 7)::

    x <- c(59,48,71,62,55,66,51,60,58.5,70,49); y <- c(58,47,69,52,61,57,63,50)
    wilcox.test(x, y)  -> W = 51, p = 0.59987827789685377 (exact: no ties, both n < 50)
    x2 <- c(59,48,71,62,55,66,51,60,58,70,49)
    wilcox.test(x2, y) -> W = 50.5, p = 0.62014057011087276 (tie: normal approximation + correction)
    quantile(x) -> 53 59 64
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis import baseline_table

ICI, MWA = "ici", "ici_mwa"
TABLE_I = {  # variable: ({level: (ICIs, MWA + ICIs)}, test, R p)
    "sex": ({"male": (26, 20), "female": (5, 1)}, "fisher", 0.38178217277090859),
    "ecog": ({"0": (13, 12), "1": (18, 9)}, "chisq", 0.28150377250106468),
    "hbsag": ({"negative": (3, 3), "positive": (28, 18)}, "fisher", 0.67543564070472717),
    "hcv_ab": ({"negative": (28, 18), "positive": (3, 3)}, "fisher", 0.67543564070472717),
    "afp_group": ({"<400 ng/ml": (13, 6), "≥400 ng/ml": (18, 15)}, "chisq", 0.32611636595570581),
    "cnlc_stage": ({"IIa": (5, 3), "IIb": (12, 7), "IIIa": (0, 0), "IIIb": (14, 11)}, "fisher", 0.92793793056883667),
    "bilirubin_group": ({"≤20 µmol/l": (13, 9), ">20 µmol/l": (18, 12)}, "chisq", 0.94737219608815337),
    "alt_group": ({"<50 U/l": (17, 8), "≥50 U/l": (14, 13)}, "chisq", 0.23572896361913051),
    "tumour_count_group": ({"1": (23, 15), "2–3": (8, 6)}, "chisq", 0.82543460906215393),
    "age_group": ({"<65": (21, 15), "≥65": (10, 6)}, None, None),
}


def _column(levels: dict[str, tuple[int, int]], arm_index: int) -> list[str]:
    return [lvl for lvl, counts in levels.items() for _ in range(counts[arm_index])]


@pytest.fixture(scope="module")
def table_i(two_arm_protocol):
    frames = []
    for i, arm in enumerate((ICI, MWA)):
        n = 31 if arm == ICI else 21
        rng = np.random.default_rng(i)
        cols = {}
        for var, (levels, _, _) in TABLE_I.items():
            values = _column(levels, i)
            assert len(values) == n, var
            cols[var] = rng.permutation(values)  # columns are independent: shuffle within arm
        frame = pd.DataFrame(cols)
        frame["arm"] = arm
        frames.append(frame)
    adsl = pd.concat(frames, ignore_index=True)
    for var, (levels, _, _) in TABLE_I.items():
        adsl[var] = pd.Categorical(adsl[var], categories=list(levels))
    adsl["patient_id"] = [f"P{i}" for i in range(len(adsl))]
    adsl["analysed"] = True
    adsl["age"] = np.where(adsl["age_group"] == "<65", 55.0, 68.0) + np.arange(len(adsl)) % 5
    adsl.loc[0, "age"] = np.nan
    return adsl, baseline_table(adsl, two_arm_protocol)


def test_rows_follow_the_protocol_rule(table_i):
    _, t = table_i
    names = [r.spec.variable for r in t.rows]
    assert names == ["age", "age_group", "sex", "ecog", "hbsag", "hcv_ab", "afp_group", "cnlc_stage",
                     "bilirubin_group", "alt_group", "tumour_count_group"]
    age_group = t.to_dict()["rows"][1]
    assert age_group["p"] is None and "continuous variable carries the test" in age_group["p_reason"]


def test_categorical_tests_and_p_values_match_r(table_i):
    _, t = table_i
    rows = {r["variable"]: r for r in t.to_dict()["rows"]}
    for var, (levels, test, p) in TABLE_I.items():
        row = rows[var]
        assert row["test"] == test, var
        if p is not None:
            assert row["p"] == pytest.approx(p, rel=1e-9), var
        for lvl in row["levels"]:
            assert (lvl["by_arm"][ICI]["n"], lvl["by_arm"][MWA]["n"]) == levels[lvl["level"]]
    assert rows["cnlc_stage"]["untested_levels"] == ["IIIa"]  # never observed: left out of the 4x2 table
    sex = rows["sex"]["levels"]
    assert [round(c["by_arm"][ICI]["percent"], 1) for c in sex] == [83.9, 16.1]
    assert [round(c["by_arm"][MWA]["percent"], 1) for c in sex] == [95.2, 4.8]
    assert rows["sex"]["levels"][0]["label"] == "Male"


def test_missing_values_are_counted(table_i):
    _, t = table_i
    age = t.to_dict()["rows"][0]
    assert age["summary"][ICI]["n_missing"] == 1 and age["summary"]["overall"]["n"] == 51


def test_mann_whitney_and_quartiles_match_r(two_arm_protocol):
    y = [58, 47, 69, 52, 61, 57, 63, 50]
    for x, w, p, exact in (([59, 48, 71, 62, 55, 66, 51, 60, 58.5, 70, 49], 51.0, 0.59987827789685377, True),
                           ([59, 48, 71, 62, 55, 66, 51, 60, 58, 70, 49], 50.5, 0.62014057011087276, False)):
        adsl = pd.DataFrame({"patient_id": [str(i) for i in range(len(x) + len(y))],
                             "arm": [ICI] * len(x) + [MWA] * len(y), "age": np.array(x + y, dtype=float)})
        row = baseline_table(adsl, two_arm_protocol).to_dict()["rows"][0]
        assert row["variable"] == "age" and row["test"] == "mann_whitney"
        assert row["statistic"] == w and row["p"] == pytest.approx(p, rel=1e-9)
        assert ("exact" in row["test_reason"]) is exact
    s = row["summary"][ICI]
    assert (s["q1"], s["median"], s["q3"], s["min"], s["max"]) == (53.0, 59.0, 64.0, 48.0, 71.0)


def test_single_arm_rows_have_no_p(single_arm_protocol):
    arm = single_arm_protocol.arm_ids[0]
    adsl = pd.DataFrame({"patient_id": ["a", "b", "c"], "arm": arm, "age": [50.0, 60.0, 70.0],
                         "sex": pd.Categorical(["male", "female", None], categories=["male", "female"])})
    rows = {r["variable"]: r for r in baseline_table(adsl, single_arm_protocol).to_dict()["rows"]}
    assert rows["age"]["p"] is None and "single-arm" in rows["age"]["p_reason"]
    assert rows["sex"]["missing"]["by_arm"][arm] == {"n": 1, "percent": pytest.approx(100 / 3)}
