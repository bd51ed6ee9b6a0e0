"""Safety (the seed paper's Table V): patients with adverse events by term, grade and arm.

Counting (CTCAE convention; seed 001 "Safety and efficacy"): only events the derivation included
(``adae.included``: inside the treatment-emergent or a procedure window) of analysed patients
count. Each event is reported under its protocol reporting group (e.g. "Transaminitis" = ALT or
AST increased), else its CTCAE term, else the term as recorded. A patient counts once per row, at
the worst grade of the row's events:

* ``any_grade``: patients with an event of any grade; ``grade_3_plus``: worst grade ≥ 3 (grade 5
  included); ``grade_5``: patients with a fatal (grade 5) event, shown on its own. The paper's
  "Grade 3–4" column equals ``grade_3_plus`` when no grade 5 event occurred.
* Per cent of the arm's analysed patients.
* p: two-sided Fisher's exact test of the 2 × 2 table arm × (patients with / without), R
  ``fisher.test(matrix(c(a, n1 − a, b, n2 − b), 2))``; null when neither arm has a patient with
  the event (the paper's "-"), and in single-arm studies.

Rows: every protocol reporting group in protocol order (also when nobody had the event), then
the other terms by decreasing frequency and name; a first "Any adverse event" row. Also the
patients with an event per window (on-treatment, procedure 0–24 h, 1–30 days) and treatment
discontinuation due to toxicity and due to progression per arm (``adsl`` flags).

References
----------
[1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) v5.0, 2017
    (grades; "a patient is counted once, at the worst grade").
[2] Fisher RA. Statistical Methods for Research Workers, 5th ed. Oliver & Boyd; 1934 (exact test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.analysis._common import SINGLE_ARM_REASON, analysed_only, arm_values, is_two_arm, put_stat
from oncocohort.errors import Note
from oncocohort.protocol import Protocol
from oncocohort.stats.contingency import fisher_exact

ANY_EVENT = "Any adverse event"
NONE_REASON = "no patient with the event in either arm"


@dataclass(frozen=True, slots=True)
class SafetySummary:
    """Table V rows and discontinuation counts; ``to_dict`` gives the results.json ``safety`` block."""

    arms: tuple[str, ...]
    n_by_arm: dict[str, int]
    ctcae_version: str
    any_event: dict[str, Any]
    terms: tuple[dict[str, Any], ...]
    by_window: tuple[dict[str, Any], ...]
    discontinuation: dict[str, Any]
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"arms": list(self.arms), "n_by_arm": dict(self.n_by_arm), "ctcae_version": self.ctcae_version,
                "test": "Fisher's exact test (two-sided)", "any_event": self.any_event,
                "terms": list(self.terms), "by_window": list(self.by_window),
                "discontinuation": self.discontinuation, "notes": [str(n) for n in self.notes]}

    def to_frame(self) -> pd.DataFrame:
        """One row per term: per-arm any-grade / grade ≥ 3 / grade 5 counts and both p-values."""
        recs = []
        for row in (self.any_event, *self.terms):
            rec = {"term": row["term"]}
            for a, cell in row["by_arm"].items():
                for k in ("any_grade", "grade_3_plus", "grade_5"):
                    rec[f"{a}_{k}"] = cell[k]
            rec["p_any"], rec["p_grade3"] = row["p_any"], row["p_grade3"]
            recs.append(rec)
        return pd.DataFrame(recs)

    summary = to_frame


def safety_summary(adsl: pd.DataFrame, adae: pd.DataFrame, protocol: Protocol) -> SafetySummary:
    """Table V (rules: module docstring)."""
    subjects = analysed_only(adsl)
    arms = list(protocol.arm_ids)
    subj_arm = arm_values(subjects)
    n_by_arm = {a: int((subj_arm == a).sum()) for a in arms}
    arm_of = dict(zip(subjects["patient_id"].astype(str), subj_arm.astype(object), strict=True))
    notes: list[Note] = []
    events = adae.copy()
    events["patient_id"] = events["patient_id"].astype(str)
    if "included" in events.columns:
        inc = events["included"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if (~inc).sum():
            notes.append(Note("adverse events outside every safety window not counted", int((~inc).sum())))
        events = events.loc[inc]
    in_pop = events["patient_id"].isin(arm_of.keys()).to_numpy()
    if (~in_pop).sum():
        notes.append(Note("adverse events of patients outside the analysis population not counted",
                          int((~in_pop).sum())))
    events = events.loc[in_pop].copy()
    events["arm"] = events["patient_id"].map(arm_of)
    events["grade"] = pd.to_numeric(events["grade"], errors="coerce")
    if events["grade"].isna().any():
        notes.append(Note("adverse events without a grade counted at any grade only",
                          int(events["grade"].isna().sum())))
    events["row"] = _row_key(events)
    worst = events.groupby(["row", "patient_id", "arm"], observed=True)["grade"].max().reset_index()
    group_order = list(protocol.safety.reporting_groups)
    others = (worst.loc[~worst["row"].isin(group_order)].groupby("row")["patient_id"].nunique()
              .reset_index().sort_values(["patient_id", "row"], ascending=[False, True])["row"].tolist())
    two_arm = is_two_arm(protocol)
    terms = []
    for name in [*group_order, *others]:
        sub = worst.loc[worst["row"] == name]
        row = _count_row(name, sub, arms, n_by_arm, two_arm)
        row["kind"] = "reporting_group" if name in group_order else "term"
        row["ctcae_terms"] = list(protocol.safety.reporting_groups.get(name, [name]))
        terms.append(row)
    per_patient = events.groupby(["patient_id", "arm"], observed=True)["grade"].max().reset_index()
    any_event = _count_row(ANY_EVENT, per_patient, arms, n_by_arm, two_arm)
    any_event["kind"] = "any"
    by_window = []
    if "window" in events.columns and len(events):
        for window, sub in events.groupby(events["window"].astype(str), sort=True):
            w = sub.groupby(["patient_id", "arm"], observed=True)["grade"].max().reset_index()
            by_window.append({**_count_row(str(window), w, arms, n_by_arm, two_arm), "window": str(window)})
    disc = discontinuation_counts(subjects, subj_arm, arms, n_by_arm, two_arm)
    return SafetySummary(tuple(arms), n_by_arm, protocol.safety.ctcae_version, any_event, tuple(terms),
                         tuple(by_window), disc, tuple(notes))


def _row_key(events: pd.DataFrame) -> pd.Series:
    """Reporting group, else CTCAE term, else the term as recorded."""
    key = pd.Series(pd.NA, index=events.index, dtype="string")
    for col in ("reporting_group", "ctcae_term", "term"):
        if col in events.columns:
            key = key.fillna(events[col].astype("string"))
    return key.fillna("unknown term")


def _count_row(name: str, worst: pd.DataFrame, arms: list[str], n_by_arm: dict[str, int], two_arm: bool
               ) -> dict[str, Any]:
    """Counts per arm of patients (one row per patient: worst grade) and Fisher p for any / ≥3 / 5."""
    grade = worst["grade"].to_numpy(np.float64)
    arm = worst["arm"].to_numpy(dtype=object)
    row: dict[str, Any] = {"term": name, "by_arm": {}, "overall": {}}
    n_total = sum(n_by_arm.values())
    cells = {}
    for group, mask, n in [*[(a, arm == a, n_by_arm[a]) for a in arms], ("overall", np.ones(arm.size, bool), n_total)]:
        g = grade[mask]
        c: dict[str, int | float | None] = {"any_grade": int(mask.sum()), "grade_3_plus": int(np.sum(g >= 3)),
                                            "grade_5": int(np.sum(g >= 5))}
        for k in list(c):
            c[f"{k}_percent"] = 100.0 * int(c[k] or 0) / n if n else None
        cells[group] = c
    row["overall"] = cells.pop("overall")
    row["by_arm"] = cells
    for key, count in (("p_any", "any_grade"), ("p_grade3", "grade_3_plus"), ("p_grade5", "grade_5")):
        if not two_arm:
            put_stat(row, key, None, SINGLE_ARM_REASON)
            continue
        table = [[int(cells[a][count] or 0), n_by_arm[a] - int(cells[a][count] or 0)] for a in arms]
        if sum(r[0] for r in table) == 0:  # the paper's "-": nothing to compare
            put_stat(row, key, None, NONE_REASON)
            continue
        res = fisher_exact(table)
        put_stat(row, key, res.p, res.reason)
    return row


def discontinuation_counts(subjects: pd.DataFrame, arm: pd.Series, arms: list[str], n_by_arm: dict[str, int],
                           two_arm: bool) -> dict[str, Any]:
    """Patients who stopped treatment for toxicity / progression per arm, with Fisher p."""
    out: dict[str, Any] = {"by_arm": {a: {"n": n_by_arm[a]} for a in arms}}
    for reason, col in (("toxicity", "discontinued_toxicity"), ("progression", "discontinued_progression")):
        if col not in subjects.columns:
            for a in arms:
                out["by_arm"][a][reason] = None
                out["by_arm"][a][f"{reason}_reason"] = f"column {col} not in the subject-level table"
            put_stat(out, f"{reason}_p", None, f"column {col} not in the subject-level table")
            continue
        flag = subjects[col].astype("boolean").fillna(False).to_numpy(dtype=bool)
        for a in arms:
            k = int(flag[(arm == a).to_numpy(dtype=bool)].sum())
            out["by_arm"][a][reason] = k
            out["by_arm"][a][f"{reason}_percent"] = 100.0 * k / n_by_arm[a] if n_by_arm[a] else None
        if not two_arm:
            put_stat(out, f"{reason}_p", None, SINGLE_ARM_REASON)
            continue
        table = [[out["by_arm"][a][reason], n_by_arm[a] - out["by_arm"][a][reason]] for a in arms]
        res = fisher_exact(table)
        put_stat(out, f"{reason}_p", res.p, res.reason or NONE_REASON)
    return out
