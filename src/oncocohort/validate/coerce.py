"""Typing one column at a time from the template spec, reporting what does not fit.

Each function takes the raw column, returns the typed column and records problems on the
:class:`TableCheck`: unparseable dates, ambiguous day/month order, unknown categories, text where a
number belongs, values outside the bounds, missing required values. Bad values become missing in the
typed column *and* are reported (an error stops the run), so nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from oncocohort.io.columns import ColumnSpec, as_text, is_blank
from oncocohort.protocol import Variable
from oncocohort.validate._collect import TableCheck
from oncocohort.validate.categories import (
    build_lookup,
    describe_allowed,
    map_booleans,
    map_categories,
    variable_lookup,
)
from oncocohort.validate.dates import AMBIGUOUS_EXPECTED, DATE_EXPECTED, MIXED_ORDER_EXPECTED, parse_dates

AGE_BOUNDS = (0.0, 120.0)
"""Ages outside 0–120 years are impossible whatever the protocol says."""

_TIME = r"^([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$"

#: Digits grouped by commas in threes ("1,520", "12,000,000"): thousands separator or decimal comma?
_GROUPED = r"[+-]?[1-9]\d{0,2}(?:,\d{3})+"
GROUPED_EXPECTED = ("a number without a thousands separator (is '1,520' 1520 or 1.52?): write 1520, "
                    "or 1.52 / 1,52 for a decimal")


def _text(raw: pd.Series) -> pd.Series:
    """Trimmed Arrow-backed text, empty -> <NA>; an id typed as a number (1.0) reads as "1"."""
    text = as_text(raw)
    # A backreference replacement would run in Python per row; match first, then strip ".0" plainly.
    numeric = text.str.fullmatch(r"\d+\.0+").fillna(False).astype(bool)
    if numeric.any():
        text = text.where(~numeric, text.str.replace(r"\.0+$", "", regex=True))
    return text


def coerce_text(raw: pd.Series) -> pd.Series:
    """Trimmed text (pandas ``string``), empty -> <NA>."""
    return _text(raw).astype("string")


def coerce_dates(check: TableCheck, raw: pd.Series, *, column: str, date_format: str | None) -> pd.Series:
    parsed = parse_dates(raw, date_format=date_format)
    check.flag(parsed.unparseable, column=column, values=raw, expected=DATE_EXPECTED, rule="unparseable_date")
    check.flag(parsed.ambiguous, column=column, values=raw, expected=AMBIGUOUS_EXPECTED, rule="ambiguous_date")
    check.flag(parsed.mixed_order, column=column, values=raw, expected=MIXED_ORDER_EXPECTED,
               rule="mixed_date_order", severity="warning")
    return parsed.dates


def coerce_numbers(check: TableCheck, raw: pd.Series, *, column: str, minimum: float | None = None,
                   maximum: float | None = None, integer: bool = False, unit: str | None = None) -> pd.Series:
    """float64 values; text that is no number, non-integers (``integer``) and out-of-bounds are reported."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        numbers = raw.astype("float64")
        bad_text = pd.Series(False, index=raw.index)
    else:
        text = _text(raw)
        # "1,520" is 1520 with a thousands separator in one export and 1.52 with a decimal comma in
        # another: a silent guess could move an AFP across its 400 ng/ml cut, so it is reported.
        grouped = text.str.fullmatch(_GROUPED).fillna(False).astype(bool)
        check.flag(grouped, column=column, values=raw, expected=GROUPED_EXPECTED, rule="ambiguous_number")
        text = text.mask(grouped).str.replace(",", ".", regex=False)  # decimal comma from European exports
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        bad_text = (text.notna() & numbers.isna()).astype(bool)
        check.flag(bad_text, column=column, values=raw, expected="a number", rule="not_a_number")
    if integer:
        fractional = numbers.notna() & (numbers != np.floor(numbers))
        check.flag(fractional, column=column, values=raw, expected="a whole number", rule="not_an_integer")
        numbers = numbers.mask(fractional)
    unit_text = f" {unit}" if unit else ""
    if minimum is not None and maximum is not None:
        bounds = f"a value between {minimum:g} and {maximum:g}{unit_text}"
    elif minimum is not None:
        bounds = f"a value ≥ {minimum:g}{unit_text}" if minimum != 0 else "a non-negative value"
    else:
        bounds = f"a value ≤ {maximum:g}{unit_text}" if maximum is not None else ""
    outside = pd.Series(False, index=raw.index)
    if minimum is not None:
        outside |= numbers < minimum
    if maximum is not None:
        outside |= numbers > maximum
    check.flag(outside, column=column, values=raw, expected=bounds, rule="out_of_range")
    return numbers.mask(outside)


def coerce_categories(check: TableCheck, raw: pd.Series, *, column: str, lookup: Mapping[str, str],
                      allowed: list[str] | tuple[str, ...], rule: str = "unknown_category",
                      note: str = "") -> pd.Series:
    mapped, unknown = map_categories(raw, lookup)
    check.flag(unknown, column=column, values=raw, expected=describe_allowed(allowed) + note, rule=rule)
    return mapped


def coerce_booleans(check: TableCheck, raw: pd.Series, *, column: str) -> pd.Series:
    mapped, unknown = map_booleans(raw)
    check.flag(unknown, column=column, values=raw, expected="yes or no (also y/n, true/false, 1/0)",
               rule="unknown_boolean")
    return mapped


def coerce_times(check: TableCheck, raw: pd.Series, *, column: str) -> pd.Series:
    text = _text(raw).str.slice(0, 8)
    bad = (text.notna() & ~text.str.fullmatch(_TIME).fillna(False)).astype(bool)
    check.flag(bad, column=column, values=raw, expected="a time of day HH:MM", rule="unparseable_time")
    return text.mask(bad).astype("string")


def coerce_spec(check: TableCheck, raw: pd.Series, spec: ColumnSpec, *, date_format: str | None,
                arm_lookup: Mapping[str, str], arm_ids: list[str]) -> pd.Series:
    """Type one template column by its spec (missing-value checks are done by the caller)."""
    name = spec.name
    if spec.kind in ("id", "text"):
        return coerce_text(raw)
    if spec.kind == "date":
        return coerce_dates(check, raw, column=name, date_format=date_format)
    if spec.kind == "time":
        return coerce_times(check, raw, column=name)
    if spec.kind in ("number", "integer"):
        return coerce_numbers(check, raw, column=name, minimum=spec.minimum, maximum=spec.maximum,
                              integer=spec.kind == "integer")
    if spec.kind == "boolean":
        return coerce_booleans(check, raw, column=name)
    if spec.kind == "arm":
        return coerce_categories(check, raw, column=name, lookup=arm_lookup, allowed=arm_ids,
                                 rule="unknown_arm",
                                 note=" (an arm id, label or alias of the protocol), or empty for a "
                                      "screened patient never allocated")
    return coerce_categories(check, raw, column=name, lookup=build_lookup(spec.allowed, spec.aliases),
                             allowed=spec.allowed)


def coerce_variable(check: TableCheck, raw: pd.Series, variable: Variable, *, date_format: str | None) -> pd.Series:
    """Type one protocol variable: continuous (bounds), categorical/binary (levels), date."""
    if variable.type == "continuous":
        low, high = variable.min, variable.max
        if variable.name == "age":
            low = AGE_BOUNDS[0] if low is None else max(low, AGE_BOUNDS[0])
            high = AGE_BOUNDS[1] if high is None else min(high, AGE_BOUNDS[1])
        return coerce_numbers(check, raw, column=variable.name, minimum=low, maximum=high, unit=variable.unit)
    if variable.type == "date":
        return coerce_dates(check, raw, column=variable.name, date_format=date_format)
    levels = [str(level) for level in variable.levels or []]
    return coerce_categories(check, raw, column=variable.name, lookup=variable_lookup(variable), allowed=levels,
                             note=" (protocol variable levels, their labels or aliases)")


def flag_missing(check: TableCheck, typed: pd.Series, raw: pd.Series, *, column: str, expected: str,
                 where: pd.Series | None = None, severity: str = "error") -> None:
    """Report required values that are empty (only where the raw cell was empty: a bad value that
    became missing has already been reported by its own rule)."""
    empty_raw = is_blank(raw) if raw is not None else pd.Series(True, index=typed.index)
    mask = typed.isna() & empty_raw
    if where is not None:
        mask &= where.fillna(False).astype(bool)
    check.flag(mask, column=column, values=raw, expected=expected, rule="missing_value",
               severity=severity)  # type: ignore[arg-type]
