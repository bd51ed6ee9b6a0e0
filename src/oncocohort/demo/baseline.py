"""Baseline characteristics of the seed-001 demo cohort with Table I's counts exact for every seed.

Each categorical row of Table I is a multiset of levels per arm, permuted over the arm's patients
(rows are permuted independently: the joint distribution is random, the margins are exact).
Continuous variables with a protocol cut-point are drawn inside their group's interval, so the
derived group reproduces the count: AFP log-uniform in [2, 400) or [400, 60 000] ng/ml, total
bilirubin uniform in [6, 20] or [20.1, 60] µmol/l, ALT in [12, 49.9] or [50, 180] U/l, active
tumours 1 or 2–3. Ages are integers built from the published median, range and <65 / ≥65 split
(see :func:`exact_ages`), which also gives the overall median 58.5 (range 47–71).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.demo._sampling import exact_labels, log_uniform
from oncocohort.demo.design import AGE, ARMS, N_PER_ARM, TABLE_I


def exact_ages(rng: np.random.Generator, n: int, *, median: int, low: int, high: int, below_65: int) -> np.ndarray:
    """Integer ages (n odd) with the given median, minimum, maximum and number below 65, shuffled.

    Sorted, the ages are: ``low`` then n//2 − 1 values in [low, median − 1]; the median; values in
    [median + 1, 64] up to ``below_65``; values in [65, high − 1] and finally ``high``.
    """
    m = n // 2
    below = np.r_[low, rng.integers(low, median, m - 1)]
    middle = rng.integers(median + 1, 65, below_65 - m - 1)
    old = np.r_[rng.integers(65, high, n - below_65 - 1), high]
    ages = np.r_[below, median, middle, old].astype(float)
    return ages[rng.permutation(n)]


def _draw_in_group(rng: np.random.Generator, groups: np.ndarray, intervals: dict[str, tuple[float, float]],
                   *, log: bool = False, decimals: int = 1) -> np.ndarray:
    labels = pd.Series(groups)
    lo = labels.map({g: v[0] for g, v in intervals.items()}).to_numpy(float)
    hi = labels.map({g: v[1] for g, v in intervals.items()}).to_numpy(float)
    x = log_uniform(rng, lo, hi, groups.size) if log else rng.uniform(lo, hi, groups.size)
    return np.clip(np.round(x, decimals), lo, hi)


AFP_INTERVALS = {"<400 ng/ml": (2.0, 399.0), "≥400 ng/ml": (400.0, 60000.0)}
BILIRUBIN_INTERVALS = {"≤20 µmol/l": (6.0, 20.0), ">20 µmol/l": (20.1, 60.0)}
ALT_INTERVALS = {"<50 U/l": (12.0, 49.9), "≥50 U/l": (50.0, 180.0)}


def baseline_table(rng: np.random.Generator) -> pd.DataFrame:
    """One row per analysed patient (arm-sorted): arm, every Table I variable and the model covariates."""
    frames = []
    for a_idx, arm in enumerate(ARMS):  # two arms
        n = N_PER_ARM[arm]
        cols: dict[str, np.ndarray] = {"arm": np.full(n, arm, dtype=object)}
        for var, levels in TABLE_I.items():
            cols[var] = exact_labels(rng, [c[a_idx] for c in levels.values()], list(levels))
        age = AGE[arm]
        cols["age"] = exact_ages(rng, n, median=age["median"], low=age["min"], high=age["max"],
                                 below_65=age["below_65"])
        frames.append(pd.DataFrame(cols))
    df = pd.concat(frames, ignore_index=True)
    df["afp"] = _draw_in_group(rng, df["afp_group"].to_numpy(), AFP_INTERVALS, log=True)
    df["total_bilirubin"] = _draw_in_group(rng, df["bilirubin_group"].to_numpy(), BILIRUBIN_INTERVALS)
    df["alt"] = _draw_in_group(rng, df["alt_group"].to_numpy(), ALT_INTERVALS, decimals=0)
    multi = (df["tumour_count_group"] == "2–3").to_numpy()
    df["active_tumours"] = np.where(multi, rng.integers(2, 4, len(df)), 1).astype(float)
    return df


def model_covariates(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Indicator covariates used by the outcome model (:mod:`oncocohort.demo.model`)."""
    return {
        "afp_high": (df["afp"] >= 400).to_numpy(float),
        "ecog1": (df["ecog"].astype(str) == "1").to_numpy(float),
        "multi_tumour": (df["active_tumours"] >= 2).to_numpy(float),
    }
