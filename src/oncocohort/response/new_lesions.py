"""New lesions per visit, with mRECIST's rule for new intrahepatic nodules.

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247. §4.3.3 (new lesions).
[2] Lencioni R, Llovet JM. mRECIST for HCC. Semin Liver Dis 2010;30:52–60. "Assessment of new
    lesions": a new hepatic nodule is HCC (hence progression) when its longest diameter is ≥ 1 cm
    and it shows the typical vascular pattern (arterial hyperenhancement with portal-venous or late
    washout); a ≥ 1 cm nodule without the typical pattern is HCC once it shows ≥ 1 cm interval growth.
[3] Seymour L, et al. iRECIST. Lancet Oncol 2017;18:e143–e152 (new lesions are measured and summed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.response._grid import KEY, per_visit
from oncocohort.response.criteria import ResponseCriteria


def flag_new_lesions(lesions: pd.DataFrame, grid: pd.DataFrame, criteria: ResponseCriteria) -> pd.DataFrame:
    """Whether an unequivocal new lesion is present at each visit, how many, and their summed size.

    Steps:

    1. a ``new`` row is present unless marked absent or measured 0 in every diameter; a row with
       nothing recorded still documents a new lesion and counts as present;
    2. its size is the short axis for a node, else the longest diameter (the viable diameter when
       the longest is empty);
    3. RECIST 1.1 / iRECIST: every present new lesion counts ([1] §4.3.3). mRECIST, for a lesion
       whose ``site`` is intrahepatic: it counts from the first visit where its size is
       ≥ ``new_intrahepatic_min_mm`` AND it is typical of HCC (``typical_hcc_pattern`` true), or it
       has grown by ≥ ``new_intrahepatic_min_mm`` since first seen [2]; an unknown pattern counts
       as atypical. Once counted it keeps counting while present;
    4. per visit: ``new_lesion`` (any counted), ``new_lesion_count``, ``new_lesion_sum_mm`` (sum
       of the measured sizes of counted lesions, used by iRECIST's confirmation [3]) and
       ``n_new_not_counted`` (present intrahepatic nodules that do not yet meet [2]).
    """
    cols = KEY + ["lesion_id", "site", "is_lymph_node", "nontarget_status", "typical_hcc_pattern",
                  "longest_diameter_mm", "short_axis_mm", "viable_diameter_mm"]
    new = lesions.loc[lesions["lesion_type"].to_numpy() == "new", cols]
    new = new.sort_values(["patient_id", "lesion_id", "visit_date"], kind="stable")
    diam = new[["longest_diameter_mm", "short_axis_mm", "viable_diameter_mm"]].to_numpy(float)
    all_zero = np.all(np.nan_to_num(diam, nan=0.0) == 0, axis=1) & ~np.all(np.isnan(diam), axis=1)
    present = ~(new["nontarget_status"] == "absent").fillna(False).to_numpy(bool) & ~all_zero
    size = np.where(new["is_lymph_node"].to_numpy(bool), diam[:, 1], np.where(np.isnan(diam[:, 0]), diam[:, 2], diam[:, 0]))
    counted = present.copy()
    if criteria.new_intrahepatic_min_mm is not None:
        lim = criteria.new_intrahepatic_min_mm
        liver = new["site"].isin(criteria.intrahepatic_sites).fillna(False).to_numpy(bool)
        lesion_key = [new["patient_id"].to_numpy(), new["lesion_id"].to_numpy()]
        first_size = pd.Series(size, index=new.index).groupby(lesion_key, sort=False).transform("first").to_numpy()
        typical = new["typical_hcc_pattern"].fillna(False).to_numpy(bool)
        with np.errstate(invalid="ignore"):
            qualifies = present & (size >= lim) & (typical | (size - first_size >= lim))
        # Once a nodule has met [2] it is HCC; later visits keep counting it while it is present.
        ever = pd.Series(qualifies, index=new.index).groupby(lesion_key, sort=False).cummax().to_numpy(bool)
        counted = np.where(liver, present & ever, present)
    new = new.assign(counted=counted, not_counted=present & ~counted,
                     counted_size=np.where(counted, size, np.nan))
    out = per_visit(grid, new, {"new_lesion_count": ("counted", "sum"), "n_new_not_counted": ("not_counted", "sum"),
                                "new_lesion_sum_mm": ("counted_size", "sum")},
                    fill={"new_lesion_count": 0, "n_new_not_counted": 0, "new_lesion_sum_mm": 0.0})
    count = out["new_lesion_count"].to_numpy(int)
    not_counted = out["n_new_not_counted"].to_numpy(int)
    rule = np.where(count > 0, "new lesion(s) present", "no new lesion")
    if criteria.new_intrahepatic_min_mm is not None:
        rule = np.where((count == 0) & (not_counted > 0),
                        f"new intrahepatic nodule(s) not meeting mRECIST (>= {criteria.new_intrahepatic_min_mm:g} mm "
                        "and typical pattern, or interval growth)", rule)
    base = grid["is_baseline"].to_numpy()
    return pd.DataFrame({
        "new_lesion": (count > 0) & ~base,
        "new_lesion_count": count,
        "new_lesion_sum_mm": out["new_lesion_sum_mm"].to_numpy(float),
        "n_new_not_counted": not_counted,
        "new_lesion_rule": np.where(base, "baseline", rule),
    })
