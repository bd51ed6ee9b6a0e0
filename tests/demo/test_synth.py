"""``oncocohort synth``: schema, size and labelling of the large synthetic cohort, on a small N."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from oncocohort.demo import synth_tables, write_synth
from oncocohort.protocol import load_preset, load_protocol

N = 420


@pytest.fixture(scope="module")
def tables():
    return synth_tables(N, seed=3, with_lesions=True)


def test_patients_schema_and_size(tables):
    p = tables["patients"]
    assert len(p) == N and p["patient_id"].is_unique
    preset = load_preset("ici-mwa-retrospective")
    required = {"patient_id", "arm", "treatment_start_date", "death_date", "last_contact_date",
                "progression_date", "best_response"}
    assert required | {v.name for v in preset.variables} <= set(p.columns)
    assert set(p["best_response"]) == {"CR", "PR", "SD", "PD", "NE"}
    assert set(p["arm"]) == {"ici", "ici_mwa"}
    assert abs((p["arm"] == "ici").mean() - 31 / 52) < 0.01
    # recorded progression dates: every PD patient progressed; none for NE
    assert p.loc[p["best_response"] == "PD", "progression_date"].notna().all()
    assert p.loc[p["best_response"] == "NE", "progression_date"].isna().all()
    dead = p["death_date"].notna()
    assert (p.loc[dead, "death_date"] == p.loc[dead, "last_contact_date"]).all()
    prog = p["progression_date"].notna() & dead
    assert (p.loc[prog, "progression_date"] < p.loc[prog, "death_date"]).all()


def test_adverse_events_treatments_and_lesions(tables):
    ids = set(tables["patients"]["patient_id"])
    ae = tables["adverse_events"]
    assert {"patient_id", "term", "grade", "onset_date", "resolution_date", "attribution"} == set(ae.columns)
    assert set(ae["patient_id"]) <= ids and ae["grade"].between(1, 4).all()
    tr = tables["treatments"]
    assert (tr["kind"] == "drug").sum() == N
    assert (tr["kind"] == "procedure").sum() == (tables["patients"]["arm"] == "ici_mwa").sum()
    les = tables["lesions"]
    assert set(les["patient_id"]) == ids and les["is_baseline"].any()


def test_write_synth_parquet_is_labelled_and_loads(tmp_path):
    paths = write_synth(150, tmp_path, seed=1)
    assert set(paths) == {"patients", "adverse_events", "treatments"}
    for path in paths.values():
        meta = pq.read_schema(path).metadata
        assert meta[b"synthetic"] == b"true"
    protocol = load_protocol(tmp_path / "protocol.yaml")
    assert protocol.study.synthetic and protocol.data.patients.path == "patients.parquet"
    assert protocol.data.lesions is None and protocol.data.labs is None
    assert "SYNTHETIC" in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert len(pd.read_parquet(paths["patients"])) == 150
    # the folder is a study the pipeline reads: recorded best responses, no lesions needed
    from oncocohort.endpoints import derive_study
    from oncocohort.validate import load_study

    validated = load_study(tmp_path / "protocol.yaml")
    assert not [p for p in validated.problems if p.severity == "error"]
    derived = derive_study(validated)
    assert sum(derived.flow.to_dict()["analysed"].values()) == 150
    assert derived.adsl["best_response"].notna().all()


def test_synth_is_seeded():
    a = synth_tables(60, seed=9)["patients"]
    b = synth_tables(60, seed=9)["patients"]
    c = synth_tables(60, seed=10)["patients"]
    assert a.equals(b) and not a.equals(c)
    assert np.isfinite(a["afp"]).all()
