"""Tests of oncocohort.stats.rank_tests (Wilcoxon rank-sum / Mann–Whitney U as R's wilcox.test).

R reference values (normal approximation with tie and continuity correction, both ``correct``
settings) are checked for every dataset in test_contingency.py::test_reference_tests_block_matches_r
through reference_basic.compare_tests; here: hand computations, brute-force enumeration of the
exact null distribution and SciPy's independent exact implementation.
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest
from scipy import stats

from oncocohort.errors import InputError
from oncocohort.stats.rank_tests import TIES_WARNING, average_ranks, mann_whitney_u, wilcoxon_null_counts


def test_exact_tiny_case_by_hand():
    # x entirely below y: W = 0; P(U <= 0) = 1 / C(5, 2) = 0.1; two-sided p = 0.2
    res = mann_whitney_u([1.0, 2.0], [3.0, 4.0, 5.0])
    assert res.W == 0 and res.exact and res.p == pytest.approx(0.2, rel=1e-15)
    assert res.method == "Wilcoxon rank sum exact test"
    # mirrored: W = n_x n_y = 6 > 3, R uses P(U >= W)
    assert mann_whitney_u([3.0, 4.0, 5.0], [1.0, 2.0]).p == pytest.approx(0.2, rel=1e-15)


@pytest.mark.parametrize("n_x,n_y", [(1, 1), (2, 3), (3, 3), (4, 5), (5, 2)])
def test_null_counts_match_brute_force(n_x, n_y):
    counts = np.zeros(n_x * n_y + 1, dtype=int)
    for chosen in itertools.combinations(range(n_x + n_y), n_x):  # ranks of x (0-based)
        u = sum(chosen) - n_x * (n_x - 1) // 2
        counts[u] += 1
    assert wilcoxon_null_counts(n_x, n_y) == counts.tolist()


def test_null_counts_total_and_symmetry_large():
    c = wilcoxon_null_counts(49, 49)
    assert sum(c) == comb(98, 49) and c == c[::-1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=11), rng.normal(0.7, size=17)
    res = mann_whitney_u(x, y)
    ref = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
    assert res.W == ref.statistic and res.p == pytest.approx(ref.pvalue, rel=1e-12)


def test_exact_can_be_forced_above_50():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=55), rng.normal(size=12)
    assert not mann_whitney_u(x, y).exact  # R: exact only when both n < 50
    forced = mann_whitney_u(x, y, exact=True)
    ref = stats.mannwhitneyu(x, y, method="exact")
    assert forced.exact and forced.p == pytest.approx(ref.pvalue, rel=1e-12)


def test_ties_normal_approximation_by_hand():
    # pooled 1, 2, 2, 2, 3, 4 -> ranks 1, 3, 3, 3, 5, 6; x = {1, 2, 2}: R_x = 7, W = 7 − 6 = 1
    # σ² = (9/12)(7 − (3³ − 3)/(6·5)) = 0.75 · 6.2; z = (1 − 4.5 + 0.5)/σ with continuity correction
    res = mann_whitney_u([1, 2, 2], [2, 3, 4])
    sigma = np.sqrt(0.75 * 6.2)
    assert res.W == 1.0 and not res.exact and res.has_ties
    assert res.p == pytest.approx(2 * stats.norm.cdf(-3.0 / sigma), rel=1e-14)
    assert res.warnings == (TIES_WARNING,)  # R warns: exact was the default (n < 50) but ties exist
    assert res.method == "Wilcoxon rank sum test with continuity correction"
    uncorrected = mann_whitney_u([1, 2, 2], [2, 3, 4], correct=False)
    assert uncorrected.p == pytest.approx(2 * stats.norm.cdf(-3.5 / sigma), rel=1e-14)
    assert mann_whitney_u([1, 2, 2], [2, 3, 4], exact=False).warnings == ()


def test_missing_values_dropped_and_counted():
    res = mann_whitney_u([1.0, np.nan, 2.0, None], [3.0, 4.0, 5.0, np.nan])
    assert (res.n_x, res.n_y, res.n_missing_x, res.n_missing_y) == (2, 3, 2, 1)
    assert res.p == pytest.approx(0.2)


def test_all_values_tied_gives_no_p():
    res = mann_whitney_u([2, 2, 2], [2, 2])
    assert res.p is None and "tied" in res.reason and res.W == 3.0


@pytest.mark.parametrize("x,y,argument", [([], [1.0], "x"), ([1.0], [np.nan], "y"), (["a"], [1.0], "x"),
                                          ([1.0, np.inf], [1.0], "x")])
def test_bad_samples_name_the_argument(x, y, argument):
    with pytest.raises(InputError) as exc:
        mann_whitney_u(x, y)
    assert exc.value.argument == argument


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_normal_approximation_with_ties_matches_scipy(seed):
    """SciPy's asymptotic test uses the same tie-corrected variance and continuity correction."""
    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, 6, size=23), rng.integers(1, 7, size=31)  # many ties
    for correct in (True, False):
        res = mann_whitney_u(x, y, correct=correct)
        ref = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=correct)
        assert res.W == ref.statistic and res.p == pytest.approx(ref.pvalue, rel=1e-10)


def test_average_ranks_by_hand_and_as_scipy_rankdata():
    assert average_ranks([3.0, 1.0, 2.0, 2.0]).tolist() == [4.0, 1.0, 2.5, 2.5]
    assert average_ranks([5, 5, 5]).tolist() == [2.0, 2.0, 2.0]
    rng = np.random.default_rng(8)
    for size in (1, 2, 7, 40, 333):
        values = rng.integers(0, max(2, size // 3), size).astype(float)  # many ties
        ranks = average_ranks(values)
        assert ranks.dtype == np.float64
        assert np.array_equal(ranks, stats.rankdata(values, method="average"))
        assert ranks.sum() == size * (size + 1) / 2
    with pytest.raises(InputError):
        average_ranks(np.zeros((2, 2)))
