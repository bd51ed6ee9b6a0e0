"""Adverse events: treatment-emergent and procedure windows, worst grade, reporting groups, per-arm counts.

Every recorded adverse event becomes one ``adae`` row; an event outside every window is kept with
``included = False`` and an ``exclusion_reason`` (never dropped), so counts can be audited.

Windows (the protocol's ``safety`` section; seed 001 Methods "Safety and efficacy"):

* **on-treatment** (treatment-emergent): first dose ≤ onset ≤ last dose + ``days_after_last_dose``.
  Doses come from ``treatments`` rows of kind ``drug`` (an empty ``end_date`` means ongoing: the
  window stays open to the data cutoff); a patient without drug rows uses
  ``patients.treatment_start_date`` and an open window (noted).
* **procedure** (attribution ``procedure``): elapsed time since the latest protocol procedure
  (``treatments`` kind ``procedure`` whose name is in ``safety.procedures``) on or before onset,
  assigned to the first window with start ≤ hours < end. With ``onset_time`` the hours are exact,
  counted from the procedure's ``start_time`` when the treatments table has one, else from the start
  (00:00) of the procedure day. Without ``onset_time`` the day difference d counts as
  24·max(d − 1, 0) hours: the procedure day and the next day are "0–24 h", days 2–30 "1–30 days".
  A procedure-attributed event outside its procedure windows but inside the on-treatment window is
  counted there.

References
----------
[1] National Cancer Institute. CTCAE v5.0, 2017 ("Grades"; grade 5 = death related to AE).
[2] CDISC ADaM Structure for Occurrence Data (OCCDS) v1.0 / ADAE: TRTEMFL (treatment-emergent flag),
    AOCCPFL-style "first occurrence of worst grade" per subject and term, counting each subject once
    per term and per grouping level.
[3] U.S. FDA. Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics, 2018, §IV
    (safety reporting alongside efficacy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from oncocohort.endpoints.ctcae import normalise_term
from oncocohort.errors import Note, ValidationProblem
from oncocohort.protocol.schema import ProcedureWindow

ON_TREATMENT = "on-treatment"


def derive_treatment_exposure(treatments: pd.DataFrame, patients: pd.DataFrame, *, data_cutoff: pd.Timestamp
                              ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """First and last dose per patient (index ``patient_id``): ``first_dose_date, last_dose_date, ongoing``.

    Steps
    -----
    1. Drug rows: first dose = earliest ``start_date``; last dose = latest ``end_date``; any drug row
       without ``end_date`` → ongoing (window open to the data cutoff).
    2. Patients without drug rows: ``treatment_start_date`` and ongoing, with a note.
    """
    drugs = treatments[treatments["kind"].astype("string") == "drug"] if len(treatments) else treatments
    pid = patients["patient_id"].astype(str)
    out = pd.DataFrame(index=pd.Index(pid, name="patient_id"))
    if len(drugs):
        g = drugs.assign(patient_id=drugs["patient_id"].astype(str)).groupby("patient_id")
        out["first_dose_date"] = g["start_date"].min()
        out["last_dose_date"] = g["end_date"].max()
        out["ongoing"] = drugs["end_date"].isna().groupby(drugs["patient_id"].astype(str)).any().reindex(out.index)
    else:
        out["first_dose_date"] = pd.NaT
        out["last_dose_date"] = pd.NaT
        out["ongoing"] = np.nan
    no_drug = out["first_dose_date"].isna()
    out["first_dose_date"] = out["first_dose_date"].fillna(
        patients.set_index(pid)["treatment_start_date"]).astype("datetime64[ns]")
    out["last_dose_date"] = out["last_dose_date"].astype("datetime64[ns]")
    out["ongoing"] = out["ongoing"].astype("boolean").fillna(True).astype(bool)
    notes = []
    if no_drug.any():
        notes.append(Note("no drug treatment rows: treatment-emergent window from treatment_start_date to the "
                          "data cutoff", int(no_drug.sum()), {"patient_ids": out.index[no_drug].tolist()[:50]}))
    return out, tuple(notes)


def flag_treatment_emergent_ae(onset: pd.DataFrame, exposure: pd.DataFrame, *, days_after_last_dose: int,
                               data_cutoff: pd.Timestamp) -> pd.Series:
    """Why each AE is outside the on-treatment window (<NA> when treatment-emergent).

    Source: protocol ``safety.days_after_last_dose`` (seed 001: "during ICI therapy and up to 90 days
    after the last dose"); ADAE TRTEMFL [2].

    ``onset`` has ``patient_id, onset_date``. Reasons: ``no_treatment_start``, ``before_first_dose``,
    ``after_treatment_window`` (> last dose + days; ongoing treatment has no upper limit before the
    cutoff).
    """
    e = exposure.reindex(onset["patient_id"].astype(str))
    first = pd.Series(e["first_dose_date"].to_numpy(), index=onset.index)
    end = pd.Series((e["last_dose_date"] + pd.Timedelta(days=days_after_last_dose)).to_numpy(), index=onset.index)
    ongoing = pd.Series(e["ongoing"].fillna(True).to_numpy(bool), index=onset.index)
    end = end.where(~ongoing, pd.Timestamp(data_cutoff))
    date = onset["onset_date"]
    reason = pd.Series(pd.NA, index=onset.index, dtype="string")
    reason = reason.mask(date > end, "after_treatment_window")
    reason = reason.mask(date < first, "before_first_dose")
    return reason.mask(first.isna(), "no_treatment_start")


def _hours_of_day(times: pd.Series) -> pd.Series:
    parts = times.astype("string").str.extract(r"^(\d{1,2}):(\d{2})")
    return pd.to_numeric(parts[0]) + pd.to_numeric(parts[1]) / 60.0


def assign_procedure_window(events: pd.DataFrame, treatments: pd.DataFrame, *, procedures: Sequence[str],
                            windows: Sequence[ProcedureWindow]) -> pd.DataFrame:
    """Procedure window of each event (index as ``events``): ``procedure, procedure_date, hours, window``.

    Source: protocol ``safety.procedure_windows`` (seed 001: "0–24 h and 1–30 days post-procedure").

    Steps
    -----
    1. Protocol procedures: treatments of kind ``procedure`` whose name matches ``procedures``
       (case- and spacing-insensitive).
    2. Latest such procedure on or before the onset date, per patient (as-of join).
    3. Hours: exact with ``onset_time`` (from ``treatments.start_time`` if present, else 00:00 of the
       procedure day); without it 24·max(d − 1, 0) for a day difference d.
    4. ``window`` = ``"procedure <name>"`` of the first window with start ≤ hours < end; <NA> outside.
    """
    out = pd.DataFrame({"procedure": pd.Series(pd.NA, index=events.index, dtype="string"),
                        "procedure_date": pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns]"),
                        "hours": np.nan, "window": pd.Series(pd.NA, index=events.index, dtype="string")})
    if not len(treatments) or not procedures or not windows or not len(events):
        return out
    wanted = set(normalise_term(pd.Series(list(procedures))).tolist())
    proc = treatments[(treatments["kind"].astype("string") == "procedure")
                      & normalise_term(treatments["name"]).isin(wanted).fillna(False)]
    if not len(proc):
        return out
    proc_time = (_hours_of_day(proc["start_time"]).fillna(0.0) if "start_time" in proc else pd.Series(0.0, index=proc.index))
    right = pd.DataFrame({"patient_id": proc["patient_id"].astype(str), "procedure_date": proc["start_date"],
                          "procedure": proc["name"].astype("string"), "_proc_h": proc_time.to_numpy()})
    right = right.dropna(subset=["procedure_date"]).astype({"procedure_date": "datetime64[ns]"})
    left = pd.DataFrame({"patient_id": events["patient_id"].astype(str), "onset_date": events["onset_date"],
                         "_row": np.arange(len(events))}).dropna(subset=["onset_date"])
    left = left.astype({"onset_date": "datetime64[ns]"})
    joined = pd.merge_asof(left.sort_values("onset_date"), right.sort_values("procedure_date"),
                           left_on="onset_date", right_on="procedure_date", by="patient_id", direction="backward")
    joined = joined.set_index("_row").sort_index()
    days = (joined["onset_date"] - joined["procedure_date"]).dt.days.astype("float64")
    hours: pd.Series = (days - 1.0).clip(lower=0.0) * 24.0  # date only: day d counts as 24·max(d − 1, 0) h
    if "onset_time" in events:
        onset_h = _hours_of_day(events["onset_time"]).to_numpy(dtype="float64")[joined.index.to_numpy()]
        exact = days * 24.0 + onset_h - joined["_proc_h"].to_numpy(dtype="float64")
        hours = hours.where(np.isnan(onset_h), exact)
    label = pd.Series(pd.NA, index=joined.index, dtype="string")
    for w in reversed(list(windows)):  # first matching window wins: assign in reverse order
        inside = (hours >= w.start_hours) & (hours < w.end_hours)
        label = label.mask(inside.fillna(False), f"procedure {w.name}")
    pos = events.index[joined.index.to_numpy()]
    out.loc[pos, "procedure"] = joined["procedure"].to_numpy()
    out.loc[pos, "procedure_date"] = joined["procedure_date"].to_numpy()
    out.loc[pos, "hours"] = hours.to_numpy()
    out.loc[pos, "window"] = label.to_numpy()
    return out


def assign_reporting_group(term: pd.Series, ctcae_term: pd.Series, groups: Mapping[str, Sequence[str]]) -> pd.Series:
    """Reporting group of each AE: the protocol group listing its CTCAE term (first group wins), or the
    group whose name is the recorded term (e.g. "Transaminitis"); else the CTCAE term itself."""
    by_term: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for name, members in groups.items():
        for key in normalise_term(pd.Series(list(members), dtype="string")):
            by_term.setdefault(key, name)
        by_name[normalise_term(pd.Series([name])).iloc[0]] = name
    group = normalise_term(ctcae_term).map(by_term).astype("string")
    group = group.fillna(normalise_term(term).map(by_name).astype("string"))
    return group.astype("string").fillna(ctcae_term.astype("string"))


def derive_worst_grade(adae: pd.DataFrame, *, by: str = "ctcae_term") -> pd.DataFrame:
    """Worst grade per patient and term (or reporting group): a patient counts once per level [2].

    Only included events count. Columns: ``patient_id, arm, <by>, worst_grade, n_events``.
    """
    inc = adae.loc[adae["included"].astype(bool).to_numpy()]
    g = inc.groupby(["patient_id", "arm", by], dropna=False, observed=True)["grade"]
    out = g.agg(worst_grade="max", n_events="size").reset_index()
    out["worst_grade"] = out["worst_grade"].astype("int64")
    return out


def summarise_adverse_events(adae: pd.DataFrame, analysed_per_arm: Mapping[str, int], *,
                             by: str = "reporting_group") -> pd.DataFrame:
    """Patients per arm with each AE: any grade, grade ≥ 3 (grade 5 included), grade 3–4, grade 5.

    Source: CTCAE v5.0 grades [1]; one count per patient at the worst grade [2]. The first row,
    ``"Any adverse event"``, counts patients with any included event. Columns: ``<by>, arm, n,
    any_grade, grade_3_plus, grade_3_4, grade_5``; n = analysed patients of the arm.
    """
    worst = derive_worst_grade(adae, by=by)
    overall = derive_worst_grade(adae.assign(_all="Any adverse event"), by="_all").rename(columns={"_all": by})
    worst = pd.concat([overall, worst], ignore_index=True)
    arms = list(analysed_per_arm)
    worst["grade_3_plus"] = worst["worst_grade"] >= 3
    worst["grade_3_4"] = worst["worst_grade"].isin([3, 4])
    worst["grade_5"] = worst["worst_grade"] == 5
    counts = worst.groupby([by, "arm"], sort=False).agg(any_grade=("worst_grade", "size"),
                                                        grade_3_plus=("grade_3_plus", "sum"),
                                                        grade_3_4=("grade_3_4", "sum"), grade_5=("grade_5", "sum"))
    levels = list(dict.fromkeys(["Any adverse event", *worst[by]]))  # the overall row even without events
    full = pd.MultiIndex.from_product([levels, arms], names=[by, "arm"])
    counts = counts.reindex(full, fill_value=0).reset_index()
    counts.insert(2, "n", counts["arm"].map(dict(analysed_per_arm)).astype("int64"))
    return counts.astype({c: "int64" for c in ("any_grade", "grade_3_plus", "grade_3_4", "grade_5")})


def flag_discontinuation(treatments: pd.DataFrame, patient_ids: pd.Series) -> pd.DataFrame:
    """Per patient: ``discontinued_toxicity``, ``discontinued_progression`` from drug rows' ``stop_reason``."""
    out = pd.DataFrame(index=pd.Index(patient_ids.astype(str), name="patient_id"))
    drugs = treatments[treatments["kind"].astype("string") == "drug"] if len(treatments) else treatments
    for reason in ("toxicity", "progression"):
        if len(drugs):
            hit = drugs.loc[drugs["stop_reason"].astype("string") == reason, "patient_id"].astype(str)
            out[f"discontinued_{reason}"] = out.index.isin(hit)
        else:
            out[f"discontinued_{reason}"] = False
    return out


def check_grade5_against_deaths(adae: pd.DataFrame, patients: pd.DataFrame) -> tuple[ValidationProblem, ...]:
    """Grade-5 events (death related to the AE, CTCAE [1]) must match a recorded death.

    Reports a grade-5 event of a patient without ``death_date`` and a grade-5 event whose onset is
    after the death date (warnings: the event is kept and counted). An onset before death is normal
    (the fatal event starts, the patient dies later).
    """
    g5 = adae[adae["grade"] == 5]
    if not len(g5):
        return ()
    deaths = patients.set_index(patients["patient_id"].astype(str))["death_date"]
    death = g5["patient_id"].astype(str).map(deaths)
    problems = []
    for pid, term, onset, d in zip(g5["patient_id"], g5["term"], g5["onset_date"], death):
        if pd.isna(d):
            problems.append(ValidationProblem("adverse_events", str(pid), "grade", "5",
                                              "a death_date in patients for a grade-5 (fatal) event", "warning",
                                              "grade5_without_death", f"term {term}"))
        elif pd.notna(onset) and pd.Timestamp(onset) > pd.Timestamp(d):
            problems.append(ValidationProblem("adverse_events", str(pid), "onset_date", str(pd.Timestamp(onset).date()),
                                              f"on or before the death date {pd.Timestamp(d).date()}", "warning",
                                              "grade5_after_death", f"term {term}"))
    return tuple(problems)
