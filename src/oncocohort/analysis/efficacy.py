"""Short-term efficacy (the seed paper's Table II): best overall response, ORR and DCR by arm.

Definitions (seed 001 "Safety and efficacy"; RECIST 1.1 §4.4 / mRECIST):

* ORR = (CR + PR) / N, DCR = (CR + PR + SD) / N, each with an exact Clopper–Pearson CI
  (R: ``binom.test(x, n)$conf.int``).
* Population: intention to treat when the protocol's ``response.not_assessable_as_nonresponder``
  is true (default; N = all analysed patients, NE counted as non-responders, as the paper), else
  evaluable patients only (N = CR + PR + SD + PD). The other population is always reported as the
  sensitivity analysis ("evaluable-only" for the ITT primary).
* A patient without any best response (not evaluated) is counted as NE ("not assessable") and the
  number is kept in ``n_not_evaluated``. iRECIST and non-target-only values are mapped: iCR→CR,
  iPR→PR, iSD→SD, iUPD/iCPD→PD, NON-CR/NON-PD→SD (disease control, RECIST 1.1 §4.3.4).
* Between-arm p for ORR, DCR (2 × 2: arm × responder) and the whole distribution (arm × CR/PR/SD/
  PD/NE without empty categories) by the paper's rule: Pearson χ² without continuity correction
  when every expected count is ≥ 5, else Fisher's exact test. Two-arm studies only.

References
----------
[1] Eisenhauer EA, et al. New response evaluation criteria in solid tumours: revised RECIST guideline
    (version 1.1). Eur J Cancer 2009;45:228–247, §4.4 (best overall response).
[2] Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular carcinoma.
    Semin Liver Dis 2010;30:52–60.
[3] Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 1934;26:404–413.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.analysis._common import SINGLE_ARM_REASON, analysed_only, arm_values, is_two_arm, put_stat
from oncocohort.errors import Note
from oncocohort.protocol import Protocol
from oncocohort.stats.binomial import ProportionEstimate, proportion_estimate
from oncocohort.stats.contingency import RuleBasedTestResult, compare_proportions_by_rule

CATEGORIES = ("CR", "PR", "SD", "PD", "NE")
RESPONSE_MAP = {"CR": "CR", "PR": "PR", "SD": "SD", "PD": "PD", "NE": "NE", "ICR": "CR", "IPR": "PR",
                "ISD": "SD", "IUPD": "PD", "ICPD": "PD", "NON-CR/NON-PD": "SD", "NON-ICR/NON-IUPD": "SD",
                "NN": "SD"}


@dataclass(frozen=True, slots=True)
class ArmResponse:
    """Best-response counts of one arm (or overall) with ORR and DCR."""

    counts: dict[str, int]
    n: int
    n_not_evaluated: int
    denominator: int
    orr: ProportionEstimate
    dcr: ProportionEstimate

    def to_dict(self) -> dict[str, Any]:
        pct = {k: (100.0 * v / self.n if self.n else None) for k, v in self.counts.items()}
        return {"n": self.n, "denominator": self.denominator, "n_not_evaluated": self.n_not_evaluated,
                "counts": dict(self.counts), "percent": pct, "orr": _prop_dict(self.orr), "dcr": _prop_dict(self.dcr)}


@dataclass(frozen=True, slots=True)
class ResponseTests:
    """Between-arm tests (None with a reason in single-arm studies or without variation)."""

    orr: RuleBasedTestResult | None
    dcr: RuleBasedTestResult | None
    distribution: RuleBasedTestResult | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("orr", "dcr", "distribution"):
            res: RuleBasedTestResult | None = getattr(self, name)
            put_stat(out, f"{name}_p", None if res is None else res.p, self.reason if res is None else res.reason)
            out[f"{name}_test"] = None if res is None else res.test
            out[f"{name}_method"] = None if res is None else res.method
            out[f"{name}_test_reason"] = self.reason if res is None else res.reason
        return out


@dataclass(frozen=True, slots=True)
class ResponseAnalysis:
    """Response by arm and overall in one population (ITT or evaluable) with between-arm tests."""

    population: str
    by_arm: dict[str, ArmResponse]
    overall: ArmResponse
    tests: ResponseTests

    def to_dict(self) -> dict[str, Any]:
        return {"population": self.population, "by_arm": {a: r.to_dict() for a, r in self.by_arm.items()},
                "overall": self.overall.to_dict(), "tests": self.tests.to_dict()}


@dataclass(frozen=True, slots=True)
class EfficacySummary:
    """Table II: the primary population and the sensitivity population, and notes."""

    primary: ResponseAnalysis
    sensitivity: ResponseAnalysis
    criteria: str | None
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        out = self.primary.to_dict()
        out["criteria"] = self.criteria
        out["sensitivity"] = self.sensitivity.to_dict()
        out["notes"] = [str(n) for n in self.notes]
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per arm (and overall): counts, ORR and DCR with CIs (primary population)."""
        rows = []
        for name, r in [*self.primary.by_arm.items(), ("overall", self.primary.overall)]:
            rows.append({"arm": name, "n": r.n, **r.counts, "orr": r.orr.estimate, "orr_lower": r.orr.lower,
                         "orr_upper": r.orr.upper, "dcr": r.dcr.estimate, "dcr_lower": r.dcr.lower,
                         "dcr_upper": r.dcr.upper})
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        t = self.primary.tests
        return pd.DataFrame([{"population": self.primary.population,
                              "orr_p": None if t.orr is None else t.orr.p,
                              "dcr_p": None if t.dcr is None else t.dcr.p}])


def best_response_categories(values: pd.Series) -> tuple[pd.Series, int, list[str]]:
    """Map best responses to CR/PR/SD/PD/NE; missing → NE. Returns (categories, n missing, unknown values)."""
    text = values.astype("string").str.strip().str.upper()
    missing = text.isna()
    mapped = text.map(RESPONSE_MAP)
    unknown = sorted(set(text[mapped.isna() & ~missing].dropna().tolist()))
    return mapped.fillna("NE").astype(str), int(missing.sum()), unknown


def efficacy_summary(adsl: pd.DataFrame, protocol: Protocol) -> EfficacySummary:
    """Table II from ``adsl.best_response`` of the analysed patients (rules: module docstring)."""
    data = analysed_only(adsl)
    arms = list(protocol.arm_ids)
    arm = arm_values(data).to_numpy(dtype=object)
    best, n_missing, unknown = best_response_categories(data["best_response"])
    notes: list[Note] = []
    if n_missing:
        notes.append(Note("patients without a best overall response counted as not assessable (NE)", n_missing))
    if unknown:
        notes.append(Note(f"unrecognised best-response values counted as NE: {unknown}"))
    itt = protocol.response is None or protocol.response.not_assessable_as_nonresponder
    conf = protocol.analysis.conf_level
    missing_mask = data["best_response"].isna().to_numpy()
    itt_analysis = _analyse(best.to_numpy(dtype=object), missing_mask, arm, arms, protocol, conf, itt=True)
    eval_analysis = _analyse(best.to_numpy(dtype=object), missing_mask, arm, arms, protocol, conf, itt=False)
    primary, sensitivity = (itt_analysis, eval_analysis) if itt else (eval_analysis, itt_analysis)
    criteria = None if protocol.response is None else protocol.response.criteria
    return EfficacySummary(primary, sensitivity, criteria, tuple(notes))


def _analyse(best: np.ndarray, missing: np.ndarray, arm: np.ndarray, arms: list[str], protocol: Protocol,
             conf: float, *, itt: bool) -> ResponseAnalysis:
    by_arm = {a: _arm_response(best[arm == a], missing[arm == a], conf, itt=itt) for a in arms}
    overall = _arm_response(best, missing, conf, itt=itt)
    if not is_two_arm(protocol):
        tests = ResponseTests(None, None, None, SINGLE_ARM_REASON)
    else:
        ref, trt = arms
        cats = [c for c in CATEGORIES if itt or c != "NE"]
        dist = np.array([[by_arm[a].counts[c] for c in cats] for a in (ref, trt)])
        dist = dist[:, dist.sum(axis=0) > 0]
        distribution = compare_proportions_by_rule(dist) if dist.shape[1] >= 2 else None
        tests = ResponseTests(_compare(by_arm[ref].orr, by_arm[trt].orr), _compare(by_arm[ref].dcr, by_arm[trt].dcr),
                              distribution,
                              None if distribution is not None else "fewer than two response categories observed")
    return ResponseAnalysis("intention-to-treat" if itt else "evaluable", by_arm, overall, tests)


def _compare(reference: ProportionEstimate, other: ProportionEstimate) -> RuleBasedTestResult:
    """2 × 2 arm × (responder, non-responder) by the paper's χ²-or-Fisher rule."""
    return compare_proportions_by_rule([[e.x, e.n - e.x] for e in (reference, other)])


def _arm_response(best: np.ndarray, missing: np.ndarray, conf: float, *, itt: bool) -> ArmResponse:
    counts = {c: int(np.sum(best == c)) for c in CATEGORIES}
    n = int(best.size)
    denominator = n if itt else n - counts["NE"]
    responders = counts["CR"] + counts["PR"]
    orr = proportion_estimate(responders, denominator, conf_level=conf)
    dcr = proportion_estimate(responders + counts["SD"], denominator, conf_level=conf)
    return ArmResponse(counts, n, int(missing.sum()), denominator, orr, dcr)


def _prop_dict(p: ProportionEstimate) -> dict[str, Any]:
    out: dict[str, Any] = {"x": p.x, "n": p.n, "method": p.method, "conf_level": p.conf_level}
    why = "no patient in the denominator"
    put_stat(out, "estimate", p.estimate, why)
    put_stat(out, "lower", p.lower, why)
    put_stat(out, "upper", p.upper, why)
    return out
