"""The ``adverse_events`` table with exact any-grade and grade 3–4 counts per reporting group and arm.

See :mod:`oncocohort.demo.safety` for the model; this module draws the records. Loops run over
(reporting group × arm), never over patients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from oncocohort.demo._sampling import append_rows, weighted_pick
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
    arm_mask = {a: c.arm == a for a in {a for per_arm in table.values() for a in per_arm}}
    cols: dict[str, list[np.ndarray]] = {"pid": [], "term": [], "grade": [], "onset": [], "procedure": []}

    def add(pid, term, grade, onset, procedure) -> None:
        for key, value in zip(cols, (pid, term, grade, onset, procedure), strict=True):
            cols[key].append(np.asarray(value))

    for group, per_arm in table.items():
        terms = np.asarray(groups[group], dtype=object)
        cause = d.toxicity_cause == group
        for arm, (n_any, n_g34) in per_arm.items():
            in_arm = arm_mask[arm]
            tox = in_arm & cause
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
            add(idx, terms[np.where(rng.random(m) < 0.75, 0, rng.integers(0, terms.size, m))], grade, onset, proc)
            # A quarter get a second, grade 1 episode of the same group while on treatment.
            e = idx[(rng.random(m) < 0.25) & ~no_drug]
            add(e, terms[rng.integers(0, terms.size, e.size)], np.ones(e.size, dtype=np.int64),
                np.floor(lo[e] + rng.random(e.size) * (hi[e] - lo[e])), np.zeros(e.size, dtype=bool))
    ae = pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})
    ae["attribution"] = np.where(ae.pop("procedure").to_numpy(dtype=bool), "procedure", "treatment")
    colloquial = rng.random(len(ae)) < 0.15
    term = ae["term"].to_numpy(dtype=object)
    mapped = pd.Series(term).map(COLLOQUIAL).to_numpy(dtype=object)
    ae["term"] = np.where(colloquial & pd.notna(mapped), mapped, term)
    resolution = ae["onset"].to_numpy(dtype=float) + rng.integers(5, 41, len(ae))
    ae["resolution"] = np.where(resolution <= alive_until[ae["pid"].to_numpy()], resolution, np.nan)
    ae = append_rows(ae, _outside_windows(rng, c, d, table, groups))
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
    onset_day = ae["onset"].to_numpy().astype(float)
    order = np.lexsort((onset_day, pid))  # patient (row order of the inputs), then onset
    pid, onset_day = pid[order], onset_day[order]
    res = ae["resolution"].to_numpy().astype(float)[order]
    onset = start_date[pid] + onset_day.astype("timedelta64[D]")
    resolution = np.where(np.isnan(res), np.datetime64("NaT"), start_date[pid] + np.nan_to_num(res).astype("timedelta64[D]"))
    return pd.DataFrame({"patient_id": patient_id[pid], "term": ae["term"].to_numpy()[order],
                         "grade": ae["grade"].to_numpy().astype(int)[order], "onset_date": onset,
                         "resolution_date": resolution, "attribution": ae["attribution"].to_numpy()[order]})
