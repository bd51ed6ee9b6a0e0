"""The STROBE/CONSORT flow: counts add up (checked in code), dict form, per-arm boxes."""

from __future__ import annotations

import json
from types import MappingProxyType

import pandas as pd
import pytest

from oncocohort.cohort import EligibilityFlow, derive_eligibility, derive_flow, flow_to_frame
from oncocohort.protocol.schema import Criterion

PATIENTS = pd.DataFrame({
    "patient_id": [f"p{i}" for i in range(8)],
    "arm": pd.Series(["a", "a", "a", "b", "b", None, None, "b"], dtype="string"),
    "stage": ["I", "I", "IV", "I", "IV", "I", "IV", "I"],
    "size": [1.0, 9.0, 9.0, 1.0, 1.0, 1.0, 1.0, 1.0],
})
CRITERIA = [Criterion(id="stage", description="Stage I", variable="stage", operator="in", values=["I"]),
            Criterion(id="size", description="Size ≤ 5", variable="size", operator="<=", value=5)]


def test_counts():
    flow = derive_flow(derive_eligibility(PATIENTS, CRITERIA), ["a", "b"], arm_labels={"a": "A", "b": "B"})
    # p1 size; p2 stage+size; p4 stage; p5 not allocated; p6 not allocated (first) + stage
    assert flow.screened == 8 and flow.excluded == 5
    assert dict(flow.excluded_by_first_reason) == {"not_allocated": 2, "stage": 2, "size": 1}
    assert dict(flow.failed_by_criterion) == {"not_allocated": 2, "stage": 3, "size": 2}
    assert dict(flow.allocated) == {"a": 3, "b": 3}
    assert dict(flow.excluded_after_allocation) == {"a": 2, "b": 1}
    assert dict(flow.analysed) == {"a": 1, "b": 2}
    assert flow.screened == flow.excluded + flow.n_analysed


def test_to_dict_is_json_ready():
    flow = derive_flow(derive_eligibility(PATIENTS, CRITERIA), ["a", "b"])
    d = json.loads(json.dumps(flow.to_dict()))
    assert d["screened"] == 8 and d["analysed_total"] == 3 and d["criteria"]["stage"] == "Stage I"
    frame = flow.to_frame()
    pd.testing.assert_frame_equal(frame, flow_to_frame(flow))
    assert frame.query("stage == 'analysed'")["n"].sum() == 3


def test_inconsistent_counts_are_rejected():
    m = MappingProxyType
    with pytest.raises(ValueError, match="does not add up"):
        EligibilityFlow(screened=5, excluded=1, excluded_by_first_reason=m({"x": 1}), failed_by_criterion=m({"x": 1}),
                        criteria=m({}), allocated=m({"a": 5}), excluded_after_allocation=m({"a": 1}),
                        analysed=m({"a": 3}))


def test_unknown_arm_is_rejected():
    with pytest.raises(ValueError, match="not protocol arms"):
        derive_flow(derive_eligibility(PATIENTS, CRITERIA), ["a"])


def test_flow_is_frozen():
    flow = derive_flow(derive_eligibility(PATIENTS, CRITERIA), ["a", "b"])
    with pytest.raises(Exception):
        flow.screened = 3  # type: ignore[misc]
