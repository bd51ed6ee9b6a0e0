"""CLI: protocol new, validate, import, template — exit codes and messages (typer's CliRunner)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from oncocohort.cli import app
from oncocohort.io.database import read_table
from oncocohort.protocol import load_protocol
from oncocohort.protocol.examples import example_study_path

EXAMPLE = "tace-ici-realworld"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _output(result) -> str:
    # stderr carries the panels; collapse whitespace so rich's wrapping does not matter
    text = result.output + (getattr(result, "stderr", "") if result.stderr_bytes is not None else "")
    return " ".join(text.replace("│", " ").split())


@pytest.fixture
def study(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(example_study_path(EXAMPLE).parent, folder)
    return folder / "protocol.yaml"


def test_protocol_new_writes_a_preset_and_refuses_to_overwrite(runner, tmp_path: Path) -> None:
    path = tmp_path / "my" / "protocol.yaml"
    result = runner.invoke(app, ["protocol", "new", "--preset", "oligomet-ablation-lenvatinib-pd1", str(path)])
    assert result.exit_code == 0, _output(result)
    assert load_protocol(path).study.name == "oligomet-ablation-lenvatinib-pd1"
    again = runner.invoke(app, ["protocol", "new", "--preset", "oligomet-ablation-lenvatinib-pd1", str(path)])
    assert again.exit_code == 1 and "exists; choose another path or remove it first" in _output(again)


def test_protocol_new_unknown_preset(runner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["protocol", "new", "--preset", "nope", str(tmp_path / "p.yaml")])
    assert result.exit_code == 1
    assert "unknown preset 'nope'; allowed: ici-mwa-retrospective, tace-ici-realworld" in _output(result)


def test_validate_a_valid_study(runner, study: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(study), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, _output(result)
    assert "data valid: patients 16 rows, lesions 140 rows" in _output(result)
    assert (tmp_path / "out" / "validation-report.txt").read_text().startswith(
        "Validation report: tace-ici-realworld\n0 error(s), 0 warning(s)")


def test_validate_reports_errors_with_exit_1_and_files(runner, study: Path) -> None:
    patients = pd.read_csv(study.parent / "patients.csv", dtype=str, keep_default_na=False)
    patients.loc[2, "arm"] = "placebo"
    patients.loc[3, "age"] = "-5"
    patients.to_csv(study.parent / "patients.csv", index=False)
    result = runner.invoke(app, ["validate", str(study)])
    assert result.exit_code == 1
    text = _output(result)
    assert "Data validation failed: 2 error(s), 0 warning(s)" in text
    assert "placebo" in text and "T003" in text and "T004" in text
    report = (study.parent / "out" / "validation-report.csv")
    frame = pd.read_csv(report, dtype=str)
    assert list(zip(frame["row"], frame["column"], frame["rule"], strict=True)) == [
        ("T003", "arm", "unknown_arm"), ("T004", "age", "out_of_range")]
    assert "validation-report.txt" in text


def test_validate_warnings_exit_0(runner, study: Path) -> None:
    patients = pd.read_csv(study.parent / "patients.csv", dtype=str, keep_default_na=False)
    patients.loc[0, "last_contact_date"] = "2025-08-01"
    patients.to_csv(study.parent / "patients.csv", index=False)
    result = runner.invoke(app, ["validate", str(study)])
    assert result.exit_code == 0, _output(result)
    assert "1 warning(s)" in _output(result) and "data cutoff 2025-06-30" in _output(result)


def test_validate_an_invalid_protocol(runner, study: Path) -> None:
    raw = yaml.safe_load(study.read_text())
    raw["endpoints"]["os"]["origin"] = "start"
    study.write_text(yaml.safe_dump(raw))
    result = runner.invoke(app, ["validate", str(study)])
    assert result.exit_code == 1
    text = _output(result)
    assert "Invalid study protocol" in text
    assert "endpoints.os.origin: value 'start' not allowed" in text


def test_validate_a_missing_data_file(runner, study: Path) -> None:
    (study.parent / "lesions.csv").unlink()
    result = runner.invoke(app, ["validate", str(study)])
    assert result.exit_code == 1 and "lesions: data file not found" in _output(result)


def test_import_twice_is_idempotent(runner, study: Path) -> None:
    first = runner.invoke(app, ["import", str(study)])
    assert first.exit_code == 0, _output(first)
    assert "import #1 imported" in _output(first)
    second = runner.invoke(app, ["import", str(study)])
    assert "import #2 unchanged" in _output(second)
    db = study.parent / f"{EXAMPLE}.duckdb"
    assert len(read_table(db, "patients", schema="validated")) == 16
    assert list(read_table(db, "import_log", schema="main")["status"].unique()) == ["imported", "unchanged"]


def test_import_stops_on_errors_and_writes_nothing(runner, study: Path) -> None:
    patients = pd.read_csv(study.parent / "patients.csv", dtype=str, keep_default_na=False)
    patients.loc[1, "treatment_start_date"] = "03/04/2023"
    patients.to_csv(study.parent / "patients.csv", index=False)
    result = runner.invoke(app, ["import", str(study)])
    assert result.exit_code == 1 and "03/04/2023" in _output(result)
    assert not (study.parent / f"{EXAMPLE}.duckdb").exists()


def test_template_command(runner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", str(tmp_path / "t.xlsx"), "--protocol",
                                 str(example_study_path(EXAMPLE))])
    assert result.exit_code == 0, _output(result)
    sheets = pd.ExcelFile(tmp_path / "t.xlsx").sheet_names
    assert sheets[0] == "patients" and sheets[-1] == "data_dictionary"


@pytest.mark.parametrize("command", [["validate", "--help"], ["import", "--help"], ["protocol", "new", "--help"]])
def test_help_texts_have_examples(runner, command) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0
    assert "Example" in result.output and "oncocohort " + command[0] in result.output


def test_version(runner) -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and result.output.strip()


def test_progress_display_starts_only_for_slow_steps(monkeypatch) -> None:
    import time

    from oncocohort import cli

    started: list[bool] = []
    monkeypatch.setattr(cli.Progress, "start", lambda self: started.append(True))
    monkeypatch.setattr(cli, "PROGRESS_DELAY_S", 0.01)
    with cli._progress("slow step"):
        time.sleep(0.2)
    monkeypatch.setattr(cli, "PROGRESS_DELAY_S", 5.0)
    with cli._progress("quick step"):
        pass
    assert started == [True]


def test_a_packaged_example_is_imported_into_the_working_folder(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["import", str(example_study_path("hepatectomy-lenvatinib-durvalumab"))])
    assert result.exit_code == 0, _output(result)
    out = tmp_path / "out" / "hepatectomy-lenvatinib-durvalumab"
    assert (out / "hepatectomy-lenvatinib-durvalumab.duckdb").is_file()
    assert (out / "validation-report.csv").is_file()
