"""The study protocol: a typed schema for the YAML file that drives every stage.

A protocol says *what* the study is (design, arms, cutoff), *where* its data are (files and the mapping
from the user's headers to the data template), and *how* to analyse it (endpoint origins, events and
censoring rules, response criteria and windows, CTCAE version and adverse-event windows, eligibility
criteria, baseline variables with their cut-points, Cox covariates and subgroups). Nothing about a study
lives in code: the four seed designs differ only in their protocol files (see ``presets/``).

Every model forbids unknown keys, so a misspelt key is reported by name instead of being ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TEMPLATE_TABLES = ("patients", "lesions", "visit_responses", "adverse_events", "treatments", "labs")
TemplateTable = Literal["patients", "lesions", "visit_responses", "adverse_events", "treatments", "labs"]

Origin = Literal["treatment_start", "diagnosis", "enrollment"]
"""Time origin of a time-to-event endpoint: the date columns treatment_start_date, diagnosis_date,
enrollment_date of the patients table."""

EndpointName = Literal["os", "pfs", "ttp", "dor"]
EventKind = Literal["death", "progression"]
CensorAt = Literal["last_contact", "last_adequate_assessment"]
Criteria = Literal["recist1.1", "mrecist", "irecist"]
CtcaeVersion = Literal["4.03", "5.0"]
ConfType = Literal["log", "log-log", "plain"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class StudyInfo(_Model):
    """Who and what: shown in the report's title block and methods section."""

    name: str = Field(description="Short machine-friendly study name (used in file names).")
    title: str = Field(description="Full study title.")
    design: Literal["two-arm", "single-arm"]
    type: Literal["retrospective", "prospective"] = "retrospective"
    registration: str | None = Field(default=None, description="Trial registry id, e.g. NCT06581497.")
    synthetic: bool = Field(default=False, description="True for generated demo data; labelled on every output.")
    description: str | None = None


class Arm(_Model):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", description="Value in patients.arm after mapping.")
    label: str = Field(description="Label used in tables and figures, e.g. 'ICIs + MWA'.")
    aliases: list[str] = Field(default_factory=list, description="Other spellings of the arm in the raw data.")


class DataFile(_Model):
    """One input table: a path (relative to the protocol file) and how to read it."""

    path: str
    format: Literal["csv", "xlsx", "sav", "parquet", "duckdb"] | None = Field(
        default=None, description="Inferred from the file extension when absent.")
    sheet: str | None = Field(default=None, description="Excel sheet name (default: the table's name).")
    table: str | None = Field(default=None, description="Table name inside a DuckDB database.")
    columns: dict[str, str] = Field(
        default_factory=dict, description="Mapping from the user's header to the template column name.")


class DataFiles(_Model):
    patients: DataFile
    lesions: DataFile | None = None
    visit_responses: DataFile | None = None
    adverse_events: DataFile | None = None
    treatments: DataFile | None = None
    labs: DataFile | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _path_shorthand(cls, value: object) -> object:
        # "patients: patients.csv" is shorthand for "patients: {path: patients.csv}".
        return {"path": value} if isinstance(value, str) else value


class EndpointRule(_Model):
    """Definition of one time-to-event endpoint (FDA guidance on PFS censoring, 2018, Tables A–B)."""

    label: str | None = None
    origin: Origin = "treatment_start"
    events: list[EventKind]
    censor_at: CensorAt = "last_contact"
    censor_at_new_therapy: bool = Field(
        default=False, description="Censor at the last adequate assessment before a new anticancer therapy.")
    censor_after_missed_assessments: int | None = Field(
        default=None, ge=1, description="Censor an event that follows this many missed assessments "
        "at the last adequate assessment before the gap (FDA 2018: two or more).")
    max_follow_up_months: float | None = Field(default=None, gt=0)


class ResponseSettings(_Model):
    criteria: Criteria
    confirm_response: bool = Field(default=False, description="CR/PR need confirmation ≥ confirm_days later.")
    confirm_days: int = Field(default=28, ge=1)
    confirm_progression: bool = Field(
        default=False, description="iRECIST-style confirmation of a first progression (iUPD → iCPD).")
    progression_confirm_window_days: tuple[int, int] = Field(
        default=(28, 56), description="Window after iUPD in which the next assessment can confirm it (4–8 weeks).")
    min_sd_days: int | None = Field(default=None, ge=0, description="Minimum time from treatment start for SD.")
    window_days: int | None = Field(default=None, ge=1, description="Best response counted within this many days.")
    assessment_interval_days: int = Field(default=56, ge=1, description="Scheduled interval between scans.")
    pd_absolute_increase_mm: float | None = Field(
        default=None, ge=0, description="mRECIST: optional 5 mm absolute PD rule (RECIST 1.1 always applies 5 mm).")
    not_assessable_as_nonresponder: bool = Field(
        default=True, description="Intention-to-treat ORR/DCR: NE patients count in the denominator.")


class ProcedureWindow(_Model):
    name: str = Field(description="Label, e.g. '0–24 h'.")
    start_hours: float = Field(ge=0)
    end_hours: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> ProcedureWindow:
        if self.end_hours <= self.start_hours:
            raise ValueError(f"end_hours ({self.end_hours}) must exceed start_hours ({self.start_hours})")
        return self


class SafetySettings(_Model):
    ctcae_version: CtcaeVersion = "5.0"
    days_after_last_dose: int = Field(default=90, ge=0, description="Treatment-emergent window after last dose.")
    procedures: list[str] = Field(default_factory=list, description="Procedure names with their own AE windows.")
    procedure_windows: list[ProcedureWindow] = Field(default_factory=list)
    reporting_groups: dict[str, list[str]] = Field(
        default_factory=dict, description="Reported name → CTCAE terms (patient counted once, worst grade).")
    synonyms: dict[str, str] = Field(default_factory=dict, description="Extra colloquial name → CTCAE term.")


class Criterion(_Model):
    """One eligibility criterion, evaluated per patient; a failure excludes with this id and description.

    Operators: ``in`` / ``not_in`` (values), ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (value),
    ``not_missing``; ``min_follow_up_days`` checks (last contact or death) − treatment start ≥ value.
    A missing variable value fails the criterion unless ``missing_passes`` is true.
    """

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    description: str
    variable: str | None = None
    operator: Literal["in", "not_in", "==", "!=", "<", "<=", ">", ">=", "not_missing", "min_follow_up_days"]
    value: float | int | str | bool | None = None
    values: list[str | int | float | bool] | None = None
    missing_passes: bool = False

    @model_validator(mode="after")
    def _operands(self) -> Criterion:
        if self.operator in ("in", "not_in") and not self.values:
            raise ValueError(f"criterion {self.id}: operator '{self.operator}' needs 'values'")
        if self.operator in ("==", "!=", "<", "<=", ">", ">=", "min_follow_up_days") and self.value is None:
            raise ValueError(f"criterion {self.id}: operator '{self.operator}' needs 'value'")
        if self.operator != "min_follow_up_days" and self.variable is None:
            raise ValueError(f"criterion {self.id}: operator '{self.operator}' needs 'variable'")
        return self


class CutPoints(_Model):
    """Derive a categorical variable from a continuous one, e.g. AFP ≥ 400 ng/ml."""

    name: str = Field(description="Name of the derived categorical variable, e.g. afp_group.")
    at: list[float] = Field(min_length=1)
    closed: Literal["left", "right"] = Field(
        default="left", description="left: [a, b) so 400 falls in '≥400'; right: (a, b] so 20 falls in '≤20'.")
    labels: list[str] | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _labels(self) -> CutPoints:
        if sorted(self.at) != list(self.at):
            raise ValueError(f"cut points of {self.name} must be increasing: {self.at}")
        if self.labels is not None and len(self.labels) != len(self.at) + 1:
            raise ValueError(f"{self.name}: {len(self.at)} cut point(s) need {len(self.at) + 1} labels, "
                             f"got {len(self.labels)}")
        return self


class Variable(_Model):
    """A baseline (or eligibility) variable of the patients table."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: str | None = None
    type: Literal["continuous", "categorical", "binary", "date"]
    unit: str | None = None
    levels: list[str] | None = Field(default=None, description="Category order (categorical/binary).")
    level_labels: dict[str, str] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict, description="Raw value → level.")
    min: float | None = None
    max: float | None = None
    required: bool = False
    cut: CutPoints | None = None
    in_baseline_table: bool = True
    test: Literal["auto", "none"] = Field(default="auto", description="'none': descriptive row, no p-value.")

    @model_validator(mode="after")
    def _levels(self) -> Variable:
        if self.type in ("categorical", "binary") and not self.levels:
            raise ValueError(f"variable {self.name}: type '{self.type}' needs 'levels'")
        if self.type == "binary" and self.levels and len(self.levels) != 2:
            raise ValueError(f"variable {self.name}: binary needs exactly 2 levels, got {self.levels}")
        if self.cut is not None and self.type != "continuous":
            raise ValueError(f"variable {self.name}: 'cut' applies to continuous variables only")
        return self


class CoxSettings(_Model):
    covariates: list[str] = Field(default_factory=list, description="Variables (or derived cut names); "
                                  "'arm' is the treatment term.")
    reference: dict[str, str] = Field(default_factory=dict, description="Covariate → reference level.")
    ties: Literal["efron", "breslow"] = "efron"
    endpoints: list[EndpointName] = Field(default_factory=lambda: ["os", "pfs"])
    firth_when_epv_below: float = 10.0


class AnalysisSettings(_Model):
    conf_level: float = Field(default=0.95, gt=0, lt=1)
    km_conf_type: ConfType = "log"
    landmarks_months: list[float] = Field(default_factory=lambda: [6.0, 12.0, 24.0])
    rmst_tau_months: float | None = Field(default=12.0, gt=0)
    alpha: float = Field(default=0.05, gt=0, lt=1)


class Protocol(_Model):
    """A complete study protocol (see ``docs/protocol.md`` for every key with examples)."""

    schema_version: Literal[1] = 1
    study: StudyInfo
    arms: list[Arm] = Field(min_length=1)
    reference_arm: str | None = Field(default=None, description="Arm id of the comparator (two-arm studies).")
    data_cutoff: dt.date
    date_format: str | None = Field(
        default=None, description="strftime format of text dates when not ISO (e.g. '%d/%m/%Y').")
    data: DataFiles
    endpoints: dict[EndpointName, EndpointRule]
    response: ResponseSettings | None = None
    safety: SafetySettings = Field(default_factory=SafetySettings)
    eligibility: list[Criterion] = Field(default_factory=list)
    variables: list[Variable] = Field(default_factory=list)
    cox: CoxSettings = Field(default_factory=CoxSettings)
    subgroups: list[str] = Field(default_factory=list, description="Categorical variables for subgroup analyses.")
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Protocol:
        ids = [a.id for a in self.arms]
        problems = []
        if len(set(ids)) != len(ids):
            problems.append(f"arms: duplicate arm ids {ids}")
        if self.study.design == "two-arm":
            if len(self.arms) != 2:
                problems.append(f"arms: a two-arm design needs exactly 2 arms, got {len(self.arms)}")
            if self.reference_arm is None:
                problems.append("reference_arm: required for a two-arm design; allowed: " + ", ".join(ids))
        if self.study.design == "single-arm" and len(self.arms) != 1:
            problems.append(f"arms: a single-arm design needs exactly 1 arm, got {len(self.arms)}")
        if self.reference_arm is not None and self.reference_arm not in ids:
            problems.append(f"reference_arm: '{self.reference_arm}' is not an arm; allowed: {', '.join(ids)}")
        known = self.variable_names() | {"arm"}
        for name in self.cox.covariates:
            if name not in known:
                problems.append(f"cox.covariates: unknown variable '{name}'; allowed: {', '.join(sorted(known))}")
        for name in self.cox.reference:
            if name not in known:
                problems.append(f"cox.reference: unknown variable '{name}'; allowed: {', '.join(sorted(known))}")
        for name in self.subgroups:
            if name not in known - {"arm"}:
                problems.append(f"subgroups: unknown variable '{name}'; allowed: {', '.join(sorted(known - {'arm'}))}")
        for ep in ("pfs", "ttp", "dor"):
            if ep in self.endpoints and self.response is None:
                problems.append(f"endpoints.{ep}: needs a 'response' section (criteria) to define progression")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- convenience accessors (no I/O) -------------------------------------------------------------
    def variable_names(self) -> set[str]:
        """Names of declared variables and of the categorical variables their cut-points derive."""
        names = {v.name for v in self.variables}
        names |= {v.cut.name for v in self.variables if v.cut is not None}
        return names

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def arm_label(self, arm_id: str) -> str:
        return next(a.label for a in self.arms if a.id == arm_id)

    @property
    def arm_ids(self) -> list[str]:
        """Arm ids, reference arm first (the comparator is the Cox reference level)."""
        ids = [a.id for a in self.arms]
        if self.reference_arm is not None:
            ids.remove(self.reference_arm)
            ids.insert(0, self.reference_arm)
        return ids
