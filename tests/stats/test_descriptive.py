"""Tests of oncocohort.stats.descriptive: R type-7 quantiles and baseline summaries.

Expected values are hand computations (shown) and NumPy's independent "linear" quantile method,
which is the same definition (Hyndman & Fan type 7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.errors import InputError
from oncocohort.stats.descriptive import quantile_type7, summarize_categorical, summarize_continuous


def test_type7_by_hand():
    # R: quantile(c(1, 3, 5, 7, 9, 11), c(0.25, 0.5, 0.9)) -> 3.5, 6, 10
    # h = (n − 1)p: 1.25 -> 3 + 0.25·2; 2.5 -> 5 + 0.5·2; 4.5 -> 9 + 0.5·2
    np.testing.assert_array_equal(quantile_type7([11, 3, 9, 1, 7, 5], [0.25, 0.5, 0.9]), [3.5, 6.0, 10.0])
    np.testing.assert_array_equal(quantile_type7([4.0], [0.0, 0.3, 1.0]), [4.0, 4.0, 4.0])


def test_type7_matches_numpy_linear_on_random_data():
    rng = np.random.default_rng(11)
    probs = np.linspace(0, 1, 41)
    for n in (2, 3, 10, 57):
        x = rng.gamma(2.0, 3.0, size=n)
        np.testing.assert_allclose(quantile_type7(x, probs), np.quantile(x, probs, method="linear"),
                                   rtol=1e-14)


def test_type7_rejects_missing_and_bad_probs():
    with pytest.raises(InputError) as exc:
        quantile_type7([1.0, np.nan], [0.5])
    assert exc.value.argument == "x"
    with pytest.raises(InputError) as exc:
        quantile_type7([1.0, 2.0], [1.5])
    assert exc.value.argument == "probs"
    with pytest.raises(InputError):
        quantile_type7([], [0.5])


def test_summarize_continuous_counts_missing():
    # values 1, 2, 3, 5 (+ 2 missing): median 2.5; q1 = 1 + 0.75·1 = 1.75; q3 = 3 + 0.25·2 = 3.5;
    # mean 2.75; sd = sqrt(Σ(x − 2.75)² / 3) = sqrt(8.75 / 3)
    s = summarize_continuous([3, None, 1, np.nan, 2, 5])
    assert (s.n, s.n_missing) == (4, 2)
    assert (s.median, s.min, s.max, s.q1, s.q3, s.mean) == (2.5, 1.0, 5.0, 1.75, 3.5, 2.75)
    assert s.sd == pytest.approx(np.sqrt(8.75 / 3), rel=1e-15)
    assert list(s.to_frame().columns) == ["n", "n_missing", "median", "min", "max", "q1", "q3", "mean", "sd"]


def test_summarize_continuous_degenerate():
    one = summarize_continuous([7.0])
    assert one.median == 7.0 and one.sd is None and one.q1 == one.q3 == 7.0
    empty = summarize_continuous([np.nan, None])
    assert (empty.n, empty.n_missing, empty.median, empty.mean) == (0, 2, None, None)
    assert summarize_continuous(pd.Series([1.0, 2.0, np.nan])).n_missing == 1


def test_summarize_categorical_shows_missing():
    s = summarize_categorical(["a", "b", None, "a", np.nan], ["a", "b", "c"])
    assert s.counts.tolist() == [2, 1, 0] and s.n_missing == 2 and s.n_total == 5
    np.testing.assert_allclose(s.percent, [40.0, 20.0, 0.0])
    assert s.percent_missing == 40.0 and s.percent.sum() + s.percent_missing == pytest.approx(100.0)
    np.testing.assert_allclose(s.percent_of_non_missing, [200 / 3, 100 / 3, 0.0])
    frame = s.to_frame()
    assert frame["level"].tolist() == ["a", "b", "c", "missing"] and frame["n"].tolist() == [2, 1, 0, 2]


def test_summarize_categorical_numeric_codes_match_numerically():
    # a pandas integer column with a missing value turns float: 1.0 must still count as level 1
    s = summarize_categorical(pd.Series([1, 2, None, 1]).astype(float), [1, 2])
    assert s.counts.tolist() == [2, 1] and s.n_missing == 1 and s.levels == ("1", "2")


def test_summarize_categorical_rejects_unknown_values():
    with pytest.raises(InputError, match=r"\['x'\]") as exc:
        summarize_categorical(["a", "x"], ["a", "b"])
    assert exc.value.argument == "values"
    with pytest.raises(InputError) as exc:
        summarize_categorical(["a"], [])
    assert exc.value.argument == "levels"


def test_summary_arrays_are_read_only():
    s = summarize_categorical(["a"], ["a"])
    with pytest.raises(ValueError):
        s.counts[0] = 5
    q = quantile_type7([1.0, 2.0], [0.5])
    with pytest.raises(ValueError):
        q[0] = 0.0
