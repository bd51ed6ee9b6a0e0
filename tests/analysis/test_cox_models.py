"""cox_models against R (tests/data/reference/ovarian.json, survival 3.5.3).

ovarian: rx 1 → ``ici`` (reference arm), rx 2 → ``ici_mwa``; resid_ds and ecog_ps enter as
categorical variables with levels "1" (reference) and "2". Their treatment-coded dummies equal R's
numeric 1/2 coding up to the intercept, so R's coefficients apply:
``coxph(Surv(time, status) ~ age + rx + resid_ds + ecog_ps, ties = "efron")`` (multivariable),
``coxph(Surv(time, status) ~ x)`` per covariate (univariable), ``cox.zph(fit, transform = "km")``.
"""

from __future__ import annotations

import json
import warnings

import pytest

from oncocohort.analysis import cox_models
from oncocohort.analysis._design import build_design
from oncocohort.analysis.cox_models import model_frame
from oncocohort.errors import StatisticalWarning
from oncocohort.stats.firth import firth_cox
from tests.analysis.builders import make_protocol, reference_frames

VARIABLES = [{"name": "age", "type": "continuous"},
             {"name": "resid_ds", "label": "Residual disease", "type": "categorical", "levels": ["1", "2"]},
             {"name": "ecog_ps", "type": "categorical", "levels": ["1", "2"]}]
TERMS = {"age": "age", "arm[ici_mwa]": "rx", "resid_ds[2]": "resid_ds", "ecog_ps[2]": "ecog_ps"}


@pytest.fixture(scope="module")
def ovarian(reference_dir):
    ref = json.loads((reference_dir / "ovarian.json").read_text())
    protocol = make_protocol(variables=VARIABLES, covariates=["age", "arm", "resid_ds", "ecog_ps"],
                             reference={"resid_ds": "1"})
    adsl, adtte = reference_frames(reference_dir / "ovarian.csv", arm_column="rx",
                                   arm_map={1: "ici", 2: "ici_mwa"},
                                   categorical={"resid_ds": ["1", "2"], "ecog_ps": ["1", "2"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = cox_models(adsl, adtte, protocol)
    return ref, res, caught, (adsl, adtte, protocol)


def _check(row, coef):
    assert row["hr"] == pytest.approx(coef["exp_coef"], rel=1e-6)
    assert row["hr_lower"] == pytest.approx(coef["hr_lower95"], rel=1e-6)
    assert row["hr_upper"] == pytest.approx(coef["hr_upper95"], rel=1e-6)
    assert row["p"] == pytest.approx(coef["p"], rel=1e-6)


def test_multivariable_matches_r(ovarian):
    ref, res, _, _ = ovarian
    d = res.to_dict()["os"]
    r = ref["cox"]["multivariable"]["efron"]["coefficients"]
    assert [row["term"] for row in d["multivariable"]] == ["age", "arm[ici_mwa]", "resid_ds[2]", "ecog_ps[2]"]
    for row in d["multivariable"]:
        _check(row, r[TERMS[row["term"]]])
    assert d["multivariable_n"] == 26 and d["multivariable_events"] == 12
    row = d["multivariable"][2]
    assert row["covariate_label"] == "Residual disease" and row["level"] == "2" and row["reference"] == "1"
    arm = d["multivariable"][1]
    assert (arm["covariate_label"], arm["level_label"], arm["reference_label"]) == ("Treatment", "ICIs + MWA", "ICIs")


def test_univariable_matches_r(ovarian):
    ref, res, _, _ = ovarian
    for row in res.to_dict()["os"]["univariable"]:
        name = TERMS[row["term"]]
        _check(row, ref["cox"]["univariable"][name]["efron"]["coefficients"][name])


def test_epv_warning_and_ph_test(ovarian):
    ref, res, caught, _ = ovarian
    d = res.to_dict()["os"]
    assert d["epv"] == pytest.approx(12 / 4) and d["epv_warning"] is True
    assert any(issubclass(w.category, StatisticalWarning) and "EPV = 3.0" in str(w.message) for w in caught)
    zph = ref["cox_zph"]["multivariable_efron"]["km"]["table"]
    # one row per covariate (two-level factors here, so one df each, as R's table)
    by_covariate = {"age": "age", "arm": "rx", "resid_ds": "resid_ds", "ecog_ps": "ecog_ps"}
    assert [row["term"] for row in d["ph_test"]["terms"]] == list(by_covariate)
    for row in d["ph_test"]["terms"]:
        assert row["chisq"] == pytest.approx(zph[by_covariate[row["term"]]]["chisq"], rel=1e-6)
        assert row["p"] == pytest.approx(zph[by_covariate[row["term"]]]["p"], rel=1e-6)
        assert row["df"] == 1
    assert d["ph_test"]["global"]["chisq"] == pytest.approx(zph["GLOBAL"]["chisq"], rel=1e-6)
    assert d["ph_test"]["global"]["df"] == 4


def test_firth_sensitivity_runs_below_epv_threshold(ovarian):
    _, res, _, (adsl, adtte, protocol) = ovarian
    firth = res.to_dict()["os"]["firth"]
    assert firth is not None and [r["term"] for r in firth["rows"]][0] == "age"
    design = build_design(model_frame(adsl, adtte, "os", ["age", "resid_ds", "ecog_ps"]),
                          ["age", "arm", "resid_ds", "ecog_ps"], protocol)
    direct = firth_cox(design.data, "time", "event", [t.column for t in design.terms]).params
    for row, (_, rec) in zip(firth["rows"], direct.iterrows(), strict=True):
        assert row["hr"] == pytest.approx(rec["hr"], rel=1e-12)
        assert row["hr_lower"] == pytest.approx(rec["hr_lower"], rel=1e-12)
        assert row["p"] == pytest.approx(rec["p"], rel=1e-12)


def test_firth_not_run_when_epv_high(reference_dir):
    protocol = make_protocol(variables=VARIABLES[:1], covariates=["age"], cox_endpoints=["os"])
    adsl, adtte = reference_frames(reference_dir / "veteran.csv", arm_column="trt", arm_map={1: "ici", 2: "ici_mwa"},
                                   categorical={})
    d = cox_models(adsl, adtte, protocol).to_dict()["os"]
    assert d["epv"] == 128 and d["epv_warning"] is False
    assert d["firth"] is None and d["firth_reason"].startswith("not needed")


def test_single_arm_drops_arm_covariate(reference_dir):
    protocol = make_protocol(design="single-arm", variables=VARIABLES[:1], covariates=["age"])
    adsl, adtte = reference_frames(reference_dir / "ovarian.csv", arm_column="rx", arm_map={1: "ici", 2: "ici"},
                                   categorical={})
    d = cox_models(adsl, adtte, protocol).to_dict()["os"]
    assert [r["term"] for r in d["multivariable"]] == ["age"]


def test_epv_warning_counts_terms_of_unfitted_model(ovarian):
    """Fewer events than terms: the model is not fitted (no rows) and the warning names its 4 terms, not 0."""
    _, _, _, (adsl, adtte, protocol) = ovarian
    events = adtte[adtte["event"] == 1]["patient_id"].head(2)
    keep = adtte["patient_id"].isin(events) | (adtte["event"] == 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = cox_models(adsl, adtte[keep], protocol).to_dict()["os"]
    assert d["multivariable"] == [] and d["epv"] == pytest.approx(2 / 4)
    messages = [str(w.message) for w in caught if issubclass(w.category, StatisticalWarning)]
    assert any("2 events for 4 model terms (EPV = 0.5" in m for m in messages), messages


def test_ph_test_of_a_four_level_factor_is_joint_as_r(reference_dir):
    """veteran with celltype as a 4-level categorical: the analysis builds its own dummies, and the
    PH test groups them back into one 3-df test per covariate, as R's cox.zph on a factor."""
    from tests.stats.test_cox_zph import VETERAN_FACTOR_ZPH

    protocol = make_protocol(variables=[{"name": "karno", "type": "continuous"},
                                        {"name": "celltype", "type": "categorical", "levels": ["1", "2", "3", "4"]}],
                             covariates=["arm", "karno", "celltype"], reference={"celltype": "1"})
    adsl, adtte = reference_frames(reference_dir / "veteran.csv", arm_column="trt", arm_map={1: "ici", 2: "ici_mwa"},
                                   categorical={"celltype": ["1", "2", "3", "4"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ph = cox_models(adsl, adtte, protocol).to_dict()["os"]["ph_test"]
    r = VETERAN_FACTOR_ZPH["km"]
    assert [(row["term"], row["df"]) for row in ph["terms"]] == [("arm", 1), ("karno", 1), ("celltype", 3)]
    for row, name in zip(ph["terms"], ("trt", "karno", "celltype")):
        assert row["chisq"] == pytest.approx(r[name][0], rel=1e-6)
        assert row["p"] == pytest.approx(r[name][2], rel=1e-6)
    assert ph["global"]["chisq"] == pytest.approx(r["GLOBAL"][0], rel=1e-6) and ph["global"]["df"] == 5
