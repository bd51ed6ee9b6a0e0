"""Turning boolean masks into :class:`ValidationProblem` records.

Rules are column-wise boolean masks over a whole table; only the rows a mask selects become
problem records (a Python loop over *problems*, never over rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncocohort.errors import Severity, ValidationProblem

MAX_PROBLEMS_PER_RULE = 1000
"""A rule that fires on more rows reports this many and one summary problem (a 10⁶-row file with a
wrong column would otherwise produce a million records)."""


def display(value: object) -> str:
    """A raw value as shown in a report ('' for missing; 1.0 from a spreadsheet as '1')."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | np.datetime64):  # Excel cells read as datetime, pd.Timestamp
        value = pd.Timestamp(value)
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class TableCheck:
    """Context for the checks of one table: its name, patient ids and row locations.

    ``ids`` are the patient ids as text (the report's ``row``); ``context`` holds columns shown in
    ``location`` besides the file line (e.g. visit date and lesion id for lesions).
    """

    table: str
    ids: pd.Series
    context: pd.DataFrame | None = None
    problems: list[ValidationProblem] = field(default_factory=list)

    def flag(self, mask: pd.Series | np.ndarray, *, column: str, values: pd.Series | None, expected: str,
             rule: str, severity: Severity = "error", detail: pd.Series | None = None) -> int:
        """Record one problem per selected row; returns how many rows were selected.

        ``detail`` (optional, aligned with the table) is a per-row value appended to ``expected`` in
        parentheses, e.g. the death date a visit must not follow.
        """
        selected = np.flatnonzero(np.asarray(pd.Series(mask).fillna(False), dtype=bool))
        if selected.size == 0:
            return 0
        shown = selected[:MAX_PROBLEMS_PER_RULE]
        ids = self.ids.iloc[shown]
        vals = values.iloc[shown] if values is not None else pd.Series([""] * shown.size)
        locations = self._locations(shown)
        details = [display(x) for x in detail.iloc[shown]] if detail is not None else [""] * shown.size
        for pid, value, loc, extra in zip(ids, vals, locations, details, strict=True):
            self.problems.append(ValidationProblem(
                table=self.table, row=None if pid is None or pid is pd.NA or pid == "" else str(pid),
                column=column, value=display(value), expected=f"{expected} ({extra})" if extra else expected,
                severity=severity, rule=rule, location=loc))
        if selected.size > shown.size:
            self.problems.append(ValidationProblem(
                table=self.table, row=None, column=column, value="",
                expected=f"{expected} — {selected.size - shown.size} more row(s) with this problem not listed",
                severity=severity, rule=rule, location=""))
        return int(selected.size)

    def flag_table(self, *, column: str, value: str, expected: str, rule: str,
                   severity: Severity = "error") -> None:
        """A problem about the table as a whole (a missing column)."""
        self.problems.append(ValidationProblem(table=self.table, row=None, column=column, value=value,
                                               expected=expected, severity=severity, rule=rule, location=""))

    def _locations(self, positions: np.ndarray) -> list[str]:
        # File line: the header is line 1, so data row i (0-based) is line i + 2; index labels are
        # the file's row positions (empty rows removed leave gaps).
        lines = [f"line {int(i) + 2}" for i in self.ids.index[positions]]
        if self.context is None or self.context.empty:
            return lines
        parts = self.context.iloc[positions]
        out = []
        for line, (_, row) in zip(lines, parts.iterrows(), strict=True):
            extra = ", ".join(f"{k} {display(v)}" for k, v in row.items() if display(v))
            out.append(f"{line} ({extra})" if extra else line)
        return out
