"""The Excel data template and the data dictionary, generated from :mod:`oncocohort.io.columns`.

``write_template(path, protocol=None)`` writes one sheet per template table (header row only, the
sheet named after the table, so a filled workbook reads back with ``format: xlsx`` and no ``sheet``
key) plus a ``data_dictionary`` sheet. With a protocol, the patients sheet also carries the
protocol's variables and the dictionary lists the arm ids and variable levels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from oncocohort.io.columns import (
    BOOLEAN_WORDS,
    TABLE_DESCRIPTIONS,
    TEMPLATE,
    ColumnSpec,
)
from oncocohort.protocol import Protocol

DICTIONARY_SHEET = "data_dictionary"
DICTIONARY_COLUMNS = ("table", "column", "type", "required", "allowed values", "description", "example")

_KIND_WORDS = {"id": "text (study id)", "text": "text", "date": "date", "time": "time HH:MM", "number": "number",
               "integer": "whole number", "category": "category", "boolean": "yes/no", "arm": "arm"}


def _required_word(spec: ColumnSpec) -> str:
    if spec.value_required:
        return "column and value"
    return "column" if spec.required else "optional"


def _allowed(spec: ColumnSpec, protocol: Protocol | None) -> str:
    if spec.kind == "category":
        return ", ".join(spec.allowed)
    if spec.kind == "arm":
        return ", ".join(protocol.arm_ids) + " (or labels/aliases); empty = not allocated" if protocol else \
            "an arm id of the protocol; empty = not allocated"
    if spec.kind == "boolean":
        return "yes / no"
    if spec.minimum is not None or spec.maximum is not None:
        low = "" if spec.minimum is None else f"≥ {spec.minimum:g}"
        high = "" if spec.maximum is None else f"≤ {spec.maximum:g}"
        return " and ".join(x for x in (low, high) if x)
    return ""


def data_dictionary(protocol: Protocol | None = None) -> pd.DataFrame:
    """One row per template column (and protocol variable): table, column, type, required, allowed, ..."""
    rows = []
    for table, specs in TEMPLATE.items():
        for spec in specs:
            rows.append({"table": table, "column": spec.name, "type": _KIND_WORDS[spec.kind],
                         "required": _required_word(spec), "allowed values": _allowed(spec, protocol),
                         "description": spec.description, "example": spec.example})
        if table == "patients" and protocol is not None:
            for v in protocol.variables:
                if v.type in ("categorical", "binary"):
                    allowed = ", ".join(str(x) for x in v.levels or [])
                else:
                    bounds = [f"≥ {v.min:g}" if v.min is not None else "", f"≤ {v.max:g}" if v.max is not None else ""]
                    allowed = " and ".join(b for b in bounds if b)
                unit = f" ({v.unit})" if v.unit else ""
                rows.append({"table": table, "column": v.name,
                             "type": {"continuous": "number", "categorical": "category", "binary": "category",
                                      "date": "date"}[v.type],
                             "required": "column and value" if v.required else "column",
                             "allowed values": allowed,
                             "description": f"protocol variable: {v.label or v.name}{unit}", "example": ""})
    return pd.DataFrame(rows, columns=list(DICTIONARY_COLUMNS))


def template_headers(table: str, protocol: Protocol | None = None) -> list[str]:
    """Header row of a template sheet (patients: template columns, then protocol variables)."""
    headers = [c.name for c in TEMPLATE[table]]
    if table == "patients" and protocol is not None:
        headers += [v.name for v in protocol.variables if v.name not in headers]
    return headers


DROPDOWN_ROWS = 5000
"""Rows of a sheet that carry the drop-down lists of category columns."""


def dropdown_values(table: str, column: str, protocol: Protocol | None = None) -> list[str]:
    """Canonical values offered as an Excel drop-down for a column ([] for free columns).

    The drop-down only helps typing: the category map still accepts other spellings, and Excel
    lets a user paste anything, so validation remains the check.
    """
    spec = next((c for c in TEMPLATE[table] if c.name == column), None)
    if spec is not None:
        if spec.kind == "category":
            return list(spec.allowed)
        if spec.kind == "boolean":
            return ["yes", "no"]
        if spec.kind == "arm" and protocol is not None:
            return list(protocol.arm_ids)
        return []
    variable = protocol.variable(column) if protocol is not None and table == "patients" else None
    if variable is not None and variable.levels:
        return [str(level) for level in variable.levels]
    return []


def _add_dropdown(sheet: Any, letter: str, choices: list[str]) -> None:
    formula = '"' + ",".join(choices) + '"'
    if len(formula) > 255 or any("," in c or '"' in c for c in choices):
        return  # Excel's inline list is limited to 255 characters without commas or quotes
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{DROPDOWN_ROWS}")


def write_template(path: str | Path, protocol: Protocol | None = None) -> Path:
    """Write the Excel data template (one sheet per table + ``data_dictionary``) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for table in TEMPLATE:
            pd.DataFrame(columns=template_headers(table, protocol)).to_excel(writer, sheet_name=table, index=False)
            sheet = writer.sheets[table]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                sheet.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) + 2)
                choices = dropdown_values(table, str(cell.value), protocol)
                if choices:
                    _add_dropdown(sheet, cell.column_letter, choices)
        data_dictionary(protocol).to_excel(writer, sheet_name=DICTIONARY_SHEET, index=False)
        widths = {"A": 16, "B": 24, "C": 16, "D": 18, "E": 40, "F": 70, "G": 14}
        for column, width in widths.items():
            writer.sheets[DICTIONARY_SHEET].column_dimensions[column].width = width
    return path


def template_markdown() -> str:
    """The per-table column reference of ``docs/data-template.md`` (kept in step by a test)."""
    out = []
    for table, specs in TEMPLATE.items():
        out += [f"### `{table}`", "", TABLE_DESCRIPTIONS[table], "",
                "| column | type | required | allowed values | description | example |",
                "|---|---|---|---|---|---|"]
        for spec in specs:
            allowed = _allowed(spec, None).replace("|", "\\|")
            out.append(f"| `{spec.name}` | {_KIND_WORDS[spec.kind]} | {_required_word(spec)} | {allowed} | "
                       f"{spec.description} | {spec.example} |")
        out.append("")
    return "\n".join(out)


def category_map_markdown() -> str:
    """The category map as Markdown tables (spelling -> canonical value)."""
    out = ["| column(s) | canonical values | also accepted (any case, spaces/`_`/`-` alike) |", "|---|---|---|"]
    seen: set[tuple[str, ...]] = set()
    for table, specs in TEMPLATE.items():
        for spec in specs:
            if spec.kind != "category" or spec.allowed in seen:
                continue
            seen.add(spec.allowed)
            users = [f"{t}.{s.name}" for t, ss in TEMPLATE.items() for s in ss if s.allowed == spec.allowed]
            aliases = "; ".join(f"{k} → {v}" for k, v in spec.aliases.items())
            out.append(f"| {', '.join(users)} | {', '.join(spec.allowed)} | {aliases.replace('|', '/')} |")
    words_true = ", ".join(k for k, v in BOOLEAN_WORDS.items() if v)
    words_false = ", ".join(k for k, v in BOOLEAN_WORDS.items() if not v)
    out.append(f"| every yes/no column | true, false | {words_true} → true; {words_false} → false |")
    return "\n".join(out)
