"""Objective response rate (ORR) and disease control rate (DCR) per arm, with exact 95 % CIs.

ORR = (CR + PR) / n and DCR = (CR + PR + SD) / n by best overall response [1] §4.4; iRECIST's iCR,
iPR, iSD count as CR, PR, SD [3], and a non-target-only patient's NON-CR/NON-PD counts towards
disease control as SD does (RECIST 1.1 [1] §4.3.2 prefers that name to "SD" for such patients).
Two populations:

* intention-to-treat: every allocated patient is in the denominator, and a patient not assessable
  (NE, or no best response at all) counts as a non-responder — the seed paper's rule (seed 001,
  Table II footnote);
* evaluable: NE and missing best responses are left out (the seed paper's sensitivity analysis).

Confidence intervals are exact Clopper–Pearson [2] via
:func:`oncocohort.stats.binomial.proportion_estimate` (R: ``binom.test(x, n)$conf.int``).

References
----------
[1] Eisenhauer EA, et al. RECIST 1.1. Eur J Cancer 2009;45:228–247.
[2] Clopper CJ, Pearson ES. Biometrika 1934;26:404–413.
[3] Seymour L, et al. iRECIST. Lancet Oncol 2017;18:e143–e152.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from oncocohort.errors import InputError, Note
from oncocohort.stats.binomial import proportion_estimate

OBJECTIVE_RESPONSES = frozenset({"CR", "PR", "iCR", "iPR"})
DISEASE_CONTROL = OBJECTIVE_RESPONSES | {"SD", "iSD", "NON-CR/NON-PD", "NON-iCR/NON-iUPD"}
KNOWN = DISEASE_CONTROL | {"PD", "iUPD", "iCPD", "NE"}
ALL_ARMS = "All patients"


@dataclass(frozen=True, slots=True)
class ResponseRates:
    """ORR and DCR per arm and population.

    ``table`` columns: ``arm, population`` (``intention-to-treat`` / ``evaluable``), ``measure``
    (``ORR`` / ``DCR``), ``x, n, estimate, lower, upper, conf_level, method``; ``counts``: number of
    patients per arm and best response (NE includes patients without a best response).
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    notes: tuple[Note, ...]

    def summary(self) -> pd.DataFrame:
        """One row per arm and population: ORR and DCR as 'x/n (p%, 95% CI l–u)' text."""
        t = self.table.assign(text=[_fmt(r) for r in self.table.itertuples()])
        return t.pivot_table(index=["arm", "population"], columns="measure", values="text", aggfunc="first",
                             sort=False).reset_index().rename_axis(columns=None)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def response_rates(best: pd.DataFrame, arms: pd.DataFrame | pd.Series | Mapping[Any, Any] | None = None, *,
                   conf_level: float = 0.95) -> ResponseRates:
    """ORR and DCR with Clopper–Pearson CIs per arm, intention-to-treat and evaluable-only.

    Parameters
    ----------
    best : per-patient ``patient_id, best_response`` (``ResponseEvaluation.best``, or a patients
        table's recorded ``best_response``).
    arms : the ``patients`` table (``patient_id, arm``), or a mapping / Series patient_id → arm.
        Its allocated patients (non-empty arm) are the intention-to-treat population; patients of
        ``best`` missing from it are not counted. None = one group, the patients of ``best``.
    conf_level : confidence level of the exact interval.
    """
    for col in ("patient_id", "best_response"):
        if col not in best.columns:
            raise InputError("best", f"needs a {col!r} column")
    resp = best.drop_duplicates("patient_id").set_index("patient_id")["best_response"].astype("string")
    unknown = sorted(set(resp.dropna().unique()) - KNOWN)
    if unknown:
        raise InputError("best", f"unknown best_response value(s) {unknown}; expected one of {sorted(KNOWN)}")
    notes: list[Note] = []
    if arms is None:
        arm = pd.Series(ALL_ARMS, index=resp.index, dtype=object)
    else:
        arm = _as_arm_series(arms)
        unallocated = int(arm.isna().sum())
        if unallocated:
            notes.append(Note("patients without an arm (screened, never allocated) are not counted", unallocated))
        arm = arm.dropna()
        extra = resp.index.difference(arm.index)
        if len(extra):
            notes.append(Note("best responses of patients not in the arms table were not counted", len(extra)))
    response = resp.reindex(arm.index)
    no_best = int(response.isna().sum())
    if no_best:
        notes.append(Note("allocated patients without a best response counted as NE (non-responders in ITT)", no_best))
    response = response.fillna("NE")
    levels = list(pd.unique(arm)) if not isinstance(arm.dtype, pd.CategoricalDtype) else list(arm.cat.categories)
    groups = [(str(a), response[arm.to_numpy() == a]) for a in levels]
    if len(levels) > 1:
        groups.append((ALL_ARMS, response))
    rows = []
    for name, r in groups:
        evaluable = r[r != "NE"]
        for population, sub in (("intention-to-treat", r), ("evaluable", evaluable)):
            for measure, hits in (("ORR", OBJECTIVE_RESPONSES), ("DCR", DISEASE_CONTROL)):
                x = int(sub.isin(list(hits)).sum())
                est = proportion_estimate(x, len(sub), conf_level=conf_level)
                rows.append(dict(arm=name, population=population, measure=measure, x=x, n=len(sub),
                                 estimate=est.estimate, lower=est.lower, upper=est.upper,
                                 conf_level=conf_level, method=est.method))
    counts = (pd.DataFrame({"arm": arm.astype(str).to_numpy(), "best_response": response.to_numpy()})
              .groupby(["arm", "best_response"], sort=False).size().rename("n").reset_index())
    return ResponseRates(pd.DataFrame(rows), counts, tuple(notes))


def _as_arm_series(arms: pd.DataFrame | pd.Series | Mapping[Any, Any]) -> pd.Series:
    if isinstance(arms, pd.DataFrame):
        for col in ("patient_id", "arm"):
            if col not in arms.columns:
                raise InputError("arms", f"needs a {col!r} column")
        return arms.drop_duplicates("patient_id").set_index("patient_id")["arm"]
    if isinstance(arms, pd.Series):
        return arms
    return pd.Series(dict(arms), dtype=object)


def _fmt(r: Any) -> str:
    if r.estimate is None or pd.isna(r.estimate):
        return f"{r.x}/{r.n} (not estimable)"
    return (f"{r.x}/{r.n} ({100 * r.estimate:.1f}%, {100 * r.conf_level:.0f}% CI "
            f"{100 * r.lower:.1f}–{100 * r.upper:.1f})")
