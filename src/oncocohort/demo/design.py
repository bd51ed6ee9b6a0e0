"""The published design of seed 001 (ICIs ± MWA, Wei et al., Oncol Lett 2026; NCT06581497) as data.

Only the *exact* figures live here (Tables I, II and V, discontinuation, the screening window): the
generator reproduces them for every seed by permuting these counts over patients. The approximate
survival figures (medians, p-values, HRs) are *not* inputs of the generator: they are calibration
targets, listed in :data:`SURVIVAL_TARGETS` for the calibration script and the tests only.

Arm order is (``ici``, ``ici_mwa``) everywhere: ICIs alone (n = 31), ICIs + MWA (n = 21).
"""

from __future__ import annotations

import datetime as dt

ARMS: tuple[str, str] = ("ici", "ici_mwa")
N_PER_ARM: dict[str, int] = {"ici": 31, "ici_mwa": 21}

SCREENING_START = dt.date(2022, 1, 3)
SCREENING_END = dt.date(2024, 1, 31)
DATA_CUTOFF = dt.date(2025, 6, 30)

#: Table I: level -> (count in ici, count in ici_mwa). Cut-derived groups are listed by their
#: protocol labels; the generator draws the continuous value inside the group's interval.
TABLE_I: dict[str, dict[str, tuple[int, int]]] = {
    "sex": {"male": (26, 20), "female": (5, 1)},
    "ecog": {"0": (13, 12), "1": (18, 9)},
    "hbsag": {"negative": (3, 3), "positive": (28, 18)},
    "hcv_ab": {"negative": (28, 18), "positive": (3, 3)},
    "afp_group": {"<400 ng/ml": (13, 6), "≥400 ng/ml": (18, 15)},
    "cnlc_stage": {"IIa": (5, 3), "IIb": (12, 7), "IIIb": (14, 11)},
    "bilirubin_group": {"≤20 µmol/l": (13, 9), ">20 µmol/l": (18, 12)},
    "alt_group": {"<50 U/l": (17, 8), "≥50 U/l": (14, 13)},
    "tumour_count_group": {"1": (23, 15), "2–3": (8, 6)},
}

#: Table I age rows: median (range) and the <65 / ≥65 split. Integer ages; see ``exact_ages``.
AGE: dict[str, dict[str, int]] = {
    "ici": {"median": 59, "min": 48, "max": 71, "below_65": 21},
    "ici_mwa": {"median": 58, "min": 47, "max": 69, "below_65": 15},
}

#: Table II best overall response (mRECIST), per arm.
TABLE_II: dict[str, dict[str, int]] = {
    "ici": {"CR": 1, "PR": 2, "SD": 13, "PD": 13, "NE": 2},
    "ici_mwa": {"CR": 2, "PR": 4, "SD": 11, "PD": 3, "NE": 1},
}

#: Table V: reporting group -> arm -> (any grade, grade 3–4). No grade 5 events.
TABLE_V: dict[str, dict[str, tuple[int, int]]] = {
    "Fatigue": {"ici_mwa": (0, 0), "ici": (2, 0)},
    "Transaminitis": {"ici_mwa": (7, 7), "ici": (11, 0)},
    "Fever": {"ici_mwa": (4, 0), "ici": (2, 0)},
    "Diarrhea": {"ici_mwa": (8, 0), "ici": (13, 0)},
    "Pneumonitis": {"ici_mwa": (4, 0), "ici": (2, 0)},
    "Hyperbilirubinemia": {"ici_mwa": (18, 5), "ici": (20, 3)},
    "Hypothyroidism": {"ici_mwa": (0, 0), "ici": (2, 0)},
    "Pruritus": {"ici_mwa": (2, 0), "ici": (11, 0)},
    "Rash": {"ici_mwa": (2, 0), "ici": (11, 0)},
    "Hyperthyroidism": {"ici_mwa": (0, 0), "ici": (1, 0)},
    "Hypoalbuminemia": {"ici_mwa": (13, 0), "ici": (11, 0)},
    "Nausea": {"ici_mwa": (0, 0), "ici": (1, 0)},
}

#: Treatment discontinuation (treatments.stop_reason of the ICI row), per arm.
DISCONTINUATION: dict[str, dict[str, int]] = {
    "ici": {"toxicity": 5, "progression": 19},
    "ici_mwa": {"toxicity": 3, "progression": 11},
}

#: Approximate targets (calibration only; never read by the generator) with the tolerance the demo
#: meets on its bundled seed: months for medians.
SURVIVAL_TARGETS: dict[str, float] = {
    "os_median_ici": 11.0, "os_median_ici_mwa": 16.8, "os_median_overall": 15.1,
    "pfs_median_ici": 4.0, "pfs_median_ici_mwa": 9.0, "pfs_median_overall": 6.0,
}
TOLERANCE_ARM_MONTHS = 0.5
TOLERANCE_OVERALL_MONTHS = 1.0
LOGRANK_P_MAX = {"os": 0.05, "pfs": 0.001}
