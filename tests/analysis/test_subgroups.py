"""subgroup_analyses against R (tests/analysis/data/subgroup_reference.json, made by subgroup_reference.R).

Interaction p: Wald test of the arm × subgroup block of ``coxph(Surv(time, status) ~ arm * sub)``,
χ² = b' V⁻¹ b on (levels − 1) df, computed in R from ``coef(fit)`` and ``vcov(fit)``; per-level HR
from ``coxph(Surv(time, status) ~ arm)``, log-rank p from ``survdiff`` and per-arm KM medians with their
log CIs from ``summary(survfit(Surv(time, status) ~ arm))$table`` on the level's rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from oncocohort.analysis import subgroup_analyses
from tests.analysis.builders import make_protocol, reference_frames

REF = json.loads((Path(__file__).parent / "data" / "subgroup_reference.json").read_text())
CASES = {
    "ovarian_rx_by_resid_ds": ("ovarian.csv", "rx", "resid_ds", ["1", "2"]),
    "veteran_trt_by_celltype": ("veteran.csv", "trt", "celltype", ["1", "2", "3", "4"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_subgroup_rows_match_r(case, reference_dir):
    csv, arm_col, sub, levels = CASES[case]
    protocol = make_protocol(variables=[{"name": sub, "type": "categorical", "levels": levels}],
                             subgroups=[sub], reference={sub: "1"})
    adsl, adtte = reference_frames(reference_dir / csv, arm_column=arm_col, arm_map={1: "ici", 2: "ici_mwa"},
                                   categorical={sub: levels})
    rows = subgroup_analyses(adsl, adtte, protocol).to_dict()["os"]
    ref = REF[case]
    assert rows[0]["variable"] == "All patients" and rows[0]["n"] == len(adtte)
    level_rows = {r["level"]: r for r in rows[1:]}
    assert list(level_rows) == levels
    for level, r in ref["levels"].items():
        row = level_rows[level]
        for key in ("hr", "hr_lower", "hr_upper"):
            assert row[key] == pytest.approx(r[key], rel=1e-6), (level, key)
        assert row["hr_p"] == pytest.approx(r["p"], rel=1e-6)
        assert row["logrank_p"] == pytest.approx(r["logrank_p"], rel=1e-9)
        assert row["interaction_p"] == pytest.approx(ref["interaction_p"], rel=1e-6)
        assert row["interaction_df"] == ref["interaction_df"]
        for code, arm in (("1", "ici"), ("2", "ici_mwa")):  # R: summary(survfit(...))$table median, 0.95LCL/UCL
            cell = row["by_arm"][arm]
            assert [cell["median"], cell["median_lower"], cell["median_upper"]] == r["medians"][code]
            assert cell["curve"]["at_risk"]["n"][0] == cell["n"]
        n_arm = sum(c["n"] for c in row["by_arm"].values())
        assert n_arm == row["n"]


def test_level_without_one_arm_gets_reasons(reference_dir):
    protocol = make_protocol(variables=[{"name": "celltype", "type": "categorical", "levels": ["1", "2", "3", "4"]}],
                             subgroups=["celltype"])
    adsl, adtte = reference_frames(reference_dir / "veteran.csv", arm_column="trt", arm_map={1: "ici", 2: "ici_mwa"},
                                   categorical={"celltype": ["1", "2", "3", "4"]})
    drop = adsl["patient_id"][(adsl["celltype"] == "4") & (adsl["arm"] == "ici_mwa")]
    keep = ~adtte["patient_id"].isin(drop)
    rows = subgroup_analyses(adsl, adtte.loc[keep], protocol).to_dict()["os"]
    row = next(r for r in rows if r["level"] == "4")
    assert row["hr"] is None and row["hr_reason"] == "an arm has no patient in this subgroup"
    assert row["by_arm"]["ici_mwa"]["n"] == 0 and row["by_arm"]["ici_mwa"]["median_reason"] == "no patient"
    assert np.isfinite(row["interaction_p"]) and row["interaction_df"] == 2  # the empty cell drops one term


def test_single_arm_level_comparison(reference_dir):
    protocol = make_protocol(design="single-arm", variables=[{"name": "resid_ds", "type": "categorical",
                                                              "levels": ["1", "2"]}], subgroups=["resid_ds"])
    adsl, adtte = reference_frames(reference_dir / "ovarian.csv", arm_column="rx", arm_map={1: "ici", 2: "ici"},
                                   categorical={"resid_ds": ["1", "2"]})
    rows = subgroup_analyses(adsl, adtte, protocol).to_dict()["os"]
    ref_json = json.loads((reference_dir / "ovarian.json").read_text())
    lr = ref_json["logrank"]["resid_ds"]["rho0"]["p"]
    hr = ref_json["cox"]["univariable"]["resid_ds"]["efron"]["coefficients"]["resid_ds"]["exp_coef"]
    two = next(r for r in rows if r["level"] == "2")
    assert two["interaction_p"] is None and "single-arm" in two["interaction_p_reason"]
    assert two["levels_logrank_p"] == pytest.approx(lr, rel=1e-9)
    assert two["level_hr"] == pytest.approx(hr, rel=1e-6)


def test_an_arm_without_events_gives_no_hazard_ratio():
    """R: coxph warns "coefficient may be infinite" and prints HR 0; here the HR is null with the reason."""
    import pandas as pd

    from oncocohort.analysis.results import arm_hazard_ratio

    adtte = pd.DataFrame({"patient_id": [str(i) for i in range(8)], "arm": ["ici"] * 4 + ["ici_mwa"] * 4,
                          "endpoint": "os", "time_months": [1.0, 2, 3, 4, 5, 6, 7, 8],
                          "event": [1, 1, 1, 0, 0, 0, 0, 0]})
    hr = arm_hazard_ratio(adtte, make_protocol(), "os")
    assert hr["hr"] is None and "infinite" in hr["hr_reason"] and hr["p"] is None


def test_interaction_not_estimable_is_null_with_reason():
    import pandas as pd

    protocol = make_protocol(variables=[{"name": "g", "type": "categorical", "levels": ["a", "b"]}], subgroups=["g"])
    n = 16
    adsl = pd.DataFrame({"patient_id": [str(i) for i in range(n)], "arm": ["ici", "ici_mwa"] * (n // 2),
                         "g": pd.Categorical(["a"] * (n // 2) + ["b"] * (n // 2), categories=["a", "b"])})
    event = [1, 1] * 4 + [1, 0] * 4  # level b: no event in the ici_mwa arm -> infinite interaction
    adtte = adsl[["patient_id", "arm"]].assign(endpoint="os", time_months=np.arange(1.0, n + 1), event=event)
    rows = subgroup_analyses(adsl, adtte, protocol).to_dict()["os"]
    b = next(r for r in rows if r["level"] == "b")
    assert b["interaction_p"] is None and "not estimable" in b["interaction_p_reason"]
    assert b["hr"] is None and b["hr_reason"].startswith("not estimable")


def test_continuous_subgroup_variable_is_left_out_with_a_note(reference_dir):
    protocol = make_protocol(variables=[{"name": "age", "type": "continuous"}], subgroups=["age"])
    adsl, adtte = reference_frames(reference_dir / "ovarian.csv", arm_column="rx", arm_map={1: "ici", 2: "ici_mwa"},
                                   categorical={})
    res = subgroup_analyses(adsl, adtte, protocol)
    assert [r["variable"] for r in res.to_dict()["os"]] == ["All patients"]
    assert "continuous" in str(res.notes[0])
