"""Proportional-hazards test (R ≥ 3.0 ``cox.zph``) and the Cox baseline cumulative hazard.

PH test [1, 2]. Extend the fitted model with time-varying coefficients β_k + θ_k g(t) and test
θ = 0 by a score test at (β̂, θ = 0). With g the transformed event time, centred so that the
event-weighted mean is 0 (g(t) = f(t) − mean over event rows of f), the per-step quantities of
:mod:`._cox_fit` give

    U_θ  = Σ_events w_i g(t_i) x_i − Σ_g Σ_k w̄_g g(t_g) x̄_gk,
    I    = [[I_ββ, I_βθ], [I_θβ, I_θθ]],  I_βθ and I_θθ as I_ββ with step weights w̄ g and w̄ g²,

and for a covariate with columns J the statistic is uᵀ I_KK⁻¹ u with u = (0, U_θ,J) over
K = (all β, θ_J), df = |J|; GLOBAL uses all θ (df = p). This is the exact score test of
survival ≥ 3.0 (``zph1.c``), not the older approximation based on scaled Schoenfeld residuals
that lifelines' ``proportional_hazard_test`` mirrors, so the numbers differ from lifelines.

Transforms f(t) (computed over all rows of the fit, ignoring strata, unweighted, as R):
``"km"`` 1 − S(t−) with S the Kaplan–Meier of the pooled data (left-continuous), ``"identity"``
t, ``"rank"`` the average rank of t among all rows.

Baseline hazard [3]: Λ₀(t) = Σ_{t_g ≤ t} Σ_k w̄_g / D_gk at x = 0 (Breslow: Σ_events w / S0; Efron:
the tied events are removed in d_g equal steps, R's ``agsurv`` "Efron" increments), one value per
distinct time (event or censoring) and stratum, as R's ``basehaz(fit, centered = FALSE)``.

References
----------
[1] Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on weighted
    residuals. Biometrika 1994;81:515–526.
[2] Therneau T. survival package, ``R/cox.zph.R`` and ``src/zph1.c`` (version ≥ 3.0).
[3] Therneau T. survival package, ``R/agsurv.R``, ``src/agsurv5.c``, ``R/basehaz.R``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from oncocohort.errors import InputError
from oncocohort.stats import _cox_fit as kf
from oncocohort.stats.contingency import chi2_sf
from oncocohort.stats.rank_tests import average_ranks

if TYPE_CHECKING:
    from oncocohort.stats.cox import CoxResult, CoxState

FloatArray = npt.NDArray[np.float64]
Transform = Literal["km", "identity", "rank"]


@dataclass(frozen=True, slots=True)
class CoxZphResult:
    """Per-covariate and GLOBAL chi-square tests of proportional hazards (R's ``cox.zph``)."""

    table: pd.DataFrame  # index: covariates + "GLOBAL"; columns chisq, df, p
    transform: str

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        return self.table.copy()


def transformed_time(time: FloatArray, event: npt.NDArray[np.bool_], transform: str) -> FloatArray:
    """f(t) for each row: "km" 1 − S(t−) (pooled, unweighted KM), "identity" t, "rank" average rank."""
    if transform == "identity":
        return time.astype(np.float64)
    if transform == "rank":
        return average_ranks(time)
    if transform == "km":
        uniq, inverse = np.unique(time, return_inverse=True)
        deaths = np.bincount(inverse, weights=event.astype(np.float64), minlength=uniq.shape[0])
        at_risk = np.cumsum(np.bincount(inverse, minlength=uniq.shape[0])[::-1])[::-1]
        surv = np.cumprod(1.0 - deaths / at_risk)
        surv_before = np.concatenate([[1.0], surv[:-1]])  # S(t−): left-continuous
        return 1.0 - surv_before[inverse.reshape(-1)]
    raise InputError("transform", f"must be 'km', 'identity' or 'rank', got {transform!r}")


def cox_zph(result: CoxResult, *, transform: Transform = "km",
            terms: Mapping[str, Sequence[str]] | None = None) -> CoxZphResult:
    """Exact score test of proportional hazards per covariate and GLOBAL (module docstring).

    R: ``cox.zph(fit, transform = transform)`` (``terms = TRUE``: a categorical covariate is tested
    jointly over its dummy columns). ``terms`` names other groups of model terms to test jointly
    (e.g. dummy columns a caller built itself: ``{"ecog": ["ecog_1", "ecog_2"]}``); every model term
    must be in exactly one group.
    """
    st = result.state
    groups = _term_groups(result, terms)
    rs = st.risk_sets
    keep = st.estimable
    x = st.x_centred[:, keep]
    beta = st.beta[keep]
    p = x.shape[1]
    g_row = transformed_time(rs.time, rs.event, transform)
    g_row = g_row - g_row[rs.event].mean()
    steps = st.steps
    g_step = g_row[rs.group_start][rs.event_group][steps.event_index]
    sums = kf.step_sums(rs, steps, x, beta)
    ev = rs.event_rows
    u_theta = (rs.weights[ev] * g_row[ev]) @ x[ev] - (steps.wbar * g_step) @ sums.xbar
    blocks = []
    for power in range(3):  # I_ββ, I_βθ, I_θθ: step weights w̄ g^power
        v = steps.wbar * g_step ** power
        a = kf.information_weights(rs, steps, sums, v)
        blocks.append(x.T @ (a[:, None] * x) - (sums.xbar * v[:, None]).T @ sums.xbar)
    imat = np.block([[blocks[0], blocks[1]], [blocks[1].T, blocks[2]]])
    position = np.cumsum(keep) - 1  # column index among the estimable columns
    rows, names = [], []
    for cov, cols in groups.items():  # loop over covariates, not rows
        jj = [int(position[c]) for c in cols if keep[c]]
        if not jj:
            continue
        kk = list(range(p)) + [p + j for j in jj]
        u = np.concatenate([np.zeros(p), u_theta[jj]])
        rows.append(_test(imat[np.ix_(kk, kk)], u, len(jj)))
        names.append(cov)
    rows.append(_test(imat, np.concatenate([np.zeros(p), u_theta]), p))
    names.append("GLOBAL")
    table = pd.DataFrame(rows, index=pd.Index(names, name="term"), columns=["chisq", "df", "p"])
    table["df"] = table["df"].astype(int)
    return CoxZphResult(table, transform)


def _term_groups(result: CoxResult, terms: Mapping[str, Sequence[str]] | None) -> Mapping[str, tuple[int, ...]]:
    """Column indices per tested group: the fit's covariates, or the caller's groups of term names."""
    if terms is None:
        return result.state.covariate_columns
    names = list(result.params.index)
    groups: dict[str, tuple[int, ...]] = {}
    seen: list[str] = []
    for group, members in terms.items():
        members = [members] if isinstance(members, str) else list(members)
        unknown = [m for m in members if m not in names]
        if unknown or not members:
            raise InputError("terms", f"group {group!r} names {unknown or 'no term'}; the model's terms are {names}")
        groups[str(group)] = tuple(names.index(m) for m in members)
        seen += members
    if sorted(seen) != sorted(names):
        twice = sorted({m for m in seen if seen.count(m) > 1})
        missing = [m for m in names if m not in seen]
        raise InputError("terms", f"every model term must be in exactly one group (in two: {twice}; in none: {missing})")
    return groups


def _test(imat: FloatArray, u: FloatArray, df: int) -> tuple[float, int, float]:
    stat = float(u @ np.linalg.solve(imat, u))
    return stat, df, chi2_sf(stat, df)


def baseline_hazard(st: CoxState) -> pd.DataFrame:
    """Λ₀(t) at x = 0 per distinct time (and stratum), as R's ``basehaz(fit, centered = FALSE)``."""
    rs = st.risk_sets
    steps = st.steps
    sums = kf.step_sums(rs, steps, st.x_centred, st.beta)
    n_groups = rs.group_start.shape[0]
    increment = np.zeros(n_groups)
    increment[rs.event_group] = np.bincount(steps.event_index, steps.wbar / sums.denom,
                                            minlength=rs.event_group.shape[0])
    # the risk scores were centred at ``means``; R multiplies by exp(−Σ means·β) to reach x = 0
    hazard = kf.cumsum_in_stratum(increment, rs) * np.exp(-float(st.means @ st.beta))
    out = pd.DataFrame({"time": rs.time[rs.group_start], "hazard": hazard})
    if len(st.stratum_labels) > 1:
        labels = np.asarray(st.stratum_labels, dtype=object)
        out["strata"] = pd.Categorical(labels[rs.stratum[rs.group_start]], categories=list(st.stratum_labels))
    return out
