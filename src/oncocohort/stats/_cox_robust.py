"""Score residuals, the robust (sandwich / Lin–Wei) variance and the robust score test.

Score residuals [1, 2]. For row i with risk r_i = exp(η_i), the score residual is
L_i = ∫ (x_i − x̄(t)) dM_i(t) with dM_i = dN_i − Y_i r_i dΛ̂₀. With the per-step hazards
λ_gk = w̄_g / D_gk and means x̄_gk of :mod:`._cox_fit`, cumulated within the stratum,

    Λ_g = Σ_{g' ≤ g} Σ_k λ_g'k,      Ξ_g = Σ_{g' ≤ g} Σ_k λ_g'k x̄_g'k,

a row at risk through time t_g(i) gets −r_i (x_i Λ_g(i) − Ξ_g(i)). An event row additionally gets
its Schoenfeld part x_i − x̄_g (for Efron, the average over the d_g steps) and, for Efron only,
back the share of the hazard it is not exposed to at its own time, r_i Σ_k (k/d_g) λ_gk (x_i − x̄_gk)
(R's ``coxscore2.c`` [2]). Every term is a per-group quantity gathered to rows: O(n·p).

Robust variance [3]: with naive variance V, the dfbeta residuals are D_i = w_i L_i V; summed per
cluster c, V_robust = Σ_c (Σ_{i∈c} D_i)(Σ_{i∈c} D_i)ᵀ (each row its own cluster for
``robust=TRUE``; R's ``coxph(..., cluster = id)``).

Robust score test [1]: the score residuals at β = 0, weighted and summed per cluster, T_c; with
u = Σ_c T_c the statistic is uᵀ (Σ_c T_c T_cᵀ)⁻¹ u (``fit$rscore``).

References
----------
[1] Therneau T. survival package, ``R/coxph.R`` (robust variance, ``rscore``) and
    ``R/residuals.coxph.R``.
[2] Therneau T. survival package, ``src/coxscore2.c``.
[3] Lin DY, Wei LJ. The robust inference for the Cox proportional hazards model. JASA
    1989;84:1074–1078.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from oncocohort.stats import _cox_fit as kf
from oncocohort.stats import _cox_linalg as la

FloatArray = npt.NDArray[np.float64]


def score_residuals(rs: kf.RiskSets, steps: kf.Steps, x: FloatArray, beta: FloatArray) -> FloatArray:
    """Unweighted score residuals L_i (n, p) in sorted-row order (module formula)."""
    sums = kf.step_sums(rs, steps, x, beta)
    n, p = x.shape
    if steps.frac.size == 0:
        return np.zeros((n, p))
    k_count = rs.n_dead.shape[0]
    n_groups = rs.group_start.shape[0]
    hazard = steps.wbar / sums.denom  # λ_gk
    xhaz = sums.xbar * hazard[:, None]  # λ_gk x̄_gk
    n_steps = np.bincount(steps.event_index, minlength=k_count).astype(np.float64)

    def per_group(values: FloatArray) -> FloatArray:
        """Sum the step values of each event group, scattered to all G groups (0 elsewhere)."""
        out = np.zeros((n_groups,) + values.shape[1:])
        if values.ndim == 1:
            out[rs.event_group] = np.bincount(steps.event_index, values, minlength=k_count)
        else:
            for col in range(values.shape[1]):  # p columns, not rows
                out[rs.event_group, col] = np.bincount(steps.event_index, values[:, col], minlength=k_count)
        return out

    cum_haz = kf.cumsum_in_stratum(per_group(hazard), rs)[rs.group]
    cum_xhaz = kf.cumsum_in_stratum(per_group(xhaz), rs)[rs.group]
    own_haz = per_group(steps.frac * hazard)[rs.group]  # Efron: hazard share an event row skips
    own_xhaz = per_group(xhaz * steps.frac[:, None])[rs.group]
    # Schoenfeld part: x̄ averaged over the d_g Efron steps (one step for Breslow)
    mean_xbar = per_group(sums.xbar) / np.maximum(_scatter(n_steps, rs), 1.0)[:, None]
    r = np.exp(sums.eta)
    ev = rs.event
    resid = -r[:, None] * (x * (cum_haz - ev * own_haz)[:, None] - (cum_xhaz - ev[:, None] * own_xhaz))
    resid[ev] += x[ev] - mean_xbar[rs.group[ev]]
    return resid


def _scatter(values: FloatArray, rs: kf.RiskSets) -> FloatArray:
    out = np.zeros(rs.group_start.shape[0])
    out[rs.event_group] = values
    return out


def cluster_sums(values: FloatArray, cluster: npt.NDArray[np.int64] | None) -> FloatArray:
    """Σ of the rows of ``values`` within each cluster code (rows themselves when None)."""
    if cluster is None:
        return values
    n_cl = int(cluster.max()) + 1 if cluster.size else 0
    return np.column_stack([np.bincount(cluster, values[:, k], minlength=n_cl)
                            for k in range(values.shape[1])])  # loop over p columns


def robust_variance(rs: kf.RiskSets, steps: kf.Steps, x: FloatArray, beta: FloatArray,
                    naive_var: FloatArray, cluster: npt.NDArray[np.int64] | None) -> FloatArray:
    """Sandwich variance Σ_c D_c D_cᵀ with D_i = w_i L_i V [3]."""
    dfbeta = (score_residuals(rs, steps, x, beta) @ naive_var) * rs.weights[:, None]
    d = cluster_sums(dfbeta, cluster)
    return d.T @ d


def robust_score_test(rs: kf.RiskSets, steps: kf.Steps, x: FloatArray,
                      cluster: npt.NDArray[np.int64] | None) -> tuple[float, int]:
    """uᵀ (TᵀT)⁻¹ u from the weighted score residuals at β = 0 summed per cluster [1]."""
    t = cluster_sums(score_residuals(rs, steps, x, np.zeros(x.shape[1])) * rs.weights[:, None], cluster)
    return la.quadratic_form_test(t.T @ t, t.sum(axis=0))
