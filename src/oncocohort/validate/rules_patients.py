"""Rules over the typed patients table (one function per rule family; each a set of boolean masks).

Dates are compared only where both are present; a missing date is its own rule. An *allocated*
patient is one with an arm; screened patients never allocated need only an id and the eligibility
variables.
"""

from __future__ import annotations

import pandas as pd

from oncocohort.io.columns import is_blank
from oncocohort.protocol import Protocol
from oncocohort.validate._collect import TableCheck


def _day(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d")


def check_duplicate_ids(check: TableCheck, patients: pd.DataFrame) -> None:
    """Each patient id once: every row of a repeated id is reported (keep=False)."""
    ids = patients["patient_id"]
    dup = ids.notna() & ids.duplicated(keep=False)
    check.flag(dup, column="patient_id", values=ids, expected="a unique patient id (this id appears more than once)",
               rule="duplicate_patient_id")


def check_allocated_dates(check: TableCheck, patients: pd.DataFrame, raw: pd.DataFrame, protocol: Protocol) -> None:
    """Allocated patients need a treatment start, a last contact (unless dead) and each endpoint origin."""
    allocated = patients["arm"].notna()
    blank = _blank(raw, patients.index)
    need_start = allocated & patients["treatment_start_date"].isna() & blank("treatment_start_date")
    check.flag(need_start, column="treatment_start_date", values=raw.get("treatment_start_date"),
               expected="a date (required for a patient allocated to an arm)", rule="missing_value")
    need_contact = (allocated & patients["death_date"].isna() & patients["last_contact_date"].isna()
                    & blank("last_contact_date"))
    check.flag(need_contact, column="last_contact_date", values=raw.get("last_contact_date"),
               expected="a date (required for an allocated patient without a death date: OS is censored there)",
               rule="missing_value")
    origins = {rule.origin for name, rule in protocol.endpoints.items() if name != "dor"} - {"treatment_start"}
    for origin in sorted(origins):
        column = f"{origin}_date"
        if column not in raw.columns:
            continue  # reported as a missing column
        missing = allocated & patients[column].isna() & blank(column)
        check.flag(missing, column=column, values=raw.get(column),
                   expected=f"a date (an endpoint starts at {origin})", rule="missing_value")


def check_date_order(check: TableCheck, patients: pd.DataFrame, raw: pd.DataFrame) -> None:
    """Death, progression and last contact not before treatment start; nothing after death."""
    start = patients["treatment_start_date"]
    death = patients["death_date"]
    for column, what in (("death_date", "death"), ("progression_date", "progression"),
                         ("last_contact_date", "last contact"), ("last_assessment_date", "last assessment"),
                         ("new_therapy_date", "subsequent therapy")):
        before = patients[column] < start
        check.flag(before, column=column, values=raw.get(column), detail=start,
                   expected=f"a {what} date on or after treatment start", rule="date_before_treatment_start")
    for column, what in (("last_contact_date", "last contact"), ("progression_date", "progression"),
                         ("last_assessment_date", "last assessment")):
        after = patients[column] > death
        check.flag(after, column=column, values=raw.get(column), detail=death,
                   expected=f"a {what} date on or before the death date", rule="date_after_death")
    diagnosed_late = patients["diagnosis_date"] > start
    check.flag(diagnosed_late, column="diagnosis_date", values=raw.get("diagnosis_date"), detail=start,
               expected="a diagnosis date on or before treatment start", rule="date_order")


def check_after_cutoff(check: TableCheck, patients: pd.DataFrame, raw: pd.DataFrame, protocol: Protocol) -> None:
    """Dates after the data cutoff: a warning (events there are censored at the cutoff later)."""
    cutoff = pd.Timestamp(protocol.data_cutoff)
    for column in ("treatment_start_date", "death_date", "progression_date", "last_contact_date",
                   "last_assessment_date", "new_therapy_date"):
        late = patients[column] > cutoff
        check.flag(late, column=column, values=raw.get(column), severity="warning", rule="after_cutoff",
                   expected=f"a date on or before the data cutoff {_day(cutoff)} (censored at the cutoff)")


def check_patients(check: TableCheck, patients: pd.DataFrame, raw: pd.DataFrame, protocol: Protocol) -> None:
    """All patients-table rules, in report order."""
    check_duplicate_ids(check, patients)
    check_allocated_dates(check, patients, raw, protocol)
    check_date_order(check, patients, raw)
    check_after_cutoff(check, patients, raw, protocol)


def _blank(raw: pd.DataFrame, index: pd.Index):  # noqa: ANN202
    """mask(column): the raw cell is empty (so an unparseable value is not also reported as missing)."""
    def mask(column: str) -> pd.Series:
        if column not in raw.columns:
            return pd.Series(True, index=index)
        return is_blank(raw[column])
    return mask
