"""Screened patients of the seed-001 demo who are not analysed, each for a stated protocol reason.

Eight screen failures make the flow diagram real (the paper reports only the 52 analysed):

=====  ==========================================================  ============================
 #     record                                                      first failed criterion
=====  ==========================================================  ============================
 1     5 progressing lesions                                       limited_progression
 2     largest lesion 6.3 cm                                       largest_lesion
 3     portal vein tumour thrombus (macrovascular invasion "yes")  no_macrovascular_invasion
 4     PD-L1 inhibitor                                             pd1_based_ici
 5     alive, last contact 18 days after treatment start           sufficient_follow_up
 6     4 progressing lesions *and* largest lesion 5.6 cm           limited_progression (+ largest_lesion)
 7     CNLC stage not recorded (a missing value fails)             cnlc_stage
 8     screened, never allocated (empty arm, no treatment)         not_allocated
=====  ==========================================================  ============================

They have a patients row only (no imaging, events or labs were abstracted for them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from oncocohort.demo.design import DATA_CUTOFF, SCREENING_END, SCREENING_START

FAILURES: tuple[dict[str, Any], ...] = (
    {"arm": "ici", "n_progressing_lesions": 5.0},
    {"arm": "ici_mwa", "largest_lesion_cm": 6.3},
    {"arm": "ici", "macrovascular_invasion": "yes"},
    {"arm": "ici", "ici_class": "PD-L1"},
    {"arm": "ici_mwa", "follow_up_days": 18},
    {"arm": "ici", "n_progressing_lesions": 4.0, "largest_lesion_cm": 5.6},
    {"arm": "ici", "cnlc_stage": None},
    {"arm": None},
)


def screen_failures(rng: np.random.Generator, first_index: int) -> pd.DataFrame:
    """The eight screened, non-analysed patients (temporary ids ``first_index`` …)."""
    k = len(FAILURES)
    window = (SCREENING_END - SCREENING_START).days
    start = np.datetime64(SCREENING_START, "D") + rng.integers(14, window + 1, k).astype("timedelta64[D]")
    cutoff = np.datetime64(DATA_CUTOFF, "D")
    death_offset = rng.integers(120, 700, k)
    dies = rng.random(k) < 0.6
    rows = []
    for i, spec in enumerate(FAILURES):  # eight fixed records
        allocated = spec["arm"] is not None
        death = start[i] + np.timedelta64(int(death_offset[i]), "D") if dies[i] else None
        if death is not None and death > cutoff:
            death = None
        last = death if death is not None else cutoff - np.timedelta64(int(rng.integers(0, 30)), "D")
        if "follow_up_days" in spec:
            death, last = None, start[i] + np.timedelta64(int(spec["follow_up_days"]), "D")
        n_lesions = float(rng.integers(1, 4))
        rows.append({
            "patient_id": str(first_index + i), "arm": spec["arm"],
            "treatment_start_date": start[i] if allocated else None,
            "death_date": death if allocated else None,
            "last_contact_date": last if allocated else start[i],
            "progression_date": None, "best_response": None,
            "diagnosis_date": start[i] - np.timedelta64(int(rng.integers(180, 1100)), "D"),
            "age": float(rng.integers(47, 76)), "sex": "male" if rng.random() < 0.85 else "female",
            "ecog": str(int(rng.random() < 0.5)), "hbsag": "positive" if rng.random() < 0.85 else "negative",
            "hcv_ab": "positive" if rng.random() < 0.1 else "negative",
            "afp": float(np.round(np.exp(rng.uniform(np.log(3), np.log(20000))), 1)),
            "cnlc_stage": spec.get("cnlc_stage", ["IIa", "IIb", "IIIb"][int(rng.integers(0, 3))]),
            "total_bilirubin": float(np.round(rng.uniform(6, 50), 1)), "alt": float(np.round(rng.uniform(12, 150))),
            "active_tumours": min(n_lesions, 3.0),
            "n_progressing_lesions": spec.get("n_progressing_lesions", n_lesions),
            "largest_lesion_cm": spec.get("largest_lesion_cm", float(np.round(rng.uniform(1.5, 5.0), 1))),
            "macrovascular_invasion": spec.get("macrovascular_invasion", "no"),
            "ici_class": spec.get("ici_class", "PD-1"),
        })
    out = pd.DataFrame(rows)
    for col in ("treatment_start_date", "death_date", "last_contact_date", "progression_date", "diagnosis_date"):
        out[col] = pd.to_datetime(out[col])
    return out
