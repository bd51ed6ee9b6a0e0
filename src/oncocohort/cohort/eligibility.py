"""Eligibility: each protocol criterion evaluated per screened patient, with the reason for every exclusion.

A criterion (``oncocohort.protocol.schema.Criterion``) is one rule on one column of the validated
``patients`` table. Every screened patient is evaluated against every criterion (not only up to the
first failure), so the flow diagram can list a patient under each criterion failed while counting them
once under the first.

Conventions
-----------
* A missing value fails a criterion unless the criterion says ``missing_passes: true`` (an unknown
  value cannot show that a patient meets a requirement).
* ``min_follow_up_days``: a patient who died passes (death is an outcome, not loss to follow-up);
  otherwise (last contact − treatment start) in days must be ≥ the value. Missing dates fail.
* Numeric operators compare numerically when the column is numeric, else as text; ``in``/``not_in``
  compare the text of the value (protocol levels are written as text, e.g. ECOG ``"0"``).
* A screened patient never allocated (empty ``arm``) is excluded with reason ``"not_allocated"``,
  whatever else they fail (a never-treated patient has no treatment start, so date-based criteria
  fail trivially); the criteria they fail are still listed among all reasons and counted under each
  criterion in the flow. Otherwise the first failed criterion in protocol order is the reason.

References
----------
[1] von Elm E, Altman DG, Egger M, et al. The STROBE statement. Lancet 2007;370:1453–1457, item 13
    (numbers at each stage, reasons for non-participation, flow diagram).
[2] Schulz KF, Altman DG, Moher D. CONSORT 2010 statement. BMJ 2010;340:c332, item 13a and Figure 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.errors import InputError, Note
from oncocohort.protocol.schema import Criterion

NOT_ALLOCATED = "not_allocated"
"""Exclusion reason of a screened patient who meets every criterion but has no arm."""

_NUMERIC_OPS = {
    "==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
}


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """Per-patient eligibility.

    Attributes
    ----------
    table : one row per screened patient, index ``patient_id`` (order as screened): ``arm``, one boolean
        column ``pass_<criterion id>`` per criterion, ``eligible`` (all criteria passed),
        ``allocated`` (arm present), ``analysed`` (eligible and allocated), ``exclusion_reason``
        (first failed criterion id or ``"not_allocated"``; <NA> when analysed) and
        ``exclusion_reasons`` (every failed id, ";"-joined; <NA> when none).
    criteria : the criteria in protocol order (ids and descriptions for the flow diagram).
    notes : per criterion, the allocated patients who fail it only because its value is missing
        (counted as failed by convention, but not shown to fail it).
    """

    table: pd.DataFrame
    criteria: tuple[Criterion, ...]
    notes: tuple[Note, ...] = ()


def _as_text(values: pd.Series) -> pd.Series:
    """Text form of a column for ``in``/``==`` comparisons; booleans as ``true``/``false``, 1.0 as ``1``."""
    if pd.api.types.is_bool_dtype(values):
        return values.map(lambda v: str(bool(v)).lower() if pd.notna(v) else pd.NA).astype("string")
    if pd.api.types.is_numeric_dtype(values):
        num = pd.to_numeric(values, errors="coerce")
        whole = num.notna() & (num == np.floor(num.fillna(0)))
        text = num.astype("string")
        return text.mask(whole, num.round().astype("Int64").astype("string"))
    return values.astype("string").str.strip()


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def evaluate_criterion(patients: pd.DataFrame, criterion: Criterion) -> pd.Series:
    """Whether each patient meets one eligibility criterion (boolean Series aligned with ``patients``).

    Source: the protocol's criterion (schema ``Criterion``); reporting per STROBE item 13 [1].

    Steps
    -----
    1. ``min_follow_up_days``: passed when ``death_date`` is present or
       (``last_contact_date`` − ``treatment_start_date``).days ≥ ``value``.
    2. Otherwise read the criterion's variable; a missing value gives ``missing_passes``.
    3. ``not_missing`` passes every present value; ``in``/``not_in`` compare text; the comparison
       operators compare numbers when the column is numeric (text for ``==``/``!=`` otherwise).
    """
    if criterion.operator == "min_follow_up_days":
        for col in ("death_date", "last_contact_date", "treatment_start_date"):
            if col not in patients.columns:
                raise InputError("patients", f"criterion {criterion.id} needs column '{col}'")
        follow_up = (patients["last_contact_date"] - patients["treatment_start_date"]).dt.days
        died = patients["death_date"].notna()
        known = died | follow_up.notna()
        passed = died | (follow_up >= float(criterion.value)).fillna(False)  # type: ignore[arg-type]
        return (passed | (~known & criterion.missing_passes)).astype(bool)

    if criterion.variable not in patients.columns:
        raise InputError("patients", f"criterion {criterion.id} uses variable '{criterion.variable}', "
                                     f"which is not a column of the patients table")
    values = patients[criterion.variable]
    missing = values.isna()
    op = criterion.operator
    if op == "not_missing":
        result = ~missing
    elif op in ("in", "not_in"):
        allowed = {_value_text(v) for v in criterion.values or []}
        member = _as_text(values).isin(allowed).fillna(False).astype(bool)
        result = member if op == "in" else ~member
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        try:
            threshold = float(criterion.value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError("eligibility", f"criterion {criterion.id}: value {criterion.value!r} is not a "
                                            f"number but '{criterion.variable}' is numeric") from None
        result = pd.Series(_NUMERIC_OPS[op](values.astype("float64").to_numpy(), threshold), index=values.index)
    elif op in ("==", "!="):
        equal = (_as_text(values) == _value_text(criterion.value)).fillna(False).astype(bool)
        result = equal if op == "==" else ~equal
    else:
        raise InputError("eligibility", f"criterion {criterion.id}: operator '{op}' needs a numeric column; "
                                        f"'{criterion.variable}' has dtype {values.dtype}")
    result = pd.Series(result, index=values.index).astype(bool)
    return result.where(~missing, criterion.missing_passes).astype(bool)


def derive_eligibility(patients: pd.DataFrame, criteria: Sequence[Criterion]) -> EligibilityResult:
    """Evaluate every criterion for every screened patient and give the exclusion reasons.

    Source: the protocol's ``eligibility`` list; STROBE item 13 [1] and CONSORT item 13a [2] (a
    patient counted once, under the first reason).

    Steps
    -----
    1. One boolean column ``pass_<id>`` per criterion (:func:`evaluate_criterion`).
    2. ``eligible`` = all passed; ``allocated`` = ``arm`` present; ``analysed`` = both.
    3. ``exclusion_reason``: ``"not_allocated"`` for a patient without arm, else the first failed
       criterion in protocol order; ``exclusion_reasons``: ``not_allocated`` (if so) then every failed
       id, ";"-joined.
    """
    if "patient_id" not in patients.columns or "arm" not in patients.columns:
        raise InputError("patients", "needs columns 'patient_id' and 'arm'")
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise InputError("eligibility", f"duplicate criterion ids: {ids}")
    frame = patients.set_index("patient_id", drop=False)
    table = pd.DataFrame({"arm": frame["arm"].astype("string")}, index=frame.index)
    table.index.name = "patient_id"
    for crit in criteria:
        table[f"pass_{crit.id}"] = evaluate_criterion(frame, crit).to_numpy()
    table["allocated"] = table["arm"].notna().to_numpy()
    failed = pd.DataFrame({NOT_ALLOCATED: ~table["allocated"]}, index=table.index)
    for crit in criteria:
        failed[crit.id] = ~table[f"pass_{crit.id}"]
    table["eligible"] = ~failed[ids].any(axis=1) if ids else True
    table["analysed"] = table["eligible"] & table["allocated"]
    # First failed column in order (not_allocated, then criteria in protocol order): idxmax on booleans.
    any_failed = failed.any(axis=1)
    first = failed.idxmax(axis=1).astype("string")
    table["exclusion_reason"] = first.where(any_failed, pd.NA)
    # Every failed id, ";"-joined: a boolean matrix times the column names, joined per row.
    names = np.array([f"{c};" for c in failed.columns], dtype=object)
    joined = pd.Series((failed.to_numpy() * names).sum(axis=1), index=table.index).astype("string")
    joined = joined.str.rstrip(";")
    table["exclusion_reasons"] = joined.where(any_failed, pd.NA)
    notes = []
    for crit in criteria:
        unknown = missing_for(frame, crit).to_numpy(bool) & ~table[f"pass_{crit.id}"].to_numpy(bool) \
            & table["allocated"].to_numpy(bool)
        if unknown.any():
            ids_missing = table.index[unknown].astype(str).tolist()
            notes.append(Note(f"eligibility: {crit.id} not evaluable (value missing) and counted as failed "
                              "(set missing_passes: true on the criterion to let a missing value pass)",
                              len(ids_missing), {"criterion": crit.id, "patient_ids": ids_missing}))
    return EligibilityResult(table=table, criteria=tuple(criteria), notes=tuple(notes))


def missing_for(patients: pd.DataFrame, criterion: Criterion) -> pd.Series:
    """Whether each patient's value for a criterion is missing (follow-up: neither death nor the dates)."""
    if criterion.operator == "min_follow_up_days":
        follow_up = (patients["last_contact_date"] - patients["treatment_start_date"]).dt.days
        return (patients["death_date"].isna() & follow_up.isna()).astype(bool)
    if criterion.operator == "not_missing":
        return pd.Series(False, index=patients.index)  # a missing value is what it tests
    return patients[criterion.variable].isna().astype(bool)
