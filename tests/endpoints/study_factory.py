"""Small hand-made studies as validated-typed tables (template column names and dtypes, docs/architecture.md
item 2), so derivation tests do not depend on the readers or the validator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from oncocohort.protocol import load_preset

D = pd.Timestamp


def dates(values: list[Any]) -> pd.Series:
    return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")


@dataclass(frozen=True)
class FakeValidated:
    """Duck-typed ValidatedStudy: what derive_study reads."""

    protocol: Any
    tables: dict[str, pd.DataFrame]
    problems: tuple = ()
    sources: dict = field(default_factory=dict)


def patients_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Patients with template date columns typed and every missing column empty."""
    df = pd.DataFrame(rows)
    for col in ("treatment_start_date", "death_date", "last_contact_date", "progression_date", "diagnosis_date",
                "enrollment_date", "new_therapy_date", "last_assessment_date"):
        df[col] = pd.to_datetime(df[col]) if col in df else pd.NaT
        df[col] = df[col].astype("datetime64[ns]")
    df["patient_id"] = df["patient_id"].astype(str)
    df["arm"] = df["arm"].astype("string")
    if "best_response" not in df:
        df["best_response"] = pd.Series(pd.NA, index=df.index, dtype="string")
    return df


def ici_mwa_protocol(**updates: Any):
    """The ici-mwa-retrospective preset, optionally with top-level fields replaced (pydantic model_copy)."""
    return load_preset("ici-mwa-retrospective").model_copy(update=updates)


def eligible_baseline(**extra: Any) -> dict[str, Any]:
    """Baseline values passing every criterion of the ici-mwa preset."""
    base = {"cnlc_stage": "IIb", "n_progressing_lesions": 2.0, "largest_lesion_cm": 3.0,
            "macrovascular_invasion": "no", "ici_class": "PD-1", "age": 60.0, "sex": "male", "afp": 100.0}
    base.update(extra)
    return base
