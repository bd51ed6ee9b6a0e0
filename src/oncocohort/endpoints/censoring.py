"""Censoring rules for time-to-event endpoints, one rule per function, applied in a fixed order.

Every rule takes and returns a *working frame* indexed by ``patient_id`` with the columns
``origin_date, event_date`` (NaT when no event), ``event_source``, ``censor_date`` and ``censor_reason``
(the value used when the patient ends censored), plus the inputs a rule needs. A rule that censors an
event sets ``event_date`` to NaT and writes ``censor_date`` and ``censor_reason``. Dates are
``datetime64[ns]``; every rule is vectorised over patients.

Order (see :func:`oncocohort.endpoints.time_to_event.derive_endpoint`): new anticancer therapy →
missed assessments → data cutoff → maximum follow-up. Earlier rules decide which event or censoring
date stands; the last two only shorten follow-up.

References
----------
[1] U.S. FDA. Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics. Guidance for
    Industry, December 2018. §III.B (PFS, TTP, DoR definitions) and the appendix of example tables
    for PFS analysis (Tables A–B: dates of progression and of censoring per scenario): "Death before first PD assessment → progressed, date of death"; "No
    baseline/adequate assessments → censored at date of randomization"; "New anticancer treatment
    started → censored at date of last adequate assessment with no documented progression before
    start of new treatment"; "Death or progression after more than one missed visit → censored at
    date of last adequate assessment".
[2] CDISC ADaM Basic Data Structure for Time-to-Event Analyses (ADTTE) v1.0, §3: CNSR = 0 event,
    > 0 censored; STARTDT/ADT; EVNTDESC/CNSDTDSC describe the event or censoring source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 30.4375
"""Average days per month (365.25 / 12); time_months = time_days / 30.4375."""

# Stable censoring reasons (written to adtte.censor_reason and documented in docs/derived-data.md).
ALIVE_AT_LAST_CONTACT = "alive_at_last_contact"
NO_EVENT_AT_LAST_ASSESSMENT = "no_event_at_last_adequate_assessment"
NO_POST_BASELINE_ASSESSMENT = "no_adequate_post_baseline_assessment"
DEATH_WITHOUT_PROGRESSION = "death_without_progression"
NEW_ANTICANCER_THERAPY = "new_anticancer_therapy"
EVENT_AFTER_MISSED_ASSESSMENTS = "event_after_missed_assessments"
EVENT_AFTER_DATA_CUTOFF = "event_after_data_cutoff"
DATA_CUTOFF = "data_cutoff"
MAX_FOLLOW_UP = "max_follow_up"
NO_FOLLOW_UP_RECORDED = "no_follow_up_recorded"


def find_last_assessment(assessments: pd.DataFrame, work: pd.DataFrame, *, up_to: pd.Series | None = None,
                         inclusive: bool = True) -> pd.Series:
    """Last adequate assessment after the origin and up to a per-patient limit (NaT when none).

    ``assessments`` has ``patient_id, assessment_date`` (adequate = evaluable, not NE). Only dates
    strictly after ``work.origin_date`` count (an assessment on the origin day is the baseline). With
    ``up_to`` (NaT = no limit), dates ``<= up_to`` (``inclusive``) or ``< up_to`` count.
    """
    limits = pd.DataFrame({"_origin": work["origin_date"]}, index=work.index)
    limits["_up_to"] = up_to.reindex(work.index) if up_to is not None else pd.NaT
    merged = assessments[["patient_id", "assessment_date"]].merge(
        limits.rename_axis("patient_id").reset_index(), on="patient_id", how="inner")
    keep = merged["assessment_date"] > merged["_origin"]
    bounded = merged["_up_to"].notna()
    within = merged["assessment_date"] <= merged["_up_to"] if inclusive else merged["assessment_date"] < merged["_up_to"]
    keep &= ~bounded | within
    last = merged[keep].groupby("patient_id")["assessment_date"].max()
    return last.reindex(work.index).astype("datetime64[ns]")


def _censor(work: pd.DataFrame, mask: pd.Series, date: pd.Series, reason: str) -> pd.DataFrame:
    out = work.copy()
    mask = mask.fillna(False).astype(bool)
    out.loc[mask, "event_date"] = pd.NaT
    out.loc[mask, "censor_date"] = date[mask]
    out.loc[mask, "censor_reason"] = reason
    return out


def natural_end_date(work: pd.DataFrame) -> pd.Series:
    """The event date where there is one, else the censoring date."""
    return work["event_date"].fillna(work["censor_date"])


def censor_at_new_therapy(work: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    """Censor at the last adequate assessment on or before a new anticancer therapy that starts first.

    Source: FDA 2018 guidance [1], appendix Tables A–B, "New anticancer treatment started".

    Steps
    -----
    1. Patients with ``new_therapy_date`` strictly before their event date (or, without event, before
       their censoring date) are affected; an event on the day the new therapy starts stands.
    2. Their end is the last adequate assessment after the origin and on or before the new therapy
       date (same-day scans are taken to precede the therapy), else the origin (day 0).
    3. Event removed; reason ``new_anticancer_therapy``.
    """
    new_therapy = work["new_therapy_date"]
    affected = new_therapy.notna() & (new_therapy < natural_end_date(work))
    last = find_last_assessment(assessments, work, up_to=new_therapy, inclusive=True)
    return _censor(work, affected, last.fillna(work["origin_date"]), NEW_ANTICANCER_THERAPY)


def censor_after_missed_assessments(work: pd.DataFrame, assessments: pd.DataFrame, *, n_missed: int,
                                    assessment_interval_days: int, exempt: pd.Index | None = None) -> pd.DataFrame:
    """Censor an event that follows ``n_missed`` or more missed scheduled assessments.

    Source: FDA 2018 guidance [1], appendix Tables A–B, "Death or progression after more than one missed
    visit" (the protocol sets the number; FDA's example is two).

    Steps
    -----
    1. L = last adequate assessment strictly before the event date, after the origin; the origin when
       there is none (then the schedule starts at the origin).
    2. Scheduled assessments after L fall at L + k·interval (k = 1, 2, …); those strictly before the
       event date were missed, so ≥ n missed ⇔ (event date − L) > n · interval days. An event found at
       a scheduled visit (gap exactly n · interval) has missed only n − 1.
    3. Such events are censored at L; reason ``event_after_missed_assessments``. A death before the
       first scheduled assessment (gap < interval) is therefore always an event.

    ``exempt``: patients whose assessment history is not known visit by visit (only summary dates
    such as ``last_assessment_date``), for whom missed visits cannot be counted; their events stand.
    """
    has_event = work["event_date"].notna()
    last = find_last_assessment(assessments, work, up_to=work["event_date"], inclusive=False)
    anchor = last.fillna(work["origin_date"])
    gap_days = (work["event_date"] - anchor).dt.days
    affected = has_event & (gap_days > n_missed * assessment_interval_days)
    if exempt is not None:
        affected &= ~work.index.isin(exempt)
    return _censor(work, affected, anchor, EVENT_AFTER_MISSED_ASSESSMENTS)


def censor_at_data_cutoff(work: pd.DataFrame, *, data_cutoff: pd.Timestamp,
                          assessments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events after the data cutoff are censored at the cutoff; later censoring dates are moved to it.

    Source: the protocol's ``data_cutoff``; FDA 2018 guidance [1] §III (analyses use data up to the
    cutoff) and appendix Tables A–B (assessment-based endpoints are censored at the last adequate
    assessment); ADTTE [2] (CNSDTDSC records it).

    Steps
    -----
    1. Event date > cutoff → censored at the cutoff, reason ``event_after_data_cutoff``.
    2. No event and censoring date > cutoff → censoring date = cutoff, reason ``data_cutoff``.
    3. With ``assessments`` (endpoints censored at the last adequate assessment: PFS, TTP, DoR) the
       date in 1–2 is the last adequate assessment after the origin and on or before the cutoff, not
       the cutoff itself — no one is known to be progression-free up to a cutoff without a scan; a
       patient without such an assessment keeps the cutoff (only summary dates after it are known).
    """
    cutoff = pd.Timestamp(data_cutoff)
    late_event = work["event_date"].notna() & (work["event_date"] > cutoff)
    cutoff_dates = pd.Series(cutoff, index=work.index, dtype="datetime64[ns]")
    if assessments is not None:
        up_to = pd.Series(cutoff, index=work.index, dtype="datetime64[ns]")
        cutoff_dates = find_last_assessment(assessments, work, up_to=up_to).fillna(cutoff_dates)
    out = _censor(work, late_event, cutoff_dates, EVENT_AFTER_DATA_CUTOFF)
    late_censor = out["event_date"].isna() & (out["censor_date"] > cutoff)
    return _censor(out, late_censor, cutoff_dates, DATA_CUTOFF)


def censor_at_max_follow_up(work: pd.DataFrame, *, max_follow_up_months: float,
                            assessments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Administrative censoring at the protocol's maximum follow-up from the origin.

    Source: the protocol's ``max_follow_up_months`` (e.g. seed 003: assessed up to 24 months); FDA
    2018 guidance [1], appendix Tables A–B (assessment-based endpoints censored at the last adequate
    assessment).

    Steps
    -----
    1. Limit L = origin + ⌊months · 30.4375⌋ days (24 months → 730 days).
    2. End date > L → censored at L, reason ``max_follow_up`` (an event on day L stands).
    3. With ``assessments`` (PFS, TTP, DoR) the censoring date is the last adequate assessment after
       the origin and on or before L (L when none is known), as for the data cutoff.
    """
    limit_days = int(np.floor(max_follow_up_months * DAYS_PER_MONTH))
    limit = work["origin_date"] + pd.Timedelta(days=limit_days)
    affected = natural_end_date(work) > limit
    dates = limit
    if assessments is not None:
        dates = find_last_assessment(assessments, work, up_to=limit).fillna(limit)
    return _censor(work, affected, dates, MAX_FOLLOW_UP)
