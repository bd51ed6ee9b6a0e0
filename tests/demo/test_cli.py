"""The demo and synth commands (thin wrappers; the heavy lifting is tested elsewhere)."""

from __future__ import annotations

from typer.testing import CliRunner

from oncocohort.cli import app

runner = CliRunner()


def test_demo_export_writes_the_study_folder(tmp_path):
    result = runner.invoke(app, ["demo", "--export", str(tmp_path / "study")])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "study").iterdir()}
    assert {"protocol.yaml", "patients.csv", "lesions.csv", "adverse_events.csv", "treatments.csv", "labs.csv",
            "README.md"} == names
    again = runner.invoke(app, ["demo", "--export", str(tmp_path / "study")])
    assert again.exit_code == 1 and "exists" in again.output


def test_demo_unknown_study_is_an_error(tmp_path):
    result = runner.invoke(app, ["demo", "--study", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "allowed" in result.output


def test_synth_command(tmp_path):
    result = runner.invoke(app, ["synth", "--patients", "80", "--out", str(tmp_path), "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert {"patients.parquet", "adverse_events.parquet", "treatments.parquet", "protocol.yaml",
            "README.md"} == {p.name for p in tmp_path.iterdir()}
