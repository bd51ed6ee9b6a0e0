"""Small builders of lesions tables for the response tests (one dict per lesion per visit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["patient_id", "visit_date", "lesion_id", "lesion_type", "site", "is_lymph_node",
           "longest_diameter_mm", "short_axis_mm", "viable_diameter_mm", "nontarget_status",
           "typical_hcc_pattern"]


def lesion(pid: str, date: str, lid: str, ltype: str, mm: float | None = None, *, node: bool = False,
           status: str | None = None, site: str = "liver", viable: float | None = "same",
           typical: bool | None = None, short_axis: float | None = None) -> dict:
    """One lesion row. ``mm`` is the longest diameter (and, unless given, the viable diameter);
    for a node it is the short axis."""
    mm = np.nan if mm is None else float(mm)
    via = mm if viable == "same" else (np.nan if viable is None else float(viable))
    return dict(patient_id=pid, visit_date=pd.Timestamp(date), lesion_id=lid, lesion_type=ltype, site=site,
                is_lymph_node=node, longest_diameter_mm=np.nan if node else mm,
                short_axis_mm=(mm if node else (np.nan if short_axis is None else short_axis)),
                viable_diameter_mm=np.nan if node else via, nontarget_status=status,
                typical_hcc_pattern=typical)


def table(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["typical_hcc_pattern"] = df["typical_hcc_pattern"].astype("boolean")
    return df


def target_series(pid: str, dates: list[str], sums: list[float | None], **kw) -> list[dict]:
    """One target lesion per date with the given diameter (None = not measured)."""
    return [lesion(pid, d, "T1", "target", s, **kw) for d, s in zip(dates, sums)]


def calls(result, pid: str = "P1") -> list[str]:
    """Post-baseline overall responses of one patient, in date order."""
    v = result.visits
    v = v.loc[(v["patient_id"] == pid) & ~v["is_baseline"]]
    return [("NA" if pd.isna(x) else str(x)) for x in v["overall_response"]]


def best_row(result, pid: str = "P1") -> pd.Series:
    return result.best.set_index("patient_id").loc[pid]
