"""Waterfall and swimmer data from the best-response table, patients and treatments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.response import swimmer_data, waterfall_data

T = pd.Timestamp


def test_waterfall_orders_growth_first_and_leaves_out_unmeasured_patients():
    best = pd.DataFrame({"patient_id": ["a", "b", "c", "d"], "best_pct_change": [-40.0, 25.0, np.nan, -40.0],
                         "best_response": ["PR", "PD", "NE", "PR"]})
    patients = pd.DataFrame({"patient_id": ["a", "b", "c", "d"], "arm": ["X", "Y", "X", "Y"]})
    w = waterfall_data(best, patients)
    assert w.bars["patient_id"].tolist() == ["b", "a", "d"]   # 25, then the -40 tie by id
    assert w.bars["position"].tolist() == [1, 2, 3]
    assert w.bars["arm"].tolist() == ["Y", "X", "Y"]
    assert w.notes[0].count == 1 and w.notes[0].details["patients"] == ["c"]


def test_swimmer_lanes_and_markers():
    patients = pd.DataFrame({
        "patient_id": ["a", "b", "s"], "arm": ["ICI+MWA", "ICI", None],
        "treatment_start_date": [T("2021-01-01"), T("2021-01-11"), pd.NaT],
        "death_date": [pd.NaT, T("2021-07-20"), pd.NaT],
        "last_contact_date": [T("2021-12-31"), T("2021-07-20"), pd.NaT]})
    treatments = pd.DataFrame({
        "patient_id": ["a", "a", "b"], "kind": ["procedure", "drug", "drug"], "name": ["MWA", "sintilimab", "camrelizumab"],
        "start_date": [T("2021-01-10"), T("2021-01-01"), T("2021-01-11")],
        "end_date": [T("2021-01-10"), pd.NaT, T("2021-05-01")], "stop_reason": [None, None, "progression"]})
    best = pd.DataFrame({"patient_id": ["a", "b"], "best_response": ["PR", "PD"],
                         "first_response_date": [T("2021-03-01"), pd.NaT],
                         "progression_date": [pd.NaT, T("2021-04-01")]})
    s = swimmer_data(best, patients, treatments, data_cutoff="2021-10-01")
    lanes = s.lanes.set_index("patient_id")
    assert list(lanes.index) == ["a", "b"]  # screened patient s has no lane
    # a: drug still running -> lane to the cutoff (2021-10-01 is day 273); ongoing
    assert lanes.loc["a", "time_on_treatment_days"] == 273 and lanes.loc["a", "ongoing"]
    assert lanes.loc["a", "status"] == "on treatment" and lanes.loc["a", "first_response_days"] == 59
    # b: drug ended 2021-05-01 = day 110; progressed day 80; died day 190
    assert (lanes.loc["b", "time_on_treatment_days"], lanes.loc["b", "progression_days"],
            lanes.loc["b", "death_days"]) == (110, 80, 190)
    assert lanes.loc["b", "status"] == "died" and not lanes.loc["b", "ongoing"]
    assert lanes.loc["b", "time_on_treatment_months"] == pytest.approx(110 / 30.4375)
    ev = s.events
    assert ev[["patient_id", "event", "name", "day"]].values.tolist() == [
        ["a", "procedure", "MWA", 9], ["a", "first response", "", 59],
        ["b", "progression", "", 80], ["b", "death", "", 190]]
