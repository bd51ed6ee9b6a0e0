"""Best overall response per patient, with CR/PR confirmation and the minimum duration of SD.

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247. §4.4.1 (best overall
    response), §4.4.2 Table 3 (best response when confirmation is required), §4.4.3 (SD duration).
[2] Seymour L, et al. iRECIST. Lancet Oncol 2017;18:e143–e152 (iBOR; the date of iCPD is the date
    of the iUPD it confirms).
[3] admiralonco, ``derive_param_confirmed_bor`` (the same rule written for ADaM data; read for
    comparison, not copied).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from oncocohort.errors import InputError, Note

#: Recorded labels (RECIST/mRECIST and iRECIST) → canonical category.
CATEGORY = {"CR": "CR", "PR": "PR", "SD": "SD", "NON-CR/NON-PD": "NN", "PD": "PD", "NE": "NE",
            "iCR": "CR", "iPR": "PR", "iSD": "SD", "NON-iCR/NON-iUPD": "NN", "iUPD": "UPD", "iCPD": "PD"}
_RANK = {"CR": 0, "PR": 1, "SD": 2, "NN": 3, "PD": 4, "UPD": 5, "NE": 6}
_LABEL = np.array(["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "iUPD", "NE"], dtype=object)
_ILABEL = np.array(["iCR", "iPR", "iSD", "NON-CR/NON-PD", "iCPD", "iUPD", "NE"], dtype=object)
_BIG = np.int64(1) << 40  # patient stride of the (patient, day) search key; far beyond any day count


def check_best_response_settings(confirm: bool, min_sd_days: int | None, confirm_days: int,
                                 window_days: int | None) -> None:
    """InputError naming the argument when a best-response setting is out of range."""
    if not isinstance(confirm, (bool, np.bool_)):
        raise InputError("confirm", f"must be True or False, got {confirm!r}")
    if int(confirm_days) != confirm_days or confirm_days < 1:
        raise InputError("confirm_days", f"must be a whole number of days >= 1, got {confirm_days!r}")
    if min_sd_days is not None and (int(min_sd_days) != min_sd_days or min_sd_days < 0):
        raise InputError("min_sd_days", f"must be None or a whole number of days >= 0, got {min_sd_days!r}")
    if window_days is not None and (int(window_days) != window_days or window_days < 1):
        raise InputError("window_days", f"must be None or a whole number of days >= 1, got {window_days!r}")


def as_start_dates(treatment_start: Mapping | pd.Series | None) -> pd.Series:
    """Treatment start per patient as a datetime Series indexed by patient_id (empty when None)."""
    if treatment_start is None:
        return pd.Series([], dtype="datetime64[ns]")
    s = treatment_start if isinstance(treatment_start, pd.Series) else pd.Series(dict(treatment_start))
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()].unique()
        raise InputError("treatment_start", f"has more than one date for patient(s) {list(map(str, dup[:5]))}")
    try:
        return pd.to_datetime(s).astype("datetime64[ns]")
    except (TypeError, ValueError) as exc:
        raise InputError("treatment_start", f"must map patient_id to dates ({exc})") from None


def derive_best_overall_response(visits: pd.DataFrame, start: pd.Series, *, confirm: bool = False,
                                 min_sd_days: int | None = None, confirm_days: int = 28,
                                 window_days: int | None = None) -> tuple[pd.DataFrame, list[Note]]:
    """Best overall response per patient from time-point responses ([1] §4.4; [2] iBOR).

    ``visits``: ``patient_id, visit_date, overall_response`` (RECIST or iRECIST labels), optional
    ``is_baseline`` and ``pct_change_baseline``; ``start``: treatment start per patient (NaT or
    absent = no limit from treatment start). Steps:

    1. keep the post-baseline assessments after treatment start and, when ``window_days`` is set,
       at most that many days after it; stop at the first PD / iCPD (response after progression
       does not count, [1] §4.4.1);
    2. with ``confirm``: a CR counts when a later CR, ≥ ``confirm_days`` after it, follows with only
       CR or NE between; a CR or PR counts as PR when a later CR or PR ≥ ``confirm_days`` after it
       follows with only CR, PR or NE between ("CR then PR" is PR, [1] Table 3 note); unconfirmed
       CR/PR count as SD ([1] Table 3);
    3. SD (and non-CR/non-PD) counts only at ≥ ``min_sd_days`` from treatment start ([1] §4.4.3);
    4. best = the first of CR > PR > SD > NON-CR/NON-PD > PD (iCPD) > iUPD > NE reached, so an SD
       too early to count followed by PD is PD, and followed only by NE is NE ([1] Table 3). iCPD
       ranks above iUPD because an iUPD it confirms is the same progression [2];
    5. ``progression_date``: the first PD, or for iCPD the first iUPD of the episode it confirms [2]
       (all assessments after treatment start, whatever the window); ``first_response_date``: the
       first counted CR/PR; ``best_pct_change``: the smallest ``pct_change_baseline`` in the window.
    """
    v = visits.loc[~visits["is_baseline"].to_numpy(bool)] if "is_baseline" in visits else visits
    v = v.sort_values(["patient_id", "visit_date"], kind="stable")
    patients = pd.Index(visits["patient_id"].unique()).sort_values()
    labels = v["overall_response"].fillna("NE").to_numpy(dtype=object)
    irecist = bool(np.isin(labels, ["iCR", "iPR", "iSD", "iUPD", "iCPD"]).any())
    rank = pd.Series(labels).map(CATEGORY).map(_RANK).to_numpy(np.int64)
    st = v["patient_id"].map(start).to_numpy("datetime64[ns]")
    date = v["visit_date"].to_numpy("datetime64[ns]")
    has_start = ~np.isnat(st)
    # Days from treatment start; without one, days from the earliest visit (only differences are used).
    origin = np.where(has_start, st, date.min() if len(date) else st)
    day = ((date - origin) // np.timedelta64(1, "D")).astype(np.int64)
    notes: list[Note] = []
    after = ~has_start | (date > st)  # the baseline scan may share the treatment start date
    if (~after).any():
        notes.append(Note("assessments on or before treatment start were not used for best response", int((~after).sum())))
    pid = v["patient_id"].to_numpy()
    prog = _progression_dates(pid[after], date[after], rank[after])
    inwin = after.copy()
    if window_days is not None:
        inwin &= ~has_start | (day <= window_days)
    pid, date, day, rank, has_start = pid[inwin], date[inwin], day[inwin], rank[inwin], has_start[inwin]
    pct = v["pct_change_baseline"].to_numpy(float)[inwin] if "pct_change_baseline" in v else np.full(len(pid), np.nan)
    # [1] §4.4.1: the best response is recorded up to progression; later calls do not count.
    first_pd = pd.Series(np.where(rank == _RANK["PD"], day, np.iinfo(np.int64).max)).groupby(pid, sort=False).transform("min")
    keep = day <= first_pd.to_numpy()
    pid, date, day, rank, has_start, pct = (a[keep] for a in (pid, date, day, rank, has_start, pct))

    achieved = np.full(len(rank), _RANK["NE"])
    if confirm:
        code = pd.factorize(pid)[0].astype(np.int64)
        key = code * _BIG + day
        cr = _confirmed(key, rank, {0}, {0, 6}, confirm_days)
        pr = _confirmed(key, rank, {0, 1}, {0, 1, 6}, confirm_days)
        achieved = np.where(cr, 0, np.where(pr, 1, achieved))
        sd_like = np.isin(rank, [0, 1, 2]) & ~cr & ~pr
    else:
        achieved = np.where(rank <= 1, rank, achieved)
        sd_like = rank == 2
    long_enough = np.ones(len(rank), bool) if min_sd_days is None else (has_start & (day >= min_sd_days))
    if min_sd_days is not None and (~has_start).any():
        notes.append(Note("SD duration not checkable without a treatment start date; SD not counted", int((~has_start).sum())))
    achieved = np.where(sd_like & long_enough, 2, achieved)
    achieved = np.where((rank == 3) & long_enough, 3, achieved)
    achieved = np.where(rank >= 4, rank, achieved)

    frame = pd.DataFrame({"patient_id": pid, "date": date, "achieved": achieved, "pct": pct})
    g = frame.groupby("patient_id", sort=False)
    best_rank = g["achieved"].min()
    frame["is_best"] = frame["achieved"].to_numpy() == frame["patient_id"].map(best_rank).to_numpy()
    best_date = frame.loc[frame["is_best"]].groupby("patient_id")["date"].min()
    first_resp = frame.loc[frame["achieved"] <= 1].groupby("patient_id")["date"].min()
    out = pd.DataFrame(index=patients)
    out.index.name = "patient_id"
    r = best_rank.reindex(patients).fillna(_RANK["NE"]).astype(int).to_numpy()
    out["best_response"] = pd.array((_ILABEL if irecist else _LABEL)[r], dtype="string")
    out["best_response_date"] = best_date.reindex(patients).where(r < _RANK["NE"])
    out["best_pct_change"] = g["pct"].min().reindex(patients)
    out["first_response_date"] = first_resp.reindex(patients)
    out["progression_date"] = prog.reindex(patients)
    out["treatment_start"] = start.reindex(patients).to_numpy("datetime64[ns]") if len(start) else pd.NaT
    out["n_assessments"] = g.size().reindex(patients).fillna(0).astype(int)
    out["best_response_rule"] = _rules(r, out["n_assessments"].to_numpy(), confirm, confirm_days, min_sd_days)
    return out.reset_index(), notes


def _confirmed(key: np.ndarray, rank: np.ndarray, starts: set[int], allowed: set[int], confirm_days: int) -> np.ndarray:
    """Rows starting a response (rank in ``starts``) confirmed by a later row of the same kind
    ≥ ``confirm_days`` later with only ``allowed`` ranks between ([1] §4.4.2).

    Vectorised with two binary searches on the sorted (patient, day) key: the first confirming row
    at or after key + confirm_days, and the first row breaking the run after the start; confirmed
    when the confirming row exists for the same patient and comes before the break.
    """
    is_start = np.isin(rank, list(starts))
    conf_keys = key[is_start]  # confirmers are the same ranks as starters
    brk_keys = key[~np.isin(rank, list(allowed))]
    j = np.searchsorted(conf_keys, key + confirm_days, side="left")
    conf = np.where(j < len(conf_keys), conf_keys[np.minimum(j, len(conf_keys) - 1)] if len(conf_keys) else 0, -1)
    b = np.searchsorted(brk_keys, key, side="right")
    brk = np.where(b < len(brk_keys), brk_keys[np.minimum(b, len(brk_keys) - 1)] if len(brk_keys) else 0, -1)
    same = lambda k: (k >= 0) & (k // _BIG == key // _BIG)  # noqa: E731 - one-line helper
    return is_start & same(conf) & (~same(brk) | (brk > conf))


def _progression_dates(pid: np.ndarray, date: np.ndarray, rank: np.ndarray) -> pd.Series:
    """First progression per patient; for iCPD the date of the first iUPD of its episode [2].

    An episode runs from an iUPD through further iUPD / NE calls to the iCPD; any CR, PR, SD or
    non-CR/non-PD call resets it. A segment id (cumulative count of resets and patient changes)
    groups each episode so its first iUPD date is a grouped minimum.
    """
    if len(pid) == 0:
        return pd.Series([], dtype="datetime64[ns]")
    new_patient = np.r_[True, pid[1:] != pid[:-1]]
    seg = np.cumsum(new_patient | (rank <= 3))
    upd = pd.Series(np.where(rank == _RANK["UPD"], date, np.datetime64("NaT")).astype("datetime64[ns]"))
    first_upd = upd.groupby(seg).transform("min").to_numpy("datetime64[ns]")
    is_pd = rank == _RANK["PD"]
    when = np.where(np.isnat(first_upd), date, np.minimum(first_upd, date))
    return pd.Series(when[is_pd], index=pid[is_pd]).groupby(level=0).min()


def _rules(rank: np.ndarray, n: np.ndarray, confirm: bool, confirm_days: int, min_sd_days: int | None) -> np.ndarray:
    conf = f" confirmed >= {confirm_days} days later" if confirm else " at a time point"
    sd = "" if min_sd_days is None else f" >= {min_sd_days} days after treatment start"
    text = np.array([f"CR{conf}", f"PR{conf}" + (" (CR or PR, then CR or PR)" if confirm else ""),
                     ("SD or unconfirmed response" if confirm else "SD") + sd, "non-CR/non-PD" + sd,
                     "progression, no earlier response or SD meeting its rule",
                     "unconfirmed progression (iUPD)",
                     "no assessment meeting a response, SD duration or PD rule"], dtype=object)
    out = text[rank]
    out[n == 0] = "no assessment after treatment start in the window"
    return out
