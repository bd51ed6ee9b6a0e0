"""Overall time-point response from the criteria's combination table, and reappearance after CR.

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247. §4.3.4 Tables 1–2; Appendix I
    ("lesions that disappear and reappear": after a complete response, reappearance is PD).
[2] Lencioni R, Llovet JM. mRECIST for HCC. Semin Liver Dis 2010;30:52–60. Table 3.
[3] EORTC RECIST working group FAQ, "Does a new lesion always result in PD?": reappearance is PD
    when CR (overall) was assigned at the previous assessment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.response._grid import first_match
from oncocohort.response.criteria import NONTARGET_CATEGORIES, TARGET_CATEGORIES, ResponseCriteria


def derive_overall_response(visits: pd.DataFrame, criteria: ResponseCriteria) -> pd.DataFrame:
    """Overall time-point response by the criteria's combination table ([1] Tables 1–2; [2] Table 3).

    ``visits`` needs ``is_baseline, target_response, nontarget_response, new_lesion``. The rows of
    ``criteria.overall_table`` are tried in order and the first match gives the response and the
    rule (its table row), so the PD rows ("any" target / non-target with PD, or a new lesion)
    dominate. The baseline visit gets NA. Returns ``overall_response`` and ``overall_rule``.
    """
    # Categories become small integer codes once; each table row is then a lookup in a boolean
    # vector indexed by code, instead of a string comparison per row of the visits table.
    t_cats, nt_cats = list(TARGET_CATEGORIES), list(NONTARGET_CATEGORIES)
    target = pd.Categorical(visits["target_response"], categories=t_cats).codes
    nontarget = pd.Categorical(visits["nontarget_response"], categories=nt_cats).codes
    new = visits["new_lesion"].to_numpy(dtype=bool).astype(np.intp)
    base = visits["is_baseline"].to_numpy(dtype=bool)
    conds = [base]
    calls = [""]  # "" (baseline) becomes NA below
    rules = ["baseline"]
    for row in criteria.overall_table:
        # code -1 (missing) indexes the appended False
        t_ok = np.array([c in row.target for c in t_cats] + [False])
        nt_ok = np.array([c in row.nontarget for c in nt_cats] + [False])
        new_ok = np.array([False in row.new_lesion, True in row.new_lesion])
        conds.append(t_ok[target] & nt_ok[nontarget] & new_ok[new])
        calls.append(row.response)
        rules.append(row.source)
    response, rule = first_match(conds, calls, rules, "", "no table row matched")
    return pd.DataFrame({
        "overall_response": response,
        "overall_rule": rule,
    })


def flag_reappearance_after_cr(visits: pd.DataFrame, criteria: ResponseCriteria) -> pd.DataFrame:
    """Progression by reappearance of disease after a complete response ([1] Appendix I; [3]).

    A lesion that disappeared and reappears is PD when the previous assessed (not NE) overall
    response was CR; otherwise it is simply measured again and added to the sum ([1]). Steps:
    (1) the overall response without this rule and without new lesions; (2) per patient, the last non-NE post-baseline call
    before each visit (forward fill, then shift one visit); (3) where it was CR, a target lesion no
    longer normal makes the target response PD and a non-target lesion present makes the
    non-target response PD. "CR" in step (1) is the CR of the baseline disease (targets and
    non-targets), new lesions aside. Returns ``visits`` with ``target_response``/``nontarget_response`` and
    their rules updated.
    """
    # New lesions are left out of step (1): they are PD in their own right, and leaving them out
    # keeps this rule about the baseline disease only (a new lesion then never changes later calls).
    first = derive_overall_response(visits.assign(new_lesion=False), criteria)["overall_response"]
    pid = visits["patient_id"].to_numpy()
    evaluable = first.where(first != "NE")  # NA at NE visits and at baseline
    evaluable = evaluable.where(~visits["is_baseline"].to_numpy(bool), "BASELINE")
    last = evaluable.groupby(pid, sort=False).ffill().groupby(pid, sort=False).shift(1)
    prev_cr = (last == "CR").fillna(False).to_numpy(bool)
    target_back = prev_cr & visits["any_target_abnormal"].to_numpy(bool)
    nontarget_back = prev_cr & visits["any_nontarget_present"].to_numpy(bool)
    out = visits.copy()
    rule = "reappearance after CR"
    out["target_response"] = out["target_response"].mask(target_back, "PD")
    out["target_rule"] = np.where(target_back, rule, out["target_rule"])
    out["nontarget_response"] = out["nontarget_response"].mask(nontarget_back, "PD")
    out["nontarget_rule"] = np.where(nontarget_back, rule, out["nontarget_rule"])
    return out
