"""The visit grid: one row per patient and imaging visit, in patient then date order.

Every per-visit derivation (target, non-target, new lesions, overall) returns columns aligned to
this grid, so the derivations combine by position without joins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["patient_id", "visit_date"]


def visit_grid(lesions: pd.DataFrame) -> pd.DataFrame:
    """Unique (patient_id, visit_date) of a checked lesions table with its baseline flag, sorted."""
    grid = (lesions[KEY + ["baseline_date", "is_baseline_visit"]]
            .drop_duplicates(KEY)
            .sort_values(KEY, kind="stable")
            .reset_index(drop=True))
    return grid.rename(columns={"is_baseline_visit": "is_baseline"})


def per_visit(grid: pd.DataFrame, rows: pd.DataFrame, values: dict[str, tuple[str, str]],
              fill: dict[str, float] | None = None) -> pd.DataFrame:
    """Aggregate ``rows`` by visit (named aggregations ``values``) and align the result to ``grid``."""
    agg = rows.groupby(KEY, sort=False).agg(**values)
    out = pd.MultiIndex.from_frame(grid[KEY])
    res = agg.reindex(out)
    if fill:
        res = res.fillna(fill)
    return res.reset_index(drop=True)


def per_patient(grid: pd.DataFrame, values: pd.Series, default: float = 0.0) -> np.ndarray:
    """Map a per-patient Series onto the grid rows (``default`` where the patient is absent)."""
    return grid["patient_id"].map(values).fillna(default).to_numpy()
