"""Invariants of the time-to-event engine on random but internally consistent patients (hypothesis).

Each generated patient: origin day 0; scans at some days in (0, last contact]; an optional progression
on one of those scans; an optional death at last contact; an optional new therapy. Invariants:

* every row has time ≥ 0, event ∈ {0, 1}, a censor reason exactly when censored;
* PFS ≤ OS (same origin; PFS ends at a scan, progression or death, none after last contact);
* a TTP event is a PFS event at the same time (a death without progression ends PFS, censors TTP);
* switching on optional censoring rules never lengthens follow-up nor adds events;
* shuffling the rows changes nothing.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocohort.endpoints import derive_endpoint
from oncocohort.protocol.schema import EndpointRule

ORIGIN = pd.Timestamp("2024-01-01")
CUTOFF = pd.Timestamp("2030-01-01")
OS = EndpointRule(events=["death"], censor_at="last_contact")
PFS = EndpointRule(events=["progression", "death"], censor_at="last_adequate_assessment")
TTP = EndpointRule(events=["progression"], censor_at="last_adequate_assessment")
PFS_ALL = PFS.model_copy(update={"censor_at_new_therapy": True, "censor_after_missed_assessments": 2,
                                 "max_follow_up_months": 12})


@st.composite
def patient(draw):
    last = draw(st.integers(1, 900))
    scans = sorted(draw(st.sets(st.integers(1, last), max_size=8)))
    progressed = bool(scans) and draw(st.booleans())
    prog = draw(st.sampled_from(scans)) if progressed else None
    died = draw(st.booleans())
    new_therapy = draw(st.one_of(st.none(), st.integers(1, last)))
    return last, scans, prog, died, new_therapy


@st.composite
def cohort(draw):
    # many patients per example: the engine is vectorised, one call checks them all
    return draw(st.lists(patient(), min_size=1, max_size=60))


def frames(patients):
    day = lambda d: ORIGIN + pd.Timedelta(days=d) if d is not None else pd.NaT  # noqa: E731
    rows, scans = [], []
    for i, (last, sc, prog, died, nt) in enumerate(patients):
        pid = f"p{i}"
        rows.append({"patient_id": pid, "arm": "a", "treatment_start_date": ORIGIN, "diagnosis_date": pd.NaT,
                     "enrollment_date": pd.NaT, "last_contact_date": day(last),
                     "death_date": day(last) if died else pd.NaT, "progression_date": day(prog),
                     "progression_source": "lesions", "new_therapy_date": day(nt)})
        scans += [{"patient_id": pid, "assessment_date": day(s)} for s in sc]
    subj = pd.DataFrame(rows).set_index("patient_id")
    for c in ("treatment_start_date", "diagnosis_date", "enrollment_date", "last_contact_date", "death_date",
              "progression_date", "new_therapy_date"):
        subj[c] = subj[c].astype("datetime64[ns]")
    ass = pd.DataFrame(scans, columns=["patient_id", "assessment_date"]).astype({"assessment_date": "datetime64[ns]"})
    return subj, ass


def run(subj, ass, rule, name):
    out, _ = derive_endpoint(subj, ass, rule, endpoint=name, data_cutoff=CUTOFF, assessment_interval_days=56)
    return out.set_index("patient_id").sort_index()


@settings(max_examples=6, deadline=None)
@given(cohort())
def test_invariants(patients):
    subj, ass = frames(patients)
    os_, pfs, ttp, pfs_all = (run(subj, ass, OS, "os"), run(subj, ass, PFS, "pfs"), run(subj, ass, TTP, "ttp"),
                              run(subj, ass, PFS_ALL, "pfs"))
    for out in (os_, pfs, ttp, pfs_all):
        assert (out["time_days"] >= 0).all()
        assert out["event"].isin([0, 1]).all()
        assert (out["censor_reason"].isna() == (out["event"] == 1)).all()
        assert (out["event_source"].notna() == (out["event"] == 1)).all()
    assert (pfs["time_days"] <= os_["time_days"]).all()
    ttp_events = ttp["event"] == 1
    assert (pfs.loc[ttp_events, "event"] == 1).all()
    assert (pfs.loc[ttp_events, "time_days"] == ttp.loc[ttp_events, "time_days"]).all()
    assert (pfs_all["time_days"] <= pfs["time_days"]).all()
    assert (pfs_all["event"] <= pfs["event"]).all()
    shuffled = run(subj.iloc[::-1], ass.iloc[::-1], PFS_ALL, "pfs")
    pd.testing.assert_frame_equal(shuffled, pfs_all)
