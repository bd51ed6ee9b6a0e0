"""Rules over the per-visit and per-event tables, and between them and the patients table.

- every row's patient must be in ``patients`` (``unknown_patient``);
- one row per key: lesions (patient, visit, lesion), visit_responses (patient, visit);
- nothing dated after the patient's death (``date_after_death``): imaging, responses, AE onsets,
  treatment starts, lab samples;
- end before start: AE resolution before onset, treatment end before start (``date_order``);
- imaging, AE onsets and treatment starts after the data cutoff: a warning (``after_cutoff``).
"""

from __future__ import annotations

import pandas as pd

from oncocohort.protocol import Protocol
from oncocohort.validate._collect import TableCheck

EVENT_DATES = {
    "lesions": "visit_date",
    "visit_responses": "visit_date",
    "adverse_events": "onset_date",
    "treatments": "start_date",
    "labs": "date",
}
"""The date of each table that must not follow death (and, except labs, not the cutoff)."""

UNIQUE_KEYS = {
    "lesions": ("patient_id", "visit_date", "lesion_id"),
    "visit_responses": ("patient_id", "visit_date"),
}


def check_unknown_patients(check: TableCheck, frame: pd.DataFrame, patients: pd.DataFrame) -> None:
    known = set(patients["patient_id"].dropna())
    unknown = frame["patient_id"].notna() & ~frame["patient_id"].isin(known)
    check.flag(unknown, column="patient_id", values=frame["patient_id"],
               expected="a patient_id listed in the patients table", rule="unknown_patient")


def check_unique_rows(check: TableCheck, table: str, frame: pd.DataFrame) -> None:
    key = list(UNIQUE_KEYS.get(table, ()))
    if not key:
        return
    complete = frame[key].notna().all(axis=1)
    dup = complete & frame.duplicated(subset=key, keep=False)
    check.flag(dup, column=key[-1], values=frame[key[-1]].astype("string"), rule="duplicate_row",
               expected=f"one row per {', '.join(key)} (this combination appears more than once)")


def check_after_death(check: TableCheck, table: str, frame: pd.DataFrame, raw: pd.DataFrame,
                      patients: pd.DataFrame) -> None:
    column = EVENT_DATES[table]
    deaths = patients.dropna(subset=["patient_id"]).drop_duplicates("patient_id").set_index("patient_id")["death_date"]
    death = frame["patient_id"].map(deaths)
    after = frame[column] > death
    check.flag(after, column=column, values=raw.get(column), rule="date_after_death", detail=death,
               expected="a date on or before the patient's death date")


def check_end_before_start(check: TableCheck, table: str, frame: pd.DataFrame, raw: pd.DataFrame) -> None:
    pairs = {"adverse_events": ("onset_date", "resolution_date", "a resolution date on or after the onset date"),
             "treatments": ("start_date", "end_date", "an end date on or after the start date")}
    if table not in pairs:
        return
    start, end, expected = pairs[table]
    check.flag(frame[end] < frame[start], column=end, values=raw.get(end), expected=expected,
               rule="date_order", detail=frame[start])


def check_after_cutoff(check: TableCheck, table: str, frame: pd.DataFrame, raw: pd.DataFrame,
                       protocol: Protocol) -> None:
    if table == "labs":
        return  # a lab value after the cutoff is simply not used; nothing is censored
    column = EVENT_DATES[table]
    cutoff = pd.Timestamp(protocol.data_cutoff)
    check.flag(frame[column] > cutoff, column=column, values=raw.get(column), severity="warning",
               rule="after_cutoff",
               expected=f"a date on or before the data cutoff {cutoff:%Y-%m-%d} (ignored/censored at the cutoff)")


def check_table(check: TableCheck, table: str, frame: pd.DataFrame, raw: pd.DataFrame, patients: pd.DataFrame,
                protocol: Protocol) -> None:
    """All rules for one non-patients table, in report order."""
    check_unknown_patients(check, frame, patients)
    check_unique_rows(check, table, frame)
    check_end_before_start(check, table, frame, raw)
    check_after_death(check, table, frame, raw, patients)
    check_after_cutoff(check, table, frame, raw, protocol)
