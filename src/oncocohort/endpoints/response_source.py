"""Where response, progression and tumour-assessment dates come from, in one documented order.

1. ``lesions`` has rows → :func:`oncocohort.response.evaluate` with the protocol's response settings;
2. else ``visit_responses`` has rows → :func:`oncocohort.response.best_overall_response`;
3. else the recorded ``patients.best_response`` (and ``patients.last_assessment_date``).

A patient's progression date is the engine's derived date (first PD, or for iRECIST the first iUPD
of a confirmed episode) or the recorded ``patients.progression_date``; when both exist the earlier
documented date is used and a note lists the patients (FDA 2018 guidance §III.B: PFS runs to the
first *documented* progression).

Adequate tumour assessment (for censoring, FDA 2018 appendix Tables A–B): a post-baseline visit whose
overall response is evaluable — any call except NE or empty. Patients without visit data use
``patients.last_assessment_date`` (and a recorded progression date, the day progression was seen).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oncocohort.errors import Note, ValidationProblem
from oncocohort.protocol.schema import ResponseSettings

RESPONDER_CALLS = ("CR", "PR", "iCR", "iPR")
NOT_ADEQUATE_CALLS = ("NE",)


@dataclass(frozen=True, slots=True)
class ResponseData:
    """Responses of every patient with the source of each.

    Attributes
    ----------
    visits : engine per-visit table (``patient_id, visit_date, overall_response, target_sum_mm,
        pct_change_baseline, pct_change_nadir``, ``is_baseline`` …); empty when only recorded best
        responses exist.
    best : one row per patient with derived data: ``patient_id, best_response, best_pct_change,
        first_response_date, progression_date`` (engine columns).
    source : ``"lesions (<criteria>)"``, ``"visit_responses"`` or ``"recorded"``.
    problems, notes : the engine's warnings and data decisions.
    """

    visits: pd.DataFrame
    best: pd.DataFrame
    source: str
    problems: tuple[ValidationProblem, ...] = ()
    notes: tuple[Note, ...] = ()


def _has_rows(tables: dict[str, pd.DataFrame], name: str) -> bool:
    return name in tables and tables[name] is not None and len(tables[name]) > 0


def evaluate_study_responses(tables: dict[str, pd.DataFrame], settings: ResponseSettings | None, *,
                             data_cutoff: pd.Timestamp | None = None) -> ResponseData:
    """Run the response engine on the richest response data the study has (order in the module doc).

    Source: RECIST 1.1 / mRECIST / iRECIST through ``oncocohort.response`` with the protocol's
    ``response`` section (confirmation, minimum SD duration, window, progression confirmation).
    Assessments after ``data_cutoff`` are left out (with a note) before the engine runs: data after
    the cutoff are not analysed, so they can give neither a response nor a progression nor a last
    adequate assessment (validation warns about each such row).
    """
    empty = pd.DataFrame({"patient_id": pd.Series(dtype=str)})
    cutoff_notes: tuple[Note, ...] = ()
    if data_cutoff is not None:
        tables, cutoff_notes = _before_cutoff(tables, pd.Timestamp(data_cutoff))
    res = _evaluate(tables, settings, empty)
    if not cutoff_notes:
        return res
    return ResponseData(res.visits, res.best, res.source, res.problems, cutoff_notes + tuple(res.notes))


def _before_cutoff(tables: dict[str, pd.DataFrame], cutoff: pd.Timestamp
                   ) -> tuple[dict[str, pd.DataFrame], tuple[Note, ...]]:
    """``lesions`` and ``visit_responses`` without rows dated after the cutoff, and a note per table."""
    out, notes = dict(tables), []
    for name in ("lesions", "visit_responses"):
        if not _has_rows(tables, name) or "visit_date" not in tables[name]:
            continue
        frame = tables[name]
        after = (frame["visit_date"].astype("datetime64[ns]") > cutoff).fillna(False).to_numpy(bool)
        if after.any():
            ids = sorted(map(str, frame.loc[after, "patient_id"].unique()))
            notes.append(Note(f"{name}: rows dated after the data cutoff {cutoff:%Y-%m-%d} not used for response, "
                              "progression or the last adequate assessment", int(after.sum()), {"patient_ids": ids}))
            out[name] = frame[~after].reset_index(drop=True)
    return out, tuple(notes)


def _evaluate(tables: dict[str, pd.DataFrame], settings: ResponseSettings | None, empty: pd.DataFrame
              ) -> ResponseData:
    patients = tables["patients"]
    start = patients.set_index("patient_id")["treatment_start_date"]
    if settings is None:
        return ResponseData(empty, empty, "recorded", notes=(Note("no response section: recorded best response"),))
    from oncocohort.response import best_overall_response, evaluate  # stage after cohort, before endpoints

    if _has_rows(tables, "lesions"):
        res = evaluate(tables["lesions"], settings.criteria, treatment_start=start, confirm=settings.confirm_response,
                       min_sd_days=settings.min_sd_days, confirm_days=settings.confirm_days,
                       window_days=settings.window_days, confirm_progression=settings.confirm_progression)
        label = settings.criteria + (" + iRECIST confirmation" if settings.confirm_progression
                                     and settings.criteria != "irecist" else "")
        return ResponseData(res.visits, res.best, f"lesions ({label})", res.problems, res.notes)
    if _has_rows(tables, "visit_responses"):
        visits, notes = tables["visit_responses"], ()
        if settings.min_sd_days is not None or settings.window_days is not None:
            # the engine needs a treatment start for SD duration / the window: patients without one
            # (e.g. screened, never treated) are left out of the response evaluation
            lacking = ~visits["patient_id"].isin(start.dropna().index)
            if lacking.any():
                notes = (Note("visit responses of patients without treatment_start_date not evaluated",
                              int(visits.loc[lacking, "patient_id"].nunique()),
                              {"patient_ids": sorted(map(str, visits.loc[lacking, "patient_id"].unique()))}),)
                visits = visits[~lacking]
        res = best_overall_response(visits, treatment_start=start,
                                    confirm=settings.confirm_response, min_sd_days=settings.min_sd_days,
                                    confirm_days=settings.confirm_days, window_days=settings.window_days)
        return ResponseData(res.visits, res.best, "visit_responses", res.problems, notes + res.notes)
    return ResponseData(empty, empty, "recorded")


def resolve_progression_date(recorded: pd.Series, derived: pd.Series, *, derived_source: str
                             ) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """The first documented progression date per patient and where it came from.

    Source: FDA 2018 guidance §III.B (first documented progression).

    Steps
    -----
    1. Align the recorded (``patients.progression_date``) and derived (response engine) dates by
       patient id.
    2. Only one present → that date and its source.
    3. Both present → the earlier; source names both; a note lists every such patient with both dates
       (and how many disagree).
    Returns a frame indexed by patient id with ``progression_date`` and ``progression_source``.
    """
    index = recorded.index.union(derived.index)
    rec = recorded.reindex(index).astype("datetime64[ns]")
    der = derived.reindex(index).astype("datetime64[ns]")
    both = rec.notna() & der.notna()
    date = pd.concat([rec, der], axis=1).min(axis=1)
    source = pd.Series(pd.NA, index=index, dtype="string")
    source = source.mask(rec.notna(), "recorded").mask(der.notna(), derived_source)
    earlier = pd.Series("recorded", index=index, dtype="string").mask(der < rec, derived_source)
    source = source.mask(both, earlier + "; earlier of recorded and derived")
    notes: list[Note] = []
    if both.any():
        differ = both & (rec != der)
        notes.append(Note(
            "progression recorded both as a date and through response assessments; the earlier documented "
            f"date was used ({int(differ.sum())} disagree)", int(both.sum()),
            {"patients": {str(p): {"recorded": str(rec[p].date()), "derived": str(der[p].date())}
                          for p in index[both]}}))
    return pd.DataFrame({"progression_date": date, "progression_source": source}, index=index), tuple(notes)


def derive_adequate_assessments(responses: ResponseData, patients: pd.DataFrame) -> pd.DataFrame:
    """Dates of adequate tumour assessments: ``patient_id, assessment_date, source``.

    Source: FDA 2018 guidance, appendix Tables A–B ("last adequate tumor assessment").

    Steps
    -----
    1. Engine visits that are not baseline and whose overall response is present and not NE.
    2. Patients without any engine visit: ``patients.last_assessment_date`` and the recorded
       ``progression_date`` (progression was documented by an assessment that day).
    """
    cols = ["patient_id", "assessment_date", "source"]
    v = responses.visits
    parts = []
    if len(v) and "overall_response" in v:
        keep = v["overall_response"].notna() & ~v["overall_response"].astype("string").isin(NOT_ADEQUATE_CALLS)
        if "is_baseline" in v:
            keep &= ~v["is_baseline"].astype("boolean").fillna(False)
        parts.append(pd.DataFrame({"patient_id": v.loc[keep, "patient_id"].astype(str),
                                   "assessment_date": v.loc[keep, "visit_date"], "source": responses.source}))
    seen = set(v["patient_id"].astype(str)) if len(v) else set()
    rest = patients[~patients["patient_id"].astype(str).isin(seen)]
    for col in ("last_assessment_date", "progression_date"):
        if col in rest:
            dates = rest[["patient_id", col]].dropna()
            parts.append(pd.DataFrame({"patient_id": dates["patient_id"].astype(str),
                                       "assessment_date": dates[col], "source": f"patients.{col}"}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "assessment_date" else "object")
                             for c in cols})
    out = pd.concat(parts, ignore_index=True)
    out["assessment_date"] = out["assessment_date"].astype("datetime64[ns]")
    return out.drop_duplicates(["patient_id", "assessment_date"]).sort_values(["patient_id", "assessment_date"],
                                                                             kind="stable").reset_index(drop=True)
