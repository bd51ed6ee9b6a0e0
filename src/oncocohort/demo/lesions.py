"""Lesion measurements per imaging visit, built so that the response engine derives the intended calls.

For each patient the generator first plans the *target-sum ratio* r_k = sum_k / sum_baseline at
every follow-up scan (vectorised over patients, one loop over scan columns), with margins around
every threshold of RECIST 1.1 / mRECIST (PR ≤ −30 % from baseline, PD ≥ +20 % over the nadir):

* SD: 0.78 ≤ r_k ≤ 1.08 and r_k ≤ 1.10 × nadir (never PR, never PD before the PD scan);
* PR: r_1 in [0.45, 0.65], then ≤ 0.66 and ≤ 1.10 × nadir; CR: every target's measure 0 (from
  scan 1, or from scan 2 after a PR when two scans precede progression); no non-target lesions;
* PD scan (best response PD: the first scan; otherwise the documented progression): the sum grows
  to 1.3–1.7 × the nadir (and by ≥ 6 mm, for RECIST 1.1's 5 mm rule), or — always after a CR, and
  for 30 % of the others — a new lesion appears (intrahepatic ≥ 12 mm with the typical HCC
  pattern, mRECIST's rule for counting a new liver lesion, or extrahepatic);
* NE: the first follow-up scan is not assessable (the measure is left empty) and imaging stops.

The plan's sum is then split over 1–3 target lesions (log-normal weights, exact sums before
rounding to 0.1 mm). mRECIST studies record the viable (enhancing) diameter as the measure and a
longest diameter that stays near baseline; RECIST 1.1 studies record the longest diameter only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.demo.model import Timeline

OTHER_SITES = np.array(["lung", "adrenal", "peritoneum"], dtype=object)
NONTARGET_SITES = np.array(["lung", "bone", "peritoneum"], dtype=object)


def _obj_where(condition: np.ndarray, yes: object, no: object) -> np.ndarray:
    """``np.where`` for object values (True / None / text), keeping the object dtype."""
    return np.where(condition, np.asarray(yes, dtype=object), np.asarray(no, dtype=object))


def plan_ratios(rng: np.random.Generator, tl: Timeline, sum0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Target-sum ratios at the scheduled scans (n × K), at the PD visit (n,), and the new-lesion flag.

    ``sum0`` is each patient's baseline target sum (mm), for the absolute part of the PD rule.
    """
    n, k_max = tl.scan_days.shape
    resp = tl.response
    ratio = np.full((n, k_max), np.nan)
    nadir = np.ones(n)
    cr_from = np.where((resp == "CR") & (tl.n_scans >= 2) & (rng.random(n) < 0.5), 1, 0)
    for k in range(k_max):  # loop over scan columns (vectorised over patients)
        noise = np.exp(rng.normal(0.0, 0.05, n))
        prev = ratio[:, k - 1] if k else np.ones(n)
        sd = np.clip(prev * noise if k else rng.uniform(0.82, 1.05, n), 0.78, np.minimum(1.08, 1.10 * nadir))
        pr = np.clip(prev * noise * 0.97 if k else rng.uniform(0.45, 0.65, n), 0.15, np.minimum(0.66, 1.10 * nadir))
        cr = np.where(k >= cr_from, 0.0, rng.uniform(0.4, 0.6, n))
        r = np.select([resp == "SD", resp == "PR", resp == "CR"], [sd, pr, cr], np.nan)
        ratio[:, k] = np.where(k < tl.n_scans, r, np.nan)
        nadir = np.where(np.isnan(ratio[:, k]), nadir, np.minimum(nadir, np.nan_to_num(ratio[:, k], nan=1.0)))
    new_lesion = tl.progressed & ((resp == "CR") | (rng.random(n) < 0.3))
    last = np.where(tl.n_scans > 0, ratio[np.arange(n), np.clip(tl.n_scans - 1, 0, None)], 1.0)
    last = np.where(np.isnan(last), 1.0, last)
    grow = np.maximum(nadir * rng.uniform(1.3, 1.7, n), nadir + 6.0 / sum0)
    pd_ratio = np.where(tl.progressed, np.where(new_lesion, last, grow), np.nan)
    return ratio, pd_ratio, new_lesion


def build_lesions(rng: np.random.Generator, tl: Timeline, patient_id: np.ndarray, start_date: np.ndarray,
                  baseline_day: np.ndarray, n_targets: np.ndarray, *, criteria: str) -> pd.DataFrame:
    """The ``lesions`` table (template columns) of the analysed patients.

    ``start_date`` is each patient's treatment start (datetime64[D]); visit days are relative to it,
    ``baseline_day`` < 0. ``criteria`` is "mrecist" (viable diameters) or "recist1.1".
    """
    n, k_max = tl.scan_days.shape
    mrecist = criteria == "mrecist"

    # Baseline target lesions: 1–3 per patient, largest ≤ 50 mm.
    t_pid = np.repeat(np.arange(n), n_targets)
    t_num = np.arange(t_pid.size) - np.repeat(np.cumsum(n_targets) - n_targets, n_targets) + 1
    longest0 = np.round(rng.uniform(14.0, 50.0, t_pid.size), 1)
    measure0 = np.round(longest0 * rng.uniform(0.8, 1.0, t_pid.size), 1) if mrecist else longest0
    liver = rng.random(t_pid.size) < 0.75
    site = np.where(liver, "liver", OTHER_SITES[rng.integers(0, 3, t_pid.size)])
    sum0 = np.bincount(t_pid, weights=measure0, minlength=n)
    ratio, pd_ratio, new_lesion = plan_ratios(rng, tl, sum0)

    # Visits (long): baseline, scheduled scans, the PD visit.
    ii, kk = np.nonzero(np.arange(k_max)[None, :] < tl.n_scans[:, None])
    prog = np.flatnonzero(tl.progressed)
    v_pid = np.r_[np.arange(n), ii, prog]
    v_day = np.r_[baseline_day, tl.scan_days[ii, kk], tl.progression_day[prog]].astype(np.int64)
    v_ratio = np.r_[np.ones(n), ratio[ii, kk], pd_ratio[prog]]
    v_kind = np.r_[np.zeros(n, int), np.ones(ii.size, int), np.full(prog.size, 2)]  # 0 base, 1 scan, 2 PD
    ne_visit = (tl.response[v_pid] == "NE") & (v_kind == 1)

    # Target rows: every visit x every target of that patient.
    per_visit = n_targets[v_pid]
    rv = np.repeat(np.arange(v_pid.size), per_visit)                    # visit row of each lesion row
    first_target = np.r_[0, np.cumsum(n_targets)[:-1]]
    rt = first_target[v_pid[rv]] + (np.arange(rv.size) - np.repeat(np.cumsum(per_visit) - per_visit, per_visit))
    w = measure0[rt] * np.exp(rng.normal(0.0, 0.08, rv.size))
    w = np.where(v_kind[rv] == 0, measure0[rt], w)
    wsum = np.bincount(rv, weights=w, minlength=v_pid.size)
    value = np.round(w / wsum[rv] * sum0[v_pid[rv]] * v_ratio[rv], 1)
    value = np.where(ne_visit[rv], np.nan, value)
    other = np.round(np.maximum(np.nan_to_num(value), longest0[rt] * rng.uniform(0.9, 1.05, rv.size)), 1)
    other = np.where(v_kind[rv] == 0, longest0[rt], other)  # baseline: the recorded size (largest ≤ 50 mm)
    targets = pd.DataFrame({
        "pid": v_pid[rv], "day": v_day[rv], "lesion_id": np.char.add("T", t_num[rt].astype(str)),
        "lesion_type": "target", "site": site[rt],
        "longest_diameter_mm": other if mrecist else value,
        "viable_diameter_mm": value if mrecist else np.nan,
        "nontarget_status": None, "typical_hcc_pattern": _obj_where(liver[rt], True, None),
    })
    if not mrecist:
        targets["longest_diameter_mm"] = np.where(ne_visit[rv], np.nan, targets["longest_diameter_mm"])

    # One non-target lesion for 40 % of the patients who never reach CR; present at every visit.
    has_nt = (tl.response != "CR") & (rng.random(n) < 0.4)
    nv = has_nt[v_pid]
    nt_site = NONTARGET_SITES[rng.integers(0, 3, n)]
    nontargets = pd.DataFrame({
        "pid": v_pid[nv], "day": v_day[nv], "lesion_id": "NT1", "lesion_type": "non-target",
        "site": nt_site[v_pid[nv]], "longest_diameter_mm": np.nan, "viable_diameter_mm": np.nan,
        "nontarget_status": _obj_where(ne_visit[nv], None, "present"), "typical_hcc_pattern": None,
    })

    # New lesion at the PD visit.
    pn = prog[new_lesion[prog]]
    new_liver = rng.random(pn.size) < 0.6
    size = np.round(rng.uniform(12.0, 30.0, pn.size), 1)
    new = pd.DataFrame({
        "pid": pn, "day": tl.progression_day[pn].astype(np.int64), "lesion_id": "N1", "lesion_type": "new",
        "site": np.where(new_liver, "liver", "lung"), "longest_diameter_mm": size,
        "viable_diameter_mm": size if mrecist else np.nan, "nontarget_status": None,
        "typical_hcc_pattern": _obj_where(new_liver, True, None),
    })

    out = pd.concat([targets, nontargets, new], ignore_index=True)
    out["visit_date"] = (start_date[out["pid"].to_numpy()] + out["day"].to_numpy().astype("timedelta64[D]"))
    out["patient_id"] = patient_id[out["pid"].to_numpy()]
    out["is_baseline"] = out["day"] < 0
    out["is_lymph_node"] = False
    out["short_axis_mm"] = np.nan
    out = out.sort_values(["pid", "day", "lesion_type", "lesion_id"], kind="stable")
    cols = ["patient_id", "visit_date", "lesion_id", "lesion_type", "site", "is_lymph_node", "longest_diameter_mm",
            "short_axis_mm", "viable_diameter_mm", "nontarget_status", "is_baseline", "typical_hcc_pattern"]
    return out[cols].reset_index(drop=True)
