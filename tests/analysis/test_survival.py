"""survival_summary against R (tests/data/reference/ovarian.json, survival 3.5.3) and hand computations.

The ovarian data (times in days) enter as if they were months: the wrapper only passes times
through, so R's values apply unchanged. Arms: rx 1 → ``ici`` (reference), rx 2 → ``ici_mwa``.
R calls (README of the reference folder): ``survfit(Surv(time, status) ~ rx, conf.type = "log")``,
``quantile(fit, 0.5)``, ``summary(fit, times = c(365, 730), extend = TRUE)``,
``print(fit, rmean = 1000)``, ``survdiff(Surv(time, status) ~ rx)``, reverse KM ``Surv(time, 1 - status)``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from oncocohort.analysis import rmst_difference, survival_summary
from tests.analysis.builders import make_protocol, reference_frames

ARMS = {"1": "ici", "2": "ici_mwa"}


@pytest.fixture(scope="module")
def ovarian(reference_dir):
    ref = json.loads((reference_dir / "ovarian.json").read_text())
    protocol = make_protocol(analysis={"landmarks_months": [365, 730], "rmst_tau_months": 1000})
    _, adtte = reference_frames(reference_dir / "ovarian.csv", arm_column="rx", arm_map={1: "ici", 2: "ici_mwa"},
                                categorical={})
    return ref, survival_summary(adtte, protocol)


def _close(a, b):
    return (a is None and b is None) or a == pytest.approx(b, rel=1e-9)


def test_medians_landmarks_followup_match_r(ovarian):
    ref, res = ovarian
    d = res.to_dict()["os"]
    groups = {"overall": (d["overall"], ref["km"]["overall"]["strata"]["all"],
                          ref["reverse_km_followup"]["overall"]["strata"]["all"])}
    for level, arm in ARMS.items():
        groups[arm] = (d["by_arm"][arm], ref["km"]["by_group"]["rx"]["strata"][level],
                       ref["reverse_km_followup"]["by_group"]["rx"]["strata"][level])
    for name, (mine, km, fu) in groups.items():
        q = km["quantiles"]["log"]
        assert mine["n"] == km["n"] and mine["events"] == km["n_events"], name
        assert _close(mine["median"], q["median"]) and _close(mine["median_lower"], q["median_lower"]), name
        assert _close(mine["median_upper"], q["median_upper"]), name
        if mine["median_upper"] is None:
            assert mine["median_upper_reason"].startswith("not reached")
        lm = km["landmarks"]["log"]
        for i, row in enumerate(mine["landmarks"]):
            assert row["time"] == lm["time"][i] and row["n_risk"] == lm["n_risk"][i]
            assert _close(row["surv"], lm["surv"][i]) and _close(row["lower"], lm["lower"][i])
            assert _close(row["upper"], lm["upper"][i]) and _close(row["std_err"], lm["std_err_surv"][i])
        assert _close(mine["followup"]["median"], fu["log"]["median"]), name
        assert _close(mine["followup"]["lower"], fu["log"]["lower"]), name
        assert mine["rmst"]["estimate"] == pytest.approx(km["rmean"]["rmean"], rel=1e-9)
        assert mine["rmst"]["std_err"] == pytest.approx(km["rmean"]["se_rmean"], rel=1e-9)


def test_logrank_matches_survdiff(ovarian):
    ref, res = ovarian
    assert res.to_dict()["os"]["logrank_p"] == pytest.approx(ref["logrank"]["rx"]["rho0"]["p"], rel=1e-9)


def test_rmst_difference_hand_computed(ovarian):
    """Δ = rmean(rx 2) − rmean(rx 1), SE = sqrt(se1² + se2²), z-test, from R's per-arm print(fit, rmean = 1000)."""
    ref, res = ovarian
    r1 = ref["km"]["by_group"]["rx"]["strata"]["1"]["rmean"]
    r2 = ref["km"]["by_group"]["rx"]["strata"]["2"]["rmean"]
    delta = r2["rmean"] - r1["rmean"]
    se = math.sqrt(r1["se_rmean"] ** 2 + r2["se_rmean"] ** 2)
    z = delta / se
    diff = res.to_dict()["os"]["rmst_difference"]
    assert diff["arm"] == "ici_mwa" and diff["reference"] == "ici" and diff["tau"] == 1000
    assert diff["estimate"] == pytest.approx(delta, rel=1e-12)
    assert diff["std_err"] == pytest.approx(se, rel=1e-12)
    assert diff["lower"] == pytest.approx(delta - 1.959963984540054 * se, rel=1e-12)
    assert diff["p"] == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2)))), rel=1e-9)
    assert "normal approximation" in diff["method"]


def test_rmst_difference_zero_variance_is_null_with_reason():
    from oncocohort.stats.rmst import RestrictedMean

    a = RestrictedMean(12.0, 12.0, 0.0, 12.0, 12.0)
    d = rmst_difference(a, a, arm="b", reference="a").to_dict()
    assert d["estimate"] == 0.0 and d["p"] is None and d["p_reason"]


def test_curve_data_for_plots(ovarian, reference_dir):
    _, res = ovarian
    d = res.to_dict()["os"]
    curve = d["by_arm"]["ici"]["curve"]
    fit = res["os"].by_arm["ici"].fit
    assert curve["time"][0] == 0.0 and curve["surv"][0] == 1.0
    assert curve["time"][1:] == fit.time.tolist() and curve["surv"][1:] == fit.surv.tolist()
    assert curve["censor_times"] == fit.time[fit.n_censor > 0].tolist()
    grid = np.asarray(curve["at_risk"]["time"])
    assert grid[0] == 0 and np.all(np.diff(grid) == 12.0)  # last follow-up 1227 > 72 → every 12
    # at-risk numbers equal a direct count of patients with time >= t
    _, adtte = reference_frames(reference_dir / "ovarian.csv", arm_column="rx", arm_map={1: "ici", 2: "ici_mwa"},
                                categorical={})
    t = adtte.loc[adtte["arm"] == "ici", "time_months"].to_numpy()
    assert curve["at_risk"]["n"] == [int((t >= g).sum()) for g in grid]


def test_single_arm_between_arm_statistics_are_null():
    protocol = make_protocol(design="single-arm")
    rng = np.random.default_rng(1)
    adtte = pd.DataFrame({"patient_id": [str(i) for i in range(30)], "arm": "ici", "endpoint": "os",
                          "time_months": rng.exponential(10, 30), "event": rng.integers(0, 2, 30)})
    d = survival_summary(adtte, protocol).to_dict()["os"]
    assert d["logrank_p"] is None and "single-arm" in d["logrank_p_reason"]
    assert d["rmst_difference"] is None and "single-arm" in d["rmst_difference_reason"]
    assert d["by_arm"]["ici"]["n"] == 30 and d["overall"]["events"] == int(adtte["event"].sum())


def test_an_arm_without_patients_and_an_endpoint_without_events():
    protocol = make_protocol()
    adtte = pd.DataFrame({"patient_id": ["1", "2", "3", "4"], "arm": ["ici"] * 4, "endpoint": "os",
                          "time_months": [1.0, 2.0, 3.0, 4.0], "event": [0, 0, 0, 0]})
    d = survival_summary(adtte, protocol).to_dict()["os"]
    assert d["by_arm"]["ici_mwa"]["n"] == 0 and d["by_arm"]["ici_mwa"]["curve"] is None
    assert d["by_arm"]["ici_mwa"]["median_reason"] == "no patient in this group"
    assert d["logrank_p"] is None and d["logrank_p_reason"] == "an arm has no patient for this endpoint"
    assert d["overall"]["median"] is None and d["overall"]["median_reason"].startswith("not reached")
    both = adtte.assign(arm=["ici", "ici_mwa", "ici", "ici_mwa"])
    d2 = survival_summary(both, protocol).to_dict()["os"]
    assert d2["logrank_p"] is None and "no events" in d2["logrank_p_reason"]
    assert d2["rmst_difference"]["estimate"] == 0.0 and d2["rmst_difference"]["p"] is None
    assert any("exceeds the last follow-up" in n for n in d2["notes"])  # tau 12 > 4 months


def test_landmark_beyond_last_follow_up_is_null_with_reason():
    """No one followed to 24 months (last time censored at 16): S(24) is undefined, not the last value
    carried forward; a curve that has reached 0 stays 0; a landmark within follow-up is estimated."""
    protocol = make_protocol(analysis={"landmarks_months": [6, 24], "rmst_tau_months": 12})
    adtte = pd.DataFrame({"patient_id": [str(i) for i in range(8)], "arm": ["ici"] * 4 + ["ici_mwa"] * 4,
                          "endpoint": "os", "time_months": [2.0, 5.0, 10.0, 16.0, 3.0, 7.0, 9.0, 12.0],
                          "event": [1, 0, 1, 0, 1, 1, 0, 1]})
    d = survival_summary(adtte, protocol).to_dict()["os"]
    ici = {row["time"]: row for row in d["by_arm"]["ici"]["landmarks"]}
    assert ici[6.0]["surv"] == pytest.approx(0.75) and ici[6.0]["n_risk"] == 2
    assert ici[24.0]["surv"] is None and ici[24.0]["n_risk"] == 0
    assert ici[24.0]["surv_reason"].startswith("not estimable: beyond the last follow-up (16.0 months)")
    assert ici[24.0]["lower"] is None and ici[24.0]["upper"] is None
    mwa = {row["time"]: row for row in d["by_arm"]["ici_mwa"]["landmarks"]}
    assert mwa[24.0]["surv"] == 0.0  # last observation an event: S = 0 from there on
    overall = {row["time"]: row for row in d["overall"]["landmarks"]}
    assert overall[24.0]["surv"] is None
