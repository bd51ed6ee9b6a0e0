"""Every exception and warning class of oncocohort, in one place.

Validation never stops at the first problem: it collects :class:`ValidationProblem` records and
raises one :class:`DataValidationError` carrying all of them (the offending rows travel on the
exception as ``problems``), so a user fixes a file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Severity = Literal["error", "warning"]


class OncocohortError(Exception):
    """Base class of all oncocohort errors."""


class InputError(OncocohortError, ValueError):
    """Bad input to a statistical or derivation function; the message names the argument."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    """One problem found in the input data.

    Attributes
    ----------
    table : template table (``patients``, ``lesions``, ...) or ``protocol``.
    row : the patient id (study id) of the offending row, or None where no patient applies.
    column : the template column (or protocol key).
    value : the offending value, as text.
    expected : what was expected instead, in words.
    severity : ``"error"`` stops the run; ``"warning"`` is reported and the run goes on.
    rule : a short stable identifier of the rule that fired (for tests and filtering).
    location : extra coordinates where a patient id is not enough (visit date, lesion id, line).
    """

    table: str
    row: str | None
    column: str
    value: str
    expected: str
    severity: Severity = "error"
    rule: str = ""
    location: str = ""

    def __str__(self) -> str:
        where = f"{self.table}"
        if self.row is not None:
            where += f", patient {self.row}"
        if self.location:
            where += f", {self.location}"
        return (
            f"[{self.severity}] {where}, column '{self.column}': value {self.value!r} — "
            f"expected {self.expected}" + (f" ({self.rule})" if self.rule else "")
        )


def problems_to_frame(problems: tuple[ValidationProblem, ...] | list[ValidationProblem]) -> pd.DataFrame:
    """Problems as a DataFrame with one row per problem (columns as the dataclass fields)."""
    cols = ["severity", "table", "row", "location", "column", "value", "expected", "rule"]
    return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in problems], columns=cols)


class DataValidationError(OncocohortError):
    """The input data has at least one error-level problem; ``problems`` lists all of them."""

    def __init__(self, problems: tuple[ValidationProblem, ...] | list[ValidationProblem]) -> None:
        self.problems: tuple[ValidationProblem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} error(s) in the input data"
        lines = [str(p) for p in self.problems[:50]]
        more = len(self.problems) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more (see the full report)")
        super().__init__(head + ":\n" + "\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        return problems_to_frame(self.problems)


class ProtocolError(OncocohortError):
    """The study protocol file is invalid; ``problems`` names each key, value and allowed values."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"invalid study protocol {path}:\n" + "\n".join(f"- {p}" for p in problems))


class StatisticalWarning(UserWarning):
    """A statistic was computed but should be read with care (sparse data, few events per variable)."""


class ConvergenceWarning(StatisticalWarning):
    """An iterative fit did not converge or a coefficient diverges (monotone likelihood, separation)."""


@dataclass(frozen=True, slots=True)
class Note:
    """A data decision recorded on a result (what was dropped, censored, truncated, and why)."""

    message: str
    count: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message if self.count is None else f"{self.message} (n={self.count})"
