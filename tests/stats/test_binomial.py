"""Tests of oncocohort.stats.binomial (Clopper–Pearson interval, exact binomial test).

R's ``binom.test`` values for every reference dataset are checked in
test_contingency.py::test_reference_tests_block_matches_r (reference_basic.compare_tests); here:
closed forms and hand computations.
"""

from __future__ import annotations

import pytest

from oncocohort.errors import InputError
from oncocohort.stats.binomial import binomial_test, clopper_pearson_interval, proportion_estimate


def test_clopper_pearson_closed_forms_at_the_ends():
    # x = 0: upper = 1 − (α/2)^(1/n); x = n: lower = (α/2)^(1/n)  (Clopper & Pearson 1934)
    lo, hi = clopper_pearson_interval(0, 21)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / 21), rel=1e-12)
    lo, hi = clopper_pearson_interval(31, 31)
    assert hi == 1.0 and lo == pytest.approx(0.025 ** (1 / 31), rel=1e-12)


def test_clopper_pearson_limits_solve_the_binomial_tails():
    # lower: P(X >= x | p_L) = α/2; upper: P(X <= x | p_U) = α/2 (seed paper ORR 6/21)
    from scipy import stats

    lo, hi = clopper_pearson_interval(6, 21)
    assert stats.binom.sf(5, 21, lo) == pytest.approx(0.025, rel=1e-9)
    assert stats.binom.cdf(6, 21, hi) == pytest.approx(0.025, rel=1e-9)


def test_proportion_estimate_and_empty_denominator():
    est = proportion_estimate(17, 21)
    assert est.estimate == pytest.approx(17 / 21) and est.lower < est.estimate < est.upper
    assert str(est).startswith("17/21 = 81.0%")
    none = proportion_estimate(0, 0)
    assert none.estimate is None and none.lower is None and "not estimable" in str(none)


def test_binomial_test_by_hand():
    # n = 5, x = 0: P = 1/32 each tail -> p = 2/32
    assert binomial_test(0, 5) == pytest.approx(0.0625, rel=1e-14)
    # n = 3, x = 1: probabilities 1/8, 3/8, 3/8, 1/8 -> every outcome no more likely than 3/8 -> 1
    assert binomial_test(1, 3) == pytest.approx(1.0)


@pytest.mark.parametrize("x,n,argument", [(5, 3, "x"), (-1, 3, "x"), (1, -2, "n"), (1.5, 3, "x")])
def test_bad_counts_name_the_argument(x, n, argument):
    with pytest.raises(InputError) as exc:
        proportion_estimate(x, n)
    assert exc.value.argument == argument


def test_interval_needs_positive_n():
    with pytest.raises(InputError) as exc:
        clopper_pearson_interval(0, 0)
    assert exc.value.argument == "n"
