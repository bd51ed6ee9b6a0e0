"""Each reader round-trips a study: CSV, multi-sheet Excel, SPSS .sav with value labels, Parquet, DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyreadstat
import pytest

from oncocohort.errors import InputError
from oncocohort.io import file_sha256, map_headers, read_data_file, read_study_files, read_study_tables
from oncocohort.protocol import load_protocol
from oncocohort.protocol.examples import example_study_path
from oncocohort.validate import load_study

from .conftest import EXAMPLE, TABLES, assert_same_study, write_protocol


def test_csv_reader_keeps_text_and_sources_name_the_file(reference_study) -> None:
    protocol = load_protocol(example_study_path(EXAMPLE))
    raw = read_study_files(protocol)
    assert set(raw.tables) == set(TABLES)
    assert raw.tables["patients"]["age"].dtype == object  # as read: text
    info = raw.sources["patients"]
    assert info.path.endswith("patients.csv") and info.format == "csv" and info.rows == 16
    assert info.sha256 == file_sha256(info.path)
    assert reference_study.sources["lesions"]["rows"] == len(reference_study.tables["lesions"])


def test_excel_several_sheets_one_workbook(tmp_path: Path, typed_raw_tables, reference_study) -> None:
    workbook = tmp_path / "study.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        for table, frame in typed_raw_tables.items():
            sheet = "AEs" if table == "adverse_events" else table
            frame.to_excel(writer, sheet_name=sheet, index=False)
    data = {t: {"path": "study.xlsx"} for t in TABLES}
    data["adverse_events"]["sheet"] = "AEs"
    study = load_study(write_protocol(tmp_path, data))
    assert_same_study(study, reference_study)
    assert study.sources["adverse_events"]["location"] == "AEs"
    assert study.sources["patients"]["sha256"] == study.sources["labs"]["sha256"]  # one file, one hash


def test_missing_sheet_names_the_sheets(tmp_path: Path, typed_raw_tables) -> None:
    with pd.ExcelWriter(tmp_path / "study.xlsx") as writer:
        typed_raw_tables["patients"].to_excel(writer, sheet_name="Sheet1", index=False)
    with pytest.raises(InputError, match=r"sheet 'patients' not found in .*study.xlsx; sheets: Sheet1"):
        read_data_file(tmp_path / "study.xlsx", table="patients")


def test_spss_value_labels_become_categories(tmp_path: Path, typed_raw_tables, reference_study) -> None:
    folder = example_study_path(EXAMPLE).parent
    for table in TABLES[1:]:
        shutil.copy(folder / f"{table}.csv", tmp_path / f"{table}.csv")
    patients = typed_raw_tables["patients"].copy()
    # coded as in an SPSS file: arm 1/2, sex 1/2, HBsAg 0/1, with value labels
    patients["arm"] = patients["arm"].map({"ici": 1, "ICIs alone": 1, "ici_mwa": 2, "ICIs + MWA": 2})
    patients["sex"] = patients["sex"].str.lower().map({"male": 1, "m": 1, "female": 2})
    patients["hbsag"] = patients["hbsag"].map({"negative": 0, "positive": 1, "pos": 1})
    for column in ("progression_date", "best_response"):
        patients[column] = patients[column].astype(object).where(patients[column].notna(), "")
    pyreadstat.write_sav(patients, str(tmp_path / "patients.sav"), variable_value_labels={
        "arm": {1: "ICIs", 2: "ICIs + MWA"}, "sex": {1: "Male", 2: "Female"},
        "hbsag": {0: "Negative", 1: "Positive"}})
    data = {"patients": "patients.sav", **{t: f"{t}.csv" for t in TABLES[1:]}}
    study = load_study(write_protocol(tmp_path, data))
    assert_same_study(study, reference_study)


def test_parquet(tmp_path: Path, typed_raw_tables, reference_study) -> None:
    for table, frame in typed_raw_tables.items():
        frame.to_parquet(tmp_path / f"{table}.parquet")
    study = load_study(write_protocol(tmp_path, {t: f"{t}.parquet" for t in TABLES}))
    assert_same_study(study, reference_study)


def test_duckdb_table(tmp_path: Path, typed_raw_tables, reference_study) -> None:
    with duckdb.connect(str(tmp_path / "hospital.duckdb")) as con:
        for table, frame in typed_raw_tables.items():
            name = "ae_export" if table == "adverse_events" else table
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
    data = {t: {"path": "hospital.duckdb"} for t in TABLES}
    data["adverse_events"]["table"] = "ae_export"
    study = load_study(write_protocol(tmp_path, data))
    assert_same_study(study, reference_study)
    with pytest.raises(InputError, match="table 'visits' not found"):
        read_data_file(tmp_path / "hospital.duckdb", table="visits")


def test_header_mapping_explicit_then_normalised(tmp_path: Path, reference_study) -> None:
    folder = example_study_path(EXAMPLE).parent
    for table in TABLES:
        shutil.copy(folder / f"{table}.csv", tmp_path / f"{table}.csv")
    patients = pd.read_csv(folder / "patients.csv", dtype=str, keep_default_na=False)
    patients = patients.rename(columns={"patient_id": "Study ID", "treatment_start_date": "Treatment Start Date",
                                        "hbsag": "HBsAg"})
    patients.to_csv(tmp_path / "patients.csv", index=False, sep=";")
    data = {"patients": {"path": "patients.csv", "columns": {"Study ID": "patient_id"}},
            **{t: f"{t}.csv" for t in TABLES[1:]}}
    study = load_study(write_protocol(tmp_path, data))
    assert_same_study(study, reference_study)


def test_map_headers_leaves_unknown_headers() -> None:
    frame = pd.DataFrame(columns=["Patient ID", "Visit-Date", "Comment"])
    assert list(map_headers(frame, table="lesions").columns) == ["patient_id", "visit_date", "Comment"]


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="patients: data file not found"):
        read_data_file(tmp_path / "nope.csv", table="patients")
    (tmp_path / "x.dat").write_text("a")
    with pytest.raises(InputError, match="cannot tell the format"):
        read_data_file(tmp_path / "x.dat", table="patients")


def test_read_study_tables_returns_mapped_frames() -> None:
    tables = read_study_tables(load_protocol(example_study_path("tace-ici-realworld")))
    assert sorted(tables) == ["adverse_events", "lesions", "patients", "treatments"]
    assert "patient_id" in tables["lesions"].columns


def test_a_corrupt_file_is_an_input_error_naming_table_and_file(tmp_path: Path) -> None:
    (tmp_path / "patients.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputError, match=r"data.patients: cannot read .*patients.xlsx as xlsx"):
        read_data_file(tmp_path / "patients.xlsx", table="patients")


def test_two_headers_mapping_to_one_column_are_an_input_error() -> None:
    frame = pd.DataFrame(columns=["Patient ID", "patient_id", "arm"])
    with pytest.raises(InputError, match=r"data.patients: two headers give the same column: 'patient_id' from "
                                         r"'Patient ID', 'patient_id'; rename or drop one"):
        map_headers(frame, table="patients")
