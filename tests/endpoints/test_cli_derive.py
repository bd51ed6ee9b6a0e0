"""`oncocohort derive PROTOCOL --out DIR [--format csv|parquet]` on a shipped example study."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from oncocohort.cli import app
from oncocohort.protocol.examples import example_study_path


def test_derive_writes_tables_flow_and_database(tmp_path):
    result = CliRunner().invoke(app, ["derive", str(example_study_path("tace-ici-realworld")), "--out", str(tmp_path),
                                      "--format", "parquet"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert {"adsl.parquet", "adtte.parquet", "adrs.parquet", "adae.parquet", "flow.json"} <= names
    flow = json.loads((tmp_path / "flow.json").read_text(encoding="utf-8"))
    assert flow["screened"] == flow["excluded"] + flow["analysed_total"]
    # the notes and warnings the console showed are kept in derive_notes.json
    kept = json.loads((tmp_path / "derive_notes.json").read_text(encoding="utf-8"))
    assert kept["notes"], "the example study has data decisions to record"
    shown = " ".join(result.output.split())
    for note in kept["notes"]:
        assert " ".join(note["message"].split()) in shown
        assert set(note) == {"message", "count", "details"}
    for warning in kept["warnings"]:
        assert {"table", "patient_id", "column", "value", "expected", "rule"} <= set(warning)
    adtte = pd.read_parquet(tmp_path / "adtte.parquet")
    assert set(adtte["endpoint"]) == {"os", "pfs", "ttp"}
    from oncocohort.io.database import read_table, study_database_path
    from oncocohort.protocol import load_protocol

    db = study_database_path(load_protocol(example_study_path("tace-ici-realworld")), tmp_path)
    assert len(read_table(db, "adtte", schema="derived")) == len(adtte)


def test_derive_rejects_unknown_format(tmp_path):
    result = CliRunner().invoke(app, ["derive", str(example_study_path("tace-ici-realworld")), "--out", str(tmp_path),
                                      "--format", "xlsx"])
    assert result.exit_code == 1
