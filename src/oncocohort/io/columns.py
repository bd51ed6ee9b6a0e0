"""The data template: every table and column, in one place.

This module is the single source of truth for the template's column names, types, whether a column
and its values are required, the allowed (canonical) category values and the spellings mapped onto
them. The Excel template (:mod:`oncocohort.io.template`), ``docs/data-template.md`` and the
validation rules (:mod:`oncocohort.validate`) all read it; nothing else lists template columns.

Column kinds
------------
``id``        patient id (text; leading zeros kept).
``text``      free text.
``date``      a calendar date (ISO ``YYYY-MM-DD``, an Excel date or serial number, or the protocol's
              ``date_format``).
``time``      a time of day ``HH:MM`` (AE onset time for the procedure windows "0–24 h").
``number``    a real number (float64).
``integer``   a whole number (stored as float64 so missing values stay NaN).
``category``  one of ``allowed`` after the category map (case- and space-insensitive).
``boolean``   yes/no (see :data:`BOOLEAN_WORDS`).
``arm``       an arm id of the protocol (ids, labels and aliases accepted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

ColumnKind = Literal["id", "text", "date", "time", "number", "integer", "category", "boolean", "arm"]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One template column.

    Attributes
    ----------
    name : template column name (the stable contract).
    kind : see the module docstring.
    required : the column must be present in the file.
    value_required : every row needs a value (a screened patient's empty arm is handled by the rule).
    allowed : canonical category values (kind ``category``); validated values are exactly these.
    aliases : category map, spelling -> canonical value (matched by :func:`category_key`).
    minimum, maximum : inclusive bounds for numbers (values outside are errors).
    description, example : for the data dictionary and docs.
    """

    name: str
    kind: ColumnKind
    required: bool = False
    value_required: bool = False
    allowed: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    example: str = ""


TEXT_DTYPE = pd.StringDtype("pyarrow")
"""Working dtype for text: Arrow-backed, so strip/replace/match run as vectorised Arrow kernels
(pandas' default string storage would run them as a Python loop over rows)."""


ARROW_TEXT_MIN_ROWS = 5000
"""Below this many rows the Arrow conversion costs more than it saves; Python strings are used."""


def as_text(values: pd.Series) -> pd.Series:
    """Values as trimmed text (pandas ``string``); empty cells -> <NA>. Vectorised.

    Large columns use Arrow storage (``str`` methods run as Arrow kernels, no Python per row);
    small ones Python storage (less fixed overhead). The values are the same either way.
    """
    if isinstance(values.dtype, pd.StringDtype):
        text = values
    elif values.dtype == object and len(values) < ARROW_TEXT_MIN_ROWS:
        text = values.where(values.notna(), None).astype("string")
    else:
        dtype = TEXT_DTYPE if len(values) >= ARROW_TEXT_MIN_ROWS else pd.StringDtype("python")
        text = values.astype("object").where(values.notna(), None).astype(dtype)
    text = text.str.strip()
    return text.mask(text == "")


def is_blank(values: pd.Series) -> pd.Series:
    """Cells that are empty: missing, or text that is only whitespace (typed columns need no text)."""
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        return as_text(values).isna().astype(bool)
    return values.isna()


def category_key(values: pd.Series) -> pd.Series:
    """Matching key of category spellings: lower case, ``_``/``-`` as spaces, runs of spaces collapsed.

    So "Partial  Response", "partial_response" and "PARTIAL-response" share the key "partial response";
    a number read from a spreadsheet as 1.0 has the key "1". The key is computed once per *distinct*
    value (``pd.factorize`` hashes the column in C), so a 10⁶-row column of a few categories costs
    a handful of Python calls. Missing stays missing.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    keys = np.array([key_of(str(u)) or None for u in uniques] + [None], dtype=object)
    # code -1 (missing) picks the trailing None
    return pd.Series(keys[codes], index=values.index, dtype="string")


def key_of(text: str) -> str:
    """:func:`category_key` for one spelling (used to build the maps)."""
    return re.sub(r"^(-?\d+)\.0+$", r"\1", re.sub(r"[_\-\s]+", " ", text.lower()).strip())


# --- category maps ---------------------------------------------------------------------------------
# Canonical values first; every canonical value also matches itself (case-insensitively).
RESPONSE_VALUES = ("CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD", "iCR", "iPR", "iSD", "iUPD", "iCPD")
RESPONSE_ALIASES = {
    "complete response": "CR", "complete remission": "CR",
    "partial response": "PR", "partial remission": "PR",
    "stable disease": "SD", "stable": "SD",
    "progressive disease": "PD", "progression": "PD", "disease progression": "PD",
    "not evaluable": "NE", "not evaluated": "NE", "not assessable": "NE", "inevaluable": "NE",
    "non cr non pd": "NON-CR/NON-PD", "non cr/non pd": "NON-CR/NON-PD",
    "unconfirmed progressive disease": "iUPD", "confirmed progressive disease": "iCPD",
}
"""Overall and best response spellings (RECIST 1.1 §4.3; iRECIST i-prefixed values, Seymour 2017)."""

LESION_TYPE_VALUES = ("target", "non-target", "new")
LESION_TYPE_ALIASES = {"t": "target", "nt": "non-target", "nontarget": "non-target", "non target": "non-target",
                       "n": "new", "new lesion": "new"}

NONTARGET_STATUS_VALUES = ("present", "absent", "unequivocal progression")
NONTARGET_STATUS_ALIASES = {"non cr/non pd": "present", "persistent": "present", "present/persistent": "present",
                            "disappeared": "absent", "cr": "absent", "complete response": "absent",
                            "pd": "unequivocal progression", "progression": "unequivocal progression",
                            "unequivocal pd": "unequivocal progression"}

ATTRIBUTION_VALUES = ("treatment", "procedure")
ATTRIBUTION_ALIASES = {"drug": "treatment", "treatment related": "treatment", "drug related": "treatment",
                       "procedure related": "procedure", "ablation": "procedure", "surgery": "procedure"}

TREATMENT_KIND_VALUES = ("drug", "procedure")
TREATMENT_KIND_ALIASES = {"systemic": "drug", "medication": "drug", "locoregional": "procedure",
                          "surgery": "procedure", "intervention": "procedure"}

STOP_REASON_VALUES = ("progression", "toxicity", "completed", "death", "patient decision", "surgery",
                      "ongoing", "other")
STOP_REASON_ALIASES = {"pd": "progression", "progressive disease": "progression",
                       "disease progression": "progression", "adverse event": "toxicity", "ae": "toxicity",
                       "intolerance": "toxicity", "completion": "completed", "complete": "completed",
                       "died": "death", "withdrawal": "patient decision", "patient choice": "patient decision",
                       "patient refusal": "patient decision", "continuing": "ongoing"}

LAB_TEST_ALIASES = {"alpha fetoprotein": "afp", "alpha-fetoprotein": "afp", "tbil": "total_bilirubin",
                    "bilirubin": "total_bilirubin", "total bilirubin": "total_bilirubin",
                    "alanine aminotransferase": "alt", "gpt": "alt", "aspartate aminotransferase": "ast",
                    "got": "ast", "alb": "albumin", "plt": "platelets", "platelet count": "platelets",
                    "pivka ii": "pivka_ii", "des gamma carboxy prothrombin": "pivka_ii"}
"""Lab test names are free text normalised to lower_snake_case; these spellings map to the usual names."""

BOOLEAN_WORDS = {"yes": True, "y": True, "true": True, "t": True, "1": True, "1.0": True,
                 "no": False, "n": False, "false": False, "f": False, "0": False, "0.0": False}
"""Boolean spellings (matched case- and space-insensitively)."""

IDENTIFYING_COLUMNS = ("name", "patient_name", "full_name", "first_name", "last_name", "surname",
                       "medical_record_number", "record_number", "mrn", "hospital_number", "chart_number",
                       "birth_date", "date_of_birth", "dob", "birthdate", "national_id", "id_card", "id_number",
                       "ssn", "phone", "telephone", "address", "email")
"""Column names (after header normalisation) that identify a person: never carried into outputs."""


def _spec(name: str, kind: ColumnKind, **kw: object) -> ColumnSpec:
    return ColumnSpec(name=name, kind=kind, **kw)  # type: ignore[arg-type]


_PID = _spec("patient_id", "id", required=True, value_required=True,
             description="Study id of the patient (never a name or record number).", example="P001")

TEMPLATE: dict[str, tuple[ColumnSpec, ...]] = {
    "patients": (
        _spec("patient_id", "id", required=True, value_required=True,
              description="Study id, one row per screened patient; unique.", example="P001"),
        _spec("arm", "arm", required=True,
              description="Arm id, label or alias of the protocol; empty for a screened patient never allocated.",
              example="ici_mwa"),
        _spec("treatment_start_date", "date", required=True,
              description="First day of study treatment; required for allocated patients.", example="2023-03-14"),
        _spec("death_date", "date", required=True, description="Date of death; empty if alive at last contact.",
              example="2024-01-20"),
        _spec("last_contact_date", "date", required=True,
              description="Last date known alive; required for allocated patients without a death date.",
              example="2024-06-30"),
        _spec("progression_date", "date",
              description="First documented progression; may be derived from lesions/visit_responses instead "
                          "(then the column may be absent or empty).", example="2023-09-02"),
        _spec("best_response", "category", allowed=RESPONSE_VALUES, aliases=RESPONSE_ALIASES,
              description="Best overall response; may be derived from lesions/visit_responses instead.",
              example="PR"),
        _spec("diagnosis_date", "date", description="Date of diagnosis (required when an endpoint starts there).",
              example="2022-11-02"),
        _spec("enrollment_date", "date",
              description="Date of enrollment/inclusion (required when an endpoint starts there).",
              example="2023-03-10"),
        _spec("new_therapy_date", "date", description="Start of a subsequent anticancer therapy.",
              example="2023-10-01"),
        _spec("last_assessment_date", "date", description="Date of the last adequate tumour assessment.",
              example="2024-05-12"),
    ),
    "lesions": (
        _PID,
        _spec("visit_date", "date", required=True, value_required=True, description="Imaging date.",
              example="2023-05-09"),
        _spec("lesion_id", "text", required=True, value_required=True,
              description="Lesion label, stable across visits of one patient.", example="T1"),
        _spec("lesion_type", "category", required=True, value_required=True, allowed=LESION_TYPE_VALUES,
              aliases=LESION_TYPE_ALIASES, description="target, non-target or new.", example="target"),
        _spec("site", "text", description="Organ or site.", example="liver"),
        _spec("is_lymph_node", "boolean", description="The lesion is a lymph node (short axis rules).",
              example="no"),
        _spec("longest_diameter_mm", "number", minimum=0.0,
              description="Longest diameter (RECIST 1.1); empty = not assessed at this visit.", example="32"),
        _spec("short_axis_mm", "number", minimum=0.0, description="Short axis of a lymph node.", example="12"),
        _spec("viable_diameter_mm", "number", minimum=0.0,
              description="Viable (arterially enhancing) diameter, mRECIST.", example="25"),
        _spec("nontarget_status", "category", allowed=NONTARGET_STATUS_VALUES, aliases=NONTARGET_STATUS_ALIASES,
              description="Non-target lesions: present, absent or unequivocal progression.", example="present"),
        _spec("is_baseline", "boolean", description="Baseline visit (default: the patient's first visit).",
              example="yes"),
        _spec("typical_hcc_pattern", "boolean",
              description="New lesion shows arterial hyperenhancement with washout (mRECIST new-lesion rule).",
              example="yes"),
    ),
    "visit_responses": (
        _PID,
        _spec("visit_date", "date", required=True, value_required=True, description="Assessment date.",
              example="2023-05-09"),
        _spec("overall_response", "category", required=True, value_required=True, allowed=RESPONSE_VALUES,
              aliases=RESPONSE_ALIASES, description="Overall response at the visit.", example="SD"),
    ),
    "adverse_events": (
        _PID,
        _spec("term", "text", required=True, value_required=True,
              description="AE term (CTCAE term or a known synonym such as Transaminitis).", example="Fatigue"),
        _spec("grade", "integer", required=True, value_required=True, minimum=1.0, maximum=5.0,
              description="CTCAE grade 1–5.", example="2"),
        _spec("onset_date", "date", required=True, value_required=True, description="Onset date.",
              example="2023-04-02"),
        _spec("resolution_date", "date", required=True, description="Resolution date; empty if ongoing.",
              example="2023-04-20"),
        _spec("attribution", "category", required=True, allowed=ATTRIBUTION_VALUES, aliases=ATTRIBUTION_ALIASES,
              description="Attributed to the (drug) treatment or to a procedure.", example="treatment"),
        _spec("onset_time", "time", description="Onset time of day HH:MM (procedure windows in hours).",
              example="14:30"),
        _spec("serious", "boolean", description="Serious adverse event.", example="no"),
    ),
    "treatments": (
        _PID,
        _spec("kind", "category", required=True, value_required=True, allowed=TREATMENT_KIND_VALUES,
              aliases=TREATMENT_KIND_ALIASES, description="drug or procedure.", example="procedure"),
        _spec("name", "text", required=True, value_required=True,
              description="Drug or procedure name (e.g. sintilimab, MWA, TACE, hepatectomy).", example="MWA"),
        _spec("start_date", "date", required=True, value_required=True, description="Start (or procedure) date.",
              example="2023-03-14"),
        _spec("end_date", "date", required=True, description="Last dose; empty if ongoing or a procedure.",
              example="2023-12-01"),
        _spec("stop_reason", "category", required=True, allowed=STOP_REASON_VALUES, aliases=STOP_REASON_ALIASES,
              description="Why the treatment stopped.", example="progression"),
    ),
    "labs": (
        _PID,
        _spec("date", "date", required=True, value_required=True, description="Sample date.", example="2023-03-10"),
        _spec("test", "text", required=True, value_required=True,
              description="Test name, normalised to lower_snake_case (afp, total_bilirubin, alt, albumin, ...).",
              example="afp"),
        _spec("value", "number", required=True, value_required=True, minimum=0.0,
              description="Result (non-negative).", example="523.4"),
        _spec("unit", "text", description="Unit as reported.", example="ng/ml"),
    ),
}
"""Template columns per table, in template order."""

TABLE_DESCRIPTIONS = {
    "patients": "One row per screened patient (eligible or not), plus the protocol's baseline variables.",
    "lesions": "One row per lesion per imaging visit.",
    "visit_responses": "One row per patient per assessment (studies without lesion measurements).",
    "adverse_events": "One row per adverse event episode.",
    "treatments": "One row per drug course or procedure.",
    "labs": "Laboratory values in long format: one row per patient, date and test.",
}


def template_columns(table: str) -> tuple[ColumnSpec, ...]:
    """Column specs of a template table (KeyError names the allowed tables)."""
    try:
        return TEMPLATE[table]
    except KeyError:
        raise KeyError(f"unknown template table '{table}'; allowed: {', '.join(TEMPLATE)}") from None


def column_spec(table: str, name: str) -> ColumnSpec | None:
    return next((c for c in template_columns(table) if c.name == name), None)
