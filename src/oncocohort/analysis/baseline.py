"""Baseline characteristics by arm (the seed paper's Table I), with the paper's test rule per row.

Which rows (protocol-driven, one rule): every variable of the protocol with ``in_baseline_table``
(dates excluded), and every cut-derived categorical variable (e.g. ``afp_group``). A cut of a
variable that is itself in the table is descriptive only (the continuous variable carries the
test: one test per underlying measurement; seed 001 Table I, footnote a: "Age as a categorical
variable is presented as a descriptive distribution without a separate P-value"); a cut of a
variable that is not in the table is tested as a categorical row (AFP < 400 / ≥ 400 ng/ml).
``test: none`` in the protocol gives a descriptive row with no p-value.

Statistics, per arm and overall:

* categorical: n and per cent of the arm's patients for each level and for "missing" (the
  percentages of levels and missing add to 100, nothing disappears);
* continuous: median (range) and median (IQR) with type-7 quartiles (R's default), mean, SD,
  number missing.

Tests (two-arm studies only; missing values are left out of the test, as R's ``table`` drops NA):

* categorical: levels × arms table of counts without never-observed levels (a level seen in no
  patient is an all-zero row with nothing to test); Pearson χ² without continuity correction when
  every expected count is ≥ 5, otherwise Fisher's exact test, r × c exact as R's ``fisher.test``
  (``oncocohort.stats.contingency.compare_proportions_by_rule``; seed 001 "Statistical analysis");
* continuous: Wilcoxon rank-sum / Mann–Whitney U with R's ``wilcox.test(x, y)`` defaults (exact
  when both arms have < 50 values and no ties, else normal approximation with tie and continuity
  correction); x is the reference arm, so ``W`` is the U of the reference arm.

The row carries the test and method actually used and why (smallest expected count).

References
----------
[1] Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat 1996;50:361–365 (type 7).
[2] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c tables.
    J Am Stat Assoc 1983;78:427–434.
[3] Mann HB, Whitney DR. On a test of whether one of two random variables is stochastically larger
    than the other. Ann Math Stat 1947;18:50–60.
[4] Cochran WG. Some methods for strengthening the common χ² tests. Biometrics 1954;10:417–451
    (the expected-count ≥ 5 rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from oncocohort.analysis._common import SINGLE_ARM_REASON, analysed_only, arm_values, is_two_arm, put_stat
from oncocohort.errors import Note
from oncocohort.protocol import Protocol
from oncocohort.stats.contingency import compare_proportions_by_rule
from oncocohort.stats.descriptive import summarize_categorical, summarize_continuous
from oncocohort.stats.rank_tests import mann_whitney_u

Kind = Literal["continuous", "categorical"]
OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class BaselineSpec:
    """One row of the table as the protocol defines it."""

    variable: str
    label: str
    kind: Kind
    unit: str | None
    levels: tuple[str, ...] | None
    level_labels: dict[str, str]
    tested: bool
    untested_reason: str | None
    derived_from: str | None = None


@dataclass(frozen=True, slots=True)
class BaselineRow:
    """One variable of Table I: summaries per arm (and overall) and its between-arm test.

    ``summaries`` maps an arm id or ``"overall"`` to a ContinuousSummary / CategoricalSummary.
    ``test`` is ``"chisq"``, ``"fisher"``, ``"mann_whitney"`` or None (then ``p_reason`` says why).
    """

    spec: BaselineSpec
    summaries: dict[str, Any]
    test: str | None
    method: str | None
    p: float | None
    p_reason: str | None
    test_reason: str | None
    statistic: float | None = None
    dropped_levels: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        out: dict[str, Any] = {"variable": s.variable, "label": s.label, "kind": s.kind, "unit": s.unit,
                               "derived_from": s.derived_from, "test": self.test, "method": self.method}
        put_stat(out, "p", self.p, self.p_reason)
        out["test_reason"] = self.test_reason
        out["statistic"] = self.statistic
        groups = list(self.summaries)
        if s.kind == "continuous":
            out["summary"] = {g: _continuous_dict(self.summaries[g]) for g in groups}
            return out
        levels = []
        for i, level in enumerate(self.summaries[OVERALL].levels):
            cells = {g: {"n": int(self.summaries[g].counts[i]),
                         "percent": _pct(self.summaries[g].percent[i])} for g in groups}
            levels.append({"level": level, "label": s.level_labels.get(level, level),
                           "overall": cells.pop(OVERALL), "by_arm": cells})
        out["levels"] = levels
        missing = {g: {"n": int(self.summaries[g].n_missing), "percent": _pct(self.summaries[g].percent_missing)}
                   for g in groups}
        out["missing"] = {"overall": missing.pop(OVERALL), "by_arm": missing}
        out["untested_levels"] = list(self.dropped_levels)
        return out


@dataclass(frozen=True, slots=True)
class BaselineTable:
    """Table I: one :class:`BaselineRow` per variable, arms in protocol order (reference first)."""

    arms: tuple[str, ...]
    n_by_arm: dict[str, int]
    rows: tuple[BaselineRow, ...]
    notes: tuple[Note, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"arms": list(self.arms), "n_by_arm": dict(self.n_by_arm), "n_overall": sum(self.n_by_arm.values()),
                "rows": [r.to_dict() for r in self.rows], "notes": [str(n) for n in self.notes]}

    def to_frame(self) -> pd.DataFrame:
        """Long numeric table: variable, level (or statistic), group, n, percent / value, p, test."""
        records = []
        for row in self.rows:
            for group, summ in row.summaries.items():
                if row.spec.kind == "continuous":
                    for stat in ("median", "min", "max", "q1", "q3", "mean", "sd", "n_missing"):
                        records.append({"variable": row.spec.variable, "level": stat, "group": group,
                                        "n": summ.n, "percent": None, "value": getattr(summ, stat)})
                else:
                    for lvl, n, pct in zip([*summ.levels, "missing"], [*summ.counts.tolist(), summ.n_missing],
                                           [*summ.percent.tolist(), summ.percent_missing], strict=True):
                        records.append({"variable": row.spec.variable, "level": lvl, "group": group,
                                        "n": n, "percent": pct, "value": None})
        frame = pd.DataFrame.from_records(records)
        tests = pd.DataFrame([{"variable": r.spec.variable, "p": r.p, "test": r.test} for r in self.rows])
        return frame.merge(tests, on="variable", how="left") if len(frame) else frame

    def summary(self) -> pd.DataFrame:
        """One line per variable: label, test, p."""
        return pd.DataFrame([{"variable": r.spec.variable, "label": r.spec.label, "test": r.test, "p": r.p,
                              "reason": r.p_reason} for r in self.rows])


def baseline_specs(protocol: Protocol) -> list[BaselineSpec]:
    """The rows of Table I in protocol order (rule: module docstring)."""
    specs: list[BaselineSpec] = []
    for v in protocol.variables:
        if v.type == "date":
            continue
        label = v.label or v.name
        if v.in_baseline_table:
            kind: Kind = "continuous" if v.type == "continuous" else "categorical"
            tested = v.test != "none"
            specs.append(BaselineSpec(v.name, label, kind, v.unit, tuple(v.levels) if v.levels else None,
                                      dict(v.level_labels), tested,
                                      None if tested else "descriptive row (test: none in the protocol)"))
        if v.cut is not None:
            tested = (not v.in_baseline_table) and v.test != "none"
            why = None
            if not tested:
                why = ("descriptive row: the continuous variable carries the test" if v.in_baseline_table
                       else "descriptive row (test: none in the protocol)")
            specs.append(BaselineSpec(v.cut.name, v.cut.label or label, "categorical", None,
                                      tuple(v.cut.labels) if v.cut.labels else None, {}, tested, why,
                                      derived_from=v.name))
    return specs


def baseline_table(adsl: pd.DataFrame, protocol: Protocol) -> BaselineTable:
    """Table I for the analysed patients of ``adsl`` (column ``analysed``; all rows if absent).

    Parameters
    ----------
    adsl : subject-level table with ``arm`` and the protocol's variables (derived cut variables included).
    protocol : the study protocol (variables, arms, design).
    """
    data = analysed_only(adsl)
    arms = list(protocol.arm_ids)
    arm = arm_values(data)
    two_arm = is_two_arm(protocol)
    n_by_arm = {a: int((arm == a).sum()) for a in arms}
    rows: list[BaselineRow] = []
    notes: list[Note] = []
    for spec in baseline_specs(protocol):
        if spec.variable not in data.columns:
            notes.append(Note(f"baseline variable '{spec.variable}' is not in the subject-level table; row left out"))
            continue
        column = data[spec.variable]
        groups = {a: column[(arm == a).to_numpy(dtype=bool)] for a in arms}
        if spec.kind == "continuous":
            rows.append(_continuous_row(spec, column, groups, arms, two_arm))
        else:
            rows.append(_categorical_row(spec, column, groups, arms, two_arm))
    return BaselineTable(tuple(arms), n_by_arm, tuple(rows), tuple(notes))


# ---------------------------------------------------------------------------------------------
def _continuous_row(spec: BaselineSpec, column: pd.Series, groups: dict[str, pd.Series], arms: list[str],
                    two_arm: bool) -> BaselineRow:
    values = pd.to_numeric(column, errors="coerce")
    summaries = {a: summarize_continuous(pd.to_numeric(groups[a], errors="coerce")) for a in arms}
    summaries[OVERALL] = summarize_continuous(values)
    test = method = why = None
    p = statistic = None
    reason = spec.untested_reason
    if not two_arm:
        reason = reason or SINGLE_ARM_REASON
    elif spec.tested:
        x, y = (pd.to_numeric(groups[a], errors="coerce").dropna() for a in arms)
        if len(x) == 0 or len(y) == 0:
            reason = "an arm has no non-missing value"
        else:
            res = mann_whitney_u(x.to_numpy(np.float64), y.to_numpy(np.float64))
            test, method, p, statistic, reason = "mann_whitney", res.method, res.p, res.W, res.reason
            why = ("exact null distribution (both arms < 50 values, no ties)" if res.exact
                   else "normal approximation with tie" + (" and continuity" if res.correct else "") + " correction")
    return BaselineRow(spec, summaries, test, method, p, reason if p is None else None, why, statistic)


def _categorical_row(spec: BaselineSpec, column: pd.Series, groups: dict[str, pd.Series], arms: list[str],
                     two_arm: bool) -> BaselineRow:
    levels = _levels(spec, column)
    summaries = {a: summarize_categorical(_as_text(groups[a]), levels) for a in arms}
    summaries[OVERALL] = summarize_categorical(_as_text(column), levels)
    test = method = why = None
    p = statistic = None
    reason = spec.untested_reason
    dropped: tuple[str, ...] = ()
    if not two_arm:
        reason = reason or SINGLE_ARM_REASON
    elif spec.tested:
        counts = np.column_stack([summaries[a].counts for a in arms])  # levels x arms
        observed = counts.sum(axis=1) > 0
        dropped = tuple(lvl for lvl, keep in zip(levels, observed, strict=True) if not keep)
        res = compare_proportions_by_rule(counts[observed])
        if res.test is None:
            reason = res.reason
        else:
            test, method, p, why = res.test, res.method, res.p, res.reason
            statistic = res.chisq.statistic if res.test == "chisq" and res.chisq is not None else None
    return BaselineRow(spec, summaries, test, method, p, reason if p is None else None, why, statistic, dropped)


def _levels(spec: BaselineSpec, column: pd.Series) -> list[str]:
    """Level order: the column's categories (contract: protocol order), else the protocol's, else sorted."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories]
    if spec.levels:
        return list(spec.levels)
    return sorted(str(v) for v in column.dropna().unique())


def _as_text(values: pd.Series) -> pd.Series:
    """Values as text with missing kept missing (levels are matched as written in the protocol)."""
    text = values.astype("string").astype(object)
    return text.where(values.notna().to_numpy(), None)


def _continuous_dict(s: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"n": s.n, "n_missing": s.n_missing}
    for key in ("median", "min", "max", "q1", "q3", "mean", "sd"):
        put_stat(out, key, getattr(s, key), "no non-missing value" if s.n == 0 else "fewer than 2 values")
    return out


def _pct(value: Any) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v if np.isfinite(v) else None
