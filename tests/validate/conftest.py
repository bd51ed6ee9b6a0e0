"""Small, deliberately tricky study tables for the validation rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from oncocohort.errors import ValidationProblem
from oncocohort.protocol import Protocol, parse_protocol
from oncocohort.validate import validate_study

BASE_PROTOCOL: dict[str, Any] = {
    "study": {"name": "mini", "title": "Mini study", "design": "two-arm"},
    "arms": [{"id": "ici", "label": "ICIs", "aliases": ["ICI alone"]},
             {"id": "ici_mwa", "label": "ICIs + MWA", "aliases": ["MWA + ICIs"]}],
    "reference_arm": "ici",
    "data_cutoff": "2025-06-30",
    "data": {"patients": "patients.csv"},
    "endpoints": {"os": {"events": ["death"]}},
    "variables": [
        {"name": "age", "type": "continuous", "min": 0, "max": 120, "required": True},
        {"name": "sex", "type": "categorical", "levels": ["male", "female"], "aliases": {"m": "male", "f": "female"}},
        {"name": "ecog", "type": "categorical", "levels": ["0", "1"]},
        {"name": "hbsag", "type": "binary", "levels": ["negative", "positive"],
         "level_labels": {"negative": "Negative", "positive": "Positive"}},
        {"name": "pvtt", "type": "binary", "levels": ["no", "yes"]},
    ],
}


def make_protocol(**changes: Any) -> Protocol:
    """The base protocol with top-level keys replaced (``data`` merged)."""
    raw = copy.deepcopy(BASE_PROTOCOL)
    data = changes.pop("data", None)
    raw.update(changes)
    if data:
        raw["data"] = {**raw["data"], **data}
    return parse_protocol(raw)


def make_patients(**columns: list[Any]) -> pd.DataFrame:
    """Three valid allocated patients (text as in a CSV); ``columns`` replace whole columns."""
    frame = pd.DataFrame({
        "patient_id": ["P1", "P2", "P3"],
        "arm": ["ici", "ici_mwa", "ICIs + MWA"],
        "treatment_start_date": ["2023-01-10", "2023-02-01", "2023-03-01"],
        "death_date": [None, "2024-01-05", None],
        "last_contact_date": ["2024-06-01", "2024-01-05", "2024-05-01"],
        "progression_date": [None, "2023-09-01", None],
        "best_response": ["PR", "PD", "SD"],
        "age": ["61", "70", "55"],
        "sex": ["male", "female", "m"],
        "ecog": ["0", "1", "0"],
        "hbsag": ["positive", "Negative", "negative"],
        "pvtt": ["no", "yes", "N"],
    })
    for name, values in columns.items():
        frame[name] = values
    return frame


@pytest.fixture
def protocol() -> Protocol:
    return make_protocol()


@pytest.fixture
def check() -> Callable[..., list[ValidationProblem]]:
    """check(tables, protocol=None) -> all problems (validated with raise_on_error=False)."""
    def run(tables: dict[str, pd.DataFrame], protocol: Protocol | None = None) -> list[ValidationProblem]:
        return list(validate_study(protocol or make_protocol(), tables, raise_on_error=False).problems)
    return run


def by_rule(problems: list[ValidationProblem], rule: str) -> list[ValidationProblem]:
    return [p for p in problems if p.rule == rule]
