"""Tests of independence in r × c contingency tables: Fisher's exact test, Pearson's χ² test, and
the seed paper's rule for choosing between them.

Conventions (as R's ``stats`` package, checked against R 4.2.2 in tests/data/reference):

* ``fisher_exact`` — two-sided p = Σ P(X) over all tables X with the observed margins and
  P(X) ≤ P(X_obs)·(1 + 1e-7), P the multivariate hypergeometric probability [1, 2]; for a 2 × 2
  table also the conditional maximum-likelihood odds ratio and its exact CI [3] (R: ``fisher.test``).
* ``chi_square_test`` — X² = Σ (|O − E| − Y)² / E with E = r_i c_j / n, df = (r − 1)(c − 1) and
  Y = min(0.5, min |O − E|) only for a 2 × 2 table with ``correct=True`` (Yates [4], R's rule);
  R warns "Chi-squared approximation may be incorrect" when any E < 5 (R: ``chisq.test``).
* ``compare_proportions_by_rule`` — Pearson χ² without continuity correction when every expected
  count is ≥ 5, otherwise Fisher's exact test (seed paper 001, "Statistical analysis").

Tables with an all-zero row or column (e.g. an adverse event seen in neither arm) or fewer than
two rows or columns have no test of independence: the result carries ``p=None`` and a reason.
(R's ``chisq.test`` returns NaN there and ``fisher.test`` stops for a 1 × k table.) The exact
r × c enumeration is capped in memory and work (a few seconds); beyond the cap — large, dense
tables, where R's ``fisher.test`` also stops with a workspace error — ``p`` is None with a reason.

References
----------
[1] Fisher RA. Statistical Methods for Research Workers, 5th ed. Edinburgh: Oliver & Boyd; 1934.
[2] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c tables.
    J Am Stat Assoc 1983;78:427–434.
[3] Agresti A. Categorical Data Analysis, 3rd ed. Wiley; 2013. §3.5.7 (conditional ML odds ratio).
[4] Yates F. Contingency tables involving small numbers and the χ² test. Suppl J R Stat Soc
    1934;1:217–235.
[5] Patefield WM. Algorithm AS 159: an efficient method of generating random r × c tables with
    given row and column totals. Appl Stat 1981;30:91–97.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import betaln, chdtrc, gammaln  # not scipy.stats / scipy.optimize: ~1 s of import time

from oncocohort.errors import InputError
from oncocohort.stats._fisher import FisherTooLarge, fisher_rxc_pvalue
from oncocohort.stats._roots import bracketed_root

CHISQ_WARNING = "Chi-squared approximation may be incorrect"  # R's exact wording
MIN_EXPECTED_FOR_CHISQ = 5.0


@dataclass(frozen=True, slots=True)
class FisherExactResult:
    """Fisher's exact test; ``odds_ratio`` and its CI only for 2 × 2 tables (else None)."""

    table: npt.NDArray[np.int64]
    p: float | None
    odds_ratio: float | None = None
    or_lower: float | None = None
    or_upper: float | None = None
    conf_level: float = 0.95
    method: str = "Fisher's exact test (two-sided)"
    reason: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"method": self.method, "p": self.p, "odds_ratio": self.odds_ratio,
                              "or_lower": self.or_lower, "or_upper": self.or_upper,
                              "reason": self.reason}])

    summary = to_frame


@dataclass(frozen=True, slots=True)
class ChiSquareResult:
    """Pearson's χ² test of independence (R's ``chisq.test``)."""

    table: npt.NDArray[np.int64]
    statistic: float | None
    df: int
    p: float | None
    expected: npt.NDArray[np.float64]
    min_expected: float
    yates_correction: float  # the Y actually subtracted (0 when not applied)
    warnings: tuple[str, ...]
    method: str
    reason: str | None = None

    @property
    def approximation_warning(self) -> bool:
        """True when an expected count is < 5 (R warns the approximation may be incorrect)."""
        return CHISQ_WARNING in self.warnings

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"method": self.method, "statistic": self.statistic, "df": self.df,
                              "p": self.p, "min_expected": self.min_expected,
                              "warnings": "; ".join(self.warnings), "reason": self.reason}])

    summary = to_frame


@dataclass(frozen=True, slots=True)
class RuleBasedTestResult:
    """Result of ``compare_proportions_by_rule``: the chosen test, its p and why it was chosen."""

    table: npt.NDArray[np.int64]
    test: Literal["chisq", "fisher"] | None
    p: float | None
    reason: str
    min_expected: float | None
    chisq: ChiSquareResult | None
    fisher: FisherExactResult | None

    @property
    def method(self) -> str:
        if self.test == "chisq":
            return "Pearson's chi-squared test (no continuity correction)"
        if self.test == "fisher":
            return "Fisher's exact test (two-sided)"
        return "not tested"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"test": self.test, "method": self.method, "p": self.p,
                              "min_expected": self.min_expected, "reason": self.reason}])

    summary = to_frame


def fisher_exact(table: Any, *, conf_level: float = 0.95, simulate_p_value: bool = False,
                 n_simulations: int = 2000, rng: np.random.Generator | None = None) -> FisherExactResult:
    """Fisher's exact test of independence for an r × c table of counts (R: ``fisher.test(tab)``).

    p = Σ_{X : P(X) ≤ P(X_obs)(1 + 1e-7)} P(X), P(X) = Π r_i! Π c_j! / (n! Π x_ij!) [1, 2]. For
    2 × 2 tables (a = x_11) the conditional MLE of the odds ratio ψ maximises the noncentral
    hypergeometric likelihood P(a; ψ) ∝ C(c_1, a) C(c_2, r_1 − a) ψ^a, i.e. solves E_ψ[a] = a; the
    CI limits solve P_ψ(A ≥ a) = α/2 (lower) and P_ψ(A ≤ a) = α/2 (upper) [3]. ψ̂ = 0 / ∞ when a
    is at the lower / upper end of its support. The roots are solved here to ~1e-14; R uses
    ``uniroot`` (tolerance ~1.2e-4 on ψ, or on 1/ψ above 1), so R's OR and CI agree with them
    typically to ~1e-5 relative and always within that tolerance.

    ``simulate_p_value=True`` replaces the enumeration by R's Monte Carlo version
    (``fisher.test(tab, simulate.p.value = TRUE, B = n_simulations)``): B random tables with the
    observed margins (Patefield's algorithm [5]) from ``rng`` (required: no global random state),
    statistic S = −Σ log x_ij!, p = (1 + #{S_b ≤ S_obs / (1 + 64ε)}) / (B + 1) — R's rule, the
    factor keeping ties. Use it for tables too large for the exact enumeration.
    """
    x = _as_count_table(table)
    if not 0 < conf_level < 1:
        raise InputError("conf_level", f"must be between 0 and 1, got {conf_level!r}")
    reason = _degenerate_reason(x)
    if reason is not None:
        return FisherExactResult(x, None, conf_level=conf_level, reason=reason)
    if simulate_p_value:
        p_sim = _simulated_p(x, n_simulations, rng)
        method = f"Fisher's exact test (two-sided), simulated p-value (B = {n_simulations})"
        return FisherExactResult(x, p_sim, conf_level=conf_level, method=method)
    try:
        p = fisher_rxc_pvalue(x)
    except FisherTooLarge as exc:  # R's FEXACT stops too ("workspace"); no silent approximation
        return FisherExactResult(x, None, conf_level=conf_level,
                                 reason=f"table too large for the exact r x c enumeration ({exc}); "
                                        "simulate_p_value=True gives R's Monte Carlo p-value")
    if x.shape != (2, 2):
        return FisherExactResult(x, p, conf_level=conf_level)
    or_hat, lower, upper = _conditional_odds_ratio(x, conf_level)
    return FisherExactResult(x, p, or_hat, lower, upper, conf_level)


def chi_square_test(table: Any, *, correct: bool = False) -> ChiSquareResult:
    """Pearson's χ² test of independence (R: ``chisq.test(tab, correct = correct)``).

    E_ij = r_i c_j / n; X² = Σ_ij (|O_ij − E_ij| − Y)² / E_ij; df = (r − 1)(c − 1); p = P(χ²_df ≥ X²).
    Y = min(0.5, min_ij |O_ij − E_ij|) for a 2 × 2 table when ``correct`` is true (Yates [4]; R caps
    the correction so it never overshoots), else 0. Note R's default is ``correct = TRUE``; the
    seed paper's rule uses the uncorrected statistic, hence ``correct=False`` here.
    """
    x = _as_count_table(table)
    rows, cols, n = x.sum(axis=1), x.sum(axis=0), x.sum()
    expected = np.outer(rows, cols) / n if n > 0 else np.zeros(x.shape)
    expected.setflags(write=False)
    min_expected = float(expected.min())
    df = (x.shape[0] - 1) * (x.shape[1] - 1)
    method = "Pearson's Chi-squared test"
    reason = _degenerate_reason(x)
    if reason is not None:
        return ChiSquareResult(x, None, df, None, expected, min_expected, 0.0, (), method, reason)
    deviation = np.abs(x - expected)
    yates = 0.0
    if correct and x.shape == (2, 2):
        yates = float(min(0.5, deviation.min()))  # R: YATES <- min(0.5, abs(x - E))
        if yates > 0:
            method += " with Yates' continuity correction"
    statistic = float(np.sum((deviation - yates) ** 2 / expected))
    p = chi2_sf(statistic, df)
    warnings = (CHISQ_WARNING,) if min_expected < MIN_EXPECTED_FOR_CHISQ else ()
    return ChiSquareResult(x, statistic, df, p, expected, min_expected, yates, warnings, method)


def compare_proportions_by_rule(table: Any, *, min_expected: float = MIN_EXPECTED_FOR_CHISQ
                                ) -> RuleBasedTestResult:
    """Between-group test of a categorical variable by the seed paper's rule.

    Steps: (1) if the table has an all-zero row or column or fewer than two rows or columns, no
    test (p None, reason); (2) compute E_ij = r_i c_j / n; (3) if every E_ij ≥ ``min_expected``
    (5 in the paper) use Pearson's χ² without continuity correction, (4) otherwise Fisher's exact
    test (r × c exact, as R's ``fisher.test``). The reason names the smallest expected count.
    """
    x = _as_count_table(table)
    chisq = chi_square_test(x, correct=False)
    if chisq.reason is not None:
        return RuleBasedTestResult(x, None, None, chisq.reason, None, None, None)
    if chisq.min_expected >= min_expected:
        why = f"every expected count >= {min_expected:g} (smallest {chisq.min_expected:.2f}): Pearson chi-squared"
        return RuleBasedTestResult(x, "chisq", chisq.p, why, chisq.min_expected, chisq, None)
    fisher = fisher_exact(x)
    why = f"an expected count < {min_expected:g} (smallest {chisq.min_expected:.2f}): Fisher's exact test"
    if fisher.p is None:
        why += f"; no p-value: {fisher.reason}"
    return RuleBasedTestResult(x, "fisher", fisher.p, why, chisq.min_expected, chisq, fisher)


# ---------------------------------------------------------------------------------------------
def _as_count_table(table: Any, name: str = "table") -> npt.NDArray[np.int64]:
    try:
        arr = np.asarray(table, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"must be a 2-D table of counts ({exc})") from None
    if arr.ndim != 2 or arr.size == 0:
        raise InputError(name, f"must be a non-empty 2-D table of counts, got shape {arr.shape}")
    if not np.isfinite(arr).all() or (arr < 0).any() or (arr != np.round(arr)).any():
        raise InputError(name, "must contain non-negative whole-number counts only")
    out = arr.astype(np.int64)
    out.setflags(write=False)
    return out


def _degenerate_reason(x: npt.NDArray[np.int64]) -> str | None:
    if min(x.shape) < 2:
        return f"table has shape {x.shape}: a test of independence needs at least 2 rows and 2 columns"
    if x.sum() == 0:
        return "table has no observations"
    zero_rows = np.flatnonzero(x.sum(axis=1) == 0)
    zero_cols = np.flatnonzero(x.sum(axis=0) == 0)
    if zero_rows.size or zero_cols.size:
        parts = [f"row(s) {zero_rows.tolist()}" if zero_rows.size else "",
                 f"column(s) {zero_cols.tolist()}" if zero_cols.size else ""]
        return "all-zero " + " and ".join(p for p in parts if p) + ": no variation to test"
    return None


def _simulated_p(x: npt.NDArray[np.int64], n_simulations: int, rng: np.random.Generator | None) -> float:
    if rng is None:
        raise InputError("rng", "a numpy Generator is required for a simulated p-value (reproducibility)")
    if int(n_simulations) != n_simulations or n_simulations < 1:
        raise InputError("n_simulations", f"must be a positive whole number, got {n_simulations!r}")
    from scipy.stats import random_table  # here only: scipy.stats costs ~0.7 s to import

    tables = random_table(x.sum(axis=1), x.sum(axis=0)).rvs(
        int(n_simulations), method="patefield", random_state=rng)
    simulated = -gammaln(tables + 1.0).sum(axis=(1, 2))
    observed = -float(gammaln(x + 1.0).sum())
    almost_one = 1.0 + 64.0 * np.finfo(float).eps  # R: almost.1 <- 1 + 64 * .Machine$double.eps
    return float((1 + np.sum(simulated <= observed / almost_one)) / (n_simulations + 1))


def _conditional_odds_ratio(x: npt.NDArray[np.int64], conf_level: float) -> tuple[float, float, float]:
    """Conditional MLE of the odds ratio and its exact CI for a 2 × 2 table [3] (as R)."""
    m, n_, k = int(x[:, 0].sum()), int(x[:, 1].sum()), int(x[0, :].sum())
    a = int(x[0, 0])
    lo, hi = max(0, k - n_), min(k, m)
    support = np.arange(lo, hi + 1)
    log_dc = _hypergeom_logpmf(support, m + n_, m, k)

    def density(psi: float) -> np.ndarray:  # noncentral hypergeometric P(A = s; ψ)
        d = log_dc + np.log(psi) * support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(psi: float) -> float:
        return float(np.sum(support * density(psi)))

    def upper_tail(psi: float) -> float:  # P_ψ(A ≥ a)
        return float(density(psi)[support >= a].sum())

    def lower_tail(psi: float) -> float:  # P_ψ(A ≤ a)
        return float(density(psi)[support <= a].sum())

    alpha = (1.0 - conf_level) / 2.0
    if a == lo:
        estimate, lower = 0.0, 0.0
    else:
        estimate = _solve_in_psi(lambda psi: mean(psi) - a)
        lower = _solve_in_psi(lambda psi: upper_tail(psi) - alpha)
    if a == hi:
        estimate, upper = (np.inf if a != lo else estimate), np.inf
    else:
        upper = _solve_in_psi(lambda psi: lower_tail(psi) - alpha)
    return float(estimate), float(lower), float(upper)


def _solve_in_psi(f: Any) -> float:
    """Root in ψ ∈ (0, ∞) of an increasing (or decreasing) f, solved on the log scale."""
    g = lambda t: f(float(np.exp(t)))  # noqa: E731 — log-scale keeps tiny and huge ψ accurate
    lo_t, hi_t = -1.0, 1.0
    while np.sign(g(lo_t)) == np.sign(g(hi_t)):
        lo_t, hi_t = lo_t * 2.0, hi_t * 2.0
        if hi_t > 1e3:
            raise RuntimeError("odds-ratio root not bracketed")  # cannot happen for a < hi, a > lo
    return float(np.exp(bracketed_root(g, lo_t, hi_t, xtol=1e-14, rtol=1e-14)))


def chi2_sf(statistic: float, df: float) -> float:
    """Upper χ² tail P(X ≥ statistic) on df degrees of freedom (scipy.stats.chi2.sf: 1 below 0)."""
    return float(chdtrc(df, max(statistic, 0.0)))


def _hypergeom_logpmf(k: npt.NDArray[np.int64], total: int, good: int, drawn: int) -> npt.NDArray[np.float64]:
    """log P(K = k), K hypergeometric (``total`` items, ``good`` of them marked, ``drawn`` drawn), for k
    in the support; the Beta-function form of scipy.stats.hypergeom.logpmf, term for term."""
    bad = total - good
    return (betaln(good + 1, 1) + betaln(bad + 1, 1) + betaln(total - drawn + 1, drawn + 1)
            - betaln(k + 1, good - k + 1) - betaln(drawn - k + 1, bad - drawn + k + 1) - betaln(total + 1, 1))


