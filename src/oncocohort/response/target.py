"""Target lesions: the sum of diameters per visit and the target-lesion response.

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247. §4.3.1, §4.3.5 (missing
    measurements), Appendix I (lesions that disappear and reappear).
[2] Lencioni R, Llovet JM. mRECIST for HCC. Semin Liver Dis 2010;30:52–60. Table 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.response._grid import KEY, first_match, per_patient, per_visit
from oncocohort.response.check_lesions import measured_diameter
from oncocohort.response.criteria import ResponseCriteria

# Float tolerance for threshold comparisons in mm: 35 mm against a 50 mm baseline is exactly a 30 %
# decrease, but (35 - 50) / 50 * 100 is -30.000000000000004 in binary floating point.
_TOL = 1e-9


def derive_target_sum(lesions: pd.DataFrame, grid: pd.DataFrame, criteria: ResponseCriteria) -> pd.DataFrame:
    """Sum of target-lesion diameters per visit, its baseline, its nadir and the per cent changes.

    Rule ([1] §4.3.1; [2] Table 1): each target contributes its ``criteria.diameter`` (longest
    diameter for RECIST 1.1, viable diameter for mRECIST), a lymph node its short axis, and a
    target marked ``absent`` without a diameter 0 mm. A visit's
    ``target_sum_mm`` is defined only when every baseline target was measured; otherwise it is NaN
    and ``target_sum_assessed_mm`` keeps the partial sum ([1] §4.3.5). ``nadir_sum_mm`` is the
    smallest complete sum at any EARLIER visit, baseline included ([1] §4.3.1 "taking as reference
    the smallest sum on study"); at baseline it is the baseline sum.

    Returns a frame aligned to ``grid`` with ``n_targets, n_targets_assessed, target_sum_assessed_mm,
    target_sum_mm, baseline_sum_mm, nadir_sum_mm, pct_change_baseline, pct_change_nadir,
    all_targets_normal, any_target_abnormal``.
    """
    t = lesions.loc[lesions["lesion_type"].to_numpy() == "target", KEY + ["is_lymph_node", "is_baseline_visit"]]
    is_t = lesions["lesion_type"].to_numpy() == "target"
    m = measured_diameter(lesions, criteria)[is_t]
    # A target recorded "absent" without a diameter has disappeared: it counts as 0 mm ([1] §4.3.1).
    gone = (lesions.loc[is_t, "nontarget_status"] == "absent").fillna(False).to_numpy(bool)
    m = np.where(np.isnan(m) & gone, 0.0, m)
    node = t["is_lymph_node"].to_numpy(dtype=bool)
    # A node below 10 mm short axis is normal; a non-nodal target is normal only when gone ([1] §4.3.1).
    normal = np.where(node, m < criteria.node_normal_below_mm, m == 0)
    t = t.assign(m=m, assessed=~np.isnan(m), abnormal=~np.isnan(m) & ~normal, normal=~np.isnan(m) & normal)
    out = per_visit(grid, t, {"n_targets_assessed": ("assessed", "sum"), "target_sum_assessed_mm": ("m", "sum"),
                              "n_normal": ("normal", "sum"), "n_abnormal": ("abnormal", "sum")},
                    fill={"n_targets_assessed": 0, "n_normal": 0, "n_abnormal": 0})
    n_targets = t.loc[t["is_baseline_visit"].to_numpy()].groupby("patient_id").size()
    out.insert(0, "n_targets", per_patient(grid, n_targets).astype(int))
    has = out["n_targets"].to_numpy() > 0
    complete = has & (out["n_targets_assessed"].to_numpy() == out["n_targets"].to_numpy())
    partial = out["target_sum_assessed_mm"].to_numpy(float)
    partial[~has] = np.nan
    total = np.where(complete, partial, np.nan)
    out["target_sum_assessed_mm"] = partial
    out["target_sum_mm"] = total
    base = grid["is_baseline"].to_numpy()
    baseline_sum = pd.Series(total[base], index=grid.loc[base, "patient_id"].to_numpy())
    out["baseline_sum_mm"] = grid["patient_id"].map(baseline_sum).to_numpy(float)
    # Nadir = running minimum of complete sums, shifted one visit so that a visit is compared with
    # the smallest sum BEFORE it; incomplete visits never lower the nadir.
    pid = grid["patient_id"].to_numpy()
    running = pd.Series(np.where(np.isnan(total), np.inf, total)).groupby(pid, sort=False).cummin()
    nadir = running.groupby(pid, sort=False).shift(1).to_numpy(float)
    nadir = np.where(base, total, nadir)
    nadir[~np.isfinite(nadir)] = np.nan
    out["nadir_sum_mm"] = nadir
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_change_baseline"] = 100.0 * (total - out["baseline_sum_mm"].to_numpy()) / out["baseline_sum_mm"].to_numpy()
        # After a complete response the nadir is 0 and a per cent change over it is undefined.
        out["pct_change_nadir"] = np.where(nadir > 0, 100.0 * (total - nadir) / nadir, np.nan)
    out["all_targets_normal"] = complete & (out["n_normal"].to_numpy() == out["n_targets"].to_numpy())
    out["any_target_abnormal"] = out["n_abnormal"].to_numpy() > 0
    return out.drop(columns=["n_normal", "n_abnormal"])


def derive_target_response(sums: pd.DataFrame, grid: pd.DataFrame, criteria: ResponseCriteria) -> pd.DataFrame:
    """Target-lesion response per visit: CR, PR, SD, PD or NE ("none" without target disease).

    Steps, first match wins ([1] §4.3.1, §4.3.5; [2] Table 1):

    1. no target lesion at baseline → ``none``; the baseline visit itself → NA;
    2. PD: sum ≥ (1 + ``pd_increase_pct``/100) × nadir AND sum − nadir ≥ ``pd_min_increase_mm``
       (when set) — also on an incomplete visit whose partial sum already meets both, because the
       missing lesions can only add to it ([1] §4.3.5). Not when every target is normal (nodes
       below 10 mm are not pathological, so their growth is not progression);
    3. NE: a baseline target was not measured;
    4. CR: every non-nodal target gone (mRECIST: no viable, enhancing tumour [2]) and every node
       below ``node_normal_below_mm``;
    5. PR: sum ≤ (1 − ``pr_decrease_pct``/100) × baseline sum;
    6. SD otherwise.

    Reappearance after a complete response is :func:`flag_reappearance_after_cr`'s rule.
    Returns ``target_response`` and ``target_rule`` aligned to ``grid``.
    """
    s_full = sums["target_sum_mm"].to_numpy(float)
    s_part = sums["target_sum_assessed_mm"].to_numpy(float)
    nadir = sums["nadir_sum_mm"].to_numpy(float)
    base = sums["baseline_sum_mm"].to_numpy(float)
    has = sums["n_targets"].to_numpy() > 0
    complete = ~np.isnan(s_full)
    normal = sums["all_targets_normal"].to_numpy(bool)

    def progressed(s: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            rel = (s >= nadir * (1 + criteria.pd_increase_pct / 100) - _TOL) & (s > nadir)
            if criteria.pd_min_increase_mm is not None:
                rel &= s - nadir >= criteria.pd_min_increase_mm - _TOL
        return rel & ~np.isnan(s)

    pd_full = complete & progressed(s_full) & ~normal
    pd_part = ~complete & progressed(s_part)
    with np.errstate(invalid="ignore"):
        pr = complete & (s_full <= base * (1 - criteria.pr_decrease_pct / 100) + _TOL)
    abs_txt = "" if criteria.pd_min_increase_mm is None else f" and >= {criteria.pd_min_increase_mm:g} mm"
    conds = [grid["is_baseline"].to_numpy(), ~has, pd_full, pd_part, ~complete, normal, pr]
    calls = ["", "none", "PD", "PD", "NE", "CR", "PR"]  # "" (baseline) becomes NA below
    rules = ["baseline", "no target lesion at baseline",
             f"sum >= {criteria.pd_increase_pct:g}% over nadir{abs_txt}",
             f"partial sum already >= {criteria.pd_increase_pct:g}% over nadir{abs_txt}",
             "not every target lesion measured",
             f"all targets gone (nodes < {criteria.node_normal_below_mm:g} mm)",
             f"sum <= -{criteria.pr_decrease_pct:g}% from baseline"]
    response, rule = first_match(conds, calls, rules, "SD", "neither PR nor PD")
    return pd.DataFrame({
        "target_response": response,
        "target_rule": rule,
    })
