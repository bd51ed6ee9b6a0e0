"""Calibration of the seed-001 outcome model, and the spread of the approximate targets over seeds.

Method (run ``python -m oncocohort.demo.calibration`` to repeat it; ~1 minute)
----------------------------------------------------------------------------
The covariate effects of the model are fixed beforehand (AFP ≥ 400 ng/ml: HR 2.3 for progression
and 2.2 for death, close to the paper's univariable 2.276 and 2.558; ECOG 1: HR 1.35 for death;
2–3 tumours: HR 1.15 for progression). The baseline hazards are then chosen by a fixed search over
a grid, each candidate evaluated on the *calibration seeds* 1000–1019 (never the seeds the demo
ships or reports), with common random numbers (the draws do not depend on the parameters):

1. ICIs arm progression (break ``b``, rate before, rate after) against the three PFS medians
   (4.0, 9.0, overall 6.0 months) and the PFS log-rank p (< 0.001);
2. ICIs + MWA arm progression likewise; steps 1–2 are repeated once (the arms are coupled
   through the overall median and the test);
3. the OS hazards of each arm (break, rate before, rate after), two rounds again, against the OS
   medians 11.0 / 16.8 / 15.1 and the OS log-rank p (< 0.05).

The loss is the mean absolute deviation of each median from its target in units of its tolerance
(0.5 month per arm, 1 month overall), plus 5 × the fraction of seeds missing a p-value limit. The OS grid keeps the ICIs arm's late
hazard at or above the combination arm's early one (curves that cross leave the log-rank test blind).

The winning values are copied into :data:`CALIBRATED_MODEL` (``oncocohort.demo.ici_mwa``) by hand:
the generator never searches, it only draws. :func:`spread` then reports the approximate
targets over 20 other seeds (0–19), as in ``docs/demo.md``. With 21–31 patients per arm only 2 of
the ~12 000 seeds searched met all eight approximate targets at once (the overall OS median of 15.1
months next to arm medians of 11.0 and 16.8 needs survival curves that approach each other after a
year, which weakens the log-rank test); the bundled seed is the best of them by :func:`rank_seeds`.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from oncocohort.demo.design import SURVIVAL_TARGETS
from oncocohort.demo.model import MONTH_DAYS, HazardModel, observed_endpoints
from oncocohort.stats import kaplan_meier, logrank_test

CALIBRATION_SEEDS = tuple(range(1000, 1020))
REPORT_SEEDS = tuple(range(20))


def summarise(seed: int, model: HazardModel | None = None) -> dict[str, float]:
    """Medians (months), log-rank p and event counts of one simulated cohort (the generator's own
    endpoint rules, :func:`observed_endpoints`; the tests check the package pipeline agrees)."""
    from oncocohort.demo.ici_mwa import CALIBRATED_MODEL, simulate_analysed

    core = simulate_analysed(np.random.default_rng(seed), model or CALIBRATED_MODEL)
    arm = core.arm_index
    ob = observed_endpoints(core.timeline)
    out: dict[str, float] = {"seed": seed}
    for ep, t, e in (("os", ob.os_days, ob.os_event), ("pfs", ob.pfs_days, ob.pfs_event)):
        months = t / MONTH_DAYS
        for name, m in (("ici", arm == 0), ("ici_mwa", arm == 1), ("overall", np.ones(arm.size, bool))):
            med = kaplan_meier(months[m], e[m]).median().estimate
            out[f"{ep}_median_{name}"] = np.nan if med is None else med
        out[f"{ep}_logrank_p"] = logrank_test(months, e, arm).p_value
        out[f"{ep}_events"] = int(e.sum())
    return out


def _loss(rows: list[dict[str, float]], keys: Iterable[str], p_limits: dict[str, float]) -> float:
    """Mean absolute deviation of each median from its target in units of its tolerance, plus five
    times the fraction of seeds whose log-rank p misses its limit."""
    from oncocohort.demo.design import TOLERANCE_ARM_MONTHS, TOLERANCE_OVERALL_MONTHS

    df = pd.DataFrame(rows)
    loss = 0.0
    for k in keys:
        tol = TOLERANCE_OVERALL_MONTHS if k.endswith("overall") else TOLERANCE_ARM_MONTHS
        loss += float(np.nanmean(np.abs(df[k] - SURVIVAL_TARGETS[k]))) / tol
    for ep, limit in p_limits.items():
        loss += 5.0 * float(np.mean(df[f"{ep}_logrank_p"] >= limit))
    return loss


def grid_search(base: HazardModel, seeds: Iterable[int] = CALIBRATION_SEEDS) -> HazardModel:
    """The three-step grid search of the module docstring, starting from ``base``."""
    seeds = tuple(seeds)

    def best(candidates, keys, p_limits):
        scored = [(_loss([summarise(s, m) for s in seeds], keys, p_limits), i) for i, m in enumerate(candidates)]
        return candidates[min(scored)[1]]

    def arm_prog(model: HazardModel, a: int, b: float, r1: float, r2: float) -> HazardModel:
        def put(t: tuple, v: float) -> tuple:
            return tuple(v if i == a else x for i, x in enumerate(t))
        return dataclasses.replace(model, prog_break_months=put(model.prog_break_months, b),
                                   prog_rate_early=put(model.prog_rate_early, r1),
                                   prog_rate_late=put(model.prog_rate_late, r2))

    m = base
    pfs_keys = ["pfs_median_ici", "pfs_median_ici_mwa", "pfs_median_overall"]
    for _ in range(2):  # two rounds of coordinate search: the overall median couples the arms
        m = best([arm_prog(m, 0, b, r1, r2) for b, r1, r2 in
                  itertools.product([3.0, 4.0], [0.02, 0.04], [0.1, 0.15, 0.2, 0.3, 0.4])],
                 pfs_keys, {"pfs": 0.001})
        m = best([arm_prog(m, 1, b, r1, r2) for b, r1, r2 in
                  itertools.product([4.0, 6.0], [0.03, 0.05, 0.07], [0.05, 0.08, 0.12])],
                 pfs_keys, {"pfs": 0.001})
    os_keys = ["os_median_ici", "os_median_ici_mwa", "os_median_overall"]

    def arm_os(model: HazardModel, a: int, b: float, r1: float, r2: float) -> HazardModel:
        rates = tuple((r1, r2, r2) if i == a else x for i, x in enumerate(model.os_rates))
        breaks = tuple((b, b + 8.0) if i == a else x for i, x in enumerate(model.os_breaks_months))
        return dataclasses.replace(model, os_rates=rates, os_breaks_months=breaks)

    for _ in range(2):
        m = best([arm_os(m, 0, b, r1, r2) for b, r1, r2 in
                  itertools.product([6.0, 9.0], [0.024, 0.028, 0.032, 0.036], [0.035, 0.045, 0.06])], os_keys, {"os": 0.05})
        m = best([arm_os(m, 1, b, r1, r2) for b, r1, r2 in
                  itertools.product([10.0, 12.0], [0.004, 0.006, 0.008], [0.03, 0.04, 0.05, 0.06])], os_keys, {"os": 0.05})
    return m


def rank_seeds(seeds: Iterable[int], model: HazardModel | None = None) -> pd.DataFrame:
    """Seeds ordered by the number of approximate targets met, then by the summed deviation of the
    medians in tolerance units (how the bundled seed was chosen, docs/demo.md)."""
    from oncocohort.demo.design import TOLERANCE_ARM_MONTHS, TOLERANCE_OVERALL_MONTHS

    rows = []
    for seed in seeds:
        r = summarise(seed, model)
        dev = sum(abs(r[k] - t) / (TOLERANCE_OVERALL_MONTHS if k.endswith("overall") else TOLERANCE_ARM_MONTHS)
                  for k, t in SURVIVAL_TARGETS.items())
        rows.append({**r, "targets_met": sum(within_tolerance(r).values()), "deviation": dev})
    return pd.DataFrame(rows).sort_values(["targets_met", "deviation"], ascending=[False, True], kind="stable")


def spread(seeds: Iterable[int] = REPORT_SEEDS, model: HazardModel | None = None) -> pd.DataFrame:
    """One row per seed: medians, log-rank p-values and events (the docs' spread table)."""
    return pd.DataFrame([summarise(s, model) for s in seeds])


def within_tolerance(row: dict[str, float] | pd.Series) -> dict[str, bool]:
    """Which approximate targets a cohort meets (medians ± 0.5 / ± 1 month, log-rank p limits)."""
    from oncocohort.demo.design import LOGRANK_P_MAX, TOLERANCE_ARM_MONTHS, TOLERANCE_OVERALL_MONTHS

    out = {}
    for key, target in SURVIVAL_TARGETS.items():
        tol = TOLERANCE_OVERALL_MONTHS if key.endswith("overall") else TOLERANCE_ARM_MONTHS
        out[key] = bool(abs(row[key] - target) <= tol)
    for ep, limit in LOGRANK_P_MAX.items():
        out[f"{ep}_logrank_p"] = bool(row[f"{ep}_logrank_p"] < limit)
    return out


def main() -> None:  # pragma: no cover - a script entry
    from oncocohort.demo.ici_mwa import CALIBRATED_MODEL

    found = grid_search(CALIBRATED_MODEL)
    print("grid search result:", found)
    table = spread(model=found)
    ok = pd.DataFrame([within_tolerance(r) for _, r in table.iterrows()])
    print(table.round(3).to_string(index=False))
    print(table.describe().loc[["mean", "std", "min", "max"]].round(3).to_string())
    print("seeds within tolerance per target:\n" + ok.sum().to_string())
    print("seeds meeting every target:", int(ok.all(axis=1).sum()), "of", len(ok))


if __name__ == "__main__":  # pragma: no cover
    main()
