"""The bundled demo studies are exactly what the generator writes from their seeds, and say they are synthetic."""

from __future__ import annotations

import pytest
import yaml

from oncocohort.demo import bundled_study_dir, generate_study, write_study
from oncocohort.protocol import PRESETS, load_protocol


@pytest.mark.parametrize("name", PRESETS)
def test_regenerated_study_is_identical_to_the_bundled_one(name, tmp_path):
    write_study(generate_study(name), tmp_path)
    bundled = bundled_study_dir(name)
    files = sorted(p.name for p in bundled.iterdir() if p.is_file())
    assert files == sorted(p.name for p in tmp_path.iterdir())
    for f in files:
        assert (tmp_path / f).read_bytes() == (bundled / f).read_bytes(), f


@pytest.mark.parametrize("name", PRESETS)
def test_bundled_study_is_labelled_synthetic(name):
    folder = bundled_study_dir(name)
    protocol = load_protocol(folder / "protocol.yaml")
    assert protocol.study.synthetic is True
    assert protocol.study.name == name
    assert "SYNTHETIC" in (folder / "README.md").read_text(encoding="utf-8")
    assert (folder / "protocol.yaml").read_text(encoding="utf-8").startswith("# SYNTHETIC DATA")
    # the protocol is the preset's, apart from the synthetic flag
    preset = yaml.safe_load((folder.parents[2] / "protocol" / "presets" / f"{name}.yaml").read_text(encoding="utf-8"))
    mine = yaml.safe_load((folder / "protocol.yaml").read_text(encoding="utf-8"))
    assert mine["study"].pop("synthetic") is True
    assert mine == preset
    for table in type(protocol.data).model_fields:  # one CSV per table the protocol names, at the top level
        spec = getattr(protocol.data, table)
        if spec is not None:
            assert (folder / spec.path).is_file() and "/" not in spec.path


def test_another_seed_gives_other_records_with_the_same_design(mwa_pipeline, mwa_other_seed):
    # determinism of one seed is the byte-for-byte test above; here a second seed differs in its records
    a, b = mwa_pipeline[0].tables, mwa_other_seed[0].tables
    assert len(a["patients"]) == len(b["patients"]) == 60
    assert not a["lesions"]["viable_diameter_mm"].reset_index(drop=True).equals(
        b["lesions"]["viable_diameter_mm"].reset_index(drop=True))
    assert not a["patients"]["treatment_start_date"].equals(b["patients"]["treatment_start_date"])


def test_ids_are_synthetic_and_nothing_identifying():
    tables = generate_study("ici-mwa-retrospective").tables
    ids = tables["patients"]["patient_id"]
    assert ids.str.fullmatch(r"SYN-M\d{3}").all() and ids.is_unique
    identifying = {"name", "patient_name", "birth_date", "date_of_birth", "mrn", "record_number"}
    assert not identifying & set(tables["patients"].columns)  # (treatments.name is the drug's name)
