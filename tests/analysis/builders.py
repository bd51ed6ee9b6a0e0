"""Builders of DerivedStudy-shaped frames for the analysis tests (contract: docs/architecture.md item 4).

``expand_counts`` turns published per-arm counts into one row per patient, so a paper table can be
fed through the analysis functions; ``synthetic_study`` draws a seeded two-arm (or single-arm)
study with every column the analysis reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.protocol import Protocol


def expand_counts(counts: dict[str, dict[str, int]], column: str) -> pd.DataFrame:
    """{arm: {value: n}} → one row per patient with ``patient_id, arm, analysed, <column>``."""
    rows = [(arm, value) for arm, by_value in counts.items() for value, n in by_value.items() for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["arm", column])
    frame.insert(0, "patient_id", [f"P{i:03d}" for i in range(len(frame))])
    frame["analysed"] = True
    return frame


@dataclass
class FakeDerived:
    """Stand-in for oncocohort.endpoints.DerivedStudy with the attributes analyze() reads."""

    protocol: Protocol
    adsl: pd.DataFrame
    adtte: pd.DataFrame
    adae: pd.DataFrame
    flow: Any = None
    labs: pd.DataFrame | None = None
    treatments: pd.DataFrame | None = None
    notes: tuple = field(default_factory=tuple)


def synthetic_study(protocol: Protocol, *, n: int = 80, seed: int = 20260523) -> FakeDerived:
    """A seeded study with the contract columns for the protocol's variables, endpoints and AEs."""
    rng = np.random.default_rng(seed)
    arms = protocol.arm_ids
    arm = np.array(arms)[rng.integers(0, len(arms), n)]
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    adsl = pd.DataFrame({"patient_id": [f"S{i:03d}" for i in range(n)], "arm": arm, "eligible": True,
                         "analysed": True, "treatment_start_date": start})
    for v in protocol.variables:
        if v.type == "continuous":
            x = np.round(rng.lognormal(3.5, 1.0, n), 1) if v.name != "age" else rng.integers(40, 80, n).astype(float)
            adsl[v.name] = x
            if v.cut is not None:
                labels = v.cut.labels or [f"g{i}" for i in range(len(v.cut.at) + 1)]
                bins = [-np.inf, *v.cut.at, np.inf]
                adsl[v.cut.name] = pd.cut(x, bins, right=v.cut.closed == "right", labels=labels)
        elif v.type in ("categorical", "binary"):
            adsl[v.name] = pd.Categorical(np.array(v.levels)[rng.integers(0, len(v.levels), n)], categories=v.levels)
    if "age" in adsl:
        adsl.loc[3, "age"] = np.nan  # one missing value: counted, never dropped silently
    trt = (arm != arms[0]).astype(float)
    best = np.array(["CR", "PR", "SD", "PD", "NE"])[rng.choice(5, n, p=[0.1, 0.2, 0.4, 0.25, 0.05])]
    adsl["best_response"] = pd.array(best, dtype="string")
    adsl.loc[5, "best_response"] = pd.NA
    adsl["best_pct_change"] = np.where(best == "NE", np.nan, np.round(rng.normal(-10, 30, n), 1))
    adsl["discontinued_toxicity"] = pd.array(rng.random(n) < 0.15, dtype="boolean")
    adsl["discontinued_progression"] = pd.array(rng.random(n) < 0.5, dtype="boolean")
    os_t = np.round(rng.exponential(14 * np.exp(0.5 * trt), n), 2) + 0.1
    cens = rng.uniform(6, 30, n)
    death = os_t <= cens
    adsl["death_date"] = pd.NaT
    adsl.loc[death, "death_date"] = start[death] + pd.to_timedelta(np.round(os_t[death] * 30.4375), unit="D")
    adsl["last_contact_date"] = start + pd.to_timedelta(np.round(np.minimum(os_t, cens) * 30.4375), unit="D")
    adsl["synthetic"] = True
    pfs_t = np.minimum(np.round(rng.exponential(6 * np.exp(0.6 * trt), n), 2) + 0.05, np.minimum(os_t, cens))
    pfs_e = (pfs_t < np.minimum(os_t, cens)) | death
    rows = []
    for ep, t, e in (("os", np.minimum(os_t, cens), death), ("pfs", pfs_t, pfs_e)):
        rows.append(pd.DataFrame({"patient_id": adsl["patient_id"], "arm": arm, "endpoint": ep,
                                  "time_months": t, "time_days": np.round(t * 30.4375), "event": e.astype(int)}))
    adtte = pd.concat(rows, ignore_index=True)
    terms = list(protocol.safety.reporting_groups) or ["Fatigue", "Rash"]
    m = 3 * n
    adae = pd.DataFrame({"patient_id": adsl["patient_id"].to_numpy()[rng.integers(0, n, m)],
                         "reporting_group": np.array(terms)[rng.integers(0, len(terms), m)],
                         "grade": rng.choice([1, 2, 3, 4, 5], m, p=[0.45, 0.3, 0.15, 0.08, 0.02]),
                         "included": rng.random(m) < 0.9,
                         "window": np.array(["on-treatment", "procedure 0–24 h"])[rng.integers(0, 2, m)]})
    adae["term"] = adae["reporting_group"]
    adae["ctcae_term"] = adae["reporting_group"]
    return FakeDerived(protocol, adsl, adtte, adae)


def make_protocol(*, variables: list[dict] | None = None, covariates: list[str] | None = None,
                  reference: dict[str, str] | None = None, subgroups: list[str] | None = None,
                  design: str = "two-arm", analysis: dict | None = None, cox_endpoints: list[str] | None = None,
                  ties: str = "efron") -> Protocol:
    """A minimal valid protocol: arms ``ici`` (reference) and ``ici_mwa`` (or ``ici`` alone)."""
    from oncocohort.protocol import parse_protocol

    arms = [{"id": "ici", "label": "ICIs"}]
    if design == "two-arm":
        arms.append({"id": "ici_mwa", "label": "ICIs + MWA"})
    raw = {"study": {"name": "test", "title": "Test study", "design": design},
           "arms": arms, "reference_arm": "ici" if design == "two-arm" else None,
           "data_cutoff": "2025-06-30", "data": {"patients": "patients.csv"},
           "endpoints": {"os": {"events": ["death"]}},
           "variables": variables or [], "subgroups": subgroups or [],
           "cox": {"covariates": covariates or [], "reference": reference or {}, "ties": ties,
                   "endpoints": cox_endpoints or ["os"]},
           "analysis": analysis or {}}
    return parse_protocol(raw)


def reference_frames(csv_path, *, arm_column: str, arm_map: dict, categorical: dict[str, list[str]]):
    """adsl / adtte (endpoint os) from a reference CSV: time → time_months, status → event."""
    d = pd.read_csv(csv_path)
    adsl = pd.DataFrame({"patient_id": d["id"].astype(str), "arm": d[arm_column].map(arm_map), "analysed": True})
    for col in d.columns:
        if col in categorical:
            adsl[col] = pd.Categorical(d[col].map(lambda v: None if pd.isna(v) else str(int(v))),
                                       categories=categorical[col])
        elif col not in ("id", "time", "status"):
            adsl[col] = d[col].astype(float)
    adtte = pd.DataFrame({"patient_id": adsl["patient_id"], "arm": adsl["arm"], "endpoint": "os",
                          "time_months": d["time"].astype(float), "event": d["status"].astype(int)})
    return adsl, adtte
