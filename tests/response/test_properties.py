"""Property tests: invariances of the engine on random lesion tables, and a naive reference.

* the order of the rows changes no call;
* adding a new lesion never improves a response (the visit becomes PD / iUPD / iCPD, and no
  patient becomes a responder or gains disease control);
* target sums, nadir and per cent changes agree with a plain per-patient loop written from
  RECIST 1.1 §4.3.1 (seeded random data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncocohort.response import evaluate
from oncocohort.response.rates import DISEASE_CONTROL, OBJECTIVE_RESPONSES
from tests.response.helpers import lesion, table

DATES = pd.date_range("2021-01-01", periods=6, freq="35D")
SIZES = [0.0, 4.0, 8.0, 12.0, 20.0, 30.0, 45.0, None]
STATUSES = ["present", "absent", "unequivocal progression", None]
SETTINGS = [dict(), dict(confirm=True, min_sd_days=42)]


@st.composite
def lesion_tables(draw, max_patients=3):
    rows = []
    for p in range(draw(st.integers(1, max_patients))):
        pid = f"P{p}"
        n_visits = draw(st.integers(2, 5))
        n_t = draw(st.integers(0, 3))
        n_nt = draw(st.integers(0 if n_t else 1, 2))
        for v in range(n_visits):
            d = str(DATES[v].date())
            for t in range(n_t):
                mm = draw(st.sampled_from([12.0, 20.0, 30.0, 45.0])) if v == 0 else draw(st.sampled_from(SIZES))
                rows.append(lesion(pid, d, f"T{t}", "target", mm, node=(t == 2), site=f"s{t}"))
            for n in range(n_nt):
                s = "present" if v == 0 else draw(st.sampled_from(STATUSES))
                rows.append(lesion(pid, d, f"N{n}", "non-target", status=s))
            if v > 0 and draw(st.integers(0, 5)) == 0:
                rows.append(lesion(pid, d, f"X{v}", "new", draw(st.sampled_from([6.0, 12.0])), site="lung"))
    return table(rows)


def _sorted(frame):
    return frame.sort_values(["patient_id", "visit_date"] if "visit_date" in frame else ["patient_id"]).reset_index(drop=True)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=lesion_tables(), criteria=st.sampled_from(["recist1.1", "mrecist", "irecist"]),
       kw=st.sampled_from(SETTINGS), seed=st.integers(0, 2**32 - 1))
def test_row_order_changes_no_call(df, criteria, kw, seed):
    a = evaluate(df, criteria, **kw)
    b = evaluate(df.sample(frac=1.0, random_state=np.random.RandomState(seed)).reset_index(drop=True), criteria, **kw)
    pd.testing.assert_frame_equal(_sorted(a.visits), _sorted(b.visits))
    pd.testing.assert_frame_equal(_sorted(a.best), _sorted(b.best))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=lesion_tables(max_patients=1), criteria=st.sampled_from(["recist1.1", "mrecist", "irecist"]),
       kw=st.sampled_from(SETTINGS), when=st.integers(1, 4))
def test_adding_a_new_lesion_never_improves_a_response(df, criteria, kw, when):
    dates = sorted(df["visit_date"].unique())
    when = min(when, len(dates) - 1)
    # the added lesion appears at visit `when` and stays (a new lesion does not vanish)
    extra = table([lesion("P0", str(pd.Timestamp(d).date()), "ADDED", "new", 15, site="lung") for d in dates[when:]])
    before = evaluate(df, criteria, **kw)
    after = evaluate(pd.concat([df, extra], ignore_index=True), criteria, **kw)
    call = after.visits.set_index("visit_date").loc[dates[when], "overall_response"]
    assert call in ("PD", "iUPD", "iCPD")
    b, a = before.best["best_response"].iloc[0], after.best["best_response"].iloc[0]
    assert (a in OBJECTIVE_RESPONSES) <= (b in OBJECTIVE_RESPONSES)
    assert (a in DISEASE_CONTROL) <= (b in DISEASE_CONTROL)


def naive_target_sums(df):
    """Per patient, visit by visit: complete sum, nadir of earlier complete sums, % changes."""
    out = []
    for pid, g in df.loc[df["lesion_type"] == "target"].groupby("patient_id"):
        visits = sorted(g["visit_date"].unique())
        targets = set(g.loc[g["visit_date"] == visits[0], "lesion_id"])
        base, nadir = None, None
        for d in visits:
            gv = g.loc[g["visit_date"] == d]
            vals = {}
            for _, r in gv.iterrows():
                m = r["short_axis_mm"] if r["is_lymph_node"] else r["longest_diameter_mm"]
                if not pd.isna(m):
                    vals[r["lesion_id"]] = m
            s = sum(vals.values()) if set(vals) == targets else np.nan
            if base is None:
                base, nadir_used = s, s
            else:
                nadir_used = nadir
            pct_b = 100 * (s - base) / base
            pct_n = 100 * (s - nadir_used) / nadir_used if nadir_used and nadir_used > 0 else np.nan
            out.append((pid, pd.Timestamp(d), s, nadir_used, pct_b, pct_n))
            if not np.isnan(s):
                nadir = s if nadir is None else min(nadir, s)
    return pd.DataFrame(out, columns=["patient_id", "visit_date", "target_sum_mm", "nadir_sum_mm",
                                      "pct_change_baseline", "pct_change_nadir"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_target_sums_agree_with_a_naive_loop(seed):
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(30):
        for v in range(int(rng.integers(2, 6))):
            d = str(DATES[v].date())
            for t in range(int(rng.integers(1, 4)) if v == 0 else 3):
                mm = float(rng.choice([10, 15, 22, 35])) if v == 0 else rng.choice([0, 5, 9, 15, 30, 60, np.nan])
                rows.append(lesion(f"P{p:02d}", d, f"T{t}", "target", None if np.isnan(mm) else float(mm),
                                   node=(t == 1), site=f"s{t}"))
    df = table(rows)
    # keep only follow-up rows of lesions present at the patient's baseline
    base_ids = df.loc[df["visit_date"] == DATES[0], ["patient_id", "lesion_id"]]
    df = df.merge(base_ids, on=["patient_id", "lesion_id"])
    got = evaluate(df, "recist1.1").visits[naive_target_sums(df).columns]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), naive_target_sums(df), check_dtype=False)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=lesion_tables(), criteria=st.sampled_from(["recist1.1", "mrecist", "irecist"]))
def test_asking_for_confirmation_never_makes_a_responder(df, criteria):
    loose = evaluate(df, criteria, min_sd_days=42).best.set_index("patient_id")["best_response"]
    strict = evaluate(df, criteria, min_sd_days=42, confirm=True).best.set_index("patient_id")["best_response"]
    for pid in loose.index:
        assert (strict[pid] in OBJECTIVE_RESPONSES) <= (loose[pid] in OBJECTIVE_RESPONSES)
        assert (strict[pid] in DISEASE_CONTROL) <= (loose[pid] in DISEASE_CONTROL)
