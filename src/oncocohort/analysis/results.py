"""The whole analysis plan in one call, and its machine-readable results file (results.json).

``analyze(derived)`` runs, driven by the protocol: baseline table, short-term efficacy, survival per
endpoint (with each curve's plot data), Cox models, subgroups, safety and the patient-level plot
data, and returns a :class:`StudyResults`. ``StudyResults.to_dict()`` is the results.json document
(layout: docs/results-schema.md, JSON Schema: docs/results.schema.json); ``provenance`` is kept
apart so two runs on the same data compare equal without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.analysis._common import analysed_only, arm_values, is_two_arm, json_ready, put_stat
from oncocohort.analysis._design import FIT_ERRORS, build_design, fit_cox
from oncocohort.analysis.baseline import BaselineTable, baseline_table
from oncocohort.analysis.cox_models import CoxSummary, cox_models
from oncocohort.analysis.efficacy import EfficacySummary, efficacy_summary
from oncocohort.analysis.plot_data import PlotData, plot_data
from oncocohort.analysis.safety import SafetySummary, safety_summary
from oncocohort.analysis.subgroups import SubgroupAnalyses, subgroup_analyses
from oncocohort.analysis.survival import SurvivalSummary, survival_summary
from oncocohort.errors import Note
from oncocohort.protocol import Protocol

SCHEMA_VERSION = "1.0.0"


@dataclass(frozen=True, slots=True)
class StudyResults:
    """Every result of the analysis plan; ``to_dict()`` gives results.json (provenance separate)."""

    protocol: Protocol
    study: dict[str, Any]
    flow: dict[str, Any] | None
    baseline: BaselineTable
    response: EfficacySummary | None
    survival: SurvivalSummary
    survival_hr: dict[str, dict[str, Any]]
    cox: CoxSummary
    subgroups: SubgroupAnalyses
    safety: SafetySummary | None
    plots: PlotData
    provenance: dict[str, Any]
    notes: tuple[Note, ...] = field(default_factory=tuple)
    derivation_notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self, *, with_provenance: bool = True) -> dict[str, Any]:
        """The results.json document (JSON types only; NaN / inf never appear)."""
        survival = self.survival.to_dict()
        for ep, block in survival.items():
            block["hr"] = self.survival_hr.get(ep)
        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "study": self.study,
            "settings": analysis_settings(self.protocol),
            "flow": self.flow,
            "baseline": self.baseline.to_dict(),
            "response": None if self.response is None else self.response.to_dict(),
            "survival": survival,
            "cox": self.cox.to_dict(),
            "subgroups": self.subgroups.to_dict(),
            "safety": None if self.safety is None else self.safety.to_dict(),
            "plots": self.plots.to_dict(),
            "notes": [str(n) for n in self.notes],
            "derivation_notes": list(self.derivation_notes),
        }
        if self.flow is None:
            doc["flow_reason"] = "no eligibility flow in the derived study"
        if self.response is None:
            doc["response_reason"] = "no best overall response in the subject-level table"
        if self.safety is None:
            doc["safety_reason"] = "no adverse-event table in the derived study"
        if with_provenance:
            doc["provenance"] = self.provenance
        return json_ready(doc)

    def summary(self) -> pd.DataFrame:
        """Headline numbers: per endpoint and arm n, events, median (months)."""
        return self.survival.summary()


def analyze(derived: Any, *, protocol: Protocol | None = None, sources: dict[str, dict] | None = None,
            protocol_path: str | Path | None = None) -> StudyResults:
    """Run the statistical analysis plan on a derived study (``oncocohort.endpoints.DerivedStudy``).

    Parameters
    ----------
    derived : object with ``adsl``, ``adtte`` and optionally ``adae``, ``flow``, ``labs``,
        ``treatments`` and ``protocol`` (the contract in docs/architecture.md).
    protocol : the protocol (default ``derived.protocol``).
    sources : input files as ``{table: {path, sha256, rows}}`` (from the validated study) for provenance.
    protocol_path : the protocol file, hashed into provenance.
    """
    started = time.time()
    created = dt.datetime.now(dt.UTC)
    protocol = protocol if protocol is not None else derived.protocol
    adsl: pd.DataFrame = derived.adsl
    adtte: pd.DataFrame = derived.adtte
    adae = getattr(derived, "adae", None)
    notes: list[Note] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        baseline = baseline_table(adsl, protocol)
        response = efficacy_summary(adsl, protocol) if "best_response" in adsl.columns else None
        survival = survival_summary(adtte, protocol)
        hr = {ep: arm_hazard_ratio(adtte, protocol, ep) for ep in survival}
        cox = cox_models(adsl, adtte, protocol)
        subgroups = subgroup_analyses(adsl, adtte, protocol)
        safety = safety_summary(adsl, adae, protocol) if adae is not None else None
        plots = plot_data(adsl, protocol, treatments=getattr(derived, "treatments", None),
                          labs=getattr(derived, "labs", None))
    messages = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught
                             if issubclass(w.category, UserWarning))
    notes.extend(Note(m) for m in messages)
    notes.extend(subgroups.notes)
    for w in caught:  # re-emit so callers (and -W error) still see them
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    flow = _flow(getattr(derived, "flow", None))
    provenance = _provenance(sources, protocol_path, created, time.time() - started)
    return StudyResults(protocol, study_block(adsl, protocol), flow, baseline, response, survival, hr, cox,
                        subgroups, safety, plots, provenance, tuple(notes),
                        tuple(str(n) for n in getattr(derived, "notes", ()) or ()))


def write_results_json(results: StudyResults, path: str | Path) -> Path:
    """Write ``results.to_dict()`` as UTF-8 JSON (NaN forbidden) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def study_block(adsl: pd.DataFrame, protocol: Protocol) -> dict[str, Any]:
    """Study name, design, arms with their numbers of analysed patients, the synthetic flag."""
    analysed = analysed_only(adsl)
    arm = arm_values(analysed)
    synthetic = bool(protocol.study.synthetic)
    if "synthetic" in adsl.columns:
        synthetic = synthetic or bool(adsl["synthetic"].astype("boolean").fillna(False).any())
    s = protocol.study
    return {"name": s.name, "title": s.title, "design": s.design, "type": s.type,
            "registration": s.registration, "synthetic": synthetic, "data_cutoff": protocol.data_cutoff.isoformat(),
            "reference_arm": protocol.reference_arm,
            "arms": [{"id": a, "label": protocol.arm_label(a), "n": int((arm == a).sum()),
                      "reference": a == protocol.reference_arm} for a in protocol.arm_ids],
            "n_screened": int(len(adsl)), "n_analysed": int(len(analysed)),
            "endpoints": {k: (v.label or k) for k, v in protocol.endpoints.items()}}


def analysis_settings(protocol: Protocol) -> dict[str, Any]:
    """The settings and methods used, for the report's methods section."""
    a, c = protocol.analysis, protocol.cox
    r = protocol.response
    return {
        "conf_level": a.conf_level, "alpha": a.alpha, "km_conf_type": a.km_conf_type,
        "landmarks_months": list(a.landmarks_months), "rmst_tau_months": a.rmst_tau_months,
        "time_unit": "months (days / 30.4375)",
        "response_criteria": None if r is None else r.criteria,
        "response_population": ("intention-to-treat (not assessable = non-responder)"
                                if r is None or r.not_assessable_as_nonresponder else "evaluable patients"),
        "cox": {"covariates": list(c.covariates), "reference": dict(c.reference), "ties": c.ties,
                "endpoints": list(c.endpoints), "firth_when_epv_below": c.firth_when_epv_below},
        "subgroups": list(protocol.subgroups),
        "methods": {
            "categorical_test": "Pearson chi-squared without continuity correction when every expected count "
                                ">= 5, otherwise Fisher's exact test (r x c exact)",
            "continuous_test": "Wilcoxon rank-sum (Mann-Whitney U), R wilcox.test defaults",
            "quartiles": "type 7 (R default)",
            "proportion_ci": "Clopper-Pearson exact",
            "km_ci": f"pointwise, {a.km_conf_type} transform (Greenwood variance)",
            "median_ci": "Brookmeyer-Crowley (inversion of the pointwise band, as R quantile.survfit)",
            "followup": "reverse Kaplan-Meier",
            "survival_test": "log-rank",
            "rmst_difference": "difference of per-arm RMSTs; SE = sqrt(se1^2 + se2^2); normal approximation",
            "cox": f"Cox proportional hazards, {c.ties} ties, Wald CI and p",
            "ph_test": "Grambsch-Therneau score test, km transform (R cox.zph)",
            "firth": "Firth-penalised Cox, profile penalised-likelihood CI (R coxphf), when EPV < "
                     f"{c.firth_when_epv_below:g} or separation",
            "interaction": "Wald test of the arm x subgroup interaction terms in a Cox model",
            "safety_test": "Fisher's exact test (two-sided)",
            "multiplicity": "no adjustment for multiple comparisons",
        },
        "two_arm": is_two_arm(protocol),
    }


def arm_hazard_ratio(adtte: pd.DataFrame, protocol: Protocol, endpoint: str) -> dict[str, Any]:
    """Unadjusted Cox HR of the experimental arm vs the reference arm for the KM plot annotation."""
    out: dict[str, Any] = {"method": f"unadjusted Cox model, {protocol.cox.ties} ties, Wald CI and p"}
    keys = ("hr", "hr_lower", "hr_upper", "p")
    if not is_two_arm(protocol):
        for k in keys:
            put_stat(out, k, None, "single-arm study: no between-arm comparison")
        return out
    rows = adtte.loc[adtte["endpoint"].astype(str).to_numpy() == endpoint].copy()
    rows["arm"] = rows["arm"].astype("string")
    design = build_design(rows, ["arm"], protocol)
    why = None
    if not design.terms:
        why = "a single arm observed"
    elif int(design.data["event"].sum()) == 0:
        why = "no events"
    if why is None:
        try:
            fit = fit_cox(design, ties=protocol.cox.ties)
            values, reason = fit.term_summary(0, protocol.analysis.conf_level)
            for k, v in zip(keys, values, strict=True):
                put_stat(out, k, v, reason)
            out["arm"], out["reference"] = design.terms[0].level, design.terms[0].reference
            out["warnings"] = list(fit.warnings)
            return out
        except ImportError:
            why = "Cox engine (oncocohort.stats.cox) not available"
        except FIT_ERRORS as exc:
            why = f"model not fitted ({exc})"
    for k in keys:
        put_stat(out, k, None, why)
    return out


def _flow(flow: Any) -> dict[str, Any] | None:
    if flow is None:
        return None
    if hasattr(flow, "to_dict"):
        return json_ready(flow.to_dict())
    if isinstance(flow, dict):
        return json_ready(flow)
    return None


def _provenance(sources: dict[str, dict] | None, protocol_path: str | Path | None, created: dt.datetime,
                elapsed: float) -> dict[str, Any]:
    from oncocohort import __version__
    import scipy

    protocol_info = None
    if protocol_path is not None and Path(protocol_path).is_file():
        data = Path(protocol_path).read_bytes()
        protocol_info = {"path": str(protocol_path), "sha256": hashlib.sha256(data).hexdigest()}
    return json_ready({
        "tool": "oncocohort", "version": __version__, "schema_version": SCHEMA_VERSION,
        "created_at": created.isoformat(timespec="seconds"), "elapsed_seconds": round(elapsed, 3),
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "pandas": pd.__version__, "protocol": protocol_info,
        "inputs": {k: dict(v) for k, v in (sources or {}).items()},
    })


__all__ = ["SCHEMA_VERSION", "StudyResults", "analyze", "analysis_settings", "arm_hazard_ratio",
           "study_block", "write_results_json"]
