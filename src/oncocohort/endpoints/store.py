"""Writing derived tables: CSV or Parquet files plus flow.json, and the study database's "derived" schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pandas as pd

from oncocohort.endpoints.derive import DerivedStudy


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as text (files and databases keep values; level order lives in the protocol)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("string")
    return out


def write_derived_tables(derived: DerivedStudy, out_dir: str | Path, *,
                         file_format: Literal["csv", "parquet"] = "csv") -> list[Path]:
    """Write adsl, adtte, adrs, adae as ``<name>.csv`` (or ``.parquet``) and ``flow.json``; return the paths.

    Dates are written ISO (YYYY-MM-DD); missing values as empty cells (CSV) or nulls (Parquet).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in derived.tables().items():
        path = out / f"{name}.{file_format}"
        if file_format == "csv":
            _plain(frame).to_csv(path, index=False, date_format="%Y-%m-%d")
        else:
            _plain(frame).to_parquet(path, index=False)
        paths.append(path)
    flow = out / "flow.json"
    flow.write_text(json.dumps(derived.flow.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    paths.append(flow)
    return paths


def store_derived_tables(derived: DerivedStudy, db_path: str | Path) -> bool:
    """Store the four tables in the study database, schema ``derived``; False when the io stage lacks it."""
    try:
        from oncocohort.io.database import store_tables
    except ImportError:
        return False
    store_tables(Path(db_path), {k: _plain(v) for k, v in derived.tables().items()}, schema="derived")
    return True
