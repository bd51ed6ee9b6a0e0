"""Typed baseline variables: protocol level order, cut-points closed left / right, default labels."""

from __future__ import annotations

import pandas as pd

from oncocohort.cohort import default_cut_labels, derive_cut_variable, type_baseline_variables
from oncocohort.protocol.schema import CutPoints, Variable


def test_cut_closed_left_puts_the_cut_point_in_the_upper_group():
    cut = CutPoints(name="afp_group", at=[400], closed="left", labels=["<400", "≥400"])
    got = derive_cut_variable(pd.Series([399.9, 400.0, 1e5, None]), cut)
    assert got.tolist()[:3] == ["<400", "≥400", "≥400"] and pd.isna(got.iloc[3])
    assert got.cat.ordered and list(got.cat.categories) == ["<400", "≥400"]


def test_cut_closed_right_puts_the_cut_point_in_the_lower_group():
    cut = CutPoints(name="bili", at=[20], closed="right", labels=["≤20", ">20"])
    assert derive_cut_variable(pd.Series([20.0, 20.01]), cut).tolist() == ["≤20", ">20"]


def test_default_labels():
    assert default_cut_labels(CutPoints(name="x", at=[1, 2.5])) == ["<1", "[1, 2.5)", "≥2.5"]
    assert default_cut_labels(CutPoints(name="x", at=[1, 2.5], closed="right")) == ["≤1", "(1, 2.5]", ">2.5"]
    got = derive_cut_variable(pd.Series([0.0, 1.0, 2.5]), CutPoints(name="x", at=[1, 2.5]))
    assert got.tolist() == ["<1", "[1, 2.5)", "≥2.5"]


def test_categorical_in_protocol_order_and_numeric_levels_as_text():
    variables = [
        Variable(name="sex", type="categorical", levels=["male", "female"]),
        Variable(name="ecog", type="categorical", levels=["0", "1"]),
        Variable(name="age", type="continuous", cut=CutPoints(name="age_group", at=[65], labels=["<65", "≥65"])),
        Variable(name="absent", type="continuous"),
    ]
    patients = pd.DataFrame({"sex": ["female", "male", None], "ecog": [1.0, 0.0, None], "age": [64.0, 65.0, 70.0]})
    got = type_baseline_variables(patients, variables)
    assert list(got.columns) == ["sex", "ecog", "age", "age_group"]  # absent variable skipped
    assert list(got["sex"].cat.categories) == ["male", "female"] and not got["sex"].cat.ordered
    assert got["ecog"].tolist()[:2] == ["1", "0"]
    assert got["age_group"].tolist() == ["<65", "≥65", "≥65"]
    assert got["age"].dtype == "float64"
