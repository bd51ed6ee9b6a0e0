"""Criteria objects: printable, overridable, validated."""

from __future__ import annotations

import pytest

from oncocohort.errors import InputError
from oncocohort.response import IRECIST, MRECIST, RECIST11, get_criteria


def test_names_resolve_to_the_published_thresholds():
    assert get_criteria("RECIST 1.1") is RECIST11
    assert (RECIST11.pr_decrease_pct, RECIST11.pd_increase_pct, RECIST11.pd_min_increase_mm) == (30, 20, 5)
    # mRECIST (Lencioni & Llovet 2010): viable diameter, no absolute PD rule by default.
    assert MRECIST.diameter == "viable_diameter_mm" and MRECIST.pd_min_increase_mm is None
    assert MRECIST.new_intrahepatic_min_mm == 10
    assert IRECIST.confirm_progression and IRECIST.diameter == "longest_diameter_mm"
    assert (RECIST11.max_targets, RECIST11.max_targets_per_site) == (5, 2)


def test_override_makes_a_new_object_and_leaves_the_preset_alone():
    c = get_criteria("mrecist", pd_min_increase_mm=5.0)
    assert c.pd_min_increase_mm == 5.0 and MRECIST.pd_min_increase_mm is None


def test_printing_shows_thresholds_and_the_combination_table():
    text = str(get_criteria("irecist"))
    assert "PD: >= 20% increase over nadir sum; absolute increase >= 5 mm" in text
    assert "Table 1 row 2: CR + non-CR/non-PD" in text
    assert "iUPD -> iCPD at a later assessment >= 28 days later (planned 28-56 days)" in text


@pytest.mark.parametrize("bad, argument", [
    (dict(criteria="who"), "criteria"),
    (dict(criteria="recist1.1", nadir=3), "criteria"),
    (dict(criteria="recist1.1", pd_increase_pct=0), "pd_increase_pct"),
    (dict(criteria="recist1.1", diameter="area"), "diameter"),
])
def test_bad_criteria_name_the_argument(bad, argument):
    name = bad.pop("criteria")
    with pytest.raises(InputError) as exc:
        get_criteria(name, **bad)
    assert exc.value.argument == argument
