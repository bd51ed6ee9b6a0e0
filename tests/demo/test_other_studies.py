"""Every other preset's example study runs through validate → derive → analysis functions."""

from __future__ import annotations

import pytest

from oncocohort.analysis import efficacy_summary, safety_summary, survival_summary
from oncocohort.demo import bundled_protocol_path

OTHERS = ["tace-ici-realworld", "oligomet-ablation-lenvatinib-pd1", "hepatectomy-lenvatinib-durvalumab"]


@pytest.fixture(scope="module", params=OTHERS)
def study(request, derive):
    return request.param, *derive(bundled_protocol_path(request.param))


def test_runs_end_to_end(study):
    name, validated, derived = study
    protocol = validated.protocol
    assert not [p for p in validated.problems if p.severity == "error"]
    flow = derived.flow.to_dict()
    assert flow["excluded"] >= 2 and flow["analysed_total"] >= 20
    assert derived.adsl["synthetic"].all()
    eff = efficacy_summary(derived.adsl, protocol).to_dict()
    assert sum(eff["overall"]["counts"].values()) == flow["analysed_total"]
    surv = survival_summary(derived.adtte, protocol).to_dict()
    assert set(protocol.endpoints) <= set(surv) | {"dor"}
    for ep in ("os", "pfs"):
        assert surv[ep]["overall"]["events"] > 5
    safety = safety_summary(derived.adsl, derived.adae, protocol).to_dict()
    assert safety["terms"]


def test_design_specific_features(study):
    name, validated, derived = study
    t = validated.tables
    if name == "tace-ici-realworld":
        assert "ttp" in set(derived.adtte["endpoint"].astype(str))
        assert t["patients"]["new_therapy_date"].notna().sum() == 2
        assert (t["lesions"]["lesion_id"] == "N2").any()  # iRECIST confirmation scans
        assert not t["treatments"].loc[t["treatments"]["kind"] == "drug", "patient_id"].isin(
            t["patients"].loc[t["patients"]["arm"] == "tace", "patient_id"]).any()
    elif name == "oligomet-ablation-lenvatinib-pd1":
        assert t["patients"]["enrollment_date"].notna().all()
        assert {"lenvatinib", "sintilimab", "ablation"} <= set(t["treatments"]["name"])
    else:
        assert t["patients"]["diagnosis_date"].notna().all()
        operated = t["treatments"][t["treatments"]["name"] == "hepatectomy"]
        assert len(operated) == (t["patients"]["hepatectomy"] == "yes").sum() > 0
        start = t["patients"].set_index("patient_id")["treatment_start_date"]
        days = (operated.set_index("patient_id")["start_date"] - start.reindex(operated["patient_id"])).dt.days
        assert days.between(95, 110).all()  # after three months of treatment
