"""Newton–Raphson kernel of the Cox proportional hazards model (Breslow and Efron ties).

Model and notation [1, 2]. Rows are labelled by their distinct (stratum, time) group
(:mod:`._cox_risksets`). Within a stratum, the distinct times are t_1 < t_2 < …; at t_g, R(t_g) is the risk set {j : t_j ≥ t_g}, d_g the number of
event rows, and with case weights w_j and risk r_j = exp(η_j), η_j = x_jᵀβ,

    S0_g = Σ_{R(t_g)} w_j r_j,   S1_g = Σ_{R(t_g)} w_j r_j x_j,   S2_g = Σ_{R(t_g)} w_j r_j x_j x_jᵀ,

and E_g, F_g, G_g are the same sums over the d_g event rows at t_g only.

*Efron* [3] splits the d_g tied events into d_g steps k = 0 … d_g − 1 in which the tied events
are (1 − k/d_g) present: D_gk = S0_g − (k/d_g)E_g, M_gk = S1_g − (k/d_g)F_g, x̄_gk = M_gk/D_gk,
each step carrying the mean event weight w̄_g = (Σ_events w)/d_g. Then

    log L  = Σ_events w_i η_i − Σ_g Σ_k w̄_g log D_gk
    U      = Σ_events w_i x_i − Σ_g Σ_k w̄_g x̄_gk
    I      = Σ_g Σ_k w̄_g [(S2_g − (k/d_g)G_g)/D_gk − x̄_gk x̄_gkᵀ].

*Breslow* is the single step k = 0 with weight Σ_events w (also what Efron reduces to when
d_g = 1, as in R's ``coxfit6``).

The S2 sums are never formed per time (that would be n·p² memory). Exchanging the order of
summation, Σ_g c_g S2_g = Σ_j w_j r_j C_j x_j x_jᵀ with C_j = Σ_{t_g ≤ t_j} c_g (a cumulative sum
within the stratum), and the G_g correction touches only event rows, so the S2 part of I is one
weighted cross-product Xᵀ diag(a) X with a_j = w_j r_j (C_j − δ_j e_{g(j)}),
c_g = Σ_k w̄_g/D_gk, e_g = Σ_k w̄_g (k/d_g)/D_gk. Memory is O(n·p), time O(n·p²) per iteration.

Iteration follows R's ``coxfit6`` [1]: covariates are centred and scaled (columns whose values
are all in {−1, 0, 1} are left alone), β starts at 0, the Newton step is solved with the tolerant
Cholesky of :mod:`._cox_linalg`, convergence is |1 − L_best/L_new| ≤ eps (eps = 1e-9), and a step
that lowers the log-likelihood (or gives a non-finite one) is halved towards the last good β
with increasing aggressiveness (β_new = (β_new + h·β)/(h + 1), h = 1, 2, …). Time-weighted
information blocks used by the proportional-hazards test (R's ``zph1`` [4]) share this code.

References
----------
[1] Therneau T. survival package, ``src/coxfit6.c`` and ``R/coxph.fit.R``; methods vignette.
[2] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model. Springer 2000, §3.
[3] Efron B. The efficiency of Cox's likelihood function for censored data. JASA 1977;72:557–565.
[4] Therneau T. survival package, ``src/zph1.c`` (score test for time-varying coefficients).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from oncocohort.stats import _cox_linalg as la
from oncocohort.stats._cox_risksets import (  # noqa: F401  (re-exported for the other Cox modules)
    COUNTING_MAX_SPAN,
    RiskSets,
    Steps,
    build_risk_sets,
    cumsum_in_stratum,
    efron_steps,
    reverse_cumsum_in_stratum,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EPS = 1e-9  # coxph.control(eps)
ITER_MAX = 20  # coxph.control(iter.max)
TOLER_INF = EPS ** 0.5  # coxph.control(toler.inf = sqrt(eps))


@dataclass(frozen=True, slots=True)
class StepSums:
    """Per-step denominators D_gk and means x̄_gk at a given β, with the risk scores."""

    risk: FloatArray  # (n,) w_j r_j, sorted rows
    denom: FloatArray  # (steps,) D_gk
    xbar: FloatArray  # (steps, p) x̄_gk
    eta: FloatArray  # (n,) η_j


def step_sums(rs: RiskSets, steps: Steps, x: FloatArray, beta: FloatArray) -> StepSums:
    """D_gk and x̄_gk for every step (see the module formulas)."""
    eta = x @ beta
    with np.errstate(over="ignore", invalid="ignore"):
        wr = rs.weights * np.exp(eta)
        wrx = wr[:, None] * x
    s0 = reverse_cumsum_in_stratum(np.add.reduceat(wr, rs.group_start), rs)
    s1 = reverse_cumsum_in_stratum(np.add.reduceat(wrx, rs.group_start, axis=0), rs)
    if rs.event_rows.size == 0:
        return StepSums(wr, np.zeros(0), np.zeros((0, x.shape[1])), eta)
    e = np.add.reduceat(wr[rs.event_rows], rs.event_start)
    f = np.add.reduceat(wrx[rs.event_rows], rs.event_start, axis=0)
    g = rs.event_group[steps.event_index]
    denom = s0[g] - steps.frac * e[steps.event_index]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        xbar = (s1[g] - steps.frac[:, None] * f[steps.event_index]) / denom[:, None]
    return StepSums(wr, denom, xbar, eta)


def information_weights(rs: RiskSets, steps: Steps, sums: StepSums,
                        step_weight: FloatArray) -> FloatArray:
    """Row weights a_j such that Σ_steps v_s (S2 − frac·G)/D = Xᵀ diag(a) X (module docstring)."""
    k_count = rs.n_dead.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.bincount(steps.event_index, step_weight / sums.denom, minlength=k_count)
        e = np.bincount(steps.event_index, step_weight * steps.frac / sums.denom, minlength=k_count)
    n_groups = rs.group_start.shape[0]
    c_all = np.zeros(n_groups)
    c_all[rs.event_group] = c
    cum_c = cumsum_in_stratum(c_all, rs)
    e_all = np.zeros(n_groups)
    e_all[rs.event_group] = e
    return sums.risk * (cum_c[rs.group] - rs.event * e_all[rs.group])


@dataclass(frozen=True, slots=True)
class Derivatives:
    loglik: float
    score: FloatArray  # U
    information: FloatArray  # I


def derivatives(rs: RiskSets, steps: Steps, x: FloatArray, beta: FloatArray) -> Derivatives:
    """log L, U and I at β (Efron or Breslow, per ``steps``); x is the centred, scaled matrix."""
    sums = step_sums(rs, steps, x, beta)
    ev = rs.event_rows
    w_ev = rs.weights[ev]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        loglik = float(w_ev @ sums.eta[ev] - steps.wbar @ np.log(sums.denom))
        score = w_ev @ x[ev] - steps.wbar @ sums.xbar
        a = information_weights(rs, steps, sums, steps.wbar)
        info = x.T @ (a[:, None] * x) - (sums.xbar * steps.wbar[:, None]).T @ sums.xbar
    return Derivatives(loglik, score, (info + info.T) / 2.0)


@dataclass(frozen=True, slots=True)
class NewtonResult:
    beta: FloatArray  # original (unscaled, uncentred) covariate scale
    variance: FloatArray  # inverse information, zero rows/columns for redundant columns
    score: FloatArray  # U at the final β (original scale)
    loglik_init: float
    loglik: float
    score_test: float
    iterations: int
    converged: bool
    halving_at_end: bool
    redundant: npt.NDArray[np.bool_]
    means: FloatArray  # centring used (0 for columns with values in {-1, 0, 1})


def centring(x: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """R's coxfit6 centring/scaling: weighted mean and scale Σw / Σ w|x − x̄| (1 if constant).

    Columns whose values all lie in {−1, 0, 1} are neither centred nor scaled (``nocenter`` of
    ``coxph``), so their ``means`` are 0, as R reports them.
    """
    # (large fits do this inside the first derivative passes: _cox_kernels.centred_null_derivatives)
    p = x.shape[1]
    wsum = weights.sum()
    unit = bool(np.all(weights == 1.0))
    means = np.zeros(p)
    scale = np.ones(p)
    for k in range(p):  # loop over the p columns (contiguous in the Fortran-ordered matrix)
        col = x[:, k]
        lo, hi = col.min(initial=np.inf), col.max(initial=-np.inf)
        if lo >= -1 and hi <= 1 and np.all((col == 0) | (col == 1) | (col == -1)):
            continue
        # plain reductions rather than BLAS dot products: no thread start-up for a 1-D sum;
        # shifted by the first value, so that a constant column's mean is exactly its value
        # (zero spread, scale 1) whatever the weights
        shifted = col - col[0]
        means[k] = col[0] + (shifted.sum() if unit else (weights * shifted).sum()) / wsum
        dev = np.abs(col - means[k])
        spread = dev.sum() if unit else (weights * dev).sum()
        scale[k] = wsum / spread if spread > 0 else 1.0  # constant column: scale 1 (coxfit6)
    return means, scale


#: From this many rows on, the compiled derivative pass (:mod:`._cox_kernels`) is used.
COMPILED_MIN_ROWS = 50_000


def derivative_function(rs: RiskSets, ties: str, means: FloatArray, scale: FloatArray,
                        compiled: bool | None = None) -> Callable[[FloatArray], Derivatives]:
    """β ↦ (log L, U, I) on the centred, scaled covariates: NumPy for small n, numba for large n."""
    if compiled is None:
        compiled = rs.x_rows.shape[0] >= COMPILED_MIN_ROWS
    if compiled:
        from oncocohort.stats import _cox_kernels as kern
        risk = np.empty(rs.x_rows.shape[0])  # scratch reused by every iteration

        def compiled_pass(beta: FloatArray) -> Derivatives:
            ll, u, info = kern.cox_derivatives(rs.x_rows, means, scale, rs.row_weights, rs.row_event,
                                               rs.row_group, rs.group_first, beta, ties == "efron", risk)
            return Derivatives(float(ll), u, info)
        return compiled_pass
    xs = (rs.x - means) * scale
    steps = efron_steps(rs, ties)
    return lambda beta: derivatives(rs, steps, xs, beta)


def newton_raphson(rs: RiskSets, ties: str, *, eps: float = EPS, iter_max: int = ITER_MAX,
                   compiled: bool | None = None) -> NewtonResult:
    """Maximise the partial likelihood from β = 0 exactly as R's ``coxfit6`` iterates [1]."""
    p = rs.x_rows.shape[1]
    beta = np.zeros(p)
    if compiled is None:
        compiled = rs.x_rows.shape[0] >= COMPILED_MIN_ROWS
    if not rs.row_event.any():  # no events: nothing to estimate (R returns NA coefficients)
        means = centring(rs.x_rows, rs.row_weights)[0]
        return NewtonResult(beta, np.zeros((p, p)), np.zeros(p), 0.0, 0.0, 0.0, 0, False, False,
                            np.ones(p, dtype=bool), means)
    if compiled:  # centring and the β = 0 derivatives share their two reads of the rows
        from oncocohort.stats import _cox_kernels as kern
        means, scale, (ll0, u0, info0) = kern.centred_null_derivatives(
            rs.x_rows, rs.row_weights, rs.row_event, rs.row_group, rs.group_first, ties == "efron")
        d0 = Derivatives(float(ll0), u0, info0)
    else:
        means, scale = centring(rs.x_rows, rs.row_weights)
    deriv = derivative_function(rs, ties, means, scale, compiled)
    if not compiled:
        d0 = deriv(beta)
    fact = la.factorise(d0.information)
    step = la.solve(fact, d0.score)
    score_test = float(d0.score @ step)
    best = d0.loglik
    new_beta = beta + step
    halving = 0
    converged = False
    current = d0
    iteration = 0
    for iteration in range(1, iter_max + 1):
        current = deriv(new_beta)
        fact = la.factorise(current.information)
        finite = (np.isfinite(current.loglik) and np.isfinite(current.score).all()
                  and np.isfinite(current.information).all())
        with np.errstate(divide="ignore", invalid="ignore"):  # log L = 0: NaN, never converged (as R)
            change = abs(1.0 - np.float64(best) / np.float64(current.loglik))
        if finite and change <= eps:
            beta = new_beta
            converged = True
            break
        if not finite or current.loglik < best:
            halving += 1  # step-halving, more aggressive each time [1]
            new_beta = (new_beta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best = current.loglik
            step = la.solve(fact, current.score)
            beta = new_beta
            new_beta = new_beta + step
    if not converged:
        # out of iterations: report the last accepted β, as coxfit6 does
        current = deriv(beta)
        fact = la.factorise(current.information)
    variance = la.inverse(fact) * np.outer(scale, scale)
    return NewtonResult(
        beta=beta * scale, variance=variance, score=current.score / scale,
        loglik_init=d0.loglik, loglik=current.loglik, score_test=score_test,
        # R's loop counter ends at iter.max + 1 when it runs out (coxfit6 reports that value)
        iterations=iteration if converged else iter_max + 1, converged=converged,
        halving_at_end=converged and halving > 0, redundant=fact.redundant, means=means)
