"""derive_study end to end: a hand-made study with known answers, and every preset's example study."""

from __future__ import annotations

import pandas as pd
import pytest

from oncocohort.endpoints import ADAE_COLUMNS, ADTTE_COLUMNS, DerivedStudy, derive_study, write_derived_tables
from oncocohort.protocol.examples import EXAMPLES, example_study_path
from tests.endpoints.study_factory import FakeValidated, eligible_baseline, ici_mwa_protocol, patients_frame

T = pd.Timestamp


def hand_study() -> FakeValidated:
    """P1 responder (PR), P2 progression both recorded (2024-04-01) and derived (2024-04-22) then death,
    P3 never allocated and failing CNLC stage, P4 eligible but never allocated, P5 allocated but
    insufficient follow-up (20 days, alive)."""
    pts = patients_frame([
        dict(patient_id="P1", arm="ici", treatment_start_date="2024-01-01", last_contact_date="2024-12-01",
             **eligible_baseline()),
        dict(patient_id="P2", arm="ici_mwa", treatment_start_date="2024-01-01", death_date="2024-06-01",
             last_contact_date="2024-06-01", progression_date="2024-04-01", **eligible_baseline(afp=400.0)),
        dict(patient_id="P3", arm=None, treatment_start_date="2024-01-01", last_contact_date="2024-06-01",
             **eligible_baseline(cnlc_stage="IV")),
        dict(patient_id="P4", arm=None, treatment_start_date="2024-01-01", last_contact_date="2024-06-01",
             **eligible_baseline()),
        dict(patient_id="P5", arm="ici", treatment_start_date="2024-01-01", last_contact_date="2024-01-21",
             **eligible_baseline()),
    ])
    vr = pd.DataFrame({"patient_id": ["P1", "P1", "P2", "P2"],
                       "visit_date": pd.to_datetime(["2024-02-26", "2024-04-22", "2024-02-26", "2024-04-22"]),
                       "overall_response": ["PR", "PR", "SD", "PD"]})
    ae = pd.DataFrame({"patient_id": ["P1", "P2", "P2", "P3"], "term": ["Transaminitis", "Fever", "Fatigue", "Rash"],
                       "grade": [3, 1, 2, 1],
                       "onset_date": pd.to_datetime(["2024-02-01", "2024-01-16", "2023-12-01", "2024-02-01"]),
                       "resolution_date": pd.NaT, "attribution": ["treatment", "procedure", "treatment", "treatment"],
                       "onset_time": [None, None, None, None]})
    tr = pd.DataFrame({"patient_id": ["P1", "P2", "P2"], "kind": ["drug", "drug", "procedure"],
                       "name": ["sintilimab", "sintilimab", "MWA"],
                       "start_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15"]),
                       "end_date": pd.to_datetime(["2024-06-01", "2024-04-01", None]),
                       "stop_reason": pd.Series(["toxicity", "progression", None], dtype="string")})
    empty = pd.DataFrame({"patient_id": pd.Series(dtype=str)})
    return FakeValidated(ici_mwa_protocol(), {"patients": pts, "visit_responses": vr, "adverse_events": ae,
                                              "treatments": tr, "lesions": empty, "labs": empty})


@pytest.fixture(scope="module")
def derived() -> DerivedStudy:
    return derive_study(hand_study())


def test_adsl_eligibility_and_reasons(derived):
    adsl = derived.adsl.set_index("patient_id")
    assert adsl["analysed"].tolist() == [True, True, False, False, False]
    assert adsl.loc["P3", "exclusion_reason"] == "not_allocated"
    assert adsl.loc["P3", "exclusion_reasons"] == "not_allocated;cnlc_stage"
    assert adsl.loc["P4", "exclusion_reason"] == "not_allocated"
    assert adsl.loc["P5", "exclusion_reason"] == "sufficient_follow_up"
    assert pd.isna(adsl.loc["P1", "exclusion_reason"])
    assert adsl.loc["P1", "arm_label"] == "ICIs"


def test_flow_adds_up(derived):
    f = derived.flow
    assert f.screened == 5 and f.excluded == 3 and dict(f.analysed) == {"ici": 1, "ici_mwa": 1}
    assert f.screened == f.excluded + f.n_analysed
    assert dict(f.allocated) == {"ici": 2, "ici_mwa": 1}
    assert f.excluded_by_first_reason["not_allocated"] == 2 and f.excluded_by_first_reason["cnlc_stage"] == 0
    assert f.failed_by_criterion["not_allocated"] == 2


def test_adsl_variables_typed_in_protocol_order(derived):
    adsl = derived.adsl
    assert list(adsl["sex"].cat.categories) == ["male", "female"]
    assert list(adsl["cnlc_stage"].cat.categories) == ["IIa", "IIb", "IIIa", "IIIb"]
    assert adsl["afp_group"].cat.ordered
    # AFP 400 is in "≥400" (closed left)
    assert adsl.set_index("patient_id").loc["P2", "afp_group"] == "≥400 ng/ml"


def test_progression_earlier_documented_date_with_note(derived):
    p2 = derived.adsl.set_index("patient_id").loc["P2"]
    assert p2["progression_date"] == T("2024-04-01")  # recorded, earlier than the PD visit 2024-04-22
    assert any("earlier documented date" in n.message for n in derived.notes)
    pfs = derived.adtte.query("endpoint == 'pfs' and patient_id == 'P2'").iloc[0]
    assert (pfs.event, pfs.time_days) == (1, 91)


def test_adtte_analysed_only_with_contract_columns(derived):
    assert list(derived.adtte.columns) == list(ADTTE_COLUMNS)
    assert set(derived.adtte["patient_id"]) == {"P1", "P2"}
    dor = derived.adtte.query("endpoint == 'dor'")
    assert dor["patient_id"].tolist() == ["P1"]  # responders only
    # P1 responded 2024-02-26, last adequate assessment 2024-04-22: 56 days, censored
    assert (dor.iloc[0].time_days, dor.iloc[0].event) == (56, 0)


def test_adrs_and_best_response(derived):
    adsl = derived.adsl.set_index("patient_id")
    assert adsl.loc["P1", "best_response"] == "PR" and adsl.loc["P1", "best_response_source"] == "visit_responses"
    assert pd.isna(adsl.loc["P3", "best_response"])
    bor = derived.adrs.query("param == 'BOR'")
    assert bor.set_index("patient_id")["response"].to_dict() == {"P1": "PR", "P2": "SD"}
    assert len(derived.adrs.query("param == 'OVR'")) == 4


def test_adae_keeps_every_event(derived):
    adae = derived.adae
    assert len(adae) == 4 and set(ADAE_COLUMNS) <= set(adae.columns)
    by_term = adae.set_index("term")
    assert by_term.loc["Fever", "window"] == "procedure 0–24 h"  # the day after MWA, no onset time
    assert by_term.loc["Fatigue", "exclusion_reason"] == "before_first_dose"
    assert by_term.loc["Rash", "exclusion_reason"] == "patient_not_analysed"


def test_discontinuation_in_adsl(derived):
    adsl = derived.adsl.set_index("patient_id")
    assert adsl.loc["P1", "discontinued_toxicity"] and adsl.loc["P2", "discontinued_progression"]


def test_write_csv_and_parquet(derived, tmp_path):
    paths = write_derived_tables(derived, tmp_path / "csv")
    assert sorted(p.name for p in paths) == ["adae.csv", "adrs.csv", "adsl.csv", "adtte.csv", "derive_notes.json",
                                             "flow.json"]
    back = pd.read_csv(tmp_path / "csv" / "adtte.csv")
    assert {"patient_id", "arm", "endpoint", "origin_date", "end_date", "time_days", "time_months", "event",
            "censor_reason"} <= set(back.columns)
    write_derived_tables(derived, tmp_path / "pq", file_format="parquet")
    assert len(pd.read_parquet(tmp_path / "pq" / "adsl.parquet")) == 5


# First exclusion reasons as each example study's README describes its screened-out patients.
EXPECTED_EXCLUSIONS = {
    "ici-mwa-retrospective": {"P13": "no_macrovascular_invasion", "P14": "largest_lesion", "P15": "pd1_based_ici",
                              "P16": "not_allocated"},
    "tace-ici-realworld": {"T013": "hcc_bclc", "T014": "child_pugh", "T015": "sufficient_follow_up",
                           "T016": "not_allocated"},
    "oligomet-ablation-lenvatinib-pd1": {"O13": "oligometastasis", "O14": "ecog_0_1", "O15": "not_allocated"},
    "hepatectomy-lenvatinib-durvalumab": {"H13": "bclc_b_c", "H14": "bclc_b_c", "H15": "not_allocated"},
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_study_counts_add_up(name):
    from oncocohort.validate import load_study

    validated = load_study(example_study_path(name))
    derived = derive_study(validated)
    flow, adsl = derived.flow, derived.adsl
    assert flow.screened == len(adsl) == flow.excluded + flow.n_analysed
    assert sum(flow.excluded_by_first_reason.values()) == flow.excluded
    assert flow.excluded == int((~adsl["analysed"]).sum())
    for arm, n in flow.analysed.items():
        assert n == int((adsl["analysed"] & (adsl["arm"] == arm)).sum())
    # every analysed patient has an OS row; every AE row is kept
    assert set(derived.adtte.query("endpoint == 'os'")["patient_id"]) == set(adsl.loc[adsl["analysed"], "patient_id"])
    assert len(derived.adae) == len(validated.tables["adverse_events"])
    assert (derived.adtte["time_days"] >= 0).all()
    assert derived.adtte.loc[derived.adtte["event"] == 0, "censor_reason"].notna().all()
    excluded = adsl.loc[~adsl["analysed"]].set_index("patient_id")["exclusion_reason"].to_dict()
    assert excluded == EXPECTED_EXCLUSIONS[name]


def test_progression_recorded_and_measured_uses_earlier_date_with_note():
    """Lesion measurements (RECIST 1.1 here): 40 → 20 mm (PR) → 40 mm (+100 % over nadir, +20 mm: PD) on
    2024-04-22. L1 also has progression recorded on 2024-04-10 (earlier: used); L2 recorded 2024-05-01 (later:
    the measured 2024-04-22 is used)."""
    pts = patients_frame([
        dict(patient_id=pid, arm="ici", treatment_start_date="2024-01-01", last_contact_date="2024-08-01",
             progression_date=recorded, **eligible_baseline())
        for pid, recorded in (("L1", "2024-04-10"), ("L2", "2024-05-01"))])
    lesions = pd.DataFrame({
        "patient_id": ["L1"] * 3 + ["L2"] * 3,
        "visit_date": pd.to_datetime(["2024-01-01", "2024-02-26", "2024-04-22"] * 2),
        "lesion_id": ["T1"] * 6, "lesion_type": ["target"] * 6, "is_lymph_node": [False] * 6,
        "longest_diameter_mm": [40.0, 20.0, 40.0] * 2, "short_axis_mm": [float("nan")] * 6,
        "viable_diameter_mm": [float("nan")] * 6, "nontarget_status": [None] * 6})
    protocol = ici_mwa_protocol()
    protocol = protocol.model_copy(update={"response": protocol.response.model_copy(update={"criteria": "recist1.1"})})
    empty = pd.DataFrame({"patient_id": pd.Series(dtype=str)})
    derived = derive_study(FakeValidated(protocol, {"patients": pts, "lesions": lesions, "visit_responses": empty,
                                                    "adverse_events": empty, "treatments": empty, "labs": empty}))
    adsl = derived.adsl.set_index("patient_id")
    assert adsl.loc["L1", "progression_date"] == T("2024-04-10")
    assert adsl.loc["L1", "progression_source"].startswith("recorded; earlier")
    assert adsl.loc["L2", "progression_date"] == T("2024-04-22")
    assert adsl.loc["L2", "progression_source"].startswith("lesions (recist1.1); earlier")
    note = next(n for n in derived.notes if "earlier documented date" in n.message)
    assert note.count == 2 and note.details["patients"]["L1"] == {"recorded": "2024-04-10", "derived": "2024-04-22"}
    pfs = derived.adtte.query("endpoint == 'pfs'").set_index("patient_id")
    # 2024-01-01 → 2024-04-10 = 100 days; → 2024-04-22 = 112 days
    assert pfs.loc["L1", "time_days"] == 100 and pfs.loc["L2", "time_days"] == 112
    assert (pfs["event"] == 1).all()
    assert adsl.loc["L1", "best_response_source"] == "lesions (recist1.1)"


def test_recorded_only_study_uses_patient_table_summaries():
    """No lesions, visit responses, AEs or treatments: best response, progression and the last assessment
    come from the patients table. R1: censored at last_assessment_date 2024-10-01 (day 274); R2: progression
    recorded 2024-09-01 after a new therapy on 2024-06-01, no assessment known before it → censored at day 0."""
    from oncocohort.protocol import load_preset

    pts = patients_frame([
        dict(patient_id="R1", arm="tace", treatment_start_date="2024-01-01", last_contact_date="2024-12-01",
             best_response="PR", last_assessment_date="2024-10-01", bclc_stage="B", child_pugh="A5"),
        dict(patient_id="R2", arm="tace_ici", treatment_start_date="2024-01-01", last_contact_date="2024-09-01",
             progression_date="2024-09-01", last_assessment_date="2024-09-01", best_response="SD",
             new_therapy_date="2024-06-01", bclc_stage="C", child_pugh="A6")])
    empty = pd.DataFrame({"patient_id": pd.Series(dtype=str)})
    derived = derive_study(FakeValidated(load_preset("tace-ici-realworld"), {
        "patients": pts, "lesions": empty, "visit_responses": empty, "adverse_events": empty, "treatments": empty}))
    assert derived.response_source == "recorded"
    pfs = derived.adtte.query("endpoint == 'pfs'").set_index("patient_id")
    assert tuple(pfs.loc["R1", ["event", "time_days", "censor_reason"]]) == (0, 274, "no_event_at_last_adequate_assessment")
    assert tuple(pfs.loc["R2", ["event", "time_days", "censor_reason"]]) == (0, 0, "new_anticancer_therapy")
    assert derived.adrs["source"].tolist() == ["recorded", "recorded"] and derived.adae.empty
    assert derived.adsl.set_index("patient_id").loc["R1", "best_response_source"] == "recorded"
