"""Tests of the proportional-hazards test (R ≥ 3.0 cox.zph) and of the transforms it uses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncocohort.errors import InputError
from oncocohort.stats.cox import cox_ph
from oncocohort.stats.cox_zph import transformed_time
from tests.stats.reference_cox import compare_cox_zph
from tests.stats.test_cox import leaf_paths

REF = Path(__file__).resolve().parents[1] / "data" / "reference"


@pytest.mark.parametrize("name", ["lung", "veteran", "ovarian", "aml"])
def test_every_cox_zph_reference_leaf_matches_r(name: str) -> None:
    ref = json.loads((REF / f"{name}.json").read_text())
    status = compare_cox_zph(name, ref["cox_zph"], pd.read_csv(REF / f"{name}.csv"))
    assert set(status) == leaf_paths(ref["cox_zph"], "cox_zph")
    assert all(v == "compared" or k.endswith("/call") for k, v in status.items())


def test_km_transform_is_one_minus_left_continuous_km_by_hand() -> None:
    time = np.array([1.0, 2, 2, 3, 4, 4, 5])
    event = np.array([1, 1, 0, 1, 0, 1, 0], dtype=bool)
    # KM: S(1) = 6/7, S(2) = 6/7·5/6 = 5/7, S(3) = 5/7·3/4 = 15/28, S(4) = 15/28·2/3 = 5/14 (3 at risk at 4)
    s_before = np.array([1, 6 / 7, 6 / 7, 5 / 7, 15 / 28, 15 / 28, 5 / 14])
    np.testing.assert_allclose(transformed_time(time, event, "km"), 1 - s_before, rtol=1e-14)
    np.testing.assert_allclose(transformed_time(time, event, "rank"), [1, 2.5, 2.5, 4, 5.5, 5.5, 7])
    np.testing.assert_array_equal(transformed_time(time, event, "identity"), time)


def test_unknown_transform_is_rejected() -> None:
    lung = pd.read_csv(REF / "lung.csv")
    fit = cox_ph(lung, "time", "status", ["age"])
    with pytest.raises(InputError) as err:
        fit.ph_test("log-rank")  # type: ignore[arg-type]
    assert err.value.argument == "transform"


def test_single_covariate_global_equals_term() -> None:
    lung = pd.read_csv(REF / "lung.csv")
    table = cox_ph(lung, "time", "status", ["age"]).ph_test("identity").table
    assert table.loc["age", "chisq"] == pytest.approx(table.loc["GLOBAL", "chisq"], rel=1e-12)
    assert list(table.columns) == ["chisq", "df", "p"]


# R 4.2.2, survival 3.5-3, on tests/data/reference/veteran.csv with celltype as a factor:
#   fit <- coxph(Surv(time, status) ~ trt + karno + celltype, data = d, ties = "efron")
#   cox.zph(fit, transform = "km")$table ; cox.zph(fit, transform = "rank")$table
VETERAN_FACTOR_ZPH = {
    "km": {"trt": (2.0630741206443262e-01, 1, 6.4967714116915476e-01),
           "karno": (1.2813325591115479e+01, 1, 3.4415927802801453e-04),
           "celltype": (1.4531710396470313e+01, 3, 2.2638903172981510e-03),
           "GLOBAL": (2.2859685274987292e+01, 5, 3.5906454355346301e-04)},
    "rank": {"trt": (2.1510306158602177e-01, 1, 6.4279674284205712e-01),
             "karno": (1.3393896165805669e+01, 1, 2.5244446038033525e-04),
             "celltype": (1.4675680798205649e+01, 3, 2.1158626327685451e-03),
             "GLOBAL": (2.3293799602484192e+01, 5, 2.9658480295747055e-04)},
}


@pytest.mark.parametrize("transform", ["km", "rank"])
def test_a_factor_is_tested_jointly_as_r_does_also_from_hand_made_dummies(transform: str) -> None:
    """R's cox.zph tests a factor over all its columns (terms = TRUE). A categorical covariate gets
    that by default; dummy columns built by the caller get it through ``terms``."""
    vet = pd.read_csv(REF / "veteran.csv")
    vet["celltype"] = vet["celltype"].astype(str)
    fit = cox_ph(vet, "time", "status", ["trt", "karno", "celltype"])
    dummies = cox_ph(vet, "time", "status", ["trt", "karno", "celltype_smallcell", "celltype_adeno",
                                               "celltype_large"])
    grouped = dummies.ph_test(transform, terms={"trt": ["trt"], "karno": "karno",
                                                "celltype": ["celltype_smallcell", "celltype_adeno",
                                                             "celltype_large"]})
    for table in (fit.ph_test(transform).table, grouped.table):
        assert list(table.index) == ["trt", "karno", "celltype", "GLOBAL"]
        for term, (chisq, df, p) in VETERAN_FACTOR_ZPH[transform].items():
            assert table.loc[term, "chisq"] == pytest.approx(chisq, rel=1e-6)
            assert table.loc[term, "df"] == df
            assert table.loc[term, "p"] == pytest.approx(p, rel=1e-6)
    # without grouping, the dummies are three one-df tests (what R gives for numeric dummies)
    assert list(dummies.ph_test(transform).table["df"]) == [1, 1, 1, 1, 1, 5]


def test_term_groups_must_cover_every_term_once() -> None:
    vet = pd.read_csv(REF / "veteran.csv")
    fit = cox_ph(vet, "time", "status", ["trt", "karno", "age"])
    with pytest.raises(InputError, match="in none: \\['age'\\]"):
        fit.ph_test(terms={"a": ["trt"], "b": ["karno"]})
    with pytest.raises(InputError, match="in two: \\['trt'\\]"):
        fit.ph_test(terms={"a": ["trt", "karno"], "b": ["trt", "age"]})
    with pytest.raises(InputError, match="names \\['sex'\\]"):
        fit.ph_test(terms={"a": ["trt", "karno", "age"], "b": ["sex"]})
