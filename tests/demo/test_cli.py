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


def test_run_demo_without_the_report_stage_says_what_it_did_not_do(tmp_path, monkeypatch):
    """The stepwise fallback (report stage absent): validate, derive, analyse; the report listed as not done.

    ``analyze`` is replaced by a stub to keep the test fast; the real plan runs in the analysis tests.
    """
    import sys
    import types

    import oncocohort.analysis
    from oncocohort.demo import run_demo

    monkeypatch.setitem(sys.modules, "oncocohort.report", types.ModuleType("oncocohort.report"))
    calls = []
    monkeypatch.setattr(oncocohort.analysis, "analyze", lambda derived, **kw: calls.append(derived) or "results")
    monkeypatch.setattr(oncocohort.analysis, "write_results_json",
                        lambda results, path: path.write_text("{}", encoding="utf-8") or path)
    run = run_demo(tmp_path, name="hepatectomy-lenvatinib-durvalumab")
    assert run.done == ("validate", "derive", "analyse") and len(calls) == 1
    assert len(run.not_done) == 1 and run.not_done[0].startswith("report")
    assert (tmp_path / "results.json").is_file() and (tmp_path / "adsl.csv").is_file()
    assert run.summary["flow"]["analysed"] == {"hep_len_durva": 25}
