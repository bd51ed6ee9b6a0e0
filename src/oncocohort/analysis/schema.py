"""JSON Schema (draft 2020-12) of results.json, built here and shipped as docs/results.schema.json.

One source of truth: :func:`results_schema` builds the schema; ``docs/results.schema.json`` is its
serialisation (a test checks the two agree; regenerate with
``python -m oncocohort.analysis.schema > docs/results.schema.json``). The prose description of
every key is docs/results-schema.md.

The schema fixes the paths other stages rely on (issue 7 item 7) and the null-with-reason
convention: a nullable statistic is a number or null, and a null one has a ``<key>_reason``
string beside it (an ``if``/``then`` rule per key, see :func:`_stat`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from oncocohort.analysis.results import SCHEMA_VERSION

NUM = {"type": "number"}
NULLABLE_NUM = {"type": ["number", "null"]}
NULLABLE_STR = {"type": ["string", "null"]}
INT = {"type": "integer", "minimum": 0}
ARM_MAP = "^[A-Za-z][A-Za-z0-9_]*$"


def _stat(*keys: str) -> dict[str, Any]:
    """Object fragment: each key a number or null; when null, ``<key>_reason`` is a string."""
    props: dict[str, Any] = {}
    rules = []
    for k in keys:
        props[k] = NULLABLE_NUM
        props[f"{k}_reason"] = {"type": "string"}
        rules.append({"if": {"properties": {k: {"type": "null"}}, "required": [k]},
                      "then": {"required": [f"{k}_reason"]}})
    return {"properties": props, "required": list(keys), "allOf": rules}


def _merge(*parts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": {}, "required": [], "allOf": []}
    for p in parts:
        out["properties"].update(p.get("properties", {}))
        out["required"] += p.get("required", [])
        out["allOf"] += p.get("allOf", [])
    for key, value in extra.items():
        if key == "properties":
            out["properties"].update(value)
        elif key == "required":
            out["required"] += value
        else:
            out[key] = value
    if not out["allOf"]:
        del out["allOf"]
    return out


def _by_arm(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "propertyNames": {"pattern": ARM_MAP}, "additionalProperties": schema}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def results_schema() -> dict[str, Any]:
    """The JSON Schema of results.json."""
    nullable_list = _array(NULLABLE_NUM)
    proportion = _merge(_stat("estimate", "lower", "upper"), properties={"x": INT, "n": INT},
                        required=["x", "n"])
    arm_response = {"type": "object", "required": ["n", "counts", "orr", "dcr"], "properties": {
        "n": INT, "counts": {"type": "object", "required": ["CR", "PR", "SD", "PD", "NE"],
                             "properties": {k: INT for k in ("CR", "PR", "SD", "PD", "NE")},
                             "additionalProperties": False},
        "orr": proportion, "dcr": proportion}}
    response_tests = _stat("orr_p", "dcr_p", "distribution_p")
    response = _merge(properties={"population": {"type": "string"}, "by_arm": _by_arm(arm_response),
                                  "overall": arm_response, "tests": _merge(response_tests),
                                  "sensitivity": {"type": "object", "required": ["by_arm", "tests"]}},
                      required=["population", "by_arm", "overall", "tests", "sensitivity"])
    curve = {"type": ["object", "null"], "properties": {
        "time": nullable_list, "surv": nullable_list, "lower": nullable_list, "upper": nullable_list,
        "censor_times": nullable_list, "censor_surv": nullable_list,
        "at_risk": {"type": "object", "required": ["time", "n"],
                    "properties": {"time": _array(NUM), "n": _array(INT)}}},
        "required": ["time", "surv", "lower", "upper", "censor_times", "at_risk"]}
    landmark = _merge(_stat("surv", "lower", "upper"), properties={"time": NUM, "n_risk": INT}, required=["time"])
    group = _merge(_stat("median", "median_lower", "median_upper"),
                   properties={"n": INT, "events": INT, "curve": curve, "landmarks": _array(landmark),
                               "followup": {"type": "object"}, "rmst": {"type": ["object", "null"]}},
                   required=["n", "events"])
    endpoint = _merge(_stat("logrank_p"), properties={
        "overall": group, "by_arm": _by_arm(group), "rmst_difference": {"type": ["object", "null"]},
        "hr": {"type": ["object", "null"]}, "at_risk_times": _array(NUM), "time_unit": {"const": "months"}},
        required=["overall", "by_arm", "time_unit"])
    endpoints = {"type": "object", "propertyNames": {"enum": ["os", "pfs", "ttp", "dor"]},
                 "additionalProperties": endpoint}
    coef_row = _merge(_stat("hr", "hr_lower", "hr_upper", "p"), properties={"term": {"type": "string"}},
                      required=["term"])
    cox_ep = _merge(_stat("epv"), properties={"univariable": _array(coef_row), "multivariable": _array(coef_row),
                                              "ph_test": {"type": ["object", "null"]},
                                              "firth": {"type": ["object", "null"]},
                                              "epv_warning": {"type": "boolean"}},
                    required=["univariable", "multivariable", "ph_test", "firth", "epv_warning"])
    sub_row = _merge(_stat("logrank_p", "hr", "hr_lower", "hr_upper"),
                     properties={"variable": {"type": "string"}, "level": {"type": "string"}, "n": INT,
                                 "events": INT, "by_arm": _by_arm(_merge(_stat("median", "median_lower",
                                                                               "median_upper"),
                                                                         properties={"n": INT, "events": INT},
                                                                         required=["n", "events"]))},
                     required=["variable", "level", "n", "events", "by_arm"])
    ae_cell = {"type": "object", "required": ["any_grade", "grade_3_plus", "grade_5"],
               "properties": {"any_grade": INT, "grade_3_plus": INT, "grade_5": INT}}
    ae_row = _merge(_stat("p_any", "p_grade3"), properties={"term": {"type": "string"}, "by_arm": _by_arm(ae_cell),
                                                            "overall": ae_cell},
                    required=["term", "by_arm"])
    disc_cell = {"type": "object", "required": ["toxicity", "progression"],
                 "properties": {"toxicity": {"type": ["integer", "null"]},
                                "progression": {"type": ["integer", "null"]}}}
    safety = {"type": ["object", "null"], "required": ["terms", "discontinuation", "any_event"], "properties": {
        "terms": _array(ae_row), "any_event": ae_row,
        "discontinuation": {"type": "object", "required": ["by_arm"], "properties": {"by_arm": _by_arm(disc_cell)}}}}
    baseline_row = _merge(_stat("p"), properties={"variable": {"type": "string"}, "label": {"type": "string"},
                                                  "kind": {"enum": ["continuous", "categorical"]},
                                                  "test": {"enum": ["chisq", "fisher", "mann_whitney", None]},
                                                  "method": NULLABLE_STR},
                          required=["variable", "label", "kind", "test", "method"])
    study = {"type": "object", "required": ["name", "title", "design", "arms", "synthetic"], "properties": {
        "name": {"type": "string"}, "title": {"type": "string"}, "design": {"enum": ["two-arm", "single-arm"]},
        "synthetic": {"type": "boolean"},
        "arms": _array({"type": "object", "required": ["id", "label", "n"],
                        "properties": {"id": {"type": "string"}, "label": {"type": "string"}, "n": INT}})}}
    plots = {"type": "object", "required": ["waterfall", "swimmer", "afp"], "properties": {
        "waterfall": {"type": "object", "required": ["bars", "reference_lines"]},
        "swimmer": {"type": "object", "required": ["lanes"]},
        "afp": {"type": "object", "required": ["patients"]}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://oncocohort.invalid/results.schema.json",
        "title": "oncocohort results.json",
        "description": f"Results of the statistical analysis plan (schema_version {SCHEMA_VERSION}); "
                       "see docs/results-schema.md. A null statistic has a sibling '<key>_reason'.",
        "type": "object",
        "required": ["schema_version", "study", "settings", "flow", "baseline", "response", "survival", "cox",
                     "subgroups", "safety", "plots", "notes"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "study": study,
            "settings": {"type": "object"},
            "flow": {"type": ["object", "null"]},
            "baseline": {"type": "object", "required": ["rows", "arms", "n_by_arm"],
                         "properties": {"rows": _array(baseline_row)}},
            "response": {"anyOf": [response, {"type": "null"}]},
            "survival": endpoints,
            "cox": {"type": "object", "additionalProperties": cox_ep},
            "subgroups": {"type": "object", "additionalProperties": _array(sub_row)},
            "safety": safety,
            "plots": plots,
            "notes": _array({"type": "string"}),
            "derivation_notes": _array({"type": "string"}),
            "provenance": {"type": "object", "required": ["tool", "version", "created_at", "inputs"]},
        },
    }


def schema_text() -> str:
    return json.dumps(results_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(schema_text())
