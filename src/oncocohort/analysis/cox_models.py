"""Cox proportional-hazards models (the seed paper's Tables III and IV) with EPV, PH tests and Firth.

For each endpoint in ``protocol.cox.endpoints``:

1. univariable model for each covariate of ``protocol.cox.covariates`` (each on its own complete
   cases, as R fits ``coxph(Surv(t, e) ~ x)`` one at a time);
2. the multivariable model with all covariates (complete cases), ties as ``protocol.cox.ties``;
   HR = exp(β) with the Wald CI exp(β ± z SE) and the Wald p (R ``summary(coxph(...))``);
3. events per variable EPV = events / number of model terms (dummy columns count one each);
   EPV < 10 raises a :class:`StatisticalWarning` and is flagged in the result (Peduzzi et al. 1995;
   the seed paper's own caveat about unstable multivariable estimates);
4. proportional-hazards test per term and global (R ``cox.zph(fit, transform = "km")``);
5. Firth-penalised Cox (profile penalised-likelihood CIs, as R ``coxphf``) of the multivariable
   model as a sensitivity analysis, run when EPV < ``protocol.cox.firth_when_epv_below`` or the
   ordinary fit signals separation / monotone likelihood (an infinite HR).

Coding of covariates: ``_design`` (treatment coding, reference levels from the protocol). In a
single-arm study ``arm`` is not a covariate (a note says so if the protocol lists it).

References
----------
[1] Peduzzi P, Concato J, Kemper E, Holford TR, Feinstein AR. A simulation study of the number of
    events per variable in logistic regression analysis. J Clin Epidemiol 1996;49:1373–1379.
[2] Heinze G, Schemper M. A solution to the problem of monotone likelihood in Cox regression.
    Biometrics 2001;57:114–119.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from oncocohort.analysis._common import EndpointMapping, finite_or_none, is_two_arm, put_stat
from oncocohort.analysis._design import (
    FIT_ERRORS,
    CoxFit,
    Design,
    Term,
    build_design,
    fit_cox,
    separation_suspected,
)
from oncocohort.errors import Note, StatisticalWarning
from oncocohort.protocol import Protocol

EPV_WARNING_BELOW = 10.0


@dataclass(frozen=True, slots=True)
class ModelResult:
    """One fitted model as table rows, or rows = () with ``reason`` when it could not be fitted."""

    rows: tuple[dict[str, Any], ...]
    n: int | None
    n_events: int | None
    n_dropped: int | None
    warnings: tuple[str, ...]
    reason: str | None = None
    fit: CoxFit | None = None
    n_terms: int | None = None


@dataclass(frozen=True, slots=True)
class EndpointCox:
    """Univariable and multivariable models of one endpoint, EPV, PH test and Firth sensitivity."""

    endpoint: str
    univariable: tuple[ModelResult, ...]
    multivariable: ModelResult
    epv: float | None
    ph_test: dict[str, Any] | None
    ph_test_reason: str | None
    firth: ModelResult | None
    firth_reason: str | None
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        mv = self.multivariable
        out: dict[str, Any] = {"endpoint": self.endpoint,
                               "univariable": [r for m in self.univariable for r in m.rows],
                               "univariable_failed": [{"covariate": m.reason.split(":")[0], "reason": m.reason}
                                                      for m in self.univariable if m.reason],
                               "multivariable": list(mv.rows),
                               "multivariable_n": mv.n, "multivariable_events": mv.n_events,
                               "multivariable_n_dropped": mv.n_dropped,
                               "multivariable_warnings": list(mv.warnings)}
        if mv.reason:
            out["multivariable_reason"] = mv.reason
        put_stat(out, "epv", self.epv, "multivariable model not fitted")
        out["epv_warning"] = self.epv is not None and self.epv < EPV_WARNING_BELOW
        out["ph_test"] = self.ph_test
        if self.ph_test is None:
            out["ph_test_reason"] = self.ph_test_reason
        out["firth"] = None if self.firth is None else {"rows": list(self.firth.rows), "n": self.firth.n,
                                                        "events": self.firth.n_events,
                                                        "warnings": list(self.firth.warnings),
                                                        "reason": self.firth.reason}
        if self.firth is None or self.firth.reason:
            out["firth_reason"] = self.firth_reason or (self.firth.reason if self.firth else None)
        out["notes"] = [str(n) for n in self.notes]
        return out

    def to_frame(self) -> pd.DataFrame:
        """Univariable and multivariable rows side by side (Table III/IV layout), one row per term."""
        uni = pd.DataFrame([r for m in self.univariable for r in m.rows])
        multi = pd.DataFrame(list(self.multivariable.rows))
        if uni.empty:
            return multi
        cols = ["term", "hr", "hr_lower", "hr_upper", "p"]
        out = uni[cols].rename(columns={c: f"uni_{c}" for c in cols[1:]})
        if not multi.empty:
            multi = multi[cols].rename(columns={c: f"multi_{c}" for c in cols[1:]})
            out = out.merge(multi, on="term", how="left", sort=False)
        return out

    summary = to_frame


@dataclass(frozen=True, slots=True)
class CoxSummary(EndpointMapping):
    endpoints: dict[str, EndpointCox]  # type: ignore[assignment]


def model_frame(adsl: pd.DataFrame, adtte: pd.DataFrame, endpoint: str, columns: list[str]) -> pd.DataFrame:
    """adtte rows of one endpoint joined with the subject-level ``columns`` (arm from adtte)."""
    keep = adtte["endpoint"].astype(str).to_numpy() == endpoint
    rows = adtte.loc[keep, ["patient_id", "arm", "time_months", "event"]]
    cols = [c for c in dict.fromkeys(columns) if c != "arm" and c in adsl.columns]
    subj = adsl[["patient_id", *cols]].drop_duplicates("patient_id")
    frame = rows.merge(subj, on="patient_id", how="left", validate="one_to_one")
    frame["arm"] = frame["arm"].astype("string")
    return frame


def cox_models(adsl: pd.DataFrame, adtte: pd.DataFrame, protocol: Protocol, *,
               endpoints: list[str] | None = None) -> CoxSummary:
    """Univariable + multivariable Cox models per endpoint (steps: module docstring)."""
    present = set(adtte["endpoint"].astype(str).unique()) if len(adtte) else set()
    endpoints = endpoints if endpoints is not None else [e for e in protocol.cox.endpoints if e in present]
    return CoxSummary({ep: endpoint_cox(adsl, adtte, protocol, ep) for ep in endpoints})


def endpoint_cox(adsl: pd.DataFrame, adtte: pd.DataFrame, protocol: Protocol, endpoint: str) -> EndpointCox:
    notes: list[Note] = []
    covariates = list(protocol.cox.covariates)
    if not is_two_arm(protocol) and "arm" in covariates:
        covariates.remove("arm")
        notes.append(Note("single-arm study: 'arm' left out of the Cox models"))
    absent = [c for c in covariates if c != "arm" and c not in adsl.columns]
    if absent:
        notes.append(Note(f"covariates not in the subject-level table left out: {absent}"))
        covariates = [c for c in covariates if c not in absent]
    frame = model_frame(adsl, adtte, endpoint, covariates)
    ties = protocol.cox.ties
    conf = protocol.analysis.conf_level
    uni = tuple(_model(frame, [c], protocol, ties, conf, uni=True) for c in covariates)
    if not covariates:
        empty = ModelResult((), None, None, None, (), "no Cox covariates in the protocol")
        return EndpointCox(endpoint, uni, empty, None, None, "no model", None, "no model", tuple(notes))
    multi = _model(frame, covariates, protocol, ties, conf, uni=False)
    epv = None
    if multi.n_terms and multi.n_events is not None:
        epv = multi.n_events / multi.n_terms
        if epv < EPV_WARNING_BELOW:
            warnings.warn(f"{endpoint}: {multi.n_events} events for {multi.n_terms} model terms "
                          f"(EPV = {epv:.1f} < {EPV_WARNING_BELOW:g}): multivariable estimates may be unstable",
                          StatisticalWarning, stacklevel=3)
    ph, ph_reason = _ph_test(multi)
    firth, firth_reason = None, None
    if not multi.n_terms or not multi.n_events:
        firth_reason = "no estimable term or no events"
    elif (epv is not None and epv < protocol.cox.firth_when_epv_below
          or multi.fit is None or separation_suspected(multi.fit)):
        firth = _firth(frame, covariates, protocol, conf)
    else:
        firth_reason = (f"not needed: EPV = {epv:.1f} >= {protocol.cox.firth_when_epv_below:g} "
                        "and no sign of separation")
    return EndpointCox(endpoint, uni, multi, epv, ph, ph_reason, firth, firth_reason, tuple(notes))


def _model(frame: pd.DataFrame, covariates: list[str], protocol: Protocol, ties: Literal["efron", "breslow"],
           conf: float, *,
           uni: bool) -> ModelResult:
    label = covariates[0] if uni else "multivariable"
    design = build_design(frame, covariates, protocol)
    why = _not_fittable(design)
    n_events = int(design.data["event"].sum())
    k = len(design.terms)
    if why is None and not uni and n_events < k:
        why = (f"{n_events} events for {k} model terms (EPV < 1): the multivariable model is not identifiable "
               "and was not fitted; see the Firth sensitivity analysis")
    if why:
        return ModelResult((), len(design.data), n_events, design.n_dropped, (), f"{label}: {why}", None, k)
    try:
        fit = fit_cox(design, ties=ties)
    except ImportError:
        return ModelResult((), None, None, None, (), f"{label}: Cox engine (oncocohort.stats.cox) not available")
    except FIT_ERRORS as exc:
        return ModelResult((), len(design.data), None, design.n_dropped, (), f"{label}: model not fitted ({exc})")
    rows = coefficient_rows(fit, protocol, conf)
    return ModelResult(rows, fit.n, fit.n_events, design.n_dropped, fit.warnings, None, fit, k)


def coefficient_rows(fit: CoxFit, protocol: Protocol, conf: float) -> tuple[dict[str, Any], ...]:
    """One dict per term: term, covariate (+label), level, reference, hr with CI, Wald p, coef, se."""
    hr, lo, hi = fit.hr_ci(conf)
    rows = []
    for i, term in enumerate(fit.terms):
        infinite = (bool(fit.infinite[i]) if fit.infinite else False) or not fit.converged
        row: dict[str, Any] = {**_term_labels(term, protocol), "n": fit.n, "events": fit.n_events}
        why = ("not estimable (coefficient not identifiable from these data)" if not infinite else
               "not estimable: the Cox fit did not converge (monotone likelihood or too few events for the "
               "terms); see the Firth sensitivity analysis" if not fit.converged else
               "not estimable: the coefficient may be infinite (monotone likelihood / separation)")
        for key, value in (("hr", hr[i]), ("hr_lower", lo[i]), ("hr_upper", hi[i]), ("p", fit.p[i]),
                           ("coef", fit.coef[i]), ("se", fit.se[i])):
            put_stat(row, key, None if infinite else value, why)
        rows.append(row)
    return tuple(rows)


def _term_labels(term: Term, protocol: Protocol) -> dict[str, Any]:
    """term, covariate (+ label), level and reference level (+ display labels: arm labels, level_labels)."""
    return {"term": term.name, "covariate": term.covariate, "covariate_label": _label(term.covariate, protocol),
            "level": term.level, "level_label": _level_label(term.covariate, term.level, protocol),
            "reference": term.reference, "reference_label": _level_label(term.covariate, term.reference, protocol)}


def _level_label(covariate: str, level: str | None, protocol: Protocol) -> str | None:
    if level is None:
        return None
    if covariate == "arm":
        return next((a.label for a in protocol.arms if a.id == level), level)
    v = protocol.variable(covariate)
    return v.level_labels.get(level, level) if v is not None else level


def _label(covariate: str, protocol: Protocol) -> str:
    if covariate == "arm":
        return "Treatment"
    for v in protocol.variables:
        if v.name == covariate:
            return v.label or v.name
        if v.cut is not None and v.cut.name == covariate:
            return v.cut.label or v.label or covariate
    return covariate


def _not_fittable(design: Design) -> str | None:
    if not design.terms:
        return "no estimable term (a single observed level)"
    if len(design.data) == 0:
        return "no complete case"
    if int(design.data["event"].sum()) == 0:
        return "no events"
    return None


def _ph_test(model: ModelResult) -> tuple[dict[str, Any] | None, str | None]:
    """Per-covariate and global Grambsch–Therneau tests (R ``cox.zph(fit, transform = "km")``): a
    categorical covariate is tested jointly over its dummy columns, as R does for a factor
    (``terms = TRUE``); each row's ``term`` is then the covariate, with its df."""
    if model.fit is None:
        return None, "multivariable model not fitted"
    raw = model.fit.raw
    if not hasattr(raw, "ph_test"):
        return None, "the Cox engine has no proportional-hazards test"
    groups: dict[str, list[str]] = {}
    for t in model.fit.terms:  # the model's columns are the analysis' own dummies: group them back
        groups.setdefault(t.covariate, []).append(t.column)
    try:
        res = raw.ph_test(transform="km", terms=groups)
    except FIT_ERRORS as exc:
        return None, f"proportional-hazards test failed ({exc})"
    table = res if isinstance(res, pd.DataFrame) else getattr(res, "table", None)
    if table is None and hasattr(res, "to_frame"):
        table = res.to_frame()
    if not isinstance(table, pd.DataFrame):
        return None, "proportional-hazards test returned no table"
    by_column = {t.column: t.name for t in model.fit.terms}
    rows = []
    global_row: dict[str, Any] | None = None
    for name, rec in table.iterrows():  # a handful of terms
        term = str(rec.get("term", name))
        entry: dict[str, Any] = {"term": by_column.get(term, term)}
        for key in ("chisq", "df", "p"):
            put_stat(entry, key, rec.get(key, rec.get({"chisq": "statistic", "p": "p_value"}.get(key, key))))
        if term.upper() == "GLOBAL":
            global_row = entry
        else:
            rows.append(entry)
    return {"transform": "km", "terms": rows, "global": global_row}, None


def _firth(frame: pd.DataFrame, covariates: list[str], protocol: Protocol, conf: float) -> ModelResult:
    design = build_design(frame, covariates, protocol)
    try:
        from oncocohort.stats.firth import firth_cox
    except ImportError:
        return ModelResult((), None, None, None, (), "Firth engine (oncocohort.stats.firth) not available")
    columns = [t.column for t in design.terms]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = firth_cox(design.data, "time", "event", columns, conf_level=conf)
    except FIT_ERRORS as exc:
        return ModelResult((), len(design.data), None, design.n_dropped, (), f"Firth model not fitted ({exc})")
    params = res.params
    rows = []
    for term in design.terms:
        rec = params.loc[term.column]
        row: dict[str, Any] = _term_labels(term, protocol)
        for key in ("hr", "hr_lower", "hr_upper", "p", "coef", "se"):
            put_stat(row, key, finite_or_none(rec[key]), "not estimable")
        rows.append(row)
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    return ModelResult(tuple(rows), int(res.n), int(res.n_events), design.n_dropped, messages,
                       None if res.converged else "Firth fit did not converge")
