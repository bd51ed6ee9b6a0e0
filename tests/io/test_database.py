"""The study database: raw and validated schemas, import log, idempotent import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from oncocohort import __version__
from oncocohort.errors import InputError
from oncocohort.io.database import (
    default_output_dir,
    import_study,
    list_tables,
    read_table,
    store_tables,
    study_database_path,
)
from oncocohort.protocol import load_protocol
from oncocohort.protocol.examples import example_study_path
from oncocohort.validate import load_study

from .conftest import EXAMPLE


def _copy_example(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(example_study_path(EXAMPLE).parent, folder)
    return folder / "protocol.yaml"


def test_import_twice_adds_no_rows_and_logs_unchanged(tmp_path: Path) -> None:
    protocol_path = _copy_example(tmp_path)
    study = load_study(protocol_path)
    db = study_database_path(study.protocol)
    assert db == protocol_path.parent / f"{EXAMPLE}.duckdb"  # inside the study's folder

    first = import_study(study, db)
    second = import_study(load_study(protocol_path), db)
    assert (first.import_id, first.status, second.import_id, second.status) == (1, "imported", 2, "unchanged")
    assert len(read_table(db, "patients", schema="validated")) == 16
    assert len(read_table(db, "lesions", schema="raw")) == len(study.raw["lesions"])
    log = read_table(db, "import_log", schema="main")
    assert list(log["status"]) == ["imported"] * 5 + ["unchanged"] * 5
    first_rows = log[log["import_id"] == 1].set_index("table_name")
    assert first_rows.loc["patients", "rows_raw"] == 16 and first_rows.loc["patients", "rows_validated"] == 16
    assert first_rows.loc["patients", "sha256"] == study.sources["patients"]["sha256"]
    assert first_rows.loc["patients", "source_path"].endswith("patients.csv")
    assert set(log["tool_version"]) == {__version__}
    assert log["imported_at"].notna().all()

    # a changed file replaces the tables (never appends) and is logged as imported
    patients = pd.read_csv(protocol_path.parent / "patients.csv", dtype=str, keep_default_na=False)
    patients.iloc[:-1].to_csv(protocol_path.parent / "patients.csv", index=False)
    third = import_study(load_study(protocol_path), db)
    assert third.status == "imported" and len(read_table(db, "patients", schema="validated")) == 15


def test_validated_tables_keep_their_types(tmp_path: Path, reference_study) -> None:
    study = reference_study
    db = tmp_path / "s.duckdb"
    import_study(study, db)
    lesions = read_table(db, "lesions", schema="validated")
    assert str(lesions["visit_date"].dtype).startswith("datetime64")
    assert lesions["viable_diameter_mm"].dtype == "float64"
    assert list_tables(db)["validated"] == sorted(study.tables)
    assert "raw" in list_tables(db) and "visit_responses" not in list_tables(db)["raw"]


def test_identifying_columns_never_reach_the_database(tmp_path: Path) -> None:
    protocol_path = _copy_example(tmp_path)
    patients = pd.read_csv(protocol_path.parent / "patients.csv", dtype=str, keep_default_na=False)
    patients.insert(1, "Name", "Someone")
    patients.insert(2, "date_of_birth", "1960-01-01")
    patients.to_csv(protocol_path.parent / "patients.csv", index=False)
    study = load_study(protocol_path)
    db = tmp_path / "s.duckdb"
    import_study(study, db)
    for schema in ("raw", "validated"):
        columns = read_table(db, "patients", schema=schema).columns
        assert "Name" not in columns and "date_of_birth" not in columns
    assert [p.column for p in study.warnings] == ["Name", "date_of_birth"]


def test_store_and_read_tables_replace_not_append(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    frame = pd.DataFrame({"patient_id": ["P1", "P2"], "event": [1, 0]})
    store_tables(db, {"adtte": frame}, schema="derived")
    store_tables(db, {"adtte": frame}, schema="derived")
    pd.testing.assert_frame_equal(read_table(db, "adtte", schema="derived"), frame, check_dtype=False)
    with pytest.raises(InputError, match="unknown schema 'final'; allowed: raw, validated, derived"):
        store_tables(db, {"x": frame}, schema="final")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no table 'adsl' in schema 'derived'"):
        read_table(db, "adsl", schema="derived")
    with pytest.raises(FileNotFoundError, match="run `oncocohort import` first"):
        read_table(tmp_path / "none.duckdb", "adsl", schema="derived")


def test_database_path_for_a_packaged_study_goes_to_the_output_folder(tmp_path: Path, monkeypatch) -> None:
    protocol = load_protocol(example_study_path(EXAMPLE))
    assert study_database_path(protocol, tmp_path) == tmp_path / f"{EXAMPLE}.duckdb"
    monkeypatch.chdir(tmp_path)
    assert default_output_dir(protocol) == tmp_path / "out" / EXAMPLE
    assert study_database_path(protocol) == tmp_path / "out" / EXAMPLE / f"{EXAMPLE}.duckdb"


def test_tables_validated_from_memory_are_logged_by_content(tmp_path: Path, reference_study) -> None:
    from oncocohort.validate import validate_study

    reference = reference_study
    tables = {name: frame for name, frame in reference.raw.items()}
    db = tmp_path / "m.duckdb"
    first = import_study(validate_study(reference.protocol, tables), db)
    second = import_study(validate_study(reference.protocol, tables), db)
    assert (first.status, second.status) == ("imported", "unchanged")
    log = read_table(db, "import_log", schema="main")
    assert set(log["source_format"]) == {"memory"} and log["sha256"].str.len().eq(64).all()
