"""The whole plan: every preset's example study runs, its results.json validates against the shipped
JSON Schema, holds the paths the report relies on, contains no NaN, and is reproducible apart from
``provenance``. Also the ``oncocohort analyze`` command.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from oncocohort.analysis import analyze, write_results_json
from oncocohort.analysis.schema import results_schema, schema_text
from oncocohort.cli import app
from oncocohort.endpoints import derive_study
from oncocohort.protocol import load_preset, load_protocol
from oncocohort.protocol.examples import EXAMPLES, example_study_path
from oncocohort.validate import load_study
from tests.analysis.builders import synthetic_study

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "results.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def example_results(tmp_path_factory):
    """Each example study through ``oncocohort analyze`` (validate → derive → analyze → results.json)."""
    out = {}
    for name in EXAMPLES:
        folder = tmp_path_factory.mktemp(name)
        result = CliRunner().invoke(app, ["analyze", str(example_study_path(name)), "--out", str(folder)])
        assert result.exit_code == 0, result.output
        out[name] = (load_protocol(example_study_path(name)),
                     json.loads((folder / "results.json").read_text(encoding="utf-8")))
    return out


def test_schema_file_is_generated_from_code():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    jsonschema.Draft202012Validator.check_schema(results_schema())


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_preset_validates_against_the_schema(example_results, name):
    _, doc = example_results[name]
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
    assert not errors, errors[:5]


@pytest.mark.parametrize("name", EXAMPLES)
def test_required_paths(example_results, name):
    protocol, doc = example_results[name]
    arms = protocol.arm_ids
    assert doc["study"]["name"] == name and doc["study"]["synthetic"] is True
    assert [a["id"] for a in doc["study"]["arms"]] == arms
    assert doc["baseline"]["rows"] and doc["flow"]["screened"] >= doc["study"]["n_analysed"]
    for arm in arms:
        r = doc["response"]["by_arm"][arm]
        assert set(r["counts"]) == {"CR", "PR", "SD", "PD", "NE"}
        assert {"estimate", "lower", "upper"} <= set(r["orr"]) and {"estimate", "lower", "upper"} <= set(r["dcr"])
    assert {"orr_p", "dcr_p"} <= set(doc["response"]["tests"])
    for ep in doc["survival"]:
        assert ep in protocol.endpoints
        block = doc["survival"][ep]
        assert "logrank_p" in block
        for g in [block["overall"], *block["by_arm"].values()]:
            assert {"n", "events", "median", "median_lower", "median_upper"} <= set(g)
    for ep in protocol.cox.endpoints:
        if ep in doc["survival"]:
            for key in ("univariable", "multivariable"):
                for row in doc["cox"][ep][key]:
                    assert {"term", "hr", "hr_lower", "hr_upper", "p"} <= set(row)
            assert isinstance(doc["subgroups"][ep], list)
    for row in doc["safety"]["terms"]:
        assert {"term", "p_any", "p_grade3"} <= set(row)
        assert all({"any_grade", "grade_3_plus"} <= set(row["by_arm"][a]) for a in arms)
    for arm in arms:
        assert {"toxicity", "progression"} <= set(doc["safety"]["discontinuation"]["by_arm"][arm])
    if protocol.study.design == "single-arm":
        assert doc["response"]["tests"]["orr_p"] is None and doc["response"]["tests"]["orr_p_reason"]
        assert all(b["logrank_p"] is None and b["logrank_p_reason"] for b in doc["survival"].values())
    assert set(doc["provenance"]["inputs"]) and doc["provenance"]["protocol"]["sha256"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_nan_and_every_null_statistic_has_a_reason(example_results, name):
    _, doc = example_results[name]
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, float):
                    assert math.isfinite(v), path + [k]
                if v is None and k in ("p", "hr", "median", "estimate", "orr_p", "dcr_p", "logrank_p", "p_any",
                                       "p_grade3", "interaction_p", "epv") and f"{k}_reason" not in node:
                    missing.append(path + [k])
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [i])

    walk(doc, [])
    assert not missing, missing[:5]


def test_reproducible_apart_from_provenance(two_arm_protocol):
    study = synthetic_study(two_arm_protocol, n=60, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = analyze(study), analyze(study)
    assert a.to_dict(with_provenance=False) == b.to_dict(with_provenance=False)
    assert "provenance" not in a.to_dict(with_provenance=False)
    doc = a.to_dict()
    assert not list(VALIDATOR.iter_errors(doc))
    assert doc["survival"]["os"]["hr"]["arm"] == "ici_mwa"
    assert len(doc["plots"]["waterfall"]["bars"]) == int(study.adsl["best_pct_change"].notna().sum())
    bars = [b["best_pct_change"] for b in doc["plots"]["waterfall"]["bars"]]
    assert bars == sorted(bars, reverse=True)


def test_schema_rejects_a_null_without_reason(example_results):
    _, doc = example_results["ici-mwa-retrospective"]
    broken = json.loads(json.dumps(doc))
    broken["response"]["tests"]["orr_p"] = None
    broken["response"]["tests"].pop("orr_p_reason", None)
    def messages(errors):
        for e in errors:
            yield e.message
            yield from messages(e.context or [])

    assert any("orr_p_reason" in m for m in messages(VALIDATOR.iter_errors(broken)))


def test_python_api_equals_cli_apart_from_provenance(example_results, tmp_path):
    name = "ici-mwa-retrospective"
    validated = load_study(example_study_path(name))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = analyze(derive_study(validated), sources=validated.sources)
    doc = json.loads(write_results_json(results, tmp_path / "r.json").read_text(encoding="utf-8"))
    cli_doc = dict(example_results[name][1])
    assert doc.pop("provenance")["inputs"] == cli_doc.pop("provenance")["inputs"]
    assert doc == cli_doc


def test_cli_reports_a_bad_protocol(tmp_path):
    bad = tmp_path / "protocol.yaml"
    bad.write_text("study: {name: x}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 1 and not (tmp_path / "results.json").exists()


def test_single_arm_synthetic_study(single_arm_protocol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = analyze(synthetic_study(single_arm_protocol, n=50)).to_dict()
    assert not list(VALIDATOR.iter_errors(doc))
    assert doc["survival"]["os"]["rmst_difference"] is None
    assert doc["safety"]["terms"][0]["p_any"] is None and "single-arm" in doc["safety"]["terms"][0]["p_any_reason"]
    assert load_preset("oligomet-ablation-lenvatinib-pd1").study.design == "single-arm"
