"""The STROBE / CONSORT participant flow: screened → excluded (by reason) → allocated per arm → analysed.

Counts come from :class:`~oncocohort.cohort.eligibility.EligibilityResult` and are checked to add up
when the flow is built (a flow diagram whose boxes do not add up is a reporting error [1, 2]):

* screened = excluded + Σ analysed;
* Σ excluded by first reason = excluded (each excluded patient once, under the first failed reason);
* screened = not allocated + Σ allocated, and every patient without arm is excluded first as
  ``not_allocated``;
* allocated[arm] = analysed[arm] + excluded after allocation[arm].

References
----------
[1] von Elm E, et al. The STROBE statement. Lancet 2007;370:1453–1457, item 13 and its flow diagram.
[2] Schulz KF, Altman DG, Moher D. CONSORT 2010 statement. BMJ 2010;340:c332, item 13a, Figure 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from oncocohort.cohort.eligibility import NOT_ALLOCATED, EligibilityResult


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[str, int]:
    return MappingProxyType({str(k): int(v) for k, v in mapping.items()})


@dataclass(frozen=True, slots=True)
class EligibilityFlow:
    """Counts for a STROBE / CONSORT flow diagram (read-only mappings, keys in protocol order).

    Attributes
    ----------
    screened : patients in the patients table.
    excluded : patients not analysed.
    excluded_by_first_reason : criterion id (or ``"not_allocated"``) → patients excluded with it as
        their first failed reason; sums to ``excluded``.
    failed_by_criterion : criterion id (and ``"not_allocated"``) → every patient failing it (a patient
        may appear under several).
    criteria : criterion id → description (``"not_allocated"`` included).
    allocated : arm id → patients with that arm (eligible or not).
    excluded_after_allocation : arm id → allocated patients who failed a criterion.
    analysed : arm id → eligible, allocated patients (the analysis population).
    """

    screened: int
    excluded: int
    excluded_by_first_reason: Mapping[str, int]
    failed_by_criterion: Mapping[str, int]
    criteria: Mapping[str, str]
    allocated: Mapping[str, int]
    excluded_after_allocation: Mapping[str, int]
    analysed: Mapping[str, int]
    arm_labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ``ValueError`` naming the identity that fails (the boxes of the diagram must add up)."""
        problems = []
        n_analysed = sum(self.analysed.values())
        if self.screened != self.excluded + n_analysed:
            problems.append(f"screened ({self.screened}) != excluded ({self.excluded}) + analysed ({n_analysed})")
        if sum(self.excluded_by_first_reason.values()) != self.excluded:
            problems.append(f"excluded by first reason ({sum(self.excluded_by_first_reason.values())}) "
                            f"!= excluded ({self.excluded})")
        n_not_alloc = self.excluded_by_first_reason.get(NOT_ALLOCATED, 0)
        if self.failed_by_criterion.get(NOT_ALLOCATED, 0) + sum(self.allocated.values()) != self.screened:
            problems.append(f"not allocated ({self.failed_by_criterion.get(NOT_ALLOCATED, 0)}) + allocated "
                            f"({sum(self.allocated.values())}) != screened ({self.screened})")
        for arm, n in self.allocated.items():
            if n != self.analysed.get(arm, 0) + self.excluded_after_allocation.get(arm, 0):
                problems.append(f"arm {arm}: allocated ({n}) != analysed + excluded after allocation")
        if n_not_alloc != self.failed_by_criterion.get(NOT_ALLOCATED, 0):
            problems.append(f"first reason not_allocated ({n_not_alloc}) != patients without arm "
                            f"({self.failed_by_criterion.get(NOT_ALLOCATED, 0)})")
        if problems:
            raise ValueError("eligibility flow does not add up: " + "; ".join(problems))

    @property
    def n_analysed(self) -> int:
        return sum(self.analysed.values())

    def to_frame(self) -> pd.DataFrame:
        """One row per box of the diagram (see :func:`flow_to_frame`)."""
        return flow_to_frame(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the ``flow.json`` written by ``oncocohort derive``)."""
        return {
            "screened": self.screened,
            "excluded": self.excluded,
            "excluded_by_first_reason": dict(self.excluded_by_first_reason),
            "failed_by_criterion": dict(self.failed_by_criterion),
            "criteria": dict(self.criteria),
            "allocated": dict(self.allocated),
            "excluded_after_allocation": dict(self.excluded_after_allocation),
            "analysed": dict(self.analysed),
            "analysed_total": self.n_analysed,
            "arm_labels": dict(self.arm_labels),
        }


def derive_flow(eligibility: EligibilityResult, arms: Sequence[str],
                *, arm_labels: Mapping[str, str] | None = None) -> EligibilityFlow:
    """Count the flow diagram's boxes from per-patient eligibility.

    Source: STROBE item 13 [1]; CONSORT item 13a [2].

    Steps
    -----
    1. screened = all rows; excluded = rows not analysed.
    2. excluded by first reason = value counts of ``exclusion_reason`` (protocol order, zeros kept).
    3. failed by criterion = failures per ``pass_<id>`` column, plus patients without arm.
    4. allocated / excluded after allocation / analysed = counts per arm (every protocol arm, zeros kept).
    """
    table = eligibility.table
    reasons = [NOT_ALLOCATED] + [c.id for c in eligibility.criteria]
    descriptions = {NOT_ALLOCATED: "Screened but never allocated to an arm"}
    descriptions.update({c.id: c.description for c in eligibility.criteria})
    first = table["exclusion_reason"].value_counts().reindex(reasons, fill_value=0)
    failed = {NOT_ALLOCATED: int((~table["allocated"]).sum())}
    failed.update({c.id: int((~table[f"pass_{c.id}"]).sum()) for c in eligibility.criteria})
    arm = table["arm"]
    unknown = sorted(set(arm.dropna()) - set(arms))
    if unknown:
        raise ValueError(f"patients.arm has values that are not protocol arms: {unknown}; allowed: {list(arms)}")
    allocated = arm.value_counts().reindex(list(arms), fill_value=0)
    analysed = arm[table["analysed"]].value_counts().reindex(list(arms), fill_value=0)
    after = arm[table["allocated"] & ~table["eligible"]].value_counts().reindex(list(arms), fill_value=0)
    return EligibilityFlow(
        screened=len(table),
        excluded=int((~table["analysed"]).sum()),
        excluded_by_first_reason=_frozen(first.to_dict()),
        failed_by_criterion=_frozen(failed),
        criteria=MappingProxyType(descriptions),
        allocated=_frozen(allocated.to_dict()),
        excluded_after_allocation=_frozen(after.to_dict()),
        analysed=_frozen(analysed.to_dict()),
        arm_labels=MappingProxyType(dict(arm_labels or {})),
    )


def flow_to_frame(flow: EligibilityFlow) -> pd.DataFrame:
    """One row per box of the diagram: ``stage, key, label, n`` (for tables and tests)."""
    rows = [("screened", "all", "Screened", flow.screened), ("excluded", "all", "Excluded", flow.excluded)]
    rows += [("excluded_first_reason", k, flow.criteria.get(k, k), n) for k, n in flow.excluded_by_first_reason.items()]
    rows += [("failed_criterion", k, flow.criteria.get(k, k), n) for k, n in flow.failed_by_criterion.items()]
    rows += [("allocated", k, flow.arm_labels.get(k, k), n) for k, n in flow.allocated.items()]
    rows += [("analysed", k, flow.arm_labels.get(k, k), n) for k, n in flow.analysed.items()]
    return pd.DataFrame(rows, columns=["stage", "key", "label", "n"])
