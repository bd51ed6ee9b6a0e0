"""Treatments and adverse events with exact discontinuation and Table V counts.

Treatments: one drug row per patient (the ICI; started on day 0, or 3–7 days after MWA in the
combination arm) and, where the arm has a procedure, one procedure row on day 0. Stop reasons:

* ``progression`` — exactly k patients per arm, drawn among those with documented progression
  (filled, only if too few, with patients who died: clinical progression); the drug stops 0–10
  days after the progression scan (or 14–40 days before death);
* ``toxicity`` — exactly k per arm among the others with an on-treatment window; each gets the
  adverse event that caused it (the design's ``toxicity_causes``, e.g. grade 3 hyperbilirubinaemia
  or grade 2 pneumonitis), the drug stopping 3–10 days after its onset;
* otherwise ``death`` (drug stopped at death), ``other`` (lost to follow-up), or ongoing at the cutoff.

Adverse events: for every reporting group and arm, exactly ``any`` patients with an event and
``g34`` of them with grade 3–4 (the toxicity patients first), one record at the worst grade plus,
for a quarter, an earlier or later grade 1 episode (a patient is counted once per group). Onsets
fall inside the protocol's windows: treatment-attributed events between the first dose + 7 days
and the last dose (or last contact); procedure-attributed events on the procedure day or the next
(0–24 h) or 2–20 days after (1–30 days). About 15 % of records use a colloquial term of the
package's synonym list. A few records fall outside every window (before the first dose, or 150
days after the last dose) and must be excluded, not counted, by the derivation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.demo._sampling import weighted_pick

COLLOQUIAL = {
    "Fever": "Pyrexia", "Pruritus": "Itching", "Fatigue": "Tiredness", "Alanine aminotransferase increased": "Elevated ALT",
    "Hypoalbuminemia": "Low albumin", "Blood bilirubin increased": "Hyperbilirubinemia", "Diarrhea": "Diarrhoea",
    "Rash maculo-papular": "Skin rash",
}


@dataclass(frozen=True, slots=True)
class Course:
    """Per-patient days from treatment start (NaN: did not happen) needed by the safety tables."""

    arm: np.ndarray
    drug_start_day: np.ndarray
    procedure: np.ndarray          # bool: has a procedure on day 0
    progression_day: np.ndarray
    death_day: np.ndarray
    last_contact_day: np.ndarray


@dataclass(frozen=True, slots=True)
class Discontinuation:
    drug_end_day: np.ndarray       # NaN = ongoing
    stop_reason: np.ndarray
    toxicity_cause: np.ndarray     # reporting group of the causing AE ("" if none)
    toxicity_grade: np.ndarray
    toxicity_onset_day: np.ndarray


def assign_discontinuation(rng: np.random.Generator, c: Course, counts: Mapping[str, Mapping[str, int]],
                           causes: Mapping[str, Sequence[tuple[str, int]]], cutoff_day: np.ndarray) -> Discontinuation:
    """Stop reasons with exact per-arm counts (see the module docstring)."""
    n = c.arm.size
    dead = ~np.isnan(c.death_day)
    progressed = ~np.isnan(c.progression_day)
    prog_stop = np.zeros(n, dtype=bool)
    for arm, k in ((a, v["progression"]) for a, v in counts.items()):  # per arm
        in_arm = c.arm == arm
        first = weighted_pick(rng, np.ones(n), min(k, int((progressed & in_arm).sum())), progressed & in_arm)
        prog_stop |= first | weighted_pick(rng, np.ones(n), k - int(first.sum()), dead & ~progressed & in_arm)
    end = np.where(prog_stop & progressed, c.progression_day + rng.integers(0, 11, n), np.nan)
    end = np.where(prog_stop & ~progressed, c.death_day - rng.integers(14, 41, n), end)
    end = np.minimum(end, np.where(dead, c.death_day, c.last_contact_day))

    # Toxicity: an on-treatment window of at least a week before progression / death / last contact.
    until = np.fmin(c.progression_day, np.where(dead, c.death_day, c.last_contact_day)) - 14
    lo = c.drug_start_day + 21
    tox_ok = ~prog_stop & (until - lo >= 7)
    tox_stop = np.zeros(n, dtype=bool)
    cause = np.full(n, "", dtype=object)
    grade = np.zeros(n, dtype=np.int64)
    for arm, k in ((a, v["toxicity"]) for a, v in counts.items()):
        picked = np.flatnonzero(weighted_pick(rng, np.ones(n), k, tox_ok & (c.arm == arm)))
        tox_stop[picked] = True
        cause[picked] = [g for g, _ in causes[arm]][:k]
        grade[picked] = [gr for _, gr in causes[arm]][:k]
    onset = np.where(tox_stop, np.floor(lo + rng.random(n) * np.maximum(until - lo, 0)), np.nan)
    end = np.where(tox_stop, onset + rng.integers(3, 11, n), end)

    reason = np.where(prog_stop, "progression", np.where(tox_stop, "toxicity", "")).astype(object)
    other = ~prog_stop & ~tox_stop
    lost = other & ~dead & (c.last_contact_day < cutoff_day - 60)
    reason[other & dead] = "death"
    reason[lost] = "other"  # lost to follow-up (the template's stop reasons have no such value)
    end = np.where(other & dead, c.death_day, np.where(lost, c.last_contact_day, end))
    end = np.maximum(end, c.drug_start_day)
    return Discontinuation(end, reason, cause, grade, onset)


def build_treatments(patient_id: np.ndarray, start_date: np.ndarray, c: Course, d: Discontinuation,
                     drug_names: np.ndarray, procedure_name: str | None) -> pd.DataFrame:
    def date(day: np.ndarray) -> np.ndarray:
        out = start_date + np.nan_to_num(day).astype("timedelta64[D]")
        return np.where(np.isnan(day), np.datetime64("NaT"), out)

    has = ~np.isnan(c.drug_start_day)  # procedure-only arms have no drug row
    rows = [pd.DataFrame({"idx": np.flatnonzero(has), "kind": "drug", "name": drug_names[has],
                          "start_date": date(c.drug_start_day.astype(float))[has], "end_date": date(d.drug_end_day)[has],
                          "stop_reason": np.where(d.stop_reason == "", np.asarray(None, dtype=object), d.stop_reason)[has]})]
    if procedure_name is not None:
        p = c.procedure
        rows.append(pd.DataFrame({"idx": np.flatnonzero(p), "kind": "procedure", "name": procedure_name,
                                  "start_date": start_date[p], "end_date": start_date[p], "stop_reason": None}))
    out = pd.concat(rows, ignore_index=True)
    order = np.lexsort((out["kind"].to_numpy() == "procedure", out["idx"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "patient_id", patient_id[out.pop("idx").to_numpy()])
    return out
