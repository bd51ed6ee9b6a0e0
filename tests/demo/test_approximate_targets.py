"""The bundled seed-001 demo meets the approximate survival targets, within the tolerances stated in
docs/demo.md, computed through the pipeline (adtte from derive_study → the analysis functions).

Targets (Wei et al. 2026): median OS 11.0 vs 16.8 months, PFS 4.0 vs 9.0 (± 0.5 month each);
overall medians 15.1 (OS) and 6.0 (PFS) (± 1 month); log-rank p < 0.05 (OS), < 0.001 (PFS);
treatment HR < 1 in the multivariable Cox models; in AFP ≥ 400 ng/ml, longer medians with ICIs + MWA.
"""

from __future__ import annotations

import pytest

from oncocohort.analysis import cox_models, subgroup_analyses, survival_summary

MEDIANS = {("os", "ici"): 11.0, ("os", "ici_mwa"): 16.8, ("pfs", "ici"): 4.0, ("pfs", "ici_mwa"): 9.0}
OVERALL = {"os": 15.1, "pfs": 6.0}
P_MAX = {"os": 0.05, "pfs": 0.001}


@pytest.fixture(scope="module")
def survival(mwa_pipeline):
    validated, derived = mwa_pipeline
    return survival_summary(derived.adtte, validated.protocol, endpoints=["os", "pfs"]).to_dict()


@pytest.mark.parametrize(("endpoint", "arm"), sorted(MEDIANS))
def test_arm_medians_within_half_a_month(survival, endpoint, arm):
    assert survival[endpoint]["by_arm"][arm]["median"] == pytest.approx(MEDIANS[endpoint, arm], abs=0.5)


@pytest.mark.parametrize("endpoint", ["os", "pfs"])
def test_overall_median_within_a_month_and_logrank(survival, endpoint):
    assert survival[endpoint]["overall"]["median"] == pytest.approx(OVERALL[endpoint], abs=1.0)
    assert survival[endpoint]["logrank_p"] < P_MAX[endpoint]


def test_multivariable_treatment_hr_is_protective(mwa_pipeline):
    validated, derived = mwa_pipeline
    cox = cox_models(derived.adsl, derived.adtte, validated.protocol, endpoints=["os", "pfs"]).to_dict()
    for endpoint in ("os", "pfs"):
        arm_rows = [r for r in cox[endpoint]["multivariable"] if r["covariate"] == "arm"]
        assert len(arm_rows) == 1 and arm_rows[0]["hr"] < 1.0, endpoint


def test_afp_high_subgroup_direction(mwa_pipeline):
    validated, derived = mwa_pipeline
    sub = subgroup_analyses(derived.adsl, derived.adtte, validated.protocol, endpoints=["os", "pfs"]).to_dict()
    for endpoint in ("os", "pfs"):
        row = next(r for r in sub[endpoint] if r["variable"] != "All patients" and r["level"] == "≥400 ng/ml")
        med = {arm: row["by_arm"][arm]["median"] for arm in ("ici", "ici_mwa")}
        assert med["ici"] is not None
        assert med["ici_mwa"] is None or med["ici_mwa"] > med["ici"], (endpoint, med)
