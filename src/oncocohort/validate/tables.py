"""Typing a whole table by the template: columns present, identifying columns removed, values typed.

Column-level rules live here (missing required columns, identifying columns, columns nobody reads);
value-level rules are in :mod:`oncocohort.validate.coerce`; rules that compare columns or tables are
in ``rules_patients``, ``rules_tables`` and ``rules_cross``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncocohort.io.columns import IDENTIFYING_COLUMNS, TEMPLATE, ColumnSpec, is_blank
from oncocohort.protocol import Protocol
from oncocohort.validate._collect import TableCheck
from oncocohort.validate.categories import arm_lookup, normalise_lab_tests
from oncocohort.validate.coerce import coerce_spec, coerce_text, coerce_variable, flag_missing

CONTEXT_COLUMNS = {
    "lesions": ("visit_date", "lesion_id"),
    "visit_responses": ("visit_date",),
    "adverse_events": ("term", "onset_date"),
    "treatments": ("name", "start_date"),
    "labs": ("test", "date"),
}
"""Columns named in a problem's location besides the file line, so a row can be found."""


def _header_key(name: object) -> str:
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def remove_identifying_columns(table: str, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns that identify a person (names, record numbers, birth dates): never carried on."""
    # A template column is never identifying in its own table (treatments.name is a drug name).
    template = {c.name for c in TEMPLATE[table]}
    dropped = [c for c in raw.columns if _header_key(c) in IDENTIFYING_COLUMNS and c not in template]
    return raw.drop(columns=dropped), dropped


def required_columns(table: str, protocol: Protocol) -> dict[str, str]:
    """Template columns that must be present in ``table`` for this protocol -> why."""
    required = {c.name: "template column" for c in TEMPLATE[table] if c.required}
    derived_response = protocol.data.lesions is not None or protocol.data.visit_responses is not None
    if table == "patients":
        if not derived_response:
            required["best_response"] = "no lesions or visit_responses table to derive it from"
            if any(ep in protocol.endpoints for ep in ("pfs", "ttp")):
                required["progression_date"] = "PFS/TTP need it and no lesions or visit_responses are given"
        for name, rule in protocol.endpoints.items():
            if rule.origin != "treatment_start" and name != "dor":
                required[f"{rule.origin}_date"] = f"endpoint {name} starts at {rule.origin}"
    if table == "lesions" and protocol.response is not None:
        if protocol.response.criteria == "mrecist":
            required["viable_diameter_mm"] = "mRECIST measures the viable tumour diameter"
        else:
            required["longest_diameter_mm"] = f"{protocol.response.criteria} measures the longest diameter"
    return required


def variables_needed(protocol: Protocol) -> set[str]:
    """Protocol variables whose column must exist: required, or used by eligibility, Cox or subgroups."""
    needed = {v.name for v in protocol.variables if v.required}
    needed |= {c.variable for c in protocol.eligibility if c.variable}
    by_cut = {v.cut.name: v.name for v in protocol.variables if v.cut is not None}
    for name in [*protocol.cox.covariates, *protocol.subgroups]:
        needed.add(by_cut.get(name, name))
    return needed & {v.name for v in protocol.variables}


def drop_empty_rows(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """Remove rows with no value in any column (spreadsheets often carry formatted blank rows).

    Returns the remaining rows (index labels = original positions, so file lines stay right) and the
    file lines of the removed rows, which are reported as a warning: nothing is dropped silently.
    Only rows without a patient id are examined column by column, so a full table costs one pass.
    """
    if raw.empty:
        return raw, []
    candidates = is_blank(raw["patient_id"]) if "patient_id" in raw.columns else pd.Series(True, index=raw.index)
    if not candidates.any():
        return raw, []
    rows = raw.loc[candidates.to_numpy()]
    blank = np.logical_and.reduce([is_blank(rows[c]).to_numpy(dtype=bool) for c in rows.columns])
    empty_labels = rows.index[blank]
    return raw.drop(index=empty_labels), [int(i) + 2 for i in empty_labels]


def type_table(table: str, raw: pd.DataFrame,
               protocol: Protocol) -> tuple[pd.DataFrame, TableCheck, pd.DataFrame]:
    """Type every column of ``table``; return the typed frame and the check holding its problems.

    The typed frame has every template column (all-missing where the file lacks an optional one),
    then (patients) every protocol variable, then any other column of the file as text. Also returns
    the raw rows it typed (identifying columns and empty rows removed), aligned with the typed frame;
    both keep the file's row positions as index labels (reset by the caller once checks are done).
    """
    raw, dropped = remove_identifying_columns(table, raw)
    raw, empty_lines = drop_empty_rows(raw.reset_index(drop=True))
    ids = coerce_text(raw["patient_id"]) if "patient_id" in raw else pd.Series(pd.NA, index=raw.index, dtype="string")
    context_cols = [c for c in CONTEXT_COLUMNS.get(table, ()) if c in raw.columns]
    check = TableCheck(table=table, ids=ids, context=raw[context_cols] if context_cols else None)
    if empty_lines:
        shown = ", ".join(map(str, empty_lines[:10])) + (", ..." if len(empty_lines) > 10 else "")
        check.flag_table(column="(all)", value=f"{len(empty_lines)} empty row(s)", rule="empty_rows",
                         severity="warning", expected=f"a value in some column; rows ignored (lines {shown})")
    for column in dropped:
        check.flag_table(column=str(column), value="(whole column)", rule="identifying_column", severity="warning",
                         expected="study ids only: this column identifies a person and is not carried into "
                                  "the database or any output")

    for column, why in required_columns(table, protocol).items():
        if column not in raw.columns:
            check.flag_table(column=column, value="(column absent)", rule="missing_column",
                             expected=f"a column named '{column}' ({why}; see docs/data-template.md)")

    typed: dict[str, pd.Series] = {}
    arms = arm_lookup(protocol)
    empty = pd.Series(pd.NA, index=raw.index, dtype="string")
    for spec in TEMPLATE[table]:
        column_raw = raw[spec.name] if spec.name in raw.columns else empty
        typed[spec.name] = coerce_spec(check, column_raw, spec, date_format=protocol.date_format,
                                       arm_lookup=arms, arm_ids=protocol.arm_ids)
        if spec.value_required and spec.name in raw.columns:
            flag_missing(check, typed[spec.name], column_raw, column=spec.name, expected=_need(spec))

    if table == "labs":
        typed["test"] = normalise_lab_tests(typed["test"])
    known = {c.name for c in TEMPLATE[table]}
    if table == "patients":
        known |= _type_variables(check, raw, protocol, typed)

    for column in raw.columns:
        if column not in known:
            check.flag_table(column=str(column), value="(whole column)", rule="unused_column", severity="warning",
                             expected="a template column or protocol variable; kept as text, not analysed")
            typed[str(column)] = coerce_text(raw[column])
    return pd.DataFrame(typed, index=raw.index), check, raw


def _type_variables(check: TableCheck, raw: pd.DataFrame, protocol: Protocol, typed: dict[str, pd.Series]) -> set[str]:
    """Type the protocol's variables (columns of patients) into ``typed``; return their names.

    A variable that is required or read by eligibility, Cox or subgroups must have a column
    (error); another absent variable is a warning and is all-missing. A variable an eligibility
    criterion reads without declaring it must still be a column.
    """
    needed = variables_needed(protocol)
    empty = pd.Series(pd.NA, index=raw.index, dtype="string")
    for variable in protocol.variables:
        if variable.name in raw.columns:
            column_raw = raw[variable.name]
        else:
            column_raw = empty
            why = "required" if variable.required else "used by eligibility, Cox or subgroups"
            check.flag_table(
                column=variable.name, value="(column absent)", rule="missing_column",
                severity="error" if variable.name in needed else "warning",
                expected=(f"a column named '{variable.name}' (protocol variable, {why})" if variable.name in needed
                          else f"a column named '{variable.name}' (protocol variable); all values treated "
                               "as missing"))
        typed[variable.name] = coerce_variable(check, column_raw, variable, date_format=protocol.date_format)
        if variable.required and variable.name in raw.columns:
            flag_missing(check, typed[variable.name], column_raw, column=variable.name,
                         expected=f"a value (protocol variable '{variable.name}' is required)")
    names = {v.name for v in protocol.variables}
    for criterion in protocol.eligibility:
        name = criterion.variable
        if name is not None and name not in names and name not in raw.columns and name not in typed:
            check.flag_table(column=name, value="(column absent)", rule="missing_column",
                             expected=f"a column named '{name}' (read by eligibility criterion "
                                      f"'{criterion.id}'; declare it under the protocol's variables)")
    return names


def _need(spec: ColumnSpec) -> str:
    return f"a value ({spec.description.rstrip('.')})" if spec.description else "a value"


_DTYPES = {"id": "string", "text": "string", "category": "string", "arm": "string", "time": "string",
           "date": "datetime64[ns]", "number": "float64", "integer": "float64", "boolean": "boolean"}
"""Typed column dtypes by template kind (the dtypes :func:`type_table` produces)."""


def empty_table(table: str, protocol: Protocol) -> pd.DataFrame:
    """A typed, empty frame with the template columns (for tables the protocol does not name)."""
    return pd.DataFrame({c.name: pd.Series(dtype=_DTYPES[c.kind]) for c in TEMPLATE[table]})
