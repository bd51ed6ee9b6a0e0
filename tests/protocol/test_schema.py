"""Protocol schema: presets validate, and broken protocols are rejected with the key, value and allowed values."""

from __future__ import annotations

import copy

import pytest
import yaml

from oncocohort.errors import ProtocolError
from oncocohort.protocol import PRESETS, load_preset, load_protocol, parse_protocol, preset_text, write_preset


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_validates(name: str) -> None:
    protocol = load_preset(name)
    assert protocol.study.name == name
    assert protocol.arm_ids[0] == (protocol.reference_arm or protocol.arms[0].id)


def _raw(name: str = "ici-mwa-retrospective") -> dict:
    return copy.deepcopy(yaml.safe_load(preset_text(name)))


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_rejects_a_broken_copy_with_a_precise_message(name: str) -> None:
    raw = _raw(name)
    raw["endpoints"]["os"]["origin"] = "start_of_time"
    with pytest.raises(ProtocolError) as info:
        parse_protocol(raw)
    assert info.value.problems == [
        "endpoints.os.origin: value 'start_of_time' not allowed; "
        "allowed: 'treatment_start', 'diagnosis' or 'enrollment'"
    ]


def test_unknown_key_is_named_with_the_allowed_keys() -> None:
    raw = _raw()
    raw["response"]["critera"] = "mrecist"
    with pytest.raises(ProtocolError) as info:
        parse_protocol(raw)
    (problem,) = info.value.problems
    assert problem.startswith("response: unknown key 'critera'; allowed keys: criteria, confirm_response")


def test_all_problems_are_reported_at_once() -> None:
    raw = _raw()
    raw["response"]["criteria"] = "who"
    raw["safety"]["ctcae_version"] = "3.0"
    del raw["data_cutoff"]
    with pytest.raises(ProtocolError) as info:
        parse_protocol(raw)
    text = "\n".join(info.value.problems)
    assert "data_cutoff: required key is missing" in text
    assert "response.criteria: value 'who' not allowed; allowed: 'recist1.1', 'mrecist' or 'irecist'" in text
    assert "safety.ctcae_version: value '3.0' not allowed; allowed: '4.03' or '5.0'" in text
    assert len(info.value.problems) == 3


def test_cross_field_rules_name_the_key_and_the_allowed_values() -> None:
    raw = _raw()
    raw["reference_arm"] = "placebo"
    raw["cox"]["covariates"].append("bmi")
    with pytest.raises(ProtocolError) as info:
        parse_protocol(raw)
    text = info.value.problems[0]
    assert "reference_arm: 'placebo' is not an arm; allowed: ici, ici_mwa" in text
    assert "cox.covariates: unknown variable 'bmi'" in text


def test_cut_points_need_one_more_label_than_points() -> None:
    raw = _raw()
    raw["variables"][0]["cut"]["labels"] = ["<65"]
    with pytest.raises(ProtocolError, match="age_group: 1 cut point"):
        parse_protocol(raw)


def test_protocol_new_writes_an_editable_copy_that_loads_with_its_folder(tmp_path) -> None:
    path = write_preset("tace-ici-realworld", tmp_path / "my-study" / "protocol.yaml")
    protocol = load_protocol(path)
    assert protocol.response is not None and protocol.response.confirm_progression is True
    with pytest.raises(FileExistsError):
        write_preset("tace-ici-realworld", path)


def test_missing_file_and_bad_yaml_are_protocol_errors(tmp_path) -> None:
    with pytest.raises(ProtocolError, match="file not found"):
        load_protocol(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("study: [unclosed\n")
    with pytest.raises(ProtocolError, match="not valid YAML"):
        load_protocol(bad)
