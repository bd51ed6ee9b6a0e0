"""The ``adverse_events`` table with exact any-grade and grade 3–4 counts per reporting group and arm.

See :mod:`oncocohort.demo.safety` for the model; this module draws the records. Loops run over
(reporting group × arm), never over patients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from oncocohort.demo._sampling import weighted_pick
from oncocohort.demo.safety import COLLOQUIAL, Course, Discontinuation


def _window(c: Course, d: Discontinuation) -> tuple[np.ndarray, np.ndarray]:
    """On-treatment window [first dose + 7, last dose or last contact, and before death] in days."""
    dead = ~np.isnan(c.death_day)
    stop = np.where(np.isnan(d.drug_end_day), c.last_contact_day, d.drug_end_day)
    stop = np.minimum(stop, np.where(dead, c.death_day - 1, c.last_contact_day))
    lo = c.drug_start_day + 7.0
    return lo, np.maximum(stop, lo)


def build_adverse_events(rng: np.random.Generator, patient_id: np.ndarray, start_date: np.ndarray, c: Course,
                         d: Discontinuation, table: Mapping[str, Mapping[str, tuple[int, int]]],
                         groups: Mapping[str, Sequence[str]], procedure_share: Mapping[str, float]) -> pd.DataFrame:
    """Records for every (group, arm) cell of ``table`` (group -> arm -> (any grade, grade 3–4)).

    ``groups`` maps a reporting group to its CTCAE terms (the protocol's ``reporting_groups``);
    ``procedure_share`` is the fraction of a group's events attributed to the procedure in arms
    that have one (e.g. post-ablation transaminitis), the rest being treatment-attributed.
    """
    n = c.arm.size
    lo, hi = _window(c, d)
    dead = ~np.isnan(c.death_day)
    alive_until = np.where(dead, c.death_day, c.last_contact_day)
    rows: list[pd.DataFrame] = []
    for group, per_arm in table.items():
        terms = np.asarray(groups[group], dtype=object)
        for arm, (n_any, n_g34) in per_arm.items():
            in_arm = c.arm == arm
            tox = in_arm & (d.toxicity_cause == group)
            g34 = tox & (d.toxicity_grade >= 3)
            g34 |= weighted_pick(rng, np.ones(n), n_g34 - int(g34.sum()), in_arm & ~g34 & ~tox)
            anyg = g34 | tox
            anyg |= weighted_pick(rng, np.ones(n), n_any - int(anyg.sum()), in_arm & ~anyg)
            idx = np.flatnonzero(anyg)
            m = idx.size
            if m == 0:
                continue
            grade = np.where(g34[idx], np.where(rng.random(m) < 0.2, 4, 3), np.where(rng.random(m) < 0.6, 1, 2))
            grade = np.where(tox[idx], d.toxicity_grade[idx], grade)
            no_drug = np.isnan(c.drug_start_day[idx])  # procedure-only patients: every event is procedural
            proc = c.procedure[idx] & ~tox[idx] & ((rng.random(m) < procedure_share.get(group, 0.0)) | no_drug)
            t_onset = np.floor(np.nan_to_num(lo[idx]) + rng.random(m) * np.nan_to_num(hi[idx] - lo[idx]))
            p_onset = np.where(rng.random(m) < 0.5, rng.integers(0, 2, m), rng.integers(2, 21, m)).astype(float)
            onset = np.where(tox[idx], d.toxicity_onset_day[idx], np.where(proc, p_onset, t_onset))
            term = terms[np.where(rng.random(m) < 0.75, 0, rng.integers(0, terms.size, m))]
            frame = pd.DataFrame({"pid": idx, "term": term, "grade": grade, "onset": onset,
                                  "attribution": np.where(proc, "procedure", "treatment")})
            # A quarter get a second, grade 1 episode of the same group while on treatment.
            extra = (rng.random(m) < 0.25) & ~no_drug
            second = pd.DataFrame({"pid": idx[extra], "term": terms[rng.integers(0, terms.size, int(extra.sum()))],
                                   "grade": 1, "attribution": "treatment",
                                   "onset": np.floor(lo[idx[extra]] + rng.random(int(extra.sum())) * (hi[idx[extra]] - lo[idx[extra]]))})
            rows += [frame, second]
    ae = pd.concat(rows, ignore_index=True)
    colloquial = rng.random(len(ae)) < 0.15
    ae["term"] = np.where(colloquial, ae["term"].map(COLLOQUIAL).fillna(ae["term"]), ae["term"])
    resolution = ae["onset"].to_numpy() + rng.integers(5, 41, len(ae))
    ae["resolution"] = np.where(resolution <= alive_until[ae["pid"].to_numpy()], resolution, np.nan)
    ae = pd.concat([ae, _outside_windows(rng, c, d, table, groups)], ignore_index=True)
    return _dated(ae, patient_id, start_date)


def _outside_windows(rng: np.random.Generator, c: Course, d: Discontinuation,
                     table: Mapping[str, Mapping[str, tuple[int, int]]], groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Records the derivation must exclude: one before the first dose, one 150 days after the last dose.

    Each goes to an arm whose published count for that group is 0, so counting it by mistake
    would show in the table.
    """
    n = c.arm.size
    zero = [(g, a) for g, per_arm in table.items() for a, (k, _) in per_arm.items() if k == 0]
    dead = ~np.isnan(c.death_day)
    alive_until = np.where(dead, c.death_day, c.last_contact_day)
    out = []
    if zero:
        g, a = zero[0]
        has_drug = (c.arm == a) & ~np.isnan(c.drug_start_day)
        pre = weighted_pick(rng, np.ones(n), 1, has_drug) if has_drug.any() else np.zeros(n, bool)
        out.append(pd.DataFrame({"pid": np.flatnonzero(pre), "term": groups[g][0], "grade": 1,
                                 "attribution": "treatment", "onset": c.drug_start_day[pre] - 10.0,
                                 "resolution": c.drug_start_day[pre] - 2.0}))
        g, a = zero[min(1, len(zero) - 1)]
        late_ok = (c.arm == a) & ~np.isnan(d.drug_end_day) & (alive_until > d.drug_end_day + 160)
        if late_ok.any():
            late = weighted_pick(rng, np.ones(n), 1, late_ok)
            out.append(pd.DataFrame({"pid": np.flatnonzero(late), "term": groups[g][0], "grade": 1,
                                     "attribution": "treatment", "onset": d.drug_end_day[late] + 150.0,
                                     "resolution": np.nan}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["pid", "term", "grade", "attribution", "onset", "resolution"])


def _dated(ae: pd.DataFrame, patient_id: np.ndarray, start_date: np.ndarray) -> pd.DataFrame:
    pid = ae["pid"].to_numpy().astype(np.int64)
    onset = start_date[pid] + ae["onset"].to_numpy().astype(float).astype("timedelta64[D]")
    res = ae["resolution"].to_numpy()
    resolution = np.where(np.isnan(res), np.datetime64("NaT"), start_date[pid] + np.nan_to_num(res).astype("timedelta64[D]"))
    out = pd.DataFrame({"patient_id": patient_id[pid], "term": ae["term"].to_numpy(), "grade": ae["grade"].astype(int),
                        "onset_date": onset, "resolution_date": resolution, "attribution": ae["attribution"].to_numpy()})
    return out.sort_values(["patient_id", "onset_date", "term"], kind="stable").reset_index(drop=True)
