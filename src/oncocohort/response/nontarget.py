"""Non-target lesions: the non-target response per visit.

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247. §4.3.2 and §4.3.5.
[2] Lencioni R, Llovet JM. mRECIST for HCC. Semin Liver Dis 2010;30:52–60. Table 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.response._grid import KEY, first_match, per_patient, per_visit


def derive_nontarget_response(lesions: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Non-target response per visit: CR, NON-CR/NON-PD, PD or NE ("none" without non-target disease).

    Each baseline non-target lesion is judged by ``nontarget_status``; where the status is empty a
    recorded diameter decides (0 = absent, > 0 = present); with neither it was not assessed.
    Steps, first match wins ([1] §4.3.2; [2] Table 2, where non-CR/non-PD is called IR/SD):

    1. no non-target lesion at baseline → ``none``; the baseline visit → NA;
    2. PD: any lesion in unequivocal progression (even if others were not assessed, [1] §4.3.5);
    3. NE: a baseline non-target lesion was not assessed;
    4. CR: every non-target lesion absent (for mRECIST: no intratumoural enhancement);
    5. NON-CR/NON-PD otherwise (persistence of one or more).

    Returns ``n_nontargets, n_nontargets_progressing, any_nontarget_present, nontarget_response,
    nontarget_rule`` aligned to ``grid``.
    """
    is_nt = lesions["lesion_type"].to_numpy() == "non-target"
    nt = lesions.loc[is_nt, KEY + ["is_baseline_visit", "nontarget_status", "longest_diameter_mm",
                                   "short_axis_mm", "viable_diameter_mm"]]
    status = nt["nontarget_status"].fillna("").to_numpy(dtype=str)
    size = nt[["longest_diameter_mm", "short_axis_mm", "viable_diameter_mm"]].max(axis=1).to_numpy(float)
    no_status = status == ""
    absent = np.where(no_status, size == 0, status == "absent").astype(bool)
    up = ~no_status & (status == "unequivocal progression")
    assessed = ~no_status | ~np.isnan(size)
    nt = nt.assign(assessed=assessed, absent=absent & assessed, up=up, present=assessed & ~absent)
    out = per_visit(grid, nt, {"n_assessed": ("assessed", "sum"), "n_absent": ("absent", "sum"),
                               "n_nontargets_progressing": ("up", "sum"), "n_present": ("present", "sum")},
                    fill={"n_assessed": 0, "n_absent": 0, "n_nontargets_progressing": 0, "n_present": 0})
    n_nt = nt.loc[nt["is_baseline_visit"].to_numpy()].groupby("patient_id").size()
    n = per_patient(grid, n_nt).astype(int)
    any_up = out["n_nontargets_progressing"].to_numpy() > 0
    all_assessed = out["n_assessed"].to_numpy() >= n
    all_absent = all_assessed & (out["n_absent"].to_numpy() >= n)
    conds = [grid["is_baseline"].to_numpy(), n == 0, any_up, ~all_assessed, all_absent]
    calls = ["", "none", "PD", "NE", "CR"]  # "" (baseline) becomes NA below
    rules = ["baseline", "no non-target lesion at baseline", "unequivocal progression",
             "not every non-target lesion assessed", "all non-target lesions absent"]
    response, rule = first_match(conds, calls, rules, "NON-CR/NON-PD", "persistence of one or more lesions")
    return pd.DataFrame({
        "n_nontargets": n,
        "n_nontargets_progressing": out["n_nontargets_progressing"].to_numpy(int),
        "any_nontarget_present": out["n_present"].to_numpy() > 0,
        "nontarget_response": response,
        "nontarget_rule": rule,
    })
