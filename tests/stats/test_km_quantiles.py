"""R's quantile rule for step curves (flat spots, NA band values, unreached quantiles)."""

from __future__ import annotations

import numpy as np

from oncocohort.stats._km_quantiles import curve_quantiles


def q(time, surv, *probs):
    return curve_quantiles(np.asarray(time, float), np.asarray(surv, float), np.asarray(probs, float)).tolist()


def test_first_time_at_or_below():
    assert q([1, 2, 3], [0.8, 0.4, 0.1], 0.5, 0.15, 0.9) == [2.0, 1.0, 3.0]
    # S(1) = 0.8 equals 1 - 0.2 (within sqrt(eps)): a flat at p, so the midpoint of [1, 2)
    assert q([1, 2, 3], [0.8, 0.4, 0.1], 0.2) == [1.5]


def test_flat_exactly_at_p_gives_midpoint():
    assert q([1, 2, 5, 9], [0.9, 0.5, 0.2, 0.1], 0.5) == [3.5]


def test_flat_within_tolerance_counts_as_exact():
    assert q([1, 2, 5], [0.9, 0.5 + 1e-10, 0.2], 0.5) == [3.5]


def test_censor_rows_repeat_a_value_and_are_ignored():
    # the repeated 0.5 at time 4 (a censoring) is not a jump: the flat runs from 2 to 6
    assert q([1, 2, 4, 6], [0.8, 0.5, 0.5, 0.1], 0.5) == [4.0]
    assert q([1, 2, 4, 6], [0.8, 0.4, 0.4, 0.1], 0.55) == [2.0]


def test_flat_at_end_uses_last_time():
    assert q([1, 3, 8], [0.75, 0.5, 0.5], 0.5) == [5.5]


def test_not_reached_and_nan_band():
    assert np.isnan(q([1, 2], [0.9, 0.8], 0.5)[0])
    # NaN band values (log CI where S = 0) are skipped, not treated as 0 or 1
    assert q([1, 2, 3], [0.7, 0.3, np.nan], 0.5) == [2.0]
    assert np.isnan(q([1, 2], [np.nan, np.nan], 0.5)[0])


def test_probability_zero_is_the_start():
    assert q([1, 2], [0.5, 0.2], 0.0) == [0.0]
