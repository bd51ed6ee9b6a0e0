"""iRECIST: unconfirmed progression (iUPD), its confirmation (iCPD) and reset.

References
----------
[1] Seymour L, Bogaerts J, Perrone A, et al. iRECIST: guidelines for response criteria for use in
    trials testing immunotherapeutics. Lancet Oncol 2017;18:e143–e152. Table 2 and "Confirming
    progression".
[2] EORTC RECIST working group FAQ, "How do new lesions define progression?": sequential increases
    are additive (4 mm then 2 mm confirms).
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd

from oncocohort.response.criteria import ResponseCriteria

_CALLS = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
_BASE, _IUPD, _ICPD = 6, 7, 8
_CR, _PD, _NE = 0, 4, 5
_RULES = (
    "baseline",
    "no progression",
    "first progression: iUPD",
    "iUPD not confirmed: NE, confirmation pending",
    "reset: no progression after iUPD",
    "iUPD: too early to confirm",
    "iUPD: no further increase",
    "iCPD: target sum increased >= {mm} mm since iUPD",
    "iCPD: further non-target progression since iUPD",
    "iCPD: new lesions grew >= {mm} mm since iUPD",
    "iCPD: additional new lesion since iUPD",
    "iCPD: target progression, not progressing at iUPD",
    "iCPD: non-target progression, not progressing at iUPD",
    "iCPD: new lesion, none at iUPD",
    "iCPD confirmed earlier",
)


def confirm_irecist_progression(visits: pd.DataFrame, criteria: ResponseCriteria) -> pd.DataFrame:
    """Replace RECIST-style calls by iRECIST time-point responses ([1] Table 2).

    ``visits`` is sorted by patient and date and carries ``patient_id, visit_date, is_baseline,
    overall_response`` (RECIST categories), ``target_response, nontarget_response, new_lesion,
    target_sum_assessed_mm, n_nontargets_progressing, new_lesion_count, new_lesion_sum_mm``.

    Steps per patient, visit by visit ([1] "Confirming progression"):

    1. no progression pending: a RECIST PD is iUPD (its measurements are the reference); any other
       call C becomes iC (NON-CR/NON-PD and NE keep their names);
    2. iUPD pending, next call NE: NE, still pending (a later assessment may confirm);
    3. iUPD pending, call not PD (CR, PR, SD, non-CR/non-PD): reset — iCR/iPR/iSD, and a later
       progression is a new iUPD;
    4. iUPD pending, call PD, fewer than ``criteria.confirmation_min_days`` after the iUPD: iUPD;
    5. otherwise iCPD when, against the iUPD reference: the target sum rose ≥ ``criteria.confirmation_increase_mm`` (for
       a target iUPD), more non-target lesions progress (for a non-target iUPD), the new lesions'
       summed size rose ≥ that much or their number rose (for a new-lesion iUPD), or a
       category that was not progressing at iUPD now progresses; else iUPD (unconfirmed, can be
       confirmed later; increases are additive [2] because the reference stays the first iUPD);
    6. after iCPD every later visit is iCPD (the event has happened).

    The scan is sequential by nature (each call depends on the state left by the previous visit),
    so it runs as one compiled loop over arrays sorted by patient and date rather than per patient.
    Returns ``overall_response`` (iRECIST labels), ``irecist_rule``, ``iupd_date`` (first iUPD of
    the episode) and ``progression_date`` (on iCPD rows: the date of that first iUPD [1]).
    """
    call = pd.Categorical(visits["overall_response"].fillna("BASELINE"), categories=list(_CALLS)).codes.astype(np.int8)
    call = np.where(visits["is_baseline"].to_numpy(bool) | (call < 0), _BASE, call).astype(np.int8)
    day = visits["visit_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    pcode = pd.factorize(visits["patient_id"])[0].astype(np.int64)
    out, rule, upd_day = _scan(
        pcode, day, call,
        (visits["target_response"] == "PD").fillna(False).to_numpy(bool),
        (visits["nontarget_response"] == "PD").fillna(False).to_numpy(bool),
        visits["new_lesion"].to_numpy(bool),
        visits["target_sum_assessed_mm"].to_numpy(float),
        visits["n_nontargets_progressing"].to_numpy(np.int64),
        visits["new_lesion_count"].to_numpy(np.int64),
        visits["new_lesion_sum_mm"].to_numpy(float),
        int(criteria.confirmation_min_days), float(criteria.confirmation_increase_mm))
    labels = np.array(["iCR", "iPR", "iSD", "NON-CR/NON-PD", "PD", "NE", "", "iUPD", "iCPD"], dtype=object)
    labels_out = labels[out]
    labels_out[out == _BASE] = None
    iupd = pd.Series(pd.to_datetime(upd_day, unit="D")).where(upd_day >= 0).to_numpy("datetime64[ns]")
    return pd.DataFrame({
        "overall_response": pd.array(labels_out, dtype="string"),
        "irecist_rule": np.array([r.format(mm=f"{criteria.confirmation_increase_mm:g}") for r in _RULES],
                                 dtype=object)[rule],
        "iupd_date": iupd,
        "progression_date": np.where(out == _ICPD, iupd, np.datetime64("NaT")).astype("datetime64[ns]"),
    })


@numba.njit(cache=True)
def _scan(pcode, day, call, target_pd, nontarget_pd, new, target_sum, nt_up, new_n, new_sum,
          min_days, increase_mm):  # pragma: no cover - compiled; covered through the wrapper
    n = len(call)
    out = np.empty(n, np.int8)
    rule = np.zeros(n, np.int8)
    upd_day = np.full(n, -1, np.int64)
    state = 0  # 0: no progression pending, 1: iUPD pending, 2: iCPD
    prev = -1
    ref_day = -1
    ref_tpd = ref_ntpd = ref_new = False
    ref_sum = ref_newsum = 0.0
    ref_ntup = ref_newn = 0
    tol = 1e-9
    for i in range(n):
        if pcode[i] != prev:
            prev = pcode[i]
            state = 0
        c = call[i]
        if c == _BASE:
            out[i] = _BASE
            continue
        if state == 2:
            out[i] = _ICPD
            rule[i] = 14
            upd_day[i] = ref_day
            continue
        if state == 0:
            if c == _PD:
                state = 1
                ref_day = day[i]
                ref_tpd, ref_ntpd, ref_new = target_pd[i], nontarget_pd[i], new[i]
                ref_sum, ref_ntup, ref_newn, ref_newsum = target_sum[i], nt_up[i], new_n[i], new_sum[i]
                out[i] = _IUPD
                rule[i] = 2
                upd_day[i] = ref_day
            else:
                out[i] = c
                rule[i] = 1
            continue
        # state 1: an iUPD is pending
        if c == _NE:
            out[i] = _NE
            rule[i] = 3
            upd_day[i] = ref_day
            continue
        if c != _PD:
            state = 0
            out[i] = c
            rule[i] = 4
            continue
        upd_day[i] = ref_day
        if day[i] - ref_day < min_days:
            out[i] = _IUPD
            rule[i] = 5
            continue
        r = 0
        if ref_tpd and target_sum[i] - ref_sum >= increase_mm - tol:
            r = 7
        elif ref_ntpd and nt_up[i] > ref_ntup:
            r = 8
        elif ref_new and new_sum[i] - ref_newsum >= increase_mm - tol:
            r = 9
        elif ref_new and new_n[i] > ref_newn:
            r = 10
        elif not ref_tpd and target_pd[i]:
            r = 11
        elif not ref_ntpd and nontarget_pd[i]:
            r = 12
        elif not ref_new and new[i]:
            r = 13
        if r > 0:
            state = 2
            out[i] = _ICPD
            rule[i] = r
        else:
            out[i] = _IUPD
            rule[i] = 6
    return out, rule, upd_day
