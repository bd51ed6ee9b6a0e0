"""Date rules: ISO always, Excel serials, unambiguous day/month, ambiguous reported, date_format."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from oncocohort.validate.dates import parse_dates

from .conftest import by_rule, make_patients, make_protocol


def test_accepted_forms() -> None:
    values = pd.Series(["2023-01-05", "45000", 45001.0, "25/03/2023", "03/25/2023", "04/04/2023", "3 Apr 2023",
                        "20230105", "2023-01-05 10:30:00", dt.datetime(2023, 1, 2, 5), None, ""], dtype=object)
    parsed = parse_dates(values)
    assert [d.strftime("%Y-%m-%d") if pd.notna(d) else None for d in parsed.dates] == [
        "2023-01-05", "2023-03-15", "2023-03-16", "2023-03-25", "2023-03-25", "2023-04-04", "2023-04-03",
        "2023-01-05", "2023-01-05", "2023-01-02", None, None]
    assert not parsed.unparseable.any() and not parsed.ambiguous.any()
    # one day/month and one month/day value: a tie, so both are reported as mixed order
    assert list(parsed.mixed_order) == [False] * 3 + [True, True] + [False] * 7


def test_the_rarer_day_month_order_of_a_column_is_reported_as_a_warning(check) -> None:
    """Two values can only be day/month (25/03, 14/02), one only month/day (03/25): the column
    mixes conventions; each value is still read the only way it can be, the rarer is reported."""
    parsed = parse_dates(pd.Series(["25/03/2023", "14/02/2023", "03/25/2023", "2023-01-05"]))
    assert list(parsed.mixed_order) == [False, False, True, False]
    assert list(parsed.dates) == [pd.Timestamp("2023-03-25"), pd.Timestamp("2023-02-14"),
                                  pd.Timestamp("2023-03-25"), pd.Timestamp("2023-01-05")]
    patients = make_patients(treatment_start_date=["25/03/2023", "14/02/2023", "03/25/2023"])
    (mixed,) = by_rule(check({"patients": patients}), "mixed_date_order")
    assert (mixed.table, mixed.row, mixed.column, mixed.value, mixed.severity) == (
        "patients", "P3", "treatment_start_date", "03/25/2023", "warning")
    assert "order the rest of the column does not use" in mixed.expected
    # one convention only: nothing to report
    assert not parse_dates(pd.Series(["25/03/2023", "14/02/2023", "01/02/2023"])).mixed_order.any()


def test_excel_serial_origin_matches_excel() -> None:
    # Excel shows serial 44927 as 2023-01-01 (1900 date system, which counts 1900-02-29).
    assert parse_dates(pd.Series([44927])).dates.iloc[0] == pd.Timestamp("2023-01-01")


def test_ambiguous_and_unparseable_are_told_apart() -> None:
    parsed = parse_dates(pd.Series(["03/04/2023", "2023-02-30", "soon", "13/13/2023"]))
    assert list(parsed.ambiguous) == [True, False, False, False]
    assert list(parsed.unparseable) == [False, True, True, True]
    assert parsed.dates.isna().all()


def test_date_format_resolves_the_order_and_iso_still_works() -> None:
    parsed = parse_dates(pd.Series(["03/04/2023", "2023-01-05"]), date_format="%d/%m/%Y")
    assert list(parsed.dates) == [pd.Timestamp("2023-04-03"), pd.Timestamp("2023-01-05")]


def test_typed_datetimes_pass_through_normalised() -> None:
    values = pd.Series(pd.to_datetime(["2023-01-05 13:00", None]))
    parsed = parse_dates(values)
    assert parsed.dates.iloc[0] == pd.Timestamp("2023-01-05") and pd.isna(parsed.dates.iloc[1])


def test_reported_with_patient_column_and_hint(check) -> None:
    patients = make_patients(treatment_start_date=["03/04/2023", "2023-13-01", "2023-03-01"])
    problems = check({"patients": patients})
    (ambiguous,) = by_rule(problems, "ambiguous_date")
    assert (ambiguous.table, ambiguous.row, ambiguous.column, ambiguous.value) == (
        "patients", "P1", "treatment_start_date", "03/04/2023")
    assert ambiguous.expected == ("an unambiguous date: day/month order cannot be told; write YYYY-MM-DD or set "
                                  "date_format in the protocol (e.g. '%d/%m/%Y')")
    (bad,) = by_rule(problems, "unparseable_date")
    assert (bad.row, bad.value) == ("P2", "2023-13-01")
    assert bad.expected == "a date: ISO YYYY-MM-DD, an Excel date or serial number, or the protocol's date_format"
    # the broken dates are not reported a second time as missing
    assert by_rule(problems, "missing_value") == []


def test_protocol_date_format_is_used(check) -> None:
    protocol = make_protocol(date_format="%d/%m/%Y")
    patients = make_patients(treatment_start_date=["03/04/2023", "01/02/2023", "01/03/2023"])
    assert check({"patients": patients}, protocol) == []


def test_a_bare_year_is_not_taken_for_an_excel_serial() -> None:
    parsed = parse_dates(pd.Series(["2023", 2023, 3653, 3654, 73050, 73051], dtype=object))
    assert list(parsed.unparseable) == [True, True, True, False, False, True]
    assert list(parsed.dates.dropna()) == [pd.Timestamp("1910-01-01"), pd.Timestamp("2099-12-31")]


def test_year_first_with_slashes_or_dots_is_unambiguous() -> None:
    """'2023/4/3' (Excel in Chinese/Japanese locales) is 3 April; mixed separators and invalid days
    stay unparseable."""
    parsed = parse_dates(pd.Series(["2023/4/3", "2023/04/13", "2023.12.01", "2023/4.3", "2023/02/30"]))
    assert list(parsed.dates[:3]) == [pd.Timestamp("2023-04-03"), pd.Timestamp("2023-04-13"),
                                      pd.Timestamp("2023-12-01")]
    assert list(parsed.unparseable) == [False, False, False, True, True]
    assert not parsed.ambiguous.any()
