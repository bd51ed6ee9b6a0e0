"""Degenerate studies never crash the plan: every inapplicable statistic is null with a reason and the
document still validates against the schema (no events, one arm empty, no responses, no AEs)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from oncocohort.analysis import analyze
from oncocohort.protocol import load_preset
from tests.analysis.builders import synthetic_study

VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((Path(__file__).parents[2] / "docs" / "results.schema.json").read_text(encoding="utf-8")))


def _no_events(s):
    s.adtte["event"] = 0


def _one_arm_empty(s):
    s.adsl = s.adsl[s.adsl["arm"] == s.protocol.arm_ids[0]]
    s.adtte = s.adtte[s.adtte["patient_id"].isin(s.adsl["patient_id"])]


def _no_responses_no_aes(s):
    s.adsl["best_response"] = pd.NA
    s.adsl["best_pct_change"] = float("nan")
    s.adae = s.adae.iloc[0:0]


@pytest.mark.parametrize("preset", ["tace-ici-realworld", "hepatectomy-lenvatinib-durvalumab"])
@pytest.mark.parametrize("damage", [_no_events, _one_arm_empty, _no_responses_no_aes])
def test_degenerate_study(preset, damage):
    protocol = load_preset(preset)
    if damage is not _no_events:  # keep Cox small (Firth profiles on separated toy data are slow)
        cox = protocol.cox.model_copy(update={"covariates": [c for c in protocol.cox.covariates
                                                             if c in ("arm", "age")]})
        protocol = protocol.model_copy(update={"cox": cox})
    study = synthetic_study(protocol, n=16, seed=4)
    damage(study)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = analyze(study).to_dict()
    json.dumps(doc, allow_nan=False)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
    assert not errors, errors[:3]
    if damage is _no_events:
        assert all(c["multivariable"] == [] and c["multivariable_reason"] for c in doc["cox"].values())
    if damage is _no_responses_no_aes:
        arm = doc["study"]["arms"][0]["id"]
        assert doc["response"]["by_arm"][arm]["counts"]["NE"] == doc["study"]["arms"][0]["n"]
        assert doc["plots"]["waterfall"]["bars"] == []
