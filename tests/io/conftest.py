"""A study written in every supported format, from the ici-mwa example study's CSVs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from oncocohort.protocol.examples import example_study_path
from oncocohort.validate import ValidatedStudy, load_study

EXAMPLE = "ici-mwa-retrospective"
TABLES = ("patients", "lesions", "adverse_events", "treatments", "labs")
DATE_COLUMNS = {"patients": ["treatment_start_date", "death_date", "last_contact_date"],
                "lesions": ["visit_date"], "adverse_events": ["onset_date", "resolution_date"],
                "treatments": ["start_date", "end_date"], "labs": ["date"]}


@pytest.fixture(scope="session")
def reference_study() -> ValidatedStudy:
    return load_study(example_study_path(EXAMPLE))


@pytest.fixture(scope="session")
def typed_raw_tables() -> dict[str, pd.DataFrame]:
    """The example's tables as a spreadsheet or database would hold them: numbers and dates typed."""
    folder = example_study_path(EXAMPLE).parent
    out = {}
    for table in TABLES:
        frame = pd.read_csv(folder / f"{table}.csv")
        for column in DATE_COLUMNS[table]:
            frame[column] = pd.to_datetime(frame[column])
        out[table] = frame
    return out


def write_protocol(folder: Path, data: dict[str, Any]) -> Path:
    """The example protocol with its ``data`` section replaced, written into ``folder``."""
    raw = yaml.safe_load(example_study_path(EXAMPLE).read_text(encoding="utf-8"))
    raw["data"] = data
    path = folder / "protocol.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def assert_same_study(study: ValidatedStudy, reference: ValidatedStudy) -> None:
    """Validated tables equal (values and dtypes) to the reference study's."""
    assert study.problems == reference.problems
    for table in TABLES:
        pd.testing.assert_frame_equal(study.tables[table], reference.tables[table], check_like=False)
