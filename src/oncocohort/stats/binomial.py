"""Binomial proportions: exact Clopper–Pearson interval and exact binomial test.

References
----------
[1] Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 1934;26:404–413.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.special import betaincinv  # the Beta quantile scipy.stats.beta.ppf uses; not scipy.stats (import time)

from oncocohort.errors import InputError


@dataclass(frozen=True, slots=True)
class ProportionEstimate:
    """A proportion x/n with its exact (Clopper–Pearson) confidence interval."""

    x: int
    n: int
    estimate: float | None
    lower: float | None
    upper: float | None
    conf_level: float = 0.95
    method: str = "Clopper-Pearson exact"

    def __str__(self) -> str:
        if self.estimate is None or self.lower is None or self.upper is None:
            return f"{self.x}/{self.n} (not estimable)"
        return (f"{self.x}/{self.n} = {100 * self.estimate:.1f}% "
                f"({100 * self.conf_level:.0f}% CI {100 * self.lower:.1f}–{100 * self.upper:.1f})")


def clopper_pearson_interval(x: int, n: int, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval for a binomial proportion, as R's ``binom.test(x, n)$conf.int``.

    lower = Beta quantile (α/2; x, n − x + 1), upper = Beta quantile (1 − α/2; x + 1, n − x) [1];
    lower is 0 when x = 0 and upper is 1 when x = n (the Beta quantile is undefined there).
    """
    _check_counts(x, n)
    if n == 0:
        raise InputError("n", "must be positive for a confidence interval")
    alpha = 1.0 - conf_level
    lower = 0.0 if x == 0 else float(betaincinv(x, n - x + 1, alpha / 2))
    upper = 1.0 if x == n else float(betaincinv(x + 1, n - x, 1 - alpha / 2))
    return lower, upper


def proportion_estimate(x: int, n: int, *, conf_level: float = 0.95) -> ProportionEstimate:
    """x/n with its Clopper–Pearson interval; estimate and limits are None when n = 0."""
    _check_counts(x, n)
    if n == 0:
        return ProportionEstimate(x, n, None, None, None, conf_level)
    lo, hi = clopper_pearson_interval(x, n, conf_level=conf_level)
    return ProportionEstimate(int(x), int(n), x / n, lo, hi, conf_level)


def binomial_test(x: int, n: int, *, p: float = 0.5) -> float:
    """Two-sided exact binomial test p-value, as R's ``binom.test(x, n, p)$p.value``.

    R sums the probabilities of all outcomes no more likely than the observed one, with a relative
    tolerance of 1 + 1e-7 on that comparison; SciPy's ``binomtest`` applies the same rule.
    """
    from scipy.stats import binomtest  # here, not at module level: scipy.stats costs ~0.7 s to import

    _check_counts(x, n)
    return float(binomtest(int(x), int(n), p).pvalue)


def _check_counts(x: int, n: int) -> None:
    if int(n) != n or n < 0:
        raise InputError("n", f"must be a non-negative whole number, got {n!r}")
    if int(x) != x or x < 0 or x > n:
        raise InputError("x", f"must be a whole number from 0 to n={n}, got {x!r}")
