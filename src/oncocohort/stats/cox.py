"""Cox proportional hazards regression: ``cox_ph`` and its result, matching R's ``coxph``.

Model [1]: the hazard of patient i in stratum s is λ_s(t) exp(x_iᵀβ), with an unspecified
baseline hazard λ_s per stratum. β maximises the partial likelihood with Efron's (default) or
Breslow's handling of tied event times; see :mod:`oncocohort.stats._cox_fit` for the formulas
and the Newton–Raphson iteration (R's ``coxfit6``), :mod:`._cox_robust` for the robust variance,
:mod:`.concordance` for Harrell's C and :mod:`.cox_zph` for the proportional-hazards test.

Conventions (all as R's ``coxph`` + ``summary.coxph`` [2]):

* rows with a missing value in any used column are left out (``n_dropped``);
* the variance is the inverse information; ``robust=True`` (or a ``cluster``) gives the sandwich
  variance, which then drives ``se``-based quantities (z, p, CI, Wald test) as in R, and the
  model-based one is kept in ``naive_var``. ``robust=None`` follows R: robust when a cluster is
  given or some weight is not a whole number;
* ``z = coef/se``, ``p = P(χ²₁ > z²)``, ``hr_lower/upper = exp(coef ∓ 1.959964·se)``;
* the likelihood-ratio test is 2(log L(β̂) − log L(0)), the score test is U(0)ᵀ I(0)⁻¹ U(0) (with a
  binary covariate and no ties this is the log-rank test), the Wald test β̂ᵀ V⁻¹ β̂; each df is the
  number of estimable coefficients;
* a coefficient whose column is linearly dependent on earlier ones is not estimable (NaN, as R's
  NA), and a coefficient still moving when the log-likelihood has converged (monotone likelihood,
  separation) is reported as ±inf with HR inf or 0, no SE, and a :class:`ConvergenceWarning`
  ("coefficient may be infinite", R's rule |U V|_k > √eps·|β_k| [2]).

R: ``coxph(Surv(duration, event) ~ covariates + strata(s) + cluster(c), data, ties = "efron",
weights = w, robust = ...)``.

References
----------
[1] Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187–220.
[2] Therneau T. survival package (3.5): ``R/coxph.R``, ``R/coxph.fit.R``, ``R/summary.coxph.R``.
[3] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model. Springer 2000.
"""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import chdtrc, ndtri  # not scipy.stats: a fraction of its import time

from oncocohort.errors import ConvergenceWarning, InputError, Note, StatisticalWarning
from oncocohort.stats import _cox_fit as kf
from oncocohort.stats import _cox_linalg as la
from oncocohort.stats import _cox_robust as kr
from oncocohort.stats._cox_design import build_design
from oncocohort.stats.concordance import ConcordanceResult, concordance_grouped

if TYPE_CHECKING:
    from oncocohort.stats.cox_zph import CoxZphResult

Ties = Literal["efron", "breslow"]
FloatArray = npt.NDArray[np.float64]
Z_975 = float(ndtri(0.975))


@dataclass(frozen=True, slots=True)
class CoxTest:
    """A chi-square test of β = 0: statistic, degrees of freedom and upper-tail p-value."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True, slots=True)
class CoxState:
    """What the PH test and the baseline hazard need from the fit (sorted rows, final β)."""

    risk_sets: kf.RiskSets
    ties: str
    beta: FloatArray  # 0 where not estimable
    estimable: npt.NDArray[np.bool_]
    covariate_columns: Mapping[str, tuple[int, ...]]
    means: FloatArray
    stratum_labels: tuple[str, ...]
    terms: tuple[str, ...]

    @property
    def steps(self) -> kf.Steps:
        """The Efron/Breslow steps of the fit (recomputed on demand, O(number of events))."""
        return kf.efron_steps(self.risk_sets, self.ties)

    @property
    def x_centred(self) -> FloatArray:
        """Sorted covariate rows minus ``means`` (built on demand: O(n·p) memory)."""
        return self.risk_sets.x - self.means


@dataclass(frozen=True, slots=True)
class CoxResult:
    """Fitted Cox model; see :func:`cox_ph`.

    Attributes
    ----------
    params : one row per term (``covariate`` or ``covariate[level]``): coef, hr, se, robust_se (robust
        fits only), z, p, hr_lower, hr_upper (95 %). NaN for a term that is not estimable; ±inf coef
        (hr inf or 0, no SE) for a term flagged as possibly infinite.
    loglik_null, loglik : partial log-likelihood at β = 0 and at β̂ (R's ``fit$loglik``).
    tests : ``likelihood_ratio``, ``wald``, ``score`` and, for robust fits, ``robust_score``.
    concordance : Harrell's C and its SE, as ``summary(fit)$concordance``.
    n, n_events, n_dropped : rows used, events among them, rows left out for a missing value.
    iterations, converged : Newton–Raphson iterations (R's ``fit$iter``) and convergence.
    warnings : messages (also issued as ConvergenceWarning / StatisticalWarning).
    notes : data decisions (rows dropped, unused levels dropped).
    means : centring values as R's ``fit$means`` (0 for columns with values in {−1, 0, 1}).
    var, naive_var : variance matrix used (robust if robust) and, for robust fits, the model-based one.
    ties, robust : the tie method and whether the robust variance is used.
    infinite_terms : terms flagged as possibly infinite; references : reference level per
        categorical covariate; state : internal fit state for ``ph_test`` and ``baseline_hazard``.
    """

    params: pd.DataFrame
    loglik_null: float
    loglik: float
    tests: Mapping[str, CoxTest]
    concordance: ConcordanceResult
    n: int
    n_events: int
    n_dropped: int
    iterations: int
    converged: bool
    warnings: tuple[str, ...]
    notes: tuple[Note, ...]
    means: pd.Series
    var: pd.DataFrame
    naive_var: pd.DataFrame | None
    ties: str
    robust: bool
    infinite_terms: tuple[str, ...]
    references: Mapping[str, Any]
    state: CoxState = field(repr=False)

    def ph_test(self, transform: Literal["km", "identity", "rank"] = "km",
                terms: Mapping[str, Sequence[str]] | None = None) -> CoxZphResult:
        """Score test of proportional hazards per covariate and GLOBAL, as R's ``cox.zph``;
        ``terms`` groups model terms to test jointly (default: each covariate's columns)."""
        from oncocohort.stats.cox_zph import cox_zph
        return cox_zph(self, transform=transform, terms=terms)

    def baseline_hazard(self) -> pd.DataFrame:
        """Cumulative baseline hazard at x = 0, as R's ``basehaz(fit, centered = FALSE)``."""
        from oncocohort.stats.cox_zph import baseline_hazard
        return baseline_hazard(self.state)

    def to_frame(self) -> pd.DataFrame:
        return self.params.copy()

    def summary(self) -> pd.DataFrame:
        """The coefficient table with R's ``summary.coxph`` column names."""
        names = {"coef": "coef", "hr": "exp(coef)", "se": "se(coef)", "robust_se": "robust se",
                 "z": "z", "p": "Pr(>|z|)", "hr_lower": "lower .95", "hr_upper": "upper .95"}
        return self.params.rename(columns=names)

    def tests_frame(self) -> pd.DataFrame:
        return pd.DataFrame({k: {"statistic": v.statistic, "df": v.df, "p": v.p_value}
                             for k, v in self.tests.items()}).T


def cox_ph(data: pd.DataFrame, duration: str, event: str, covariates: str | Sequence[str], *,
           ties: Ties = "efron", strata: str | Sequence[str] | None = None,
           weights: str | None = None, cluster: str | None = None, robust: bool | None = None,
           reference: Mapping[str, Any] | None = None) -> CoxResult:
    """Fit a Cox proportional hazards model (module docstring for formulas and conventions).

    Parameters
    ----------
    data : one row per patient.
    duration, event : column names; event is 1 (or True) for an event, 0 for censored.
    covariates : column name(s); categorical columns get treatment coding ``covariate[level]``.
    ties : ``"efron"`` (R's default) or ``"breslow"``.
    strata : column name(s) defining strata with separate baseline hazards.
    weights : column of positive case weights.
    cluster : column of cluster ids for the robust (Lin–Wei) variance.
    robust : sandwich variance; None = R's default (cluster given or non-integer weights).
    reference : {categorical covariate: reference level}; default the first level.

    Returns
    -------
    CoxResult — coefficients, tests, concordance, ``ph_test()`` and ``baseline_hazard()``.

    Raises
    ------
    InputError — naming the argument: unknown column, no covariate, bad ``ties`` or ``robust``, a
    cluster with ``robust=False``, negative or non-finite durations, events not 0/1, non-positive
    weights, a non-finite covariate, an unknown reference level, a categorical covariate with a
    single level, or no complete row.

    Warns
    -----
    ConvergenceWarning for non-convergence or a possibly infinite coefficient; StatisticalWarning
    for a non-estimable (collinear or constant) covariate or a fit without events. Every warning is
    also recorded in ``warnings``.
    """
    if ties not in ("efron", "breslow"):
        raise InputError("ties", f"must be 'efron' or 'breslow', got {ties!r}")
    if robust is not None and not isinstance(robust, (bool, np.bool_)):
        raise InputError("robust", f"must be True, False or None, got {robust!r}")
    design = build_design(data, duration, event, covariates, strata=strata, weights=weights,
                          cluster=cluster, reference=reference)
    n = design.time.shape[0]
    w = np.ones(n) if design.weights is None else design.weights
    if robust is None:  # R: robust when clustered or when weights are not whole numbers
        robust = design.cluster is not None or bool(np.any(w != np.floor(w)))
    if design.cluster is not None and not robust:
        raise InputError("robust", "is False but a cluster is given; a cluster only changes the robust variance")
    rs = kf.build_risk_sets(design.time, design.event, design.x, w, design.stratum)
    messages: list[str] = []
    fit = kf.newton_raphson(rs, ties)
    n_events = int(design.event.sum())
    terms = design.terms
    estimable = ~fit.redundant
    if n_events == 0:
        messages.append("no events: the coefficients cannot be estimated")
    elif fit.redundant.any():
        bad = ", ".join(repr(t) for t, r in zip(terms, fit.redundant) if r)
        messages.append(f"X matrix deemed to be singular; coefficient not estimable for {bad}")
    beta = np.where(estimable, fit.beta, 0.0)
    infinite = (_infinite_coefficients(fit, beta, estimable, terms, messages) if n_events
                else np.zeros_like(estimable))
    naive = fit.variance
    var = naive
    tests: dict[str, CoxTest] = {}
    if robust and n_events:
        steps = kf.efron_steps(rs, ties)
        cluster_sorted = None if design.cluster is None else design.cluster[rs.order]
        x_centred = rs.x - fit.means
        var = kr.robust_variance(rs, steps, x_centred, beta, naive, cluster_sorted)
        stat, df = kr.robust_score_test(rs, steps, x_centred[:, estimable], cluster_sorted)
        tests["robust_score"] = _chisq(stat, df)
    df_fit = int(estimable.sum())
    tests = {"likelihood_ratio": _chisq(2.0 * (fit.loglik - fit.loglik_init), df_fit),
             "wald": _wald(beta, var, estimable, infinite, messages),
             "score": _chisq(fit.score_test, df_fit), **tests}
    se_model = np.sqrt(np.diag(naive))
    se_used = np.sqrt(np.diag(var))
    params = _params(terms, beta, se_model, se_used if robust else None, estimable, infinite)
    # Harrell's C of the linear predictor; rows in the caller's order, identified by their group
    conc = concordance_grouped(_linear_predictor(design.x, beta), design.event, design.weights, rs.row_group,
                              rs.group_first, rs.group_after, design.cluster)
    for msg in messages:
        category = ConvergenceWarning if "infinite" in msg or "converge" in msg else StatisticalWarning
        _warnings.warn(msg, category, stacklevel=2)
    frame = lambda m: pd.DataFrame(m, index=list(terms), columns=list(terms))  # noqa: E731
    for arr in (beta, estimable):
        arr.setflags(write=False)  # the state's arrays are read-only, as the result is frozen
    state = CoxState(rs, ties, beta, estimable, design.covariate_columns,
                     fit.means, design.stratum_labels, terms)
    return CoxResult(
        params=params, loglik_null=fit.loglik_init, loglik=fit.loglik,
        tests=MappingProxyType(tests), concordance=conc, n=n, n_events=n_events,
        n_dropped=design.n_dropped, iterations=fit.iterations if n_events else 0,
        converged=fit.converged, warnings=tuple(messages), notes=design.notes,
        means=pd.Series(fit.means, index=list(terms)), var=frame(var),
        naive_var=frame(naive) if robust else None, ties=ties, robust=bool(robust),
        infinite_terms=tuple(t for t, f in zip(terms, infinite) if f),
        references=MappingProxyType(dict(design.references)), state=state)


def _linear_predictor(x: FloatArray, beta: FloatArray) -> FloatArray:
    """x β; large row-major designs use a single-threaded compiled loop (BLAS gemv would start
    its worker threads, whose spinning inflates CPU time without saving any)."""
    if x.shape[0] < kf.COMPILED_MIN_ROWS or not x.flags.c_contiguous:
        return x @ beta  # small data: no numba import
    from oncocohort.stats import _cox_kernels as kern
    out = np.empty(x.shape[0])  # allocated by NumPy (huge pages), see _cox_design._numeric_block
    kern.linear_predictor(x, np.ascontiguousarray(beta, dtype=np.float64), out)
    return out


def _infinite_coefficients(fit: kf.NewtonResult, beta: FloatArray,
                           estimable: npt.NDArray[np.bool_], terms: tuple[str, ...],
                           messages: list[str]) -> npt.NDArray[np.bool_]:
    """R's rule (coxph.fit): the next Newton step |U V| still exceeds √eps·|β| at convergence."""
    with np.errstate(invalid="ignore", over="ignore"):
        step = np.abs(fit.score @ fit.variance)
    if not fit.converged:
        # R warns "may be infinite" here only when max(lp) > 500; the step rule below is applied
        # as well, so a coefficient still running away is never reported as a plain number.
        messages.append(f"Ran out of iterations ({kf.ITER_MAX}) and did not converge")
    flagged = estimable & (~np.isfinite(fit.score) | ((step > kf.EPS) & (step > kf.TOLER_INF * np.abs(beta))))
    if flagged.any():
        names = ", ".join(repr(terms[i]) for i in np.flatnonzero(flagged))
        when = "Loglik converged" if fit.converged else "Iterations ran out"
        messages.append(f"{when} before the coefficient of {names} settled; coefficient may be "
                        "infinite (monotone likelihood: e.g. a group without events, or separation); "
                        "its HR is reported as inf or 0 without SE")
    return flagged


def _chisq(stat: float, df: int) -> CoxTest:
    p = float(chdtrc(df, stat)) if df > 0 and np.isfinite(stat) else float("nan")
    return CoxTest(float(stat), int(df), p)


def _wald(beta: FloatArray, var: FloatArray, estimable: npt.NDArray[np.bool_],
          infinite: npt.NDArray[np.bool_], messages: list[str]) -> CoxTest:
    if infinite.any():
        messages.append("Wald test not reported: it is meaningless when a coefficient may be infinite")
        return CoxTest(float("nan"), int(estimable.sum()), float("nan"))
    if not estimable.any():
        return CoxTest(float("nan"), 0, float("nan"))
    stat, df = la.quadratic_form_test(var[np.ix_(estimable, estimable)], beta[estimable])
    return _chisq(stat, df)


def _params(terms: tuple[str, ...], beta: FloatArray, se: FloatArray, robust_se: FloatArray | None,
            estimable: npt.NDArray[np.bool_], infinite: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """coef, hr, se, [robust_se], z, p, hr_lower, hr_upper (robust SE drives z, p, CI, as R)."""
    coef = np.where(estimable, beta, np.nan)
    coef = np.where(infinite, np.copysign(np.inf, beta), coef)
    bad = ~estimable | infinite
    se = np.where(bad, np.nan, se)
    used = se if robust_se is None else np.where(bad, np.nan, robust_se)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = coef / used
        out = {"coef": coef, "hr": np.exp(coef), "se": se}
        if robust_se is not None:
            out["robust_se"] = used
        out.update({"z": z, "p": chdtrc(1, z * z),
                    "hr_lower": np.exp(coef - Z_975 * used), "hr_upper": np.exp(coef + Z_975 * used)})
    frame = pd.DataFrame(out, index=pd.Index(list(terms), name="term"))
    return frame
