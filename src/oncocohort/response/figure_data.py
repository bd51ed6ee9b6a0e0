"""Data behind the waterfall and swimmer plots (no drawing here; the report stage draws).

Waterfall: one bar per patient, the best (most negative) per cent change of the target-lesion sum
from baseline, coloured by best overall response (seed 001, Figure 2). Swimmer: one lane per
patient from treatment start, its length the time on treatment, with markers for the first
response, progression, death, and locoregional procedures (seed 001, Figure 3).

Times are in days from treatment start and in months (days / 30.4375, the mean month length of
the Gregorian calendar, as the endpoints stage uses).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.errors import InputError, Note

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True, slots=True)
class WaterfallData:
    """``bars``: ``position, patient_id, arm, best_pct_change, best_response``, tallest growth first."""

    bars: pd.DataFrame
    notes: tuple[Note, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.bars.copy()


@dataclass(frozen=True, slots=True)
class SwimmerData:
    """``lanes``: one row per patient; ``events``: one row per marker (patient_id, event, name, day, month)."""

    lanes: pd.DataFrame
    events: pd.DataFrame
    notes: tuple[Note, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.lanes.copy()


def waterfall_data(best: pd.DataFrame, patients: pd.DataFrame | None = None) -> WaterfallData:
    """Waterfall bars from ``best`` (``patient_id, best_pct_change, best_response``).

    Bars are sorted by decreasing ``best_pct_change`` (ties by patient_id), the usual left-to-right
    order from growth to shrinkage; patients without a measured change are listed in a Note, not
    drawn as zero. ``patients`` (``patient_id, arm``) adds the arm.
    """
    _need(best, "best", ("patient_id", "best_pct_change", "best_response"))
    bars = best[["patient_id", "best_pct_change", "best_response"]].copy()
    bars["arm"] = _arm(bars["patient_id"], patients)
    missing = bars["best_pct_change"].isna().to_numpy()
    notes = []
    if missing.any():
        notes.append(Note("patients without a measured change of the target sum are not drawn", int(missing.sum()),
                          {"patients": [str(p) for p in bars.loc[missing, "patient_id"]]}))
    bars = bars.loc[~missing].sort_values(["best_pct_change", "patient_id"], ascending=[False, True], kind="stable")
    bars.insert(0, "position", np.arange(1, len(bars) + 1))
    return WaterfallData(bars[["position", "patient_id", "arm", "best_pct_change", "best_response"]]
                         .reset_index(drop=True), tuple(notes))


def swimmer_data(best: pd.DataFrame, patients: pd.DataFrame, treatments: pd.DataFrame | None = None, *,
                 data_cutoff: pd.Timestamp | str | None = None) -> SwimmerData:
    """Swimmer lanes and markers per allocated patient.

    Lane: from ``treatment_start_date`` to the end of the last drug (``treatments`` rows with
    kind ``drug``); a patient with a drug row without ``end_date`` is still on treatment and the
    lane runs to death, last contact or ``data_cutoff`` (whichever is first), marked ``ongoing``.
    Markers: ``first response`` and ``progression`` from ``best`` (``first_response_date``,
    ``progression_date``), ``death`` from ``patients.death_date``, and each ``procedure``
    (treatments of kind ``procedure``, by ``start_date``, named). ``status`` is ``died``,
    ``progressed``, ``on treatment`` or ``off treatment`` at the end of follow-up.
    """
    _need(patients, "patients", ("patient_id", "arm", "treatment_start_date"))
    p = patients.loc[patients["arm"].notna()].drop_duplicates("patient_id").copy()
    start = pd.to_datetime(p["treatment_start_date"])
    notes: list[Note] = []
    if start.isna().any():
        notes.append(Note("allocated patients without a treatment start date have no lane", int(start.isna().sum())))
        p, start = p.loc[start.notna()], start.loc[start.notna()]
    pid = p["patient_id"]
    death = _dates(p, "death_date")
    contact = _dates(p, "last_contact_date")
    cutoff = pd.Timestamp(data_cutoff) if data_cutoff is not None else pd.NaT
    end_fu = pd.concat([death, contact], axis=1).min(axis=1)
    if not pd.isna(cutoff):
        end_fu = end_fu.fillna(cutoff).where(lambda d: d <= cutoff, cutoff)
    drug_end, on_drug = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]"), pd.Series(False, index=p.index)
    events = []
    if treatments is not None and len(treatments):
        _need(treatments, "treatments", ("patient_id", "kind", "start_date"))
        t = treatments.assign(kind=treatments["kind"].astype("string").str.lower(),
                              start_date=pd.to_datetime(treatments["start_date"]),
                              end_date=pd.to_datetime(treatments.get("end_date", pd.Series(pd.NaT, index=treatments.index))))
        drugs = t.loc[t["kind"] == "drug"]
        last_end = drugs.groupby("patient_id")["end_date"].max()
        open_ = drugs.loc[drugs["end_date"].isna()].groupby("patient_id").size() > 0
        drug_end = pid.map(last_end).astype("datetime64[ns]")
        on_drug = pid.isin(open_.index[open_.to_numpy(bool)])
        proc = t.loc[t["kind"] == "procedure"].merge(p[["patient_id", "treatment_start_date"]], on="patient_id")
        events.append(pd.DataFrame({"patient_id": proc["patient_id"], "event": "procedure",
                                    "name": proc.get("name", pd.Series("", index=proc.index)).astype(str),
                                    "date": proc["start_date"]}))
    lane_end = pd.Series(np.where(on_drug | drug_end.isna(), end_fu, drug_end), index=p.index).astype("datetime64[ns]")
    if not pd.isna(cutoff):  # nothing after the data cutoff is drawn
        lane_end = lane_end.where(lane_end <= cutoff, cutoff)
    b = best.drop_duplicates("patient_id").set_index("patient_id") if best is not None else pd.DataFrame()
    first_resp = pid.map(b["first_response_date"]) if "first_response_date" in b else pd.Series(pd.NaT, index=p.index)
    prog = pid.map(b["progression_date"]) if "progression_date" in b else pd.Series(pd.NaT, index=p.index)
    prog = pd.to_datetime(prog).fillna(_dates(p, "progression_date"))
    day = lambda d: (pd.to_datetime(d) - start).dt.days  # noqa: E731 - local unit conversion
    lanes = pd.DataFrame({
        "patient_id": pid, "arm": p["arm"], "treatment_start_date": start,
        "best_response": pid.map(b["best_response"]) if "best_response" in b else pd.NA,
        "time_on_treatment_days": day(lane_end), "follow_up_days": day(end_fu),
        "first_response_days": day(first_resp), "progression_days": day(prog), "death_days": day(death),
        "ongoing": on_drug & death.isna(),
    })
    lanes["status"] = np.select([death.notna().to_numpy(), prog.notna().to_numpy(), lanes["ongoing"].to_numpy()],
                                ["died", "progressed", "on treatment"], default="off treatment")
    for col in ("time_on_treatment", "follow_up", "first_response", "progression", "death"):
        lanes[f"{col}_months"] = lanes[f"{col}_days"] / DAYS_PER_MONTH
    for name, dates in (("first response", first_resp), ("progression", prog), ("death", death)):
        events.append(pd.DataFrame({"patient_id": pid, "event": name, "name": "", "date": pd.to_datetime(dates)}))
    ev = pd.concat(events, ignore_index=True).dropna(subset=["date"])
    ev["day"] = (ev["date"] - ev["patient_id"].map(pd.Series(start.to_numpy(), index=pid.to_numpy()))).dt.days
    ev["month"] = ev["day"] / DAYS_PER_MONTH
    ev = ev.sort_values(["patient_id", "day", "event"], kind="stable").reset_index(drop=True)
    lanes = lanes.sort_values("time_on_treatment_days", ascending=False, kind="stable").reset_index(drop=True)
    return SwimmerData(lanes, ev, tuple(notes))


def _need(df: pd.DataFrame, name: str, cols: tuple[str, ...]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise InputError(name, f"must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(name, f"needs column(s) {missing}")


def _dates(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_datetime(df[col]) if col in df.columns else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")


def _arm(pid: pd.Series, patients: pd.DataFrame | None) -> pd.Series:
    if patients is None or "arm" not in patients.columns:
        return pd.Series(pd.NA, index=pid.index, dtype=object)
    return pid.map(patients.drop_duplicates("patient_id").set_index("patient_id")["arm"])
