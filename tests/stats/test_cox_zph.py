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
