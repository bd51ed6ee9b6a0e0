"""Patient-level data behind the report's figures, so the report draws and computes nothing.

* waterfall (seed 001 Fig. 2): one bar per analysed patient with a best per cent change of the
  target sum (``adsl.best_pct_change``), sorted from largest increase to largest decrease, with
  the best overall response (bar colour) and arm; reference lines +20 % (PD) and −30 % (PR).
* swimmer (Fig. 3): one lane per analysed patient, times in months from treatment start
  (days / 30.4375): end of follow-up (death or last contact), time on drug treatment (last drug
  ``end_date``; open when a drug has no end date), first CR/PR, progression, death or an ongoing
  arrow, and procedure markers (``treatments.kind == "procedure"``, e.g. MWA). Sorted by arm
  (protocol order) then by follow-up, longest first.
* AFP over time for responders (Fig. 6J): ``labs`` rows with test "afp" of patients whose best
  response is CR or PR, months from treatment start, with their procedure times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oncocohort.analysis._common import analysed_only, json_ready, months_between
from oncocohort.analysis.efficacy import best_response_categories
from oncocohort.errors import Note
from oncocohort.protocol import Protocol

PD_LINE = 20.0
PR_LINE = -30.0


@dataclass(frozen=True, slots=True)
class PlotData:
    waterfall: pd.DataFrame
    swimmer: pd.DataFrame
    procedures: pd.DataFrame
    afp: pd.DataFrame
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        procs: dict[str, list[dict[str, Any]]] = {}
        for rec in self.procedures.to_dict("records"):
            procs.setdefault(str(rec["patient_id"]), []).append({"name": rec["name"], "time": rec["time"]})
        lanes = []
        for rec in self.swimmer.to_dict("records"):
            rec["procedures"] = procs.get(str(rec["patient_id"]), [])
            lanes.append(rec)
        afp = []
        for pid, sub in self.afp.groupby("patient_id", sort=False) if len(self.afp) else []:
            afp.append({"patient_id": str(pid), "arm": sub["arm"].iloc[0],
                        "best_response": sub["best_response"].iloc[0],
                        "time": sub["time"].tolist(), "value": sub["value"].tolist(),
                        "unit": sub["unit"].dropna().iloc[0] if sub["unit"].notna().any() else None,
                        "procedures": procs.get(str(pid), [])})
        return json_ready({
            "waterfall": {"reference_lines": [PD_LINE, PR_LINE], "unit": "percent change of the target sum",
                          "bars": self.waterfall.to_dict("records")},
            "swimmer": {"time_unit": "months", "lanes": lanes},
            "afp": {"time_unit": "months", "test": "afp", "patients": afp},
            "notes": [str(n) for n in self.notes],
        })


def plot_data(adsl: pd.DataFrame, protocol: Protocol, *, treatments: pd.DataFrame | None = None,
              labs: pd.DataFrame | None = None) -> PlotData:
    """Waterfall, swimmer and AFP-over-time data of the analysed patients (module docstring)."""
    subj = analysed_only(adsl).copy()
    subj["patient_id"] = subj["patient_id"].astype(str)
    subj["arm"] = subj["arm"].astype("string")
    best, _, _ = best_response_categories(subj["best_response"]) if "best_response" in subj else (
        pd.Series("NE", index=subj.index), 0, [])
    subj["best"] = best.to_numpy()
    if "treatment_start_date" not in subj.columns:  # no time origin: lanes and AFP series cannot be placed
        subj["treatment_start_date"] = pd.NaT
    arm_rank = {a: i for i, a in enumerate(protocol.arm_ids)}
    notes: list[Note] = []
    waterfall = _waterfall(subj)
    procedures = _procedures(subj, treatments)
    swimmer = _swimmer(subj, treatments, arm_rank)
    afp = _afp(subj, labs)
    if waterfall.empty:
        notes.append(Note("no patient has a best per cent change of the target sum: no waterfall data"))
    return PlotData(waterfall, swimmer, procedures, afp, tuple(notes))


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")


def _waterfall(subj: pd.DataFrame) -> pd.DataFrame:
    if "best_pct_change" not in subj.columns:
        return pd.DataFrame(columns=["patient_id", "arm", "best_pct_change", "best_response"])
    pct = pd.to_numeric(subj["best_pct_change"], errors="coerce")
    out = pd.DataFrame({"patient_id": subj["patient_id"], "arm": subj["arm"].astype(object),
                        "best_pct_change": pct, "best_response": subj["best"]})
    out = out.loc[pct.notna().to_numpy()]
    return out.sort_values(["best_pct_change", "patient_id"], ascending=[False, True], kind="mergesort",
                           ignore_index=True)


def _procedures(subj: pd.DataFrame, treatments: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["patient_id", "name", "time"]
    if treatments is None or treatments.empty or "kind" not in treatments.columns:
        return pd.DataFrame(columns=cols)
    t = treatments.loc[treatments["kind"].astype(str).str.lower().to_numpy() == "procedure"].copy()
    t["patient_id"] = t["patient_id"].astype(str)
    t = t.merge(subj[["patient_id", "treatment_start_date"]], on="patient_id", how="inner")
    t["time"] = months_between(t["treatment_start_date"], t["start_date"])
    t["name"] = t["name"].astype(str)
    return t.loc[t["time"].notna().to_numpy(), cols].sort_values(cols[:1] + ["time"], ignore_index=True)


def _swimmer(subj: pd.DataFrame, treatments: pd.DataFrame | None, arm_rank: dict[str, int]) -> pd.DataFrame:
    start = _col(subj, "treatment_start_date")
    death = _col(subj, "death_date")
    end_date = death.fillna(_col(subj, "last_contact_date"))
    lanes = pd.DataFrame({
        "patient_id": subj["patient_id"], "arm": subj["arm"].astype(object), "best_response": subj["best"],
        "end_time": months_between(start, end_date),
        "first_response_time": months_between(start, _col(subj, "first_response_date")),
        "progression_time": months_between(start, _col(subj, "progression_date")),
        "death": death.notna().to_numpy(),
    })
    lanes["ongoing"] = ~lanes["death"]
    lanes["treatment_end_time"] = np.nan
    lanes["on_treatment"] = False
    if treatments is not None and not treatments.empty and "kind" in treatments.columns:
        drugs = treatments.loc[treatments["kind"].astype(str).str.lower().to_numpy() == "drug"].copy()
        drugs["patient_id"] = drugs["patient_id"].astype(str)
        open_ = drugs["end_date"].isna().groupby(drugs["patient_id"]).any()
        last = drugs.groupby("patient_id")["end_date"].max()
        lanes["on_treatment"] = lanes["patient_id"].map(open_).astype("boolean").fillna(False).astype(bool)
        last_end = pd.to_datetime(lanes["patient_id"].map(last))
        lanes["treatment_end_time"] = months_between(start.reset_index(drop=True), last_end.reset_index(drop=True)
                                                     ).to_numpy()
        lanes.loc[lanes["on_treatment"], "treatment_end_time"] = lanes.loc[lanes["on_treatment"], "end_time"]
    lanes["arm_order"] = lanes["arm"].map(arm_rank).fillna(len(arm_rank))
    lanes = lanes.sort_values(["arm_order", "end_time", "patient_id"], ascending=[True, False, True],
                              kind="mergesort", ignore_index=True)
    return lanes.drop(columns="arm_order")


def _afp(subj: pd.DataFrame, labs: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["patient_id", "arm", "best_response", "time", "value", "unit"]
    if labs is None or labs.empty or "test" not in labs.columns:
        return pd.DataFrame(columns=cols)
    responders = subj.loc[subj["best"].isin(["CR", "PR"]).to_numpy(), ["patient_id", "arm", "best",
                                                                       "treatment_start_date"]]
    lab = labs.loc[labs["test"].astype(str).str.strip().str.lower().to_numpy() == "afp"].copy()
    lab["patient_id"] = lab["patient_id"].astype(str)
    lab = lab.merge(responders, on="patient_id", how="inner")
    lab["time"] = months_between(lab["treatment_start_date"], lab["date"])
    lab["value"] = pd.to_numeric(lab["value"], errors="coerce")
    if "unit" not in lab.columns:
        lab["unit"] = None
    lab = lab.rename(columns={"best": "best_response"})
    lab["arm"] = lab["arm"].astype(object)
    lab = lab.loc[lab["time"].notna().to_numpy() & lab["value"].notna().to_numpy(), cols]
    return lab.sort_values(["patient_id", "time"], ignore_index=True)
