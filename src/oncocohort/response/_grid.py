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
    """Sum or count ``rows`` by visit and align the result to ``grid``.

    ``values`` maps an output name to (column, "sum" | "count"): "sum" adds the column (booleans
    count True; NaN is skipped), "count" counts its non-missing values. Visits without rows get
    ``fill`` (or NaN for sums without a fill). Row-to-visit positions come from one index lookup
    and the totals from ``np.bincount`` — no per-group Python work, whatever the number of patients.
    """
    pos = pd.MultiIndex.from_frame(grid[KEY]).get_indexer(pd.MultiIndex.from_frame(rows[KEY]))
    n = len(grid)
    present = np.bincount(pos, minlength=n) > 0
    out = {}
    for name, (col, how) in values.items():
        x = rows[col].to_numpy(dtype=float)
        w = ~np.isnan(x) if how == "count" else np.nan_to_num(x, nan=0.0)
        total = np.bincount(pos, weights=w.astype(float), minlength=n)
        default = (fill or {}).get(name, np.nan)
        out[name] = np.where(present, total, default)
    return pd.DataFrame(out)


def per_patient(grid: pd.DataFrame, values: pd.Series, default: float = 0.0) -> np.ndarray:
    """Map a per-patient Series onto the grid rows (``default`` where the patient is absent)."""
    return grid["patient_id"].map(values).fillna(default).to_numpy()


def first_match(conds: list[np.ndarray], calls: list[str], rules: list[str], default_call: str,
                default_rule: str) -> tuple[pd.api.extensions.ExtensionArray, np.ndarray]:
    """Call and rule of the first true condition per row (a rule table applied in order).

    The row number of the first match is selected as a small integer and the texts are taken from
    it, so no long strings are copied per condition. A call "" (the baseline visit: no call)
    becomes NA.
    """
    which = np.select(conds, list(range(len(conds))), default=len(conds))
    call_text = np.array(list(calls) + [default_call], dtype=object)[which]
    out = pd.array(call_text, dtype="string")
    out[call_text == ""] = pd.NA
    return out, np.array(list(rules) + [default_rule], dtype=object)[which]
