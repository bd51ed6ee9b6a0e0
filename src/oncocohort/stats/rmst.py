"""Restricted mean survival time (RMST): the area under the Kaplan–Meier curve on [0, τ].

    RMST(τ) = ∫_0^τ S(u) du = sum_j S(t_j) (t_{j+1} − t_j)   over the steps of S cut at τ [1],

with S = 1 before the first time and the last value of S carried forward when τ exceeds the last
time. Its standard error, as R's ``print(fit, rmean = τ)`` (survival 3.5-3, ``survmean``) [2], is the
Greenwood-type delta-method sum over event times t_i <= τ

    se² = sum_i A_i² d_i / (n_i (n_i − d_i)),      A_i = ∫_{t_i}^τ S(u) du,

without an n/(n − 1) factor. Where n_i = d_i the curve drops to 0, A_i = 0 and the term is 0 (R
skips it rather than multiplying 0 by ∞).

References
----------
[1] Royston P, Parmar MKB. Restricted mean survival time: an alternative to the hazard ratio for the
    design and analysis of randomized trials with a time-to-event outcome. BMC Med Res Methodol 2013;13:152.
[2] Klein JP, Moeschberger ML. Survival Analysis, 2nd ed. Springer 2003, §4.5 (variance of the mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from oncocohort.errors import InputError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RestrictedMean:
    """RMST on [0, tau] with standard error and a normal-approximation CI (estimate ± z·se)."""

    tau: float
    estimate: float
    std_err: float
    lower: float
    upper: float
    conf_level: float = 0.95

    def __str__(self) -> str:
        return (f"RMST(τ={self.tau:g}) = {self.estimate:.4g} (SE {self.std_err:.4g}; "
                f"{100 * self.conf_level:g}% CI {self.lower:.4g}–{self.upper:.4g})")


def restricted_mean(
    time: FloatArray, n_risk: FloatArray, n_event: FloatArray, surv: FloatArray, tau: float,
    *, conf_level: float = 0.95,
) -> RestrictedMean:
    """RMST and R's standard error from a Kaplan–Meier table (formulas: module docstring)."""
    tau = float(tau)
    if not np.isfinite(tau) or tau < 0:
        raise InputError("tau", f"must be a finite non-negative time, got {tau!r}")
    within = time <= tau
    t, n, d, s = time[within], n_risk[within], n_event[within], surv[within]
    knots = np.concatenate(([0.0], t, [tau]))
    heights = np.concatenate(([1.0], s))                # S on [knots[j], knots[j+1])
    pieces = heights * np.diff(knots)
    estimate = float(pieces.sum())
    area_after = np.cumsum(pieces[::-1])[::-1][1:]       # A_i = area from t_i to tau, i = 1..k
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((d > 0) & (d < n), area_after**2 * d / (n * (n - d)), 0.0)
    se = float(np.sqrt(terms.sum()))
    z = float(ndtri(1 - (1 - conf_level) / 2))
    return RestrictedMean(tau, estimate, se, estimate - z * se, estimate + z * se, float(conf_level))
