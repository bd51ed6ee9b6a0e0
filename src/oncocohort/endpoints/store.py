"""Writing derived tables: CSV or Parquet files plus flow.json and derive_notes.json, and the study
database's "derived" schema."""

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
    """Write adsl, adtte, adrs, adae as ``<name>.csv`` (or ``.parquet``), ``flow.json`` and
    ``derive_notes.json``; return the paths.

    Dates are written ISO (YYYY-MM-DD); missing values as empty cells (CSV) or nulls (Parquet).
    ``derive_notes.json`` keeps what the console shows and would otherwise be lost: the data
    decisions (``notes``: message, count, details) and the warning-level problems found while
    deriving (``warnings``: table, patient id, column, value, expected, rule, location).
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
    notes = out / "derive_notes.json"
    notes.write_text(json.dumps(derive_notes(derived), indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    paths.append(notes)
    return paths


def derive_notes(derived: DerivedStudy) -> dict[str, list[dict[str, object]]]:
    """The derivation's notes and warning-level problems as plain data (``derive_notes.json``)."""
    return {
        "notes": [{"message": n.message, "count": n.count, "details": dict(n.details)} for n in derived.notes],
        "warnings": [{"table": p.table, "patient_id": p.row, "column": p.column, "value": p.value,
                      "expected": p.expected, "rule": p.rule, "location": p.location}
                     for p in derived.problems],
    }


def store_derived_tables(derived: DerivedStudy, db_path: str | Path) -> bool:
    """Store the four tables in the study database, schema ``derived``; False when the io stage lacks it."""
    try:
        from oncocohort.io.database import store_tables
    except ImportError:
        return False
    store_tables(Path(db_path), {k: _plain(v) for k, v in derived.tables().items()}, schema="derived")
    return True
