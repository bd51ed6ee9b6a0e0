"""Date parsing with explicit, documented rules (vectorised; no per-row Python).

Accepted, in this order:

1. values already typed as dates (Excel cells, SPSS date variables, Parquet/DuckDB date columns);
2. Excel serial day numbers (1 = 1900-01-01 in Excel's 1900 date system; origin 1899-12-30 because
   Excel counts the non-existent 1900-02-29), as numbers or numeric text, 3654 ≤ n ≤ 73050
   (1910-01-01 to 2099-12-31: a number outside that span in a date column of a cohort study is far
   more likely a slip, such as a bare year "2023", than a date, and is reported as unparseable);
3. ISO 8601 text ``YYYY-MM-DD`` (optionally with a time, which is dropped) — always accepted; also
   year-first ``YYYY/MM/DD`` and ``YYYY.MM.DD`` (one or two digits for month and day, e.g. "2023/4/3"
   as Excel shows dates in Chinese and Japanese locales), which no convention reads day-first;
4. ``YYYYMMDD`` compact text;
5. with ``protocol.date_format`` (strftime, e.g. ``%d/%m/%Y``): text in that format;
6. without it, ``a/b/YYYY`` (also ``.`` or ``-``) only when the order is unambiguous: ``a > 12`` means
   day/month, ``b > 12`` means month/day, ``a == b`` is the same either way. ``03/04/2023`` could be
   3 April or 4 March and is reported as *ambiguous* (set ``date_format``);
7. text with a month name ("3 Apr 2023", "April 3, 2023"), which is never ambiguous.

Anything else is *unparseable*. Times of day are dropped (dates only). A column in which some
``a/b/YYYY`` values can only be day/month and others only month/day mixes two conventions (two
sources, or a typing slip): each such value is still read correctly, but the values of the less
frequent order are reported as *mixed order* (a warning), since the same column's ambiguous values
cannot then be trusted to any single ``date_format``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.io.columns import as_text

EXCEL_ORIGIN = pd.Timestamp("1899-12-30")
EXCEL_MIN_SERIAL = 3654  # 1910-01-01
EXCEL_MAX_SERIAL = 73050  # 2099-12-31
_ISO = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_YEAR_FIRST = r"^\d{4}([/.])\d{1,2}\1\d{1,2}$"
_COMPACT = r"^\d{8}$"
_SLASHED = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"


@dataclass(frozen=True, slots=True)
class ParsedDates:
    """Parsed dates (``datetime64[ns]``, NaT where empty or bad) and masks of the bad values."""

    dates: pd.Series
    unparseable: pd.Series
    ambiguous: pd.Series
    mixed_order: pd.Series  # values of the column's less frequent day/month order (see module docs)


def parse_dates(values: pd.Series, *, date_format: str | None = None) -> ParsedDates:
    """Parse a column of dates by the rules of the module docstring."""
    index = values.index
    false = pd.Series(False, index=index)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        dates = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        return ParsedDates(dates.dt.normalize().astype("datetime64[ns]"), false, false.copy(), false.copy())

    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    text = as_text(values)
    pending = text.notna().to_numpy(copy=True)

    # 2. Excel serial numbers (numbers, or numeric text such as "45123" from a CSV export).
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce")
    else:
        numbers = pd.to_numeric(text.where(text.str.fullmatch(r"\d+(?:\.\d+)?").fillna(False)), errors="coerce")
    in_range = (numbers >= EXCEL_MIN_SERIAL) & (numbers <= EXCEL_MAX_SERIAL) & pending
    serial = in_range.fillna(False).to_numpy(dtype=bool)
    if serial.any():
        days = np.floor(numbers[serial].to_numpy(dtype=float)).astype("int64")
        out[serial] = EXCEL_ORIGIN + pd.to_timedelta(days, unit="D")
        pending &= ~serial

    # 1./3. ISO text (also how Python date/datetime objects and Timestamps print).
    iso = pending & text.str.fullmatch(_ISO).fillna(False).to_numpy(dtype=bool)
    if iso.any():
        out[iso] = pd.to_datetime(text[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        pending &= ~iso

    year_first = pending & text.str.fullmatch(_YEAR_FIRST).fillna(False).to_numpy(dtype=bool)
    if year_first.any():
        out[year_first] = pd.to_datetime(text[year_first].str.replace(r"[/.]", "-", regex=True),
                                         format="%Y-%m-%d", errors="coerce")
        pending &= ~year_first

    compact = pending & text.str.fullmatch(_COMPACT).fillna(False).to_numpy(dtype=bool)
    if compact.any():
        out[compact] = pd.to_datetime(text[compact], format="%Y%m%d", errors="coerce")
        pending &= ~compact

    ambiguous = np.zeros(len(index), dtype=bool)
    mixed = np.zeros(len(index), dtype=bool)
    if date_format is not None and pending.any():
        out[pending] = pd.to_datetime(text[pending], format=date_format, errors="coerce")
        pending[:] = False
    elif pending.any():
        parts = text[pending].str.extract(_SLASHED).astype("float")
        a, b, year = parts[0], parts[1], parts[2]
        day_first = (a > 12) & (b <= 12)
        month_first = (b > 12) & (a <= 12)
        same = a == b
        day = a.where(day_first | same, b)
        month = b.where(day_first | same, a)
        clear = (day_first | month_first | same).fillna(False)
        if clear.any():
            ymd = pd.DataFrame({"year": year[clear], "month": month[clear], "day": day[clear]})
            sel = np.flatnonzero(pending)[clear.to_numpy()]
            out.iloc[sel] = pd.to_datetime(ymd, errors="coerce").to_numpy()
        n_day_first, n_month_first = int(day_first.sum()), int(month_first.sum())
        if n_day_first and n_month_first:  # both orders present: flag the rarer (both on a tie)
            rarer = np.zeros(len(a), dtype=bool)
            if n_month_first <= n_day_first:
                rarer |= month_first.fillna(False).to_numpy(dtype=bool)
            if n_day_first <= n_month_first:
                rarer |= day_first.fillna(False).to_numpy(dtype=bool)
            mixed[np.flatnonzero(pending)[rarer]] = True
        slashed = parts[0].notna().to_numpy()
        amb_local = slashed & ~clear.to_numpy() & (a <= 12).to_numpy() & (b <= 12).to_numpy()
        ambiguous[np.flatnonzero(pending)[amb_local]] = True
        done = np.flatnonzero(pending)[slashed]
        pending[done] = False

        # 7. Month names: unambiguous, parsed by pandas' flexible parser (few values, so cheap).
        named = pending & text.str.contains(r"[A-Za-z]{3}", regex=True).fillna(False).to_numpy(dtype=bool)
        if named.any():
            out[named] = pd.to_datetime(text[named], format="mixed", errors="coerce")
            pending &= ~named

    present = text.notna().to_numpy(dtype=bool)
    unparseable = present & out.isna().to_numpy() & ~ambiguous
    return ParsedDates(out.dt.normalize(), pd.Series(unparseable, index=index),
                       pd.Series(ambiguous, index=index), pd.Series(mixed, index=index))


DATE_EXPECTED = ("a date: ISO YYYY-MM-DD, an Excel date or serial number, or the protocol's date_format")
AMBIGUOUS_EXPECTED = ("an unambiguous date: day/month order cannot be told; write YYYY-MM-DD or set "
                      "date_format in the protocol (e.g. '%d/%m/%Y')")
MIXED_ORDER_EXPECTED = ("dates in one day/month order: this value can only be read in the order the rest of "
                        "the column does not use (read as such; check the source, write YYYY-MM-DD)")
