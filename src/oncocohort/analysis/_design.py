"""Design matrices for Cox models: treatment (dummy) coding with named terms, and a fitting adapter.

Coding: a continuous covariate enters as itself (one term, HR per unit); a categorical covariate
with levels l_0 (reference) … l_k enters as k indicator columns named ``covariate[level]``
(R's ``contr.treatment``). The reference level is ``protocol.cox.reference[covariate]`` when
given, else the first level (for ``arm``: the protocol's reference arm). Levels that no patient
of the model's rows has are dropped (an all-zero column is not estimable), with a note.

Columns handed to the fitters get neutral names (``x0``, ``x1``, …) so any level text is safe;
``Term`` keeps the mapping back to covariate, level and reference.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import ndtri  # not scipy.stats (~0.7 s to import)

from oncocohort.errors import Note, OncocohortError
from oncocohort.protocol import Protocol
from oncocohort.stats.contingency import chi2_sf


FIT_ERRORS: tuple[type[BaseException], ...] = (OncocohortError, np.linalg.LinAlgError, ValueError, ArithmeticError)
"""Failures of a model fit that become a null result with the error as its reason (never a crash)."""
FIT_ERRORS_OR_IMPORT: tuple[type[BaseException], ...] = (ImportError, *FIT_ERRORS)


@dataclass(frozen=True, slots=True)
class Term:
    """One model column: ``name`` as reported (``sex[female]``), its covariate, level and reference."""

    name: str
    column: str
    covariate: str
    level: str | None
    reference: str | None


@dataclass(frozen=True, slots=True)
class Design:
    data: pd.DataFrame  # time, event and the numeric model columns x0.. (complete cases only)
    terms: tuple[Term, ...]
    n_dropped: int
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class CoxFit:
    """What the analysis needs from a Cox fit (engine-independent)."""

    terms: tuple[Term, ...]
    coef: np.ndarray
    se: np.ndarray
    var: np.ndarray | None
    p: np.ndarray
    n: int
    n_events: int
    loglik: float | None
    warnings: tuple[str, ...]
    raw: Any
    infinite: tuple[bool, ...] = ()
    converged: bool = True

    def term_summary(self, i: int, conf_level: float) -> tuple[list[float | None], str]:
        """[hr, hr_lower, hr_upper, p] of term i, all None (with the reason) when the term is not estimable.

        Not estimable: the coefficient may be infinite (monotone likelihood, e.g. an arm without
        events: R reports exp(±inf) = inf / 0, never a usable number) or the fit did not converge.
        """
        hr, lo, hi = self.hr_ci(conf_level)
        if not self.converged:
            return [None] * 4, "not estimable: the Cox fit did not converge"
        if self.infinite and self.infinite[i]:
            return [None] * 4, ("not estimable: the coefficient may be infinite (monotone likelihood, "
                                "e.g. a group without events)")
        return [float(hr[i]), float(lo[i]), float(hi[i]), float(self.p[i])], "not estimable"

    def hr_ci(self, conf_level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """HR and Wald CI exp(β ± z SE)."""
        z = float(ndtri(1 - (1 - conf_level) / 2))
        with np.errstate(over="ignore", invalid="ignore"):
            return np.exp(self.coef), np.exp(self.coef - z * self.se), np.exp(self.coef + z * self.se)


def covariate_levels(column: pd.Series) -> list[str] | None:
    """Levels of a categorical column (categories order), None for a numeric one."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories]
    if pd.api.types.is_bool_dtype(column.dtype):
        return ["False", "True"]
    if pd.api.types.is_numeric_dtype(column.dtype):
        return None
    return sorted(str(v) for v in column.dropna().unique())


def reference_level(covariate: str, levels: list[str], protocol: Protocol) -> str:
    ref = protocol.cox.reference.get(covariate)
    if covariate == "arm" and protocol.reference_arm is not None:
        ref = ref or protocol.reference_arm
    return ref if ref is not None and ref in levels else levels[0]


def build_design(frame: pd.DataFrame, covariates: list[str], protocol: Protocol, *,
                 time: str = "time_months", event: str = "event") -> Design:
    """Complete-case design matrix for ``covariates`` (coding: module docstring)."""
    cols = [time, event, *covariates]
    missing = frame[cols].isna().any(axis=1).to_numpy()
    data = frame.loc[~missing]
    out = {"time": data[time].to_numpy(np.float64), "event": data[event].to_numpy(np.int64)}
    terms: list[Term] = []
    notes: list[Note] = []
    for cov in covariates:
        col = frame[cov]
        levels = covariate_levels(col)
        if cov == "arm":
            levels = [a for a in protocol.arm_ids]
        if levels is None:
            name = f"x{len(terms)}"
            out[name] = pd.to_numeric(data[cov]).to_numpy(np.float64)
            terms.append(Term(cov, name, cov, None, None))
            continue
        ref = reference_level(cov, levels, protocol)
        text = data[cov].astype(str).to_numpy(dtype=object)
        for level in levels:
            if level == ref:
                continue
            indicator = (text == level).astype(np.float64)
            if indicator.sum() == 0:
                notes.append(Note(f"{cov}: level '{level}' has no patient in the model rows; term left out"))
                continue
            name = f"x{len(terms)}"
            out[name] = indicator
            terms.append(Term(f"{cov}[{level}]", name, cov, level, ref))
    n_dropped = int(missing.sum())
    if n_dropped:
        notes.append(Note("rows with a missing value in a model variable left out (complete cases, as R)", n_dropped))
    return Design(pd.DataFrame(out), tuple(terms), n_dropped, tuple(notes))


def fit_cox(design: Design, *, ties: Literal["efron", "breslow"] = "efron") -> CoxFit:
    """Fit ``oncocohort.stats.cox.cox_ph`` on a design; warnings raised by the fit are kept on the result."""
    from oncocohort.stats.cox import cox_ph

    columns = [t.column for t in design.terms]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = cox_ph(design.data, "time", "event", columns, ties=ties)
    params = res.params.loc[columns]
    var = _variance(res, columns)
    messages = [str(w.message) for w in caught] + [str(w) for w in getattr(res, "warnings", ()) or ()]
    for t in design.terms:  # the engine names the neutral columns; speak of the terms instead
        messages = [m.replace(f"'{t.column}'", f"'{t.name}'") for m in messages]
    loglik = getattr(res, "loglik", None)
    if isinstance(loglik, list | tuple | np.ndarray):
        loglik = float(np.asarray(loglik)[-1])
    flagged = set(getattr(res, "infinite_terms", ()) or ())
    return CoxFit(design.terms, params["coef"].to_numpy(np.float64), params["se"].to_numpy(np.float64), var,
                  params["p"].to_numpy(np.float64), int(res.n), int(res.n_events),
                  None if loglik is None else float(loglik), tuple(dict.fromkeys(messages)), res,
                  tuple(c in flagged for c in columns), bool(getattr(res, "converged", True)))


def _variance(res: Any, columns: list[str]) -> np.ndarray | None:
    for attr in ("var", "variance", "covariance", "cov", "vcov"):
        v = getattr(res, attr, None)
        if callable(v):
            v = v()
        if v is None:
            continue
        if isinstance(v, pd.DataFrame):
            return v.loc[columns, columns].to_numpy(np.float64)
        arr = np.asarray(v, dtype=np.float64)
        if arr.shape == (len(columns), len(columns)):
            return arr
    return None


def wald_test(fit: CoxFit, indices: list[int]) -> tuple[float, int, float] | None:
    """Wald χ² = b' V⁻¹ b of the coefficients at ``indices`` (df = len), or None without a variance."""
    if not indices or not fit.converged or any(fit.infinite[i] for i in indices if fit.infinite):
        return None  # an infinite or unconverged coefficient has no meaningful Wald statistic
    b = fit.coef[indices]
    if not np.isfinite(b).all():
        return None
    if len(indices) == 1:
        stat = float((b[0] / fit.se[indices[0]]) ** 2)
    elif fit.var is None:
        return None
    else:
        v = fit.var[np.ix_(indices, indices)]
        try:
            stat = float(b @ np.linalg.solve(v, b))
        except np.linalg.LinAlgError:  # singular block: some interaction not identifiable
            return None
    df = len(indices)
    return stat, df, chi2_sf(stat, df)


def separation_suspected(fit: CoxFit) -> bool:
    """True when the fit warned of an infinite coefficient / monotone likelihood / non-convergence."""
    keys = ("infinite", "monotone", "separation", "did not converge", "diverg")
    return any(fit.infinite) or any(k in w.lower() for w in fit.warnings for k in keys)
