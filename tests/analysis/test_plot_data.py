"""plot_data on hand-made patients: times in months = days / 30.4375, sorting, responders' AFP."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis import plot_data
from oncocohort.analysis.results import arm_hazard_ratio
from tests.analysis.builders import make_protocol, reference_frames

D = pd.Timestamp


@pytest.fixture
def patients():
    return pd.DataFrame({
        "patient_id": ["a", "b", "c"], "arm": ["ici", "ici_mwa", "ici_mwa"], "analysed": [True, True, True],
        "best_response": ["PD", "PR", None], "best_pct_change": [35.0, -48.5, np.nan],
        "treatment_start_date": [D("2023-01-01"), D("2023-02-01"), D("2023-03-01")],
        "first_response_date": [pd.NaT, D("2023-04-02"), pd.NaT],
        "progression_date": [D("2023-03-02"), pd.NaT, pd.NaT],
        "death_date": [D("2023-07-20"), pd.NaT, pd.NaT],
        "last_contact_date": [D("2023-07-20"), D("2024-02-01"), D("2023-09-01")]})


def test_swimmer_waterfall_and_afp(patients, two_arm_protocol):
    treatments = pd.DataFrame({"patient_id": ["a", "b", "b", "c"], "kind": ["drug", "drug", "procedure", "drug"],
                               "name": ["pembrolizumab", "sintilimab", "MWA", "sintilimab"],
                               "start_date": [D("2023-01-01"), D("2023-02-01"), D("2023-02-15"), D("2023-03-01")],
                               "end_date": [D("2023-03-31"), D("2023-12-01"), D("2023-02-15"), pd.NaT]})
    labs = pd.DataFrame({"patient_id": ["b", "b", "a", "b"], "date": [D("2023-01-25"), D("2023-05-02"),
                                                                     D("2023-02-01"), D("2023-03-01")],
                         "test": ["AFP", "afp", "afp", "alt"], "value": [820.0, 35.5, 12.0, 40.0],
                         "unit": ["ng/ml"] * 4})
    d = plot_data(patients, two_arm_protocol, treatments=treatments, labs=labs).to_dict()
    assert [b["patient_id"] for b in d["waterfall"]["bars"]] == ["a", "b"]  # c has no measurement
    lanes = {lane["patient_id"]: lane for lane in d["swimmer"]["lanes"]}
    assert [lane["patient_id"] for lane in d["swimmer"]["lanes"]] == ["a", "b", "c"]  # reference arm first
    assert lanes["a"]["end_time"] == pytest.approx(200 / 30.4375) and lanes["a"]["death"] is True
    assert lanes["a"]["progression_time"] == pytest.approx(60 / 30.4375)
    assert lanes["a"]["treatment_end_time"] == pytest.approx(89 / 30.4375) and lanes["a"]["on_treatment"] is False
    assert lanes["b"]["first_response_time"] == pytest.approx(60 / 30.4375) and lanes["b"]["ongoing"] is True
    assert lanes["b"]["procedures"] == [{"name": "MWA", "time": pytest.approx(14 / 30.4375)}]
    assert lanes["c"]["on_treatment"] is True and lanes["c"]["treatment_end_time"] == lanes["c"]["end_time"]
    assert lanes["c"]["best_response"] == "NE"
    afp = d["afp"]["patients"]
    assert [p["patient_id"] for p in afp] == ["b"]  # responders only, AFP rows only
    assert afp[0]["time"] == [pytest.approx(-7 / 30.4375), pytest.approx(90 / 30.4375)]
    assert afp[0]["value"] == [820.0, 35.5] and afp[0]["unit"] == "ng/ml"


def test_arm_hazard_ratio_matches_r(reference_dir):
    """R: coxph(Surv(time, status) ~ rx, data = ovarian) (reference json, univariable rx, efron)."""
    import json

    ref = json.loads((reference_dir / "ovarian.json").read_text())["cox"]["univariable"]["rx"]["efron"]
    _, adtte = reference_frames(reference_dir / "ovarian.csv", arm_column="rx", arm_map={1: "ici", 2: "ici_mwa"},
                                categorical={})
    hr = arm_hazard_ratio(adtte, make_protocol(), "os")
    c = ref["coefficients"]["rx"]
    assert hr["hr"] == pytest.approx(c["exp_coef"], rel=1e-6) and hr["p"] == pytest.approx(c["p"], rel=1e-6)
    assert hr["hr_lower"] == pytest.approx(c["hr_lower95"], rel=1e-6)
    assert (hr["arm"], hr["reference"]) == ("ici_mwa", "ici")
