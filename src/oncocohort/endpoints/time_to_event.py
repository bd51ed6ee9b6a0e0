"""Time-to-event endpoints (OS, PFS, TTP, DoR) from per-patient dates, driven by the protocol's rules.

One engine, :func:`derive_endpoint`, reads an :class:`~oncocohort.protocol.schema.EndpointRule`
(origin, events, where to censor, optional censoring rules) and a *subjects* frame; the four named
functions are that engine with the endpoint's name. Output rows follow CDISC ADTTE [2]: one row per
patient and endpoint, ``event`` 1/0 (ADTTE's CNSR inverted), ``censor_reason`` for every censoring.

Subjects frame (index ``patient_id``): ``arm``, the origin columns ``treatment_start_date``,
``diagnosis_date``, ``enrollment_date``, ``death_date``, ``last_contact_date``, ``progression_date``,
``progression_source``, ``new_therapy_date`` and, for DoR, ``first_response_date``. Assessments frame:
``patient_id, assessment_date`` (adequate = evaluable, not NE).

Definitions (FDA 2018 guidance [1] §III.A–B):

* OS: death from any cause; alive → censored at last contact.
* PFS: first of documented progression or death; no event → censored at the last adequate assessment;
  no adequate assessment after the origin → censored at the origin (day 0); a death before the first
  scheduled assessment is an event at the death date (no rule censors it).
* TTP: progression only; a death without progression is censored (at the last adequate assessment).
* DoR: responders only, from the first CR/PR to progression or death (the rule's origin is ignored).

``time_days`` = end date − origin date in days; ``time_months`` = time_days / 30.4375.

References
----------
[1] U.S. FDA. Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics, 2018,
    §III.A (OS), §III.B (PFS, TTP, DoR) and the appendix of example PFS tables (Tables A–B).
[2] CDISC ADaM Basic Data Structure for Time-to-Event Analyses (ADTTE) v1.0, §3.
"""

from __future__ import annotations

import pandas as pd

from oncocohort.endpoints import censoring as cz
from oncocohort.errors import InputError, Note
from oncocohort.protocol.schema import EndpointRule

ADTTE_COLUMNS = ("patient_id", "arm", "endpoint", "origin_date", "end_date", "time_days", "time_months", "event",
                 "censor_reason", "event_source")
ORIGIN_COLUMNS = {"treatment_start": "treatment_start_date", "diagnosis": "diagnosis_date",
                  "enrollment": "enrollment_date"}


def select_first_event(subjects: pd.DataFrame, events: list[str]) -> pd.DataFrame:
    """The first of the rule's events per patient: ``event_date`` and ``event_source``.

    Source: FDA 2018 [1] §III.B ("whichever occurs first"). A progression and a death on the same day
    count as progression (it was documented).
    """
    candidates = {}
    if "progression" in events:
        candidates["progression"] = subjects["progression_date"]
    if "death" in events:
        candidates["death"] = subjects["death_date"]
    dates = pd.DataFrame(candidates, index=subjects.index).astype("datetime64[ns]")
    first = dates.min(axis=1)
    source = pd.Series(pd.NA, index=subjects.index, dtype="string")
    if "death" in dates:
        source = source.mask(dates["death"].notna() & (dates["death"] == first), "death")
    if "progression" in dates:
        label = subjects["progression_source"].astype("string").fillna("recorded")
        source = source.mask(dates["progression"].notna() & (dates["progression"] == first), "progression: " + label)
    return pd.DataFrame({"event_date": first, "event_source": source}, index=subjects.index)


def derive_natural_censoring(subjects: pd.DataFrame, work: pd.DataFrame, assessments: pd.DataFrame,
                             rule: EndpointRule) -> pd.DataFrame:
    """Censoring date and reason before any optional rule (used when the patient has no event).

    Steps
    -----
    1. ``last_contact``: last contact date, reason ``alive_at_last_contact``; a missing last contact
       falls back to the origin with reason ``no_follow_up_recorded``.
    2. ``last_adequate_assessment``: the last adequate assessment after the origin, reason
       ``no_event_at_last_adequate_assessment``; none → the origin (day 0), reason
       ``no_adequate_post_baseline_assessment`` (FDA 2018 [1], appendix Tables A–B).
    3. A death that is not one of the rule's events (TTP) gives reason ``death_without_progression``;
       with ``last_contact`` the censoring date is the death date.
    """
    out = work.copy()
    died = subjects["death_date"].notna() & ("death" not in rule.events)
    if rule.censor_at == "last_contact":
        contact = subjects["last_contact_date"]
        out["censor_date"] = contact.fillna(out["origin_date"]).where(~died, subjects["death_date"])
        reason = pd.Series(cz.ALIVE_AT_LAST_CONTACT, index=out.index, dtype="string")
        reason = reason.mask(contact.isna(), cz.NO_FOLLOW_UP_RECORDED)
    else:
        last = cz.find_last_assessment(assessments, out)
        out["censor_date"] = last.fillna(out["origin_date"])
        reason = pd.Series(cz.NO_EVENT_AT_LAST_ASSESSMENT, index=out.index, dtype="string")
        reason = reason.mask(last.isna(), cz.NO_POST_BASELINE_ASSESSMENT)
    out["censor_reason"] = reason.mask(died, cz.DEATH_WITHOUT_PROGRESSION)
    return out


def derive_endpoint(subjects: pd.DataFrame, assessments: pd.DataFrame, rule: EndpointRule, *, endpoint: str,
                    data_cutoff: pd.Timestamp, assessment_interval_days: int | None = None,
                    ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """One endpoint's ADTTE-like rows for every subject with an origin date.

    Source: FDA 2018 guidance [1] §III and appendix Tables A–B; ADTTE [2].

    Steps
    -----
    1. Origin: the rule's origin column (DoR: ``first_response_date``); patients without one are left
       out with a note.
    2. First event among the rule's events (:func:`select_first_event`).
    3. Natural censoring date and reason (:func:`derive_natural_censoring`).
    4. Optional rules in order: ``censor_at_new_therapy``, ``censor_after_missed_assessments``
       (both only with ``censor_at: last_adequate_assessment``), then the data cutoff and
       ``max_follow_up_months``.
    5. end date, ``event`` (1/0), ``time_days`` (end − origin; a negative time from inconsistent dates
       is set to 0 with a note) and ``time_months`` (days / 30.4375).
    """
    notes: list[Note] = []
    origin_col = "first_response_date" if endpoint == "dor" else ORIGIN_COLUMNS[rule.origin]
    if origin_col not in subjects.columns:
        raise InputError("subjects", f"endpoint {endpoint} needs column '{origin_col}'")
    has_origin = subjects[origin_col].notna()
    if (~has_origin).any() and endpoint != "dor":
        missing = subjects.index[~has_origin].tolist()
        notes.append(Note(f"{endpoint}: patients without {origin_col} left out", len(missing),
                          {"patient_ids": missing}))
    subj = subjects[has_origin]
    work = pd.DataFrame({"origin_date": subj[origin_col].astype("datetime64[ns]")}, index=subj.index)
    work["new_therapy_date"] = subj.get("new_therapy_date", pd.Series(pd.NaT, index=subj.index))
    work = work.join(select_first_event(subj, list(rule.events)))
    work = derive_natural_censoring(subj, work, assessments, rule)

    uses_assessments = rule.censor_at == "last_adequate_assessment"
    if rule.censor_at_new_therapy:
        if uses_assessments:
            work = cz.censor_at_new_therapy(work, assessments)
        else:
            notes.append(Note(f"{endpoint}: censor_at_new_therapy ignored (applies to assessment-based endpoints)"))
    if rule.censor_after_missed_assessments is not None:
        if uses_assessments and assessment_interval_days is not None:
            # summary dates (patients.last_assessment_date) do not show which visits were missed
            summary = assessments["source"].astype("string").str.startswith("patients.").fillna(False) \
                if "source" in assessments else pd.Series(False, index=assessments.index)
            exempt = pd.Index(assessments.loc[summary.to_numpy(bool), "patient_id"].astype(str).unique())
            exempt = exempt.intersection(work.index)
            if len(exempt):
                notes.append(Note(f"{endpoint}: missed-assessment rule not applied to patients without visit-level "
                                  f"assessments (summary dates only)", len(exempt), {"patient_ids": exempt.tolist()}))
            work = cz.censor_after_missed_assessments(
                work, assessments, n_missed=rule.censor_after_missed_assessments,
                assessment_interval_days=assessment_interval_days, exempt=exempt)
        else:
            notes.append(Note(f"{endpoint}: censor_after_missed_assessments ignored (needs assessment-based "
                              f"censoring and an assessment interval)"))
    work = cz.censor_at_data_cutoff(work, data_cutoff=data_cutoff,
                                    assessments=assessments if uses_assessments else None)
    if rule.max_follow_up_months is not None:
        work = cz.censor_at_max_follow_up(work, max_follow_up_months=rule.max_follow_up_months,
                                          assessments=assessments if uses_assessments else None)
    if uses_assessments:
        notes.extend(_day_zero_note(work, subj, endpoint))
    return _finish(work, subj, endpoint, notes)


def _day_zero_note(work: pd.DataFrame, subj: pd.DataFrame, endpoint: str) -> list[Note]:
    """Say who is censored at the origin for want of a dated assessment (FDA 2018 [1], Table A), and
    flag those with an evaluated best response: they were assessed, only the date is missing (a
    patients-only study without ``last_assessment_date``), and day-0 censoring understates follow-up."""
    day0 = (work["event_date"].isna() & (work["censor_reason"] == cz.NO_POST_BASELINE_ASSESSMENT)).fillna(False)
    if not day0.any():
        return []
    ids = work.index[day0.to_numpy(bool)].astype(str).tolist()
    text = f"{endpoint}: censored at the origin (day 0): no adequate tumour assessment dated after it"
    if "best_response" in subj.columns:
        best = subj.loc[work.index[day0.to_numpy(bool)], "best_response"].astype("string")
        assessed = int((best.notna() & (best != "NE")).fillna(False).sum())
        if assessed:
            text += (f"; {assessed} of them have an evaluated best response: give patients.last_assessment_date "
                     "(or lesions / visit_responses) to censor them at their last assessment")
    return [Note(text, len(ids), {"patient_ids": ids})]


def _finish(work: pd.DataFrame, subj: pd.DataFrame, endpoint: str, notes: list[Note]
            ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    event = work["event_date"].notna()
    end = work["event_date"].where(event, work["censor_date"])
    days = (end - work["origin_date"]).dt.days
    negative = days < 0
    if negative.any():
        # End before origin can only come from inconsistent dates (validation reports them); time 0.
        notes.append(Note(f"{endpoint}: end date before origin, time set to 0", int(negative.sum()),
                          {"patient_ids": work.index[negative].tolist()}))
        end = end.mask(negative, work["origin_date"])
        days = days.mask(negative, 0)
    out = pd.DataFrame({
        "patient_id": work.index.astype(str),
        "arm": subj["arm"].astype("string").to_numpy(),
        "endpoint": endpoint,
        "origin_date": work["origin_date"].to_numpy(),
        "end_date": end.to_numpy(),
        "time_days": days.astype("int64").to_numpy(),
        "time_months": (days.astype("float64") / cz.DAYS_PER_MONTH).to_numpy(),
        "event": event.astype("int64").to_numpy(),
        "censor_reason": work["censor_reason"].astype("string").where(~event, pd.NA).to_numpy(),
        "event_source": work["event_source"].astype("string").where(event, pd.NA).to_numpy(),
    })
    out["censor_reason"] = out["censor_reason"].astype("string")
    out["event_source"] = out["event_source"].astype("string")
    return out.reset_index(drop=True), tuple(notes)


def derive_overall_survival(subjects: pd.DataFrame, rule: EndpointRule, *, data_cutoff: pd.Timestamp
                            ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """OS: death from any cause, censored at last contact (FDA 2018 [1] §III.A)."""
    empty = pd.DataFrame({"patient_id": pd.Series(dtype=str), "assessment_date": pd.Series(dtype="datetime64[ns]")})
    return derive_endpoint(subjects, empty, rule, endpoint="os", data_cutoff=data_cutoff)


def derive_progression_free_survival(subjects: pd.DataFrame, assessments: pd.DataFrame, rule: EndpointRule, *,
                                     data_cutoff: pd.Timestamp, assessment_interval_days: int
                                     ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """PFS: progression or death, censored at the last adequate assessment (FDA 2018 [1] §III.B, appendix Tables A–B)."""
    return derive_endpoint(subjects, assessments, rule, endpoint="pfs", data_cutoff=data_cutoff,
                           assessment_interval_days=assessment_interval_days)


def derive_time_to_progression(subjects: pd.DataFrame, assessments: pd.DataFrame, rule: EndpointRule, *,
                               data_cutoff: pd.Timestamp, assessment_interval_days: int
                               ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """TTP: progression only; deaths censored (FDA 2018 [1] §III.B.2)."""
    return derive_endpoint(subjects, assessments, rule, endpoint="ttp", data_cutoff=data_cutoff,
                           assessment_interval_days=assessment_interval_days)


def derive_duration_of_response(subjects: pd.DataFrame, assessments: pd.DataFrame, rule: EndpointRule, *,
                                data_cutoff: pd.Timestamp, assessment_interval_days: int
                                ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """DoR: responders only, first CR/PR → progression or death (FDA 2018 [1] §III.B.4).

    Patients without ``first_response_date`` (non-responders, or responders known only from a
    recorded best response) have no DoR row.
    """
    return derive_endpoint(subjects, assessments, rule, endpoint="dor", data_cutoff=data_cutoff,
                           assessment_interval_days=assessment_interval_days)
