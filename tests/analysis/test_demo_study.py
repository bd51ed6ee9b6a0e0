"""The calibrated demo study of seed 001 (ICIs ± MWA, 52 patients) through the whole pipeline.

Its patient-level data are generated to the published counts, so the analysis must reproduce the
paper's Table I counts, Table II p-values (ORR 0.133 Fisher, DCR 0.031 χ²) and every Table V
p-value to the printed precision, and its results.json must validate against the schema.
Skipped until the bundled demo studies exist (issue 6).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import jsonschema
import pytest

from oncocohort.analysis import analyze
from oncocohort.endpoints import derive_study
from oncocohort.validate import load_study
from tests.analysis.test_safety import TABLE_V, _printed

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "results.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo():
    studies = pytest.importorskip("oncocohort.demo.studies")
    try:
        path = studies.bundled_protocol_path("ici-mwa-retrospective")
    except Exception as exc:  # noqa: BLE001 - any missing-study error means "not generated yet"
        pytest.skip(f"bundled demo study not available: {exc}")
    validated = load_study(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(derive_study(validated), sources=validated.sources, protocol_path=path).to_dict()


def test_demo_reproduces_tables_ii_and_v(demo):
    assert not list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(demo))
    assert [(a["id"], a["n"]) for a in demo["study"]["arms"]] == [("ici", 31), ("ici_mwa", 21)]
    t = demo["response"]["tests"]
    assert (t["orr_test"], round(t["orr_p"], 3)) == ("fisher", 0.133)
    assert (t["dcr_test"], round(t["dcr_p"], 3)) == ("chisq", 0.031)
    terms = {r["term"]: r for r in demo["safety"]["terms"]}
    for term, (_, _, p3, _, _, p_any) in TABLE_V.items():
        assert _printed(terms[term]["p_any"]) == p_any, term
        assert (terms[term]["p_grade3"] is None) if p3 is None else (_printed(terms[term]["p_grade3"]) == p3)
    sex = next(r for r in demo["baseline"]["rows"] if r["variable"] == "sex")
    assert [lvl["by_arm"]["ici"]["n"] for lvl in sex["levels"]] == [26, 5]
    assert demo["study"]["synthetic"] is True
