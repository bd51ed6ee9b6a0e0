"""Median follow-up by reverse Kaplan–Meier (R values: test_reference_coverage via compare_reverse_km_followup)."""

from __future__ import annotations

import numpy as np

from oncocohort.stats import kaplan_meier, median_followup, median_followup_by


def test_reverse_km_by_hand() -> None:
    # Follow-up "events" are the censorings at 3, 5, 6; deaths at 1, 2 censor follow-up.
    # Reverse KM: n = 5,4,3,2,1 at 1..6 -> S_fu = 1, 1, 2/3 (t=3), 2/3, 1/3 (t=5), 0 (t=6)
    fu = median_followup([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, 0])
    assert fu.estimate == 5.0
    assert fu.probability == 0.5


def test_equals_kaplan_meier_of_reversed_indicator() -> None:
    rng = np.random.default_rng(2)
    t = np.ceil(rng.exponential(30, 200))
    e = (rng.random(200) < 0.5).astype(int)
    for conf_type in ("log", "log-log", "plain"):
        direct = kaplan_meier(t, 1 - e, conf_type=conf_type).median()
        assert median_followup(t, e, conf_type=conf_type) == direct


def test_no_censoring_means_follow_up_not_reached() -> None:
    assert median_followup([1, 2, 3], [1, 1, 1]).estimate is None


def test_by_group() -> None:
    res = median_followup_by([1, 2, 3, 4, 5, 6], [0, 1, 0, 1, 0, 1], ["a", "b", "a", "b", "a", "b"])
    assert set(res) == {"a", "b"}
    assert res["a"] == median_followup([1, 3, 5], [0, 0, 0])
