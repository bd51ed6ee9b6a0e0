"""Validating a whole study: every table typed and checked, every problem reported at once.

Steps of :func:`validate_study`:

1. each table the protocol names is typed by the template (:mod:`oncocohort.validate.tables`):
   identifying columns removed (warning), missing required columns, unparseable/ambiguous dates,
   unknown arms and categories, text in number columns, values out of bounds, missing values;
2. patients-table rules (:mod:`oncocohort.validate.rules_patients`): duplicate ids, dates required
   for allocated patients, date order, dates after the cutoff (warning);
3. rules for the other tables (:mod:`oncocohort.validate.rules_tables`): unknown patients,
   duplicate rows, end before start, dates after death, after the cutoff (warning);
4. errors first, then warnings; ``raise_on_error`` raises one :class:`DataValidationError` with all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from oncocohort.errors import DataValidationError, InputError, ValidationProblem
from oncocohort.io.readers import RawStudy, read_study_files
from oncocohort.protocol import Protocol, load_protocol
from oncocohort.protocol.schema import TEMPLATE_TABLES
from oncocohort.validate.rules_patients import check_patients
from oncocohort.validate.rules_tables import check_table
from oncocohort.validate.tables import empty_table, type_table


@dataclass(frozen=True, slots=True)
class ValidatedStudy:
    """A study whose tables passed validation (warnings kept in ``problems``).

    Attributes
    ----------
    protocol : the study protocol.
    tables : every template table, typed (see docs/architecture.md item 2); an empty frame with the
        template columns for a table the protocol does not name.
    problems : warnings (and errors when validated with ``raise_on_error=False``).
    sources : table -> {path, format, sha256, rows, location} of the file it was read from.
    raw : table -> the table as read (headers mapped, identifying columns removed): the study
        database keeps it beside the validated table.
    """

    protocol: Protocol
    tables: dict[str, pd.DataFrame]
    problems: tuple[ValidationProblem, ...] = ()
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[ValidationProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[ValidationProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def is_valid(self) -> bool:
        return not self.errors


def validate_study(protocol: Protocol, tables: dict[str, pd.DataFrame], *, raise_on_error: bool = True,
                   sources: dict[str, dict[str, Any]] | None = None) -> ValidatedStudy:
    """Type and check the raw tables of a study against the template and the protocol.

    Parameters
    ----------
    protocol : the study protocol (arms, cutoff, date_format, variables, criteria).
    tables : template table name -> raw frame (headers already mapped, e.g. by ``read_study_tables``).
    raise_on_error : raise :class:`DataValidationError` (carrying every problem, warnings included)
        when any error-level problem is found; otherwise return them in ``problems``.
    sources : provenance per table (from :func:`oncocohort.io.read_study_files`), passed through.

    Examples
    --------
    >>> from oncocohort.protocol.examples import example_study_path
    >>> study = load_study(example_study_path("ici-mwa-retrospective"))
    >>> sorted(study.tables)[:2], study.is_valid
    (['adverse_events', 'labs'], True)
    """
    unknown = sorted(set(tables) - set(TEMPLATE_TABLES))
    if unknown:
        raise InputError("tables", f"unknown table(s) {', '.join(unknown)}; allowed: {', '.join(TEMPLATE_TABLES)}")
    if "patients" not in tables:
        raise InputError("tables", "the patients table is required")

    problems: list[ValidationProblem] = []
    typed: dict[str, pd.DataFrame] = {}
    raw_kept: dict[str, pd.DataFrame] = {}

    patients, check, raw_patients = type_table("patients", tables["patients"], protocol)
    check_patients(check, patients, raw_patients, protocol)
    problems += check.problems
    typed["patients"], raw_kept["patients"] = patients, raw_patients

    for table in TEMPLATE_TABLES[1:]:
        if table not in tables:
            typed[table] = empty_table(table, protocol)
            continue
        frame, check, raw_table = type_table(table, tables[table], protocol)
        check_table(check, table, frame, raw_table, patients, protocol)
        problems += check.problems
        typed[table], raw_kept[table] = frame, raw_table

    # Rows keep file positions as index labels during the checks (for line numbers); hand on 0..n-1.
    typed = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
    raw_kept = {name: frame.reset_index(drop=True) for name, frame in raw_kept.items()}
    # Errors first (stable within each severity: table order, then rule order, then row order).
    ordered = tuple(sorted(problems, key=lambda p: p.severity != "error"))
    if raise_on_error and any(p.severity == "error" for p in ordered):
        raise DataValidationError(ordered)
    return ValidatedStudy(protocol=protocol, tables=typed, problems=ordered, sources=dict(sources or {}),
                          raw=raw_kept)


def load_study(protocol_or_path: Protocol | str | Path, *, raise_on_error: bool = True) -> ValidatedStudy:
    """Read the files a protocol names and validate them (``read_study_files`` + ``validate_study``).

    ``protocol_or_path`` is a loaded :class:`Protocol` or the path of its YAML file.
    """
    protocol = protocol_or_path if isinstance(protocol_or_path, Protocol) else load_protocol(protocol_or_path)
    raw: RawStudy = read_study_files(protocol)
    sources = {name: info.to_dict() for name, info in raw.sources.items()}
    return validate_study(protocol, raw.tables, raise_on_error=raise_on_error, sources=sources)
