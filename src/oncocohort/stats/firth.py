"""Firth-penalised Cox regression with profile penalised-likelihood CIs (as R's ``coxphf``).

Model and penalty [1, 2]. With Breslow's handling of ties, distinct event times t with d_t
events, risk sets R(t) = {j : T_j ≥ t}, weights w_j = exp(x_jᵀβ) and p_j = w_j / Σ_{R(t)} w,

    l(β)  = Σ_{events i} x_iᵀβ − Σ_t d_t log Σ_{j∈R(t)} w_j                  (partial likelihood)
    I(β)  = Σ_t d_t V_t,   V_t = Σ_{R(t)} p_j (x_j − x̄_t)(x_j − x̄_t)ᵀ,   x̄_t = Σ_{R(t)} p_j x_j
    l*(β) = l(β) + ½ log |I(β)|                                                 (Firth [1, 2])

The penalty is Jeffreys' invariant prior; it removes the O(1/n) bias of β̂ and keeps β̂ finite under
monotone likelihood (separation), where the ordinary Cox estimate diverges [2]. The penalised
score is U*_r = U_r + ½ tr(I⁻¹ ∂I/∂β_r) [2], and ∂V_t/∂β_r is the third central moment of
x under p, so with A = I⁻¹, q_j = x_jᵀ A x_j and E_t the p-weighted mean over R(t),

    ½ tr(I⁻¹ ∂I/∂β_r) = ½ Σ_t d_t [E_t(x_r q) − x̄_{t,r} E_t(q) − 2 (V_t A x̄_t)_r],

which needs only risk-set cumulative sums of w, w x, w x xᵀ, w q and w q x (O(n p²), no n × n).

Fitting: Newton–Raphson β ← β + I(β)⁻¹ U*(β) from β = 0 (the information of the unpenalised
likelihood as the curvature, as [2] and coxphf), each step capped at ``max_step`` in every
coordinate (in SD units of the covariate) and halved (up to ``max_halving`` times) while l* decreases; converged when the Newton
decrement U*ᵀ I⁻¹ U* ≤ ``tol``² (distance to the optimum below ``tol`` standard errors; unlike a
bound on |U*| this does not depend on the units of the covariates).

Inference (coxphf defaults [3]): Wald SE from I(β̂)⁻¹; for each β_j the profile penalised
likelihood l*_prof(b) = max_{β_{−j}} l*(b, β_{−j}); the CI is {b : 2[l*(β̂) − l*_prof(b)] ≤ χ²_{1,1−α}}
(coxphf uses the Venzon–Moolgavkar iteration [4]; here the same limits are found by Newton's
method on √(deviance) with the profile's slope −2 U*_j, falling back to bracketing and a bracketed root finder) and the p-value is P(χ²₁ ≥ 2[l*(β̂) − l*_prof(0)])
(penalised likelihood-ratio test). The global test is 2[l*(β̂) − l*(0)] on p df.

R: ``coxphf::coxphf(Surv(time, status) ~ x1 + x2, data = d)`` (Breslow ties, pl = TRUE).
Covariates are centred and scaled to unit SD internally (so ``max_step`` is unit-free); results are
mapped back: β = β_std / SD, I⁻¹ = D⁻¹ I_std⁻¹ D⁻¹ (D = diag SD), l* = l*_std + Σ log SD, l unchanged.

References
----------
[1] Firth D. Bias reduction of maximum likelihood estimates. Biometrika 1993;80:27–38.
[2] Heinze G, Schemper M. A solution to the problem of monotone likelihood in Cox regression.
    Biometrics 2001;57:114–119.
[3] Heinze G, Ploner M, Dunkler D, Southworth H, Jiricka L, Steiner G. coxphf: Cox regression with
    Firth's penalized likelihood. R package (CRAN).
[4] Venzon DJ, Moolgavkar SH. A method for computing profile-likelihood-based confidence
    intervals. Appl Stat 1988;37:87–94.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import gammaincinv  # scipy.stats.chi2.ppf's kernel; not scipy.stats (~0.7 s to import)

from oncocohort.errors import ConvergenceWarning, InputError, Note
from oncocohort.stats._validation import as_event_array, as_float_array
from oncocohort.stats._roots import bracketed_root
from oncocohort.stats.contingency import chi2_sf

FloatArray = npt.NDArray[np.float64]
_DEVIANCE_CAP = 1e10


@dataclass(frozen=True, slots=True)
class FirthCoxResult:
    """Fitted Firth-penalised Cox model; arrays are read-only and follow ``terms``.

    Attributes: ``coef`` (log HR), ``se`` (Wald, from I(β̂)⁻¹), ``ci_lower``/``ci_upper`` (profile
    penalised-likelihood CI of the coefficient), ``p`` (penalised LR test of β_j = 0), ``var`` =
    I(β̂)⁻¹, ``loglik_null`` = l*(0), ``loglik_final`` = l*(β̂) (penalised, as coxphf's ``loglik``),
    ``loglik_unpenalised`` = l(β̂), the global penalised LR test, iterations and convergence.
    """

    terms: tuple[str, ...]
    coef: FloatArray
    se: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    p: FloatArray
    var: FloatArray
    conf_level: float
    loglik_null: float
    loglik_final: float
    loglik_unpenalised: float
    lr_statistic: float
    lr_df: int
    lr_p: float
    iterations: int
    converged: bool
    n: int
    n_events: int
    ties: str = "breslow"
    method: str = "Firth penalised Cox (profile penalised-likelihood CI, PLR p)"
    notes: tuple[Note, ...] = ()

    @property
    def params(self) -> pd.DataFrame:
        """One row per term: coef, hr, se, hr_lower, hr_upper, p, method."""
        return pd.DataFrame({
            "coef": self.coef, "hr": np.exp(self.coef), "se": self.se,
            "hr_lower": np.exp(self.ci_lower), "hr_upper": np.exp(self.ci_upper), "p": self.p,
            "method": self.method,
        }, index=pd.Index(self.terms, name="term"))

    def summary(self) -> pd.DataFrame:
        return self.params

    def to_frame(self) -> pd.DataFrame:
        return self.params.reset_index()


class _SingularInformation(ArithmeticError):
    """I(β) is singular, so l*(β) = −∞."""


@dataclass(frozen=True, slots=True)
class _RiskSets:
    """Subjects sorted by descending time; ``at`` = last index of each distinct event time's risk set."""

    x: FloatArray  # (n, p), centred
    x_event_sum: FloatArray  # Σ over events of x_i
    scale: FloatArray  # SD of each covariate; x is stored standardised, x = (x_raw − mean) / scale
    at: npt.NDArray[np.int64]
    d: FloatArray  # events per distinct event time


def firth_cox(data: pd.DataFrame, duration: str, event: str, covariates: Sequence[str], *,
              conf_level: float = 0.95, max_iter: int = 100, max_halving: int = 5,
              max_step: float = 0.5, tol: float = 1e-9) -> FirthCoxResult:
    """Fit the Firth-penalised Cox model l*(β) = l(β) + ½ log|I(β)| (Breslow ties) [1–3].

    Parameters
    ----------
    data : one row per subject; rows missing any used column are dropped (a Note says how many).
    duration, event : column names; time ≥ 0, event 1 = event / 0 = censored.
    covariates : numeric covariate columns (dummy-code categorical variables beforehand).
    conf_level : level of the profile penalised-likelihood CI.
    max_iter, max_halving, max_step, tol : Newton–Raphson controls (see module docstring;
        coxphf uses maxit 50, maxhs 5, maxstep 0.5, epsilon 1e-6, gconv 1e-4; ``tol`` here bounds
        the Newton decrement, i.e. the distance to the optimum in standard errors).
    """
    risk, terms, n, notes = _prepare(data, duration, event, covariates)
    if not 0 < conf_level < 1:
        raise InputError("conf_level", f"must be between 0 and 1, got {conf_level!r}")
    p = len(terms)
    try:
        loglik_null = _penalised(np.zeros(p), risk, need_score=False)[0]
    except _SingularInformation:
        raise InputError("covariates", "the information matrix at beta = 0 is singular "
                         "(collinear covariates?)") from None
    free = np.ones(p, dtype=bool)
    beta, lstar, _, info, iters, converged = _maximise(np.zeros(p), free, risk, max_iter, max_halving, max_step, tol)
    if not converged:
        warnings.warn(f"Firth Cox fit did not converge in {max_iter} iterations", ConvergenceWarning, stacklevel=2)
    var = np.asarray(np.linalg.inv(info), dtype=np.float64)
    se = np.sqrt(np.diag(var))
    loglik_unpen = _penalised(beta, risk, need_score=False)[1]
    crit = float(2.0 * gammaincinv(0.5, conf_level))  # χ²₁ quantile, as scipy.stats.chi2.ppf
    # the profile value is stationary in β_{−j}: an error of ε SE in the maximiser moves l*_prof by
    # O(ε²), so a looser inner tolerance still gives the deviance to ~1e-14
    profile_tol = max(tol, 1e-7)
    ci_lower, ci_upper, pvals = np.empty(p), np.empty(p), np.empty(p)
    for j in range(p):  # loop over covariates (p is small), never over subjects

        def profile(b: float, start: FloatArray, j: int = j) -> _ProfilePoint:
            return _profile(j, b, start, risk, max_iter, max_halving, max_step, profile_tol, lstar)

        # β_{−j} of the profile maximiser moves with b along I⁻¹ e_j / (I⁻¹)_jj (first order at β̂)
        slope = var[:, j] / var[j, j]
        pvals[j] = chi2_sf(profile(0.0, beta - beta[j] * slope).deviance, 1)
        ci_lower[j] = _profile_limit(profile, beta, slope, j, se[j], crit, -1.0)
        ci_upper[j] = _profile_limit(profile, beta, slope, j, se[j], crit, +1.0)
    lr = 2.0 * (lstar - loglik_null)
    # back to the covariates' own units: β = β_std / SD, I⁻¹ = D⁻¹ I_std⁻¹ D⁻¹, l* = l*_std + Σ log SD
    sd, log_sd = risk.scale, float(np.log(risk.scale).sum())
    coef, se_raw, lower, upper = beta / sd, se / sd, ci_lower / sd, ci_upper / sd
    var_raw = var / np.outer(sd, sd)
    for arr in (coef, se_raw, lower, upper, pvals, var_raw):
        arr.setflags(write=False)
    return FirthCoxResult(terms, coef, se_raw, lower, upper, pvals, var_raw, conf_level, float(loglik_null + log_sd), float(lstar + log_sd),
                          float(loglik_unpen), float(lr), p, chi2_sf(lr, p),
                          iters, converged, n, int(risk.d.sum()), notes=notes)


def penalised_loglik(beta: Sequence[float], data: pd.DataFrame, duration: str, event: str,
                     covariates: Sequence[str]) -> tuple[float, float]:
    """(l*(β), l(β)) at a given β — for checking fits and drawing profiles ((−inf, nan) where
    I(β) is numerically singular)."""
    risk, terms, _, _ = _prepare(data, duration, event, covariates)
    b = np.asarray(beta, dtype=np.float64)
    if b.shape != (len(terms),):
        raise InputError("beta", f"must have one value per covariate ({len(terms)}), got shape {b.shape}")
    try:
        lstar, loglik, _, _ = _penalised(b * risk.scale, risk, need_score=False)
    except _SingularInformation:  # I(β) numerically singular: l* = −∞ (l itself is not reported)
        return -np.inf, np.nan
    return float(lstar + np.log(risk.scale).sum()), float(loglik)


# ---------------------------------------------------------------------------------------------
def _prepare(data: pd.DataFrame, duration: str, event: str, covariates: Sequence[str]
             ) -> tuple[_RiskSets, tuple[str, ...], int, tuple[Note, ...]]:
    if not isinstance(data, pd.DataFrame):
        raise InputError("data", "must be a pandas DataFrame")
    terms = tuple(covariates)
    if not terms:
        raise InputError("covariates", "must name at least one column")
    if len(set(terms)) != len(terms):
        raise InputError("covariates", f"contains duplicates: {list(terms)}")
    for name, cols in (("duration", [duration]), ("event", [event]), ("covariates", list(terms))):
        missing_cols = [c for c in cols if c not in data.columns]
        if missing_cols:
            raise InputError(name, f"column(s) {missing_cols} not in data")
    used = data[[duration, event, *terms]]
    try:
        used = used.apply(pd.to_numeric, errors="raise")
    except (TypeError, ValueError) as exc:
        raise InputError("covariates", f"all used columns must be numeric ({exc})") from None
    complete = used.notna().all(axis=1).to_numpy()
    notes: tuple[Note, ...] = ()
    if not complete.all():
        notes = (Note("rows with a missing time, event or covariate were dropped (complete cases, as R)",
                      int((~complete).sum())),)
    used = used.loc[complete]
    time = as_float_array(used[duration].to_numpy(), "duration")
    status = as_event_array(used[event].to_numpy(), "event")
    x = np.column_stack([as_float_array(used[c].to_numpy(), "covariates", allow_negative=True) for c in terms])
    if status.sum() == 0:
        raise InputError("event", "no events among the complete cases: the model cannot be fitted")
    constant = [t for t, col in zip(terms, x.T) if np.ptp(col) == 0]
    if constant:
        raise InputError("covariates", f"constant column(s) {constant}: coefficient not identifiable")
    order = np.argsort(-time, kind="stable")
    # centre and scale: β, l and the deviances are unchanged in meaning (β_std = β·SD, l*_std =
    # l* − Σ log SD), and max_step then limits steps in SD units whatever the covariate's units
    scale = x.std(axis=0)
    time, status, x = time[order], status[order], (x[order] - x.mean(axis=0)) / scale
    event_times, d = np.unique(time[status == 1], return_counts=True)
    # last position (descending order) with time >= t: the whole risk set R(t), ties included
    at = np.searchsorted(-time, -event_times, side="right") - 1
    risk = _RiskSets(x=x, x_event_sum=x[status == 1].sum(axis=0), scale=scale, at=at, d=d.astype(np.float64))
    return risk, terms, int(len(time)), notes


def _penalised(beta: FloatArray, risk: _RiskSets, *, need_score: bool = True
               ) -> tuple[float, float, FloatArray | None, FloatArray]:
    """(l*, l, U* or None, I) at β, by risk-set cumulative sums (see module docstring)."""
    x, at, d = risk.x, risk.at, risk.d
    eta = x @ beta
    shift = eta.max()  # exp(η − shift) cannot overflow; the shift cancels in p_j, returns in log S0
    w = np.exp(eta - shift)
    s0 = np.cumsum(w)[at]
    s1 = np.cumsum(w[:, None] * x, axis=0)[at]
    s2 = np.cumsum(w[:, None, None] * x[:, :, None] * x[:, None, :], axis=0)[at]
    xbar = s1 / s0[:, None]
    v = s2 / s0[:, None, None] - xbar[:, :, None] * xbar[:, None, :]
    info = np.einsum("t,tab->ab", d, v)
    loglik = float(risk.x_event_sum @ beta - np.sum(d * (np.log(s0) + shift)))
    sign, logdet = np.linalg.slogdet(info)
    if sign <= 0 or not np.isfinite(logdet):  # log|I| = −∞: l* = −∞ (collinear, or β far out)
        raise _SingularInformation
    lstar = loglik + 0.5 * logdet
    if not need_score:
        return lstar, loglik, None, info
    score = risk.x_event_sum - d @ xbar
    a = np.linalg.inv(info)
    q = np.einsum("ij,jk,ik->i", x, a, x)
    e_q = np.cumsum(w * q)[at] / s0
    e_xq = np.cumsum((w * q)[:, None] * x, axis=0)[at] / s0[:, None]
    third = e_xq - xbar * e_q[:, None] - 2.0 * np.einsum("tab,tb->ta", v, xbar @ a)
    return lstar, loglik, score + 0.5 * (d @ third), info


def _maximise(beta0: FloatArray, free: npt.NDArray[np.bool_], risk: _RiskSets, max_iter: int,
              max_halving: int, max_step: float, tol: float
              ) -> tuple[FloatArray, float, FloatArray, FloatArray, int, bool]:
    """Newton–Raphson on the free coordinates of β (others held fixed), with step-halving:
    (β, l*, U*, I, iterations, converged)."""
    beta = beta0.copy()
    lstar, _, first_score, info = _penalised(beta, risk)
    score: FloatArray = first_score if first_score is not None else np.zeros_like(beta)

    def attempt(b: FloatArray) -> tuple[float, float, FloatArray | None, FloatArray | None]:
        try:
            return _penalised(b, risk)
        except _SingularInformation:  # l* = −∞ there: the step is halved like any worse step
            return -np.inf, np.nan, None, None

    for it in range(max_iter + 1):
        newton = np.zeros_like(beta)
        newton[free] = np.linalg.solve(info[np.ix_(free, free)], score[free])
        # Newton decrement U*ᵀ I⁻¹ U* (squared distance to the optimum in SE units): scale-free,
        # so a covariate in ng/ml converges like one in units of 1e4 ng/ml
        if float(newton[free] @ score[free]) <= tol * tol:
            return beta, lstar, score, info, it, True
        if it == max_iter:
            break
        step = newton
        biggest = np.abs(step).max()
        if biggest > max_step:  # coxphf's maxstep: cap the largest coordinate change
            step = step * (max_step / biggest)
        new = beta + step
        new_lstar, _, new_score, new_info = attempt(new)
        halvings = 0
        while new_lstar < lstar and halvings < max_halving:  # step-halving keeps l* increasing
            step = step / 2.0
            new = beta + step
            new_lstar, _, new_score, new_info = attempt(new)
            halvings += 1
        if new_score is None or new_info is None:
            return beta, lstar, score, info, it, False
        beta, lstar, score, info = new, new_lstar, new_score, new_info
    return beta, lstar, score, info, max_iter, False


@dataclass(frozen=True, slots=True)
class _ProfilePoint:
    """The profile at β_j = b: deviance 2[l*(β̂) − l*_prof(b)] (capped), its maximiser and slope."""

    b: float
    deviance: float
    solution: FloatArray
    slope: float  # d deviance / db = −2 U*_j at the maximiser (envelope theorem); NaN if unknown
    path: FloatArray | None  # d maximiser / db = (1, −I_{−j,−j}⁻¹ I_{−j,j}) there (for warm starts)


def _profile(j: int, b: float, start: FloatArray, risk: _RiskSets, max_iter: int,
             max_halving: int, max_step: float, tol: float, lstar_hat: float) -> _ProfilePoint:
    """The profile point at b: max over β_{−j} of l*(β) with β_j = b, started from ``start``."""
    start = start.copy()
    start[j] = b
    free = np.ones(len(start), dtype=bool)
    free[j] = False
    try:
        if not free.any():  # one covariate: nothing to maximise over
            lstar, _, score, info = _penalised(start, risk)
            solution, converged = start, True
        else:
            solution, lstar, score, info, _, converged = _maximise(start, free, risk, max_iter, max_halving,
                                                                   max_step, tol)
    except _SingularInformation:
        return _ProfilePoint(b, _DEVIANCE_CAP, start, np.nan, None)
    if not converged:
        warnings.warn(f"profile likelihood for covariate {j} at {b:.4g} did not converge",
                      ConvergenceWarning, stacklevel=3)
    # capped: where I(β) is numerically singular l* = −∞; the root finders need finite values
    deviance = min(2.0 * (lstar_hat - lstar), _DEVIANCE_CAP)
    path = np.zeros(len(start))
    path[j] = 1.0
    path[free] = -np.linalg.solve(info[np.ix_(free, free)], info[free, j])
    return _ProfilePoint(b, deviance, solution, -2.0 * float(score[j]) if score is not None else np.nan, path)


_NEWTON_STEPS = 8
"""Newton steps for a profile limit before falling back to bracketing and a bracketed root finder."""
_LIMIT_STEP_TOL = 1e-7
"""A limit is accepted after a Newton step below this (standardised units): the next would be ~1e-14."""


def _profile_limit(profile, beta: FloatArray, slope: FloatArray, j: int, se: float, crit: float,
                   direction: float) -> float:
    """Solve deviance(b) = crit on one side of β̂_j.

    Newton's method on the signed root r(b) = √deviance(b), nearly linear in b (r ≈ |b − β̂_j| / SE),
    with r′ = deviance′ / (2r) from the profile's own slope −2 U*_j (the envelope theorem: no extra
    fit), started at the Wald limit; each fit is warm-started from the last maximiser moved along its
    path dβ/db. The root is that of the bracketed root finder on the same deviance (to < 1e-9), in 3–5 fits
    instead of 8–12. Any step that leaves the bracket known so far, a non-finite or flat deviance, or
    no convergence in ``_NEWTON_STEPS`` falls back to bracketing by doubling, then the bracketed root finder (:mod:`._roots`).
    """
    centre, target = float(beta[j]), float(np.sqrt(crit))
    inner, outer = centre, np.inf * direction  # deviance below / at or above crit
    b = centre + direction * target * se
    point = profile(b, beta + (b - centre) * slope)
    for _ in range(_NEWTON_STEPS):
        root = np.sqrt(max(point.deviance, 0.0))
        if not (np.isfinite(point.deviance) and point.deviance < _DEVIANCE_CAP and root > 0):
            break
        if root < target:
            inner = point.b
        else:
            outer = point.b
        d_root = point.slope / (2.0 * root)
        if not direction * d_root > 0 or point.path is None:
            break
        step = (target - root) / d_root
        new = point.b + step
        if not (min(inner, outer) < new < max(inner, outer)):
            break
        if abs(step) <= _LIMIT_STEP_TOL:
            return float(new)
        point = profile(new, point.solution + step * point.path)
    return _bracket_and_brent(lambda b: profile(b, beta + (b - centre) * slope).deviance, centre, se, crit,
                              direction)


def _bracket_and_brent(deviance, centre: float, se: float, crit: float, direction: float) -> float:
    """Solve deviance(b) = crit on one side of β̂_j: bracket by doubling, then a bracketed root
    finder (:mod:`._roots`)."""
    width = max(se, 0.1)
    inner = centre
    for _ in range(60):
        outer = centre + direction * width
        if deviance(outer) >= crit:
            lo, hi = sorted((inner, outer))
            return float(bracketed_root(lambda b: deviance(b) - crit, lo, hi, xtol=1e-9, rtol=1e-10))
        inner, width = outer, width * 2.0
    return float(direction * np.inf)  # profile never reaches the critical value (flat penalised likelihood)
